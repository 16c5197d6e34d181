//! The fact catalogue: the fixed list of facts a rule may name, each with its
//! type, and [`Facts`], what is known about one person.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A fact a rule may name. The list is fixed: a rule naming anything else is
/// refused when it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    Nationality,
    Employer,
    EmployerNation,
    YearsOfService,
    Relationship,
    Age,
    Sex,
    FamilyTies,
    Documents,
    Province,
    MedicalNeed,
    UnaccompaniedMinor,
    AtRisk,
}

/// What kind of code a code fact holds; each kind has its own spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// ISO 3166-1 alpha-3, three capital letters: `AFG`, `NOR`.
    Nation,
    /// One of [`RELATIONSHIPS`].
    Relationship,
    /// One of [`SEXES`].
    Sex,
    /// A document kind in lower case: `passport`, `fi_residence_permit`.
    Document,
    /// A province in lower case: `kabul`, `nangarhar`.
    Province,
}

/// The type of a fact, checked when a rule is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
pub enum FactType {
    /// Yes or no, written bare: `medical_need`, `not at_risk`.
    YesNo,
    /// A number, compared with `== != < <= > >=`.
    Number,
    /// Free text, written in double quotes: `employer == "Embassy of Norway"`.
    Text,
    /// One code, compared with `==`, `!=` or `in [..]`.
    Code(CodeKind),
    /// Any number of codes, tested with `contains` or `in [..]`.
    CodeSet(CodeKind),
}

/// The relationships to the principal, as the registry spells them.
pub const RELATIONSHIPS: &[&str] = &[
    "principal",
    "spouse",
    "child",
    "parent",
    "sibling",
    "other_relative",
    "dependant",
];

/// The sexes a rule may name; an unknown sex is a missing fact.
pub const SEXES: &[&str] = &["female", "male", "other"];

/// Document kinds in common use. Other kinds in lower case are accepted too
/// (`fi_residence_permit`, `us_coe`), since every nation has its own.
pub const COMMON_DOCUMENTS: &[&str] = &[
    "passport",
    "tazkira",
    "national_id",
    "visa",
    "residence_permit",
    "employment_letter",
];

impl Fact {
    /// Every fact, in the order of the catalogue.
    pub const ALL: [Fact; 13] = [
        Fact::Nationality,
        Fact::Employer,
        Fact::EmployerNation,
        Fact::YearsOfService,
        Fact::Relationship,
        Fact::Age,
        Fact::Sex,
        Fact::FamilyTies,
        Fact::Documents,
        Fact::Province,
        Fact::MedicalNeed,
        Fact::UnaccompaniedMinor,
        Fact::AtRisk,
    ];

