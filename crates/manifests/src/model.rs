//! The input: one movement and the households booked on it, independent of the domain
//! crates so that the documents can be built (and tested) from plain data.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Everything the documents of one movement are built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub operation_name: String,
    pub movement: MovementInfo,
    /// The movement's capacity in seats.
    pub seats: u32,
    pub households: Vec<ManifestHousehold>,
}

impl Manifest {
    /// Everyone on board, lap infants included.
    pub fn passenger_count(&self) -> usize {
        self.households.iter().map(|h| h.persons.len()).sum()
    }

    /// Seats taken: lap infants need none.
    pub fn seats_needed(&self) -> usize {
        self.households
            .iter()
            .flat_map(|h| &h.persons)
            .filter(|p| p.seat_needed)
            .count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementInfo {
    /// Flight number or convoy name, e.g. "GAF123" or "Convoy 7".
    pub designator: String,
    pub kind: MovementKind,
    /// ISO 3166-1 alpha-3 of the nation operating the movement.
    pub carrier_nation: String,
    /// Free text, e.g. "Kabul HKIA".
    pub origin: String,
    pub destination: String,
    /// IATA airport code of the origin; PAXLST needs it.
    #[serde(default)]
    pub origin_iata: Option<String>,
    #[serde(default)]
    pub destination_iata: Option<String>,
    pub departs_at: DateTime<Utc>,
    #[serde(default)]
    pub arrives_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Flight,
    Convoy,
}

impl MovementKind {
    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Flight => "Flight",
            MovementKind::Convoy => "Convoy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestHousehold {
    /// The case reference, e.g. "AF-000042".
    pub reference: String,
    /// Opaque text encoded as the household's QR code; empty means no QR.
    #[serde(default)]
    pub qr_payload: String,
    pub persons: Vec<Passenger>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passenger {
    pub family_name: String,
    pub given_names: String,
    /// The name in its own script (e.g. Dari); shown where the format can carry it.
    #[serde(default)]
    pub full_name_native: Option<String>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    /// ISO 3166-1 alpha-3.
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub document: Option<TravelDocument>,
    /// False for a lap infant.
    pub seat_needed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelDocument {
    pub kind: DocumentKind,
    pub number: String,
    /// ISO 3166-1 alpha-3.
    #[serde(default)]
    pub issuing_country: Option<String>,
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    Tazkira,
    NationalId,
    Other,
}

impl DocumentKind {
    /// The machine code used in the CSV.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Passport => "passport",
            DocumentKind::Tazkira => "tazkira",
            DocumentKind::NationalId => "national_id",
            DocumentKind::Other => "other",
        }
    }

    /// The label printed on the PDF.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Passport => "Passport",
            DocumentKind::Tazkira => "Tazkira",
            DocumentKind::NationalId => "National ID",
            DocumentKind::Other => "Other doc.",
        }
    }
}
