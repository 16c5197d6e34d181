//! Example schemes modelled on the Kabul evacuation of August 2021, for
//! demonstrations, tests and as starting points for HQ. They are simplified:
//! the real programmes had more conditions and changed during the airlift.

use serde::Serialize;

use crate::scheme::{PriorityRule, SchemeRules};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleScheme {
    /// Short code (`NOR-LES`).
    pub code: &'static str,
    pub name: &'static str,
    /// The nation running the scheme.
    pub nation: &'static str,
    pub quota_principals: Option<u32>,
    pub quota_persons: Option<u32>,
    pub rules: SchemeRules,
}

fn rules(
    eligibility: &[&str],
    family: &[&str],
    priority: &[(u8, &str)],
    default_tier: u8,
) -> SchemeRules {
    SchemeRules {
        eligibility: eligibility.iter().map(|r| (*r).into()).collect(),
        family: family.iter().map(|r| (*r).into()).collect(),
        priority: (priority.iter())
            .map(|(tier, rule)| PriorityRule {
                tier: *tier,
                rule: (*rule).into(),
            })
            .collect(),
        default_tier,
    }
}

/// Norway: locally employed staff of the embassy, with immediate family.
pub fn nor_les() -> ExampleScheme {
    ExampleScheme {
        code: "NOR-LES",
        name: "Locally employed staff of the Norwegian embassy",
        nation: "NOR",
        quota_principals: None,
        quota_persons: None,
        rules: rules(
            &["nationality in [AFG] and employer_nation == NOR and years_of_service >= 2"],
            &[
                "relationship == spouse",
                "relationship == child and age < 18",
            ],
            &[
                (1, "medical_need"),
                (2, "unaccompanied_minor"),
                (2, "at_risk"),
            ],
            3,
        ),
    }
}

/// Finland: up to 130 principals with ties to Finland, plus their families.
pub fn fin_130() -> ExampleScheme {
    ExampleScheme {
        code: "FIN-130",
        name: "Persons with ties to Finland",
        nation: "FIN",
        quota_principals: Some(130),
        quota_persons: None,
        rules: rules(
            &[
                "family_ties contains FIN or documents contains fi_residence_permit",
                "employer_nation == FIN",
            ],
            &[
                "relationship == spouse",
                "relationship == child and age < 18",
                "relationship == parent and medical_need",
            ],
            &[(1, "medical_need"), (2, "at_risk")],
            3,
        ),
    }
}

/// Germany: local staff (Ortskräfte) of German ministries and agencies, and
/// people on the list of those at particular risk.
pub fn deu_ok() -> ExampleScheme {
    ExampleScheme {
        code: "DEU-OK",
        name: "Local staff and persons at particular risk",
        nation: "DEU",
        quota_principals: None,
        quota_persons: None,
        rules: rules(
            &[
                "employer_nation == DEU",
                "at_risk and nationality contains AFG",
            ],
            &[
                "relationship == spouse",
                "relationship == child and age < 18",
            ],
            &[(1, "medical_need"), (2, "unaccompanied_minor")],
            3,
        ),
    }
}

/// The United Kingdom: the Afghan Relocations and Assistance Policy.
pub fn gbr_arap() -> ExampleScheme {
    ExampleScheme {
        code: "GBR-ARAP",
        name: "Afghan Relocations and Assistance Policy",
        nation: "GBR",
        quota_principals: None,
        quota_persons: None,
        rules: rules(
            &[
                "employer_nation == GBR and at_risk",
                "employer_nation == GBR and years_of_service >= 1 and nationality in [AFG]",
            ],
            &[
                "relationship == spouse",
                "relationship == child and age < 18",
                "relationship in [parent, sibling, other_relative] and at_risk",
            ],
            &[(1, "medical_need"), (2, "at_risk")],
            3,
        ),
    }
}

/// The United States: Special Immigrant Visas for those employed by or on
/// behalf of the US government.
pub fn usa_siv() -> ExampleScheme {
    ExampleScheme {
        code: "USA-SIV",
        name: "Special Immigrant Visa",
        nation: "USA",
        quota_principals: None,
        quota_persons: None,
        rules: rules(
            &["nationality in [AFG] and employer_nation == USA and years_of_service >= 1"],
            &[
                "relationship == spouse",
                "relationship == child and age < 21",
            ],
            &[(1, "medical_need or unaccompanied_minor"), (2, "at_risk")],
            4,
        ),
    }
}

/// All the example schemes.
pub fn kabul_2021() -> Vec<ExampleScheme> {
    vec![nor_les(), fin_130(), deu_ok(), gbr_arap(), usa_siv()]
}
