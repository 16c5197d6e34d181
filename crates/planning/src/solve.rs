//! The solver's entry point: greedy baseline, constructions, local search, best of all.

use std::time::{Duration, Instant};

use crate::binpack::{Candidates, Packer};
use crate::improve::Search;
use crate::model::Model;
use crate::state::{NONE, State};
use crate::{Assignment, Error, Plan, Problem, greedy::greedy_state};

/// Limits on the search. The result depends only on the input and these options, except
/// when `time_budget` cuts a search short (then it is the best plan found so far).
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-time cap for the whole solve, a safety net: default runs finish well inside it.
    pub time_budget: Duration,
    /// Maximum local-search passes over all households per search.
    pub max_passes: usize,
    /// Worker threads (each runs its own deterministic search; the best plan wins).
    pub threads: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_budget: Duration::from_secs(25),
            max_passes: 50,
            threads: 2,
        }
    }
}

/// Figures about a solve.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub objective: i64,
    pub greedy_objective: i64,
    pub groups_assigned: usize,
    pub model_ms: u128,
    pub greedy_ms: u128,
    pub search_ms: u128,
    /// Objective of each search (construction → after local search), in worker order.
    pub searches: Vec<(i64, i64)>,
}

/// A plan and how it was reached.
#[derive(Debug, Clone)]
pub struct Solution {
    pub plan: Plan,
    pub stats: Stats,
}

fn to_plan(m: &Model, st: &State) -> Plan {
    let assignments = (0..m.n_groups())
        .filter(|&g| st.flight_of[g] != NONE)
        .map(|g| Assignment {
            group: m.group_ids[g].clone(),
            flight: m.flight_ids[st.flight_of[g] as usize].clone(),
            slot: m.has_processing.then(|| m.slot_string(st.slot_of[g])),
        })
        .collect();
    Plan { assignments }
}

/// The greedy baseline plan alone.
pub fn greedy(problem: &Problem) -> Result<Plan, Error> {
    let m = Model::build(problem)?;
    Ok(to_plan(&m, &greedy_state(&m)))
}

/// One search strategy: a construction order and slot rule, then local search.
#[derive(Clone, Copy)]
enum Strategy {
    /// Start from the greedy plan itself (so the search can only improve on it).
    FromGreedy,
    /// Fresh construction by value per gate person, best-fit slots.
    ByValue,
}

fn run(
    m: &Model,
    cands: &Candidates,
    greedy: &State,
    strategy: Strategy,
    opts: &SolveOptions,
    deadline: Instant,
) -> (State, i64) {
    // Households most worth placing first: value per person on their best option, then size.
    let mut order: Vec<usize> = (0..m.n_groups()).collect();
    let best_rate = |g: usize| {
        m.options(g)
            .first()
            .map_or(0, |o| m.weight[g] * m.flight_hours[o.flight as usize])
    };
    order.sort_by_key(|&g| {
        (
            std::cmp::Reverse(best_rate(g)),
            std::cmp::Reverse(m.persons[g]),
            m.seats[g],
            g,
        )
    });
    let (mut search, start) = match strategy {
        Strategy::FromGreedy => (
            Search::new(m, greedy.clone(), Some(deadline)),
            greedy.objective,
        ),
        Strategy::ByValue => {
            let mut s = Search::new(m, State::new(m), Some(deadline));
            s.construct(&order);
            let o = s.st.objective;
            (s, o)
        }
    };
    // Alternate exact gate-hour repacking with household moves until neither gains.
    let mut packer = Packer::default();
    for _ in 0..opts.max_passes {
        let mut gained = 0;
        'bins: for ap in 0..m.ap_cap.len() {
            for t in 0..m.n_slots as u32 {
                if search.out_of_time() {
                    break 'bins;
                }
                gained += packer.repack(&mut search, cands, ap, t);
            }
        }
        gained += search.pass(&order);
        if gained == 0 || search.out_of_time() {
            break;
        }
    }
    (search.st, start)
}

/// Plans `problem`: never worse than the greedy baseline, every rule kept.
pub fn solve(problem: &Problem, opts: &SolveOptions) -> Result<Solution, Error> {
    let t0 = Instant::now();
    let deadline = t0 + opts.time_budget;
    let m = Model::build(problem)?;
    let t1 = Instant::now();
    let greedy = greedy_state(&m);
    let cands = Candidates::new(&m);
    let t2 = Instant::now();
    let strategies = [Strategy::FromGreedy, Strategy::ByValue];
    let results: Vec<(State, i64)> = if opts.threads >= 2 {
        std::thread::scope(|s| {
            let handles: Vec<_> = strategies
                .iter()
                .map(|&k| {
                    let (m, greedy, cands) = (&m, &greedy, &cands);
                    s.spawn(move || run(m, cands, greedy, k, opts, deadline))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("search thread panicked"))
                .collect()
        })
    } else {
        strategies
            .iter()
            .map(|&k| run(&m, &cands, &greedy, k, opts, deadline))
            .collect()
    };
    let t3 = Instant::now();
    let mut stats = Stats {
        greedy_objective: greedy.objective,
        model_ms: (t1 - t0).as_millis(),
        greedy_ms: (t2 - t1).as_millis(),
        search_ms: (t3 - t2).as_millis(),
        searches: results
            .iter()
            .map(|(s, start)| (*start, s.objective))
            .collect(),
        ..Stats::default()
    };
    // First best wins ties, so the choice is deterministic; greedy is the floor.
    let mut best = &greedy;
    for (s, _) in &results {
        if s.objective > best.objective {
            best = s;
        }
    }
    stats.objective = best.objective;
    stats.groups_assigned = best.flight_of.iter().filter(|&&f| f != NONE).count();
    Ok(Solution {
        plan: to_plan(&m, best),
        stats,
    })
}
