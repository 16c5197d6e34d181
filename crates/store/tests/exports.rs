//! The store's side of the exports and the dashboard, on SQLite and
//! PostgreSQL: counts by status, scheme, province and tier; the status
//! history; the case filter by stage, nation, province and tier; PFIF records
//! kept sealed beside their cases, imported once.

use domain::audit::Actor;
use domain::case::{CaseUpdate, MemberUpdate, NewCase, StatusChange};
use domain::operation::{NewOperation, Operation};
use domain::person::{PersonDetails, Relationship, Sex};
use domain::pipeline::Stage;
use domain::scheme::NewScheme;
use domain::{CaseStatus, OperationId, SchemeId};
use store::{CaseFilter, Imported, Paging, PfifPersonImport, Store, StoreError};

store::on_both_backends!(
    counts_by_status_scheme_province_and_tier,
    status_events_replay_into_daily_stages,
    case_filter_by_stage_nation_province_and_tier,
    pfif_records_are_kept_sealed_and_imported_once,
    cases_for_export_hold_their_members,
);

async fn setup(store: &Store) -> (Operation, SchemeId) {
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
    let scheme = tx
        .create_scheme(
            &op.id,
            &NewScheme {
                code: "NOR-LES".into(),
                name: "Norway".into(),
                nation: "NOR".into(),
                description: String::new(),
                quota_principals: None,
                quota_persons: None,
                movement_nations: vec![],
            },
        )
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    (op, scheme)
}

