//! A post's posture and its history. The history is append-only: a change is a
//! new event with its time, reason and source, never an edit of the past.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{self, Validate, ValidationErrors};
use crate::{PostId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Posture {
    Open,
    ReducedStaff,
    OrderedDeparture,
    Suspended,
    Evacuated,
    Reopened,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown posture; expected one of open, reduced_staff, ordered_departure, suspended, evacuated, reopened"
)]
pub struct UnknownPosture;

impl Posture {
    pub const ALL: [Posture; 6] = [
        Self::Open,
        Self::ReducedStaff,
        Self::OrderedDeparture,
        Self::Suspended,
        Self::Evacuated,
        Self::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::ReducedStaff => "reduced_staff",
            Self::OrderedDeparture => "ordered_departure",
            Self::Suspended => "suspended",
            Self::Evacuated => "evacuated",
            Self::Reopened => "reopened",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::ReducedStaff => "Reduced staff",
            Self::OrderedDeparture => "Ordered departure",
            Self::Suspended => "Suspended",
            Self::Evacuated => "Evacuated",
            Self::Reopened => "Reopened",
        }
    }

    /// Whether staff are still working at the post.
    pub fn is_staffed(self) -> bool {
        matches!(
            self,
            Self::Open | Self::ReducedStaff | Self::OrderedDeparture | Self::Reopened
        )
    }

    /// A post can only be reopened after it was suspended or evacuated; any other
    /// move between postures is allowed, since events outrun any tidy sequence.
    pub fn can_follow(self, previous: Option<Posture>) -> bool {
        match (previous, self) {
            (Some(p), n) if p == n => false,
            (p, Self::Reopened) => matches!(p, Some(Self::Suspended | Self::Evacuated)),
            _ => true,
        }
    }
}

impl fmt::Display for Posture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Posture {
    type Err = UnknownPosture;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(UnknownPosture)
    }
}

/// A change of posture as asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostureChange {
    pub posture: Posture,
    /// When the change took effect (may be earlier than when it is recorded).
    pub effective_at: DateTime<Utc>,
    pub reason: String,
    /// Where the information came from: a cable, a press release, a phone call.
    pub source: String,
}

impl Validate for PostureChange {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::text(&mut e, "reason", &self.reason, 500);
        validation::text(&mut e, "source", &self.source, 200);
        e.into_result()
    }
}

/// A recorded posture change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostureEvent {
    pub post_id: PostId,
    pub posture: Posture,
    pub effective_at: DateTime<Utc>,
    pub reason: String,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_needs_a_closure_first() {
        assert!(!Posture::Reopened.can_follow(Some(Posture::Open)));
        assert!(!Posture::Reopened.can_follow(None));
        assert!(Posture::Reopened.can_follow(Some(Posture::Evacuated)));
        assert!(Posture::Evacuated.can_follow(Some(Posture::Open)));
        assert!(!Posture::Open.can_follow(Some(Posture::Open)));
    }

    #[test]
    fn text_round_trips() {
        for p in Posture::ALL {
            assert_eq!(p.as_str().parse::<Posture>().unwrap(), p);
        }
        assert!("closed".parse::<Posture>().is_err());
    }
}
