//! A household as a person types it into a form: every value a string, as
//! given (`1360`, `070 123 4567`, `Heraat`), checked by the same rules as an
//! import row and turned into a `NewCase`. The self-registration page, its
//! JSON API and the officer's form all come through here.
//!
//! Errors name the form's fields (`members[1].date_of_birth`, `phone`), so
//! that a page can show each next to its input.

use std::collections::HashMap;

use domain::SchemeId;
use domain::case::{Case, NewCase};
use domain::dates::{Calendar, DateOfBirth};
use domain::person::{ContactKind, DocumentKind, PersonDetails, Relationship, Sex};
use domain::validation::ValidationErrors;
use formats::import::{ColumnMapping, Field, RawRow, ValidationOptions, map_columns, validate_row};
use serde::{Deserialize, Serialize};

use crate::person::{field_of, parse_relationship, person};

/// One member of a household, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// `principal`, `spouse`, `child`, … (the first member is the principal
    /// when left out).
    #[serde(default)]
    pub relationship: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub father_name: Option<String>,
    /// The full name in Dari or Pashto script.
    #[serde(default)]
    pub full_name_native: Option<String>,
    /// As on the person's documents: `1981-03-21`, `21.03.1981`, `1360`,
    /// `1360/05/12`, `SH:1360`, or an age in years.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub sex: Option<String>,
    /// ISO 3166 code or a country's name.
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub tazkira_number: Option<String>,
    #[serde(default)]
    pub passport_number: Option<String>,
    /// A passport's machine-readable zone, lines as scanned.
    #[serde(default)]
    pub mrz: Option<String>,
    #[serde(default)]
    pub employer: Option<String>,
    /// The nation the employer belongs to: `Norway`, `NOR`.
    #[serde(default)]
    pub employer_nation: Option<String>,
    #[serde(default)]
    pub years_of_service: Option<String>,
    /// Countries where close family lives, separated by commas.
    #[serde(default)]
    pub family_ties: Option<String>,
    /// `yes`, `no` or blank (not known).
    #[serde(default)]
    pub at_risk: Option<String>,
    /// `yes`, `no` or blank (not known).
    #[serde(default)]
    pub medical_need: Option<String>,
}

/// A household, as typed: contact, province and needs are the household's;
/// the members are listed with the principal first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    /// The language for messages to the household (`fa`, `ps`, `en`, …).
    #[serde(default)]
    pub language: Option<String>,
    /// The code of the scheme applied for (`NOR-LES`).
    #[serde(default)]
    pub scheme: Option<String>,
    /// A phone number that reaches the household (`070 123 4567`, `+93…`).
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Where the household is now: one of the 34 provinces, as written.
    #[serde(default)]
    pub province: Option<String>,
    /// Medical needs, disabilities, anything the gate should know.
    #[serde(default)]
    pub special_needs: Option<String>,
    pub members: Vec<MemberInput>,
}

/// The canonical columns, in order, so that a member is an import row.
/// Worked out once: every registration reads it.
fn canonical() -> &'static ColumnMapping {
    static MAPPING: std::sync::LazyLock<ColumnMapping> = std::sync::LazyLock::new(|| {
        let header: Vec<String> = Field::ALL.iter().map(|f| f.as_str().to_owned()).collect();
        map_columns(&header, &[]).expect("canonical columns map to themselves")
    });
    &MAPPING
}

