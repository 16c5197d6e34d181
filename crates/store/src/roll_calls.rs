//! Roll calls: who is asked, their personal links (stored as hashes only),
//! every answer, and replies to messages by SMS.

use std::collections::BTreeMap;

use base64::Engine;
use domain::alert::AlertText;
use domain::audit::AuditEntry;
use domain::person::ContactKind;
use domain::roll_call::{
    Answer, AnswerCounts, Invitation, RollCall, RollCallScope, RollCallStatus, Unanswered, works_at,
};
use domain::{OperationId, PersonId, RollCallId};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::alerts::{addressees, pick};
use crate::outbox::{Channel, NewMessage, addressee_index};
use crate::{Store, StoreError, WriteTx, codec};

/// The hash under which a link's token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a roll call's start did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub id: RollCallId,
    /// Persons asked (each has at least one contact).
    pub asked: i64,
    pub messages: i64,
}

/// An SMS reply matched to what was last sent to its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub operation_id: OperationId,
    pub source_kind: String,
    pub source_id: String,
    /// The roll-call answer the reply gave, if it gave one.
    pub answer: Option<Answer>,
}

fn scope_from(kind: &str, reference: &str) -> Result<RollCallScope, StoreError> {
    let bad = || StoreError::Corrupt {
        what: "roll call scope",
    };
    Ok(match kind {
        "post" => RollCallScope::Post(reference.parse().map_err(|_| bad())?),
        "nationality" => RollCallScope::Nationality(reference.to_owned()),
        "scheme" => RollCallScope::Scheme(reference.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    })
}

fn roll_call_from(row: &AnyRow) -> Result<RollCall, StoreError> {
    let closed: Option<String> = row.try_get("closed_at")?;
    Ok(RollCall {
        id: codec::get_parsed(row, "id", "roll call id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        scope: scope_from(
            &row.try_get::<String, _>("scope_kind")?,
            &row.try_get::<String, _>("scope_ref")?,
        )?,
        status: codec::get_enum(row, "status", "roll call status")?,
        started_at: codec::get_time(row, "started_at")?,
        closed_at: closed
            .map(|_| codec::get_time(row, "closed_at"))
            .transpose()?,
        counts: AnswerCounts::default(),
    })
}

impl Store {
    pub async fn get_roll_call(&self, id: RollCallId) -> Result<RollCall, StoreError> {
        let row = sqlx::query("SELECT * FROM roll_calls WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("roll call"))?;
        let mut rc = roll_call_from(&row)?;
        rc.counts = self.answer_counts(id).await?;
        Ok(rc)
    }

    /// Newest first.
    pub async fn list_roll_calls(&self, op: &OperationId) -> Result<Vec<RollCall>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM roll_calls WHERE operation_id = $1 ORDER BY started_at DESC, id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut rc = roll_call_from(r)?;
            rc.counts = self.answer_counts(rc.id).await?;
            out.push(rc);
        }
        Ok(out)
    }

    async fn answer_counts(&self, id: RollCallId) -> Result<AnswerCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT answer, COUNT(*) AS n FROM roll_call_people WHERE roll_call_id = $1 GROUP BY answer",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut c = AnswerCounts::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            c.asked += n;
            match r
                .try_get::<Option<String>, _>("answer")?
                .as_deref()
                .and_then(Answer::parse)
            {
                Some(Answer::Safe) => c.safe += n,
                Some(Answer::NeedHelp) => c.need_help += n,
                Some(Answer::Left) => c.left += n,
                None => c.unanswered += n,
            }
        }
        Ok(c)
    }

    /// Those asked who have not answered, with their phone numbers for a
    /// call: personal data, for roles that may see persons.
    pub async fn unanswered(&self, id: RollCallId) -> Result<Vec<Unanswered>, StoreError> {
        let rc = self.get_roll_call(id).await?;
        let op = rc.operation_id;
        let key = self.data_key(&op).await?;
        let rows = sqlx::query(
            "SELECT r.person_id, r.case_id, c.reference, p.details FROM roll_call_people r \
             JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = r.person_id \
             WHERE r.roll_call_id = $1 AND r.answer IS NULL ORDER BY c.reference, r.person_id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let details = crate::cases::unseal(&key, &op, r, "details")?;
                Ok(Unanswered {
                    person_id: codec::get_parsed(r, "person_id", "person id")?,
                    case_id: codec::get_parsed(r, "case_id", "case id")?,
                    reference: r.try_get("reference")?,
                    name: details.display_name(),
                    phones: details
                        .contacts
                        .iter()
                        .filter(|c| c.kind == ContactKind::Phone)
                        .map(|c| c.value.clone())
                        .collect(),
                })
            })
            .collect()
    }

    /// The person behind a link's token, if the token is known.
    pub async fn invitation(&self, token: &str) -> Result<Option<Invitation>, StoreError> {
        let row = sqlx::query(
            "SELECT r.roll_call_id, r.person_id, r.language, r.answer, rc.operation_id, rc.status \
             FROM roll_call_people r JOIN roll_calls rc ON rc.id = r.roll_call_id \
             WHERE r.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Invitation {
                roll_call_id: codec::get_parsed(&r, "roll_call_id", "roll call id")?,
                operation_id: codec::get_parsed(&r, "operation_id", "operation id")?,
                person_id: codec::get_parsed(&r, "person_id", "person id")?,
                language: r.try_get("language")?,
                open: r.try_get::<String, _>("status")? == "open",
                answer: r
                    .try_get::<Option<String>, _>("answer")?
                    .as_deref()
                    .and_then(Answer::parse),
            })
        })
        .transpose()
    }

    /// Every answer a person gave to a roll call, oldest first, with how it came.
    pub async fn answer_history(
        &self,
        id: RollCallId,
        person: PersonId,
    ) -> Result<Vec<(Answer, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT answer, via FROM roll_call_answers WHERE roll_call_id = $1 AND person_id = $2 ORDER BY id",
        )
        .bind(id.to_string())
        .bind(person.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    Answer::parse(&r.try_get::<String, _>("answer")?)
                        .ok_or(StoreError::Corrupt { what: "answer" })?,
                    r.try_get("via")?,
                ))
            })
            .collect()
    }
}

