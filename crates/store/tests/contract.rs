//! The store contract: every test here runs against SQLite and PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use domain::audit::{Actor, ChainError};
use domain::case::{CaseUpdate, MemberUpdate, NewCase, StatusChange};
use domain::movement::{MovementKind, NewMovement};
use domain::operation::{NewOperation, Operation, OperationUpdate};
use domain::person::{Contact, ContactKind, PersonDetails, Relationship, Sex};
use domain::post::{NewPost, PostKind};
use domain::posture::{Posture, PostureChange};
use domain::scheme::NewScheme;
use domain::{CaseStatus, OperationId, Role, SchemeId};
use store::{CaseFilter, NewUser, Page, Paging, Store, StoreError};

store::on_both_backends!(
    operations_round_trip,
    posture_board_shows_current_posture_and_history,
    cases_round_trip_with_members,
    case_list_filters_search_and_pages,
    name_search_finds_words_before_and_after_their_merge,
    a_common_name_is_counted_to_a_floor_and_read_newest_first,
    status_changes_follow_the_pipeline,
    updates_need_the_current_version_and_keep_member_identity,
    a_rolled_back_write_leaves_nothing,
    audit_chain_verifies_and_names_the_tampered_event,
    schemes_and_movements,
    users_and_sessions,
    concurrent_writers_keep_the_chain_whole,
    self_registration_answers_a_resend_with_the_first_answer,
    group_commit_keeps_every_registration_but_the_refused_one,
    duplicate_pairs_are_kept_once_and_decided,
);

fn kabul() -> NewOperation {
    NewOperation {
        id: OperationId::parse("kabul-2021").unwrap(),
        name: "Kabul 2021".into(),
        country: "AF".into(),
        time_zone: "Asia/Kabul".into(),
    }
}

async fn with_operation(store: &Store) -> Operation {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let op = tx.create_operation(&kabul()).await.unwrap();
    tx.commit().await.unwrap();
    op
}

