mod common;

use std::collections::BTreeSet;

use common::{parse_csv, two_households};
use manifests::minimised::MINIMISED_HEADER;
use manifests::{minimise, minimised_csv};

/// Every object key and every string or number leaf of a JSON value.
fn collect(value: &serde_json::Value, keys: &mut BTreeSet<String>, leaves: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                keys.insert(k.clone());
                collect(v, keys, leaves);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, keys, leaves)),
        serde_json::Value::String(s) => leaves.push(s.clone()),
        serde_json::Value::Number(n) => leaves.push(n.to_string()),
        _ => {}
    }
}

#[test]
fn keeps_names_nationality_document_number_and_size() {
    let manifest = two_households();
    let minimised = minimise(&manifest);
    assert_eq!(minimised.households.len(), manifest.households.len());
    for (m, h) in minimised.households.iter().zip(&manifest.households) {
        assert_eq!(m.reference, h.reference);
        assert_eq!(m.size as usize, h.persons.len());
        assert_eq!(m.persons.len(), h.persons.len());
        for (mp, p) in m.persons.iter().zip(&h.persons) {
            assert_eq!(mp.name, format!("{}, {}", p.family_name, p.given_names));
            assert_eq!(mp.nationality, p.nationality);
            assert_eq!(
                mp.document_number,
                p.document.as_ref().map(|d| d.number.clone())
            );
        }
    }
}

#[test]
fn nothing_else_leaks() {
    let manifest = two_households();
    let minimised = minimise(&manifest);

    // The structure has exactly the allowed fields.
    let json = serde_json::to_value(&minimised).unwrap();
    let (mut keys, mut leaves) = (BTreeSet::new(), Vec::new());
    collect(&json, &mut keys, &mut leaves);
    let allowed: BTreeSet<String> = [
        "households",
        "reference",
        "size",
        "persons",
        "name",
        "nationality",
        "document_number",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys, allowed);

    // And no value of any other field turns up, in the structure or in its CSV.
    let csv = String::from_utf8(minimised_csv(&minimised)).unwrap();
    let json_text = json.to_string();
    let mut forbidden = vec![
        manifest.operation_name.clone(),
        manifest.movement.designator.clone(),
        manifest.movement.origin.clone(),
        manifest.movement.destination.clone(),
    ];
    for household in &manifest.households {
        if !household.qr_payload.is_empty() {
            forbidden.push(household.qr_payload.clone());
        }
        for person in &household.persons {
            forbidden.extend(person.full_name_native.clone());
            forbidden.extend(person.sex.map(|s| s.code().to_owned()));
            if let Some(born) = person.date_of_birth {
                forbidden.push(born.to_string());
                forbidden.push(born.format("%Y").to_string());
            }
            if let Some(document) = &person.document {
                forbidden.push(document.kind.code().to_owned());
                forbidden.extend(document.expires_on.map(|d| d.to_string()));
                forbidden.extend(document.expires_on.map(|d| d.format("%Y").to_string()));
            }
        }
    }
    for value in &forbidden {
        assert!(
            !json_text.contains(value.as_str()),
            "{value:?} leaks into the JSON"
        );
        assert!(
            !csv.contains(value.as_str()),
            "{value:?} leaks into the CSV"
        );
    }
    // The issuing country equals the nationality here, so it is checked by field name
    // above rather than by value; the CSV has exactly the allowed columns.
    let rows = parse_csv(csv.as_bytes());
    assert_eq!(rows[0], MINIMISED_HEADER.to_vec());
    assert!(rows.iter().all(|r| r.len() == MINIMISED_HEADER.len()));
    assert_eq!(rows.len(), 1 + manifest.passenger_count());
}

#[test]
fn minimised_csv_rows_match_the_households() {
    let manifest = two_households();
    let rows = parse_csv(&minimised_csv(&minimise(&manifest)));
    assert_eq!(
        rows[1],
        ["AF-000042", "3", "Rahimi, Ahmad Shah", "AFG", "P01234567"]
    );
    assert_eq!(rows[3], ["AF-000042", "3", "Rahimi, Maryam", "AFG", ""]);
    assert_eq!(
        rows[4],
        ["AF-000107", "1", "Noori, Farid", "AFG", "1400-0101-23456"]
    );
}
