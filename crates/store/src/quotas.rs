//! Scheme quotas. A case holds a place from the moment it is decided
//! eligible (see `CaseStatus::holds_place`); a step that would take one place
//! too many is refused inside the write transaction. Writers are serialised by
//! the audit head (`tx.rs`), also across servers sharing one PostgreSQL, so of
//! two officers approving the last place at once exactly one succeeds.

use domain::{CaseId, CaseStatus, SchemeId};
use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, WriteTx, codec};

/// Places taken in a scheme, against its quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QuotaUsage {
    pub principals: u32,
    pub persons: u32,
    pub max_principals: Option<u32>,
    pub max_persons: Option<u32>,
}

/// The statuses that hold a place, as an SQL list.
fn holding() -> String {
    let list: Vec<String> = (CaseStatus::ALL.iter())
        .filter(|s| s.holds_place())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    list.join(", ")
}

async fn usage(
    conn: &mut sqlx::AnyConnection,
    scheme: SchemeId,
    except: Option<CaseId>,
) -> Result<QuotaUsage, StoreError> {
    let limits = sqlx::query("SELECT quota_principals, quota_persons FROM schemes WHERE id = $1")
        .bind(scheme.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::not_found("scheme"))?;
    let sql = format!(
        "SELECT COUNT(*) AS principals, CAST(COALESCE(SUM(household_size), 0) AS BIGINT) AS persons FROM cases \
         WHERE scheme_id = $1 AND status IN ({}) AND id <> $2",
        holding()
    );
    let taken = sqlx::query(&sql)
        .bind(scheme.to_string())
        .bind(except.map(|c| c.to_string()).unwrap_or_default())
        .fetch_one(&mut *conn)
        .await?;
    let count = |col: &str| -> Result<u32, StoreError> {
        let n: i64 = taken.try_get(col)?;
        u32::try_from(n).map_err(|_| StoreError::Corrupt { what: "count" })
    };
    Ok(QuotaUsage {
        principals: count("principals")?,
        persons: count("persons")?,
        max_principals: codec::get_opt_u32(&limits, "quota_principals")?,
        max_persons: codec::get_opt_u32(&limits, "quota_persons")?,
    })
}

impl Store {
    pub async fn quota_usage(&self, scheme: SchemeId) -> Result<QuotaUsage, StoreError> {
        let mut conn = self.pool.acquire().await?;
        usage(&mut conn, scheme, None).await
    }
}

impl WriteTx {
    /// Refuses unless `case`, with `persons` people, fits in what is left of
    /// the scheme's quota besides the places the case may already hold.
    pub(crate) async fn check_quota(
        &mut self,
        scheme: SchemeId,
        case: CaseId,
        persons: u32,
    ) -> Result<(), StoreError> {
        let u = usage(self.conn(), scheme, Some(case)).await?;
        if let Some(max) = u.max_principals
            && u.principals + 1 > max
        {
            return Err(StoreError::Conflict(format!(
                "the scheme's quota is full: {} of {max} principals hold a place",
                u.principals
            )));
        }
        if let Some(max) = u.max_persons
            && u.persons + persons > max
        {
            return Err(StoreError::Conflict(format!(
                "the scheme's quota has {} of {max} places for persons left; this household has {persons}",
                max.saturating_sub(u.persons)
            )));
        }
        Ok(())
    }
}
