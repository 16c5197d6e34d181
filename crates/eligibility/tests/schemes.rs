//! Schemes' rules as data: validation with every field's errors, JSON, and
//! suggestions for households under the Kabul 2021 example schemes.

use eligibility::examples::{self, ExampleScheme};
use eligibility::{
    CompiledScheme, Fact, Facts, FieldError, Household, Inclusion, NeededFact, Outcome, Position,
    PriorityRule, SchemeRules, Suggestion, Who,
};

fn compiled(example: ExampleScheme) -> CompiledScheme {
    example.rules.compile().unwrap()
}

fn nationality(codes: &[&str]) -> Option<Vec<String>> {
    Some(codes.iter().map(|c| (*c).into()).collect())
}

/// An Afghan employee of `nation`'s embassy, everything else known and no.
fn employee(nation: &str, years: f64) -> Facts {
    Facts {
        nationality: nationality(&["AFG"]),
        employer: Some(format!("Embassy of {nation}")),
        employer_nation: Some(nation.into()),
        years_of_service: Some(years),
        age: Some(38),
        sex: Some("female".into()),
        family_ties: Some(vec![]),
        documents: Some(vec!["tazkira".into()]),
        province: Some("kabul".into()),
        medical_need: Some(false),
        unaccompanied_minor: Some(false),
        at_risk: Some(false),
        ..Facts::default()
    }
}

fn member(relationship: &str, age: u32) -> Facts {
    Facts {
        relationship: Some(relationship.into()),
        age: Some(age),
        medical_need: Some(false),
        unaccompanied_minor: Some(false),
        at_risk: Some(false),
        ..Facts::default()
    }
}

fn inclusions(s: &Suggestion) -> Vec<Inclusion> {
    s.members.iter().map(|m| m.inclusion).collect()
}

#[test]
fn every_example_compiles_and_round_trips_through_json() {
    let all = examples::kabul_2021();
    let codes: Vec<&str> = all.iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        ["NOR-LES", "FIN-130", "DEU-OK", "GBR-ARAP", "USA-SIV"]
    );
    for example in all {
        let scheme = example.rules.compile().unwrap();
        let json = serde_json::to_string(&scheme).unwrap();
        let back: CompiledScheme = serde_json::from_str(&json).unwrap();
        assert_eq!(back, scheme);
        assert_eq!(back.rules(), &example.rules);
        let rules: SchemeRules = serde_json::from_str(&json).unwrap();
        assert_eq!(rules, example.rules);
    }
}

#[test]
fn validation_reports_every_error_with_its_field() {
    let rules: SchemeRules = serde_json::from_str(
        r#"{
            "eligibility": [
                "employer_nation == NOR",
                "nationality in [AFG] and",
                "yeers_of_service >= 2"
            ],
            "family": ["relationship == cousin"],
            "priority": [
                { "tier": 0, "rule": "medical_need" },
                { "tier": 2, "rule": "at_risk == yes" }
            ],
            "default_tier": 5
        }"#,
    )
    .unwrap();
    let errors = rules.validate().unwrap_err().errors;
    let at = |offset: usize, line: usize, column: usize| {
        Some(Position {
            offset,
            line,
            column,
        })
    };
    assert_eq!(
        errors,
        [
            FieldError {
                field: "eligibility[1]".into(),
                position: at(24, 1, 25),
                reason: "expected a fact, `not` or `(`, found the end of the rule".into(),
            },
            FieldError {
                field: "eligibility[2]".into(),
                position: at(0, 1, 1),
                reason: "unknown fact `yeers_of_service`; did you mean `years_of_service`?".into(),
            },
            FieldError {
                field: "family[0]".into(),
                position: at(16, 1, 17),
                reason: "`cousin` is not a relationship: use one of principal, spouse, child, \
                         parent, sibling, other_relative, dependant"
                    .into(),
            },
            FieldError {
                field: "priority[0].tier".into(),
                position: None,
                reason: "a tier is 1 (most urgent) to 4".into(),
            },
            FieldError {
                field: "priority[1].rule".into(),
                position: at(8, 1, 9),
                reason: "`at_risk` is a yes/no fact: write `at_risk` or `not at_risk`".into(),
            },
            FieldError {
                field: "default_tier".into(),
                position: None,
                reason: "a tier is 1 (most urgent) to 4".into(),
            },
        ]
    );
    assert_eq!(
        errors[1].to_string(),
        "eligibility[2], column 1: unknown fact `yeers_of_service`; did you mean \
         `years_of_service`?"
    );

    let none = SchemeRules {
        eligibility: vec![],
        family: vec![],
        priority: vec![],
        default_tier: 4,
    };
    assert_eq!(
        none.validate().unwrap_err().errors[0].reason,
        "a scheme needs at least one eligibility rule"
    );
}

