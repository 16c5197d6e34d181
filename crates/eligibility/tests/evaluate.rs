//! Evaluating rules against one person's facts, known and unknown.

use eligibility::{Evaluation, Fact, Facts, Truth, evaluate, parse};

fn eval(rule: &str, facts: &Facts) -> Evaluation {
    evaluate(&parse(rule).unwrap(), facts)
}

fn truth(rule: &str, facts: &Facts) -> Truth {
    eval(rule, facts).truth
}

fn interpreter() -> Facts {
    Facts {
        nationality: Some(vec!["AFG".into()]),
        employer: Some("Royal Norwegian  Embassy, Kabul".into()),
        employer_nation: Some("NOR".into()),
        years_of_service: Some(6.5),
        relationship: Some("principal".into()),
        age: Some(34),
        sex: Some("male".into()),
        family_ties: Some(vec![]),
        documents: Some(vec!["tazkira".into(), "passport".into()]),
        province: Some("kabul".into()),
        medical_need: Some(false),
        unaccompanied_minor: Some(false),
        at_risk: Some(true),
    }
}

#[test]
fn known_facts() {
    let f = interpreter();
    let t = |rule| truth(rule, &f);
    assert_eq!(
        t("nationality in [AFG] and employer_nation == NOR and years_of_service >= 2"),
        Truth::True
    );
    assert_eq!(t("years_of_service >= 7"), Truth::False);
    assert_eq!(
        t("years_of_service > 6.4 and years_of_service < 6.6"),
        Truth::True
    );
    assert_eq!(
        t("age == 34 and age != 35 and age <= 34 and age > 33"),
        Truth::True
    );
    assert_eq!(t("employer_nation != NOR"), Truth::False);
    assert_eq!(t("employer_nation in [DEU, NOR]"), Truth::True);
    assert_eq!(t("nationality in [PAK, IRN]"), Truth::False);
    assert_eq!(t("nationality contains AFG"), Truth::True);
    assert_eq!(t("family_ties contains FIN"), Truth::False);
    assert_eq!(t("family_ties in [FIN, SWE]"), Truth::False);
    assert_eq!(t("documents contains passport"), Truth::True);
    assert_eq!(t("documents in [visa, passport]"), Truth::True);
    assert_eq!(t("documents contains visa"), Truth::False);
    assert_eq!(t("at_risk and not medical_need"), Truth::True);
    assert_eq!(t("medical_need or unaccompanied_minor"), Truth::False);
    assert_eq!(t("sex == male and province == kabul"), Truth::True);
    assert_eq!(t("sex != female and province != herat"), Truth::True);
    assert_eq!(t("province in [herat, balkh]"), Truth::False);
    assert_eq!(t("relationship == principal"), Truth::True);
}

#[test]
fn codes_and_text_ignore_case_and_spacing() {
    let f = Facts {
        employer_nation: Some("nor".into()),
        employer: Some("  Royal Norwegian   EMBASSY ".into()),
        nationality: Some(vec!["afg".into()]),
        ..Facts::default()
    };
    assert_eq!(truth("employer_nation == NOR", &f), Truth::True);
    assert_eq!(truth("nationality contains AFG", &f), Truth::True);
    assert_eq!(
        truth("employer == \"royal norwegian embassy\"", &f),
        Truth::True
    );
    assert_eq!(
        truth("employer contains \"Norwegian  Embassy\"", &f),
        Truth::True
    );
    assert_eq!(truth("employer contains \"German\"", &f), Truth::False);
    assert_eq!(
        truth("employer in [\"GIZ\", \"Royal Norwegian Embassy\"]", &f),
        Truth::True
    );
    assert_eq!(
        truth("employer != \"royal norwegian embassy\"", &f),
        Truth::False
    );
}

#[test]
fn unknown_facts_make_unknown_answers() {
    let nothing = Facts::default();
    let e = eval("years_of_service >= 2", &nothing);
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(e.missing, [Fact::YearsOfService]);

    let e = eval("not medical_need", &nothing);
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(e.missing, [Fact::MedicalNeed]);

    let e = eval(
        "nationality in [AFG] and employer_nation == NOR and years_of_service >= 2",
        &nothing,
    );
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(
        e.missing,
        [
            Fact::Nationality,
            Fact::EmployerNation,
            Fact::YearsOfService
        ]
    );
}

#[test]
fn kleene_and_or() {
    // An employer known, the years not.
    let f = Facts {
        employer_nation: Some("NOR".into()),
        relationship: Some("parent".into()),
        ..Facts::default()
    };
    // false and unknown = false: the years do not matter.
    let e = eval("employer_nation == USA and years_of_service >= 1", &f);
    assert_eq!(
        e,
        Evaluation {
            truth: Truth::False,
            missing: vec![]
        }
    );
    // true and unknown = unknown, needing only the unknown part.
    let e = eval("employer_nation == NOR and years_of_service >= 1", &f);
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(e.missing, [Fact::YearsOfService]);
    // true or unknown = true.
    assert_eq!(
        eval("employer_nation == NOR or years_of_service >= 1", &f),
        Evaluation {
            truth: Truth::True,
            missing: vec![]
        }
    );
    // false or unknown = unknown.
    let e = eval("employer_nation == USA or years_of_service >= 1", &f);
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(e.missing, [Fact::YearsOfService]);
    // A parent of unknown age is no child under 18.
    assert_eq!(
        truth("relationship == child and age < 18", &f),
        Truth::False
    );
    // Only the unknown operands that could decide are reported.
    let e = eval(
        "(employer_nation == USA and age < 18) or (years_of_service > 1 and not at_risk)",
        &f,
    );
    assert_eq!(e.truth, Truth::Unknown);
    assert_eq!(e.missing, [Fact::YearsOfService, Fact::AtRisk]);
    // unknown or unknown = unknown; an operand that is true decides.
    let e = eval("age < 18 or medical_need or employer_nation == NOR", &f);
    assert_eq!(e.truth, Truth::True);
    assert!(e.missing.is_empty());
}

#[test]
fn an_empty_list_is_known_but_none_is_unknown() {
    let none_held = Facts {
        documents: Some(vec![]),
        ..Facts::default()
    };
    assert_eq!(
        truth("documents contains passport", &none_held),
        Truth::False
    );
    assert_eq!(
        truth("not documents in [passport, tazkira]", &none_held),
        Truth::True
    );
    assert_eq!(
        truth("documents contains passport", &Facts::default()),
        Truth::Unknown
    );
}

#[test]
fn a_number_that_is_not_finite_is_unknown() {
    let f = Facts {
        years_of_service: Some(f64::NAN),
        ..Facts::default()
    };
    assert_eq!(truth("years_of_service >= 0", &f), Truth::Unknown);
    assert_eq!(truth("not years_of_service >= 0", &f), Truth::Unknown);
    let f = Facts {
        years_of_service: Some(f64::INFINITY),
        ..Facts::default()
    };
    assert_eq!(truth("years_of_service >= 0", &f), Truth::Unknown);
}

#[test]
fn facts_read_from_json() {
    let f: Facts =
        serde_json::from_str(r#"{ "age": 12, "relationship": "child", "medical_need": null }"#)
            .unwrap();
    assert_eq!(truth("relationship == child and age < 18", &f), Truth::True);
    assert_eq!(truth("medical_need", &f), Truth::Unknown);
    assert!(serde_json::from_str::<Facts>(r#"{ "salary": 3 }"#).is_err());
}
