//! What a registry case tells the rules: each member's [`Facts`], taken from
//! the case as the registry holds it. Unknown stays unknown (`None`), so that
//! a rule depending on it suggests "needs information" rather than a guess.

use chrono::{Datelike, NaiveDate};
use domain::Case;
use domain::dates::{Calendar, DateOfBirth};
use domain::person::{DocumentKind, PersonDetails, Sex};
use formats::country::Country;
use formats::solar_hijri::SolarHijriDate;

use crate::facts::Facts;
use crate::scheme::Household;

/// The household of `case` as facts, ages counted at `today`. The first
/// member is the principal, as the registry orders them.
pub fn household(case: &Case, today: NaiveDate) -> Household {
    let ages: Vec<Option<u32>> = (case.members.iter())
        .map(|m| m.details.date_of_birth.as_ref().and_then(|d| age(d, today)))
        .collect();
    let adult_present = ages.iter().any(|a| a.is_some_and(|a| a >= 18));
    let mut facts =
        (case.members.iter().zip(&ages)).map(|(m, &age)| person(&m.details, age, adult_present));
    Household {
        principal: facts.next().unwrap_or_default(),
        members: facts.collect(),
    }
}

fn person(p: &PersonDetails, age: Option<u32>, adult_present: bool) -> Facts {
    Facts {
        nationality: (!p.nationalities.is_empty()).then(|| nations(&p.nationalities)),
        employer: p.employer.clone(),
        employer_nation: p.employer_nation.as_deref().map(nation),
        years_of_service: p.years_of_service.map(f64::from),
        relationship: Some(p.relationship.as_str().to_owned()),
        age,
        sex: match p.sex {
            Sex::Female => Some("female".into()),
            Sex::Male => Some("male".into()),
            Sex::Other => Some("other".into()),
            Sex::Unknown => None,
        },
        // An empty list is what a form leaves when nobody asked.
        family_ties: (!p.family_ties.is_empty()).then(|| nations(&p.family_ties)),
        documents: Some(
            p.documents
                .iter()
                .map(|d| document(d.kind).into())
                .collect(),
        ),
        province: p.province.as_deref().map(province),
        medical_need: p.medical_need,
        unaccompanied_minor: age.map(|a| a < 18 && !adult_present),
        at_risk: p.at_risk,
    }
}

/// Rules name nations in alpha-3; the registry also holds alpha-2 and
/// alliance names, which pass through as written.
fn nation(code: &str) -> String {
    Country::from_code(code)
        .map(|c| c.alpha3().to_owned())
        .unwrap_or_else(|_| code.to_uppercase())
}

fn nations(codes: &[String]) -> Vec<String> {
    codes.iter().map(|c| nation(c)).collect()
}

fn document(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Passport => "passport",
        DocumentKind::Tazkira => "tazkira",
        DocumentKind::NationalId => "national_id",
        DocumentKind::Visa => "visa",
        DocumentKind::Other => "other",
    }
}