fn person(relationship: Relationship, given: &str, province: Option<&str>) -> PersonDetails {
    PersonDetails {
        relationship,
        given_name: Some(given.into()),
        family_name: Some("Exportzai".into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Unknown,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: vec![],
        province: province.map(str::to_owned),
        employer: None,
        employer_nation: None,
        years_of_service: None,
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}

async fn add(
    store: &Store,
    op: &Operation,
    scheme: Option<SchemeId>,
    province: Option<&str>,
    tier: Option<u8>,
    size: usize,
    path: &[CaseStatus],
) -> domain::CaseId {
    let mut members = vec![person(Relationship::Principal, "Nabi", province)];
    for i in 1..size {
        members.push(person(Relationship::Child, &format!("Child{i}"), None));
    }
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx
        .create_case(
            op,
            &NewCase {
                scheme_id: scheme,
                tier,
                members,
                ..Default::default()
            },
            "officer",
        )
        .await
        .unwrap();
    for to in path {
        tx.change_status(
            id,
            &StatusChange {
                to: *to,
                reason: "test".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

async fn counts_by_status_scheme_province_and_tier(store: Store) {
    let (op, scheme) = setup(&store).await;
    add(&store, &op, Some(scheme), Some("Heraat"), Some(1), 3, &[]).await;
    add(&store, &op, Some(scheme), Some("AF-HER"), Some(1), 2, &[]).await;
    add(
        &store,
        &op,
        None,
        Some("Atlantis"),
        None,
        1,
        &[CaseStatus::Eligible],
    )
    .await;
    let mut counts = store.case_counts(&op.id).await.unwrap();
    counts.sort_by_key(|c| c.households);
    assert_eq!(counts.len(), 2);
    let herat = &counts[1];
    assert_eq!(
        (
            herat.status,
            herat.scheme_id,
            herat.province.as_str(),
            herat.tier
        ),
        (CaseStatus::Registered, Some(scheme), "AF-HER", Some(1))
    );
    assert_eq!((herat.households, herat.persons), (2, 5));
    let other = &counts[0];
    assert_eq!(
        (
            other.status,
            other.scheme_id,
            other.province.as_str(),
            other.tier
        ),
        (CaseStatus::Eligible, None, "", None),
        "an unknown province counts as not known"
    );
}

async fn status_events_replay_into_daily_stages(store: Store) {
    let (op, _) = setup(&store).await;
    add(
        &store,
        &op,
        None,
        None,
        None,
        1,
        &[CaseStatus::Eligible, CaseStatus::Scheduled],
    )
    .await;
    add(&store, &op, None, None, None, 1, &[CaseStatus::Withdrawn]).await;
    let events = store.status_events(&op.id).await.unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0].to, CaseStatus::Registered);
    let days =
        domain::pipeline::daily_stages(events.iter().map(|e| (e.case, e.at.date_naive(), e.to)));
    let last = days.last().unwrap().1;
    // registered, eligible, scheduled, called, checked in, departed, in country
    assert_eq!(last, [2, 1, 1, 0, 0, 0, 1]);
}

async fn case_filter_by_stage_nation_province_and_tier(store: Store) {
    let (op, scheme) = setup(&store).await;
    let kabul = add(
        &store,
        &op,
        Some(scheme),
        Some("Kabul"),
        Some(2),
        1,
        &[CaseStatus::Eligible],
    )
    .await;
    add(&store, &op, None, Some("KBL"), None, 1, &[]).await;
    add(&store, &op, Some(scheme), None, Some(2), 1, &[]).await;
    let total = |f: CaseFilter| {
        let store = store.clone();
        let op = op.id.clone();
        async move {
            store
                .list_cases(&op, &f, Paging::default())
                .await
                .unwrap()
                .total
        }
    };
    let province = |p: &str| CaseFilter {
        province: Some(p.into()),
        ..Default::default()
    };
    assert_eq!(total(province("AF-KAB")).await, 2);
    assert_eq!(total(province("")).await, 1);
    assert_eq!(
        total(CaseFilter {
            statuses: Stage::Eligible.statuses().to_vec(),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        total(CaseFilter {
            nation: Some("NOR".into()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        total(CaseFilter {
            no_scheme: true,
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        total(CaseFilter {
            tier: Some(2),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        total(CaseFilter {
            tier: Some(0),
            ..Default::default()
        })
        .await,
        1
    );
    // A household that moves keeps being counted where it lives now.
    let case = store.get_case(kabul).await.unwrap();
    let mut moved = case.members[0].details.clone();
    moved.province = Some("Herat".into());
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.update_case(
        kabul,
        &CaseUpdate {
            version: case.version,
            members: Some(vec![MemberUpdate {
                id: Some(case.members[0].id),
                details: moved,
            }]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(total(province("AF-KAB")).await, 1);
    assert_eq!(total(province("AF-HER")).await, 1);
}

async fn pfif_records_are_kept_sealed_and_imported_once(store: Store) {
    let (op, _) = setup(&store).await;
    let record = serde_json::json!({"fields": {"person_record_id": "example.org/person.1", "author_name": "Secretname Writer"}});
    let case = NewCase {
        members: vec![person(Relationship::Principal, "Nabi", Some("Kabul"))],
        ..Default::default()
    };
    let import = PfifPersonImport {
        person_record_id: "example.org/person.1",
        source_name: Some("Person Finder"),
        record: &record,
        case: &case,
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    let Imported::Created(case_id) = tx.import_pfif_person(&op, &import).await.unwrap() else {
        panic!("a new record makes a case");
    };
    let note = serde_json::json!({"fields": {"text": "Secretnote text"}});
    assert_eq!(
        tx.import_pfif_note(&op.id, "example.org/note.1", "example.org/person.1", &note)
            .await
            .unwrap(),
        Imported::Created(case_id)
    );
    match tx
        .import_pfif_note(
            &op.id,
            "example.org/note.2",
            "example.org/person.404",
            &note,
        )
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].rule, "known_person"),
        other => panic!("a note about nobody: {other:?}"),
    }
    tx.commit().await.unwrap();

    let mut tx = store.write(Actor::Console).await.unwrap();
    assert_eq!(
        tx.import_pfif_person(&op, &import).await.unwrap(),
        Imported::Known(case_id)
    );
    assert_eq!(
        tx.import_pfif_note(&op.id, "example.org/note.1", "example.org/person.1", &note)
            .await
            .unwrap(),
        Imported::Known(case_id)
    );
    tx.commit().await.unwrap();

    let persons = store.pfif_persons(&op.id).await.unwrap();
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0].record, record);
    assert_eq!(persons[0].case_id, case_id);
    assert_eq!(persons[0].source_name.as_deref(), Some("Person Finder"));
    let notes = store.pfif_notes(&op.id).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].record, note);
    let page = store
        .list_cases(&op.id, &CaseFilter::default(), Paging::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1, "imported once");
    assert_eq!(store.get_case(case_id).await.unwrap().source, "pfif");

    // What the record says stays sealed at rest.
    for (table, col) in [("pfif_persons", "record"), ("pfif_notes", "record")] {
        let rows: Vec<Vec<u8>> = sqlx_rows(&store, table, col).await;
        assert!(!rows.is_empty());
        for r in rows {
            let text = String::from_utf8_lossy(&r);
            assert!(!text.contains("Secret"), "{table}.{col} in clear");
        }
    }
}

async fn sqlx_rows(store: &Store, table: &str, col: &str) -> Vec<Vec<u8>> {
    use sqlx::Row;
    sqlx::query(&format!("SELECT {col} FROM {table}"))
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<Vec<u8>, _>(0).unwrap())
        .collect()
}

async fn cases_for_export_hold_their_members(store: Store) {
    let (op, scheme) = setup(&store).await;
    add(
        &store,
        &op,
        Some(scheme),
        Some("Kabul"),
        Some(1),
        3,
        &[CaseStatus::Eligible],
    )
    .await;
    add(&store, &op, None, None, None, 2, &[]).await;
    let all = store
        .cases_for_export(&op.id, &CaseFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|c| c.members.len()).collect::<Vec<_>>(),
        [3, 2]
    );
    assert!(
        all[0]
            .members
            .iter()
            .all(|m| m.details.family_name.as_deref() == Some("Exportzai"))
    );
    let eligible = store
        .cases_for_export(
            &op.id,
            &CaseFilter {
                status: Some(CaseStatus::Eligible),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(eligible.len(), 1);
    assert_eq!(eligible[0].scheme_id, Some(scheme));
}
