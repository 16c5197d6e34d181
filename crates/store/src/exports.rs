//! What the dashboard and the exports read: counts without personal data,
//! the status history as events, whole cases for the lists, and the PFIF
//! records kept beside imported cases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::case::{Case, NewCase};
use domain::operation::Operation;
use domain::person::Person;
use domain::validation::ValidationErrors;
use domain::{CaseId, CaseStatus, OperationId, PersonId, SchemeId};
use sqlx::Row;
use zeroize::Zeroizing;

use crate::cases::{province_code, unseal};
use crate::{Store, StoreError, WriteTx, codec};

/// How many households (and people in them) share a status, a scheme, a
/// province and a tier. The finest cut the dashboard and the HXL export need;
/// every other figure is a sum of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCount {
    pub status: CaseStatus,
    pub scheme_id: Option<SchemeId>,
    /// ISO 3166-2 code, `""` when not known.
    pub province: String,
    pub tier: Option<u8>,
    pub households: i64,
    pub persons: i64,
}

/// One step of a case's history, without its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The case, as a small number stable within one answer.
    pub case: u32,
    pub at: DateTime<Utc>,
    pub to: CaseStatus,
}

/// A PFIF person record as stored beside the person it became.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPfifPerson {
    pub person_id: PersonId,
    pub case_id: CaseId,
    pub person_record_id: String,
    pub source_name: Option<String>,
    /// The record as it came, as the caller gave it.
    pub record: serde_json::Value,
    pub entry_date: DateTime<Utc>,
}

/// A PFIF note as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPfifNote {
    pub note_record_id: String,
    pub person_record_id: String,
    pub case_id: CaseId,
    pub record: serde_json::Value,
    pub entry_date: DateTime<Utc>,
}

/// A person record to import: the household it becomes (one person) and the
/// record to keep.
#[derive(Debug, Clone)]
pub struct PfifPersonImport<'a> {
    pub person_record_id: &'a str,
    pub source_name: Option<&'a str>,
    pub record: &'a serde_json::Value,
    pub case: &'a NewCase,
}

/// What importing a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// A new case (or note) was stored.
    Created(CaseId),
    /// The record was imported before: nothing changed.
    Known(CaseId),
}

fn seal_json(
    key: &crate::sealing::DataKey,
    op: &OperationId,
    value: &serde_json::Value,
) -> Vec<u8> {
    let plain = Zeroizing::new(serde_json::to_vec(value).expect("JSON values serialise"));
    key.seal(op, &plain)
}

fn open_json(
    key: &crate::sealing::DataKey,
    op: &OperationId,
    sealed: &[u8],
) -> Result<serde_json::Value, StoreError> {
    let plain = Zeroizing::new(key.open(op, sealed).ok_or(StoreError::Corrupt {
        what: "PFIF record",
    })?);
    serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt {
        what: "PFIF record",
    })
}

