//! The planner in the server: an operation's ready households, movements and
//! assembly points as a `planning::Problem` (FORMAT.md), solved, and the
//! answer as plan assignments.
//!
//! Households already called forward stay where they are unless released:
//! they are left out of the problem, their seats taken off their movement,
//! and afterwards any gate hour their persons would overfill is relieved by
//! taking the least valuable new households out of it. The formats' gate
//! capacity is one figure per point, so this repair is how the planner
//! honours hours already promised.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use domain::movement::MovementStatus;
use domain::plan::{PlanAssignment, PlanSettings};
use domain::validation::ValidationErrors;
use domain::{AssemblyPointId, Case, CaseId, CaseStatus, MovementId};
use planning::{AssemblyPoint, Flight, Group, Problem, Processing, Quota, SolveOptions};
use store::PlanningInput;

/// The weights of FORMAT.md: tier 1 counts eight times tier 4.
const WEIGHTS: [(u8, i64); 4] = [(1, 8), (2, 4), (3, 2), (4, 1)];

#[derive(Debug, Clone)]
pub struct Proposal {
    pub assignments: Vec<PlanAssignment>,
    pub objective: i64,
    pub greedy_objective: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the planning input is not valid")]
    Invalid(ValidationErrors),
    #[error("the planner failed: {0}")]
    Planner(String),
}

/// A household as the planner counts it.
struct Household {
    case: CaseId,
    persons: u32,
    seats: u32,
    point: AssemblyPointId,
}

/// Plans `input` as of `now`.
pub fn propose(
    input: &PlanningInput,
    settings: &PlanSettings,
    now: DateTime<Utc>,
) -> Result<Proposal, PlanError> {
    if input.assembly_points.is_empty() {
        return Err(PlanError::Invalid(ValidationErrors::single(
            "assembly_points",
            "required",
            "the operation has no assembly point; add one with its hourly throughput first",
        )));
    }
    let today = now.date_naive();
    let ready = ceil_hour(now);
    let earliest_departure = now + TimeDelta::hours(i64::from(settings.min_hours_before_departure) + 1);
    let movements: Vec<_> = (input.movements.iter())
        .filter(|m| matches!(m.status, MovementStatus::Planned | MovementStatus::Boarding))
        .filter(|m| m.departs_at >= earliest_departure)
        .collect();
    let kept = |c: &Case| {
        c.movement_id.is_some()
            && c.processing_slot.is_some()
            && (c.status == CaseStatus::CheckedIn
                || (c.status == CaseStatus::CalledForward && !settings.release_called_forward))
    };
    let pinned: Vec<PlanAssignment> = (input.cases.iter())
        .filter(|c| kept(c))
        .filter_map(|c| {
            let (persons, seats) = counts(c, today);
            Some(PlanAssignment {
                case_id: c.id,
                movement_id: c.movement_id?,
                slot: c.processing_slot?,
                pinned: true,
                persons,
                seats,
            })
        })
        .collect();
    let open: Vec<&Case> = (input.cases.iter())
        .filter(|c| !kept(c) && c.scheme_id.is_some() && c.status != CaseStatus::CheckedIn)
        .collect();

    let mut seats_taken: HashMap<MovementId, i64> = HashMap::new();
    for p in &pinned {
        *seats_taken.entry(p.movement_id).or_default() += i64::from(p.seats);
    }
    let flights: Vec<Flight> = (movements.iter())
        .map(|m| Flight {
            id: m.id.to_string(),
            seats: (i64::from(m.seats) - seats_taken.get(&m.id).copied().unwrap_or(0)).max(0),
            departs_at: stamp(m.departs_at),
            accepts: (input.schemes.iter())
                .filter(|s| m.accepts_schemes.contains(&s.id) || s.movement_nations.contains(&m.nation))
                .map(|s| s.id.to_string())
                .collect(),
        })
        .collect();
    let horizon_end = movements
        .iter()
        .map(|m| m.departs_at)
        .max()
        .map_or(now, |t| t + TimeDelta::days(1));

    let points: Vec<AssemblyPoint> = (input.assembly_points.iter())
        .map(|a| AssemblyPoint {
            id: a.id.to_string(),
            persons_per_hour: i64::from(a.persons_per_hour),
        })
        .collect();
    let households: Vec<Household> = (open.iter())
        .map(|c| {
            let (persons, seats) = counts(c, today);
            Household {
                case: c.id,
                persons,
                seats,
                point: point_for(input, c),
            }
        })
        .collect();
    let groups: Vec<Group> = (open.iter().zip(&households))
        .map(|(c, h)| Group {
            id: c.id.to_string(),
            persons: i64::from(h.persons),
            seats: i64::from(h.seats),
            tier: i64::from(c.tier.unwrap_or(4).clamp(1, 4)),
            scheme: c.scheme_id.map(|s| s.to_string()).unwrap_or_default(),
            ready_at: stamp(ready),
            assembly: Some(h.point.to_string()),
        })
        .collect();
    let quotas = quotas(input, &pinned);
    let problem = Problem {
        horizon_end: stamp(horizon_end),
        weights: WEIGHTS.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
        groups,
        flights,
        assembly_points: Some(points),
        processing: Some(Processing {
            min_hours_before_departure: i64::from(settings.min_hours_before_departure),
            max_hours_before_departure: i64::from(settings.max_hours_before_departure),
        }),
        quotas,
    };
    let options = SolveOptions {
        time_budget: Duration::from_secs(settings.time_budget_seconds.into()),
        ..SolveOptions::default()
    };
    let solution = planning::solve(&problem, &options).map_err(|e| PlanError::Planner(e.to_string()))?;

    let by_id: HashMap<String, &Household> =
        households.iter().map(|h| (h.case.to_string(), h)).collect();
    let mut placed: Vec<PlanAssignment> = Vec::with_capacity(solution.plan.assignments.len());
    for a in &solution.plan.assignments {
        let h = by_id[&a.group];
        let slot = a.slot.as_deref().and_then(|s| s.parse::<DateTime<Utc>>().ok());
        let (Some(slot), Ok(movement)) = (slot, a.flight.parse::<MovementId>()) else {
            return Err(PlanError::Planner("the planner answered an unreadable slot".into()));
        };
        placed.push(PlanAssignment {
            case_id: h.case,
            movement_id: movement,
            slot,
            pinned: false,
            persons: h.persons,
            seats: h.seats,
        });
    }
    relieve_promised_hours(input, &households, &pinned, &mut placed, &problem);
    let valuation = Valuation::new(&problem);
    let objective = placed.iter().map(|a| valuation.worth(a)).sum();
    placed.extend(pinned);
    Ok(Proposal {
        assignments: placed,
        objective,
        greedy_objective: solution.stats.greedy_objective,
    })
}

