//! The server's matcher and the review queue: a person registered twice, in
//! two spellings and two calendars, is proposed once; an officer merges
//! (reversibly) or marks the pair distinct, which is never proposed again.

mod common;

use common::{Fixture, body_json, body_text, json_request};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::duplicate::DuplicateStatus;
use domain::person::{Document, DocumentKind};
use store::Paging;

/// A registry for the model to learn from: synthetic Afghan households whose
/// members hold tazkiras, and some of their principals registered a second
/// time on their own (as happens when lists overlap), spelt as they were.
async fn with_registry(f: &Fixture) {
    let demo = demo::kabul_2021(300);
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let mut n = 0;
    for (i, h) in demo.households.iter().enumerate() {
        let mut case = h.case.clone();
        case.scheme_id = None;
        for m in &mut case.members {
            n += 1;
            m.documents = vec![Document {
                kind: DocumentKind::Tazkira,
                number: format!("1399-0202-{n:05}"),
                issuing_country: Some("AF".into()),
                expires_on: None,
            }];
        }
        tx.create_case(&f.op, &case, "officer").await.unwrap();
        if i % 10 == 0 {
            let again = NewCase {
                members: vec![case.members[0].clone()],
                ..Default::default()
            };
            tx.create_case(&f.op, &again, "import:contractors")
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn register(f: &Fixture, body: serde_json::Value) -> serde_json::Value {
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/registrations",
            None,
            &body.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);
    body_json(res).await
}

async fn principal(f: &Fixture, receipt: &serde_json::Value) -> domain::PersonId {
    let case = f
        .store
        .get_case(receipt["case_id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    case.principal().unwrap().id
}

async fn pairs_of(f: &Fixture, person: domain::PersonId) -> Vec<domain::duplicate::DuplicatePair> {
    let mut all = Vec::new();
    for status in [
        DuplicateStatus::Open,
        DuplicateStatus::Merged,
        DuplicateStatus::Distinct,
    ] {
        let page = f
            .store
            .list_duplicates(&f.op.id, status, Paging::new(None, Some(500)))
            .await
            .unwrap();
        all.extend(
            page.items
                .into_iter()
                .filter(|p| p.person_a == person || p.person_b == person),
        );
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_registered_twice_is_proposed_and_decided() {
    let f = Fixture::new().await;
    with_registry(&f).await;
    let first = register(
        &f,
        serde_json::json!({"phone": "070 123 4567", "members": [{
            "given_name": "Mohammad Nabi", "family_name": "Ahmadzai", "father_name": "Abdul Rahman",
            "date_of_birth": "1360", "sex": "M", "nationality": "AF", "tazkira_number": "1390-0101-55555"}]}),
    )
    .await;
    f.state.matcher.settled().await;
    // His brother registers the family, spelling him differently, with the
    // Gregorian date from his passport.
    let second = register(
        &f,
        serde_json::json!({"phone": "+93 70 123 4567", "members": [
            {"given_name": "Wali", "family_name": "Ahmadzai", "date_of_birth": "1985-04-02", "sex": "M"},
            {"relationship": "sibling", "given_name": "Muhammad Nabi", "family_name": "Ahmadzai",
             "father_name": "Abdurrahman", "date_of_birth": "1981-01-01", "sex": "M",
             "tazkira_number": "1390-0101-55555"}]}),
    )
    .await;
    f.state.matcher.settled().await;
    let nabi = principal(&f, &first).await;
    let pairs = pairs_of(&f, nabi).await;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let pair = &pairs[0];
    assert_eq!(pair.status, DuplicateStatus::Open);
    assert!(pair.probability >= 0.5);
    assert!(pair.reasons.iter().any(|r| r.weight > 0.0));
    let wali_case = f
        .store
        .get_case(second["case_id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    let brother = wali_case.members[1].id;
    assert_eq!((pair.person_a, pair.person_b), (nabi, brother));

    // The officer sees both side by side with the reasons, without personal data in the URL.
    let officer = f.sign_in("officer").await;
    let page = body_text(
        f.send(json_request(
            "GET",
            &format!("/duplicates/{}", pair.id),
            Some(&officer),
            "",
        ))
        .await,
    )
    .await;
    assert!(page.contains("Mohammad Nabi Ahmadzai") && page.contains("Muhammad Nabi Ahmadzai"));
    assert!(page.contains("Evidence (bits)"));
    let queue = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/duplicates",
            Some(&officer),
            "",
        ))
        .await,
    )
    .await;
    assert!(queue.contains(&format!("/duplicates/{}", pair.id)));

    // Merge, then undo it: both audited.
    let decide = |d: &str| {
        json_request(
            "POST",
            &format!("/api/duplicates/{}/decision", pair.id),
            Some(&officer),
            &serde_json::json!({ "decision": d }).to_string(),
        )
    };
    let merged = body_json(f.send(decide("merge")).await).await;
    assert_eq!(merged["status"], "merged");
    assert_eq!(merged["b"]["case_reference"], wali_case.reference);
    let undone = body_json(f.send(decide("unmerge")).await).await;
    assert_eq!(undone["status"], "open");
    // Marked distinct: remembered, and a later change does not bring it back.
    assert_eq!(
        body_json(f.send(decide("distinct")).await).await["status"],
        "distinct"
    );
    assert_eq!(
        f.send(decide("merge")).await.status(),
        409,
        "distinct stays distinct"
    );
    // The brother's case changes and is matched again: the pair stays distinct.
    let patch = json_request(
        "PATCH",
        &format!("/api/cases/{}", wali_case.id),
        Some(&officer),
        &serde_json::json!({"version": wali_case.version, "tier": 2}).to_string(),
    );
    assert_eq!(f.send(patch).await.status(), 200);
    f.state.matcher.changed(&f.op.id);
    f.state.matcher.settled().await;
    let again = pairs_of(&f, nabi).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].status, DuplicateStatus::Distinct);
    let audit = f
        .store
        .list_audit(Paging::new(None, Some(500)))
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "duplicate.suspect",
        "duplicate.merge",
        "duplicate.unmerge",
        "duplicate.distinct",
    ] {
        assert!(actions.contains(&a), "{a} audited");
    }
    assert!(
        !format!("{audit:?}").contains("Nabi"),
        "no names in the audit chain"
    );

    // Who may: a gate officer may not see the queue, an auditor may not decide.
    let gate = f.sign_in("gate").await;
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/duplicates",
            Some(&gate),
            "",
        ))
        .await;
    assert_eq!(res.status(), 403);
    let auditor = f.sign_in("auditor").await;
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/duplicates/{}/decision", pair.id),
            Some(&auditor),
            r#"{"decision":"merge"}"#,
        ))
        .await;
    assert_eq!(res.status(), 403);
}