fn person(relationship: Relationship, given: &str, family: &str) -> PersonDetails {
    PersonDetails {
        relationship,
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Unknown,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: vec![],
        province: Some("Kabul".into()),
        employer: None,
        employer_nation: None,
        years_of_service: None,
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}

fn household(given: &str, family: &str) -> NewCase {
    NewCase {
        members: vec![
            person(Relationship::Principal, given, family),
            person(Relationship::Child, "Zahra", family),
        ],
        ..Default::default()
    }
}

async fn add_case(store: &Store, op: &Operation, new: &NewCase) -> domain::CaseId {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx.create_case(op, new, "officer").await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A filter on name words only.
fn named(words: &[&str]) -> CaseFilter {
    CaseFilter {
        name_words: words.iter().map(|w| (*w).to_owned()).collect(),
        ..Default::default()
    }
}

/// How many of the operation's cases a filter finds.
async fn total(store: &Store, op: &Operation, filter: &CaseFilter) -> i64 {
    store
        .list_cases(&op.id, filter, Paging::default())
        .await
        .unwrap()
        .total
}

async fn operations_round_trip(store: Store) {
    let op = with_operation(&store).await;
    assert_eq!(store.get_operation(&op.id).await.unwrap(), op);
    let mut tx = store.write(Actor::Console).await.unwrap();
    let dup = tx.create_operation(&kabul()).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    tx.rollback().await.unwrap();
    let mut tx = store.write(Actor::Console).await.unwrap();
    let update = OperationUpdate {
        name: Some("Operation Kabul".into()),
        time_zone: None,
    };
    let updated = tx.update_operation(&op.id, &update).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(updated.name, "Operation Kabul");
    assert_eq!(updated.time_zone, "Asia/Kabul");
    assert_eq!(store.list_operations().await.unwrap(), vec![updated]);
    let missing = OperationId::parse("nowhere").unwrap();
    assert!(matches!(
        store.get_operation(&missing).await,
        Err(StoreError::NotFound { kind: "operation" })
    ));
}

async fn posture_board_shows_current_posture_and_history(store: Store) {
    let op = with_operation(&store).await;
    let at = |d: u32| Utc.with_ymd_and_hms(2021, 8, d, 9, 0, 0).unwrap();
    let change = |posture, d| PostureChange {
        posture,
        effective_at: at(d),
        reason: "cable".into(),
        source: "MFA".into(),
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    let post = NewPost {
        nation: "DNK".into(),
        name: "Embassy of Denmark".into(),
        kind: PostKind::Embassy,
        city: "Kabul".into(),
    };
    let dk = tx.create_post(&op.id, &post).await.unwrap();
    // Recorded out of order: the board orders by when a change took effect.
    tx.record_posture(dk.id, &change(Posture::Evacuated, 13))
        .await
        .unwrap();
    tx.record_posture(dk.id, &change(Posture::Open, 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.write(Actor::Console).await.unwrap();
    let refused = tx
        .record_posture(dk.id, &change(Posture::Reopened, 5))
        .await
        .unwrap_err();
    match refused {
        StoreError::Invalid(e) => assert_eq!(e.0[0].rule, "posture_sequence"),
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();

    let board = store.posture_board(&op.id).await.unwrap();
    assert_eq!(board.len(), 1);
    let (p, history) = &board[0];
    assert_eq!(p.posture, Some(Posture::Evacuated));
    assert_eq!(p.posture_since, Some(at(13)));
    assert_eq!(
        history.iter().map(|e| e.posture).collect::<Vec<_>>(),
        [Posture::Open, Posture::Evacuated]
    );
    assert_eq!(
        store.get_post(dk.id).await.unwrap().posture,
        Some(Posture::Evacuated)
    );
}

async fn cases_round_trip_with_members(store: Store) {
    let op = with_operation(&store).await;
    let mut new = household("Mohammad Nabi", "Ahmadzai");
    new.members[0].full_name_native = Some("محمد نبی احمدزی".into());
    new.members[0].date_of_birth = Some(domain::dates::DateOfBirth::year_only(
        domain::dates::Calendar::SolarHijri,
        1360,
    ));
    new.members[0].contacts = vec![Contact {
        kind: ContactKind::Phone,
        value: "+93701234567".into(),
    }];
    new.tier = Some(2);
    new.special_needs = Some("wheelchair".into());
    let id = add_case(&store, &op, &new).await;
    let case = store.get_case(id).await.unwrap();
    assert_eq!(case.status, CaseStatus::Registered);
    assert_eq!(case.version, 1);
    assert_eq!(case.tier, Some(2));
    assert_eq!(case.special_needs.as_deref(), Some("wheelchair"));
    assert!(case.reference.starts_with("AF-"));
    let details: Vec<_> = case.members.iter().map(|m| m.details.clone()).collect();
    assert_eq!(details, new.members);
    assert_eq!(
        case.principal().unwrap().details.display_name(),
        "Mohammad Nabi Ahmadzai"
    );
    let history = store.case_history(id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to),
        (None, CaseStatus::Registered)
    );
}

async fn case_list_filters_search_and_pages(store: Store) {
    let op = with_operation(&store).await;
    let mut tx = store.write(Actor::Console).await.unwrap();
    let scheme = NewScheme {
        code: "FIN-130".into(),
        name: "Finnish quota".into(),
        nation: "FIN".into(),
        description: String::new(),
        quota_principals: Some(130),
        quota_persons: None,
        movement_nations: vec![],
    };
    let fin = tx.create_scheme(&op.id, &scheme).await.unwrap();
    tx.commit().await.unwrap();
    for i in 0..7 {
        let mut h = household(
            &format!("Wali{i}"),
            if i % 2 == 0 { "Karimi" } else { "Popal" },
        );
        if i < 3 {
            h.scheme_id = Some(fin.id);
        }
        add_case(&store, &op, &h).await;
    }
    let mut native = household("Nabi", "Ahmadzai");
    native.members[0].full_name_native = Some("محمد نبی".into());
    let native_id = add_case(&store, &op, &native).await;

    let all = store
        .list_cases(
            &op.id,
            &CaseFilter::default(),
            Paging::new(Some(1), Some(3)),
        )
        .await
        .unwrap();
    assert_eq!((all.total, all.items.len(), all.pages()), (8, 3, 3));
    let last = store
        .list_cases(
            &op.id,
            &CaseFilter::default(),
            Paging::new(Some(3), Some(3)),
        )
        .await
        .unwrap();
    assert_eq!(last.items.len(), 2);

    let by_scheme = CaseFilter {
        scheme_id: Some(fin.id),
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &by_scheme).await, 3);
    let karimi = CaseFilter {
        name_words: vec!["karimi".into()],
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &karimi).await, 4);
    let both = CaseFilter {
        name_words: vec!["karimi".into(), "wali2".into()],
        ..Default::default()
    };
    let found = store
        .list_cases(&op.id, &both, Paging::default())
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].principal_name, "Wali2 Karimi");
    assert_eq!(found.items[0].household_size, 2);
    let script = CaseFilter {
        name_words: vec!["نبی".into()],
        ..Default::default()
    };
    let found = store
        .list_cases(&op.id, &script, Paging::default())
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [native_id]
    );
    let by_status = CaseFilter {
        status: Some(CaseStatus::Departed),
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &by_status).await, 0);
    assert_eq!(
        store.count_cases_by_status(&op.id).await.unwrap(),
        [(CaseStatus::Registered, 8)]
    );
}

