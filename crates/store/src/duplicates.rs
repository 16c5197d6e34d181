//! Suspected duplicates and the decisions on them, and the registry's persons
//! as the matcher reads them.

use domain::audit::AuditEntry;
use domain::duplicate::{DuplicatePair, DuplicateReason, DuplicateStatus, SuspectedDuplicate};
use domain::person::PersonDetails;
use domain::{CaseId, DuplicateId, OperationId, PersonId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::unseal;
use crate::tx::{parameter_list, shaped_chunks};
use crate::{Page, Paging, Store, StoreError, WriteTx, codec};

/// A person with the case it belongs to, for the matcher.
#[derive(Debug, Clone)]
pub struct RegistryPerson {
    pub id: PersonId,
    pub case_id: CaseId,
    pub details: PersonDetails,
}

fn pair(row: &AnyRow) -> Result<DuplicatePair, StoreError> {
    let reasons: String = row.try_get("reasons")?;
    Ok(DuplicatePair {
        id: codec::get_parsed(row, "id", "duplicate id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        person_a: codec::get_parsed(row, "person_a", "person id")?,
        person_b: codec::get_parsed(row, "person_b", "person id")?,
        probability: row.try_get("probability")?,
        reasons: serde_json::from_str(&reasons).map_err(|_| StoreError::Corrupt {
            what: "duplicate reasons",
        })?,
        status: codec::get_parsed(row, "status", "duplicate status")?,
        found_at: codec::get_time(row, "found_at")?,
        decided_at: row
            .try_get::<Option<String>, _>("decided_at")?
            .map(|_| codec::get_time(row, "decided_at"))
            .transpose()?,
        decided_by: codec::get_opt_parsed(row, "decided_by", "user id")?,
    })
}

/// The cases changed since a moment, for the matcher to catch up with
/// changes from anywhere (this server, another, `muster import`). Only ids
/// and times: the matcher then reads the persons of the cases it has not
/// seen in that state, not those of every case in the window again.
#[derive(Debug, Clone)]
pub struct RegistryChanges {
    /// Every case changed, with the time of its latest change.
    pub cases: Vec<(CaseId, chrono::DateTime<chrono::Utc>)>,
    /// The latest change seen: the next catch-up starts from it.
    pub latest: Option<chrono::DateTime<chrono::Utc>>,
}

/// Cases whose persons are read in one statement.
const CASES_PER_READ: usize = 256;

impl Store {
    /// The operation's cases changed at or after `since` (all of them
    /// without it).
    pub async fn registry_changes(
        &self,
        op: &OperationId,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<RegistryChanges, StoreError> {
        let since = since.map(codec::time).unwrap_or_default();
        let case_rows = sqlx::query(
            "SELECT id, updated_at FROM cases WHERE operation_id = $1 AND updated_at >= $2",
        )
        .bind(op.as_str())
        .bind(&since)
        .fetch_all(&self.pool)
        .await?;
        let mut latest = None;
        let mut cases = Vec::with_capacity(case_rows.len());
        for r in &case_rows {
            let at = codec::get_time(r, "updated_at")?;
            cases.push((codec::get_parsed(r, "id", "case id")?, at));
            latest = latest.max(Some(at));
        }
        Ok(RegistryChanges { cases, latest })
    }

    /// Every person of an operation (or of some of its cases), for matching.
    pub async fn registry_persons(
        &self,
        op: &OperationId,
        cases: Option<&[CaseId]>,
    ) -> Result<Vec<RegistryPerson>, StoreError> {
        let key = self.data_key(op).await?;
        let rows = match cases {
            None => {
                sqlx::query("SELECT id, case_id, details FROM persons WHERE operation_id = $1")
                    .bind(op.as_str())
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(ids) => {
                let mut rows = Vec::new();
                for chunk in shaped_chunks(ids, CASES_PER_READ) {
                    let sql = format!(
                        "SELECT id, case_id, details FROM persons WHERE operation_id = $1 AND case_id IN ({})",
                        parameter_list(2, chunk.len())
                    );
                    let mut q = sqlx::query(&sql).bind(op.as_str());
                    for id in chunk {
                        q = q.bind(id.to_string());
                    }
                    rows.extend(q.fetch_all(&self.pool).await?);
                }
                rows
            }
        };
        rows.iter()
            .map(|r| {
                Ok(RegistryPerson {
                    id: codec::get_parsed(r, "id", "person id")?,
                    case_id: codec::get_parsed(r, "case_id", "case id")?,
                    details: unseal(&key, op, r, "details")?,
                })
            })
            .collect()
    }

    /// An operation's pairs in one state, most likely first.
    pub async fn list_duplicates(
        &self,
        op: &OperationId,
        status: DuplicateStatus,
        paging: Paging,
    ) -> Result<Page<DuplicatePair>, StoreError> {
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM duplicate_pairs WHERE operation_id = $1 AND status = $2",
        )
        .bind(op.as_str())
        .bind(status.as_str())
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let items = sqlx::query(
            "SELECT * FROM duplicate_pairs WHERE operation_id = $1 AND status = $2 \
             ORDER BY probability DESC, id LIMIT $3 OFFSET $4",
        )
        .bind(op.as_str())
        .bind(status.as_str())
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(pair)
        .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            more: false,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    pub async fn get_duplicate(&self, id: DuplicateId) -> Result<DuplicatePair, StoreError> {
        let row = sqlx::query("SELECT * FROM duplicate_pairs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("duplicate pair"))?;
        pair(&row)
    }

    /// The case a person belongs to, if the person still exists.
    pub async fn case_of_person(&self, person: PersonId) -> Result<Option<CaseId>, StoreError> {
        sqlx::query("SELECT case_id FROM persons WHERE id = $1")
            .bind(person.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| codec::get_parsed(&r, "case_id", "case id"))
            .transpose()
    }
}

impl WriteTx {
    /// Records pairs the matcher found; a pair already known (open, merged or
    /// marked distinct) is left as it is. Returns how many are new.
    pub async fn suspect_duplicates(
        &mut self,
        op: &OperationId,
        found: &[SuspectedDuplicate],
    ) -> Result<usize, StoreError> {
        let now = codec::time(self.now());
        let pairs: Vec<SuspectedDuplicate> = found.iter().map(|f| f.clone().ordered()).collect();
        let mut entries = Vec::new();
        // Rows of 50, as the gate's scans: in a surge on 1,000,000 persons the
        // matcher finds over 2,000 pairs a second, which one statement each
        // (and an audit event each) kept the writer from the registrations.
        for chunk in pairs.chunks(50) {
            let ids: Vec<DuplicateId> = chunk.iter().map(|_| DuplicateId::new()).collect();
            let sql = format!(
                "INSERT INTO duplicate_pairs (id, operation_id, person_a, person_b, probability, reasons, status, found_at) \
                 VALUES {} ON CONFLICT (operation_id, person_b, person_a) DO NOTHING RETURNING id",
                self.values_list(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for (f, id) in chunk.iter().zip(&ids) {
                let reasons: Vec<&DuplicateReason> = f.reasons.iter().collect();
                q = q
                    .bind(id.to_string())
                    .bind(op.as_str())
                    .bind(f.person_a.to_string())
                    .bind(f.person_b.to_string())
                    .bind(f.probability)
                    .bind(serde_json::to_string(&reasons).expect("plain data"))
                    .bind(DuplicateStatus::Open.as_str())
                    .bind(now.clone());
            }
            let inserted: std::collections::HashSet<String> = q
                .fetch_all(self.conn())
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("id"))
                .collect::<Result<_, _>>()?;
            for (f, id) in chunk.iter().zip(&ids) {
                if inserted.contains(&id.to_string()) {
                    let detail = format!("probability {:.3}", f.probability);
                    entries.push(
                        AuditEntry::new("duplicate.suspect", "duplicate", *id).detail(detail),
                    );
                }
            }
        }
        let new = entries.len();
        self.audit_all(entries).await?;
        Ok(new)
    }

    /// An officer's decision: merge, mark distinct, or undo a merge.
    pub async fn decide_duplicate(
        &mut self,
        id: DuplicateId,
        to: DuplicateStatus,
    ) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT status FROM duplicate_pairs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("duplicate pair"))?;
        let from: DuplicateStatus = codec::get_parsed(&row, "status", "duplicate status")?;
        if !from.may_become(to) {
            return Err(StoreError::Conflict(format!(
                "a pair that is {} cannot become {}",
                from.as_str(),
                to.as_str()
            )));
        }
        let by = self.actor().user_id().map(|u| u.to_string());
        sqlx::query(
            "UPDATE duplicate_pairs SET status = $2, decided_at = $3, decided_by = $4 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(to.as_str())
        .bind(codec::time(self.now()))
        .bind(by)
        .execute(self.conn())
        .await?;
        let action = match (from, to) {
            (_, DuplicateStatus::Merged) => "duplicate.merge",
            (_, DuplicateStatus::Distinct) => "duplicate.distinct",
            _ => "duplicate.unmerge",
        };
        self.audit(AuditEntry::new(action, "duplicate", id)).await
    }
}