/// The form field a checked field belongs to.
fn form_field(member: usize, field: Field) -> String {
    match field {
        Field::Phone | Field::Email | Field::Province | Field::Scheme => field.as_str().to_owned(),
        f => format!("members[{member}].{}", f.as_str()),
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl HouseholdInput {
    /// Checks every value and builds the case. `schemes` maps the operation's
    /// scheme codes (upper case) to their ids.
    pub fn to_case(
        &self,
        schemes: &HashMap<String, SchemeId>,
        options: &ValidationOptions,
    ) -> Result<NewCase, ValidationErrors> {
        let mapping = canonical();
        let mut errors = ValidationErrors::default();
        let mut members = Vec::with_capacity(self.members.len());
        for (i, m) in self.members.iter().enumerate() {
            let relationship = match given(&m.relationship) {
                None if i == 0 => Some(Relationship::Principal),
                None => {
                    errors.push(
                        format!("members[{i}].relationship"),
                        "required",
                        "say how this person is related to the principal",
                    );
                    None
                }
                Some(word) => {
                    let r = parse_relationship(word);
                    if r.is_none() {
                        errors.push(
                            format!("members[{i}].relationship"),
                            "relationship",
                            "must be principal, spouse, child, parent, sibling, other_relative or dependant",
                        );
                    }
                    r
                }
            };
            let principal = relationship == Some(Relationship::Principal);
            let row = RawRow {
                line: i as u64 + 1,
                cells: Field::ALL
                    .iter()
                    .map(|f| self.cell(m, *f, principal).unwrap_or_default())
                    .collect(),
            };
            match validate_row(&row, mapping, options) {
                Err(errs) => {
                    for e in errs {
                        errors.push(form_field(i, e.field), &e.rule, e.message);
                    }
                }
                Ok(valid) => {
                    let mut details = person(&valid);
                    if let Some(r) = relationship {
                        details.relationship = r;
                    }
                    crate::circumstances::apply(m, i, &mut details, &mut errors);
                    // The domain's own checks, reported against the form's fields.
                    if let Err(e) = details.check(options.today) {
                        for fe in e.0 {
                            let field = field_of(&details, &fe.field);
                            errors.push(form_field(i, field), &fe.rule, fe.message);
                        }
                    }
                    members.push(details);
                }
            }
        }
        let scheme_id = match given(&self.scheme) {
            None => None,
            Some(code) => {
                let id = schemes.get(&code.to_uppercase()).copied();
                if id.is_none() {
                    errors.push(
                        "scheme",
                        "known_scheme",
                        "no scheme of the operation has this code",
                    );
                }
                id
            }
        };
        let case = NewCase {
            scheme_id,
            special_needs: given(&self.special_needs).map(str::to_owned),
            language: given(&self.language).map(str::to_owned),
            members,
            ..Default::default()
        };
        if errors.0.is_empty() {
            // Household rules: one principal, at most 40 members, a language tag.
            case.check(options.today)?;
            Ok(case)
        } else {
            let household = NewCase {
                members: Vec::new(),
                ..case
            };
            if let Err(e) = household.check(options.today) {
                // The household's own fields; member errors are already listed.
                errors
                    .0
                    .extend(e.0.into_iter().filter(|f| !f.field.starts_with("members")));
            }
            Err(errors)
        }
    }

    /// The value a member's import column takes: household contact and
    /// scheme go with the principal, the province with everyone.
    fn cell(&self, m: &MemberInput, field: Field, principal: bool) -> Option<String> {
        let v = match field {
            Field::HouseholdRef | Field::Relationship | Field::Scheme => return None,
            Field::GivenName => &m.given_name,
            Field::FamilyName => &m.family_name,
            Field::FatherName => &m.father_name,
            Field::FullNameNative => &m.full_name_native,
            Field::DateOfBirth => &m.date_of_birth,
            Field::Sex => &m.sex,
            Field::Nationality => &m.nationality,
            Field::TazkiraNumber => &m.tazkira_number,
            Field::PassportNumber => &m.passport_number,
            Field::Mrz => &m.mrz,
            Field::Employer => &m.employer,
            Field::Province => &self.province,
            Field::Phone if principal => &self.phone,
            Field::Email if principal => &self.email,
            Field::Phone | Field::Email => return None,
        };
        v.clone()
    }

    /// A stored case as the form shows it, for the household to correct.
    /// Given back through [`HouseholdInput::to_case`] it gives the same case.
    pub fn from_case(case: &Case, scheme_code: Option<&str>) -> Self {
        let principal = case.principal().map(|p| &p.details);
        let contact = |kind: ContactKind| {
            principal.and_then(|p| {
                p.contacts
                    .iter()
                    .find(|c| c.kind == kind)
                    .map(|c| c.value.clone())
            })
        };
        let mut members: Vec<&PersonDetails> = case.members.iter().map(|m| &m.details).collect();
        // The principal first, as the form lists them.
        members.sort_by_key(|m| m.relationship != Relationship::Principal);
        HouseholdInput {
            language: case.language.clone(),
            scheme: scheme_code.map(str::to_owned),
            phone: contact(ContactKind::Phone),
            email: contact(ContactKind::Email),
            province: principal.and_then(|p| p.province.clone()),
            special_needs: case.special_needs.clone(),
            members: members.into_iter().map(member_input).collect(),
        }
    }
}

fn member_input(d: &PersonDetails) -> MemberInput {
    let mut m = identity_input(d);
    crate::circumstances::show(d, &mut m);
    m
}

fn identity_input(d: &PersonDetails) -> MemberInput {
    let document = |kind: DocumentKind| {
        d.documents
            .iter()
            .find(|x| x.kind == kind)
            .map(|x| x.number.clone())
    };
    MemberInput {
        relationship: Some(d.relationship.as_str().to_owned()),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        father_name: d.father_name.clone(),
        full_name_native: d.full_name_native.clone(),
        date_of_birth: d.date_of_birth.as_ref().map(date_text),
        sex: match d.sex {
            Sex::Female => Some("female".into()),
            Sex::Male => Some("male".into()),
            Sex::Other => Some("other".into()),
            Sex::Unknown => None,
        },
        nationality: d.nationalities.first().cloned(),
        tazkira_number: document(DocumentKind::Tazkira),
        passport_number: document(DocumentKind::Passport),
        mrz: None,
        employer: d.employer.clone(),
        ..MemberInput::default()
    }
}

/// A stored date written so that the date parser reads it back the same:
/// `1981-03-21`, `03/1981`, `1981`, `SH:1360/05/12`.
pub fn date_text(d: &DateOfBirth) -> String {
    let prefix = match d.calendar {
        Calendar::SolarHijri => "SH:",
        Calendar::Gregorian => "",
    };
    match (d.calendar, d.month, d.day) {
        (Calendar::Gregorian, Some(m), Some(day)) => {
            format!("{:04}-{m:02}-{day:02}", d.year)
        }
        (Calendar::Gregorian, Some(m), None) => format!("{m:02}/{:04}", d.year),
        (_, Some(m), Some(day)) => format!("{prefix}{:04}/{m:02}/{day:02}", d.year),
        (_, Some(m), None) => format!("{prefix}{:04}/{m:02}", d.year),
        (_, None, _) => format!("{prefix}{:04}", d.year),
    }
}

/// Keeps what a form cannot show (a passport's issuer and expiry read from
/// its MRZ) when a correction leaves the document's number unchanged.
pub fn keep_document_details(before: &PersonDetails, after: &mut PersonDetails) {
    for doc in &mut after.documents {
        if let Some(old) = before
            .documents
            .iter()
            .find(|o| o.kind == doc.kind && o.number == doc.number)
        {
            *doc = old.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use domain::person::Person;
    use domain::{CaseId, CaseStatus, OperationId, PersonId};

    fn options() -> ValidationOptions {
        ValidationOptions::afghan(NaiveDate::from_ymd_opt(2021, 8, 20).unwrap())
    }

    fn schemes() -> HashMap<String, SchemeId> {
        HashMap::from([("NOR-LES".to_owned(), SchemeId::new())])
    }

    fn nabi() -> HouseholdInput {
        HouseholdInput {
            language: Some("fa".into()),
            scheme: Some("nor-les".into()),
            phone: Some("070 123 4567".into()),
            email: None,
            province: Some("Heraat".into()),
            special_needs: Some("wheelchair".into()),
            members: vec![
                MemberInput {
                    given_name: Some("Mohammad Nabi".into()),
                    family_name: Some("Ahmadzai".into()),
                    full_name_native: Some("محمد نبی احمدزی".into()),
                    date_of_birth: Some("۱۳۶۰/۰۵/۱۲".into()),
                    sex: Some("M".into()),
                    nationality: Some("Afghan".into()),
                    tazkira_number: Some("1390-0101-12345".into()),
                    employer: Some("Embassy of Norway".into()),
                    ..Default::default()
                },
                MemberInput {
                    relationship: Some("wife".into()),
                    given_name: Some("Mariam".into()),
                    date_of_birth: Some("12.05.1985".into()),
                    sex: Some("female".into()),
                    ..Default::default()
                },
                MemberInput {
                    relationship: Some("son".into()),
                    full_name_native: Some("عمید".into()),
                    date_of_birth: Some("1390".into()),
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn a_typed_household_becomes_a_case() {
        let case = nabi().to_case(&schemes(), &options()).unwrap();
        assert_eq!(case.language.as_deref(), Some("fa"));
        assert!(case.scheme_id.is_some());
        let p = &case.members[0];
        assert_eq!(p.relationship, Relationship::Principal);
        assert_eq!(p.province.as_deref(), Some("Herat"));
        assert_eq!(p.contacts[0].value, "+93701234567");
        let dob = p.date_of_birth.unwrap();
        assert_eq!(
            (dob.calendar, dob.year, dob.month, dob.day),
            (Calendar::SolarHijri, 1360, Some(5), Some(12))
        );
        assert_eq!(case.members[1].relationship, Relationship::Spouse);
        assert!(
            case.members[1].contacts.is_empty(),
            "contact goes with the principal"
        );
        assert_eq!(case.members[2].relationship, Relationship::Child);
        assert_eq!(case.members[2].province.as_deref(), Some("Herat"));
    }

    #[test]
    fn errors_name_the_form_field_and_rule() {
        let mut h = nabi();
        h.phone = Some("12".into());
        h.scheme = Some("XX-1".into());
        h.members[1].date_of_birth = Some("2030-01-01".into());
        h.members[1].relationship = Some("neighbour".into());
        h.members[2].full_name_native = None;
        let errs = h.to_case(&schemes(), &options()).unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect();
        let fields: Vec<&str> = got.iter().map(|g| g.0).collect();
        for f in [
            "phone",
            "scheme",
            "members[1].date_of_birth",
            "members[1].relationship",
            "members[2].given_name",
        ] {
            assert!(fields.contains(&f), "{f} missing from {got:?}");
        }
        // No message repeats the value given.
        assert!(errs.0.iter().all(|e| !e.message.contains("2030")));
    }

    #[test]
    fn household_rules_still_apply() {
        let mut h = nabi();
        h.members[1].relationship = Some("principal".into());
        let errs = h.to_case(&schemes(), &options()).unwrap_err();
        assert_eq!(errs.0[0].rule, "one_principal");
    }

    #[test]
    fn a_bad_mrz_names_its_check_digit() {
        let mut h = nabi();
        h.members[0].mrz = Some(
            "P<AFGAHMADZAI<<MOHAMMAD<NABI<<<<<<<<<<<<<<<<\nP012345670AFG8103210M3001013<<<<<<<<<<<<<<08".into(),
        );
        let errs = h.to_case(&schemes(), &options()).unwrap_err();
        assert_eq!(errs.0[0].field, "members[0].mrz");
        assert!(errs.0[0].rule.contains("check_digit"), "{:?}", errs.0[0]);
    }

    #[test]
    fn a_stored_case_comes_back_as_typed() {
        let schemes = schemes();
        let new = nabi().to_case(&schemes, &options()).unwrap();
        let case = Case {
            id: CaseId::new(),
            operation_id: OperationId::parse("kabul-2021").unwrap(),
            reference: "AF-000001".into(),
            status: CaseStatus::Registered,
            scheme_id: new.scheme_id,
            tier: None,
            tier_overridden: false,
            special_needs: new.special_needs.clone(),
            language: new.language.clone(),
            follow_up: None,
            source: "self_registration".into(),
            members: new
                .members
                .iter()
                .map(|d| Person {
                    id: PersonId::new(),
                    details: d.clone(),
                })
                .collect(),
            movement_id: None,
            processing_slot: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let shown = HouseholdInput::from_case(&case, Some("NOR-LES"));
        let again = shown.to_case(&schemes, &options()).unwrap();
        assert_eq!(again, new);
    }

    #[test]
    fn dates_are_written_as_the_parser_reads_them() {
        let today = NaiveDate::from_ymd_opt(2021, 8, 20).unwrap();
        for text in [
            "1981-03-21",
            "03/1981",
            "1981",
            "SH:1360/05/12",
            "SH:1360/05",
            "SH:1360",
        ] {
            let parsed = formats::date::parse_date(text, today).unwrap();
            let row = formats::import::ValidatedRow {
                line: 1,
                household_ref: None,
                relationship: None,
                given_name: None,
                family_name: None,
                father_name: None,
                full_name_native: None,
                date_of_birth: Some(parsed),
                sex: None,
                nationality: None,
                tazkira_number: None,
                passport_number: None,
                mrz: None,
                phone: None,
                email: None,
                province: None,
                employer: None,
                scheme: None,
            };
            let stored = person(&row).date_of_birth.unwrap();
            assert_eq!(date_text(&stored), text);
        }
    }
}
