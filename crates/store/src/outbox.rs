//! The outbox: messages written in the same transaction as what caused them
//! (an alert sent, a roll call started), then sent by a worker.
//!
//! A worker claims due messages with a lease (`status = 'sending'`, its name
//! and an expiry) in one statement, which is safe across servers sharing one
//! PostgreSQL (`FOR UPDATE SKIP LOCKED`, and the claim's conditions checked
//! again on the locked row) and trivially on SQLite (one writer). It records
//! the outcome only while it still holds the lease. A message whose lease
//! ran out (its worker died) is claimed again: the one window in which a
//! message can go out twice, which the transports narrow with a stable
//! Message-ID and an idempotency key.

use chrono::{DateTime, Duration, Utc};
use domain::alert::DeliveryCounts;
use domain::person::{ContactKind, PersonDetails};
use domain::{CaseId, MessageId, OperationId, PersonId};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use zeroize::Zeroizing;

use crate::cases::unseal;
use crate::sealing::DataKey;
use crate::{Backend, Store, StoreError, WriteTx, codec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "email" => Ok(Self::Email),
            "sms" => Ok(Self::Sms),
            _ => Err(StoreError::Corrupt { what: "channel" }),
        }
    }
}

/// A message to put in the outbox. Everything but the language is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    pub channel: Channel,
    /// An e-mail address or an E.164 number.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub language: String,
}

/// A message a worker holds the lease on, opened for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    pub id: MessageId,
    pub operation_id: OperationId,
    /// This claim's attempt number, from 1.
    pub attempt: i64,
    /// `None` when the operation was burned: the message can no longer be read.
    pub message: Option<NewMessage>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at `at`; `class` names the kind of error (`smtp_transient`).
    Retry {
        class: String,
        at: DateTime<Utc>,
    },
    /// Given up for good.
    Failed {
        class: String,
    },
}

/// One attempt at a message, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    pub attempt: i64,
    pub worker: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `sending` (in flight or its worker died), `delivered`, `retry`, `failed`.
    pub outcome: String,
    pub error_class: Option<String>,
}

/// A message's state, without its sealed content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageState {
    pub id: MessageId,
    pub channel: Channel,
    pub status: String,
    pub attempts: i64,
    pub source_kind: String,
    pub source_id: String,
}

/// The blind index of an address: an SMS reply is matched to what was sent
/// to its number without the number being stored in clear.
pub(crate) fn addressee_index(key: &DataKey, channel: Channel, to: &str) -> String {
    let normalised: String = match channel {
        Channel::Sms => to
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        Channel::Email => to.trim().to_lowercase(),
    };
    key.blind(&format!("addressee:{}:{normalised}", channel.as_str()))
}

/// A person's first contact of a kind, if it holds anything.
pub(crate) fn first_contact(details: &PersonDetails, kind: ContactKind) -> Option<&str> {
    details
        .contacts
        .iter()
        .find(|c| c.kind == kind)
        .map(|c| c.value.trim())
        .filter(|v| !v.is_empty())
}

/// What to tell a household, in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMessage {
    pub subject: String,
    pub text: String,
    pub language: String,
}

/// `('pending' and due) or ('sending' and its lease ran out)`, with `$n` the time.
fn claimable(n: usize) -> String {
    format!(
        "((status = 'pending' AND next_attempt_at <= ${n}) OR (status = 'sending' AND lease_until < ${n}))"
    )
}