impl WriteTx {
    /// Starts a roll call: every person in scope with a contact gets a link
    /// (`{link_base}/{token}`, a fresh random token of 256 bits whose hash
    /// alone is stored) by e-mail and SMS, in their language from `texts`
    /// (English required; `{link}` in a body is replaced by the link).
    pub async fn start_roll_call(
        &mut self,
        op: &OperationId,
        scope: &RollCallScope,
        texts: &BTreeMap<String, AlertText>,
        link_base: &str,
    ) -> Result<Started, StoreError> {
        if !texts.contains_key("en") {
            return Err(StoreError::Invalid(domain::ValidationErrors::single(
                "texts.en",
                "required",
                "English text is needed as the fallback",
            )));
        }
        let post_name = match scope {
            RollCallScope::Post(post) => {
                let row = sqlx::query("SELECT name FROM posts WHERE id = $1 AND operation_id = $2")
                    .bind(post.to_string())
                    .bind(op.as_str())
                    .fetch_optional(self.conn())
                    .await?
                    .ok_or(StoreError::not_found("post"))?;
                Some(row.try_get::<String, _>("name")?)
            }
            RollCallScope::Scheme(s) => {
                sqlx::query("SELECT id FROM schemes WHERE id = $1 AND operation_id = $2")
                    .bind(s.to_string())
                    .bind(op.as_str())
                    .fetch_optional(self.conn())
                    .await?
                    .ok_or(StoreError::not_found("scheme"))?;
                None
            }
            RollCallScope::Nationality(_) => None,
        };
        let key = self.data_key(op).await?;
        let people = addressees(self.conn(), &key, op).await?;
        let id = RollCallId::new();
        let now = codec::time(self.now());
        sqlx::query(
            "INSERT INTO roll_calls (id, operation_id, scope_kind, scope_ref, status, started_at, started_by) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6)",
        )
        .bind(id.to_string())
        .bind(op.as_str())
        .bind(scope.kind())
        .bind(scope.reference())
        .bind(&now)
        .bind(self.actor().user_id().map(|u| u.to_string()))
        .execute(self.conn())
        .await?;
        let source = id.to_string();
        let (mut asked, mut messages) = (0i64, 0i64);
        for a in &people {
            let in_scope = match scope {
                RollCallScope::Post(_) => a
                    .details
                    .employer
                    .as_deref()
                    .zip(post_name.as_deref())
                    .is_some_and(|(e, p)| works_at(e, p)),
                RollCallScope::Nationality(n) => a
                    .details
                    .nationalities
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(n)),
                RollCallScope::Scheme(s) => a.scheme_id == Some(*s),
            };
            let channels = a.channels();
            if !in_scope || channels.is_empty() {
                continue;
            }
            let token =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
            let (language, text) = pick(texts, a.language.as_deref());
            sqlx::query(
                "INSERT INTO roll_call_people (roll_call_id, person_id, case_id, token_hash, language) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&source)
            .bind(a.person_id.to_string())
            .bind(a.case_id.to_string())
            .bind(token_hash(&token))
            // The case's own language (not the fallback): when it is unknown
            // the answer page follows the browser's.
            .bind(a.language.as_deref())
            .execute(self.conn())
            .await?;
            let link = format!("{}/{token}", link_base.trim_end_matches('/'));
            for (channel, to) in channels {
                let message = NewMessage {
                    channel,
                    to,
                    subject: text.title.clone(),
                    text: text.body.replace("{link}", &link),
                    language: language.to_owned(),
                };
                self.enqueue(op, ("roll_call", &source), Some(a.person_id), &message)
                    .await?;
                messages += 1;
            }
            asked += 1;
        }
        self.audit(
            AuditEntry::new("rollcall.start", "roll_call", id).detail(format!(
                "operation {op} scope {} {} asked {asked} messages {messages}",
                scope.kind(),
                scope.reference()
            )),
        )
        .await?;
        Ok(Started {
            id,
            asked,
            messages,
        })
    }

