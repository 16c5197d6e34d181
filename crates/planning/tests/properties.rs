//! Properties on generated small problems: every plan the solver returns passes the
//! independent validator, never scores below the greedy baseline, and is deterministic.

use planning::{AssemblyPoint, Flight, Group, Problem, Processing, Quota, SolveOptions};
use proptest::prelude::*;

fn ts(hour: i64, minute: i64) -> String {
    // 2021-08-17T00:00:00Z plus `hour` hours and `minute` minutes (hour < 14 days).
    let day = 17 + hour / 24;
    format!("2021-08-{day:02}T{:02}:{minute:02}:00Z", hour % 24)
}

prop_compose! {
    fn group(i: usize, n_ap: usize)(persons in 1i64..=12, infants in 0i64..=2, tier in 1i64..=4,
        scheme in 0usize..3, ready in 0i64..300, quarter in 0i64..4, ap in 0..n_ap) -> Group {
        Group {
            id: format!("G{i}"),
            persons,
            seats: (persons - infants).max(1),
            tier,
            scheme: ["US-SIV", "DE-LES", "NO-CIT"][scheme].into(),
            ready_at: ts(ready, quarter * 15),
            assembly: Some(format!("A{ap}")),
        }
    }
}

prop_compose! {
    fn flight(i: usize)(seats in 0i64..60, dep in 6i64..330, minute in 0i64..12,
        accepts in proptest::sample::subsequence(vec!["US-SIV", "DE-LES", "NO-CIT"], 1..=3)) -> Flight {
        Flight {
            id: format!("F{i}"),
            seats,
            departs_at: ts(dep, minute * 5),
            accepts: accepts.into_iter().map(String::from).collect(),
        }
    }
}

fn problem() -> impl Strategy<Value = Problem> {
    (
        1usize..=3,
        1usize..=40,
        1usize..=8,
        any::<bool>(),
        12i64..40,
        any::<bool>(),
    )
        .prop_flat_map(|(n_ap, n_g, n_f, processing, cap, quota)| {
            let groups: Vec<_> = (0..n_g).map(|i| group(i, n_ap)).collect();
            let flights: Vec<_> = (0..n_f).map(flight).collect();
            (groups, flights).prop_map(move |(groups, flights)| Problem {
                horizon_end: "2021-08-31T00:00:00Z".into(),
                weights: [("1", 8), ("2", 4), ("3", 2), ("4", 1)]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                groups,
                flights,
                assembly_points: processing.then(|| {
                    (0..n_ap)
                        .map(|a| AssemblyPoint {
                            id: format!("A{a}"),
                            persons_per_hour: cap,
                        })
                        .collect()
                }),
                processing: processing.then_some(Processing {
                    min_hours_before_departure: 3,
                    max_hours_before_departure: 12,
                }),
                quotas: if quota {
                    vec![Quota {
                        scheme: "NO-CIT".into(),
                        max_principals: Some(3),
                        max_persons: Some(10),
                    }]
                } else {
                    Vec::new()
                },
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn solve_is_valid_deterministic_and_never_below_greedy(p in problem()) {
        let opts = SolveOptions::default();
        let sol = planning::solve(&p, &opts).unwrap();
        let score = planning::score(&p, &sol.plan).map_err(|v| TestCaseError::fail(format!("{v:?}")))?;
        prop_assert_eq!(score.objective, sol.stats.objective);
        let greedy = planning::greedy(&p).unwrap();
        let g = planning::score(&p, &greedy).map_err(|v| TestCaseError::fail(format!("{v:?}")))?;
        prop_assert_eq!(g.objective, sol.stats.greedy_objective);
        prop_assert!(score.objective >= g.objective);
        let again = planning::solve(&p, &SolveOptions { threads: 1, ..opts }).unwrap();
        prop_assert_eq!(again.plan, sol.plan);
    }
}