impl Store {
    /// Households and people by status, scheme, province and tier.
    pub async fn case_counts(&self, op: &OperationId) -> Result<Vec<CaseCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT status, scheme_id, COALESCE(province, '') AS province, tier, \
             COUNT(*) AS households, CAST(COALESCE(SUM(household_size), 0) AS BIGINT) AS persons \
             FROM cases WHERE operation_id = $1 \
             GROUP BY status, scheme_id, COALESCE(province, ''), tier",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let tier: Option<i64> = r.try_get("tier")?;
                Ok(CaseCount {
                    status: codec::get_parsed(r, "status", "case status")?,
                    scheme_id: codec::get_opt_parsed(r, "scheme_id", "scheme id")?,
                    province: r.try_get("province")?,
                    tier: tier
                        .map(u8::try_from)
                        .transpose()
                        .map_err(|_| StoreError::Corrupt { what: "tier" })?,
                    households: r.try_get("households")?,
                    persons: r.try_get("persons")?,
                })
            })
            .collect()
    }

    /// Every status change of the operation's cases, in the order they happened.
    pub async fn status_events(&self, op: &OperationId) -> Result<Vec<StatusEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.case_id, e.at, e.to_status FROM case_events e \
             JOIN cases c ON c.id = e.case_id WHERE c.operation_id = $1 ORDER BY e.id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut numbers: HashMap<String, u32> = HashMap::new();
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("case_id")?;
                let next = numbers.len() as u32;
                let case = *numbers.entry(id).or_insert(next);
                Ok(StatusEvent {
                    case,
                    at: codec::get_time(r, "at")?,
                    to: codec::get_parsed(r, "to_status", "case status")?,
                })
            })
            .collect()
    }

    /// Whole cases matching a filter, by reference, for the list exports.
    pub async fn cases_for_export(
        &self,
        op: &OperationId,
        filter: &crate::CaseFilter,
    ) -> Result<Vec<Case>, StoreError> {
        let key = self.data_key(op).await?;
        let f = self.filter_sql(&key, op, filter).await?;
        let sql = format!(
            "SELECT c.* FROM cases c WHERE {} ORDER BY c.number",
            f.all()
        );
        let mut q = sqlx::query(&sql).bind(op.as_str());
        for b in &f.binds {
            q = q.bind(b.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut members: HashMap<String, Vec<Person>> = HashMap::new();
        let persons = sqlx::query(
            "SELECT id, case_id, details FROM persons WHERE operation_id = $1 ORDER BY case_id, position",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        for r in &persons {
            let case: String = r.try_get("case_id")?;
            members.entry(case).or_default().push(Person {
                id: codec::get_parsed(r, "id", "person id")?,
                details: unseal(&key, op, r, "details")?,
            });
        }
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                crate::cases::case(&key, row, members.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    /// The PFIF person records kept in an operation.
    pub async fn pfif_persons(
        &self,
        op: &OperationId,
    ) -> Result<Vec<StoredPfifPerson>, StoreError> {
        let key = self.data_key(op).await?;
        let rows = sqlx::query(
            "SELECT * FROM pfif_persons WHERE operation_id = $1 ORDER BY person_record_id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let sealed: Vec<u8> = r.try_get("record")?;
                Ok(StoredPfifPerson {
                    person_id: codec::get_parsed(r, "person_id", "person id")?,
                    case_id: codec::get_parsed(r, "case_id", "case id")?,
                    person_record_id: r.try_get("person_record_id")?,
                    source_name: r.try_get("source_name")?,
                    record: open_json(&key, op, &sealed)?,
                    entry_date: codec::get_time(r, "entry_date")?,
                })
            })
            .collect()
    }

    /// The PFIF notes kept in an operation, oldest first.
    pub async fn pfif_notes(&self, op: &OperationId) -> Result<Vec<StoredPfifNote>, StoreError> {
        let key = self.data_key(op).await?;
        let rows = sqlx::query(
            "SELECT * FROM pfif_notes WHERE operation_id = $1 ORDER BY entry_date, note_record_id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let sealed: Vec<u8> = r.try_get("record")?;
                Ok(StoredPfifNote {
                    note_record_id: r.try_get("note_record_id")?,
                    person_record_id: r.try_get("person_record_id")?,
                    case_id: codec::get_parsed(r, "case_id", "case id")?,
                    record: open_json(&key, op, &sealed)?,
                    entry_date: codec::get_time(r, "entry_date")?,
                })
            })
            .collect()
    }

    /// Works out the province of cases stored before it was kept (migration
    /// 0007). Runs at start; once done it finds nothing to do.
    pub(crate) async fn backfill_provinces(&self) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.operation_id, p.details FROM cases c \
             LEFT JOIN persons p ON p.case_id = c.id AND p.relationship = 'principal' \
             WHERE c.province IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut keys = HashMap::new();
        let mut updates = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let op: OperationId = codec::get_parsed(r, "operation_id", "operation id")?;
            if !keys.contains_key(&op) {
                // A burnt operation has no key: its cases stay without a province.
                keys.insert(op.clone(), self.data_key(&op).await.ok());
            }
            let details: Option<Vec<u8>> = r.try_get("details")?;
            let code = match (keys.get(&op).and_then(Option::as_ref), details) {
                (Some(key), Some(_)) => province_code([&unseal(key, &op, r, "details")?]),
                _ => String::new(),
            };
            updates.push((id, code));
        }
        let mut tx = self.pool.begin().await?;
        for (id, code) in updates {
            sqlx::query("UPDATE cases SET province = $2 WHERE id = $1 AND province IS NULL")
                .bind(id)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Writes down that `actor` downloaded `what` (`pfif`, `cases.csv`...)
    /// with `records` records: a copy of personal data leaving the system
    /// is an event of the audit trail. Counts only, no filter values.
    pub async fn record_export(
        &self,
        actor: domain::audit::Actor,
        op: &OperationId,
        what: &str,
        records: usize,
    ) -> Result<(), StoreError> {
        let mut tx = self.write(actor).await?;
        tx.audit(
            AuditEntry::new("operation.export", "operation", op)
                .detail(format!("{what} records {records}")),
        )
        .await?;
        tx.commit().await
    }
}

impl WriteTx {
    /// Stores a PFIF person as a new one-person case through the ordinary
    /// case creation, and keeps its record. A record imported before is left
    /// as it is.
    pub async fn import_pfif_person(
        &mut self,
        op: &Operation,
        import: &PfifPersonImport<'_>,
    ) -> Result<Imported, StoreError> {
        let known = sqlx::query(
            "SELECT case_id FROM pfif_persons WHERE operation_id = $1 AND person_record_id = $2",
        )
        .bind(op.id.as_str())
        .bind(import.person_record_id)
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = known {
            return Ok(Imported::Known(codec::get_parsed(
                &row, "case_id", "case id",
            )?));
        }
        // The fixed source keeps the file's free text out of the audit trail.
        let case = self.create_case(op, import.case, "pfif").await?;
        let person: String =
            sqlx::query("SELECT id FROM persons WHERE case_id = $1 AND relationship = 'principal'")
                .bind(case.to_string())
                .fetch_one(self.conn())
                .await?
                .try_get("id")?;
        let key = self.data_key(&op.id).await?;
        sqlx::query(
            "INSERT INTO pfif_persons (operation_id, person_record_id, person_id, case_id, source_name, record, entry_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(op.id.as_str())
        .bind(import.person_record_id)
        .bind(person)
        .bind(case.to_string())
        .bind(import.source_name)
        .bind(seal_json(&key, &op.id, import.record))
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        Ok(Imported::Created(case))
    }

    /// Stores a PFIF note about a person record of this operation (imported
    /// before or in this write). A note imported before is left as it is.
    pub async fn import_pfif_note(
        &mut self,
        op: &OperationId,
        note_record_id: &str,
        person_record_id: &str,
        record: &serde_json::Value,
    ) -> Result<Imported, StoreError> {
        let person = sqlx::query(
            "SELECT case_id FROM pfif_persons WHERE operation_id = $1 AND person_record_id = $2",
        )
        .bind(op.as_str())
        .bind(person_record_id)
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| {
            StoreError::Invalid(ValidationErrors::single(
                "person_record_id",
                "known_person",
                "no person record with this id in the operation",
            ))
        })?;
        let case: CaseId = codec::get_parsed(&person, "case_id", "case id")?;
        let known = sqlx::query(
            "SELECT 1 AS one FROM pfif_notes WHERE operation_id = $1 AND note_record_id = $2",
        )
        .bind(op.as_str())
        .bind(note_record_id)
        .fetch_optional(self.conn())
        .await?;
        if known.is_some() {
            return Ok(Imported::Known(case));
        }
        let key = self.data_key(op).await?;
        sqlx::query(
            "INSERT INTO pfif_notes (operation_id, note_record_id, person_record_id, case_id, record, entry_date) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(op.as_str())
        .bind(note_record_id)
        .bind(person_record_id)
        .bind(case.to_string())
        .bind(seal_json(&key, op, record))
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEntry::new("case.pfif_note", "case", case).detail("pfif note imported"))
            .await?;
        Ok(Imported::Created(case))
    }
}
