//! The rule language: rules that parse, and every way a rule is refused,
//! with the column and the message the officer sees.

use eligibility::{CompareOp, Expr, Fact, Position, Reason, Value, catalogue, parse};

fn code(c: &str) -> Value {
    Value::Code(c.into())
}

fn fact(f: Fact) -> Expr {
    Expr::Fact { fact: f }
}

fn compare(f: Fact, op: CompareOp, value: Value) -> Expr {
    Expr::Compare { fact: f, op, value }
}

/// The column and the message of the error for `rule`.
fn refused(rule: &str) -> (usize, String) {
    let e = parse(rule).expect_err(rule);
    assert_eq!(
        Position::at(rule, e.position.offset),
        e.position,
        "offset, line and column agree"
    );
    (e.position.column, e.reason.to_string())
}

#[test]
fn the_briefs_examples_parse() {
    assert_eq!(
        parse("nationality in [AFG] and employer_nation == NOR and years_of_service >= 2").unwrap(),
        Expr::And {
            operands: vec![
                Expr::In {
                    fact: Fact::Nationality,
                    values: vec![code("AFG")]
                },
                compare(Fact::EmployerNation, CompareOp::Eq, code("NOR")),
                compare(Fact::YearsOfService, CompareOp::Ge, Value::Number(2.0)),
            ]
        }
    );
    assert_eq!(
        parse("relationship in [spouse, child] and age < 18").unwrap(),
        Expr::And {
            operands: vec![
                Expr::In {
                    fact: Fact::Relationship,
                    values: vec![code("spouse"), code("child")]
                },
                compare(Fact::Age, CompareOp::Lt, Value::Number(18.0)),
            ]
        }
    );
    assert_eq!(
        parse("family_ties contains FIN or documents contains fi_residence_permit").unwrap(),
        Expr::Or {
            operands: vec![
                Expr::Contains {
                    fact: Fact::FamilyTies,
                    value: code("FIN")
                },
                Expr::Contains {
                    fact: Fact::Documents,
                    value: code("fi_residence_permit")
                },
            ]
        }
    );
    assert_eq!(parse("medical_need").unwrap(), fact(Fact::MedicalNeed));
    assert_eq!(
        parse("not unaccompanied_minor").unwrap(),
        Expr::Not {
            operand: Box::new(fact(Fact::UnaccompaniedMinor))
        }
    );
}

#[test]
fn precedence_not_then_and_then_or() {
    let a = || fact(Fact::MedicalNeed);
    let b = || fact(Fact::AtRisk);
    let c = || fact(Fact::UnaccompaniedMinor);
    assert_eq!(
        parse("medical_need or at_risk and unaccompanied_minor").unwrap(),
        Expr::Or {
            operands: vec![
                a(),
                Expr::And {
                    operands: vec![b(), c()]
                }
            ]
        }
    );
    assert_eq!(
        parse("(medical_need or at_risk) and unaccompanied_minor").unwrap(),
        Expr::And {
            operands: vec![
                Expr::Or {
                    operands: vec![a(), b()]
                },
                c()
            ]
        }
    );
    assert_eq!(
        parse("not medical_need and at_risk").unwrap(),
        Expr::And {
            operands: vec![
                Expr::Not {
                    operand: Box::new(a())
                },
                b()
            ]
        }
    );
    assert_eq!(
        parse("not age < 18").unwrap(),
        Expr::Not {
            operand: Box::new(compare(Fact::Age, CompareOp::Lt, Value::Number(18.0)))
        }
    );
    assert_eq!(parse("((medical_need))").unwrap(), a());
}

