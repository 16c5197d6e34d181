//! `muster pfif import` end to end: the Person Finder sample imports (one
//! person, four notes, ids kept), a second run adds nothing, and bad records
//! are refused with field and rule while the rest is stored.

mod common;

use common::{muster, text};
use domain::OperationId;
use domain::audit::Actor;
use domain::operation::NewOperation;
use store::{CaseFilter, Paging, Store};

async fn open(dir: &std::path::Path) -> Store {
    let key = store::MasterKey::load_or_create(&dir.join("master.key")).unwrap();
    Store::connect(
        &store::backend::sqlite_url_for_dir(dir),
        store::MasterKeySource::Key(key),
    )
    .await
    .unwrap()
}

fn summary(o: &std::process::Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

const BAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>example.org/person.good</pfif:person_record_id>
    <pfif:source_date>2021-08-15T10:00:00Z</pfif:source_date>
    <pfif:full_name>Ahmad Pfifzai</pfif:full_name>
    <pfif:home_state>Herat</pfif:home_state>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>example.org/person.nodate</pfif:person_record_id>
    <pfif:full_name>Karim Pfifzai</pfif:full_name>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>example.org/person.sex</pfif:person_record_id>
    <pfif:source_date>2021-08-15T10:00:00Z</pfif:source_date>
    <pfif:full_name>Wali Pfifzai</pfif:full_name>
    <pfif:sex>unknown</pfif:sex>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>example.org/note.orphan</pfif:note_record_id>
    <pfif:person_record_id>example.org/person.elsewhere</pfif:person_record_id>
    <pfif:source_date>2021-08-15T10:00:00Z</pfif:source_date>
  </pfif:note>
  <pfif:note>
    <pfif:note_record_id>example.org/note.good</pfif:note_record_id>
    <pfif:person_record_id>example.org/person.good</pfif:person_record_id>
    <pfif:author_name>Officer</pfif:author_name>
    <pfif:source_date>2021-08-16T10:00:00Z</pfif:source_date>
    <pfif:status>believed_alive</pfif:status>
  </pfif:note>
</pfif:pfif>"#;

#[test]
fn pfif_import_keeps_ids_refuses_bad_records_and_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open(dir.path()).await;
        let mut tx = store.write(Actor::Console).await.unwrap();
        tx.create_operation(&NewOperation {
            id: OperationId::parse("kabul-2021").unwrap(),
            name: "Kabul".into(),
            country: "AF".into(),
            time_zone: "Asia/Kabul".into(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    });
    // scripts/test finds the shared sample wherever the checkout stands.
    let sample = std::env::var("MUSTER_PFIF_SAMPLE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/pfif/person-finder-test-1.4.xml"
        )
        .to_owned()
    });
    let sample = sample.as_str();
    let run = |file: &str| {
        muster(
            dir.path(),
            &[
                "pfif",
                "import",
                "--operation",
                "kabul-2021",
                "--json",
                file,
            ],
        )
    };
    let first = summary(&run(sample));
    assert_eq!(first["persons"]["imported"], 1, "{first}");
    assert_eq!(first["notes"]["imported"], 4, "{first}");
    assert_eq!(first["refused"].as_array().unwrap().len(), 0);
    let again = summary(&run(sample));
    assert_eq!(again["persons"]["already_imported"], 1, "{again}");
    assert_eq!(again["notes"]["already_imported"], 4, "{again}");

    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, BAD).unwrap();
    let out = summary(&run(bad.to_str().unwrap()));
    assert_eq!(out["persons"]["read"], 3, "{out}");
    assert_eq!(out["persons"]["imported"], 1, "{out}");
    assert_eq!(out["persons"]["refused"], 2, "{out}");
    assert_eq!(out["notes"]["imported"], 1, "{out}");
    assert_eq!(out["notes"]["refused"], 1, "{out}");
    let reasons: Vec<(String, String, String)> = out["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["record"].as_str().unwrap().to_owned(),
                r["field"].as_str().unwrap().to_owned(),
                r["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(
            "example.org/person.nodate".into(),
            "source_date".into(),
            "required".into()
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            "example.org/person.sex".into(),
            "sex".into(),
            "one_of".into()
        )),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.0 == "example.org/note.orphan" && r.1 == "person_record_id"),
        "{reasons:?}"
    );

    // Human output names the reasons too.
    let plain = muster(
        dir.path(),
        &[
            "pfif",
            "import",
            "--operation",
            "kabul-2021",
            bad.to_str().unwrap(),
        ],
    );
    assert!(
        text(&plain).contains("refused person example.org/person.sex: sex"),
        "{}",
        text(&plain)
    );

    rt.block_on(async {
        let store = open(dir.path()).await;
        let op = OperationId::parse("kabul-2021").unwrap();
        let page = store
            .list_cases(&op, &CaseFilter::default(), Paging::default())
            .await
            .unwrap();
        assert_eq!(page.total, 2, "the sample's person and the good one");
        let persons = store.pfif_persons(&op).await.unwrap();
        let ids: Vec<_> = persons
            .iter()
            .map(|p| p.person_record_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["example.org/person.good", "test.google.com/person.21009"]
        );
        assert_eq!(store.pfif_notes(&op).await.unwrap().len(), 5);
        let herat = store
            .list_cases(
                &op,
                &CaseFilter {
                    province: Some("AF-HER".into()),
                    ..Default::default()
                },
                Paging::default(),
            )
            .await
            .unwrap();
        assert_eq!(herat.total, 1, "home_state is the household's province");
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            store::ChainReport::Intact { .. }
        ));
        store.close().await;
    });
}
