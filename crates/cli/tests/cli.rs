//! The binary itself: demo loading once, users, and verify-audit catching a
//! row edited behind the application's back.

mod common;

use common::{muster, text};

/// `muster user add --role auditor` with the password in a file.
fn add_auditor(dir: &std::path::Path, username: &str, password: &str) -> std::process::Output {
    let file = dir.join(format!("{username}.pw"));
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let file = file.to_str().unwrap();
    muster(
        dir,
        &[
            "user",
            "add",
            "--role",
            "auditor",
            "--password-file",
            file,
            username,
        ],
    )
}

#[test]
fn demo_loads_once_and_verify_audit_names_a_tampered_event() {
    let dir = tempfile::tempdir().unwrap();
    let first = muster(
        dir.path(),
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("Demo loaded"));
    let again = muster(
        dir.path(),
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    assert!(again.status.success());
    assert!(
        !text(&again).contains("Demo loaded"),
        "a second run loads nothing twice"
    );
    assert!(text(&again).contains("exist already"));

    let added = add_auditor(dir.path(), "oversight", "a long enough password");
    assert!(added.status.success(), "{}", text(&added));
    let refused = add_auditor(dir.path(), "o2", "short");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("password"));

    let ok = muster(dir.path(), &["verify-audit"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact"));

    // Behind the application's back, with SQLite's own tools.
    let db = dir.path().join("muster.db");
    let tamper = edit_audit_event(&db);
    assert!(tamper, "could not edit the database");
    let broken = muster(dir.path(), &["verify-audit"]);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
    assert!(
        text(&broken).contains("audit event 100:"),
        "{}",
        text(&broken)
    );
}

#[test]
fn demo_households_called_forward_hold_passes_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = muster(
        dir.path(),
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open(&dir.path().join("muster.db")).await;
        let op = domain::OperationId::parse(demo::OPERATION_ID).unwrap();
        let called = store
            .cases_at(&op, &[domain::CaseStatus::CalledForward])
            .await
            .unwrap();
        assert!(called.len() > 10, "{} called forward", called.len());
        for case in &called {
            let movement = case.movement_id.expect("on a movement");
            let slot = case.processing_slot.expect("at a processing hour");
            let pass = store.current_pass(case.id).await.unwrap().expect("a pass");
            let claims = store::testing::verify_pass(&store, &pass)
                .await
                .expect("the pass verifies with the published keys");
            assert_eq!(claims.mov, movement.to_string());
            assert_eq!(claims.hour, slot.timestamp());
            assert_eq!(claims.hh as usize, case.members.len());
        }
        // Every household with a seat has a movement that takes its scheme,
        // an hour before departure, and no movement is overfilled.
        let movements = store.list_movements(&op, None).await.unwrap();
        let schemes = store.list_schemes(&op).await.unwrap();
        let loads = store.movement_loads(&op).await.unwrap();
        use domain::CaseStatus::{CheckedIn, Departed, Scheduled};
        let seated = store
            .cases_at(&op, &[Scheduled, CheckedIn, Departed])
            .await
            .unwrap();
        for case in seated.iter().chain(&called) {
            let m = (movements.iter())
                .find(|m| Some(m.id) == case.movement_id)
                .expect("a seated household has its movement");
            let scheme = (schemes.iter())
                .find(|s| Some(s.id) == case.scheme_id)
                .expect("and a scheme");
            assert!(m.accepts(scheme), "{} takes {}", m.designator, scheme.code);
            assert!(case.processing_slot.is_some_and(|t| t < m.departs_at));
        }
        for m in &movements {
            let persons = loads.get(&m.id).map_or(0, |l| l.1);
            assert!(persons <= m.seats, "{} overfilled", m.designator);
        }
        store.close().await;
    });
}

async fn open(db: &std::path::Path) -> store::Store {
    let url = format!("sqlite://{}", db.display());
    let key = store::MasterKey::load_or_create(&db.with_file_name("master.key")).unwrap();
    store::Store::connect(&url, store::MasterKeySource::Key(key))
        .await
        .unwrap()
}

/// Edits audit event 100 through the store's own connection pool (a second
/// process, as an attacker with file access would).
fn edit_audit_event(db: &std::path::Path) -> bool {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", db.display());
        let key = store::MasterKey::load_or_create(&db.with_file_name("master.key")).unwrap();
        let store = store::Store::connect(&url, store::MasterKeySource::Key(key))
            .await
            .unwrap();
        let done =
            sqlx::query("UPDATE audit_events SET target_id = 'someone-else' WHERE seq = 100")
                .execute(store.pool())
                .await
                .unwrap();
        store.close().await;
        done.rows_affected() == 1
    })
}
