mod common;

use common::{many, parse_csv, two_households};
use manifests::csv::HEADER;

#[test]
fn one_row_per_passenger_with_every_field() {
    let manifest = two_households();
    let rows = parse_csv(&manifests::csv(&manifest));
    assert_eq!(rows[0], HEADER.to_vec());
    assert_eq!(rows.len(), 1 + manifest.passenger_count());
    let mut rows = rows.iter().skip(1);
    for household in &manifest.households {
        for (i, person) in household.persons.iter().enumerate() {
            let row = rows.next().unwrap();
            let column = |name: &str| row[HEADER.iter().position(|h| *h == name).unwrap()].as_str();
            assert_eq!(column("household_reference"), household.reference);
            assert_eq!(column("household_position"), (i + 1).to_string());
            assert_eq!(
                column("household_size"),
                household.persons.len().to_string()
            );
            assert_eq!(column("family_name"), person.family_name);
            assert_eq!(column("given_names"), person.given_names);
            assert_eq!(
                column("full_name_native"),
                person.full_name_native.clone().unwrap_or_default()
            );
            assert_eq!(column("sex"), person.sex.map(|s| s.code()).unwrap_or(""));
            assert_eq!(
                column("date_of_birth"),
                person
                    .date_of_birth
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            );
            assert_eq!(
                column("nationality"),
                person.nationality.clone().unwrap_or_default()
            );
            let doc = person.document.as_ref();
            assert_eq!(
                column("document_kind"),
                doc.map(|d| d.kind.code()).unwrap_or("")
            );
            assert_eq!(
                column("document_number"),
                doc.map(|d| d.number.clone()).unwrap_or_default()
            );
            assert_eq!(
                column("document_issuing_country"),
                doc.and_then(|d| d.issuing_country.clone())
                    .unwrap_or_default()
            );
            assert_eq!(
                column("document_expires_on"),
                doc.and_then(|d| d.expires_on)
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            );
            assert_eq!(
                column("seat_needed"),
                if person.seat_needed { "yes" } else { "no" }
            );
        }
    }
}

#[test]
fn dari_names_stay_utf8_and_awkward_text_round_trips() {
    let mut manifest = two_households();
    let person = &mut manifest.households[0].persons[0];
    person.given_names = "Ahmad \"Shah\", Jr.\nsecond line".into();
    let bytes = manifests::csv(&manifest);
    let rows = parse_csv(&bytes);
    assert_eq!(rows[1][3], "Ahmad \"Shah\", Jr.\nsecond line");
    assert_eq!(rows[1][4], "احمد شاه رحیمی");
}

#[test]
fn formula_injection_is_defused_in_every_column() {
    let mut manifest = two_households();
    let attacks = [
        "=cmd|' /C calc'!A0",
        "+SUM(1)",
        "-1+2",
        "@HYPERLINK(\"x\")",
        "\tTAB",
        "\rCR",
    ];
    let person = &mut manifest.households[0].persons[0];
    person.family_name = attacks[0].into();
    person.given_names = attacks[1].into();
    person.full_name_native = Some(attacks[2].into());
    person.nationality = Some(attacks[3].into());
    person.document.as_mut().unwrap().number = attacks[4].into();
    manifest.households[0].reference = attacks[5].into();
    let rows = parse_csv(&manifests::csv(&manifest));
    let row = &rows[1];
    for (column, attack) in [(2, 0), (3, 1), (4, 2), (7, 3), (9, 4), (0, 5)] {
        assert_eq!(
            row[column],
            format!("'{}", attacks[attack]),
            "column {column}"
        );
    }
    // Every cell of the document starts with something a spreadsheet reads as text.
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn large_manifest_has_all_rows() {
    let manifest = many(300, 2000);
    let rows = parse_csv(&manifests::csv(&manifest));
    assert_eq!(rows.len(), 2001);
    assert!(rows.iter().all(|r| r.len() == HEADER.len()));
}
