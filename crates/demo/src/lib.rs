//! The demo operation: Kabul, August 2021. Posts and their posture changes
//! follow the public record of those days; schemes and movements are modelled
//! on the programmes nations ran; the households are synthetic, generated from
//! a fixed seed so that every demo is the same.

mod names;
mod record;

use chrono::NaiveDate;
use domain::CaseStatus;
use domain::case::NewCase;
use domain::dates::{Calendar, DateOfBirth, Precision};
use domain::movement::NewMovement;
use domain::operation::NewOperation;
use domain::person::{
    Contact, ContactKind, Document, DocumentKind, PersonDetails, Relationship, Sex,
};
use domain::post::NewPost;
use domain::posture::PostureChange;
use domain::scheme::NewScheme;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use record::{OPERATION_ID, assembly_points, scheme_rules};

/// A household with the scheme it applied for (an index into `schemes`) and
/// the steps its case has already gone through.
pub struct DemoHousehold {
    pub case: NewCase,
    pub scheme: Option<usize>,
    pub path: Vec<CaseStatus>,
    /// Its place, when its path reaches scheduled.
    pub seat: Option<DemoSeat>,
}

/// A place on a movement: which one (an index into `movements`) and the
/// processing hour, so many hours before the movement departs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSeat {
    pub movement: usize,
    pub hours_before: u32,
}

/// A movement with the schemes it accepts, as indexes into `schemes`.
pub struct DemoMovement {
    pub movement: NewMovement,
    pub accepts: Vec<usize>,
}

pub struct DemoData {
    pub operation: NewOperation,
    pub posts: Vec<(NewPost, Vec<PostureChange>)>,
    pub schemes: Vec<NewScheme>,
    pub movements: Vec<DemoMovement>,
    pub households: Vec<DemoHousehold>,
}

/// The whole demo, with `households` synthetic households.
pub fn kabul_2021(households: usize) -> DemoData {
    let mut rng = SmallRng::seed_from_u64(20210815);
    let schemes = record::schemes();
    let mut list: Vec<DemoHousehold> = Vec::with_capacity(households);
    for i in 0..households {
        // Lists overlap: one household in 25 is someone registered already,
        // registering again in another spelling and calendar.
        let h = if i % 25 == 24 {
            let earlier = &list[rng.random_range(0..i)];
            registered_again(&mut rng, earlier)
        } else {
            household(&mut rng, schemes.len())
        };
        list.push(h);
    }
    let mut households = list;
    let movements = record::movements();
    seat(&mut households, &movements, &schemes);
    DemoData {
        operation: record::operation(),
        posts: record::posts(),
        movements,
        schemes,
        households,
    }
}

/// Whether a movement takes a scheme's households: as
/// `domain::movement::Movement::accepts`, on the demo's indexes.
fn accepts(movement: &DemoMovement, scheme: usize, schemes: &[NewScheme]) -> bool {
    movement.accepts.contains(&scheme)
        || schemes[scheme]
            .movement_nations
            .contains(&movement.movement.nation)
}

/// Hours over which a movement's households are processed, ending an hour
/// before departure (the last hour is boarding).
const PROCESSING_HOURS: u32 = 6;

/// Gives every household whose path reaches scheduled a place on the first
/// movement that takes its scheme and has room, the furthest along first
/// (they were scheduled earlier), with processing hours spread over the
/// hours before departure. There were more people than seats: a household
/// that finds no room stays eligible, waiting. A seat is counted per
/// person, lap infants too, as the store counts them.
fn seat(households: &mut [DemoHousehold], movements: &[DemoMovement], schemes: &[NewScheme]) {
    let mut left: Vec<u32> = movements.iter().map(|m| m.movement.seats).collect();
    let mut seated = vec![0u32; movements.len()];
    let mut order: Vec<usize> = (0..households.len())
        .filter(|&i| households[i].path.contains(&CaseStatus::Scheduled))
        .collect();
    // Stable: households as far along keep their registration order.
    order.sort_by_key(|&i| std::cmp::Reverse(households[i].path.len()));
    for i in order {
        let h = &mut households[i];
        let size = u32::try_from(h.case.members.len()).unwrap_or(u32::MAX);
        let found = h.scheme.and_then(|s| {
            (0..movements.len()).find(|&m| accepts(&movements[m], s, schemes) && left[m] >= size)
        });
        match found {
            Some(m) => {
                left[m] -= size;
                h.seat = Some(DemoSeat {
                    movement: m,
                    hours_before: 2 + seated[m] % PROCESSING_HOURS,
                });
                seated[m] += 1;
            }
            None => {
                let at = (h.path.iter())
                    .position(|s| *s == CaseStatus::Scheduled)
                    .unwrap_or(h.path.len());
                h.path.truncate(at);
            }
        }
    }
}

/// Spellings of one name that different lists use.
const SPELLINGS: &[(&str, &str)] = &[
    ("Mohammad", "Muhammad"),
    ("Ahmad", "Ahmed"),
    ("Abdul Rahman", "Abdurrahman"),
    ("Mahmood", "Mahmud"),
    ("Yousuf", "Yusuf"),
    ("Zabihullah", "Zabiullah"),
    ("Hekmatullah", "Hikmatullah"),
    ("Najibullah", "Najibulla"),
    ("Ghulam", "Gholam"),
    ("Qasim", "Kasim"),
    ("Sayed", "Sayyid"),
];

