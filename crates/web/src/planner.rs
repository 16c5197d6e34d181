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
    let earliest_departure =
        now + TimeDelta::hours(i64::from(settings.min_hours_before_departure) + 1);
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
    // Called forward without a place on record (only possible in data made
    // before plans) cannot be kept anywhere: left alone unless released.
    let open: Vec<&Case> = (input.cases.iter())
        .filter(|c| !kept(c) && c.scheme_id.is_some() && c.status != CaseStatus::CheckedIn)
        .filter(|c| c.status != CaseStatus::CalledForward || settings.release_called_forward)
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
                .filter(|s| m.accepts(s))
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
    let solution =
        planning::solve(&problem, &options).map_err(|e| PlanError::Planner(e.to_string()))?;

    let by_id: HashMap<String, &Household> =
        households.iter().map(|h| (h.case.to_string(), h)).collect();
    let mut placed: Vec<PlanAssignment> = Vec::with_capacity(solution.plan.assignments.len());
    for a in &solution.plan.assignments {
        let h = by_id[&a.group];
        let slot = a
            .slot
            .as_deref()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok());
        let (Some(slot), Ok(movement)) = (slot, a.flight.parse::<MovementId>()) else {
            return Err(PlanError::Planner(
                "the planner answered an unreadable slot".into(),
            ));
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
        .and_then(|p| (points.iter()).find(|a| a.provinces.iter().any(|q| q.to_lowercase() == p)))
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
                max_principals: s
                    .quota_principals
                    .map(|q| (i64::from(q) - kept.len() as i64).max(0)),
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
    let values: HashMap<CaseId, i64> = placed
        .iter()
        .map(|a| (a.case_id, valuation.worth(a)))
        .collect();
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
                let w = problem
                    .weights
                    .get(&g.tier.to_string())
                    .copied()
                    .unwrap_or(1);
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
        let w = self
            .weight
            .get(&a.case_id.to_string())
            .copied()
            .unwrap_or(1);
        let h = self
            .hours
            .get(&a.movement_id.to_string())
            .copied()
            .unwrap_or(0);
        i64::from(a.persons) * w * h
    }
}

fn ceil_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = t
        .with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .unwrap_or(t);
    if floor == t {
        t
    } else {
        floor + TimeDelta::hours(1)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::movement::{Movement, MovementKind};
    use domain::person::{Person, PersonDetails, Relationship};
    use domain::plan::AssemblyPoint as Point;
    use domain::scheme::Scheme;
    use domain::{OperationId, PersonId, SchemeId};

    fn op() -> OperationId {
        OperationId::parse("kabul-2021").unwrap()
    }

    fn person() -> Person {
        Person {
            id: PersonId::new(),
            details: PersonDetails::named(Relationship::Principal, "Nabi"),
        }
    }

    fn case(scheme: SchemeId, status: CaseStatus, size: usize) -> Case {
        Case {
            id: CaseId::new(),
            operation_id: op(),
            reference: "AF-000001".into(),
            status,
            scheme_id: Some(scheme),
            tier: Some(2),
            tier_overridden: false,
            special_needs: None,
            language: None,
            follow_up: None,
            source: "test".into(),
            members: (0..size).map(|_| person()).collect(),
            movement_id: None,
            processing_slot: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn movement(scheme: SchemeId, hours: i64, seats: u32) -> Movement {
        Movement {
            id: MovementId::new(),
            operation_id: op(),
            kind: MovementKind::Flight,
            designator: "FIN 1".into(),
            nation: "FIN".into(),
            origin: "Kabul".into(),
            destination: "Helsinki".into(),
            departs_at: ceil_hour(Utc::now()) + TimeDelta::hours(hours),
            seats,
            status: MovementStatus::Planned,
            accepts_schemes: vec![scheme],
            shared_with: vec![],
        }
    }

    fn input(
        cases: Vec<Case>,
        movements: Vec<Movement>,
        scheme: SchemeId,
        per_hour: u32,
    ) -> PlanningInput {
        PlanningInput {
            cases,
            movements,
            schemes: vec![Scheme {
                id: scheme,
                operation_id: op(),
                code: "FIN-130".into(),
                name: "Finnish quota".into(),
                nation: "FIN".into(),
                description: String::new(),
                quota_principals: None,
                quota_persons: None,
                movement_nations: vec![],
            }],
            assembly_points: vec![Point {
                id: AssemblyPointId::new(),
                operation_id: op(),
                name: "Abbey Gate".into(),
                persons_per_hour: per_hour,
                provinces: vec![],
            }],
        }
    }

    fn quick() -> PlanSettings {
        PlanSettings {
            time_budget_seconds: 2,
            ..PlanSettings::default()
        }
    }

    #[test]
    fn called_forward_households_keep_their_place_and_their_gate_hour() {
        let scheme = SchemeId::new();
        let flight = movement(scheme, 10, 20);
        let mut called = case(scheme, CaseStatus::CalledForward, 4);
        called.movement_id = Some(flight.id);
        // Its promised hour is the only hour every new household could use
        // at a gate that takes 5 an hour... so nobody else fits in it.
        let promised = flight.departs_at - TimeDelta::hours(4);
        called.processing_slot = Some(promised);
        let waiting: Vec<Case> = (0..6)
            .map(|_| case(scheme, CaseStatus::Eligible, 3))
            .collect();
        let mut cases = vec![called.clone()];
        cases.extend(waiting);
        let now = Utc::now();
        let plan = propose(
            &input(cases.clone(), vec![flight.clone()], scheme, 5),
            &quick(),
            now,
        )
        .unwrap();
        let kept = plan
            .assignments
            .iter()
            .find(|a| a.case_id == called.id)
            .unwrap();
        assert!(kept.pinned);
        assert_eq!((kept.movement_id, kept.slot), (flight.id, promised));
        let in_promised_hour: u32 = (plan.assignments.iter())
            .filter(|a| a.slot == promised)
            .map(|a| a.persons)
            .sum();
        assert!(
            in_promised_hour <= 5,
            "the gate hour is not overfilled: {in_promised_hour}"
        );
        let mut seats: u32 = plan.assignments.iter().map(|a| a.seats).sum();
        assert!(seats <= 20, "{seats}");
        // Released, the household may be planned like any other.
        let released = PlanSettings {
            release_called_forward: true,
            ..quick()
        };
        let plan = propose(&input(cases, vec![flight], scheme, 5), &released, now).unwrap();
        assert!(plan.assignments.iter().all(|a| !a.pinned));
        seats = plan.assignments.iter().map(|a| a.seats).sum();
        assert!(seats <= 20);
    }

    #[test]
    fn no_household_goes_on_a_movement_that_does_not_take_its_scheme_or_has_left() {
        let (fin, nor) = (SchemeId::new(), SchemeId::new());
        let gone = movement(fin, -1, 50);
        let other = movement(nor, 10, 50);
        let cases = vec![case(fin, CaseStatus::Eligible, 2)];
        let plan = propose(
            &input(cases, vec![gone, other], fin, 100),
            &quick(),
            Utc::now(),
        )
        .unwrap();
        assert!(plan.assignments.is_empty());
    }

    #[test]
    fn lap_infants_need_no_seat() {
        let scheme = SchemeId::new();
        let mut c = case(scheme, CaseStatus::Eligible, 2);
        c.members[1].details.date_of_birth = Some(domain::dates::DateOfBirth::gregorian(
            Utc::now().date_naive() - TimeDelta::days(200),
        ));
        assert_eq!(counts(&c, Utc::now().date_naive()), (2, 1));
    }
}