    /// The name written in rules.
    pub fn name(self) -> &'static str {
        match self {
            Fact::Nationality => "nationality",
            Fact::Employer => "employer",
            Fact::EmployerNation => "employer_nation",
            Fact::YearsOfService => "years_of_service",
            Fact::Relationship => "relationship",
            Fact::Age => "age",
            Fact::Sex => "sex",
            Fact::FamilyTies => "family_ties",
            Fact::Documents => "documents",
            Fact::Province => "province",
            Fact::MedicalNeed => "medical_need",
            Fact::UnaccompaniedMinor => "unaccompanied_minor",
            Fact::AtRisk => "at_risk",
        }
    }

    /// The fact with this name, written exactly (lower case).
    pub fn from_name(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn fact_type(self) -> FactType {
        match self {
            Fact::Nationality | Fact::FamilyTies => FactType::CodeSet(CodeKind::Nation),
            Fact::Documents => FactType::CodeSet(CodeKind::Document),
            Fact::Employer => FactType::Text,
            Fact::EmployerNation => FactType::Code(CodeKind::Nation),
            Fact::Relationship => FactType::Code(CodeKind::Relationship),
            Fact::Sex => FactType::Code(CodeKind::Sex),
            Fact::Province => FactType::Code(CodeKind::Province),
            Fact::YearsOfService | Fact::Age => FactType::Number,
            Fact::MedicalNeed | Fact::UnaccompaniedMinor | Fact::AtRisk => FactType::YesNo,
        }
    }

    /// One line for the HQ form, explaining what the fact means.
    pub fn description(self) -> &'static str {
        match self {
            Fact::Nationality => "the nations whose nationality the person holds",
            Fact::Employer => "the person's employer, as written on the case",
            Fact::EmployerNation => "the nation the employer belongs to (an embassy, a force)",
            Fact::YearsOfService => "years worked for that employer",
            Fact::Relationship => "relationship to the principal; `principal` for the principal",
            Fact::Age => "age in whole years",
            Fact::Sex => "female, male or other",
            Fact::FamilyTies => "nations where close family lives as citizens or residents",
            Fact::Documents => "kinds of document the person holds",
            Fact::Province => "province of residence",
            Fact::MedicalNeed => "needs medical care or evacuation on medical grounds",
            Fact::UnaccompaniedMinor => "a child travelling without a parent or guardian",
            Fact::AtRisk => "at particular risk (officials, journalists, activists, judges)",
        }
    }

    /// An example rule using the fact, for the HQ form.
    pub fn example(self) -> &'static str {
        match self {
            Fact::Nationality => "nationality in [AFG]",
            Fact::Employer => "employer contains \"embassy\"",
            Fact::EmployerNation => "employer_nation == NOR",
            Fact::YearsOfService => "years_of_service >= 2",
            Fact::Relationship => "relationship in [spouse, child]",
            Fact::Age => "age < 18",
            Fact::Sex => "sex == female",
            Fact::FamilyTies => "family_ties contains FIN",
            Fact::Documents => "documents contains fi_residence_permit",
            Fact::Province => "province in [kabul, parwan]",
            Fact::MedicalNeed => "medical_need",
            Fact::UnaccompaniedMinor => "unaccompanied_minor",
            Fact::AtRisk => "not at_risk",
        }
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CodeKind {
    /// Whether `word` is spelled as a code of this kind.
    pub fn accepts(self, word: &str) -> bool {
        match self {
            CodeKind::Nation => word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase()),
            CodeKind::Relationship => RELATIONSHIPS.contains(&word),
            CodeKind::Sex => SEXES.contains(&word),
            CodeKind::Document | CodeKind::Province => {
                let mut bytes = word.bytes();
                bytes.next().is_some_and(|b| b.is_ascii_lowercase())
                    && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            }
        }
    }

    /// How codes of this kind are spelled, for error messages.
    pub fn spelling(self) -> String {
        match self {
            CodeKind::Nation => "nation codes are three capital letters, like `AFG`".into(),
            CodeKind::Relationship => format!("use one of {}", RELATIONSHIPS.join(", ")),
            CodeKind::Sex => format!("use one of {}", SEXES.join(", ")),
            CodeKind::Document => {
                "document kinds are lower case, like `passport` or `fi_residence_permit`".into()
            }
            CodeKind::Province => "provinces are lower case, like `kabul`".into(),
        }
    }

    /// The noun for a code of this kind: "a nation code".
    pub fn noun(self) -> &'static str {
        match self {
            CodeKind::Nation => "a nation code",
            CodeKind::Relationship => "a relationship",
            CodeKind::Sex => "a sex",
            CodeKind::Document => "a document kind",
            CodeKind::Province => "a province",
        }
    }
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FactType::YesNo => "a yes/no fact",
            FactType::Number => "a number",
            FactType::Text => "text",
            FactType::Code(_) => "a code",
            FactType::CodeSet(_) => "a set of codes",
        })
    }
}

/// One entry of the catalogue as the HQ form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactInfo {
    pub name: String,
    pub fact_type: FactType,
    /// "a number", "a set of codes", ...
    pub type_label: String,
    pub description: String,
    pub example: String,
}

