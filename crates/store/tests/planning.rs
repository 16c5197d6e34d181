//! Quotas, decisions and plans on both backends. The quota race uses two
//! stores on one database, as two Muster servers would.

use chrono::{Duration, Utc};
use domain::audit::Actor;
use domain::case::{NewCase, StatusChange};
use domain::decision::{Decision, TierOverride, Verdict};
use domain::movement::{MovementKind, MovementStatus, MovementUpdate, NewMovement};
use domain::operation::{NewOperation, Operation};
use domain::person::{PersonDetails, Relationship};
use domain::plan::{NewAssemblyPoint, PlanAssignment, PlanSettings};
use domain::scheme::{NewScheme, Scheme};
use domain::{CaseId, CaseStatus, OperationId};
use store::{Store, StoreError};

store::on_both_backends_paired!(
    two_servers_approving_the_last_place_at_once_give_one_place,
    decisions_keep_within_the_quota_and_tiers_can_be_set_by_hand,
    an_approved_plan_seats_households_and_a_new_one_moves_and_drops_them,
    one_household_is_seated_only_where_it_fits,
);

fn person(relationship: Relationship, given: &str) -> PersonDetails {
    PersonDetails {
        family_name: Some("Haidari".into()),
        nationalities: vec!["AF".into()],
        province: Some("Kabul".into()),
        employer_nation: Some("FIN".into()),
        years_of_service: Some(3.0),
        ..PersonDetails::named(relationship, given)
    }
}

async fn setup(
    store: &Store,
    principals: Option<u32>,
    persons: Option<u32>,
) -> (Operation, Scheme) {
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
                code: "FIN-130".into(),
                name: "Finnish quota".into(),
                nation: "FIN".into(),
                description: String::new(),
                quota_principals: principals,
                quota_persons: persons,
                movement_nations: vec!["FIN".into()],
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (op, scheme)
}

