//! Signing keys, passes, revocation and gate scans on both backends.

use chrono::{Duration, Utc};
use domain::audit::Actor;
use domain::case::{NewCase, StatusChange};
use domain::decision::{Decision, Verdict as Decided};
use domain::movement::{MovementKind, NewMovement};
use domain::operation::{NewOperation, Operation};
use domain::pass::{ConflictKind, Scan, ScanKind, Verdict};
use domain::person::{PersonDetails, Relationship, Sex};
use domain::plan::{PlanAssignment, PlanSettings};
use domain::scheme::NewScheme;
use domain::{CaseId, CaseStatus, MovementId, OperationId, SchemeId};
use store::{Store, StoreError};

store::on_both_backends!(
    a_called_forward_household_gets_a_signed_pass_without_names,
    revoking_and_replanning_take_the_pass_back,
    rotated_keys_stay_published_while_their_passes_live,
    scans_count_once_and_double_admissions_are_flagged,
    the_burn_leaves_no_key_to_sign_with,
);

struct Setup {
    op: Operation,
    scheme: SchemeId,
    flights: [MovementId; 2],
}

fn person(relationship: Relationship, given: &str) -> PersonDetails {
    PersonDetails {
        relationship,
        given_name: Some(given.into()),
        family_name: Some("Haidari".into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Unknown,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: vec![],
        province: Some("Kabul".into()),
        employer: None,
        employer_nation: Some("FIN".into()),
        years_of_service: Some(3.0),
        family_ties: vec![],
        at_risk: None,
        medical_need: None,
    }
}

async fn setup(store: &Store) -> Setup {
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
                quota_principals: None,
                quota_persons: None,
                movement_nations: vec!["FIN".into()],
            },
        )
        .await
        .unwrap()
        .id;
    let mut flights = Vec::new();
    for (n, hours) in [("FIN 1", 30), ("FIN 2", 54)] {
        let m = NewMovement {
            kind: MovementKind::Flight,
            designator: n.into(),
            nation: "FIN".into(),
            origin: "Kabul (KBL)".into(),
            destination: "Helsinki (HEL)".into(),
            departs_at: Utc::now() + Duration::hours(hours),
            seats: 50,
            accepts_schemes: vec![scheme],
            shared_with: vec![],
        };
        flights.push(tx.create_movement(&op.id, &m).await.unwrap().id);
    }
    tx.commit().await.unwrap();
    Setup {
        op,
        scheme,
        flights: [flights[0], flights[1]],
    }
}

fn step(to: CaseStatus) -> StatusChange {
    StatusChange {
        to,
        reason: "test".into(),
    }
}

/// Eligible households of three, Dari-speaking.
async fn households(store: &Store, s: &Setup, n: usize) -> Vec<CaseId> {
    let mut out = Vec::new();
    for _ in 0..n {
        let new = NewCase {
            scheme_id: Some(s.scheme),
            language: Some("fa".into()),
            members: vec![
                person(Relationship::Principal, "Ahmad"),
                person(Relationship::Spouse, "Zahra"),
                person(Relationship::Child, "Omid"),
            ],
            ..Default::default()
        };
        let mut tx = store.write(Actor::Console).await.unwrap();
        let id = tx.create_case(&s.op, &new, "officer").await.unwrap();
        tx.change_status(id, &step(CaseStatus::UnderReview))
            .await
            .unwrap();
        let d = Decision {
            verdict: Decided::Eligible,
            reason: "staff".into(),
        };
        tx.decide(id, &d, Some(Decided::Eligible), Some(3))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push(id);
    }
    out
}

/// Approves a plan putting each case on its movement, at an hour before it.
async fn plan(store: &Store, s: &Setup, seats: &[(CaseId, MovementId)]) {
    let slot = (Utc::now() + Duration::hours(20))
        .date_naive()
        .and_hms_opt(6, 0, 0)
        .unwrap()
        .and_utc();
    let assignments: Vec<PlanAssignment> = seats
        .iter()
        .map(|&(case_id, movement_id)| PlanAssignment {
            case_id,
            movement_id,
            slot: if movement_id == s.flights[0] {
                slot
            } else {
                slot + Duration::hours(1)
            },
            pinned: false,
            persons: 3,
            seats: 3,
        })
        .collect();
    let mut tx = store.write(Actor::Console).await.unwrap();
    let id = tx
        .save_plan(&s.op.id, &PlanSettings::default(), 1, 1, &assignments)
        .await
        .unwrap();
    tx.approve_plan(id).await.unwrap();
    tx.commit().await.unwrap();
}

