//! A person in the registry: every field here is personal data. The store
//! keeps these details as one sealed record per person, so that encryption at
//! rest and the burn can treat them as one thing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::PersonId;
use crate::dates::DateOfBirth;
use crate::validation::{self, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Principal,
    Spouse,
    Child,
    Parent,
    Sibling,
    OtherRelative,
    Dependant,
}

impl Relationship {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Principal => "principal",
            Self::Spouse => "spouse",
            Self::Child => "child",
            Self::Parent => "parent",
            Self::Sibling => "sibling",
            Self::OtherRelative => "other_relative",
            Self::Dependant => "dependant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Principal => "Principal",
            Self::Spouse => "Spouse",
            Self::Child => "Child",
            Self::Parent => "Parent",
            Self::Sibling => "Sibling",
            Self::OtherRelative => "Other relative",
            Self::Dependant => "Dependant",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    Tazkira,
    NationalId,
    Visa,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub kind: DocumentKind,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Phone,
    Email,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub kind: ContactKind,
    pub value: String,
}

/// Everything known about one member of a household. Also the input shape:
/// the API takes exactly these fields, and refuses any other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonDetails {
    pub relationship: Relationship,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father_name: Option<String>,
    /// The full name in the person's own script (Perso-Arabic for most Afghans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name_native: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<DateOfBirth>,
    #[serde(default)]
    pub sex: Sex,
    /// ISO 3166-1 alpha-2 or alpha-3 codes.
    #[serde(default)]
    pub nationalities: Vec<String>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    /// ISO 3166-1 alpha-3 of the nation the employer belongs to (an embassy, a
    /// force): what most schemes' rules ask first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_nation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_of_service: Option<f32>,
    /// Nations where close family lives as citizens or residents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family_ties: Vec<String>,
    /// At particular risk (officials, journalists, activists, judges).
    /// `None` is not known, which the scheme rules tell apart from no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_need: Option<bool>,
}

pub type NewPerson = PersonDetails;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: PersonId,
    #[serde(flatten)]
    pub details: PersonDetails,
}

impl PersonDetails {
    /// A name to show: Latin parts if any, else the native-script name.
    pub fn display_name(&self) -> String {
        let latin: Vec<&str> = [&self.given_name, &self.family_name]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if latin.is_empty() {
            self.full_name_native.clone().unwrap_or_default()
        } else {
            latin.join(" ")
        }
    }