/// Persons, and seats: everyone but lap infants (under two) needs one.
fn counts(case: &Case, today: NaiveDate) -> (u32, u32) {
    let household = eligibility::household(case, today);
    let persons = case.members.len().max(1) as u32;
    let infants = std::iter::once(&household.principal)
        .chain(&household.members)
        .filter(|f| f.age.is_some_and(|a| a < 2))
        .count() as u32;
    (persons, persons.saturating_sub(infants).max(1))
}

/// The point serving the principal's province, or the first point.
fn point_for(input: &PlanningInput, case: &Case) -> AssemblyPointId {
    assembly_point_for(&input.assembly_points, case)
        .unwrap_or(&input.assembly_points[0])
        .id
}

/// The point serving the household's principal's province, or the first
/// point (by name) for everyone else; none when the operation has none.
pub(crate) fn assembly_point_for<'a>(
    points: &'a [domain::plan::AssemblyPoint],
    case: &Case,
) -> Option<&'a domain::plan::AssemblyPoint> {
    let province = case
        .principal()
        .or(case.members.first())
        .and_then(|p| p.details.province.as_deref())
        .map(str::to_lowercase);
    province
        .and_then(|p| {
            (points.iter()).find(|a| a.provinces.iter().any(|q| q.to_lowercase() == p))
        })
        .or(points.first())
}