/// An earlier household's principal registering again on their own: another
/// spelling of the given name where one is common, the other calendar for
/// the date of birth, the same tazkira and phone.
fn registered_again(rng: &mut SmallRng, earlier: &DemoHousehold) -> DemoHousehold {
    let mut p = earlier.case.members[0].clone();
    if let Some(given) = &p.given_name {
        let respelt = SPELLINGS
            .iter()
            .fold(given.clone(), |name, (a, b)| name.replace(a, b));
        p.given_name = Some(respelt);
    }
    p.date_of_birth = p.date_of_birth.map(|d| match d.calendar {
        // A tazkira's Solar Hijri year, written on a passport as 1 January.
        Calendar::SolarHijri => DateOfBirth {
            calendar: Calendar::Gregorian,
            year: d.year + 621,
            month: None,
            day: None,
            precision: Precision::Year,
        },
        Calendar::Gregorian => DateOfBirth::year_only(Calendar::SolarHijri, d.year - 621),
    });
    // The passport stays on the first registration.
    p.documents.retain(|d| d.kind == DocumentKind::Tazkira);
    DemoHousehold {
        case: NewCase {
            members: vec![p],
            ..Default::default()
        },
        scheme: earlier.scheme,
        path: if rng.random_bool(0.5) {
            vec![]
        } else {
            vec![CaseStatus::UnderReview]
        },
        seat: None,
    }
}

/// Where a demo case stands: most are early in the pipeline, as in the first
/// days of an airlift, and some are at every later stage.
fn path(rng: &mut SmallRng) -> Vec<CaseStatus> {
    use CaseStatus::*;
    let roll = rng.random_range(0..100);
    let full = [
        UnderReview,
        Eligible,
        Scheduled,
        CalledForward,
        CheckedIn,
        Departed,
    ];
    match roll {
        0..35 => vec![],
        35..50 => vec![UnderReview],
        50..55 => vec![UnderReview, NeedsInformation],
        55..60 => vec![UnderReview, Ineligible],
        60..62 => vec![Withdrawn],
        62..75 => full[..2].to_vec(),
        75..83 => full[..3].to_vec(),
        83..89 => full[..4].to_vec(),
        89..93 => full[..5].to_vec(),
        _ => full.to_vec(),
    }
}

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn household(rng: &mut SmallRng, schemes: usize) -> DemoHousehold {
    let family = pick(rng, names::FAMILY);
    let father = pick(rng, names::MALE);
    let principal_female = rng.random_bool(0.15);
    let principal_year = rng.random_range(1960..2000);
    let mut members = vec![person(
        rng,
        Relationship::Principal,
        principal_female,
        principal_year,
        family,
        Some(father.0),
    )];
    let principal_given = members[0].given_name.clone().unwrap_or_default();
    if rng.random_bool(0.8) {
        let year = principal_year + rng.random_range(-3..6);
        let father = pick(rng, names::MALE).0;
        members.push(person(
            rng,
            Relationship::Spouse,
            !principal_female,
            year,
            family,
            Some(father),
        ));
    }
    let father_of_children = names::MALE.iter().find(|n| n.0 == principal_given).copied();
    for _ in 0..rng.random_range(0..6) {
        let year = rng.random_range((principal_year + 18).max(2000)..2021);
        let female = rng.random_bool(0.5);
        members.push(person(
            rng,
            Relationship::Child,
            female,
            year,
            family,
            father_of_children.map(|f| f.0),
        ));
    }
    if rng.random_bool(0.1) {
        let year = principal_year - rng.random_range(22..35);
        let female = rng.random_bool(0.6);
        let father = pick(rng, names::MALE).0;
        members.push(person(
            rng,
            Relationship::Parent,
            female,
            year,
            family,
            Some(father),
        ));
    }
    // The principal's contacts and documents.
    let phone = format!(
        "+937{}{:07}",
        rng.random_range(0..10),
        rng.random_range(0..10_000_000)
    );
    members[0].contacts.push(Contact {
        kind: ContactKind::Phone,
        value: phone,
    });
    if rng.random_bool(0.4) {
        let number = format!("P{:08}", rng.random_range(0..100_000_000));
        members[0].documents.push(Document {
            kind: DocumentKind::Passport,
            number,
            issuing_country: Some("AFG".into()),
            expires_on: None,
        });
    }
    let scheme = rng.random_bool(0.85).then(|| rng.random_range(0..schemes));
    let needs = rng
        .random_bool(0.05)
        .then(|| "Medical: needs a wheelchair at the gate".to_owned());
    members[0].medical_need = Some(needs.is_some());
    let tier = needs
        .as_ref()
        .map(|_| 1)
        .or_else(|| rng.random_bool(0.3).then(|| rng.random_range(2..=4)));
    DemoHousehold {
        case: NewCase {
            tier,
            special_needs: needs,
            members,
            ..Default::default()
        },
        scheme,
        path: path(rng),
        seat: None,
    }
}

