//! Properties: printing a rule and parsing it again gives the same rule; the
//! parser and the evaluator never panic; a known answer stays the same
//! whatever the missing facts turn out to be.

use eligibility::{
    CodeKind, CompareOp, Expr, Fact, FactType, Facts, Household, Inclusion, PriorityRule,
    SchemeRules, Truth, Value, evaluate, parse,
};
use proptest::prelude::*;

const NATIONS: &[&str] = &["AFG", "NOR", "FIN", "DEU", "GBR", "USA", "AND"];
const DOCUMENTS: &[&str] = &["passport", "tazkira", "visa", "fi_residence_permit"];
const PROVINCES: &[&str] = &["kabul", "herat", "balkh"];
const EMPLOYERS: &[&str] = &["Embassy of Norway", "GIZ", "embassy", "  GIZ  Kabul "];

fn code(kind: CodeKind) -> BoxedStrategy<String> {
    let pool: &[&str] = match kind {
        CodeKind::Nation => NATIONS,
        CodeKind::Relationship => eligibility::facts::RELATIONSHIPS,
        CodeKind::Sex => eligibility::facts::SEXES,
        CodeKind::Document => DOCUMENTS,
        CodeKind::Province => PROVINCES,
    };
    prop::sample::select(pool).prop_map(String::from).boxed()
}

fn number() -> BoxedStrategy<f64> {
    prop_oneof![
        (0u32..100).prop_map(f64::from),
        (0.0f64..1e6),
        (0u32..10_000).prop_map(|n| f64::from(n) / 100.0),
    ]
    .boxed()
}

/// A value fitting the fact's type.
fn value(fact: Fact) -> BoxedStrategy<Value> {
    match fact.fact_type() {
        FactType::Number => number().prop_map(Value::Number).boxed(),
        FactType::Text => prop_oneof![
            prop::sample::select(EMPLOYERS).prop_map(String::from),
            any::<String>(),
        ]
        .prop_map(Value::Text)
        .boxed(),
        FactType::Code(kind) | FactType::CodeSet(kind) => code(kind).prop_map(Value::Code).boxed(),
        FactType::YesNo => unreachable!("yes/no facts take no value"),
    }
}

/// A well-typed condition on one fact.
fn condition() -> BoxedStrategy<Expr> {
    prop::sample::select(Fact::ALL.to_vec())
        .prop_flat_map(|fact| match fact.fact_type() {
            FactType::YesNo => Just(Expr::Fact { fact }).boxed(),
            FactType::Number => (
                prop::sample::select(vec![
                    CompareOp::Eq,
                    CompareOp::Ne,
                    CompareOp::Lt,
                    CompareOp::Le,
                    CompareOp::Gt,
                    CompareOp::Ge,
                ]),
                value(fact),
            )
                .prop_map(move |(op, value)| Expr::Compare { fact, op, value })
                .boxed(),
            FactType::Code(_) => prop_oneof![
                (any::<bool>(), value(fact)).prop_map(move |(eq, value)| Expr::Compare {
                    fact,
                    op: if eq { CompareOp::Eq } else { CompareOp::Ne },
                    value,
                }),
                prop::collection::vec(value(fact), 1..4)
                    .prop_map(move |values| Expr::In { fact, values }),
            ]
            .boxed(),
            FactType::Text => prop_oneof![
                (any::<bool>(), value(fact)).prop_map(move |(eq, value)| Expr::Compare {
                    fact,
                    op: if eq { CompareOp::Eq } else { CompareOp::Ne },
                    value,
                }),
                prop::collection::vec(value(fact), 1..3)
                    .prop_map(move |values| Expr::In { fact, values }),
                value(fact).prop_map(move |value| Expr::Contains { fact, value }),
            ]
            .boxed(),
            FactType::CodeSet(_) => prop_oneof![
                prop::collection::vec(value(fact), 1..4)
                    .prop_map(move |values| Expr::In { fact, values }),
                value(fact).prop_map(move |value| Expr::Contains { fact, value }),
            ]
            .boxed(),
        })
        .boxed()
}

/// A well-typed rule, as the parser would build it: `and` and `or` with at
/// least two operands.
fn rule() -> BoxedStrategy<Expr> {
    condition()
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not {
                    operand: Box::new(e)
                }),
                prop::collection::vec(inner.clone(), 2..4)
                    .prop_map(|operands| Expr::And { operands }),
                prop::collection::vec(inner, 2..4).prop_map(|operands| Expr::Or { operands }),
            ]
        })
        .boxed()
}

fn words(pool: &'static [&'static str]) -> BoxedStrategy<Option<Vec<String>>> {
    prop::option::of(prop::collection::vec(
        prop::sample::select(pool).prop_map(String::from),
        0..3,
    ))
    .boxed()
}

fn word(pool: &'static [&'static str]) -> BoxedStrategy<Option<String>> {
    prop::option::of(prop::sample::select(pool).prop_map(String::from)).boxed()
}

/// Facts, each one known or not.
fn facts() -> BoxedStrategy<Facts> {
    (
        (
            words(NATIONS),
            word(EMPLOYERS),
            word(NATIONS),
            prop::option::of(prop_oneof![number(), Just(f64::NAN)]),
            word(eligibility::facts::RELATIONSHIPS),
            prop::option::of(0u32..100),
            word(eligibility::facts::SEXES),
        ),
        (
            words(NATIONS),
            words(DOCUMENTS),
            word(PROVINCES),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (nationality, employer, employer_nation, years_of_service, relationship, age, sex),
                (family_ties, documents, province, medical_need, unaccompanied_minor, at_risk),
            )| Facts {
                nationality,
                employer,
                employer_nation,
                years_of_service,
                relationship,
                age,
                sex,
                family_ties,
                documents,
                province,
                medical_need,
                unaccompanied_minor,
                at_risk,
            },
        )
        .boxed()
}