/// New name words wait in a recent table until the merge; the search must
/// find a case in either, and a correction must take its old words from both.
async fn name_search_finds_words_before_and_after_their_merge(store: Store) {
    let op = with_operation(&store).await;
    let merged_id = add_case(&store, &op, &household("Wali", "Karimi")).await;
    assert_eq!(total(&store, &op, &named(&["karimi", "wali"])).await, 1);
    // Each member's words once per case: Wali, Zahra, Karimi.
    assert_eq!(store.merge_recent_name_words().await.unwrap(), 3);
    assert_eq!(store.merge_recent_name_words().await.unwrap(), 0);
    assert_eq!(total(&store, &op, &named(&["karimi", "wali"])).await, 1);
    let recent_id = add_case(&store, &op, &household("Nabi", "Karimi")).await;
    // One case's words in the index, the other's still recent.
    assert_eq!(total(&store, &op, &named(&["karimi"])).await, 2);
    assert_eq!(total(&store, &op, &named(&["karimi", "zahra"])).await, 2);
    assert_eq!(total(&store, &op, &named(&["karimi", "nabi"])).await, 1);

    for id in [merged_id, recent_id] {
        let case = store.get_case(id).await.unwrap();
        let principal = &case.members[0];
        let mut renamed = principal.details.clone();
        renamed.family_name = Some("Ahmadzai".into());
        let update = CaseUpdate {
            version: case.version,
            members: Some(vec![MemberUpdate {
                id: Some(principal.id),
                details: renamed,
            }]),
            ..Default::default()
        };
        let mut tx = store.write(Actor::Console).await.unwrap();
        tx.update_case(id, &update).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(total(&store, &op, &named(&["karimi"])).await, 0);
    assert_eq!(total(&store, &op, &named(&["zahra"])).await, 0);
    assert_eq!(total(&store, &op, &named(&["ahmadzai"])).await, 2);
    assert_eq!(store.merge_recent_name_words().await.unwrap(), 4);
    assert_eq!(total(&store, &op, &named(&["ahmadzai"])).await, 2);
    assert_eq!(total(&store, &op, &named(&["ahmadzai", "nabi"])).await, 1);
}

/// A name that many cases share is counted up to a floor. Its page is the
/// newest registered first: the few found are sorted, and of many the
/// driving word's cases are walked from the newest, each asked for the other
/// words in both tables.
async fn a_common_name_is_counted_to_a_floor_and_read_newest_first(store: Store) {
    let op = with_operation(&store).await;
    let floor = Page::<domain::case::CaseSummary>::COUNTED_UP_TO;
    // Past the floor; "karimi" (2,605) also past the 2,500 beyond which common
    // words' cases are merged.
    let many = 1_300;
    let add = |n: i64, given: &'static str, family: &'static str, numbered: bool| {
        let store = store.clone();
        let op = op.clone();
        async move {
            let mut tx = store.write(Actor::Console).await.unwrap();
            for i in 0..n {
                let given = if numbered {
                    format!("{given}{i}")
                } else {
                    given.to_owned()
                };
                tx.create_case(&op, &household(&given, family), "officer")
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
    };
    add(many, "Wali", "Karimi", true).await;
    add(many, "Nabi", "Karimi", false).await;
    store.merge_recent_name_words().await.unwrap();
    add(5, "Sami", "Karimi", false).await;
    add(3, "Nabi", "Ahmadzai", true).await;
    let listed = |filter: CaseFilter, paging: Paging| {
        let store = store.clone();
        let op = op.clone();
        async move { store.list_cases(&op.id, &filter, paging).await.unwrap() }
    };
    let page = |words: &'static [&'static str], page: u32, per_page: u32| {
        listed(named(words), Paging::new(Some(page), Some(per_page)))
    };
    let with_status = |status, words: &[&str]| CaseFilter {
        status: Some(status),
        ..named(words)
    };
    let named_as = |items: &[domain::case::CaseSummary], given: &str, family: &str| {
        items
            .iter()
            .all(|c| c.principal_name.starts_with(given) && c.principal_name.ends_with(family))
    };
    let newest_first =
        |items: &[domain::case::CaseSummary]| items.windows(2).all(|pair| pair[0].id > pair[1].id);
    // 2,605 cases, the newest registered first: those whose words are still
    // recent, then those whose words were merged...
    let karimi = page(&["karimi"], 1, 20).await;
    assert_eq!((karimi.total, karimi.more), (floor, true));
    assert_eq!(karimi.items.len(), 20);
    assert!(newest_first(&karimi.items));
    assert!(named_as(&karimi.items[..5], "Sami ", " Karimi"));
    assert!(named_as(&karimi.items[5..], "Nabi ", " Karimi"));
    // ...and further on the oldest.
    let later = page(&["karimi"], 70, 20).await;
    assert_eq!(later.items.len(), 20);
    assert!(named_as(&later.items, "Wali", " Karimi"));
    assert!(newest_first(&later.items));
    assert!(later.items[0].id < karimi.items[19].id);
    // 1,300 cases, in the same order.
    let nabi = page(&["nabi"], 1, 15).await;
    assert_eq!((nabi.total, nabi.more), (floor, true));
    assert_eq!(
        nabi.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        karimi.items[5..].iter().map(|c| c.id).collect::<Vec<_>>()
    );
    let last = page(&["nabi"], 65, 20).await;
    assert_eq!(last.items.len(), 20);
    assert!(named_as(&last.items, "Nabi ", " Karimi"));
    // Two common words: counted by merging their cases and read from the
    // newest of the rarer's, or counted and read from the rarer's cases.
    for (words, given) in [
        (&["karimi", "zahra"][..], "Sami "),
        (&["karimi", "nabi"], "Nabi "),
    ] {
        let found = page(words, 1, 50).await;
        assert_eq!(
            (found.total, found.more, found.items.len()),
            (floor, true, 50)
        );
        assert!(named_as(&found.items[..5], given, " Karimi"));
        assert!(newest_first(&found.items));
    }
    let rare = page(&["ahmadzai"], 1, 50).await;
    assert_eq!((rare.total, rare.more, rare.items.len()), (3, false, 3));
    // A common word with a rare one: the rare one's cases, asked for the other.
    for words in [&["zahra", "ahmadzai"], &["ahmadzai", "zahra"]] {
        let found = page(words, 1, 50).await;
        assert_eq!((found.total, found.more, found.items.len()), (3, false, 3));
    }
    assert_eq!(total(&store, &op, &named(&["karimi", "ahmadzai"])).await, 0);
    // With another condition the words' cases are counted against it.
    let none = listed(
        with_status(CaseStatus::Withdrawn, &["karimi"]),
        Paging::default(),
    )
    .await;
    assert_eq!((none.total, none.more, none.items.len()), (0, false, 0));
    // A change puts a case first in the list, not in a name search, and a
    // condition beside the words is asked of each case walked.
    let oldest = later.items[19].id;
    let mut tx = store.write(Actor::Console).await.unwrap();
    let review = StatusChange {
        to: CaseStatus::UnderReview,
        reason: "checked documents".into(),
    };
    tx.change_status(oldest, &review).await.unwrap();
    tx.commit().await.unwrap();
    let list = listed(CaseFilter::default(), Paging::default()).await;
    assert_eq!(list.items[0].id, oldest);
    assert_eq!(page(&["karimi"], 1, 20).await.items, karimi.items);
    let reviewed = listed(
        with_status(CaseStatus::UnderReview, &["karimi"]),
        Paging::default(),
    )
    .await;
    assert_eq!(reviewed.total, 1);
    assert_eq!(
        reviewed.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [oldest]
    );
    let registered = with_status(CaseStatus::Registered, &["karimi", "nabi"]);
    let waiting = listed(registered, Paging::new(Some(1), Some(30))).await;
    assert_eq!((waiting.total, waiting.more), (floor, true));
    assert_eq!(waiting.items, page(&["karimi", "nabi"], 1, 30).await.items);
    assert_eq!(
        total(&store, &op, &CaseFilter::default()).await,
        2 * many + 8,
        "without words the count is exact"
    );
}

async fn status_changes_follow_the_pipeline(store: Store) {
    let op = with_operation(&store).await;
    let id = add_case(&store, &op, &household("Nabi", "Ahmadzai")).await;
    let step = |to| StatusChange {
        to,
        reason: "checked documents".into(),
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert_eq!(
        tx.change_status(id, &step(CaseStatus::UnderReview))
            .await
            .unwrap(),
        CaseStatus::UnderReview
    );
    assert_eq!(
        tx.change_status(id, &step(CaseStatus::Eligible))
            .await
            .unwrap(),
        CaseStatus::Eligible
    );
    tx.commit().await.unwrap();
    let mut tx = store.write(Actor::Console).await.unwrap();
    match tx
        .change_status(id, &step(CaseStatus::Departed))
        .await
        .unwrap_err()
    {
        StoreError::Invalid(e) => {
            assert_eq!(e.0[0].rule, "status_transition");
            assert!(e.0[0].message.contains("eligible") && e.0[0].message.contains("departed"));
        }
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();
    let case = store.get_case(id).await.unwrap();
    assert_eq!((case.status, case.version), (CaseStatus::Eligible, 3));
    let history: Vec<_> = store
        .case_history(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        history,
        [
            CaseStatus::Registered,
            CaseStatus::UnderReview,
            CaseStatus::Eligible
        ]
    );
}

async fn updates_need_the_current_version_and_keep_member_identity(store: Store) {
    let op = with_operation(&store).await;
    let id = add_case(&store, &op, &household("Nabi", "Ahmadzai")).await;
    let case = store.get_case(id).await.unwrap();
    let principal = case.members[0].clone();
    let mut spouse = person(Relationship::Spouse, "Mariam", "Ahmadzai");
    spouse.sex = Sex::Female;
    let update = CaseUpdate {
        version: case.version,
        scheme_id: None,
        tier: Some(Some(1)),
        members: Some(vec![
            MemberUpdate {
                id: Some(principal.id),
                details: principal.details.clone(),
            },
            MemberUpdate {
                id: None,
                details: spouse.clone(),
            },
        ]),
        ..Default::default()
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.update_case(id, &update).await.unwrap();
    tx.commit().await.unwrap();
    let after = store.get_case(id).await.unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.tier, Some(1));
    assert_eq!(after.members.len(), 2);
    assert_eq!(
        after.members[0].id, principal.id,
        "the principal keeps their identity"
    );
    assert_eq!(after.members[1].details, spouse);
    let names = CaseFilter {
        name_words: vec!["mariam".into()],
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &names).await, 1);
    let gone = CaseFilter {
        name_words: vec!["zahra".into()],
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &gone).await, 0);

    // A stale version is refused and changes nothing.
    let mut tx = store.write(Actor::Console).await.unwrap();
    let stale = tx.update_case(id, &update).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    tx.rollback().await.unwrap();
    // A member id from another case is refused.
    let other = add_case(&store, &op, &household("Wali", "Karimi")).await;
    let stranger = store.get_case(other).await.unwrap().members[0].id;
    let bad = CaseUpdate {
        version: 2,
        members: Some(vec![MemberUpdate {
            id: Some(stranger),
            details: principal.details.clone(),
        }]),
        ..update
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    match tx.update_case(id, &bad).await.unwrap_err() {
        StoreError::Invalid(e) => assert_eq!(
            (e.0[0].field.as_str(), e.0[0].rule.as_str()),
            ("members[0].id", "member_of_case")
        ),
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();
    assert_eq!(store.get_case(id).await.unwrap(), after);
}

async fn a_rolled_back_write_leaves_nothing(store: Store) {
    let op = with_operation(&store).await;
    let before = store.list_audit(Paging::default()).await.unwrap().total;
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx
        .create_case(&op, &household("Nabi", "Ahmadzai"), "officer")
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(matches!(
        store.get_case(id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.list_audit(Paging::default()).await.unwrap().total,
        before
    );
    // An unknown scheme is refused before anything is written.
    let mut bad = household("Nabi", "Ahmadzai");
    bad.scheme_id = Some(SchemeId::new());
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.create_case(&op, &bad, "officer").await,
        Err(StoreError::Invalid(_))
    ));
    tx.rollback().await.unwrap();
    assert_eq!(total(&store, &op, &CaseFilter::default()).await, 0);
    assert!(
        matches!(store.verify_audit().await.unwrap(), store::ChainReport::Intact { events } if events == before)
    );
}

async fn audit_chain_verifies_and_names_the_tampered_event(store: Store) {
    let op = with_operation(&store).await;
    for i in 0..3 {
        add_case(&store, &op, &household(&format!("Wali{i}"), "Karimi")).await;
    }
    let page = store.list_audit(Paging::default()).await.unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.items[0].action, "case.create");
    assert!(
        page.items.iter().all(|e| !e.detail.contains("Karimi")),
        "no personal data in audit events"
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        store::ChainReport::Intact { events: 4 }
    ));

    // Behind the application's back: edit one event.
    sqlx::query("UPDATE audit_events SET detail = 'case deleted' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    match store.verify_audit().await.unwrap() {
        store::ChainReport::Broken(e) => assert_eq!(e, ChainError::Hash { seq: 3 }),
        other => panic!("{other:?}"),
    }
    // Remove one instead.
    sqlx::query("UPDATE audit_events SET detail = (SELECT detail FROM audit_events WHERE seq = 4) WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    match store.verify_audit().await.unwrap() {
        store::ChainReport::Broken(e) => assert_eq!(
            e,
            ChainError::Gap {
                seq: 3,
                expected: 2
            }
        ),
        other => panic!("{other:?}"),
    }
}

async fn schemes_and_movements(store: Store) {
    let op = with_operation(&store).await;
    let mut tx = store.write(Actor::Console).await.unwrap();
    let nor = NewScheme {
        code: "NOR-LES".into(),
        name: "Norwegian locally employed staff".into(),
        nation: "NOR".into(),
        description: "with immediate family in Norway".into(),
        quota_principals: None,
        quota_persons: Some(800),
        movement_nations: vec![],
    };
    let scheme = tx.create_scheme(&op.id, &nor).await.unwrap();
    let flight = NewMovement {
        kind: MovementKind::Flight,
        designator: "NOR 1".into(),
        nation: "NOR".into(),
        origin: "HKIA".into(),
        destination: "Oslo".into(),
        departs_at: Utc.with_ymd_and_hms(2021, 8, 20, 22, 0, 0).unwrap(),
        seats: 120,
        accepts_schemes: vec![scheme.id],
        shared_with: vec!["DNK".into()],
    };
    let m = tx.create_movement(&op.id, &flight).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.list_schemes(&op.id).await.unwrap(),
        vec![scheme.clone()]
    );
    assert_eq!(store.get_movement(m.id).await.unwrap(), m);
    assert_eq!(
        store
            .list_movements(&op.id, Some("DNK"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .list_movements(&op.id, Some("FIN"))
            .await
            .unwrap()
            .is_empty()
    );

    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.create_scheme(&op.id, &nor).await,
        Err(StoreError::Conflict(_))
    ));
    tx.rollback().await.unwrap();
    let mut tx = store.write(Actor::Console).await.unwrap();
    let bad = NewMovement {
        accepts_schemes: vec![SchemeId::new()],
        ..flight
    };
    match tx.create_movement(&op.id, &bad).await.unwrap_err() {
        StoreError::Invalid(e) => assert_eq!(e.0[0].field, "accepts_schemes[0]"),
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();
}

async fn users_and_sessions(store: Store) {
    let op = with_operation(&store).await;
    let new = NewUser {
        username: "officer".into(),
        role: Role::ConsularOfficer,
        operation_id: Some(op.id.clone()),
        nation: None,
        password_hash: "$argon2id$fake".into(),
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    let user = tx.create_user(&new).await.unwrap();
    tx.create_session(
        "hash-live",
        user.id,
        "csrf",
        Utc::now() + Duration::hours(8),
    )
    .await
    .unwrap();
    tx.create_session("hash-old", user.id, "csrf", Utc::now() - Duration::hours(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (found, hash) = store.find_login("officer").await.unwrap().unwrap();
    assert_eq!(
        (found.clone(), hash.as_str()),
        (user.clone(), "$argon2id$fake")
    );
    assert!(store.find_login("nobody").await.unwrap().is_none());
    let session = store.find_session("hash-live").await.unwrap().unwrap();
    assert_eq!(session.user, user);
    assert!(
        store.find_session("hash-old").await.unwrap().is_none(),
        "expired sessions open nothing"
    );
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.create_user(&new).await,
        Err(StoreError::Conflict(_))
    ));
    tx.rollback().await.unwrap();
    let mut tx = store.write(Actor::User(user.id)).await.unwrap();
    tx.delete_session("hash-live", user.id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.find_session("hash-live").await.unwrap().is_none());
}

async fn concurrent_writers_keep_the_chain_whole(store: Store) {
    let op = with_operation(&store).await;
    let mut tasks = Vec::new();
    for t in 0..6 {
        let (store, op) = (store.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..8 {
                let mut tx = store.write(Actor::Console).await.unwrap();
                tx.create_case(&op, &household(&format!("W{t}x{i}"), "Karimi"), "officer")
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        store::ChainReport::Intact { events: 49 }
    ));
    assert_eq!(total(&store, &op, &CaseFilter::default()).await, 48);
    // Each write's time is taken under the write lock: in the chain's order,
    // the times never go back (the matcher's catch-up counts on it).
    let events = store
        .list_audit(store::Paging {
            page: 1,
            per_page: 100,
        })
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 49);
    // Newest first.
    assert!(
        events
            .windows(2)
            .all(|w| w[0].seq > w[1].seq && w[0].at >= w[1].at)
    );
}

fn registration_request(key: &str, body: &str) -> store::RegistrationRequest {
    store::RegistrationRequest {
        key_hash: key.into(),
        body_hash: body.into(),
        access_code: "AAAA-BBBB-CCCC".into(),
        access_code_hash: "code-hash-1".into(),
    }
}

async fn group_commit_keeps_every_registration_but_the_refused_one(store: Store) {
    let op = with_operation(&store).await;
    let registrar = store::Registrar::start(store.clone());
    // Sent at once, so that they share transactions: forty households and
    // one naming a scheme the operation does not have; then, at once, a
    // resend of the first and its key with another body.
    let send = |requests: Vec<(NewCase, store::RegistrationRequest)>| {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(case, request)| {
                let (registrar, op) = (registrar.clone(), op.clone());
                tokio::spawn(async move { registrar.register(op, case, request).await })
            })
            .collect();
        async move {
            let mut answers = Vec::new();
            for t in tasks {
                answers.push(t.await.unwrap());
            }
            answers
        }
    };
    let mut requests: Vec<(NewCase, store::RegistrationRequest)> = (0..40)
        .map(|i| {
            (
                household("Nabi", &format!("Batch{i}")),
                registration_request(&format!("key-{i}"), &format!("body-{i}")),
            )
        })
        .collect();
    let mut unknown = household("Nabi", "Unknown");
    unknown.scheme_id = Some(domain::SchemeId::new());
    requests.push((unknown, registration_request("key-u", "body-u")));
    let answers = send(requests).await;
    let accepted: Vec<&store::Registered> = answers[..40]
        .iter()
        .map(|a| a.as_ref().expect("a good registration is accepted"))
        .collect();
    assert!(matches!(answers[40], Err(StoreError::Invalid(_))));
    let later = send(vec![
        (
            household("Nabi", "Batch0"),
            registration_request("key-0", "body-0"),
        ),
        (
            household("Nabi", "Other"),
            registration_request("key-0", "body-x"),
        ),
    ])
    .await;
    let resend = later[0].as_ref().unwrap();
    assert_eq!(resend.case_id, accepted[0].case_id);
    assert!(resend.replayed);
    assert!(matches!(later[1], Err(StoreError::Conflict(_))));
    let all = CaseFilter::default();
    assert_eq!(total(&store, &op, &all).await, 40);

    // In one batch: a resend of a registration made in the same batch
    // answers with its case; its key with another body is refused.
    let fresh = household("Nabi", "Together");
    let (first, other) = (
        registration_request("key-t", "body-t"),
        registration_request("key-t", "body-y"),
    );
    let mut tx = store.write(Actor::Applicant).await.unwrap();
    let answers = tx
        .register_batch(&op, &[(&fresh, &first), (&fresh, &first), (&fresh, &other)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let made = answers[0].as_ref().unwrap();
    let again = answers[1].as_ref().unwrap();
    assert!(!made.replayed && again.replayed);
    assert_eq!(
        (again.case_id, &again.reference),
        (made.case_id, &made.reference)
    );
    assert!(matches!(answers[2], Err(StoreError::Conflict(_))));
    assert_eq!(total(&store, &op, &all).await, 41);
    // Acknowledged means written: every case is there, with its reference.
    let mut references = std::collections::BTreeSet::new();
    for a in accepted {
        let case = store.get_case(a.case_id).await.unwrap();
        assert_eq!(case.reference, a.reference);
        references.insert(case.reference);
    }
    assert_eq!(references.len(), 40);
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        store::ChainReport::Intact { .. }
    ));
}

async fn self_registration_answers_a_resend_with_the_first_answer(store: Store) {
    let op = with_operation(&store).await;
    let mut new = household("Nabi", "Selfreg");
    new.language = Some("fa".into());
    let request = registration_request("key-1", "body-1");
    // Two resends racing the first: one case, the same answer to each.
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let (store, op, new) = (store.clone(), op.clone(), new.clone());
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.write(Actor::Applicant).await.unwrap();
            let r = tx.register(&op, &new, &request).await.unwrap();
            tx.commit().await.unwrap();
            r
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
    assert!(
        answers
            .iter()
            .all(|a| a.case_id == answers[0].case_id && a.access_code == "AAAA-BBBB-CCCC")
    );
    let names = CaseFilter {
        name_words: vec!["selfreg".into()],
        ..Default::default()
    };
    assert_eq!(total(&store, &op, &names).await, 1);
    let case = store.get_case(answers[0].case_id).await.unwrap();
    assert_eq!(case.source, "self_registration");
    assert_eq!(case.language.as_deref(), Some("fa"));

    // The access code finds the case by its reference; a key reused for
    // another body is refused.
    let access = store
        .registration_access(&op.id, &case.reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(access.access_code_hash, "code-hash-1");
    assert!(
        store
            .registration_access(&op.id, "AF-999999")
            .await
            .unwrap()
            .is_none()
    );
    let mut tx = store.write(Actor::Applicant).await.unwrap();
    let other = store::RegistrationRequest {
        body_hash: "body-2".into(),
        ..request
    };
    let refused = tx.register(&op, &new, &other).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    tx.rollback().await.unwrap();
}

async fn duplicate_pairs_are_kept_once_and_decided(store: Store) {
    use domain::duplicate::{DuplicateReason, DuplicateStatus, SuspectedDuplicate};
    let op = with_operation(&store).await;
    let first = add_case(&store, &op, &household("Nabi", "Pairs")).await;
    let second = add_case(&store, &op, &household("Nabee", "Pairs")).await;
    let a = store.get_case(first).await.unwrap().members[0].id;
    let b = store.get_case(second).await.unwrap().members[0].id;
    let found = SuspectedDuplicate {
        person_a: b,
        person_b: a,
        probability: 0.93,
        reasons: vec![DuplicateReason {
            field: "name".into(),
            level: "phonetic".into(),
            weight: 7.5,
            term_frequency: true,
        }],
    };
    let mut tx = store.write(Actor::System).await.unwrap();
    assert_eq!(
        tx.suspect_duplicates(&op.id, &[found.clone(), found.clone()])
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
    let open = store
        .list_duplicates(&op.id, DuplicateStatus::Open, Paging::default())
        .await
        .unwrap();
    assert_eq!(open.total, 1);
    let pair = &open.items[0];
    assert_eq!((pair.person_a, pair.person_b), (a, b), "stored one way");
    assert_eq!(pair.reasons, found.reasons);
    assert_eq!(store.case_of_person(b).await.unwrap(), Some(second));
    assert_eq!(
        store
            .registry_persons(&op.id, Some(&[first]))
            .await
            .unwrap()
            .len(),
        2
    );

    let decide = |to| {
        let store = store.clone();
        let id = pair.id;
        async move {
            let mut tx = store.write(Actor::Console).await.unwrap();
            let r = tx.decide_duplicate(id, to).await;
            tx.commit().await.unwrap();
            r
        }
    };
    decide(DuplicateStatus::Merged).await.unwrap();
    decide(DuplicateStatus::Open).await.unwrap();
    decide(DuplicateStatus::Distinct).await.unwrap();
    let refused = decide(DuplicateStatus::Merged).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    // Found again later: still distinct, not proposed again.
    let mut tx = store.write(Actor::System).await.unwrap();
    assert_eq!(tx.suspect_duplicates(&op.id, &[found]).await.unwrap(), 0);
    tx.commit().await.unwrap();
    let pair = store.get_duplicate(pair.id).await.unwrap();
    assert_eq!(pair.status, DuplicateStatus::Distinct);
    assert!(pair.decided_at.is_some());
}
