//! The outbox, alerts and roll calls, on SQLite and PostgreSQL: messages
//! queued with what caused them, claimed once across workers, outcomes
//! recorded only under the lease, answers kept, and the burn.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use domain::OperationId;
use domain::alert::{AlertKind, AlertTarget, AlertText, NewAlert};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::operation::{NewOperation, Operation};
use domain::person::{Contact, ContactKind, PersonDetails, Relationship, Sex};
use domain::post::{NewPost, PostKind};
use domain::roll_call::{Answer, RollCallScope};
use sqlx::Row;
use store::{Channel, Outcome, Store, StoreError};

store::on_both_backends!(
    an_alert_queues_one_message_per_person_and_channel_in_their_language,
    two_workers_never_claim_the_same_message,
    a_lost_lease_is_claimed_again_and_the_late_outcome_is_ignored,
    retries_wait_and_every_attempt_is_recorded,
    roll_call_answers_replace_and_are_kept,
    sms_replies_count_and_answer_roll_calls,
    the_burn_cancels_pending_messages_and_seals_them_for_good,
);

const BOTH: [Channel; 2] = [Channel::Email, Channel::Sms];
const LEASE: Duration = Duration::from_secs(60);

async fn operation(store: &Store) -> Operation {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let op = tx
        .create_operation(&NewOperation {
            id: OperationId::parse("kabul-2021").unwrap(),
            name: "Kabul 2021".into(),
            country: "AF".into(),
            time_zone: "Asia/Kabul".into(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    op
}

fn person(given: &str, nationality: &str, contacts: &[(ContactKind, &str)]) -> PersonDetails {
    PersonDetails {
        relationship: Relationship::Principal,
        given_name: Some(given.into()),
        family_name: Some("Jensen".into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Unknown,
        nationalities: vec![nationality.into()],
        documents: vec![],
        contacts: contacts
            .iter()
            .map(|(kind, value)| Contact {
                kind: *kind,
                value: (*value).into(),
            })
            .collect(),
        province: Some("Kabul".into()),
        employer: Some("Embassy of Denmark".into()),
        ..PersonDetails::named(Relationship::Principal, given)
    }
}

async fn household(store: &Store, op: &Operation, language: &str, p: PersonDetails) {
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.create_case(
        op,
        &NewCase {
            language: Some(language.into()),
            members: vec![p],
            ..Default::default()
        },
        "officer",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn texts() -> BTreeMap<String, AlertText> {
    [("en", "Leave now"), ("da", "Rejs nu")]
        .into_iter()
        .map(|(l, t)| {
            (
                l.to_owned(),
                AlertText {
                    title: t.into(),
                    body: format!("{t}: {{link}}"),
                },
            )
        })
        .collect()
}

/// Three Danes (one with e-mail and phone, one with a phone, one with
/// nothing) and an Afghan with e-mail; sends an alert to the Danes.
async fn sent_alert(store: &Store) -> (Operation, domain::AlertId) {
    let op = operation(store).await;
    use ContactKind::*;
    household(
        store,
        &op,
        "da",
        person(
            "Mette",
            "DK",
            &[(Email, "mette@example.dk"), (Phone, "+4512345678")],
        ),
    )
    .await;
    household(
        store,
        &op,
        "fa",
        person("Lars", "DK", &[(Phone, "+4587654321")]),
    )
    .await;
    household(store, &op, "da", person("Nils", "DK", &[])).await;
    household(
        store,
        &op,
        "en",
        person("Nabi", "AF", &[(Email, "nabi@example.org")]),
    )
    .await;
    let target = AlertTarget {
        nationalities: vec!["DK".into()],
        ..Default::default()
    };
    let preview = store.preview_recipients(&op.id, &target).await.unwrap();
    assert_eq!(
        (
            preview.persons,
            preview.email,
            preview.sms,
            preview.reachable
        ),
        (3, 1, 2, 2)
    );
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx
        .create_alert(
            &op.id,
            &NewAlert {
                kind: AlertKind::LeaveImmediately,
                texts: BTreeMap::new(),
                target,
            },
        )
        .await
        .unwrap();
    let sent = tx.send_alert(id, &texts()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(sent, preview);
    (op, id)
}

async fn an_alert_queues_one_message_per_person_and_channel_in_their_language(store: Store) {
    let (_, id) = sent_alert(&store).await;
    let messages = store.messages_of("alert", &id.to_string()).await.unwrap();
    assert_eq!(messages.len(), 3, "Mette by e-mail and SMS, Lars by SMS");
    let claimed = store.claim_messages("w1", &BOTH, LEASE, 10).await.unwrap();
    let mut got: Vec<(String, String, String)> = claimed
        .iter()
        .map(|c| {
            let m = c.message.clone().unwrap();
            (m.to, m.language, m.subject)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "+4512345678".to_owned(),
                "da".to_owned(),
                "Rejs nu".to_owned()
            ),
            // No Dari text was given: English is the fallback.
            (
                "+4587654321".to_owned(),
                "en".to_owned(),
                "Leave now".to_owned()
            ),
            (
                "mette@example.dk".to_owned(),
                "da".to_owned(),
                "Rejs nu".to_owned()
            ),
        ]
    );
    // Sent once only.
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.send_alert(id, &texts()).await,
        Err(StoreError::Conflict(_))
    ));
    tx.rollback().await.unwrap();
    // Addressees and texts are sealed at rest.
    let rows = sqlx::query("SELECT sealed FROM outbox")
        .fetch_all(store.pool())
        .await
        .unwrap();
    for r in rows {
        let sealed: Vec<u8> = r.try_get("sealed").unwrap();
        assert!(!sealed.windows(8).any(|w| w == b"+4512345"));
        assert!(!sealed.windows(5).any(|w| w == b"mette"));
    }
    let alert = store.get_alert(id).await.unwrap();
    assert_eq!(alert.counts.pending, 3);
}

async fn two_workers_never_claim_the_same_message(store: Store) {
    let op = operation(&store).await;
    for i in 0..30 {
        household(
            &store,
            &op,
            "en",
            person(
                &format!("P{i}"),
                "DK",
                &[(ContactKind::Phone, &format!("+45100000{i:02}"))],
            ),
        )
        .await;
    }
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx
        .create_alert(
            &op.id,
            &NewAlert {
                kind: AlertKind::StayWhereYouAre,
                texts: BTreeMap::new(),
                target: AlertTarget::default(),
            },
        )
        .await
        .unwrap();
    tx.send_alert(id, &texts()).await.unwrap();
    tx.commit().await.unwrap();
    let claim = |name: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_messages(name, &BOTH, LEASE, 3).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(batch.len() <= 3, "a claim takes at most its limit");
                for c in batch {
                    assert!(
                        store
                            .record_outcome(name, &c, &Outcome::Delivered)
                            .await
                            .unwrap()
                    );
                    mine.push(c.id);
                }
            }
            mine
        })
    };
    let (a, b) = (claim("a"), claim("b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let all: HashSet<_> = a.iter().chain(&b).collect();
    assert_eq!(a.len() + b.len(), 30, "every message claimed once");
    assert_eq!(all.len(), 30);
    let counts = store
        .delivery_counts("alert", &id.to_string())
        .await
        .unwrap();
    assert_eq!((counts.delivered, counts.pending), (30, 0));
}

async fn a_lost_lease_is_claimed_again_and_the_late_outcome_is_ignored(store: Store) {
    let (_, id) = sent_alert(&store).await;
    let first = store
        .claim_messages("dead", &[Channel::Email], Duration::from_millis(50), 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // Only e-mail was asked for: the SMS wait for a worker that sends them.
    assert!(
        store
            .claim_messages("other", &[Channel::Email], LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    let again = store
        .claim_messages("alive", &[Channel::Email], LEASE, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempt, 2);
    assert!(
        !store
            .record_outcome("dead", &first[0], &Outcome::Delivered)
            .await
            .unwrap(),
        "the dead worker's lease is gone"
    );
    assert!(
        store
            .record_outcome("alive", &again[0], &Outcome::Delivered)
            .await
            .unwrap()
    );
    let attempts = store.message_attempts(first[0].id).await.unwrap();
    let outcomes: Vec<_> = attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["delivered", "delivered"]);
    assert_eq!(attempts[1].worker, "alive");
    let states = store.messages_of("alert", &id.to_string()).await.unwrap();
    assert_eq!(states.iter().filter(|m| m.status == "delivered").count(), 1);
    // Delivered is final: nothing is claimed again.
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(
        store
            .claim_messages("late", &[Channel::Email], LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn retries_wait_and_every_attempt_is_recorded(store: Store) {
    let (_, id) = sent_alert(&store).await;
    let c = store
        .claim_messages("w", &[Channel::Email], LEASE, 10)
        .await
        .unwrap()
        .remove(0);
    let later = chrono::Utc::now() + chrono::Duration::milliseconds(300);
    store
        .record_outcome(
            "w",
            &c,
            &Outcome::Retry {
                class: "smtp_transient".into(),
                at: later,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_messages("w", &[Channel::Email], LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    assert!(store.next_message_due().await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(350)).await;
    let c2 = store
        .claim_messages("w", &[Channel::Email], LEASE, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((c2.id, c2.attempt), (c.id, 2));
    store
        .record_outcome(
            "w",
            &c2,
            &Outcome::Failed {
                class: "smtp_permanent".into(),
            },
        )
        .await
        .unwrap();
    let attempts = store.message_attempts(c.id).await.unwrap();
    let got: Vec<_> = attempts
        .iter()
        .map(|a| (a.outcome.as_str(), a.error_class.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("retry", Some("smtp_transient")),
            ("failed", Some("smtp_permanent"))
        ]
    );
    assert!(attempts.iter().all(|a| a.finished_at.is_some()));
    let counts = store
        .delivery_counts("alert", &id.to_string())
        .await
        .unwrap();
    assert_eq!((counts.failed, counts.pending), (1, 2));
}

/// A roll call of the Danish embassy's staff; returns the tokens from the messages.
async fn roll_call(store: &Store) -> (Operation, domain::RollCallId, Vec<String>) {
    let op = operation(store).await;
    use ContactKind::*;
    household(
        store,
        &op,
        "da",
        person(
            "Mette",
            "DK",
            &[(Email, "mette@example.dk"), (Phone, "+4512345678")],
        ),
    )
    .await;
    household(
        store,
        &op,
        "fa",
        person("Lars", "DK", &[(Phone, "+4587654321")]),
    )
    .await;
    let mut other = person("Nabi", "AF", &[(Phone, "+93700000001")]);
    other.employer = Some("Embassy of Norway".into());
    household(store, &op, "fa", other).await;
    let mut tx = store.write(Actor::Console).await.unwrap();
    let post = tx
        .create_post(
            &op.id,
            &NewPost {
                nation: "DNK".into(),
                name: "Embassy of Denmark".into(),
                kind: PostKind::Embassy,
                city: "Kabul".into(),
            },
        )
        .await
        .unwrap();
    let started = tx
        .start_roll_call(
            &op.id,
            &RollCallScope::Post(post.id),
            &texts(),
            "https://muster.example/roll-call",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((started.asked, started.messages), (2, 3));
    let mut tokens = Vec::new();
    for c in store.claim_messages("w", &BOTH, LEASE, 10).await.unwrap() {
        let m = c.message.unwrap();
        let token = m.text.rsplit('/').next().unwrap().to_owned();
        assert_eq!(token.len(), 43, "{}", m.text);
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    assert_eq!(tokens.len(), 2, "one link per person, on every channel");
    (op, started.id, tokens)
}

async fn roll_call_answers_replace_and_are_kept(store: Store) {
    let (_, id, tokens) = roll_call(&store).await;
    // Only hashes are stored.
    let rows = sqlx::query("SELECT token_hash FROM roll_call_people")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("token_hash").unwrap())
        .collect();
    assert!(tokens.iter().all(|t| !hashes.contains(t)));
    assert!(
        tokens
            .iter()
            .all(|t| hashes.contains(&store::token_hash(t)))
    );
    let inv = store.invitation(&tokens[0]).await.unwrap().unwrap();
    assert!(inv.open && inv.answer.is_none());
    for (answer, location) in [
        (Answer::NeedHelp, Some("Shar-e Naw, Kabul")),
        (Answer::Safe, None),
    ] {
        let mut tx = store.write(Actor::Applicant).await.unwrap();
        tx.answer_roll_call(&tokens[0], answer, location)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let rc = store.get_roll_call(id).await.unwrap();
    assert_eq!(
        (
            rc.counts.asked,
            rc.counts.safe,
            rc.counts.need_help,
            rc.counts.unanswered
        ),
        (2, 1, 0, 1)
    );
    let history = store.answer_history(id, inv.person_id).await.unwrap();
    assert_eq!(
        history,
        [
            (Answer::NeedHelp, "web".to_owned()),
            (Answer::Safe, "web".to_owned())
        ]
    );
    let locations =
        sqlx::query("SELECT location FROM roll_call_answers WHERE location IS NOT NULL")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(locations.len(), 1);
    let sealed: Vec<u8> = locations[0].try_get("location").unwrap();
    assert!(
        !sealed.windows(5).any(|w| w == b"Kabul"),
        "locations are sealed"
    );
    let waiting = store.unanswered(id).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].phones, ["+4587654321"]);
    assert!(store.invitation("not-a-token").await.unwrap().is_none());
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.close_roll_call(id).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write(Actor::Applicant).await.unwrap();
    assert!(matches!(
        tx.answer_roll_call(&tokens[1], Answer::Left, None).await,
        Err(StoreError::Conflict(_))
    ));
    tx.rollback().await.unwrap();
    let events = store
        .list_audit(store::Paging::new(None, Some(200)))
        .await
        .unwrap();
    let actions: Vec<_> = events.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"rollcall.start") && actions.contains(&"rollcall.close"));
    assert!(
        events
            .items
            .iter()
            .all(|e| !e.detail.contains("Mette") && !e.detail.contains("+45"))
    );
}

async fn sms_replies_count_and_answer_roll_calls(store: Store) {
    let (_, id, _) = roll_call(&store).await;
    let mut tx = store.write(Actor::System).await.unwrap();
    let reply = tx
        .record_sms_reply("+45 8765 4321", "3 in Copenhagen")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.answer, Some(Answer::Left));
    assert_eq!(reply.source_id, id.to_string());
    assert!(
        tx.record_sms_reply("+4999999999", "1")
            .await
            .unwrap()
            .is_none(),
        "never written to"
    );
    tx.commit().await.unwrap();
    let rc = store.get_roll_call(id).await.unwrap();
    assert_eq!(rc.counts.left, 1);
    let counts = store
        .delivery_counts("roll_call", &id.to_string())
        .await
        .unwrap();
    assert_eq!(counts.replies, 1);
}

async fn the_burn_cancels_pending_messages_and_seals_them_for_good(store: Store) {
    let (op, id) = sent_alert(&store).await;
    let in_flight = store
        .claim_messages("w", &[Channel::Email], LEASE, 10)
        .await
        .unwrap();
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.burn(&op.id).await.unwrap();
    tx.commit().await.unwrap();
    store.after_burn(&op.id).await.unwrap();
    assert!(
        store
            .claim_messages("w", &BOTH, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let counts = store
        .delivery_counts("alert", &id.to_string())
        .await
        .unwrap();
    assert_eq!((counts.failed, counts.pending), (3, 0));
    let left = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE addressee_index IS NOT NULL")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(left.try_get::<i64, _>("n").unwrap(), 0);
    // A send in flight during the burn cannot record itself delivered.
    assert!(
        !store
            .record_outcome("w", &in_flight[0], &Outcome::Delivered)
            .await
            .unwrap()
    );
}
