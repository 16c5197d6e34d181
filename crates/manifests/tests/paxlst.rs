mod common;

use chrono::{TimeZone, Utc};
use common::{many, two_households};
use manifests::{MovementKind, PaxlstError, PaxlstHeader, paxlst};

fn header() -> PaxlstHeader {
    PaxlstHeader {
        sender_id: "DEU MFA CRISIS".into(),
        recipient_id: "UZBAPI".into(),
        interchange_control_ref: "000000001".into(),
        prepared_at: Utc.with_ymd_and_hms(2021, 8, 26, 14, 5, 0).unwrap(),
        flight_number_override: None,
    }
}

/// Splits an interchange after UNA into segments of elements of components, undoing the
/// release character.
fn segments(edi: &str) -> Vec<Vec<Vec<String>>> {
    let body = edi.strip_prefix("UNA:+.? '").expect("starts with UNA");
    let mut out = Vec::new();
    let (mut segment, mut element, mut component) = (Vec::new(), Vec::new(), String::new());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '?' => component.push(chars.next().expect("released character")),
            ':' => element.push(std::mem::take(&mut component)),
            '+' => {
                element.push(std::mem::take(&mut component));
                segment.push(std::mem::take(&mut element));
            }
            '\'' => {
                element.push(std::mem::take(&mut component));
                segment.push(std::mem::take(&mut element));
                out.push(std::mem::take(&mut segment));
            }
            c => component.push(c),
        }
    }
    assert!(
        component.is_empty() && segment.is_empty(),
        "ends with a terminator"
    );
    out
}

/// The raw segment strings (still escaped), for comparing against the guide's layout.
fn raw_segments(edi: &str) -> Vec<String> {
    let body = edi.strip_prefix("UNA:+.? '").unwrap();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '?' {
            current.push(c);
            current.push(chars.next().unwrap());
        } else if c == '\'' {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out
}

fn check_unt(edi: &str) {
    let segs = segments(edi);
    let unh = segs.iter().position(|s| s[0][0] == "UNH").unwrap();
    let unt = segs.iter().position(|s| s[0][0] == "UNT").unwrap();
    assert_eq!(
        segs[unt][1][0],
        (unt - unh + 1).to_string(),
        "UNT segment count"
    );
    assert_eq!(
        segs[unt][2][0], segs[unh][1][0],
        "UNT repeats the message reference"
    );
}

#[test]
fn two_households_segment_by_segment() {
    let manifest = two_households();
    let edi = paxlst(&manifest, &header()).unwrap();
    assert!(edi.starts_with("UNA:+.? 'UNB+UNOA:4+"));
    let expected = [
        "UNB+UNOA:4+DEU MFA CRISIS+UZBAPI+210826:1405+000000001",
        "UNG+PAXLST+DEU MFA CRISIS+UZBAPI+210826:1405+000000001+UN+D:02B",
        "UNH+000000001+PAXLST:D:02B:UN:IATA+GAF123/2108261530+01:F",
        "BGM+745",
        "NAD+MS+++KABUL 2021",
        "TDT+20+GAF123+++GAF",
        "LOC+125+KBL",
        "DTM+189:2108261530:201",
        "LOC+87+TAS",
        "DTM+232:2108261705:201",
        // Household AF-000042, person 1.
        "NAD+FL+++RAHIMI:AHMAD SHAH",
        "ATT+2++M",
        "DTM+329:840309",
        "LOC+178+KBL",
        "LOC+179+TAS",
        "NAT+2+AFG",
        "RFF+AVF:AF-000042",
        "RFF+ABO:AF-000042-1",
        "DOC+P:110:111+P01234567",
        "DTM+36:260131",
        "LOC+91+AFG",
        // Person 2.
        "NAD+FL+++RAHIMI:ZOHRA",
        "ATT+2++F",
        "DTM+329:901102",
        "LOC+178+KBL",
        "LOC+179+TAS",
        "NAT+2+AFG",
        "RFF+AVF:AF-000042",
        "RFF+ABO:AF-000042-2",
        "DOC+P:110:111+P07654321",
        "DTM+36:250630",
        "LOC+91+AFG",
        // Person 3: a lap infant with no document and no recorded sex.
        "NAD+FL+++RAHIMI:MARYAM",
        "ATT+2++U",
        "DTM+329:210214",
        "LOC+178+KBL",
        "LOC+179+TAS",
        "NAT+2+AFG",
        "RFF+AVF:AF-000042",
        "RFF+ABO:AF-000042-3",
        // Household AF-000107: a tazkira is an identity card, with no expiry.
        "NAD+FL+++NOORI:FARID",
        "ATT+2++M",
        "DTM+329:790721",
        "LOC+178+KBL",
        "LOC+179+TAS",
        "NAT+2+AFG",
        "RFF+AVF:AF-000107",
        "RFF+ABO:AF-000107-1",
        "DOC+I:110:111+1400-0101-23456",
        "LOC+91+AFG",
        "CNT+42:4",
        "UNT+50+000000001",
        "UNE+1+000000001",
        "UNZ+1+000000001",
    ];
    let actual = raw_segments(&edi);
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "segment {i}");
    }
    assert_eq!(actual.len(), expected.len());
    check_unt(&edi);
}