    /// Lower-cased name words, for the case list's name search.
    pub fn name_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = [
            &self.given_name,
            &self.family_name,
            &self.father_name,
            &self.full_name_native,
        ]
        .into_iter()
        .flatten()
        .flat_map(|n| name_words(n))
        .collect();
        tokens.sort();
        tokens.dedup();
        tokens
    }

    pub fn check(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let names = [
            ("given_name", &self.given_name),
            ("family_name", &self.family_name),
            ("father_name", &self.father_name),
            ("full_name_native", &self.full_name_native),
        ];
        for (field, value) in names {
            validation::optional_text(&mut e, field, value.as_deref(), 100);
        }
        if names
            .iter()
            .all(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
        {
            e.push(
                "given_name",
                "name_required",
                "a person needs a name in at least one script",
            );
        }
        if let Some(dob) = &self.date_of_birth {
            dob.check("date_of_birth", today, &mut e);
        }
        for (i, n) in self.nationalities.iter().enumerate() {
            if !((2..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_uppercase())) {
                e.push(
                    format!("nationalities[{i}]"),
                    "iso_3166",
                    "must be an ISO 3166-1 code in capitals",
                );
            }
        }
        for (i, d) in self.documents.iter().enumerate() {
            let n = d.number.trim();
            if n.is_empty()
                || n.len() > 30
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
            {
                e.push(
                    format!("documents[{i}].number"),
                    "document_number",
                    "must be 1 to 30 letters, digits or hyphens",
                );
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            let field = format!("contacts[{i}].value");
            match c.kind {
                ContactKind::Phone => {
                    let digits = c.value.strip_prefix('+').unwrap_or(&c.value);
                    if !(c.value.starts_with('+')
                        && (8..=15).contains(&digits.len())
                        && digits.bytes().all(|b| b.is_ascii_digit()))
                    {
                        e.push(
                            field,
                            "e164",
                            "must be an E.164 number such as +93701234567",
                        );
                    }
                }
                ContactKind::Email => {
                    let ok = c.value.len() <= 254
                        && c.value.split_once('@').is_some_and(|(l, d)| {
                            !l.is_empty() && d.contains('.') && !d.starts_with('.')
                        })
                        && !c.value.chars().any(char::is_whitespace);
                    if !ok {
                        e.push(
                            field,
                            "email",
                            "must be an e-mail address such as name@example.org",
                        );
                    }
                }
            }
        }
        validation::optional_text(&mut e, "province", self.province.as_deref(), 100);
        validation::optional_text(&mut e, "employer", self.employer.as_deref(), 200);
        if let Some(n) = &self.employer_nation {
            validation::nation_code(&mut e, "employer_nation", n);
        }
        if self
            .years_of_service
            .is_some_and(|y| !(0.0..=70.0).contains(&y))
        {
            e.push("years_of_service", "years_range", "must be 0 to 70 years");
        }
        for (i, n) in self.family_ties.iter().enumerate() {
            validation::nation_code(&mut e, &format!("family_ties[{i}]"), n);
        }
        e.into_result()
    }
}

/// Splits a name into lower-cased words, across scripts.
pub fn name_words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl PersonDetails {
    /// A person known by a given name alone: everything else unknown. Forms
    /// and tests fill in the rest.
    pub fn named(relationship: Relationship, given: &str) -> Self {
        PersonDetails {
            relationship,
            given_name: Some(given.to_owned()),
            family_name: None,
            father_name: None,
            full_name_native: None,
            date_of_birth: None,
            sex: Sex::Unknown,
            nationalities: vec![],
            documents: vec![],
            contacts: vec![],
            province: None,
            employer: None,
            employer_nation: None,
            years_of_service: None,
            family_ties: Vec::new(),
            at_risk: None,
            medical_need: None,
        }
    }
}

#[cfg(test)]
pub(crate) fn sample(relationship: Relationship, given: &str) -> PersonDetails {
    PersonDetails {
        family_name: Some("Ahmadzai".into()),
        nationalities: vec!["AF".into()],
        ..PersonDetails::named(relationship, given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, 15).unwrap()
    }

    #[test]
    fn a_name_in_any_script_is_enough() {
        let mut p = sample(Relationship::Principal, "Nabi");
        p.given_name = None;
        p.family_name = None;
        p.full_name_native = Some("محمد نبی".into());
        assert!(p.check(today()).is_ok());
        p.full_name_native = Some("  ".into());
        let rules: Vec<_> = p
            .check(today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert!(rules.contains(&"name_required".to_string()));
    }

    #[test]
    fn contacts_must_be_plausible() {
        let mut p = sample(Relationship::Principal, "Nabi");
        p.contacts = vec![
            Contact {
                kind: ContactKind::Phone,
                value: "0701234567".into(),
            },
            Contact {
                kind: ContactKind::Email,
                value: "nabi@example.org".into(),
            },
            Contact {
                kind: ContactKind::Email,
                value: "nabi at example".into(),
            },
        ];
        let fields: Vec<_> = p
            .check(today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["contacts[0].value", "contacts[2].value"]);
    }

    #[test]
    fn name_tokens_cover_both_scripts() {
        let mut p = sample(Relationship::Principal, "Mohammad Nabi");
        p.full_name_native = Some("محمد نبی".into());
        assert_eq!(
            p.name_tokens(),
            ["ahmadzai", "mohammad", "nabi", "محمد", "نبی"]
        );
    }
}
