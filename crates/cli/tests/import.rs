//! `muster import` end to end: a staff list with bad rows into the demo
//! operation, checked through the store itself, not through the binary.

mod common;

use common::{muster, text};

use domain::OperationId;
use domain::dates::{Calendar, Precision};
use domain::person::Relationship;
use store::{CaseFilter, Paging, Store};

/// Two households. Line 3 has an impossible date, line 5 a scheme code the
/// operation lacks, line 6 (H-2's principal) a phone number that cannot be
/// Afghan, so H-2's remaining member becomes its principal.
const STAFF: &str = "\
household_ref,relationship,given_name,family_name,date_of_birth,sex,nationality,phone,email,province,scheme
H-1,principal,Ahmad,Testimport,1360/05/12,M,Afghan,070 123 4567,ahmad@example.org,Heraat,NOR-LES
H-1,wife,Zahra,Testimport,1985-02-30,F,AF,,,Kabul,
H-1,son,Omid,Testimport,2010,M,AFG,,,KBL,
H-1,brother,Karim,Testimport,1990,M,AF,,,,NOPE
H-2,principal,Farid,Testimport,21.03.1981,M,AF,0812345678,,Hirat,
H-2,wife,Mina,Testimport,35,F,AF,0093 70 123 4568,,Atlantis,FIN-130
";

/// The imported cases (their people share a family name no demo case has),
/// and the operation's total.
async fn imported(dir: &std::path::Path) -> (Vec<domain::case::Case>, i64) {
    let key = store::MasterKey::load_or_create(&dir.join("master.key")).unwrap();
    let store = Store::connect(
        &format!("sqlite://{}/muster.db", dir.display()),
        store::MasterKeySource::Key(key),
    )
    .await
    .unwrap();
    let op = OperationId::parse("kabul-2021").unwrap();
    let all = store
        .list_cases(&op, &CaseFilter::default(), Paging::default())
        .await
        .unwrap();
    let filter = CaseFilter {
        name_words: vec!["testimport".into()],
        ..CaseFilter::default()
    };
    let page = store
        .list_cases(&op, &filter, Paging::default())
        .await
        .unwrap();
    let mut cases = Vec::new();
    for s in page.items {
        cases.push(store.get_case(s.id).await.unwrap());
    }
    cases.sort_by_key(|c| c.reference.clone());
    store.close().await;
    (cases, all.total)
}

#[test]
fn import_stores_households_and_writes_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let demo = muster(
        dir.path(),
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    assert!(demo.status.success(), "{}", text(&demo));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (none, before) = rt.block_on(imported(dir.path()));
    assert!(none.is_empty());

    let input = dir.path().join("staff.csv");
    std::fs::write(&input, STAFF).unwrap();
    let file = input.to_str().unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--operation",
            "kabul-2021",
            "--source",
            "staff-list",
            "--json",
        ];
        args.extend_from_slice(extra);
        args.push(file);
        muster(dir.path(), &args)
    };
    let summary = r#"{"read":6,"accepted":3,"rejected":3,"suspected_duplicates":0}"#;

    // A dry run reports and writes the rejected rows, and stores nothing.
    let dry = import(&["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert_eq!(String::from_utf8_lossy(&dry.stdout).trim(), summary);
    let (none, after_dry) = rt.block_on(imported(dir.path()));
    assert!(none.is_empty(), "a dry run stores nothing");
    assert_eq!(after_dry, before);

    let rejected = std::fs::read(dir.path().join("staff.rejected.csv")).unwrap();
    let rejected = formats::import::read_csv(&rejected).unwrap();
    let width = STAFF.lines().next().unwrap().split(',').count();
    assert_eq!(
        &rejected.header[width..],
        ["line".to_string(), "reason".to_string()]
    );
    let got: Vec<(&str, &str, &str)> = rejected
        .rows
        .iter()
        .map(|r| {
            (
                r.cells[2].as_str(),
                r.cells[width].as_str(),
                r.cells[width + 1].as_str(),
            )
        })
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    for ((name, line, reason), (want_name, want_line, want_reason)) in got.iter().zip([
        ("Zahra", "3", "date_of_birth: impossible_date"),
        ("Karim", "5", "scheme: known_scheme"),
        ("Farid", "6", "phone: phone_afghan_prefix"),
    ]) {
        assert_eq!((*name, *line), (want_name, want_line));
        assert!(reason.starts_with(want_reason), "{reason}");
    }
    // Every original column is kept as written.
    let original: Vec<&str> = STAFF.lines().nth(2).unwrap().split(',').collect();
    assert_eq!(&rejected.rows[0].cells[..width], original.as_slice());

    // The real run stores the two households, one transaction, one source.
    let real = import(&[]);
    assert!(real.status.success(), "{}", text(&real));
    assert_eq!(String::from_utf8_lossy(&real.stdout).trim(), summary);
    let (cases, after) = rt.block_on(imported(dir.path()));
    assert_eq!(after, before + 2);
    assert_eq!(cases.len(), 2);
    for c in &cases {
        assert_eq!(c.source, "import:staff-list");
    }
    let h1 = &cases[0];
    assert_eq!(h1.members.len(), 2);
    let ahmad = &h1.principal().unwrap().details;
    assert_eq!(ahmad.given_name.as_deref(), Some("Ahmad"));
    let dob = ahmad.date_of_birth.unwrap();
    assert_eq!(
        (dob.calendar, dob.year, dob.month, dob.day, dob.precision),
        (
            Calendar::SolarHijri,
            1360,
            Some(5),
            Some(12),
            Precision::Day
        )
    );
    assert_eq!(ahmad.province.as_deref(), Some("Herat"));
    assert_eq!(ahmad.contacts[0].value, "+93701234567");
    assert_eq!(ahmad.nationalities, ["AF"]);
    assert!(h1.scheme_id.is_some());
    assert_eq!(h1.members[1].details.relationship, Relationship::Child);
    // The rows it lost flag the case for follow-up, by line number only.
    assert_eq!(
        h1.follow_up.as_deref(),
        Some("rows refused on import (lines 3, 5)")
    );
    // H-2 lost its principal's row: its other member stands in.
    let h2 = &cases[1];
    assert_eq!(h2.members.len(), 1);
    let mina = &h2.principal().unwrap().details;
    assert_eq!(mina.given_name.as_deref(), Some("Mina"));
    assert_eq!(mina.province.as_deref(), Some("Atlantis"));
    assert_eq!(mina.date_of_birth.unwrap().precision, Precision::Estimated);
    let flag = h2.follow_up.as_deref().unwrap_or_default();
    assert!(flag.contains("first member was made principal"), "{flag}");

    // Without --json: a human summary naming what needs a person's attention.
    let again = muster(
        dir.path(),
        &[
            "import",
            "--operation",
            "kabul-2021",
            "--source",
            "staff-list",
            "--dry-run",
            file,
        ],
    );
    assert!(again.status.success(), "{}", text(&again));
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains("read 6 rows: 3 accepted in 2 cases, 3 rejected"),
        "{out}"
    );
    assert!(out.contains("first member made principal: H-2"), "{out}");
    assert!(out.contains("to follow up: H-1, H-2"), "{out}");

    // The same list again: its three people are already registered, and the
    // matcher says so (a dry run, so nothing more is stored).
    let twice = import(&["--dry-run"]);
    assert!(twice.status.success(), "{}", text(&twice));
    let summary: serde_json::Value = serde_json::from_slice(&twice.stdout).unwrap();
    assert_eq!(summary["accepted"], 3);
    assert_eq!(summary["suspected_duplicates"], 3, "{summary}");
}