/// The whole catalogue, for the HQ form and the API.
pub fn catalogue() -> Vec<FactInfo> {
    Fact::ALL
        .into_iter()
        .map(|f| FactInfo {
            name: f.name().into(),
            fact_type: f.fact_type(),
            type_label: f.fact_type().to_string(),
            description: f.description().into(),
            example: f.example().into(),
        })
        .collect()
}

/// What is known about one person. `None` is unknown; a rule that needs an
/// unknown fact gives "needs information" unless the answer does not depend
/// on it. An empty list is known: the person holds none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Facts {
    /// Nation codes (`AFG`); codes and text match regardless of case.
    pub nationality: Option<Vec<String>>,
    pub employer: Option<String>,
    pub employer_nation: Option<String>,
    pub years_of_service: Option<f64>,
    /// As the registry spells it (`spouse`, `other_relative`); the principal's
    /// is always taken as `principal`.
    pub relationship: Option<String>,
    pub age: Option<u32>,
    /// `female`, `male` or `other`; an unknown sex is `None`.
    pub sex: Option<String>,
    pub family_ties: Option<Vec<String>>,
    pub documents: Option<Vec<String>>,
    pub province: Option<String>,
    pub medical_need: Option<bool>,
    pub unaccompanied_minor: Option<bool>,
    pub at_risk: Option<bool>,
}

/// A known fact's value, as the evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Known<'a> {
    YesNo(bool),
    Number(f64),
    Word(&'a str),
    Words(&'a [String]),
}

impl Facts {
    /// The value of `fact`, or `None` when it is unknown. A number that is not
    /// finite counts as unknown.
    pub(crate) fn get(&self, fact: Fact) -> Option<Known<'_>> {
        fn word(w: &Option<String>) -> Option<Known<'_>> {
            w.as_deref().map(Known::Word)
        }
        fn words(w: &Option<Vec<String>>) -> Option<Known<'_>> {
            w.as_deref().map(Known::Words)
        }
        match fact {
            Fact::Nationality => words(&self.nationality),
            Fact::Employer => word(&self.employer),
            Fact::EmployerNation => word(&self.employer_nation),
            Fact::YearsOfService => self
                .years_of_service
                .filter(|y| y.is_finite())
                .map(Known::Number),
            Fact::Relationship => word(&self.relationship),
            Fact::Age => self.age.map(|a| Known::Number(f64::from(a))),
            Fact::Sex => word(&self.sex),
            Fact::FamilyTies => words(&self.family_ties),
            Fact::Documents => words(&self.documents),
            Fact::Province => word(&self.province),
            Fact::MedicalNeed => self.medical_need.map(Known::YesNo),
            Fact::UnaccompaniedMinor => self.unaccompanied_minor.map(Known::YesNo),
            Fact::AtRisk => self.at_risk.map(Known::YesNo),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for f in Fact::ALL {
            assert_eq!(Fact::from_name(f.name()), Some(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.name());
        }
        assert_eq!(Fact::from_name("Age"), None);
    }

    #[test]
    fn every_fact_is_a_field_of_facts() {
        let all = serde_json::to_value(Facts::default()).unwrap();
        let fields: Vec<&String> = all.as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), Fact::ALL.len());
        for f in Fact::ALL {
            assert!(all.get(f.name()).is_some(), "{f}");
        }
    }

    #[test]
    fn the_guide_lists_every_fact() {
        let guide = include_str!("lib.rs");
        for f in Fact::ALL {
            assert!(guide.contains(&format!("//! | `{f}` |")), "{f}");
        }
    }

    #[test]
    fn code_spellings() {
        assert!(CodeKind::Nation.accepts("AFG"));
        assert!(!CodeKind::Nation.accepts("afg"));
        assert!(!CodeKind::Nation.accepts("AF"));
        assert!(CodeKind::Relationship.accepts("other_relative"));
        assert!(!CodeKind::Relationship.accepts("cousin"));
        assert!(CodeKind::Document.accepts("fi_residence_permit"));
        assert!(!CodeKind::Document.accepts("Passport"));
        assert!(!CodeKind::Province.accepts("_kabul"));
    }
}
