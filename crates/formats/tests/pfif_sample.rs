//! The PFIF sample from Person Finder's test suite (`../shared/data/pfif`):
//! one person with four notes, ids and sources kept, whitespace stripped.

use formats::pfif;

fn sample() -> Vec<u8> {
    // scripts/test finds the shared sample wherever the checkout stands.
    let path = std::env::var("MUSTER_PFIF_SAMPLE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/pfif/person-finder-test-1.4.xml"
        )
        .to_owned()
    });
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_person_finder_sample_reads_whole() {
    let doc = pfif::parse(&sample()).unwrap();
    assert!(doc.refused.is_empty(), "{:?}", doc.refused);
    assert_eq!(doc.persons.len(), 1);
    assert!(doc.notes.is_empty(), "every note stands in its person");
    let p = &doc.persons[0];
    assert_eq!(
        p.get("person_record_id"),
        Some("test.google.com/person.21009")
    );
    assert_eq!(p.get("source_name"), Some("_test_source_name"));
    assert_eq!(p.get("source_url"), Some("_test_source_url"));
    assert_eq!(
        p.get("home_city"),
        Some("_test_home_city"),
        "whitespace stripped"
    );
    assert_eq!(
        p.get("given_name"),
        Some("_test_first_name"),
        "first_name is 1.4's given_name"
    );
    assert_eq!(
        p.get("full_name"),
        Some("_test_full_name1\n_test_full_name2")
    );
    let ids: Vec<_> = p
        .notes
        .iter()
        .map(|n| n.get("note_record_id").unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "test.google.com/note.27009",
            "test.google.com/note.31095",
            "test.google.com/note.40121",
            "test.google.com/note.50121"
        ]
    );
    assert!(
        p.notes
            .iter()
            .all(|n| n.get("person_record_id") == Some("test.google.com/person.21009")),
        "notes without a person_record_id belong to the enclosing person"
    );
    assert_eq!(
        p.notes[0].get("linked_person_record_id"),
        Some("test.google.com/person.999")
    );
    assert_eq!(p.notes[1].get("author_made_contact"), Some("true"));
    assert_eq!(p.notes[2].get("status"), Some("is_note_author"));
}

#[path = "support/pfif_schema.rs"]
mod pfif_schema;

#[test]
fn what_is_written_keeps_to_the_pfif_1_4_structure() {
    let doc = pfif::parse(&sample()).unwrap();
    let xml = pfif::write_document(&doc.persons);
    assert_eq!(pfif_schema::check(&xml), Vec::<String>::new());
    // The sample itself is older in form (first_name, fields out of order):
    // the checker sees it, so it is checking something.
    let original = String::from_utf8(sample()).unwrap();
    let problems = pfif_schema::check(&original);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("first_name is not a field")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("out of order")),
        "{problems:?}"
    );
}
