//! Officers' decisions on cases and tiers set by hand. The scheme's rules
//! suggest (`eligibility`); what is stored is what the officer decided, with
//! the reason in the sealed case history and only codes in the audit chain.

use domain::case::StatusChange;
use domain::decision::{Decision, TierOverride, Verdict};
use domain::{CaseId, CaseStatus, OperationId};
use sqlx::Row;

use domain::audit::AuditEntry;

use crate::{StoreError, WriteTx, codec};

impl WriteTx {
    /// Decides a case: the step to the verdict's status (a registered case is
    /// taken under review first). `suggested` is what the rules said, kept in
    /// the audit chain so that departures from the rules can be found;
    /// `rules_tier` becomes the case's tier unless an officer set one.
    pub async fn decide(
        &mut self,
        id: CaseId,
        decision: &Decision,
        suggested: Option<Verdict>,
        rules_tier: Option<u8>,
    ) -> Result<CaseStatus, StoreError> {
        let status: CaseStatus = {
            let row = sqlx::query("SELECT status FROM cases WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.conn())
                .await?
                .ok_or(StoreError::not_found("case"))?;
            codec::get_parsed(&row, "status", "case status")?
        };
        if status == CaseStatus::Registered {
            let review = StatusChange {
                to: CaseStatus::UnderReview,
                reason: "taken under review to decide".into(),
            };
            self.step(id, &review, "case.status", "").await?;
        }
        let change = StatusChange {
            to: decision.verdict.status(),
            reason: decision.reason.clone(),
        };
        let detail = match suggested {
            Some(s) => format!(" suggested {}", s.as_str()),
            None => " suggested none".to_owned(),
        };
        let to = self.step(id, &change, "case.decide", &detail).await?;
        if let Some(tier) = rules_tier {
            sqlx::query("UPDATE cases SET tier = $2 WHERE id = $1 AND tier_overridden = 0")
                .bind(id.to_string())
                .bind(i64::from(tier))
                .execute(self.conn())
                .await?;
        }
        Ok(to)
    }

    /// Sets the tier by hand, or with `tier: None` gives it back to the rules
    /// (`rules_tier`).
    pub async fn override_tier(
        &mut self,
        id: CaseId,
        change: &TierOverride,
        rules_tier: Option<u8>,
    ) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT operation_id, status, tier FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("case"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
        let before: Option<i64> = row.try_get("tier")?;
        let (tier, overridden) = match change.tier {
            Some(t) => (Some(t), true),
            None => (rules_tier, false),
        };
        sqlx::query(
            "UPDATE cases SET tier = $2, tier_overridden = $3, version = version + 1, updated_at = $4 \
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(tier.map(i64::from))
        .bind(i64::from(overridden))
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        let show = |t: Option<i64>| t.map_or("none".to_owned(), |t| t.to_string());
        let moved = format!("tier {}->{}", show(before), show(tier.map(i64::from)));
        let how = if overridden {
            "set by hand"
        } else {
            "given back to the rules"
        };
        let reason = format!("{moved} ({how}): {}", change.reason.trim());
        self.add_case_event(&op, id, Some(status), status, &reason)
            .await?;
        let detail = format!("{moved} {}", if overridden { "override" } else { "rules" });
        self.audit(AuditEntry::new("case.tier", "case", id).detail(detail))
            .await
    }
}
