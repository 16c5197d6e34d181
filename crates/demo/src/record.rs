//! The public record of August 2021, as the demo tells it.

use chrono::{DateTime, TimeZone, Utc};
use domain::OperationId;
use domain::movement::{MovementKind, NewMovement};
use domain::operation::NewOperation;
use domain::plan::NewAssemblyPoint;
use domain::post::{NewPost, PostKind};
use domain::posture::{Posture, PostureChange};
use domain::scheme::NewScheme;
use eligibility::{PriorityRule, SchemeRules};

use crate::DemoMovement;

pub const OPERATION_ID: &str = "kabul-2021";

/// Kabul time is UTC+4:30; the times below are given in UTC.
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 8, day, hour, 0, 0)
        .single()
        .expect("valid demo time")
}

pub fn operation() -> NewOperation {
    NewOperation {
        id: OperationId::parse(OPERATION_ID).expect("valid id"),
        name: "Kabul evacuation, August 2021".into(),
        country: "AF".into(),
        time_zone: "Asia/Kabul".into(),
    }
}

fn change(posture: Posture, day: u32, hour: u32, reason: &str) -> PostureChange {
    PostureChange {
        posture,
        effective_at: at(day, hour),
        reason: reason.into(),
        source: "Public statements, August 2021".into(),
    }
}

pub fn posts() -> Vec<(NewPost, Vec<PostureChange>)> {
    let post = |nation: &str, name: &str, kind| NewPost {
        nation: nation.into(),
        name: name.into(),
        kind,
        city: "Kabul".into(),
    };
    let opened = |reason: &str| change(Posture::Open, 1, 4, reason);
    vec![
        (
            post(
                "NATO",
                "NATO Senior Civilian Representative",
                PostKind::AllianceOffice,
            ),
            vec![change(
                Posture::Open,
                13,
                12,
                "Allies keep a diplomatic presence in Kabul and adjust as necessary",
            )],
        ),
        (
            post("DEU", "Embassy of Germany", PostKind::Embassy),
            vec![
                opened("Embassy open"),
                change(
                    Posture::ReducedStaff,
                    13,
                    10,
                    "Staff cut to an absolute minimum; crisis support team sent",
                ),
                change(
                    Posture::Evacuated,
                    15,
                    14,
                    "Kabul falls; remaining staff moved to the airport",
                ),
            ],
        ),
        (
            post("DNK", "Embassy of Denmark", PostKind::Embassy),
            vec![
                opened("Embassy open"),
                change(
                    Posture::Evacuated,
                    13,
                    9,
                    "Embassy closed and staff evacuated",
                ),
            ],
        ),
        (
            post("NOR", "Embassy of Norway", PostKind::Embassy),
            vec![
                opened("Embassy open"),
                change(
                    Posture::Evacuated,
                    13,
                    11,
                    "Embassy closed and staff evacuated",
                ),
            ],
        ),
        (
            post("FIN", "Embassy of Finland", PostKind::Embassy),
            vec![change(
                Posture::Open,
                13,
                12,
                "Embassy stays open while others close",
            )],
        ),
        (
            post("USA", "Embassy of the United States", PostKind::Embassy),
            vec![
                opened("Embassy open"),
                change(
                    Posture::OrderedDeparture,
                    12,
                    16,
                    "Embassy staff drawn down to a core; troops sent to help",
                ),
                change(
                    Posture::Evacuated,
                    15,
                    12,
                    "Kabul falls; embassy moved to the airport",
                ),
            ],
        ),
        (
            post("GBR", "Embassy of the United Kingdom", PostKind::Embassy),
            vec![
                opened("Embassy open"),
                change(
                    Posture::ReducedStaff,
                    13,
                    8,
                    "Embassy reduced to a core team; troops sent to help",
                ),
                change(
                    Posture::Evacuated,
                    15,
                    15,
                    "Kabul falls; embassy operates from the airport",
                ),
            ],
        ),
    ]
}