async fn call_forward(store: &Store, case: CaseId) -> Result<store::IssuedPass, StoreError> {
    let mut tx = store.write(Actor::Console).await?;
    let issued = tx.call_forward(case).await?;
    tx.commit().await?;
    Ok(issued)
}

async fn verify(
    store: &Store,
    op: &OperationId,
    token: &str,
) -> Result<passes::PassClaims, passes::PassError> {
    let keys = store.published_keys(op).await.unwrap();
    passes::verify(token, |kid| {
        keys.iter().copied().find(|k| passes::key_id(k) == kid)
    })
}

async fn a_called_forward_household_gets_a_signed_pass_without_names(store: Store) {
    let s = setup(&store).await;
    let cases = households(&store, &s, 2).await;
    // Not scheduled yet: refused.
    assert!(matches!(
        call_forward(&store, cases[0]).await,
        Err(StoreError::Conflict(_))
    ));
    plan(
        &store,
        &s,
        &[(cases[0], s.flights[0]), (cases[1], s.flights[0])],
    )
    .await;
    let issued = call_forward(&store, cases[0]).await.unwrap();
    assert_eq!(issued.language.as_deref(), Some("fa"));
    let pass = issued.pass;
    assert_eq!(
        store.get_case(cases[0]).await.unwrap().status,
        CaseStatus::CalledForward
    );
    let claims = verify(&store, &s.op.id, &pass.token).await.unwrap();
    assert_eq!(claims.jti, pass.id.to_string());
    assert_eq!(claims.mov, s.flights[0].to_string());
    assert_eq!(claims.hh, 3);
    assert_eq!(claims.code, pass.code);
    assert_eq!(claims.hour, pass.processing_slot.timestamp());
    assert!(claims.nbf < claims.hour && claims.hour < claims.exp);
    let movement = store.get_movement(s.flights[0]).await.unwrap();
    assert_eq!(claims.exp, movement.departs_at.timestamp());
    for name in ["Ahmad", "Zahra", "Omid", "Haidari"] {
        assert!(!pass.token.contains(name));
        let payload = pass.token.split('.').nth(1).unwrap();
        use base64::Engine;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        assert!(!String::from_utf8(json).unwrap().contains(name));
    }
    assert!(passes::ShortCode::parse(&pass.code).is_ok());
    assert!(pass.page_key.len() >= 32);
    assert_eq!(
        store
            .pass_by_page_key(&pass.page_key)
            .await
            .unwrap()
            .map(|p| p.id),
        Some(pass.id)
    );
    assert_eq!(
        store.current_pass(cases[0]).await.unwrap(),
        Some(pass.clone())
    );
    assert_eq!(
        store
            .pass_by_code(&s.op.id, &passes::ShortCode::parse(&pass.code).unwrap())
            .await
            .unwrap()
            .map(|p| p.id),
        Some(pass.id)
    );
    // Called forward already: a second call is refused, and one pass lives.
    assert!(matches!(
        call_forward(&store, cases[0]).await,
        Err(StoreError::Conflict(_))
    ));
    let other = call_forward(&store, cases[1]).await.unwrap().pass;
    assert_ne!(other.code, pass.code);
    assert_eq!(store.gate_passes(&s.op.id).await.unwrap().len(), 2);
}