#[test]
fn reading_a_compiled_scheme_refuses_bad_rules() {
    let e = serde_json::from_str::<CompiledScheme>(r#"{ "eligibility": ["age >="] }"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("eligibility[0], column 7: expected a number after `>=`"),
        "{e}"
    );
    let e = serde_json::from_str::<SchemeRules>(r#"{ "eligibility": [], "quota": 3 }"#);
    assert!(e.is_err(), "unknown fields are refused");
    let defaults: SchemeRules = serde_json::from_str(r#"{ "eligibility": ["at_risk"] }"#).unwrap();
    assert_eq!(defaults.default_tier, 4);
    assert!(defaults.family.is_empty() && defaults.priority.is_empty());
}

#[test]
fn nor_les_an_employee_with_spouse_and_children() {
    let scheme = compiled(examples::nor_les());
    let household = Household {
        principal: employee("NOR", 4.0),
        members: vec![
            member("spouse", 35),
            member("child", 9),
            member("child", 19),
            member("parent", 70),
        ],
    };
    let s = scheme.evaluate(&household);
    assert_eq!(s.outcome, Outcome::Eligible);
    assert_eq!(s.fired.len(), 1);
    assert_eq!(s.fired[0].field, "eligibility[0]");
    assert_eq!(s.fired[0].who, Who::Principal);
    assert_eq!(
        inclusions(&s),
        [
            Inclusion::Included,
            Inclusion::Included,
            Inclusion::Excluded,
            Inclusion::Excluded
        ]
    );
    let decided = s.members[1].decided_by.as_ref().unwrap();
    assert_eq!(decided.field, "family[1]");
    assert_eq!(decided.rule, "relationship == child and age < 18");
    assert_eq!(decided.who, Who::Member(1));
    assert!(s.members[2].decided_by.is_none());
    assert_eq!(s.tier, 3, "the default");
    assert!(s.tier_rules_fired.is_empty());
    assert!(s.needs.is_empty());
}

#[test]
fn nor_les_too_short_in_service_or_another_embassy() {
    let scheme = compiled(examples::nor_les());
    for principal in [employee("NOR", 1.5), employee("DNK", 10.0)] {
        let s = scheme.evaluate(&Household {
            principal,
            members: vec![],
        });
        assert_eq!(s.outcome, Outcome::Ineligible);
        assert!(s.fired.is_empty() && s.needs.is_empty());
    }
}

#[test]
fn nor_les_unknown_years_of_service_needs_information() {
    let scheme = compiled(examples::nor_les());
    let mut principal = employee("NOR", 0.0);
    principal.years_of_service = None;
    let s = scheme.evaluate(&Household {
        principal,
        members: vec![Facts {
            relationship: Some("child".into()),
            ..Facts::default()
        }],
    });
    assert_eq!(s.outcome, Outcome::NeedsInformation);
    assert!(s.fired.is_empty());
    assert_eq!(inclusions(&s), [Inclusion::NeedsInformation]);
    assert_eq!(
        s.needs,
        [
            NeededFact {
                who: Who::Principal,
                fact: Fact::YearsOfService,
                field: "eligibility[0]".into()
            },
            NeededFact {
                who: Who::Member(0),
                fact: Fact::Age,
                field: "family[1]".into()
            },
            // Whether the child is a tier 1 or 2 case is not known either.
            NeededFact {
                who: Who::Member(0),
                fact: Fact::MedicalNeed,
                field: "priority[0].rule".into()
            },
            NeededFact {
                who: Who::Member(0),
                fact: Fact::UnaccompaniedMinor,
                field: "priority[1].rule".into()
            },
            NeededFact {
                who: Who::Member(0),
                fact: Fact::AtRisk,
                field: "priority[2].rule".into()
            },
        ]
    );
    // But a Danish employee is not eligible whatever the years.
    let mut principal = employee("DNK", 0.0);
    principal.years_of_service = None;
    let s = scheme.evaluate(&Household {
        principal,
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::Ineligible);
}

#[test]
fn fin_130_ties_or_a_residence_permit() {
    let scheme = compiled(examples::fin_130());
    let mut with_ties = employee("AFG", 0.0);
    with_ties.family_ties = nationality(&["FIN"]);
    let mut with_permit = employee("AFG", 0.0);
    with_permit.documents = Some(vec!["passport".into(), "fi_residence_permit".into()]);
    for principal in [with_ties, with_permit] {
        let s = scheme.evaluate(&Household {
            principal,
            members: vec![member("spouse", 30), member("parent", 72)],
        });
        assert_eq!(s.outcome, Outcome::Eligible);
        assert_eq!(s.fired[0].field, "eligibility[0]");
        assert_eq!(inclusions(&s), [Inclusion::Included, Inclusion::Excluded]);
    }

    // Ties unknown: needs information, the documents being known to hold none.
    let mut unsure = employee("AFG", 0.0);
    unsure.family_ties = None;
    let s = scheme.evaluate(&Household {
        principal: unsure,
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::NeedsInformation);
    assert_eq!(
        s.needs,
        [NeededFact {
            who: Who::Principal,
            fact: Fact::FamilyTies,
            field: "eligibility[0]".into()
        }]
    );

    // A parent in medical need comes along, and makes the household tier 1.
    let mut ties = employee("AFG", 0.0);
    ties.family_ties = nationality(&["FIN", "SWE"]);
    let mut parent = member("parent", 75);
    parent.medical_need = Some(true);
    let s = scheme.evaluate(&Household {
        principal: ties,
        members: vec![parent],
    });
    assert_eq!(inclusions(&s), [Inclusion::Included]);
    assert_eq!(s.members[0].decided_by.as_ref().unwrap().field, "family[2]");
    assert_eq!(s.tier, 1);
    assert_eq!(s.tier_rules_fired.len(), 1);
    assert_eq!(s.tier_rules_fired[0].who, Who::Member(0));
    assert_eq!(s.tier_rules_fired[0].tier, Some(1));
    assert_eq!(s.tier_rules_fired[0].field, "priority[0].rule");
}

#[test]
fn deu_ok_staff_or_at_risk() {
    let scheme = compiled(examples::deu_ok());
    let s = scheme.evaluate(&Household {
        principal: employee("DEU", 0.5),
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::Eligible);

    let mut journalist = employee("AFG", 0.0);
    journalist.employer_nation = None;
    journalist.at_risk = Some(true);
    let s = scheme.evaluate(&Household {
        principal: journalist,
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::Eligible, "the second route decides");
    assert_eq!(s.fired.len(), 1);
    assert_eq!(s.fired[0].field, "eligibility[1]");
    assert!(s.needs.is_empty(), "the unknown employer no longer matters");
}

#[test]
fn gbr_arap_extended_family_at_risk() {
    let scheme = compiled(examples::gbr_arap());
    let mut interpreter = employee("GBR", 3.0);
    interpreter.at_risk = Some(true);
    let mut brother = member("sibling", 25);
    brother.at_risk = Some(true);
    let s = scheme.evaluate(&Household {
        principal: interpreter,
        members: vec![brother, member("sibling", 22), member("child", 17)],
    });
    assert_eq!(s.outcome, Outcome::Eligible);
    assert_eq!(s.fired.len(), 2, "both routes hold");
    assert_eq!(
        inclusions(&s),
        [
            Inclusion::Included,
            Inclusion::Excluded,
            Inclusion::Included
        ]
    );
    assert_eq!(s.tier, 2);
    let whom: Vec<Who> = s.tier_rules_fired.iter().map(|f| f.who).collect();
    assert_eq!(whom, [Who::Principal, Who::Member(0)]);
}

#[test]
fn usa_siv_one_year_with_a_us_employer() {
    let scheme = compiled(examples::usa_siv());
    let s = scheme.evaluate(&Household {
        principal: employee("USA", 1.0),
        members: vec![member("child", 20), member("child", 21)],
    });
    assert_eq!(s.outcome, Outcome::Eligible);
    assert_eq!(inclusions(&s), [Inclusion::Included, Inclusion::Excluded]);
    assert_eq!(s.tier, 4);

    let s = scheme.evaluate(&Household {
        principal: employee("USA", 0.9),
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::Ineligible);

    // A non-Afghan US employee does not qualify.
    let mut foreign = employee("USA", 5.0);
    foreign.nationality = nationality(&["PAK"]);
    assert_eq!(
        scheme
            .evaluate(&Household {
                principal: foreign,
                members: vec![]
            })
            .outcome,
        Outcome::Ineligible
    );
}

#[test]
fn excluded_members_do_not_set_the_tier() {
    let scheme = compiled(examples::usa_siv());
    let mut grandmother = member("other_relative", 80);
    grandmother.medical_need = Some(true);
    let s = scheme.evaluate(&Household {
        principal: employee("USA", 3.0),
        members: vec![grandmother],
    });
    assert_eq!(inclusions(&s), [Inclusion::Excluded]);
    assert_eq!(s.tier, 4);
    assert!(s.tier_rules_fired.is_empty());
}

#[test]
fn the_principal_is_always_the_principal() {
    let rules = SchemeRules {
        eligibility: vec!["relationship == principal".into()],
        family: vec![],
        priority: vec![],
        default_tier: 4,
    };
    let principal = Facts {
        relationship: Some("spouse".into()),
        ..Facts::default()
    };
    let s = rules.compile().unwrap().evaluate(&Household {
        principal,
        members: vec![],
    });
    assert_eq!(s.outcome, Outcome::Eligible);
}

#[test]
fn priority_unknowns_only_when_they_could_raise_the_tier() {
    let rules = SchemeRules {
        eligibility: vec!["employer_nation == NOR".into()],
        family: vec![],
        priority: vec![
            PriorityRule {
                tier: 1,
                rule: "medical_need".into(),
            },
            PriorityRule {
                tier: 2,
                rule: "at_risk".into(),
            },
            PriorityRule {
                tier: 3,
                rule: "age < 5".into(),
            },
        ],
        default_tier: 4,
    };
    let scheme = rules.compile().unwrap();
    let principal = Facts {
        employer_nation: Some("NOR".into()),
        at_risk: Some(true),
        ..Facts::default()
    };
    let s = scheme.evaluate(&Household {
        principal,
        members: vec![],
    });
    assert_eq!(s.tier, 2);
    // Medical need could make it tier 1; the age could not change tier 2.
    let needed: Vec<Fact> = s.needs.iter().map(|n| n.fact).collect();
    assert_eq!(needed, [Fact::MedicalNeed]);
}

#[test]
fn suggestions_serialise() {
    let scheme = compiled(examples::nor_les());
    let mut principal = employee("NOR", 2.0);
    principal.medical_need = Some(true);
    let s = scheme.evaluate(&Household {
        principal,
        members: vec![member("spouse", 30)],
    });
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["outcome"], "eligible");
    assert_eq!(json["tier"], 1);
    assert_eq!(json["fired"][0]["who"], "principal");
    assert_eq!(json["members"][0]["inclusion"], "included");
    assert_eq!(json["members"][0]["decided_by"]["who"]["member"], 0);
    assert_eq!(json["tier_rules_fired"][0]["tier"], 1);
    let back: Suggestion = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}
