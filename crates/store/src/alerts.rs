//! Alerts to registrants: written as drafts, previewed, then sent through the
//! outbox in one write (the alert marked sent and every message queued, or
//! neither).

use std::collections::BTreeMap;

use domain::alert::{
    Alert, AlertKind, AlertStatus, AlertTarget, AlertText, NewAlert, RecipientCounts,
};
use domain::audit::AuditEntry;
use domain::person::{ContactKind, PersonDetails};
use domain::{AlertId, CaseId, CaseStatus, OperationId, PersonId, SchemeId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::cases::unseal;
use crate::outbox::{Channel, NewMessage, first_contact};
use crate::sealing::DataKey;
use crate::{Store, StoreError, WriteTx, codec};

/// A person of the operation with what targeting needs, opened.
pub(crate) struct Addressee {
    pub person_id: PersonId,
    pub case_id: CaseId,
    pub status: CaseStatus,
    pub scheme_id: Option<SchemeId>,
    pub language: Option<String>,
    pub details: PersonDetails,
}

impl Addressee {
    pub(crate) fn first(&self, kind: ContactKind) -> Option<&str> {
        first_contact(&self.details, kind)
    }

    /// The channels this person can be reached on, with the address.
    pub(crate) fn channels(&self) -> Vec<(Channel, String)> {
        let mut out = Vec::new();
        if let Some(e) = self.first(ContactKind::Email) {
            out.push((Channel::Email, e.to_owned()));
        }
        if let Some(p) = self.first(ContactKind::Phone) {
            out.push((Channel::Sms, p.to_owned()));
        }
        out
    }
}

/// Every person of the operation, opened (personal fields are sealed, so
/// targeting by nationality or province reads them all).
pub(crate) async fn addressees(
    conn: &mut AnyConnection,
    key: &DataKey,
    op: &OperationId,
) -> Result<Vec<Addressee>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.id, p.case_id, p.details, c.status, c.scheme_id, c.language FROM persons p \
         JOIN cases c ON c.id = p.case_id WHERE p.operation_id = $1 ORDER BY c.number, p.position",
    )
    .bind(op.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Addressee {
                person_id: codec::get_parsed(r, "id", "person id")?,
                case_id: codec::get_parsed(r, "case_id", "case id")?,
                status: codec::get_parsed(r, "status", "case status")?,
                scheme_id: codec::get_opt_parsed(r, "scheme_id", "scheme id")?,
                language: r.try_get("language")?,
                details: unseal(key, op, r, "details")?,
            })
        })
        .collect()
}

fn targeted<'a>(people: &'a [Addressee], target: &AlertTarget) -> Vec<&'a Addressee> {
    people
        .iter()
        .filter(|a| {
            target.takes_case(a.status, a.scheme_id)
                && target.takes_person(&a.details.nationalities, a.details.province.as_deref())
        })
        .collect()
}

fn count(people: &[&Addressee]) -> RecipientCounts {
    let mut c = RecipientCounts {
        persons: people.len() as i64,
        ..Default::default()
    };
    let mut cases: Vec<CaseId> = people.iter().map(|a| a.case_id).collect();
    cases.sort();
    cases.dedup();
    c.cases = cases.len() as i64;
    for a in people {
        let email = a.first(ContactKind::Email).is_some();
        let sms = a.first(ContactKind::Phone).is_some();
        c.email += i64::from(email);
        c.sms += i64::from(sms);
        c.reachable += i64::from(email || sms);
    }
    c
}

/// The language a recipient is written to in: the case's, when texts exist in it.
pub(crate) fn pick<'a, T>(
    texts: &'a BTreeMap<String, T>,
    language: Option<&str>,
) -> (&'a str, &'a T)
where
    T: std::fmt::Debug,
{
    language
        .and_then(|l| texts.get_key_value(l))
        .or_else(|| texts.get_key_value("en"))
        .or_else(|| texts.iter().next())
        .map(|(k, v)| (k.as_str(), v))
        .expect("texts are never empty: the caller always gives English")
}