async fn revoking_and_replanning_take_the_pass_back(store: Store) {
    let s = setup(&store).await;
    let cases = households(&store, &s, 2).await;
    plan(
        &store,
        &s,
        &[(cases[0], s.flights[0]), (cases[1], s.flights[0])],
    )
    .await;
    let first = call_forward(&store, cases[0]).await.unwrap().pass;
    let second = call_forward(&store, cases[1]).await.unwrap().pass;

    let mut tx = store.write(Actor::Console).await.unwrap();
    let revoked = tx
        .revoke_pass(first.id, "seen sold at a checkpoint")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(
        store.get_case(cases[0]).await.unwrap().status,
        CaseStatus::Scheduled,
        "a revoked pass takes the household back to scheduled"
    );
    assert_eq!(
        store.revocation_reason(first.id).await.unwrap().as_deref(),
        Some("seen sold at a checkpoint")
    );
    let list = store.revoked_passes(&s.op.id).await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first.id]
    );
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.revoke_pass(first.id, "again").await,
        Err(StoreError::Conflict(_))
    ));
    tx.rollback().await.unwrap();

    // A new plan moves the second household to the other flight: its pass
    // is revoked in the approval's own write.
    plan(
        &store,
        &s,
        &[(cases[0], s.flights[0]), (cases[1], s.flights[1])],
    )
    .await;
    let moved = store.get_case(cases[1]).await.unwrap();
    assert_eq!(moved.status, CaseStatus::Scheduled);
    assert_eq!(moved.movement_id, Some(s.flights[1]));
    assert!(
        store
            .get_pass(second.id)
            .await
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert_eq!(store.current_pass(cases[1]).await.unwrap(), None);
    assert_eq!(store.revoked_passes(&s.op.id).await.unwrap().len(), 2);
    // Called forward again: a new pass for the new flight.
    let again = call_forward(&store, cases[1]).await.unwrap().pass;
    assert_eq!(again.movement_id, s.flights[1]);
    assert_ne!(again.id, second.id);
}

async fn rotated_keys_stay_published_while_their_passes_live(store: Store) {
    let s = setup(&store).await;
    let cases = households(&store, &s, 2).await;
    plan(
        &store,
        &s,
        &[(cases[0], s.flights[0]), (cases[1], s.flights[0])],
    )
    .await;
    let old = call_forward(&store, cases[0]).await.unwrap().pass;
    assert_eq!(store.published_keys(&s.op.id).await.unwrap().len(), 1);
    let mut tx = store.write(Actor::Console).await.unwrap();
    let kid = tx.rotate_signing_key(&s.op.id).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(kid, old.kid);
    let new = call_forward(&store, cases[1]).await.unwrap().pass;
    assert_eq!(new.kid, kid);
    let published = store.published_keys(&s.op.id).await.unwrap();
    assert_eq!(published.len(), 2, "the old key signs a live pass");
    assert!(verify(&store, &s.op.id, &old.token).await.is_ok());
    assert!(verify(&store, &s.op.id, &new.token).await.is_ok());
    // Once the old key's passes have expired, it is no longer published.
    sqlx::query("UPDATE passes SET expires_at = '2021-08-31T00:00:00.000000Z' WHERE kid = $1")
        .bind(&old.kid)
        .execute(store.pool())
        .await
        .unwrap();
    let published = store.published_keys(&s.op.id).await.unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(passes::key_id(&published[0]), kid);
}

fn scan(pass: &domain::pass::Pass, kind: ScanKind, device: &str, minutes: i64) -> Scan {
    Scan {
        id: uuid::Uuid::new_v4(),
        pass_id: Some(pass.id.to_string()),
        kind,
        verdict: Verdict::Valid,
        device_id: device.into(),
        gate: "North Gate".into(),
        scanned_at: Utc::now() + Duration::minutes(minutes),
    }
}

