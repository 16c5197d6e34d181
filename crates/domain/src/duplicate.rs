//! Suspected duplicates: two persons the matcher thinks may be one, with the
//! reasons, and what an officer decided. A merge is reversible; a pair marked
//! distinct is remembered and never proposed again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{DuplicateId, OperationId, PersonId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateStatus {
    /// Waiting for an officer.
    Open,
    /// The same person: the second record is a duplicate of the first.
    Merged,
    /// Two people: never proposed again.
    Distinct,
}

impl DuplicateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Distinct => "distinct",
        }
    }

    /// The decisions an officer may take from here: open pairs are merged or
    /// marked distinct; a merge can be undone (back to open).
    pub fn may_become(self, to: DuplicateStatus) -> bool {
        matches!(
            (self, to),
            (Self::Open, Self::Merged) | (Self::Open, Self::Distinct) | (Self::Merged, Self::Open)
        )
    }
}

impl std::str::FromStr for DuplicateStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "open" => Ok(Self::Open),
            "merged" => Ok(Self::Merged),
            "distinct" => Ok(Self::Distinct),
            _ => Err(()),
        }
    }
}

/// One field's evidence in bits: names the field and how it compared, never
/// the values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateReason {
    pub field: String,
    /// `exact`, `phonetic`, `within_year`, `different`, …
    pub level: String,
    pub weight: f64,
    /// Adjusted for how common the shared value is.
    pub term_frequency: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub id: DuplicateId,
    pub operation_id: OperationId,
    /// The earlier record (kept when merged).
    pub person_a: PersonId,
    /// The later record (the duplicate when merged).
    pub person_b: PersonId,
    pub probability: f64,
    pub reasons: Vec<DuplicateReason>,
    pub status: DuplicateStatus,
    pub found_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<UserId>,
}

/// A pair as the matcher finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SuspectedDuplicate {
    pub person_a: PersonId,
    pub person_b: PersonId,
    pub probability: f64,
    pub reasons: Vec<DuplicateReason>,
}

impl SuspectedDuplicate {
    /// The pair in its stored order (smaller id first, which for v7 ids is
    /// the earlier record), so that a pair is one row whichever way it is found.
    pub fn ordered(mut self) -> Self {
        if self.person_b < self.person_a {
            std::mem::swap(&mut self.person_a, &mut self.person_b);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_follow_the_rules() {
        use DuplicateStatus::*;
        assert!(Open.may_become(Merged) && Open.may_become(Distinct) && Merged.may_become(Open));
        assert!(!Distinct.may_become(Open), "distinct is remembered");
        assert!(!Distinct.may_become(Merged) && !Merged.may_become(Distinct));
        assert!(!Open.may_become(Open));
        for s in [Open, Merged, Distinct] {
            assert_eq!(s.as_str().parse::<DuplicateStatus>(), Ok(s));
        }
    }

    #[test]
    fn a_pair_is_stored_one_way() {
        let (a, b) = (PersonId::new(), PersonId::new());
        let found = SuspectedDuplicate {
            person_a: b,
            person_b: a,
            probability: 0.9,
            reasons: vec![],
        };
        let o = found.ordered();
        assert_eq!((o.person_a, o.person_b), (a, b));
    }
}