/// `partial` with every unknown fact taken from `full`.
fn complete(partial: &Facts, full: &Facts) -> Facts {
    Facts {
        nationality: partial.nationality.clone().or(full.nationality.clone()),
        employer: partial.employer.clone().or(full.employer.clone()),
        employer_nation: partial
            .employer_nation
            .clone()
            .or(full.employer_nation.clone()),
        years_of_service: partial.years_of_service.or(full.years_of_service),
        relationship: partial.relationship.clone().or(full.relationship.clone()),
        age: partial.age.or(full.age),
        sex: partial.sex.clone().or(full.sex.clone()),
        family_ties: partial.family_ties.clone().or(full.family_ties.clone()),
        documents: partial.documents.clone().or(full.documents.clone()),
        province: partial.province.clone().or(full.province.clone()),
        medical_need: partial.medical_need.or(full.medical_need),
        unaccompanied_minor: partial.unaccompanied_minor.or(full.unaccompanied_minor),
        at_risk: partial.at_risk.or(full.at_risk),
    }
}

/// Text made of the language's own pieces, mostly wrong.
fn token_soup() -> BoxedStrategy<String> {
    let pieces: Vec<&str> = vec![
        "age",
        "relationship",
        "nationality",
        "medical_need",
        "employer",
        "documents",
        "and",
        "or",
        "not",
        "in",
        "contains",
        "(",
        ")",
        "[",
        "]",
        ",",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "18",
        "1.5",
        "AFG",
        "NOR",
        "spouse",
        "child",
        "passport",
        "\"GIZ\"",
        "\"",
        "=",
        "!",
        "AND",
        "yeers",
        "",
        " ",
        "\n",
        "ä",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..16)
        .prop_map(|p| p.join(" "))
        .boxed()
}

proptest! {
    #[test]
    fn printing_and_parsing_gives_the_same_rule(rule in rule()) {
        let text = rule.to_string();
        let parsed = parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&rule), "{}", text);
    }

    #[test]
    fn parsing_never_panics_and_errors_point_into_the_rule(text in any::<String>()) {
        if let Err(e) = parse(&text) {
            prop_assert!(e.position.offset <= text.len());
            prop_assert!(text.is_char_boundary(e.position.offset));
            prop_assert!(e.position.column >= 1 && e.position.line >= 1);
            prop_assert!(!e.reason.to_string().is_empty());
        }
    }

    #[test]
    fn what_parses_prints_to_a_fixed_point(text in token_soup()) {
        match parse(&text) {
            Ok(rule) => {
                let printed = rule.to_string();
                let again = parse(&printed).expect("the printed rule parses");
                prop_assert_eq!(&again, &rule);
                prop_assert_eq!(again.to_string(), printed);
            }
            Err(e) => prop_assert!(e.position.offset <= text.len()),
        }
    }

    #[test]
    fn a_known_answer_does_not_depend_on_missing_facts(
        rule in rule(),
        partial in facts(),
        full in facts(),
    ) {
        let e = evaluate(&rule, &partial);
        let completed = complete(&partial, &full);
        let later = evaluate(&rule, &completed);
        if e.truth == Truth::Unknown {
            prop_assert!(!e.missing.is_empty());
            for fact in &e.missing {
                prop_assert!(rule.facts().contains(fact));
            }
        } else {
            prop_assert!(e.missing.is_empty());
            // Completion may still leave NaN years unknown; otherwise the
            // answer stands.
            if later.truth != Truth::Unknown {
                prop_assert_eq!(later.truth, e.truth);
            }
        }
    }

    #[test]
    fn opposite_comparisons_give_opposite_answers(rule in condition(), facts in facts()) {
        let Expr::Compare { fact, op, value } = rule.clone() else {
            return Ok(());
        };
        let opposite = match op {
            CompareOp::Eq => CompareOp::Ne,
            CompareOp::Ne => CompareOp::Eq,
            CompareOp::Lt => CompareOp::Ge,
            CompareOp::Ge => CompareOp::Lt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Le => CompareOp::Gt,
        };
        let other = Expr::Compare { fact, op: opposite, value };
        prop_assert_eq!(evaluate(&rule, &facts).truth, !evaluate(&other, &facts).truth);
    }

    #[test]
    fn scheme_evaluation_never_panics(
        eligibility in prop::collection::vec(rule(), 1..3),
        family in prop::collection::vec(rule(), 0..3),
        priority in prop::collection::vec((1u8..=4, rule()), 0..3),
        default_tier in 1u8..=4,
        principal in facts(),
        members in prop::collection::vec(facts(), 0..5),
    ) {
        let rules = SchemeRules {
            eligibility: eligibility.iter().map(ToString::to_string).collect(),
            family: family.iter().map(ToString::to_string).collect(),
            priority: priority
                .iter()
                .map(|(tier, r)| PriorityRule { tier: *tier, rule: r.to_string() })
                .collect(),
            default_tier,
        };
        let scheme = rules.compile().expect("printed rules compile");
        let household = Household { principal, members };
        let s = scheme.evaluate(&household);
        prop_assert_eq!(s.members.len(), household.members.len());
        prop_assert!((1..=4).contains(&s.tier));
        prop_assert_eq!(s.fired.is_empty(), s.outcome != eligibility::Outcome::Eligible);
        for m in &s.members {
            prop_assert_eq!(m.decided_by.is_some(), m.inclusion == Inclusion::Included);
        }
        if let Some(most_urgent) = s.tier_rules_fired.iter().filter_map(|f| f.tier).min() {
            prop_assert_eq!(s.tier, most_urgent);
        } else {
            prop_assert_eq!(s.tier, default_tier);
        }
    }
}