#[test]
fn unt_counts_every_segment_of_a_large_message() {
    let manifest = many(300, 2000);
    let edi = paxlst(&manifest, &header()).unwrap();
    check_unt(&edi);
    let segs = segments(&edi);
    let cnt = segs.iter().find(|s| s[0][0] == "CNT").unwrap();
    assert_eq!(cnt[1], ["42", "2000"]);
    assert_eq!(
        segs.iter()
            .filter(|s| s[0][0] == "NAD" && s[1][0] == "FL")
            .count(),
        2000
    );
}

#[test]
fn separators_in_data_are_released() {
    let mut manifest = two_households();
    manifest.households[0].persons[0].family_name = "O'Neil+Sons".into();
    manifest.households[0].persons[0].given_names = "A:B?C".into();
    manifest.households[0].persons[0]
        .document
        .as_mut()
        .unwrap()
        .number = "X+1'2".into();
    let edi = paxlst(&manifest, &header()).unwrap();
    let raw = raw_segments(&edi);
    assert!(
        raw.contains(&"NAD+FL+++O?'NEIL?+SONS:A?:B??C".to_owned()),
        "{raw:?}"
    );
    assert!(raw.contains(&"DOC+P:110:111+X?+1?'2".to_owned()));
    // Parsing back gives the data unchanged (upper-cased), and the count still holds.
    let segs = segments(&edi);
    let nad = segs
        .iter()
        .find(|s| s[0][0] == "NAD" && s[1][0] == "FL")
        .unwrap();
    assert_eq!(nad[4], ["O'NEIL+SONS", "A:B?C"]);
    check_unt(&edi);
}

#[test]
fn dari_script_and_diacritics_are_transliterated_to_unoa() {
    let mut manifest = two_households();
    let person = &mut manifest.households[0].persons[0];
    person.family_name = "رحیمی".into();
    person.given_names = "Ḥāmid Zoë Çağrı".into();
    let edi = paxlst(&manifest, &header()).unwrap();
    let segs = segments(&edi);
    let nad = segs
        .iter()
        .find(|s| s[0][0] == "NAD" && s[1][0] == "FL")
        .unwrap();
    assert_eq!(nad[4][1], "HAMID ZOE CAGRI");
    let family = &nad[4][0];
    assert!(
        !family.is_empty() && family.chars().all(|c| c.is_ascii_uppercase()),
        "{family}"
    );
    // The whole interchange is in the UNOA repertoire.
    let allowed = |c: char| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || " .,-()/='+:?!\"%&*;<>".contains(c)
    };
    assert!(edi.chars().all(allowed), "{edi}");
}

#[test]
fn flight_number_override_replaces_the_designator() {
    let mut manifest = two_households();
    manifest.movement.designator = "Evacuation 3".into();
    let mut header = header();
    header.flight_number_override = Some("rch 871".into());
    let edi = paxlst(&manifest, &header).unwrap();
    assert!(raw_segments(&edi).contains(&"TDT+20+RCH871+++RCH".to_owned()));
}

#[test]
fn errors_name_the_field_and_the_rule() {
    let mut manifest = two_households();
    manifest.movement.origin_iata = None;
    let err = paxlst(&manifest, &header()).unwrap_err();
    assert!(matches!(&err, PaxlstError::Missing { field, .. } if field == "movement.origin_iata"));
    assert!(err.to_string().contains("LOC+125"), "{err}");

    let mut manifest = two_households();
    manifest.movement.destination_iata = Some("TASH".into());
    let err = paxlst(&manifest, &header()).unwrap_err();
    assert!(
        matches!(&err, PaxlstError::Invalid { field, .. } if field == "movement.destination_iata")
    );

    let mut manifest = two_households();
    manifest.movement.arrives_at = None;
    let err = paxlst(&manifest, &header()).unwrap_err();
    assert!(err.to_string().contains("DTM+232"), "{err}");

    let mut manifest = two_households();
    manifest.households[1].persons[0].nationality = Some("AF".into());
    let err = paxlst(&manifest, &header()).unwrap_err();
    assert!(
        matches!(&err, PaxlstError::Invalid { field, .. } if field == "households[1].persons[0].nationality"),
        "{err}"
    );

    let mut manifest = two_households();
    manifest.households[0].persons[2].family_name = "  ".into();
    let err = paxlst(&manifest, &header()).unwrap_err();
    assert!(
        matches!(&err, PaxlstError::Missing { field, .. } if field == "households[0].persons[2].family_name"),
        "{err}"
    );

    let mut bad = header();
    bad.interchange_control_ref = "ref-1".into();
    let err = paxlst(&two_households(), &bad).unwrap_err();
    assert!(
        matches!(&err, PaxlstError::Invalid { field, .. } if field == "header.interchange_control_ref")
    );

    let mut manifest = two_households();
    manifest.movement.kind = MovementKind::Convoy;
    assert_eq!(
        paxlst(&manifest, &header()).unwrap_err(),
        PaxlstError::NotAFlight
    );
}