/// People of one household are not proposed as each other's duplicates (they
/// are one group in the matcher's index), and a member a correction took out
/// of a household is no longer matched; the one who stays still is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_is_not_its_own_duplicate_and_a_member_taken_out_is_not_matched() {
    let f = Fixture::new().await;
    with_registry(&f).await;
    let karim = |given: &str| {
        serde_json::json!({"given_name": given, "family_name": "Hotak", "father_name": "Gul Agha",
            "date_of_birth": "1986-03-21", "sex": "M", "nationality": "AF"})
    };
    // The same man twice in one household, as a form filled in twice over.
    let mut second = karim("Kareem");
    second["relationship"] = "sibling".into();
    let receipt = register(
        &f,
        serde_json::json!({"phone": "070 555 1212", "members": [karim("Karim"), second]}),
    )
    .await;
    f.state.matcher.settled().await;
    let case = f
        .store
        .get_case(receipt["case_id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    let (stays, leaves) = (case.members[0].id, case.members[1].id);
    assert!(pairs_of(&f, stays).await.is_empty());

    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let update = domain::case::CaseUpdate {
        version: case.version,
        members: Some(vec![domain::case::MemberUpdate {
            id: Some(stays),
            details: case.members[0].details.clone(),
        }]),
        ..Default::default()
    };
    tx.update_case(case.id, &update).await.unwrap();
    tx.commit().await.unwrap();
    f.state.matcher.changed(&f.op.id);
    f.state.matcher.settled().await;

    // Registered again on his own: proposed with the member who stayed only.
    let again = register(&f, serde_json::json!({"members": [karim("Kareem")]})).await;
    f.state.matcher.settled().await;
    let newcomer = principal(&f, &again).await;
    let pairs = pairs_of(&f, newcomer).await;
    let others: Vec<domain::PersonId> = pairs
        .iter()
        .map(|p| {
            if p.person_a == newcomer {
                p.person_b
            } else {
                p.person_a
            }
        })
        .collect();
    assert_eq!(others, [stays], "{pairs:?}");
    assert!(!others.contains(&leaves));
}
