//! The case pipeline. A case moves only along the edges below; anything else is
//! refused with an error naming both states, so a mistaken click at 3 a.m. cannot
//! put a household on a flight it was never cleared for.
//!
//! ```text
//! registered ──> under_review ──> eligible ──> scheduled ──> called_forward ──> checked_in ──> departed
//!      │              │  ▲  ▲         │  ▲         │  ▲              │
//!      │              ▼  │  │         │  └─────────┘  └──────────────┘   (dropped from a plan,
//!      │      ineligible─┘  │         ▼                                    pass revoked)
//!      │      needs_information       ineligible (decision revised)
//!      └──> any open state ──> withdrawn ──> under_review (reopened)
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Registered,
    UnderReview,
    Eligible,
    Ineligible,
    NeedsInformation,
    Scheduled,
    CalledForward,
    CheckedIn,
    Departed,
    Withdrawn,
}

/// A transition the pipeline does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case cannot move from {from} to {to}")]
pub struct IllegalTransition {
    pub from: CaseStatus,
    pub to: CaseStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown case status; expected one of {}", CaseStatus::ALL.map(|s| s.as_str()).join(", "))]
pub struct UnknownStatus;

impl CaseStatus {
    pub const ALL: [CaseStatus; 10] = [
        Self::Registered,
        Self::UnderReview,
        Self::Eligible,
        Self::Ineligible,
        Self::NeedsInformation,
        Self::Scheduled,
        Self::CalledForward,
        Self::CheckedIn,
        Self::Departed,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::UnderReview => "under_review",
            Self::Eligible => "eligible",
            Self::Ineligible => "ineligible",
            Self::NeedsInformation => "needs_information",
            Self::Scheduled => "scheduled",
            Self::CalledForward => "called_forward",
            Self::CheckedIn => "checked_in",
            Self::Departed => "departed",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The statuses this one may move to.
    pub fn successors(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Registered => &[
                UnderReview,
                Eligible,
                Ineligible,
                NeedsInformation,
                Withdrawn,
            ],
            UnderReview => &[Eligible, Ineligible, NeedsInformation, Withdrawn],
            NeedsInformation => &[UnderReview, Eligible, Ineligible, Withdrawn],
            Ineligible => &[UnderReview, Withdrawn],
            Eligible => &[Scheduled, Ineligible, Withdrawn],
            Scheduled => &[CalledForward, Eligible, Withdrawn],
            CalledForward => &[CheckedIn, Scheduled, Withdrawn],
            CheckedIn => &[Departed],
            Departed => &[],
            Withdrawn => &[UnderReview],
        }
    }

    pub fn can_move_to(self, to: CaseStatus) -> bool {
        self.successors().contains(&to)
    }

    /// Checks one step of the pipeline.
    pub fn transition(self, to: CaseStatus) -> Result<CaseStatus, IllegalTransition> {
        if self.can_move_to(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Holds a place in its scheme's quota: decided eligible and not yet
    /// gone back on. Quotas count these cases.
    pub fn holds_place(self) -> bool {
        matches!(
            self,
            Self::Eligible
                | Self::Scheduled
                | Self::CalledForward
                | Self::CheckedIn
                | Self::Departed
        )
    }

    /// Has a seat on a movement of the approved plan.
    pub fn has_seat(self) -> bool {
        matches!(
            self,
            Self::Scheduled | Self::CalledForward | Self::CheckedIn | Self::Departed
        )
    }

    /// Still in the country, for accountability: everything but departed and withdrawn.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Departed | Self::Withdrawn)
    }

    /// A human label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Registered => "Registered",
            Self::UnderReview => "Under review",
            Self::Eligible => "Eligible",
            Self::Ineligible => "Ineligible",
            Self::NeedsInformation => "Needs information",
            Self::Scheduled => "Scheduled",
            Self::CalledForward => "Called forward",
            Self::CheckedIn => "Checked in",
            Self::Departed => "Departed",
            Self::Withdrawn => "Withdrawn",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_status() -> impl Strategy<Value = CaseStatus> {
        (0..CaseStatus::ALL.len()).prop_map(|i| CaseStatus::ALL[i])
    }

    proptest! {
        /// Every pair is either an allowed edge or refused with an error naming both ends.
        #[test]
        fn transition_agrees_with_the_edge_table(from in any_status(), to in any_status()) {
            match from.transition(to) {
                Ok(next) => {
                    prop_assert_eq!(next, to);
                    prop_assert!(from.successors().contains(&to));
                }
                Err(e) => {
                    prop_assert_eq!(e, IllegalTransition { from, to });
                    let msg = e.to_string();
                    prop_assert!(msg.contains(from.as_str()) && msg.contains(to.as_str()), "{}", msg);
                }
            }
        }

        /// Any walk of legal steps ends in a known state, and never leaves `departed`.
        #[test]
        fn random_walks_respect_the_pipeline(steps in proptest::collection::vec(any_status(), 0..40)) {
            let mut at = CaseStatus::Registered;
            let mut departed = false;
            for to in steps {
                match at.transition(to) {
                    Ok(next) => {
                        prop_assert!(!departed, "left departed for {}", next);
                        at = next;
                        departed |= at == CaseStatus::Departed;
                    }
                    Err(e) => prop_assert_eq!(e.from, at),
                }
            }
        }

        /// Text form round-trips.
        #[test]
        fn status_text_round_trips(s in any_status()) {
            prop_assert_eq!(s.as_str().parse::<CaseStatus>().unwrap(), s);
            prop_assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
    }

    #[test]
    fn no_self_loops_and_departed_is_terminal() {
        for s in CaseStatus::ALL {
            assert!(!s.can_move_to(s), "{s} loops to itself");
        }
        assert!(CaseStatus::Departed.successors().is_empty());
    }

    #[test]
    fn every_status_is_reachable_from_registered() {
        let mut seen = vec![CaseStatus::Registered];
        let mut i = 0;
        while i < seen.len() {
            for &n in seen[i].successors() {
                if !seen.contains(&n) {
                    seen.push(n);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), CaseStatus::ALL.len());
    }

    #[test]
    fn skipping_the_gate_is_refused() {
        let e = CaseStatus::Eligible
            .transition(CaseStatus::Departed)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a case cannot move from eligible to departed"
        );
    }
}