fn alert_from(row: &AnyRow) -> Result<Alert, StoreError> {
    let sent: Option<String> = row.try_get("sent_at")?;
    Ok(Alert {
        id: codec::get_parsed(row, "id", "alert id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        kind: AlertKind::parse(&row.try_get::<String, _>("kind")?)
            .ok_or(StoreError::Corrupt { what: "alert kind" })?,
        texts: codec::get_json(row, "texts", "alert texts")?,
        target: codec::get_json(row, "target", "alert target")?,
        status: codec::get_enum(row, "status", "alert status")?,
        created_at: codec::get_time(row, "created_at")?,
        sent_at: sent.map(|_| codec::get_time(row, "sent_at")).transpose()?,
        counts: Default::default(),
    })
}

impl Store {
    pub async fn get_alert(&self, id: AlertId) -> Result<Alert, StoreError> {
        let row = sqlx::query("SELECT * FROM alerts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("alert"))?;
        let mut alert = alert_from(&row)?;
        alert.counts = self.delivery_counts("alert", &id.to_string()).await?;
        Ok(alert)
    }

    /// Newest first.
    pub async fn list_alerts(&self, op: &OperationId) -> Result<Vec<Alert>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM alerts WHERE operation_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut a = alert_from(r)?;
            a.counts = self.delivery_counts("alert", &a.id.to_string()).await?;
            out.push(a);
        }
        Ok(out)
    }

    /// How many a target reaches, per channel.
    pub async fn preview_recipients(
        &self,
        op: &OperationId,
        target: &AlertTarget,
    ) -> Result<RecipientCounts, StoreError> {
        let key = self.data_key(op).await?;
        let mut conn = self.pool.acquire().await?;
        let people = addressees(&mut conn, &key, op).await?;
        Ok(count(&targeted(&people, target)))
    }
}

impl WriteTx {
    /// Stores an alert as a draft.
    pub async fn create_alert(
        &mut self,
        op: &OperationId,
        new: &NewAlert,
    ) -> Result<AlertId, StoreError> {
        new.check().map_err(StoreError::Invalid)?;
        let id = AlertId::new();
        sqlx::query(
            "INSERT INTO alerts (id, operation_id, kind, texts, target, status, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7)",
        )
        .bind(id.to_string())
        .bind(op.as_str())
        .bind(new.kind.as_str())
        .bind(codec::json(&new.texts))
        .bind(codec::json(&new.target))
        .bind(codec::time(self.now()))
        .bind(self.actor().user_id().map(|u| u.to_string()))
        .execute(self.conn())
        .await?;
        self.audit(
            AuditEntry::new("alert.create", "alert", id)
                .detail(format!("operation {op} kind {}", new.kind.as_str())),
        )
        .await?;
        Ok(id)
    }

    /// Sends a draft alert: one message per targeted person and channel, in
    /// the person's language from `texts` (which must hold English, the
    /// fallback), queued in this write with the alert marked sent.
    pub async fn send_alert(
        &mut self,
        id: AlertId,
        texts: &BTreeMap<String, AlertText>,
    ) -> Result<RecipientCounts, StoreError> {
        let row = sqlx::query("SELECT * FROM alerts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("alert"))?;
        let alert = alert_from(&row)?;
        if alert.status != AlertStatus::Draft {
            return Err(StoreError::Conflict("this alert was already sent".into()));
        }
        if !texts.contains_key("en") {
            return Err(StoreError::Invalid(domain::ValidationErrors::single(
                "texts.en",
                "required",
                "English text is needed as the fallback",
            )));
        }
        let op = alert.operation_id.clone();
        let key = self.data_key(&op).await?;
        let people = addressees(self.conn(), &key, &op).await?;
        let chosen = targeted(&people, &alert.target);
        let counts = count(&chosen);
        let source = id.to_string();
        for a in chosen {
            let (language, text) = pick(texts, a.language.as_deref());
            for (channel, to) in a.channels() {
                let message = NewMessage {
                    channel,
                    to,
                    subject: text.title.clone(),
                    text: text.body.clone(),
                    language: language.to_owned(),
                };
                self.enqueue(&op, ("alert", &source), Some(a.person_id), &message)
                    .await?;
            }
        }
        sqlx::query("UPDATE alerts SET status = 'sent', sent_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(codec::time(self.now()))
            .execute(self.conn())
            .await?;
        self.audit(AuditEntry::new("alert.send", "alert", id).detail(format!(
            "operation {op} persons {} email {} sms {}",
            counts.persons, counts.email, counts.sms
        )))
        .await?;
        Ok(counts)
    }
}
