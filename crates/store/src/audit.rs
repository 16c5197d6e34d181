//! Reading and verifying the audit chain. Appending lives in [`crate::WriteTx`].

use domain::audit::{AuditEvent, ChainError, ChainVerifier};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Page, Paging, Store, StoreError, codec};

/// The outcome of checking the whole chain.
#[derive(Debug)]
pub enum ChainReport {
    Intact { events: i64 },
    Broken(ChainError),
}

fn event(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: row.try_get("seq")?,
        at: codec::get_time(row, "at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target_kind: row.try_get("target_kind")?,
        target_id: row.try_get("target_id")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, target_kind, target_id, detail, prev_hash, hash";

impl Store {
    /// Newest first.
    pub async fn list_audit(&self, paging: Paging) -> Result<Page<AuditEvent>, StoreError> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT $1 OFFSET $2"
        ))
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(event).collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            more: false,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Walks the whole chain in order, a batch at a time, and compares its end
    /// with the recorded head. Stops at the first broken event.
    pub async fn verify_audit(&self) -> Result<ChainReport, StoreError> {
        const BATCH: i64 = 5000;
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let e = match event(row) {
                    Ok(e) => e,
                    // An unreadable row is as broken as an edited one.
                    Err(StoreError::Corrupt { .. }) => {
                        let seq: i64 = row.try_get("seq")?;
                        return Ok(ChainReport::Broken(ChainError::Hash { seq }));
                    }
                    Err(e) => return Err(e),
                };
                if let Err(broken) = verifier.check(&e) {
                    return Ok(ChainReport::Broken(broken));
                }
                after = e.seq;
            }
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_hash: String = head.try_get("hash")?;
        Ok(match verifier.finish(head.try_get("seq")?, &head_hash) {
            Ok(events) => ChainReport::Intact { events },
            Err(broken) => ChainReport::Broken(broken),
        })
    }
}
