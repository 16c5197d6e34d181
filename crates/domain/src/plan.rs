//! Assembly points and plans: which household goes on which movement, and in
//! which hour it is processed at its assembly point. The planner proposes, an
//! officer sees what changes against the approved plan, and approves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{self, Validate, ValidationErrors};
use crate::{AssemblyPointId, CaseId, MovementId, OperationId, PlanId, UserId};

/// Where households are processed before their movement. The gates' hourly
/// throughput, not the seats, is what binds on busy days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssemblyPoint {
    pub id: AssemblyPointId,
    pub operation_id: OperationId,
    pub name: String,
    pub persons_per_hour: u32,
    /// Provinces whose households come here; the first point by name takes
    /// households from everywhere else.
    pub provinces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAssemblyPoint {
    pub name: String,
    pub persons_per_hour: u32,
    #[serde(default)]
    pub provinces: Vec<String>,
}

/// A gate cannot process more than this in an hour; above it is a typing error.
pub const MAX_PERSONS_PER_HOUR: u32 = 10_000;

impl Validate for NewAssemblyPoint {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::text(&mut e, "name", &self.name, 100);
        if !(1..=MAX_PERSONS_PER_HOUR).contains(&self.persons_per_hour) {
            e.push(
                "persons_per_hour",
                "throughput_range",
                format!("must be 1 to {MAX_PERSONS_PER_HOUR}"),
            );
        }
        for (i, p) in self.provinces.iter().enumerate() {
            validation::text(&mut e, &format!("provinces[{i}]"), p, 100);
        }
        e.into_result()
    }
}

/// How a plan is made. The defaults are the lead window of the Kabul gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct PlanSettings {
    /// A household is processed at least this many hours before departure.
    pub min_hours_before_departure: u32,
    /// ... and at most this many.
    pub max_hours_before_departure: u32,
    /// Re-plan households already called forward too (after a cancelled
    /// flight, say). By default they stay where they are.
    pub release_called_forward: bool,
    /// How long the planner may search, in seconds.
    pub time_budget_seconds: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            min_hours_before_departure: 3,
            max_hours_before_departure: 12,
            release_called_forward: false,
            time_budget_seconds: 10,
        }
    }
}

impl Validate for PlanSettings {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.min_hours_before_departure > 72 {
            e.push(
                "min_hours_before_departure",
                "hours_range",
                "must be 0 to 72",
            );
        }
        if self.max_hours_before_departure <= self.min_hours_before_departure
            || self.max_hours_before_departure > 96
        {
            e.push(
                "max_hours_before_departure",
                "lead_window",
                "must be more than the minimum and at most 96",
            );
        }
        if !(1..=120).contains(&self.time_budget_seconds) {
            e.push("time_budget_seconds", "budget_range", "must be 1 to 120");
        }
        e.into_result()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Proposed,
    Approved,
    /// A newer plan was approved, or this proposal was replaced.
    Superseded,
}

/// One household's place in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanAssignment {
    pub case_id: CaseId,
    pub movement_id: MovementId,
    /// Start of the hour in which the household is processed at its
    /// assembly point: its call-forward time.
    pub slot: DateTime<Utc>,
    /// Called forward already and kept where it was.
    pub pinned: bool,
    pub persons: u32,
    /// Persons less lap infants.
    pub seats: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub id: PlanId,
    pub operation_id: OperationId,
    pub status: PlanStatus,
    pub settings: PlanSettings,
    /// The planner's objective: people out, weighted by tier and hours saved.
    pub objective: i64,
    /// What the greedy baseline reached on the same problem.
    pub greedy_objective: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub assignments: Vec<PlanAssignment>,
}

/// What approving a plan changes for one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Gets a seat it did not have.
    Added,
    /// Keeps a seat, on another movement or in another hour.
    Moved,
    /// Loses its seat and goes back to waiting.
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChange {
    pub case_id: CaseId,
    pub reference: String,
    pub kind: ChangeKind,
    pub household_size: u32,
    pub from: Option<(MovementId, DateTime<Utc>)>,
    pub to: Option<(MovementId, DateTime<Utc>)>,
}

/// Compares a proposal with the approved places: `current` are the cases
/// holding a seat now, with where they sit.
pub fn changes(
    current: &[(CaseId, MovementId, DateTime<Utc>)],
    proposed: &[PlanAssignment],
) -> Vec<(CaseId, ChangeKind)> {
    use std::collections::HashMap;
    let now: HashMap<CaseId, (MovementId, DateTime<Utc>)> =
        current.iter().map(|(c, m, t)| (*c, (*m, *t))).collect();
    let mut out: Vec<(CaseId, ChangeKind)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for a in proposed {
        seen.insert(a.case_id);
        match now.get(&a.case_id) {
            None => out.push((a.case_id, ChangeKind::Added)),
            Some(&(m, t)) if (m, t) != (a.movement_id, a.slot) => {
                out.push((a.case_id, ChangeKind::Moved));
            }
            Some(_) => {}
        }
    }
    for (c, _, _) in current {
        if !seen.contains(c) {
            out.push((*c, ChangeKind::Dropped));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_who_is_added_moved_dropped_and_leave_the_rest() {
        let t = |h: i64| DateTime::from_timestamp(h * 3600, 0).unwrap();
        let (f1, f2) = (MovementId::new(), MovementId::new());
        let (kept, moved, dropped, added) =
            (CaseId::new(), CaseId::new(), CaseId::new(), CaseId::new());
        let current = [(kept, f1, t(1)), (moved, f1, t(1)), (dropped, f2, t(2))];
        let seat = |c, m, h| PlanAssignment {
            case_id: c,
            movement_id: m,
            slot: t(h),
            pinned: false,
            persons: 1,
            seats: 1,
        };
        let proposed = [seat(kept, f1, 1), seat(moved, f1, 2), seat(added, f2, 3)];
        let mut got = changes(&current, &proposed);
        got.sort_by_key(|(c, _)| *c);
        let mut want = vec![
            (moved, ChangeKind::Moved),
            (added, ChangeKind::Added),
            (dropped, ChangeKind::Dropped),
        ];
        want.sort_by_key(|(c, _)| *c);
        assert_eq!(got, want);
    }

    #[test]
    fn settings_need_a_real_window() {
        let s = PlanSettings {
            min_hours_before_departure: 5,
            max_hours_before_departure: 5,
            ..PlanSettings::default()
        };
        assert_eq!(
            s.validate().unwrap_err().0[0].field,
            "max_hours_before_departure"
        );
        assert!(PlanSettings::default().validate().is_ok());
    }
}