/// A household of `size` under review in `scheme`.
async fn household(store: &Store, op: &Operation, scheme: &Scheme, size: usize) -> CaseId {
    let mut members = vec![person(Relationship::Principal, "Ahmad")];
    members.extend((1..size).map(|_| person(Relationship::Child, "Zahra")));
    let new = NewCase {
        scheme_id: Some(scheme.id),
        members,
        ..Default::default()
    };
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx.create_case(op, &new, "officer").await.unwrap();
    tx.change_status(id, &step(CaseStatus::UnderReview))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn step(to: CaseStatus) -> StatusChange {
    StatusChange {
        to,
        reason: "test".into(),
    }
}

fn eligible() -> Decision {
    Decision {
        verdict: Verdict::Eligible,
        reason: "worked for the embassy".into(),
    }
}

async fn decide(store: &Store, case: CaseId, d: &Decision) -> Result<CaseStatus, StoreError> {
    let mut tx = store.write(Actor::Console).await?;
    let to = tx.decide(case, d, Some(Verdict::Eligible), Some(3)).await?;
    tx.commit().await?;
    Ok(to)
}

async fn two_servers_approving_the_last_place_at_once_give_one_place(a: Store, b: Store) {
    let (op, scheme) = setup(&a, Some(3), None).await;
    let first = household(&a, &op, &scheme, 2).await;
    let second = household(&a, &op, &scheme, 2).await;
    decide(&a, first, &eligible()).await.unwrap();
    decide(&a, second, &eligible()).await.unwrap();
    // Rounds of two officers on two servers deciding at the same moment,
    // each round for the scheme's next-to-last and last places.
    let mut won = 0;
    for _ in 0..4 {
        let x = household(&a, &op, &scheme, 1).await;
        let y = household(&b, &op, &scheme, 1).await;
        let (sa, sb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move { decide(&sa, x, &eligible()).await });
        let tb = tokio::spawn(async move { decide(&sb, y, &eligible()).await });
        let (ra, rb) = (ta.await.unwrap(), tb.await.unwrap());
        for r in [&ra, &rb] {
            match r {
                Ok(s) => {
                    assert_eq!(*s, CaseStatus::Eligible);
                    won += 1;
                }
                Err(StoreError::Conflict(m)) => assert!(m.contains("quota"), "{m}"),
                Err(e) => panic!("{e:?}"),
            }
        }
    }
    assert_eq!(
        won, 1,
        "exactly one of the racing officers got the last place"
    );
    let usage = a.quota_usage(scheme.id).await.unwrap();
    assert_eq!((usage.principals, usage.max_principals), (3, Some(3)));
    assert!(matches!(
        a.verify_audit().await.unwrap(),
        store::ChainReport::Intact { .. }
    ));
}

async fn decisions_keep_within_the_quota_and_tiers_can_be_set_by_hand(a: Store, _b: Store) {
    let (op, scheme) = setup(&a, None, Some(5)).await;
    let four = household(&a, &op, &scheme, 4).await;
    let two = household(&a, &op, &scheme, 2).await;
    assert_eq!(
        decide(&a, four, &eligible()).await.unwrap(),
        CaseStatus::Eligible
    );
    let refused = decide(&a, two, &eligible()).await.unwrap_err();
    assert!(
        matches!(&refused, StoreError::Conflict(m) if m.contains("1 of 5")),
        "{refused:?}"
    );
    // Needs information does not take a place.
    let more = Decision {
        verdict: Verdict::NeedsInformation,
        reason: "ask for the employment letter".into(),
    };
    assert_eq!(
        decide(&a, two, &more).await.unwrap(),
        CaseStatus::NeedsInformation
    );
    // The rules' tier was written on the eligible decision; a hand-set tier stays.
    let case = a.get_case(four).await.unwrap();
    assert_eq!((case.tier, case.tier_overridden), (Some(3), false));
    let mut tx = a.write(Actor::Console).await.unwrap();
    let urgent = TierOverride {
        tier: Some(1),
        reason: "daughter needs surgery".into(),
    };
    tx.override_tier(four, &urgent, Some(3)).await.unwrap();
    tx.commit().await.unwrap();
    let case = a.get_case(four).await.unwrap();
    assert_eq!((case.tier, case.tier_overridden), (Some(1), true));
    let history = a.case_history(four).await.unwrap();
    assert!(history.last().unwrap().reason.contains("tier 3->1"));
    // Growing a household that holds a place keeps within the quota.
    let mut tx = a.write(Actor::Console).await.unwrap();
    let grow = domain::case::CaseUpdate {
        version: case.version,
        members: Some(
            (0..6)
                .map(|i| domain::case::MemberUpdate {
                    id: None,
                    details: person(
                        if i == 0 {
                            Relationship::Principal
                        } else {
                            Relationship::Child
                        },
                        "Ahmad",
                    ),
                })
                .collect(),
        ),
        ..Default::default()
    };
    let refused = tx.update_case(four, &grow).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    tx.rollback().await.unwrap();
}

async fn an_approved_plan_seats_households_and_a_new_one_moves_and_drops_them(a: Store, _b: Store) {
    let (op, scheme) = setup(&a, None, None).await;
    let mut tx = a.write(Actor::Console).await.unwrap();
    let flight = |designator: &str, hours| NewMovement {
        kind: MovementKind::Flight,
        designator: designator.into(),
        nation: "FIN".into(),
        origin: "Kabul (KBL)".into(),
        destination: "Helsinki (HEL)".into(),
        departs_at: Utc::now() + Duration::hours(hours),
        seats: 10,
        accepts_schemes: vec![],
        shared_with: vec![],
    };
    let f1 = tx
        .create_movement(&op.id, &flight("FIN 1", 20))
        .await
        .unwrap();
    let f2 = tx
        .create_movement(&op.id, &flight("FIN 2", 30))
        .await
        .unwrap();
    tx.create_assembly_point(
        &op.id,
        &NewAssemblyPoint {
            name: "Baron Hotel".into(),
            persons_per_hour: 50,
            provinces: vec![],
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let cases = [
        household(&a, &op, &scheme, 3).await,
        household(&a, &op, &scheme, 2).await,
        household(&a, &op, &scheme, 1).await,
    ];
    for c in cases {
        decide(&a, c, &eligible()).await.unwrap();
    }
    let input = a.planning_input(&op.id).await.unwrap();
    assert_eq!(input.cases.len(), 3);
    assert_eq!(input.assembly_points.len(), 1);

    let slot = (Utc::now() + Duration::hours(12))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let seat = |case, movement, pinned| PlanAssignment {
        case_id: case,
        movement_id: movement,
        slot,
        pinned,
        persons: 1,
        seats: 1,
    };
    let save = |assignments: Vec<PlanAssignment>| {
        let a = a.clone();
        let op = op.id.clone();
        async move {
            let mut tx = a.write(Actor::Console).await.unwrap();
            let id = tx
                .save_plan(&op, &PlanSettings::default(), 10, 9, &assignments)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id
        }
    };
    let approve = |id| {
        let a = a.clone();
        async move {
            let mut tx = a.write(Actor::Console).await.unwrap();
            let r = tx.approve_plan(id).await;
            tx.commit().await.unwrap();
            r
        }
    };
    let first = save(vec![
        seat(cases[0], f1.id, false),
        seat(cases[1], f1.id, false),
    ])
    .await;
    let done = approve(first).await.unwrap();
    assert_eq!((done.added, done.moved, done.dropped), (2, 0, 0));
    let seated = a.get_case(cases[0]).await.unwrap();
    assert_eq!(seated.status, CaseStatus::Scheduled);
    assert_eq!(
        (seated.movement_id, seated.processing_slot),
        (Some(f1.id), Some(slot))
    );
    assert_eq!(a.cases_on_movement(&op.id, f1.id).await.unwrap().len(), 2);
    assert!(
        approve(first).await.is_err(),
        "an approved plan is not approved twice"
    );

    // The first household is called forward; the next plan keeps it, moves
    // the second, drops nobody else and adds the third.
    let mut tx = a.write(Actor::Console).await.unwrap();
    tx.change_status(cases[0], &step(CaseStatus::CalledForward))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let second = save(vec![
        seat(cases[0], f1.id, true),
        seat(cases[2], f2.id, false),
    ])
    .await;
    let done = approve(second).await.unwrap();
    assert_eq!((done.added, done.moved, done.dropped), (1, 0, 1));
    assert_eq!(
        a.get_case(cases[0]).await.unwrap().status,
        CaseStatus::CalledForward
    );
    let dropped = a.get_case(cases[1]).await.unwrap();
    assert_eq!(
        (dropped.status, dropped.movement_id),
        (CaseStatus::Eligible, None)
    );
    assert_eq!(a.get_case(cases[2]).await.unwrap().movement_id, Some(f2.id));

    // A plan on a movement cancelled since it was proposed is refused whole.
    let third = save(vec![
        seat(cases[0], f1.id, true),
        seat(cases[1], f2.id, false),
    ])
    .await;
    let mut tx = a.write(Actor::Console).await.unwrap();
    let cancel = MovementUpdate {
        status: Some(MovementStatus::Cancelled),
        ..Default::default()
    };
    tx.update_movement(f2.id, &cancel).await.unwrap();
    tx.commit().await.unwrap();
    let refused = approve(third).await.unwrap_err();
    assert!(
        matches!(&refused, StoreError::Conflict(m) if m.contains("FIN 2")),
        "{refused:?}"
    );
    assert_eq!(
        a.get_case(cases[1]).await.unwrap().status,
        CaseStatus::Eligible
    );
    assert!(matches!(
        a.verify_audit().await.unwrap(),
        store::ChainReport::Intact { .. }
    ));
}

async fn one_household_is_seated_only_where_it_fits(a: Store, _b: Store) {
    let (op, scheme) = setup(&a, None, None).await;
    // On the hour, as stored times keep microseconds only.
    let departs = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        + Duration::days(2);
    let mut tx = a.write(Actor::Console).await.unwrap();
    let movement = |designator: &str, nation: &str, seats| NewMovement {
        kind: MovementKind::Flight,
        designator: designator.into(),
        nation: nation.into(),
        origin: "Kabul (KBL)".into(),
        destination: "Helsinki (HEL)".into(),
        departs_at: departs,
        seats,
        accepts_schemes: vec![],
        shared_with: vec![],
    };
    // FIN takes the scheme by its movement nations; DEU does not take it.
    let fin = tx
        .create_movement(&op.id, &movement("FIN 1", "FIN", 5))
        .await
        .unwrap();
    let deu = tx
        .create_movement(&op.id, &movement("GAF 1", "DEU", 50))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let three = household(&a, &op, &scheme, 3).await;
    let also_three = household(&a, &op, &scheme, 3).await;
    let slot = departs - Duration::hours(4);
    let seat = |case, movement, slot| {
        let a = a.clone();
        async move {
            let mut tx = a.write(Actor::Console).await?;
            tx.seat_case(case, movement, slot).await?;
            tx.commit().await
        }
    };

    // Under review: not yet.
    let early = seat(three, fin.id, slot).await;
    assert!(matches!(early, Err(StoreError::Conflict(_))), "{early:?}");
    decide(&a, three, &eligible()).await.unwrap();
    decide(&a, also_three, &eligible()).await.unwrap();
    for (movement, at) in [(deu.id, slot), (fin.id, departs)] {
        let refused = seat(three, movement, at).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{refused:?}"
        );
    }

    seat(three, fin.id, slot).await.unwrap();
    let case = a.get_case(three).await.unwrap();
    assert_eq!(case.status, CaseStatus::Scheduled);
    assert_eq!(case.movement_id, Some(fin.id));
    assert_eq!(case.processing_slot, Some(slot));
    // Two seats left of five: the second household of three does not fit.
    let full = seat(also_three, fin.id, slot).await;
    assert!(matches!(full, Err(StoreError::Conflict(_))), "{full:?}");
    assert_eq!(
        a.get_case(also_three).await.unwrap().status,
        CaseStatus::Eligible,
        "nothing of a refused seat is kept"
    );
    // A seated household can be called forward, with a pass for that seat.
    let mut tx = a.write(Actor::Console).await.unwrap();
    let issued = tx.call_forward(three).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(issued.pass.movement_id, fin.id);
    assert_eq!(issued.pass.processing_slot, slot);
    // ... and then is the plan's to move, not this method's.
    let moved = seat(three, fin.id, slot - Duration::hours(1)).await;
    assert!(matches!(moved, Err(StoreError::Conflict(_))), "{moved:?}");

    let (detail,): (String,) = sqlx::query_as(
        "SELECT detail FROM audit_events WHERE action = 'case.seat' AND target_id = $1",
    )
    .bind(three.to_string())
    .fetch_one(a.pool())
    .await
    .unwrap();
    assert!(
        detail.starts_with(&format!("movement {} slot 20", fin.id)),
        "{detail}"
    );
    assert!(
        !detail.contains("Ahmad"),
        "no personal data in the audit trail"
    );
}
