//! Typed errors: reading/writing failures, invalid instances, and plan violations.

use std::fmt;

/// Why a problem or plan could not be read, written or used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid instance: {0}")]
    Instance(String),
}

/// The feasibility rule of FORMAT.md that an assignment breaks (the number is the rule's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// 0: the instance itself is unreadable or inconsistent.
    Instance = 0,
    /// 1: known group and flight, the right keys, a group at most once.
    Identity = 1,
    /// 2: the flight accepts the group's scheme.
    Scheme = 2,
    /// 3: slot on a whole hour not before the ready time (or ready before departure).
    Ready = 3,
    /// 4: the processing hour lies inside the lead window.
    LeadWindow = 4,
    /// 5: seats on a flight.
    Seats = 5,
    /// 6: persons per assembly point and hour.
    GateThroughput = 6,
    /// 7: quota principals / persons.
    Quota = 7,
}

/// One broken rule, naming what it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {}: {message}", *rule as u8)]
pub struct Violation {
    pub rule: Rule,
    /// Index of the offending entry in `Plan::assignments`, when the violation is about one entry.
    pub assignment: Option<usize>,
    pub group: Option<String>,
    pub flight: Option<String>,
    pub assembly_point: Option<String>,
    /// The slot hour (`YYYY-MM-DDTHH:00:00Z`) concerned, for gate and window rules.
    pub slot: Option<String>,
    pub scheme: Option<String>,
    pub message: String,
}

impl Violation {
    pub(crate) fn new(rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            rule,
            assignment: None,
            group: None,
            flight: None,
            assembly_point: None,
            slot: None,
            scheme: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", *self as u8)
    }
}