impl WriteTx {
    /// Puts a message in the outbox, in this write.
    pub(crate) async fn enqueue(
        &mut self,
        op: &OperationId,
        source: (&'static str, &str),
        person: Option<PersonId>,
        message: &NewMessage,
    ) -> Result<MessageId, StoreError> {
        let key = self.data_key(op).await?;
        let id = MessageId::new();
        let plain = Zeroizing::new(
            serde_json::to_vec(message).expect("serialising plain data cannot fail"),
        );
        let now = codec::time(self.now());
        sqlx::query(
            "INSERT INTO outbox (id, operation_id, channel, person_id, sealed, addressee_index, language, \
             source_kind, source_id, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10)",
        )
        .bind(id.to_string())
        .bind(op.as_str())
        .bind(message.channel.as_str())
        .bind(person.map(|p| p.to_string()))
        .bind(key.seal(op, &plain))
        .bind(addressee_index(&key, message.channel, &message.to))
        .bind(&message.language)
        .bind(source.0)
        .bind(source.1)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(id)
    }
}

impl WriteTx {
    /// Queues `message` to a household, in this write: by e-mail and by SMS,
    /// each to the first member (the principal first) who gave that kind of
    /// contact. Returns how many were queued; none when nobody in the
    /// household can be reached, which officers see as no message.
    pub async fn message_household(
        &mut self,
        case: CaseId,
        source: (&'static str, &str),
        message: &HouseholdMessage,
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT id, operation_id, details FROM persons WHERE case_id = $1 ORDER BY position",
        )
        .bind(case.to_string())
        .fetch_all(self.conn())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(0);
        };
        let op: OperationId = codec::get_parsed(first, "operation_id", "operation id")?;
        let key = self.data_key(&op).await?;
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: PersonId = codec::get_parsed(row, "id", "person id")?;
            members.push((id, unseal(&key, &op, row, "details")?));
        }
        let mut queued = 0;
        for (channel, kind) in [
            (Channel::Email, ContactKind::Email),
            (Channel::Sms, ContactKind::Phone),
        ] {
            let reached = members
                .iter()
                .find_map(|(id, d)| first_contact(d, kind).map(|to| (*id, to.to_owned())));
            if let Some((person, to)) = reached {
                let new = NewMessage {
                    channel,
                    to,
                    subject: message.subject.clone(),
                    text: message.text.clone(),
                    language: message.language.clone(),
                };
                self.enqueue(&op, source, Some(person), &new).await?;
                queued += 1;
            }
        }
        Ok(queued)
    }
}