#[test]
fn values_of_every_kind() {
    assert_eq!(
        parse(r#"employer == "Embassy of \"Norway\"""#).unwrap(),
        compare(
            Fact::Employer,
            CompareOp::Eq,
            Value::Text(r#"Embassy of "Norway""#.into())
        )
    );
    assert_eq!(
        parse("years_of_service > 1.5").unwrap(),
        compare(Fact::YearsOfService, CompareOp::Gt, Value::Number(1.5))
    );
    assert_eq!(
        parse("employer in [\"GIZ\", \"KfW\",]").unwrap(),
        Expr::In {
            fact: Fact::Employer,
            values: vec![Value::Text("GIZ".into()), Value::Text("KfW".into())]
        }
    );
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        parse(&format!("age {op} 18")).unwrap();
    }
    parse("sex != female").unwrap();
    parse("province in [kabul, parwan]").unwrap();
    parse("employer contains \"embassy\"").unwrap();
    parse("nationality in [AND]").expect("Andorra is a nation, `and` a keyword");
}

#[test]
fn layout_is_free_and_printing_is_canonical() {
    let rule = parse("  relationship==child\n\tand(age<18 or\n medical_need )").unwrap();
    assert_eq!(
        rule.to_string(),
        "relationship == child and (age < 18 or medical_need)"
    );
    assert_eq!(
        parse("medical_need and (at_risk and age < 2)")
            .unwrap()
            .to_string(),
        "medical_need and (at_risk and age < 2)"
    );
}

#[test]
fn facts_named() {
    assert_eq!(
        parse("age < 18 and relationship == child or age < 2 and medical_need")
            .unwrap()
            .facts(),
        [Fact::Relationship, Fact::Age, Fact::MedicalNeed]
    );
}

#[test]
fn catalogue_examples_parse() {
    let catalogue = catalogue();
    assert_eq!(catalogue.len(), Fact::ALL.len());
    for entry in catalogue {
        let rule = parse(&entry.example).unwrap();
        assert_eq!(rule.facts(), [Fact::from_name(&entry.name).unwrap()]);
    }
}

#[test]
fn unknown_facts_with_suggestions() {
    assert_eq!(
        refused("age >= 18 and yeers_of_service >= 2"),
        (
            15,
            "unknown fact `yeers_of_service`; did you mean `years_of_service`?".into()
        )
    );
    assert_eq!(
        refused("document contains passport"),
        (
            1,
            "unknown fact `document`; did you mean `documents`?".into()
        )
    );
    assert_eq!(refused("salary > 3"), (1, "unknown fact `salary`".into()));
    let e = parse("Age < 3").unwrap_err();
    assert_eq!(
        e.reason,
        Reason::UnknownFact {
            name: "Age".into(),
            suggestion: Some(Fact::Age)
        }
    );
}

#[test]
fn missing_values() {
    assert_eq!(
        refused("age >= "),
        (8, "expected a number after `>=`".into())
    );
    assert_eq!(
        refused("age >= and medical_need"),
        (8, "expected a number after `>=`".into())
    );
    assert_eq!(
        refused("employer_nation == )"),
        (20, "expected a nation code after `==`".into())
    );
    assert_eq!(
        refused("employer == "),
        (13, "expected text in double quotes after `==`".into())
    );
    assert_eq!(
        refused("documents contains"),
        (19, "expected a document kind after `contains`".into())
    );
    assert_eq!(
        refused("relationship in spouse"),
        (17, "expected a list in `[..]` after `in`".into())
    );
    assert_eq!(
        refused("relationship in [spouse,"),
        (25, "expected a relationship after `,`".into())
    );
}

#[test]
fn values_of_the_wrong_type() {
    assert_eq!(
        refused("age == old"),
        (
            8,
            "`age` is a number and cannot be compared with a word".into()
        )
    );
    assert_eq!(
        refused("age < \"18\""),
        (
            7,
            "`age` is a number and cannot be compared with text".into()
        )
    );
    assert_eq!(
        refused("employer == Norway"),
        (
            13,
            "`employer` is text and cannot be compared with a word; put text in double quotes, \
             like `\"Embassy of Norway\"`"
                .into()
        )
    );
    assert_eq!(
        refused("nationality in [\"AFG\"]"),
        (
            17,
            "`nationality` is a set of codes and cannot be compared with text; \
             write codes without quotes"
                .into()
        )
    );
    assert_eq!(
        refused("relationship == 2"),
        (
            17,
            "`relationship` is a code and cannot be compared with a number; \
             write codes without quotes"
                .into()
        )
    );
}

#[test]
fn badly_spelled_codes() {
    assert_eq!(
        refused("employer_nation == nor"),
        (
            20,
            "`nor` is not a nation code: nation codes are three capital letters, like `AFG`".into()
        )
    );
    assert_eq!(
        refused("relationship in [spouse, cousin]"),
        (
            26,
            "`cousin` is not a relationship: use one of principal, spouse, child, parent, \
             sibling, other_relative, dependant"
                .into()
        )
    );
    assert_eq!(
        refused("documents contains Passport"),
        (
            20,
            "`Passport` is not a document kind: document kinds are lower case, like `passport` \
             or `fi_residence_permit`"
                .into()
        )
    );
    assert_eq!(
        refused("sex == f"),
        (8, "`f` is not a sex: use one of female, male, other".into())
    );
}

#[test]
fn operators_that_do_not_fit_the_fact() {
    assert_eq!(
        refused("medical_need == yes"),
        (
            14,
            "`medical_need` is a yes/no fact: write `medical_need` or `not medical_need`".into()
        )
    );
    assert_eq!(
        refused("at_risk in [yes]"),
        (
            9,
            "`at_risk` is a yes/no fact: write `at_risk` or `not at_risk`".into()
        )
    );
    assert_eq!(
        refused("nationality == AFG"),
        (
            13,
            "`==` does not apply to `nationality`, which is a set of codes: \
             use `contains` or `in [..]`"
                .into()
        )
    );
    assert_eq!(
        refused("relationship < child"),
        (
            14,
            "`<` does not apply to `relationship`, which is a code: use `==`, `!=` or `in [..]`"
                .into()
        )
    );
    assert_eq!(
        refused("age in [1, 2]"),
        (
            5,
            "`in` does not apply to `age`, which is a number: \
             compare it with `==`, `!=`, `<`, `<=`, `>` or `>=`"
                .into()
        )
    );
    assert_eq!(
        refused("employer_nation contains NOR"),
        (
            17,
            "`contains` does not apply to `employer_nation`, which is a code: \
             use `==`, `!=` or `in [..]`"
                .into()
        )
    );
    assert_eq!(
        refused("employer > \"A\""),
        (
            10,
            "`>` does not apply to `employer`, which is text: \
             use `==`, `!=`, `in [..]` or `contains`"
                .into()
        )
    );
}

#[test]
fn facts_that_need_a_test() {
    assert_eq!(
        refused("age and medical_need"),
        (5, "`age` is a number: test it, like `age < 18`".into())
    );
    assert_eq!(
        refused("family_ties"),
        (
            12,
            "`family_ties` is a set of codes: test it, like `family_ties contains FIN`".into()
        )
    );
}

#[test]
fn symbols_from_other_languages() {
    assert_eq!(refused("age = 18"), (5, "write `==` instead of `=`".into()));
    assert_eq!(
        refused("medical_need && at_risk"),
        (14, "write `and` instead of `&&`".into())
    );
    assert_eq!(
        refused("medical_need || at_risk"),
        (14, "write `or` instead of `||`".into())
    );
    assert_eq!(
        refused("!medical_need"),
        (1, "write `not` instead of `!`".into())
    );
    assert_eq!(
        refused("age <> 18"),
        (5, "write `!=` instead of `<>`".into())
    );
    assert_eq!(
        refused("medical_need AND at_risk"),
        (14, "write `and` instead of `AND`".into())
    );
    assert_eq!(
        refused("(medical_need OR at_risk)"),
        (15, "write `or` instead of `OR`".into())
    );
    assert_eq!(
        refused("NOT medical_need"),
        (1, "write `not` instead of `NOT`".into())
    );
}

#[test]
fn characters_numbers_and_text() {
    assert_eq!(refused("age < 18;"), (9, "unexpected character `;`".into()));
    assert_eq!(
        refused("employer == «Botschaft»"),
        (13, "unexpected character `«`".into())
    );
    assert_eq!(refused("age < 18a"), (7, "`18a` is not a number".into()));
    assert_eq!(
        refused("years_of_service >= 1.5.2"),
        (21, "`1.5.2` is not a number".into())
    );
    assert_eq!(
        refused("employer == \"Embassy"),
        (13, "the text is not closed: a `\"` is missing".into())
    );
}

#[test]
fn structure() {
    assert_eq!(refused(""), (1, "the rule is empty".into()));
    assert_eq!(refused("  \n "), (1, "the rule is empty".into()));
    assert_eq!(
        refused("medical_need and"),
        (
            17,
            "expected a fact, `not` or `(`, found the end of the rule".into()
        )
    );
    assert_eq!(
        refused("and medical_need"),
        (1, "expected a fact, `not` or `(`, found `and`".into())
    );
    assert_eq!(
        refused("medical_need or 18"),
        (17, "expected a fact, `not` or `(`, found `18`".into())
    );
    assert_eq!(
        refused("(medical_need or at_risk"),
        (
            25,
            "expected `)` to close the `(` at column 1, found the end of the rule".into()
        )
    );
    assert_eq!(
        refused("medical_need)"),
        (13, "`)` has no matching `(`".into())
    );
    assert_eq!(
        refused("medical_need at_risk"),
        (
            14,
            "expected `and`, `or` or the end of the rule, found `at_risk`".into()
        )
    );
    assert_eq!(
        refused("relationship in []"),
        (17, "the list is empty".into())
    );
    assert_eq!(
        refused("relationship in [spouse child]"),
        (25, "expected `,` or `]` in the list, found `child`".into())
    );
}

#[test]
fn limits() {
    let deep = format!("{}medical_need{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(refused(&deep), (33, "the rule is nested too deeply".into()));
    let nots = format!("{}medical_need", "not ".repeat(40));
    assert_eq!(refused(&nots).1, "the rule is nested too deeply");
    let fine = format!("{}medical_need{}", "(".repeat(20), ")".repeat(20));
    parse(&fine).unwrap();

    let long = vec!["medical_need"; 200].join(" or ");
    assert_eq!(
        refused(&long),
        (2001, "the rule is longer than 2000 characters".into())
    );
}

#[test]
fn positions_count_lines_and_characters() {
    let e = parse("relationship == child\nand ägë < 18").unwrap_err();
    assert_eq!(e.position.line, 2);
    assert_eq!(e.position.column, 5);
    assert_eq!(e.position.offset, 26);
    assert_eq!(e.to_string(), "line 2, column 5: unexpected character `ä`");

    // Columns count characters, not bytes.
    let e = parse("employer == \"Kābul\" and yeers > 1").unwrap_err();
    assert_eq!(e.position.column, 25);
    assert_eq!(e.position.offset, 25);
}

#[test]
fn errors_serialise_with_a_code() {
    let e = parse("age >= ").unwrap_err();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "position": { "offset": 7, "line": 1, "column": 8 },
            "reason": { "code": "expected_value", "expected": "a number", "after": ">=" }
        })
    );
}