    pub async fn close_roll_call(&mut self, id: RollCallId) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE roll_calls SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'",
        )
        .bind(id.to_string())
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict(
                "this roll call is closed already".into(),
            ));
        }
        self.audit(AuditEntry::new("rollcall.close", "roll_call", id))
            .await
    }

    /// Records an answer: it replaces the person's latest, and is kept.
    async fn record_answer(
        &mut self,
        op: &OperationId,
        id: RollCallId,
        person: PersonId,
        answer: Answer,
        location: Option<&str>,
        via: &'static str,
    ) -> Result<(), StoreError> {
        let open = sqlx::query("SELECT status FROM roll_calls WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("roll call"))?
            .try_get::<String, _>("status")?
            == RollCallStatus::Open.as_str();
        if !open {
            return Err(StoreError::Conflict("this roll call is closed".into()));
        }
        let key = self.data_key(op).await?;
        let location = location
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| key.seal(op, l.as_bytes()));
        let now = codec::time(self.now());
        sqlx::query(
            "INSERT INTO roll_call_answers (roll_call_id, person_id, answer, location, via, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(person.to_string())
        .bind(answer.as_str())
        .bind(location)
        .bind(via)
        .bind(&now)
        .execute(self.conn())
        .await?;
        sqlx::query(
            "UPDATE roll_call_people SET answer = $3, answered_at = $4 WHERE roll_call_id = $1 AND person_id = $2",
        )
        .bind(id.to_string())
        .bind(person.to_string())
        .bind(answer.as_str())
        .bind(&now)
        .execute(self.conn())
        .await?;
        self.audit(
            AuditEntry::new("rollcall.answer", "roll_call", id)
                .detail(format!("answer {} via {via}", answer.as_str())),
        )
        .await
    }

    /// An answer through the person's link.
    pub async fn answer_roll_call(
        &mut self,
        token: &str,
        answer: Answer,
        location: Option<&str>,
    ) -> Result<RollCallId, StoreError> {
        let row = sqlx::query(
            "SELECT r.roll_call_id, r.person_id, rc.operation_id FROM roll_call_people r \
             JOIN roll_calls rc ON rc.id = r.roll_call_id WHERE r.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("roll call link"))?;
        let id: RollCallId = codec::get_parsed(&row, "roll_call_id", "roll call id")?;
        let person = codec::get_parsed(&row, "person_id", "person id")?;
        let op = codec::get_parsed(&row, "operation_id", "operation id")?;
        self.record_answer(&op, id, person, answer, location, "web")
            .await?;
        Ok(id)
    }

    /// An inbound SMS: counted as a reply to the latest message sent to its
    /// number (in any operation not burned), and taken as the answer to a
    /// roll call when it gives one. `None` when nothing was sent to it.
    pub async fn record_sms_reply(
        &mut self,
        from: &str,
        text: &str,
    ) -> Result<Option<Reply>, StoreError> {
        let ops: Vec<OperationId> = sqlx::query(
            "SELECT operation_id FROM operation_keys WHERE wrapped_key IS NOT NULL ORDER BY operation_id",
        )
        .fetch_all(self.conn())
        .await?
        .iter()
        .map(|r| codec::get_parsed(r, "operation_id", "operation id"))
        .collect::<Result<_, _>>()?;
        let mut latest: Option<(String, AnyRow, OperationId)> = None;
        for op in ops {
            let key = match self.data_key(&op).await {
                Ok(k) => k,
                Err(StoreError::Burned) => continue,
                Err(e) => return Err(e),
            };
            let row = sqlx::query(
                "SELECT id, person_id, source_kind, source_id, created_at FROM outbox \
                 WHERE operation_id = $1 AND addressee_index = $2 AND channel = 'sms' \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(op.as_str())
            .bind(addressee_index(&key, Channel::Sms, from))
            .fetch_optional(self.conn())
            .await?;
            if let Some(row) = row {
                let at: String = row.try_get("created_at")?;
                if latest.as_ref().is_none_or(|(t, _, _)| at > *t) {
                    latest = Some((at, row, op));
                }
            }
        }
        let Some((_, row, op)) = latest else {
            return Ok(None);
        };
        let source_kind: String = row.try_get("source_kind")?;
        let source_id: String = row.try_get("source_id")?;
        let key = self.data_key(&op).await?;
        sqlx::query(
            "INSERT INTO message_replies (operation_id, message_id, source_kind, source_id, at, sealed_text) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(op.as_str())
        .bind(row.try_get::<String, _>("id")?)
        .bind(&source_kind)
        .bind(&source_id)
        .bind(codec::time(self.now()))
        .bind(key.seal(&op, text.as_bytes()))
        .execute(self.conn())
        .await?;
        let mut answer = None;
        if source_kind == "roll_call"
            && let (Some(a), Some(person)) = (
                Answer::from_reply(text),
                codec::get_opt_parsed::<PersonId>(&row, "person_id", "person id")?,
            )
        {
            let id: RollCallId = source_id.parse().map_err(|_| StoreError::Corrupt {
                what: "roll call id",
            })?;
            match self.record_answer(&op, id, person, a, None, "sms").await {
                Ok(()) => answer = Some(a),
                // A reply to a closed roll call still counts as a reply.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        } else {
            self.audit(
                AuditEntry::new("message.reply", "message", row.try_get::<String, _>("id")?)
                    .detail(format!("{source_kind} {source_id}")),
            )
            .await?;
        }
        Ok(Some(Reply {
            operation_id: op,
            source_kind,
            source_id,
            answer,
        }))
    }
}