/// The nation an employer belongs to, as scheme rules ask it.
fn employer_nation(employer: &str) -> Option<&'static str> {
    [
        ("Germany", "DEU"),
        ("GIZ", "DEU"),
        ("Norway", "NOR"),
        ("Denmark", "DNK"),
        ("Danish", "DNK"),
        ("Finland", "FIN"),
        ("British", "GBR"),
        ("US ", "USA"),
    ]
    .into_iter()
    .find(|(word, _)| employer.contains(word))
    .map(|(_, nation)| nation)
}

fn person(
    rng: &mut SmallRng,
    relationship: Relationship,
    female: bool,
    year: i32,
    family: &(&str, &str),
    father: Option<&str>,
) -> PersonDetails {
    let given = if female {
        pick(rng, names::FEMALE)
    } else {
        pick(rng, names::MALE)
    };
    // Afghan documents often give only the Solar Hijri year; passports a full date.
    let date_of_birth = if rng.random_bool(0.5) {
        Some(DateOfBirth::year_only(Calendar::SolarHijri, year - 621))
    } else {
        let day = NaiveDate::from_ymd_opt(year, rng.random_range(1..=12), rng.random_range(1..=28));
        day.map(DateOfBirth::gregorian).map(|d| DateOfBirth {
            precision: Precision::Day,
            ..d
        })
    };
    // Nearly every Afghan holds a tazkira, the national identity card.
    let tazkira = Document {
        kind: DocumentKind::Tazkira,
        number: format!(
            "{}-{:04}-{:05}",
            rng.random_range(1390..1400),
            rng.random_range(0..10_000),
            rng.random_range(0..100_000)
        ),
        issuing_country: Some("AF".into()),
        expires_on: None,
    };
    // Drawn in the order the seed's households were first made with.
    let province = pick(rng, names::PROVINCES).to_string();
    let employer = (relationship == Relationship::Principal).then(|| *pick(rng, names::EMPLOYERS));
    PersonDetails {
        relationship,
        given_name: Some(given.0.to_owned()),
        family_name: Some(family.0.to_owned()),
        father_name: father.map(str::to_owned),
        full_name_native: Some(format!("{} {}", given.1, family.1)),
        date_of_birth,
        sex: if female { Sex::Female } else { Sex::Male },
        nationalities: vec!["AF".into()],
        documents: vec![tazkira],
        contacts: vec![],
        province: Some(province),
        employer_nation: employer.and_then(employer_nation).map(str::to_owned),
        // Derived, not drawn, so that the households stay those of the seed.
        years_of_service: employer.map(|e| (e.len() % 9) as f32 + 0.5),
        employer: employer.map(str::to_owned),
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Validate;

    #[test]
    fn the_demo_is_valid_and_reproducible() {
        let today = NaiveDate::from_ymd_opt(2021, 8, 20).unwrap();
        let a = kabul_2021(300);
        let b = kabul_2021(300);
        assert_eq!(a.households[17].case, b.households[17].case);
        assert!(a.operation.validate().is_ok());
        for (post, changes) in &a.posts {
            post.validate().unwrap();
            for c in changes {
                c.validate().unwrap();
            }
        }
        for s in &a.schemes {
            s.validate().unwrap();
        }
        for m in &a.movements {
            m.movement.validate().unwrap();
        }
        for h in &a.households {
            h.case.check(today).unwrap();
            let mut at = CaseStatus::Registered;
            for step in &h.path {
                at = at.transition(*step).unwrap();
            }
        }
        for stage in CaseStatus::ALL {
            assert!(
                a.households.iter().any(|h| h
                    .path
                    .last()
                    .copied()
                    .unwrap_or(CaseStatus::Registered)
                    == stage),
                "{stage}"
            );
        }
    }

    #[test]
    fn scheduled_households_have_a_seat_on_a_movement_that_takes_them() {
        let demo = kabul_2021(3000);
        let mut persons = vec![0u32; demo.movements.len()];
        let mut stages = Vec::new();
        for h in &demo.households {
            let scheduled = h.path.contains(&CaseStatus::Scheduled);
            assert_eq!(scheduled, h.seat.is_some(), "{:?}", h.path);
            let Some(seat) = h.seat else { continue };
            let scheme = h.scheme.expect("a seated household has a scheme");
            assert!(accepts(
                &demo.movements[seat.movement],
                scheme,
                &demo.schemes
            ));
            assert!((2..2 + PROCESSING_HOURS).contains(&seat.hours_before));
            persons[seat.movement] += h.case.members.len() as u32;
            let stage = h.path.last().copied();
            if !stages.contains(&stage) {
                stages.push(stage);
            }
        }
        for (m, taken) in demo.movements.iter().zip(persons) {
            assert!(
                taken <= m.movement.seats,
                "{} overfilled",
                m.movement.designator
            );
        }
        // Every seated stage is still there to show.
        assert_eq!(stages.len(), 4, "{stages:?}");
    }
}
