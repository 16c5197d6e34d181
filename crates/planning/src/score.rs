//! An independent validator and scorer: re-derives every rule of FORMAT.md straight from
//! the `Problem` and `Plan` (it does not use the solver's model), so it can check the
//! solver's output and plans from anywhere else.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Rule, Violation};
use crate::time::{self, HOUR};
use crate::{Plan, Problem};

/// What a valid plan achieves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Score {
    /// Σ persons · weight(tier) · hours saved, as FORMAT.md defines it.
    pub objective: i64,
    pub groups_assigned: usize,
    pub persons_evacuated: i64,
    pub seats_used: i64,
    pub seats_total: i64,
    /// Tier → persons evacuated.
    pub persons_by_tier: BTreeMap<i64, i64>,
    pub groups_on_zero_value_flights: usize,
    /// Highest load / capacity over all (assembly point, hour); 0 without processing.
    pub peak_gate_load_ratio: f64,
}

fn instance_violation(msg: String) -> Vec<Violation> {
    vec![Violation::new(Rule::Instance, msg)]
}

/// Checks `plan` against every rule; returns its score or every violation found.
pub fn score(problem: &Problem, plan: &Plan) -> Result<Score, Vec<Violation>> {
    let parse = |s: &str, what: &str| {
        time::parse(s).ok_or_else(|| instance_violation(format!("{what}: bad timestamp {s:?}")))
    };
    let horizon = parse(&problem.horizon_end, "horizon_end")?;
    let mut weights = HashMap::new();
    for (k, &w) in &problem.weights {
        let tier: i64 = k
            .parse()
            .map_err(|_| instance_violation(format!("weights key {k:?} is not a tier")))?;
        weights.insert(tier, w);
    }
    let proc = match (&problem.assembly_points, &problem.processing) {
        (Some(aps), Some(pr)) => Some((aps, pr)),
        _ => None,
    };
    let caps: HashMap<&str, i64> = proc
        .map(|(aps, _)| {
            aps.iter()
                .map(|a| (a.id.as_str(), a.persons_per_hour))
                .collect()
        })
        .unwrap_or_default();
    let groups: HashMap<&str, &crate::Group> =
        problem.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut ready = HashMap::new();
    for g in &problem.groups {
        if !weights.contains_key(&g.tier) {
            return Err(instance_violation(format!(
                "group {}: tier {} has no weight",
                g.id, g.tier
            )));
        }
        ready.insert(
            g.id.as_str(),
            parse(&g.ready_at, &format!("group {} ready_at", g.id))?,
        );
    }
    let flights: HashMap<&str, &crate::Flight> =
        problem.flights.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut dep = HashMap::new();
    for f in &problem.flights {
        dep.insert(
            f.id.as_str(),
            parse(&f.departs_at, &format!("flight {} departs_at", f.id))?,
        );
    }

    let mut v = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut seats_on: HashMap<&str, i64> = HashMap::new();
    let mut gate: BTreeMap<(&str, i64), i64> = BTreeMap::new();
    let mut quota_use: HashMap<&str, (i64, i64)> = HashMap::new();
    let mut sc = Score::default();
    for (i, a) in plan.assignments.iter().enumerate() {
        let at = |rule: Rule, msg: String| {
            let mut x = Violation::new(rule, msg);
            x.assignment = Some(i);
            x.group = Some(a.group.clone());
            x.flight = Some(a.flight.clone());
            x.slot = a.slot.clone();
            x
        };
        let (Some(g), Some(f)) = (groups.get(a.group.as_str()), flights.get(a.flight.as_str()))
        else {
            v.push(at(
                Rule::Identity,
                format!("unknown group {:?} or flight {:?}", a.group, a.flight),
            ));
            continue;
        };
        if let Some(prev) = seen.insert(g.id.as_str(), i) {
            v.push(at(
                Rule::Identity,
                format!(
                    "group {} assigned again (first in assignment #{prev})",
                    g.id
                ),
            ));
            continue;
        }
        if !f.accepts.contains(&g.scheme) {
            v.push(at(
                Rule::Scheme,
                format!("flight {} does not accept scheme {}", f.id, g.scheme),
            ));
        }
        let d = dep[f.id.as_str()];
        let r = ready[g.id.as_str()];
        match (proc, &a.slot) {
            (Some((_, pr)), Some(slot)) => {
                let Some(s) = time::parse(slot) else {
                    v.push(at(Rule::Ready, format!("slot {slot:?} is not a timestamp")));
                    continue;
                };
                if s % HOUR != 0 {
                    v.push(at(Rule::Ready, format!("slot {slot} is not a whole hour")));
                } else if s < time::ceil_hour(r) * HOUR {
                    v.push(at(
                        Rule::Ready,
                        format!("slot {slot} is before ready_at {} rounded up", g.ready_at),
                    ));
                }
                if s < d - pr.max_hours_before_departure * HOUR
                    || s + HOUR > d - pr.min_hours_before_departure * HOUR
                {
                    v.push(at(
                        Rule::LeadWindow,
                        format!("slot {slot} outside the lead window of flight {}", f.id),
                    ));
                }
                let ap = g.assembly.as_deref().unwrap_or_default();
                if !caps.contains_key(ap) {
                    return Err(instance_violation(format!(
                        "group {}: unknown assembly point {ap:?}",
                        g.id
                    )));
                }
                *gate.entry((ap, s)).or_default() += g.persons;
            }
            (None, None) => {
                if r > d {
                    v.push(at(
                        Rule::Ready,
                        format!("ready_at {} after departure {}", g.ready_at, f.departs_at),
                    ));
                }
            }
            (Some(_), None) => v.push(at(
                Rule::Identity,
                "missing slot (instance has processing)".into(),
            )),
            (None, Some(_)) => v.push(at(
                Rule::Identity,
                "slot given but instance has no processing".into(),
            )),
        }
        *seats_on.entry(f.id.as_str()).or_default() += g.seats;
        let q = quota_use.entry(g.scheme.as_str()).or_default();
        q.0 += 1;
        q.1 += g.persons;
        let hours = ((horizon - d).div_euclid(HOUR)).max(0);
        sc.objective += g.persons * weights[&g.tier] * hours;
        sc.groups_assigned += 1;
        sc.persons_evacuated += g.persons;
        sc.seats_used += g.seats;
        *sc.persons_by_tier.entry(g.tier).or_default() += g.persons;
        if hours == 0 {
            sc.groups_on_zero_value_flights += 1;
        }
    }
    for f in &problem.flights {
        let used = seats_on.get(f.id.as_str()).copied().unwrap_or(0);
        if used > f.seats {
            let mut x = Violation::new(
                Rule::Seats,
                format!("flight {} has {used} seats assigned > {}", f.id, f.seats),
            );
            x.flight = Some(f.id.clone());
            v.push(x);
        }
        sc.seats_total += f.seats;
    }
    for (&(ap, s), &load) in &gate {
        let cap = caps[ap];
        if load > cap {
            let mut x = Violation::new(
                Rule::GateThroughput,
                format!("assembly point {ap} processes {load} persons > {cap} per hour"),
            );
            x.assembly_point = Some(ap.to_string());
            x.slot = Some(time::format(s));
            v.push(x);
        }
        if cap > 0 {
            sc.peak_gate_load_ratio = sc.peak_gate_load_ratio.max(load as f64 / cap as f64);
        }
    }
    for q in &problem.quotas {
        let (n, p) = quota_use
            .get(q.scheme.as_str())
            .copied()
            .unwrap_or_default();
        let over = q.max_principals.is_some_and(|m| n > m) || q.max_persons.is_some_and(|m| p > m);
        if over {
            let mut x = Violation::new(
                Rule::Quota,
                format!(
                    "scheme {} uses {n} principals / {p} persons, over its quota",
                    q.scheme
                ),
            );
            x.scheme = Some(q.scheme.clone());
            v.push(x);
        }
    }
    if v.is_empty() { Ok(sc) } else { Err(v) }
}