/// `Nangarhar` → `nangarhar`, `Maidan Wardak` → `maidan_wardak`.
fn province(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// Whole years at `today`. A date known only to the year or month counts
/// from the middle of it, the demographers' convention, so that the error is
/// at most half a year either way.
fn age(dob: &DateOfBirth, today: NaiveDate) -> Option<u32> {
    let (month, day) = match (dob.month, dob.day) {
        (Some(m), Some(d)) => (m, d),
        (Some(m), None) => (m, 15),
        _ => (7, 1),
    };
    let born = match dob.calendar {
        Calendar::Gregorian => NaiveDate::from_ymd_opt(dob.year, month.into(), day.into())?,
        Calendar::SolarHijri => {
            // Mid-year of a Solar Hijri year is its seventh month, Mehr.
            let (month, day) = match (dob.month, dob.day) {
                (None, _) => (7, 1),
                _ => (month, day),
            };
            SolarHijriDate::new(dob.year, month, day)
                .ok()?
                .to_gregorian()
        }
    };
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use domain::dates::Precision;
    use domain::person::{Document, Person, Relationship};
    use domain::{CaseId, CaseStatus, OperationId, PersonId};

    fn member(relationship: Relationship, dob: Option<DateOfBirth>) -> Person {
        Person {
            id: PersonId::new(),
            details: PersonDetails {
                date_of_birth: dob,
                sex: Sex::Male,
                nationalities: vec!["AF".into()],
                documents: vec![Document {
                    kind: DocumentKind::Tazkira,
                    number: "1400-0101-12345".into(),
                    issuing_country: None,
                    expires_on: None,
                }],
                province: Some("Maidan Wardak".into()),
                employer_nation: Some("NO".into()),
                years_of_service: Some(2.5),
                medical_need: Some(true),
                ..PersonDetails::named(relationship, "Ahmad")
            },
        }
    }

    fn case(members: Vec<Person>) -> Case {
        Case {
            id: CaseId::new(),
            operation_id: OperationId::parse("kabul-2021").unwrap(),
            reference: "AF-000001".into(),
            status: CaseStatus::UnderReview,
            scheme_id: None,
            tier: None,
            tier_overridden: false,
            special_needs: None,
            language: None,
            follow_up: None,
            source: "test".into(),
            members,
            movement_id: None,
            processing_slot: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, 20).unwrap()
    }

    #[test]
    fn codes_are_spelled_as_rules_spell_them() {
        let h = household(&case(vec![member(Relationship::Principal, None)]), today());
        let p = h.principal;
        assert_eq!(p.nationality, Some(vec!["AFG".to_owned()]));
        assert_eq!(p.employer_nation.as_deref(), Some("NOR"));
        assert_eq!(p.province.as_deref(), Some("maidan_wardak"));
        assert_eq!(p.documents, Some(vec!["tazkira".to_owned()]));
        assert_eq!(p.relationship.as_deref(), Some("principal"));
        assert_eq!(p.years_of_service, Some(2.5));
        // Unknown stays unknown.
        assert_eq!((p.age, p.family_ties, p.at_risk), (None, None, None));
        assert_eq!(p.unaccompanied_minor, None);
    }

    #[test]
    fn ages_count_from_the_birthday_or_the_middle_of_the_year() {
        let on = |y, m, d| DateOfBirth::gregorian(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(age(&on(2003, 8, 20), today()), Some(18));
        assert_eq!(age(&on(2003, 8, 21), today()), Some(17));
        assert_eq!(
            age(&DateOfBirth::year_only(Calendar::Gregorian, 2003), today()),
            Some(18)
        );
        // SH 1382 runs from March 2003 to March 2004; its middle is October 2003.
        let sh = DateOfBirth::year_only(Calendar::SolarHijri, 1382);
        assert_eq!(age(&sh, today()), Some(17));
        let future = DateOfBirth {
            precision: Precision::Year,
            ..DateOfBirth::year_only(Calendar::Gregorian, 2030)
        };
        assert_eq!(age(&future, today()), None);
    }

    #[test]
    fn a_child_alone_is_an_unaccompanied_minor() {
        let child = || DateOfBirth::year_only(Calendar::Gregorian, 2010);
        let alone = household(
            &case(vec![member(Relationship::Principal, Some(child()))]),
            today(),
        );
        assert_eq!(alone.principal.unaccompanied_minor, Some(true));
        let adult = DateOfBirth::year_only(Calendar::Gregorian, 1980);
        let with_parent = household(
            &case(vec![
                member(Relationship::Principal, Some(adult)),
                member(Relationship::Child, Some(child())),
            ]),
            today(),
        );
        assert_eq!(with_parent.members[0].unaccompanied_minor, Some(false));
        assert_eq!(with_parent.principal.unaccompanied_minor, Some(false));
    }
}
