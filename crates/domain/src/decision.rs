//! An officer's decision on a case, and a tier set by hand. The scheme's rules
//! only suggest; these are what an officer says, always with a reason.

use serde::{Deserialize, Serialize};

use crate::CaseStatus;
use crate::validation::{self, Validate, ValidationErrors};

/// What an officer decides about a household under its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Eligible,
    Ineligible,
    NeedsInformation,
}

impl Verdict {
    /// The case status the decision puts the case in.
    pub fn status(self) -> CaseStatus {
        match self {
            Self::Eligible => CaseStatus::Eligible,
            Self::Ineligible => CaseStatus::Ineligible,
            Self::NeedsInformation => CaseStatus::NeedsInformation,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.status().as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why; kept sealed in the case history, never in the audit chain.
    pub reason: String,
}

impl Validate for Decision {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::text(&mut e, "reason", &self.reason, 2000);
        e.into_result()
    }
}

/// The most and least urgent priority tiers.
pub const TIERS: std::ops::RangeInclusive<u8> = 1..=4;

/// A tier set by an officer over what the rules give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierOverride {
    /// 1 (most urgent) to 4; `null` gives the tier back to the rules.
    pub tier: Option<u8>,
    pub reason: String,
}

impl Validate for TierOverride {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.tier.is_some_and(|t| !TIERS.contains(&t)) {
            e.push("tier", "tier_range", "must be 1 (most urgent) to 4");
        }
        validation::text(&mut e, "reason", &self.reason, 2000);
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_statuses_a_review_may_reach() {
        for v in [
            Verdict::Eligible,
            Verdict::Ineligible,
            Verdict::NeedsInformation,
        ] {
            assert!(CaseStatus::UnderReview.can_move_to(v.status()), "{v:?}");
        }
    }

    #[test]
    fn a_tier_override_needs_a_tier_in_range_and_a_reason() {
        let bad = TierOverride {
            tier: Some(5),
            reason: " ".into(),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["tier", "reason"]);
    }
}
