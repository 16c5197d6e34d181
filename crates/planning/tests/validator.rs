//! The validator names the rule each broken plan violates, and plans round-trip through JSON.

use planning::{Assignment, Plan, Problem, Rule};

const PROBLEM: &str = r#"{"horizon_end":"2021-08-31T00:00:00Z",
 "weights":{"1":8,"2":4,"3":2,"4":1},
 "groups":[{"id":"G1","persons":5,"seats":4,"tier":1,"scheme":"NO-LES","ready_at":"2021-08-20T06:15:00Z","assembly":"A1"},
           {"id":"G2","persons":3,"seats":3,"tier":4,"scheme":"NO-LES","ready_at":"2021-08-20T00:00:00Z","assembly":"A1"},
           {"id":"G3","persons":2,"seats":2,"tier":2,"scheme":"FI-LES","ready_at":"2021-08-20T00:00:00Z","assembly":"A1"}],
 "flights":[{"id":"F1","seats":6,"departs_at":"2021-08-20T14:30:00Z","accepts":["NO-LES","FI-LES"]},
            {"id":"F2","seats":300,"departs_at":"2021-08-21T12:00:00Z","accepts":["US-SIV"]}],
 "assembly_points":[{"id":"A1","persons_per_hour":6}],
 "processing":{"min_hours_before_departure":3,"max_hours_before_departure":12},
 "quotas":[{"scheme":"FI-LES","max_principals":0}]}"#;

fn problem() -> Problem {
    planning::read_problem(PROBLEM.as_bytes()).unwrap()
}

fn a(g: &str, f: &str, slot: Option<&str>) -> Assignment {
    Assignment {
        group: g.into(),
        flight: f.into(),
        slot: slot.map(String::from),
    }
}

fn rules(plan: Vec<Assignment>) -> Vec<Rule> {
    let mut r: Vec<Rule> = planning::score(&problem(), &Plan { assignments: plan })
        .unwrap_err()
        .into_iter()
        .map(|v| v.rule)
        .collect();
    r.sort_by_key(|r| *r as u8);
    r
}

#[test]
fn valid_plan_scores_as_format_defines() {
    // F1 departs 14:30 on the 20th: 10 days 9.5 h before the horizon -> 249 whole hours.
    let plan = Plan {
        assignments: vec![a("G1", "F1", Some("2021-08-20T07:00:00Z"))],
    };
    let s = planning::score(&problem(), &plan).unwrap();
    assert_eq!(s.objective, 5 * 8 * 249);
}

#[test]
fn each_rule_is_named() {
    let ok = Some("2021-08-20T07:00:00Z");
    assert_eq!(rules(vec![a("G9", "F1", ok)]), [Rule::Identity]);
    assert_eq!(
        rules(vec![a("G1", "F1", ok), a("G1", "F1", ok)]),
        [Rule::Identity]
    );
    assert_eq!(rules(vec![a("G1", "F1", None)]), [Rule::Identity]);
    assert_eq!(
        rules(vec![a("G1", "F2", Some("2021-08-21T01:00:00Z"))]),
        [Rule::Scheme]
    );
    assert_eq!(
        rules(vec![a("G1", "F1", Some("2021-08-20T06:00:00Z"))]),
        [Rule::Ready]
    );
    assert_eq!(
        rules(vec![a("G1", "F1", Some("2021-08-20T07:30:00Z"))]),
        [Rule::Ready]
    );
    assert_eq!(
        rules(vec![a("G1", "F1", Some("2021-08-20T11:00:00Z"))]),
        [Rule::LeadWindow]
    );
    assert_eq!(
        rules(vec![a("G2", "F1", Some("2021-08-20T02:00:00Z"))]),
        [Rule::LeadWindow]
    );
    assert_eq!(
        rules(vec![
            a("G1", "F1", ok),
            a("G2", "F1", Some("2021-08-20T08:00:00Z"))
        ]),
        [Rule::Seats]
    );
    assert_eq!(
        rules(vec![a("G1", "F1", ok), a("G2", "F1", ok)]),
        [Rule::Seats, Rule::GateThroughput]
    );
    assert_eq!(rules(vec![a("G3", "F1", ok)]), [Rule::Quota]);
}

#[test]
fn solver_respects_every_rule_here() {
    let sol = planning::solve(&problem(), &planning::SolveOptions::default()).unwrap();
    let s = planning::score(&problem(), &sol.plan).unwrap();
    // G1 (tier 1) and G2 cannot share F1 (4 + 3 seats > 6), so G1 goes; G3 is out of quota.
    assert_eq!(s.objective, sol.stats.objective);
    assert_eq!(s.groups_assigned, 1);
    assert_eq!(s.objective, 5 * 8 * 249);
}

#[test]
fn gzip_and_plain_read_the_same_and_plans_round_trip() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PROBLEM.as_bytes()).unwrap();
    let from_gz = planning::read_problem(&gz.finish().unwrap()[..]).unwrap();
    assert_eq!(from_gz, problem());
    let plan = Plan {
        assignments: vec![
            a("G1", "F1", Some("2021-08-20T07:00:00Z")),
            a("G2", "F1", None),
        ],
    };
    let mut buf = Vec::new();
    planning::write_plan(&plan, &mut buf).unwrap();
    let text = String::from_utf8(buf.clone()).unwrap();
    assert!(
        text.contains(r#"{"group":"G2","flight":"F1"}"#),
        "no slot key when there is none: {text}"
    );
    assert_eq!(planning::read_plan(&buf[..]).unwrap(), plan);
}

#[test]
fn invalid_instances_are_typed_errors() {
    let bad = PROBLEM.replace(r#""tier":4"#, r#""tier":5"#);
    let err = planning::solve(
        &planning::read_problem(bad.as_bytes()).unwrap(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(matches!(err, planning::Error::Instance(_)), "{err}");
    assert!(matches!(
        planning::read_problem(&b"{"[..]),
        Err(planning::Error::Json(_))
    ));
}
