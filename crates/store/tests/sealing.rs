//! Encryption at rest and the burn, on both backends: personal data never
//! reaches the database in clear, a wrong master key is refused, and a burnt
//! operation's personal data can be read by no one while its aggregates,
//! the audit chain and other operations stay.

use domain::audit::Actor;
use domain::case::{NewCase, StatusChange};
use domain::operation::{NewOperation, Operation};
use domain::person::{Contact, ContactKind, PersonDetails, Relationship, Sex};
use domain::{CaseId, CaseStatus, OperationId};
use std::time::Duration;

use domain::alert::{AlertKind, AlertText, NewAlert};
use domain::roll_call::{Answer, RollCallScope};
use store::{
    CaseFilter, ChainReport, Channel, MasterKey, MasterKeySource, Paging, Store, StoreError,
};

const MARKERS: [&str; 6] = [
    "Zqxmarkerone",
    "Zqxmarkertwo",
    "Zqxneedsmarker",
    "Zqxreasonmarker",
    // An e-mail address's local part and a roll-call answer's location.
    "Zqxmailmarker",
    "Zqxplacemarker",
];

fn person(given: &str, family: &str) -> PersonDetails {
    PersonDetails {
        relationship: Relationship::Principal,
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        father_name: None,
        full_name_native: Some("محمد نبی".into()),
        date_of_birth: None,
        sex: Sex::Male,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: vec![
            Contact {
                kind: ContactKind::Phone,
                value: "+93701234567".into(),
            },
            Contact {
                kind: ContactKind::Email,
                value: format!("{}@example.org", MARKERS[4]),
            },
        ],
        province: Some("Kabul".into()),
        employer: None,
        employer_nation: None,
        years_of_service: None,
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}

async fn operation(store: &Store, id: &str, country: &str) -> Operation {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let op = tx
        .create_operation(&NewOperation {
            id: OperationId::parse(id).unwrap(),
            name: "Op".into(),
            country: country.into(),
            time_zone: "Asia/Kabul".into(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    op
}

/// A case carrying every marker: names, special needs, a status reason.
async fn marked_case(store: &Store, op: &Operation) -> CaseId {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let new = NewCase {
        special_needs: Some(MARKERS[2].into()),
        members: vec![person(MARKERS[0], MARKERS[1])],
        ..Default::default()
    };
    let id = tx.create_case(op, &new, "officer").await.unwrap();
    tx.change_status(
        id,
        &StatusChange {
            to: CaseStatus::UnderReview,
            reason: MARKERS[3].into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Everything the database holds, as bytes an attacker with the files (or a
/// dump) would search.
async fn raw(store: &Store, dir: Option<&std::path::Path>) -> Vec<u8> {
    match dir {
        Some(dir) => {
            let mut all = Vec::new();
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().contains("muster.db") {
                    all.extend(std::fs::read(&path).unwrap());
                }
            }
            all
        }
        None => {
            let mut all = Vec::new();
            for table in [
                "persons",
                "cases",
                "case_events",
                "name_tokens",
                "name_tokens_recent",
                "audit_events",
                "registration_requests",
                "operation_keys",
                "outbox",
                "outbox_attempts",
                "alerts",
                "message_replies",
                "roll_call_people",
                "roll_call_answers",
            ] {
                let row = sqlx::query(&format!(
                    "SELECT COALESCE(string_agg(t::text, '|'), '') AS dump FROM {table} t"
                ))
                .fetch_one(store.pool())
                .await
                .unwrap();
                let text: String = sqlx::Row::try_get(&row, "dump").unwrap();
                all.extend(text.into_bytes());
            }
            all
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_markers(bytes: &[u8]) {
    for m in MARKERS {
        let lower = m.to_lowercase();
        let hex = hex_of(m);
        for needle in [m.as_bytes(), lower.as_bytes(), hex.as_bytes()] {
            assert!(!contains(bytes, needle), "{m} found in the database");
        }
    }
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

async fn sealed_and_burnable(store: Store, dir: Option<&std::path::Path>) {
    let op = operation(&store, "kabul-2021", "AF").await;
    // Another operation leaving the same country: references stay unique.
    let other = operation(&store, "kabul-2022", "AF").await;
    let id = marked_case(&store, &op).await;
    let elsewhere = marked_case(&store, &other).await;
    assert_eq!(store.get_case(id).await.unwrap().reference, "AF-000001");
    assert_eq!(
        store.get_case(elsewhere).await.unwrap().reference,
        "AF-000002"
    );

    // Readable through the store, searchable by name, absent from the bytes.
    let case = store.get_case(id).await.unwrap();
    assert_eq!(
        case.members[0].details.given_name.as_deref(),
        Some(MARKERS[0])
    );
    assert_eq!(case.special_needs.as_deref(), Some(MARKERS[2]));
    assert_eq!(store.case_history(id).await.unwrap()[1].reason, MARKERS[3]);
    let by_name = CaseFilter {
        name_words: vec![MARKERS[0].to_lowercase()],
        ..Default::default()
    };
    let found = store
        .list_cases(&op.id, &by_name, Paging::default())
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(
        found.items[0].principal_name,
        format!("{} {}", MARKERS[0], MARKERS[1])
    );
    // Messages (an alert, a roll call), an answer with a location and an
    // SMS reply: sealed too.
    let texts: std::collections::BTreeMap<String, AlertText> = [(
        "en".to_owned(),
        AlertText {
            title: "Roll call".into(),
            body: "Answer: {link}".into(),
        },
    )]
    .into();
    let mut tx = store.write(Actor::Console).await.unwrap();
    let alert = tx
        .create_alert(
            &op.id,
            &NewAlert {
                kind: AlertKind::LeaveImmediately,
                texts: texts.clone(),
                target: Default::default(),
            },
        )
        .await
        .unwrap();
    tx.send_alert(alert, &texts).await.unwrap();
    tx.start_roll_call(
        &op.id,
        &RollCallScope::Nationality("AF".into()),
        &texts,
        "/r",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let claimed = store
        .claim_messages(
            "w",
            &[Channel::Email, Channel::Sms],
            Duration::from_secs(60),
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        claimed.len(),
        4,
        "e-mail and SMS, for the alert and the roll call"
    );
    let token = claimed
        .iter()
        .filter_map(|c| c.message.as_ref())
        .find_map(|m| m.text.strip_prefix("Answer: /r/"))
        .unwrap()
        .to_owned();
    let mut tx = store.write(Actor::Applicant).await.unwrap();
    tx.answer_roll_call(&token, Answer::Safe, Some(MARKERS[5]))
        .await
        .unwrap();
    tx.record_sms_reply("+93701234567", &format!("2 {}", MARKERS[5]))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_no_markers(&raw(&store, dir).await);

    // The burn.
    let row =
        sqlx::query("SELECT wrapped_key FROM operation_keys WHERE operation_id = 'kabul-2021'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let wrapped_before: Vec<u8> = sqlx::Row::try_get(&row, "wrapped_key").unwrap();
    assert!(contains(&raw(&store, dir).await, &wrapped_before[1..17]) || dir.is_none());
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.burn(&op.id).await.unwrap();
    tx.commit().await.unwrap();
    store.after_burn(&op.id).await.unwrap();
    assert!(matches!(store.get_case(id).await, Err(StoreError::Burned)));
    assert!(matches!(
        store
            .list_cases(&op.id, &CaseFilter::default(), Paging::default())
            .await,
        Err(StoreError::Burned)
    ));
    assert!(store.is_burned(&op.id).await.unwrap());
    // Unsent messages are cancelled, links answer nothing.
    assert!(
        store
            .claim_messages("w", &[Channel::Email, Channel::Sms], Duration::ZERO, 50)
            .await
            .unwrap()
            .is_empty()
    );
    let mut tx = store.write(Actor::Applicant).await.unwrap();
    assert!(
        tx.answer_roll_call(&token, Answer::Left, None)
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();
    // No new personal data can be written into a burnt operation either.
    let mut tx = store.write(Actor::Console).await.unwrap();
    let refused = tx
        .create_case(
            &op,
            &NewCase {
                members: vec![person("New", "Person")],
                ..Default::default()
            },
            "officer",
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Burned)));
    tx.rollback().await.unwrap();
    // Aggregates, the audit chain and the other operation stay.
    let counts = store.count_cases_by_status(&op.id).await.unwrap();
    assert_eq!(counts, vec![(CaseStatus::UnderReview, 1)]);
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        ChainReport::Intact { .. }
    ));
    let audit = store
        .list_audit(Paging::new(None, Some(200)))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "operation.burn"));
    assert_eq!(
        store.get_case(elsewhere).await.unwrap().members[0]
            .details
            .given_name
            .as_deref(),
        Some(MARKERS[0])
    );
    // A server started afresh (no key in memory) cannot read it either.
    let row =
        sqlx::query("SELECT wrapped_key FROM operation_keys WHERE operation_id = 'kabul-2021'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let wrapped: Option<Vec<u8>> = sqlx::Row::try_get(&row, "wrapped_key").unwrap();
    assert!(wrapped.is_none(), "the wrapped key is gone");
    let after = raw(&store, dir).await;
    assert!(
        !contains(&after, &wrapped_before[1..17]),
        "no copy of the key's bytes remains"
    );
    let hex: String = wrapped_before[1..17]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!contains(&after, hex.as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_seals_and_burns() {
    let (store, dir) = store::testing::sqlite().await;
    sealed_and_burnable(store, Some(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_seals_and_burns() {
    sealed_and_burnable(store::testing::postgres().await, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_refuses_another_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::backend::sqlite_url_for_dir(dir.path());
    let key = MasterKey::generate();
    let store = Store::connect(&url, MasterKeySource::Key(key.clone()))
        .await
        .unwrap();
    store.close().await;
    let wrong = Store::connect(&url, MasterKeySource::Key(MasterKey::generate())).await;
    assert!(
        matches!(wrong, Err(StoreError::WrongMasterKey)),
        "{wrong:?}"
    );
    assert!(
        Store::connect(&url, MasterKeySource::Key(key))
            .await
            .is_ok()
    );

    // A passphrase works the same way, with the database's own salt.
    let dir = tempfile::tempdir().unwrap();
    let url = store::backend::sqlite_url_for_dir(dir.path());
    let pass = |p: &str| MasterKeySource::Passphrase(p.into());
    Store::connect(&url, pass("a long passphrase of the deployment"))
        .await
        .unwrap()
        .close()
        .await;
    assert!(
        Store::connect(&url, pass("a long passphrase of the deployment"))
            .await
            .is_ok()
    );
    assert!(matches!(
        Store::connect(&url, pass("another passphrase")).await,
        Err(StoreError::WrongMasterKey)
    ));
}