pub fn schemes() -> Vec<NewScheme> {
    let scheme =
        |code: &str, name: &str, nation: &str, description: &str, principals, persons| NewScheme {
            code: code.into(),
            name: name.into(),
            nation: nation.into(),
            description: description.into(),
            quota_principals: principals,
            quota_persons: persons,
            // Allies flew each other's people: a nation's flights take its schemes.
            movement_nations: vec![nation.into()],
        };
    vec![
        scheme(
            "NOR-LES",
            "Norwegian locally employed staff",
            "NOR",
            "Locally employed staff with immediate family in Norway",
            None,
            None,
        ),
        scheme(
            "FIN-130",
            "Finnish quota",
            "FIN",
            "Up to 130 Afghans who worked for Finland, the EU or NATO, plus their families",
            Some(130),
            None,
        ),
        scheme(
            "DEU-OK",
            "German local staff",
            "DEU",
            "Local staff of German ministries and organisations, with their core family",
            None,
            None,
        ),
        scheme(
            "DNK-LES",
            "Danish local staff",
            "DNK",
            "Interpreters and local staff of Danish missions",
            None,
            None,
        ),
        scheme(
            "GBR-ARAP",
            "UK relocation and assistance",
            "GBR",
            "Afghans who worked for or with the UK government",
            None,
            None,
        ),
        scheme(
            "USA-SIV",
            "US special immigrant visa",
            "USA",
            "Applicants for special immigrant visas and their families",
            None,
            None,
        ),
        scheme(
            "NATO-ANS",
            "NATO Afghan staff",
            "NATO",
            "Afghans who worked for NATO, with their families",
            None,
            None,
        ),
    ]
}

pub fn movements() -> Vec<DemoMovement> {
    let flight = |designator: &str,
                  nation: &str,
                  destination: &str,
                  day,
                  hour,
                  seats,
                  accepts: Vec<usize>,
                  shared: &[&str]| DemoMovement {
        movement: NewMovement {
            kind: MovementKind::Flight,
            designator: designator.into(),
            nation: nation.into(),
            origin: "Kabul HKIA".into(),
            destination: destination.into(),
            departs_at: at(day, hour),
            seats,
            accepts_schemes: vec![],
            shared_with: shared.iter().map(|s| (*s).to_owned()).collect(),
        },
        accepts,
    };
    vec![
        flight(
            "GAF 001",
            "DEU",
            "Tashkent",
            16,
            20,
            150,
            vec![2, 6],
            &["NATO"],
        ),
        flight(
            "NOR 101",
            "NOR",
            "Islamabad",
            17,
            22,
            100,
            vec![0, 3],
            &["DNK"],
        ),
        flight(
            "DAF 201",
            "DNK",
            "Islamabad",
            18,
            21,
            90,
            vec![3, 0],
            &["NOR"],
        ),
        flight(
            "FIN 301",
            "FIN",
            "Tashkent",
            19,
            23,
            80,
            vec![1, 6],
            &["NATO", "DEU"],
        ),
        flight("RRR 401", "GBR", "Dubai", 20, 18, 400, vec![4], &[]),
        flight(
            "RCH 501",
            "USA",
            "Doha",
            21,
            17,
            600,
            vec![5, 6],
            &["NATO", "GBR"],
        ),
        DemoMovement {
            movement: NewMovement {
                kind: MovementKind::Convoy,
                designator: "Convoy Kilo".into(),
                nation: "NATO".into(),
                origin: "Kabul, Wazir Akbar Khan".into(),
                destination: "Kabul HKIA".into(),
                departs_at: at(22, 5),
                seats: 60,
                accepts_schemes: vec![],
                shared_with: vec!["DEU".into(), "FIN".into()],
            },
            accepts: vec![6, 1],
        },
    ]
}

/// The rules of the demo's schemes: the examples modelled on the 2021
/// programmes, and two more for the schemes the examples lack.
pub fn scheme_rules(code: &str) -> Option<SchemeRules> {
    let example = eligibility::examples::kabul_2021()
        .into_iter()
        .find(|e| e.code == code)
        .map(|e| e.rules);
    example.or_else(|| {
        let family = vec![
            "relationship == spouse".to_owned(),
            "relationship == child and age < 18".to_owned(),
        ];
        let priority = vec![PriorityRule {
            tier: 1,
            rule: "medical_need".into(),
        }];
        let eligibility = match code {
            "DNK-LES" => "employer_nation == DNK and years_of_service >= 1",
            "NATO-ANS" => "employer contains \"NATO\" or employer contains \"ISAF\"",
            _ => return None,
        };
        Some(SchemeRules {
            eligibility: vec![eligibility.into()],
            family,
            priority,
            default_tier: 3,
        })
    })
}

/// The gates and hotels where households were processed before a flight.
pub fn assembly_points() -> Vec<NewAssemblyPoint> {
    let point = |name: &str, per_hour, provinces: &[&str]| NewAssemblyPoint {
        name: name.into(),
        persons_per_hour: per_hour,
        provinces: provinces.iter().map(|p| (*p).to_owned()).collect(),
    };
    vec![
        point(
            "Abbey Gate",
            300,
            &["Kabul", "Parwan", "Kapisa", "Panjshir"],
        ),
        point("Baron Hotel", 150, &["Logar", "Wardak", "Ghazni", "Paktia"]),
        point(
            "North Gate",
            200,
            &["Balkh", "Kunduz", "Baghlan", "Nangarhar", "Herat"],
        ),
    ]
}