/// Scheme quotas less what kept households already use.
fn quotas(input: &PlanningInput, pinned: &[PlanAssignment]) -> Vec<Quota> {
    let scheme_of: HashMap<CaseId, _> = input.cases.iter().map(|c| (c.id, c.scheme_id)).collect();
    (input.schemes.iter())
        .filter(|s| s.quota_principals.is_some() || s.quota_persons.is_some())
        .map(|s| {
            let kept: Vec<&PlanAssignment> = (pinned.iter())
                .filter(|p| scheme_of.get(&p.case_id).copied().flatten() == Some(s.id))
                .collect();
            let persons: i64 = kept.iter().map(|p| i64::from(p.persons)).sum();
            Quota {
                scheme: s.id.to_string(),
                max_principals: s.quota_principals.map(|q| (i64::from(q) - kept.len() as i64).max(0)),
                max_persons: s.quota_persons.map(|q| (i64::from(q) - persons).max(0)),
            }
        })
        .collect()
}

/// Takes the least valuable new households out of any gate hour that the
/// kept households' promised hours would overfill.
fn relieve_promised_hours(
    input: &PlanningInput,
    households: &[Household],
    pinned: &[PlanAssignment],
    placed: &mut Vec<PlanAssignment>,
    problem: &Problem,
) {
    let point_of_case: HashMap<CaseId, AssemblyPointId> = (input.cases.iter())
        .map(|c| (c.id, point_for(input, c)))
        .chain(households.iter().map(|h| (h.case, h.point)))
        .collect();
    let capacity: HashMap<AssemblyPointId, u32> = (input.assembly_points.iter())
        .map(|a| (a.id, a.persons_per_hour))
        .collect();
    let mut load: BTreeMap<(AssemblyPointId, DateTime<Utc>), u32> = BTreeMap::new();
    for a in pinned.iter().chain(placed.iter()) {
        *load.entry((point_of_case[&a.case_id], a.slot)).or_default() += a.persons;
    }
    let valuation = Valuation::new(problem);
    let values: HashMap<CaseId, i64> =
        placed.iter().map(|a| (a.case_id, valuation.worth(a))).collect();
    for ((point, slot), total) in load {
        let cap = capacity[&point];
        if total <= cap {
            continue;
        }
        let mut over = total - cap;
        let mut in_bin: Vec<usize> = (0..placed.len())
            .filter(|&i| point_of_case[&placed[i].case_id] == point && placed[i].slot == slot)
            .collect();
        in_bin.sort_by_key(|&i| values[&placed[i].case_id]);
        let mut drop = Vec::new();
        for i in in_bin {
            if over == 0 {
                break;
            }
            over = over.saturating_sub(placed[i].persons);
            drop.push(placed[i].case_id);
        }
        placed.retain(|a| !drop.contains(&a.case_id));
    }
}

/// What each placed household is worth: persons × tier weight × hours
/// saved (FORMAT.md's objective).
struct Valuation {
    weight: HashMap<String, i64>,
    hours: HashMap<String, i64>,
}

impl Valuation {
    fn new(problem: &Problem) -> Self {
        let end = problem.horizon_end.parse::<DateTime<Utc>>().ok();
        let weight = (problem.groups.iter())
            .map(|g| {
                let w = problem.weights.get(&g.tier.to_string()).copied().unwrap_or(1);
                (g.id.clone(), w)
            })
            .collect();
        let hours = (problem.flights.iter())
            .map(|f| {
                let departs = f.departs_at.parse::<DateTime<Utc>>().ok();
                let h = match (departs, end) {
                    (Some(d), Some(e)) => (e - d).num_hours().max(0),
                    _ => 0,
                };
                (f.id.clone(), h)
            })
            .collect();
        Self { weight, hours }
    }

    fn worth(&self, a: &PlanAssignment) -> i64 {
        let w = self.weight.get(&a.case_id.to_string()).copied().unwrap_or(1);
        let h = self.hours.get(&a.movement_id.to_string()).copied().unwrap_or(0);
        i64::from(a.persons) * w * h
    }
}

fn ceil_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = t
        .with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .unwrap_or(t);
    if floor == t { t } else { floor + TimeDelta::hours(1) }
}

/// FORMAT.md's timestamps: exactly `YYYY-MM-DDTHH:MM:SSZ`.
fn stamp(t: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
