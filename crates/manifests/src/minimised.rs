//! The minimised manifest shown to an allied nation's liaison officer: names,
//! nationality, document number and household size, and nothing else. The types carry
//! no other field, so nothing else can be serialised or printed by mistake.

use serde::{Deserialize, Serialize};

use crate::csv::CsvWriter;
use crate::model::Manifest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minimised {
    pub households: Vec<MinimisedHousehold>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinimisedHousehold {
    pub reference: String,
    /// Number of persons in the household.
    pub size: u32,
    pub persons: Vec<MinimisedPerson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinimisedPerson {
    /// "FAMILY, Given names" in Latin script.
    pub name: String,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
}

/// Column headers of [`minimised_csv`], in order.
pub const MINIMISED_HEADER: [&str; 5] = [
    "household_reference",
    "household_size",
    "name",
    "nationality",
    "document_number",
];

pub fn minimise(manifest: &Manifest) -> Minimised {
    Minimised {
        households: manifest
            .households
            .iter()
            .map(|household| MinimisedHousehold {
                reference: household.reference.clone(),
                size: u32::try_from(household.persons.len()).unwrap_or(u32::MAX),
                persons: household
                    .persons
                    .iter()
                    .map(|person| MinimisedPerson {
                        name: display_name(&person.family_name, &person.given_names),
                        nationality: person.nationality.clone(),
                        document_number: person.document.as_ref().map(|d| d.number.clone()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn display_name(family: &str, given: &str) -> String {
    match (family.trim(), given.trim()) {
        (f, "") => f.to_owned(),
        ("", g) => g.to_owned(),
        (f, g) => format!("{f}, {g}"),
    }
}

/// The minimised manifest as CSV, one row per person, with the same encoding and
/// formula guard as [`crate::csv()`].
pub fn minimised_csv(minimised: &Minimised) -> Vec<u8> {
    let mut out = CsvWriter::new();
    out.row(MINIMISED_HEADER.iter().copied());
    for household in &minimised.households {
        let size = household.size.to_string();
        for person in &household.persons {
            out.row([
                household.reference.as_str(),
                &size,
                &person.name,
                person.nationality.as_deref().unwrap_or(""),
                person.document_number.as_deref().unwrap_or(""),
            ]);
        }
    }
    out.finish()
}
