//! Manifests for the tests.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use manifests::{
    DocumentKind, Manifest, ManifestHousehold, MovementInfo, MovementKind, Passenger, Sex,
    TravelDocument,
};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn movement() -> MovementInfo {
    MovementInfo {
        designator: "GAF 123".into(),
        kind: MovementKind::Flight,
        carrier_nation: "DEU".into(),
        origin: "Kabul Hamid Karzai International".into(),
        destination: "Tashkent".into(),
        origin_iata: Some("KBL".into()),
        destination_iata: Some("TAS".into()),
        departs_at: Utc.with_ymd_and_hms(2021, 8, 26, 15, 30, 0).unwrap(),
        arrives_at: Some(Utc.with_ymd_and_hms(2021, 8, 26, 17, 5, 0).unwrap()),
    }
}

pub fn passport(number: &str, country: &str, expires: NaiveDate) -> Option<TravelDocument> {
    Some(TravelDocument {
        kind: DocumentKind::Passport,
        number: number.into(),
        issuing_country: Some(country.into()),
        expires_on: Some(expires),
    })
}

/// Two households: a family of three with a lap infant, and a single man with a tazkira.
pub fn two_households() -> Manifest {
    Manifest {
        operation_name: "Kabul 2021".into(),
        movement: movement(),
        seats: 150,
        households: vec![
            ManifestHousehold {
                reference: "AF-000042".into(),
                qr_payload: "muster:pass:AF-000042:4f1c9a".into(),
                persons: vec![
                    Passenger {
                        family_name: "Rahimi".into(),
                        given_names: "Ahmad Shah".into(),
                        full_name_native: Some("احمد شاه رحیمی".into()),
                        sex: Some(Sex::Male),
                        date_of_birth: Some(date(1984, 3, 9)),
                        nationality: Some("AFG".into()),
                        document: passport("P01234567", "AFG", date(2026, 1, 31)),
                        seat_needed: true,
                    },
                    Passenger {
                        family_name: "Rahimi".into(),
                        given_names: "Zohra".into(),
                        full_name_native: Some("زهره رحیمی".into()),
                        sex: Some(Sex::Female),
                        date_of_birth: Some(date(1990, 11, 2)),
                        nationality: Some("AFG".into()),
                        document: passport("P07654321", "AFG", date(2025, 6, 30)),
                        seat_needed: true,
                    },
                    Passenger {
                        family_name: "Rahimi".into(),
                        given_names: "Maryam".into(),
                        full_name_native: None,
                        sex: None,
                        date_of_birth: Some(date(2021, 2, 14)),
                        nationality: Some("AFG".into()),
                        document: None,
                        seat_needed: false,
                    },
                ],
            },
            ManifestHousehold {
                reference: "AF-000107".into(),
                qr_payload: String::new(),
                persons: vec![Passenger {
                    family_name: "Noori".into(),
                    given_names: "Farid".into(),
                    full_name_native: None,
                    sex: Some(Sex::Male),
                    date_of_birth: Some(date(1979, 7, 21)),
                    nationality: Some("AFG".into()),
                    document: Some(TravelDocument {
                        kind: DocumentKind::Tazkira,
                        number: "1400-0101-23456".into(),
                        issuing_country: Some("AFG".into()),
                        expires_on: None,
                    }),
                    seat_needed: true,
                }],
            },
        ],
    }
}

/// `households` households with `persons` persons in all, spread as evenly as possible;
/// every family name is unique ("Fam00042z") so a test can find each person exactly once.
pub fn many(households: usize, persons: usize) -> Manifest {
    let mut manifest = two_households();
    manifest.seats = persons as u32;
    manifest.households.clear();
    let mut next = 0usize;
    for h in 0..households {
        let size = persons / households + usize::from(h < persons % households);
        let members = (0..size)
            .map(|_| {
                next += 1;
                Passenger {
                    family_name: format!("Fam{next:05}z"),
                    given_names: "Given Names".into(),
                    full_name_native: None,
                    sex: Some(if next.is_multiple_of(2) {
                        Sex::Female
                    } else {
                        Sex::Male
                    }),
                    date_of_birth: Some(date(1960 + (next % 60) as i32, 1 + (next % 12) as u32, 1)),
                    nationality: Some("AFG".into()),
                    document: passport(&format!("P{next:08}"), "AFG", date(2027, 5, 1)),
                    seat_needed: true,
                }
            })
            .collect();
        manifest.households.push(ManifestHousehold {
            reference: format!("AF-{:06}", h + 1),
            qr_payload: format!(
                "muster:pass:AF-{:06}:{:016x}",
                h + 1,
                (h as u64 + 7) * 0x9e37_79b9
            ),
            persons: members,
        });
    }
    manifest
}

/// Splits a CSV document (RFC 4180) into rows of cells; strips the BOM.
pub fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{FEFF}').expect("starts with a BOM");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "the last row ends with CRLF"
    );
    rows
}