impl Store {
    /// Claims up to `limit` due messages for `worker` until `lease` from now,
    /// recording the start of an attempt at each. Each message is claimed by
    /// one worker at a time, across servers.
    /// Only messages for `channels` are claimed: the others wait for a
    /// worker that has a transport for them.
    pub async fn claim_messages(
        &self,
        worker: &str,
        channels: &[Channel],
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>, StoreError> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        // Channel names are our own constants, never input: safe to inline.
        let channel_list = channels
            .iter()
            .map(|c| format!("'{}'", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let now = codec::now();
        let until = now + Duration::from_std(lease).unwrap_or(Duration::minutes(1));
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // The chosen ids are materialised once: as a plain `IN (subquery)`,
        // PostgreSQL may run the subquery again per row and exceed the limit.
        let sql = format!(
            "WITH chosen AS MATERIALIZED (SELECT id FROM outbox WHERE {c} AND channel IN ({channel_list}) \
             ORDER BY next_attempt_at, id LIMIT $4{skip_locked}) \
             UPDATE outbox SET status = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM chosen) AND {c} RETURNING id, operation_id, channel, sealed, attempts",
            c = claimable(3)
        );
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(&sql)
            .bind(worker)
            .bind(codec::time(until))
            .bind(codec::time(now))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let attempt: i64 = row.try_get("attempts")?;
            // An earlier attempt still marked as sending lost its worker.
            sqlx::query(
                "UPDATE outbox_attempts SET outcome = 'interrupted', error_class = 'lease_expired' \
                 WHERE message_id = $1 AND outcome = 'sending'",
            )
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO outbox_attempts (message_id, attempt, worker, started_at, outcome) \
                 VALUES ($1, $2, $3, $4, 'sending')",
            )
            .bind(&id)
            .bind(attempt)
            .bind(worker)
            .bind(codec::time(now))
            .execute(&mut *tx)
            .await?;
            claimed.push((
                id,
                attempt,
                codec::get_parsed::<OperationId>(row, "operation_id", "operation id")?,
                Channel::parse(&row.try_get::<String, _>("channel")?)?,
                row.try_get::<Vec<u8>, _>("sealed")?,
            ));
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(claimed.len());
        for (id, attempt, op, channel, sealed) in claimed {
            let message = match self.data_key(&op).await {
                Ok(key) => {
                    let plain = Zeroizing::new(
                        key.open(&op, &sealed)
                            .ok_or(StoreError::Corrupt { what: "message" })?,
                    );
                    let m: NewMessage = serde_json::from_slice(&plain)
                        .map_err(|_| StoreError::Corrupt { what: "message" })?;
                    debug_assert_eq!(m.channel, channel);
                    Some(m)
                }
                Err(StoreError::Burned) => None,
                Err(e) => return Err(e),
            };
            out.push(ClaimedMessage {
                id: id
                    .parse()
                    .map_err(|_| StoreError::Corrupt { what: "message id" })?,
                operation_id: op,
                attempt,
                message,
            });
        }
        Ok(out)
    }

    /// Records how a claimed attempt ended. Returns false, changing nothing
    /// but the attempt's record, when the worker no longer holds the lease.
    pub async fn record_outcome(
        &self,
        worker: &str,
        claimed: &ClaimedMessage,
        outcome: &Outcome,
    ) -> Result<bool, StoreError> {
        let now = codec::now();
        let (status, next, class, attempt_outcome) = match outcome {
            Outcome::Delivered => ("delivered", now, None, "delivered"),
            Outcome::Retry { class, at } => ("pending", *at, Some(class.as_str()), "retry"),
            Outcome::Failed { class } => ("failed", now, Some(class.as_str()), "failed"),
        };
        let finished = (status != "pending").then(|| codec::time(now));
        let mut tx = self.pool.begin().await?;
        let held = sqlx::query(
            "UPDATE outbox SET status = $4, next_attempt_at = $5, last_error = $6, finished_at = $7, \
             lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND status = 'sending'",
        )
        .bind(claimed.id.to_string())
        .bind(worker)
        .bind(claimed.attempt)
        .bind(status)
        .bind(codec::time(next))
        .bind(class)
        .bind(finished)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        sqlx::query(
            "UPDATE outbox_attempts SET finished_at = $3, outcome = $4, error_class = $5 \
             WHERE message_id = $1 AND attempt = $2",
        )
        .bind(claimed.id.to_string())
        .bind(claimed.attempt)
        .bind(codec::time(now))
        .bind(attempt_outcome)
        .bind(class)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Every attempt at a message, oldest first.
    pub async fn message_attempts(&self, id: MessageId) -> Result<Vec<AttemptRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT attempt, worker, started_at, finished_at, outcome, error_class \
             FROM outbox_attempts WHERE message_id = $1 ORDER BY attempt",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let finished: Option<String> = r.try_get("finished_at")?;
                Ok(AttemptRecord {
                    attempt: r.try_get("attempt")?,
                    worker: r.try_get("worker")?,
                    started_at: codec::get_time(r, "started_at")?,
                    finished_at: finished
                        .map(|_| codec::get_time(r, "finished_at"))
                        .transpose()?,
                    outcome: r.try_get("outcome")?,
                    error_class: r.try_get("error_class")?,
                })
            })
            .collect()
    }

    /// The messages an alert or roll call put in the outbox.
    pub async fn messages_of(
        &self,
        source_kind: &str,
        source_id: &str,
    ) -> Result<Vec<MessageState>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, channel, status, attempts, source_kind, source_id FROM outbox \
             WHERE source_kind = $1 AND source_id = $2 ORDER BY id",
        )
        .bind(source_kind)
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageState {
                    id: codec::get_parsed(r, "id", "message id")?,
                    channel: Channel::parse(&r.try_get::<String, _>("channel")?)?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    source_kind: r.try_get("source_kind")?,
                    source_id: r.try_get("source_id")?,
                })
            })
            .collect()
    }

    /// Delivered, failed and pending messages of an alert or roll call, and
    /// the replies to them.
    pub async fn delivery_counts(
        &self,
        source_kind: &str,
        source_id: &str,
    ) -> Result<DeliveryCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE source_kind = $1 AND source_id = $2 \
             GROUP BY status",
        )
        .bind(source_kind)
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = DeliveryCounts::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            match r.try_get::<String, _>("status")?.as_str() {
                "delivered" => counts.delivered += n,
                "failed" | "cancelled" => counts.failed += n,
                _ => counts.pending += n,
            }
        }
        counts.replies = sqlx::query(
            "SELECT COUNT(*) AS n FROM message_replies WHERE source_kind = $1 AND source_id = $2",
        )
        .bind(source_kind)
        .bind(source_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        Ok(counts)
    }

    /// When the next pending message falls due, if any (the worker sleeps
    /// until then or until told of new messages).
    pub async fn next_message_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) AS due \
             FROM outbox WHERE status IN ('pending', 'sending')",
        )
        .fetch_one(&self.pool)
        .await?;
        let due: Option<String> = row.try_get("due")?;
        Ok(due.and_then(|d| {
            DateTime::parse_from_rfc3339(&d)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        }))
    }
}
