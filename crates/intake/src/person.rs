//! An accepted row as a household member.

use domain::dates::{Calendar, DateOfBirth, Precision};
use domain::person::{
    Contact, ContactKind, Document, DocumentKind, PersonDetails, Relationship, Sex,
};
use formats::date::PersonDate;
use formats::import::{Field, ValidatedRow};

/// A relationship to the principal as people write it (`wife`, `son`,
/// `head of family`), or `None` when the word is not one Muster knows.
pub fn parse_relationship(word: &str) -> Option<Relationship> {
    let word = word.trim().to_lowercase().replace(['_', '-'], " ");
    Some(match word.as_str() {
        "principal" | "self" | "head" | "head of household" | "head of family" => {
            Relationship::Principal
        }
        "spouse" | "wife" | "husband" => Relationship::Spouse,
        "child" | "son" | "daughter" => Relationship::Child,
        "parent" | "father" | "mother" => Relationship::Parent,
        "sibling" | "brother" | "sister" => Relationship::Sibling,
        "other relative" | "relative" => Relationship::OtherRelative,
        "dependant" | "dependent" => Relationship::Dependant,
        _ => return None,
    })
}

/// The domain's field path (`documents[1].number`) back to the import column.
pub(crate) fn field_of(details: &PersonDetails, path: &str) -> Field {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    let index = || {
        path.split_once('[')
            .and_then(|(_, rest)| rest.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok())
    };
    match head {
        "family_name" => Field::FamilyName,
        "father_name" => Field::FatherName,
        "full_name_native" => Field::FullNameNative,
        "date_of_birth" => Field::DateOfBirth,
        "nationalities" => Field::Nationality,
        "province" => Field::Province,
        "employer" => Field::Employer,
        "documents" => match index().and_then(|i| details.documents.get(i)) {
            Some(d) if d.kind == DocumentKind::Tazkira => Field::TazkiraNumber,
            Some(d) if d.kind == DocumentKind::Passport => Field::PassportNumber,
            _ => Field::Mrz,
        },
        "contacts" => match index().and_then(|i| details.contacts.get(i)) {
            Some(c) if c.kind == ContactKind::Email => Field::Email,
            _ => Field::Phone,
        },
        _ => Field::GivenName,
    }
}

/// A date as given: its calendar and precision kept, a Solar Hijri date in
/// its own year, month and day.
fn date_of_birth(d: &PersonDate) -> DateOfBirth {
    // An age allows a year's span: the year holding most of it is `latest`'s.
    let day = if d.precision == Precision::Estimated {
        d.latest
    } else {
        d.earliest
    };
    let gregorian = DateOfBirth::gregorian(day);
    let (calendar, year, month, dd) = match (d.calendar, d.solar_hijri()) {
        (Calendar::SolarHijri, Some(sh)) => (Calendar::SolarHijri, sh.year(), sh.month(), sh.day()),
        _ => (
            Calendar::Gregorian,
            gregorian.year,
            gregorian.month.unwrap_or(1),
            gregorian.day.unwrap_or(1),
        ),
    };
    let (month, dd) = match d.precision {
        Precision::Day => (Some(month), Some(dd)),
        Precision::Month => (Some(month), None),
        Precision::Year | Precision::Estimated => (None, None),
    };
    DateOfBirth {
        calendar,
        year,
        month,
        day: dd,
        precision: d.precision,
    }
}

/// An accepted row as a household member (relationship as given).
pub fn person(row: &ValidatedRow) -> PersonDetails {
    let latin_first = |n: &formats::name::Name| n.latin.clone().or_else(|| n.native.clone());
    let mrz = row.mrz.as_ref();
    let mut documents = Vec::new();
    if let Some(t) = &row.tazkira_number {
        documents.push(Document {
            kind: DocumentKind::Tazkira,
            // Tazkira numbers are written with `/` or `.` as often as `-`.
            number: t.replace(['/', '.'], "-"),
            issuing_country: Some("AF".into()),
            expires_on: None,
        });
    }
    // A passport's MRZ (checked to agree with the number) adds its issuer and
    // expiry; another document's MRZ is a document of its own.
    let is_passport = |m: &&formats::mrz::Mrz| m.document_type.starts_with('P');
    let passport_mrz = mrz.filter(is_passport);
    let number = row
        .passport_number
        .clone()
        .or_else(|| passport_mrz.map(|m| m.document_number.clone()));
    if let Some(number) = number {
        documents.push(Document {
            kind: DocumentKind::Passport,
            number,
            issuing_country: passport_mrz
                .and_then(|m| m.issuing_country())
                .map(|c| c.alpha2().into()),
            expires_on: passport_mrz.and_then(|m| m.expiry_date),
        });
    }
    if let Some(m) = mrz.filter(|m| !is_passport(m)) {
        documents.push(Document {
            kind: if m.document_type.starts_with('V') {
                DocumentKind::Visa
            } else {
                DocumentKind::NationalId
            },
            number: m.document_number.clone(),
            issuing_country: m.issuing_country().map(|c| c.alpha2().into()),
            expires_on: m.expiry_date,
        });
    }
    let mut contacts = Vec::new();
    if let Some(p) = &row.phone {
        contacts.push(Contact {
            kind: ContactKind::Phone,
            value: p.e164.clone(),
        });
    }
    if let Some(e) = &row.email {
        contacts.push(Contact {
            kind: ContactKind::Email,
            value: e.clone(),
        });
    }
    let sex = row.sex.or(mrz.map(|m| m.sex));
    PersonDetails {
        // Lists use many words for kin; one Muster does not know is "other".
        relationship: row
            .relationship
            .as_deref()
            .map_or(Relationship::OtherRelative, |w| {
                parse_relationship(w).unwrap_or(Relationship::OtherRelative)
            }),
        given_name: row.given_name.as_ref().and_then(latin_first),
        family_name: row.family_name.as_ref().and_then(latin_first),
        father_name: row.father_name.as_ref().and_then(latin_first),
        full_name_native: row
            .full_name_native
            .as_ref()
            .and_then(|n| n.native.clone().or_else(|| n.latin.clone())),
        date_of_birth: row
            .date_of_birth
            .as_ref()
            .or(mrz.and_then(|m| m.birth_date.as_ref()))
            .map(date_of_birth),
        sex: match sex {
            Some(formats::sex::Sex::Female) => Sex::Female,
            Some(formats::sex::Sex::Male) => Sex::Male,
            Some(formats::sex::Sex::Unspecified) => Sex::Other,
            None => Sex::Unknown,
        },
        nationalities: row
            .nationality
            .or(mrz.and_then(|m| m.nationality_country()))
            .map(|c| vec![c.alpha2().to_string()])
            .unwrap_or_default(),
        documents,
        contacts,
        province: row.province.as_ref().map(|p| match p.province {
            Some(known) => known.name().to_string(),
            None => p.given.clone(),
        }),
        employer: row.employer.clone(),
        employer_nation: None,
        years_of_service: None,
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}