async fn scans_count_once_and_double_admissions_are_flagged(store: Store) {
    let s = setup(&store).await;
    let cases = households(&store, &s, 3).await;
    plan(
        &store,
        &s,
        &[
            (cases[0], s.flights[0]),
            (cases[1], s.flights[0]),
            (cases[2], s.flights[0]),
        ],
    )
    .await;
    let passes: Vec<_> = {
        let mut v = Vec::new();
        for &c in &cases {
            v.push(call_forward(&store, c).await.unwrap().pass);
        }
        v
    };
    let sync = |scans: Vec<Scan>| {
        let store = store.clone();
        let op = s.op.id.clone();
        async move {
            let mut tx = store.write(Actor::Console).await.unwrap();
            let r = tx.record_scans(&op, &scans).await.unwrap();
            tx.commit().await.unwrap();
            r
        }
    };
    let a = scan(&passes[0], ScanKind::CheckIn, "phone-a", 0);
    let forged = Scan {
        verdict: Verdict::Forged,
        pass_id: None,
        ..scan(&passes[1], ScanKind::CheckIn, "phone-a", 1)
    };
    let r = sync(vec![a.clone(), forged.clone()]).await;
    assert_eq!((r.accepted, r.duplicates, r.applied), (2, 0, 1));
    assert_eq!(
        store.get_case(cases[0]).await.unwrap().status,
        CaseStatus::CheckedIn
    );
    // The same scan again, as a device resends after a lost answer.
    let r = sync(vec![a.clone(), forged]).await;
    assert_eq!((r.accepted, r.duplicates, r.applied), (0, 2, 0));
    assert_eq!(
        store
            .scans_of_pass(&passes[0].id.to_string())
            .await
            .unwrap()
            .len(),
        1
    );

    // Two gates admitted the third pass offline: both kept, one check-in, flagged.
    let b1 = scan(&passes[2], ScanKind::CheckIn, "phone-b", 2);
    let b2 = scan(&passes[2], ScanKind::CheckIn, "phone-c", 3);
    let r = sync(vec![b2.clone(), b1.clone()]).await;
    assert_eq!((r.accepted, r.applied), (2, 1));
    let kept = store
        .scans_of_pass(&passes[2].id.to_string())
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept.iter().filter(|s| s.applied).count(), 1);
    assert!(kept[0].applied, "the earlier scan is the check-in");
    let conflicts = store.gate_conflicts(&s.op.id).await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, ConflictKind::AdmittedTwice);
    assert_eq!(conflicts[0].pass_id, passes[2].id.to_string());
    assert_eq!(conflicts[0].scans.len(), 2);
    assert_eq!(conflicts[0].case_status, Some(CaseStatus::CheckedIn));
    assert_eq!(conflicts[0].code.as_deref(), Some(passes[2].code.as_str()));
    assert_eq!(conflicts[0].movement_id, Some(s.flights[0]));
    let reference = store.get_case(cases[2]).await.unwrap().reference;
    assert_eq!(conflicts[0].case_reference, Some(reference));

    // Boarding takes a checked-in household to departed.
    let r = sync(vec![scan(&passes[0], ScanKind::Boarding, "phone-a", 10)]).await;
    assert_eq!(r.applied, 1);
    assert_eq!(
        store.get_case(cases[0]).await.unwrap().status,
        CaseStatus::Departed
    );

    // Admitted by a gate the revocation had not reached: kept and flagged.
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.revoke_pass(passes[1].id, "duplicate household")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let late = scan(&passes[1], ScanKind::CheckIn, "phone-d", 20);
    let r = sync(vec![late]).await;
    assert_eq!(
        (r.accepted, r.applied),
        (1, 0),
        "a revoked pass moves nothing"
    );
    let conflicts = store.gate_conflicts(&s.op.id).await.unwrap();
    assert!(
        conflicts
            .iter()
            .any(|c| c.kind == ConflictKind::AdmittedAfterRevocation
                && c.pass_id == passes[1].id.to_string())
    );
}

async fn the_burn_leaves_no_key_to_sign_with(store: Store) {
    let s = setup(&store).await;
    let cases = households(&store, &s, 2).await;
    plan(
        &store,
        &s,
        &[(cases[0], s.flights[0]), (cases[1], s.flights[0])],
    )
    .await;
    let pass = call_forward(&store, cases[0]).await.unwrap().pass;
    let mut tx = store.write(Actor::Console).await.unwrap();
    tx.burn(&s.op.id).await.unwrap();
    tx.commit().await.unwrap();
    store.after_burn(&s.op.id).await.unwrap();
    let row: (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT sealed_key FROM signing_keys WHERE kid = $1")
            .bind(&pass.kid)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(row.0, None, "the sealed signing key is gone");
    // Issued passes still verify at the gates; no new one can be signed.
    assert!(verify(&store, &s.op.id, &pass.token).await.is_ok());
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.call_forward(cases[1]).await,
        Err(StoreError::Burned)
    ));
    tx.rollback().await.unwrap();
    let mut tx = store.write(Actor::Console).await.unwrap();
    assert!(matches!(
        tx.rotate_signing_key(&s.op.id).await,
        Err(StoreError::Burned)
    ));
}
