//! The eligibility and planning pages: HQ writes rules on the scheme page
//! (a mistake comes back by its rule, as typed), the case page shows the
//! suggestion and takes the decision, the plan page proposes and approves.

mod common;

use chrono::{Duration, Utc};
use common::{Fixture, body_text, csrf_of, form_request, json_request, member};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::movement::{MovementKind, NewMovement};
use domain::person::Relationship;
use domain::plan::NewAssemblyPoint;

async fn page(f: &Fixture, cookie: &str, uri: &str) -> (u16, String) {
    let res = f.send(json_request("GET", uri, Some(cookie), "")).await;
    let status = res.status().as_u16();
    (status, body_text(res).await)
}

#[tokio::test]
async fn rules_decision_and_plan_through_the_pages() {
    let f = Fixture::new().await;
    let hq = f.sign_in("hq").await;
    let scheme_uri = format!("/schemes/{}", f.scheme);
    let (status, body) = page(&f, &hq, &scheme_uri).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("years_of_service"),
        "the fact catalogue is shown"
    );
    let csrf = csrf_of(&body);
    let rules_uri = format!("{scheme_uri}/rules");
    let typo = "employer_nation == FIN and\nyeers >= 2";
    let res = f
        .send(form_request(
            &rules_uri,
            &hq,
            &[
                ("csrf", &csrf),
                ("eligibility", typo),
                ("family", "relationship == child"),
                ("priority", "1: medical_need"),
                ("default_tier", "3"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 422);
    let body = body_text(res).await;
    assert!(
        body.contains("eligibility[1]") && body.contains("column 1"),
        "{body}"
    );
    assert!(body.contains("\nyeers "), "kept as typed");
    let res = f
        .send(form_request(
            &rules_uri,
            &hq,
            &[
                ("csrf", &csrf),
                ("eligibility", "employer_nation == FIN"),
                ("family", "relationship == child"),
                ("priority", "1: medical_need"),
                ("default_tier", "3"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert!(body_text(res).await.contains("Rules saved"));
    let res = f
        .send(form_request(
            &scheme_uri,
            &hq,
            &[
                ("csrf", &csrf),
                ("name", "Finnish quota"),
                ("description", "Ties to Finland"),
                ("quota_principals", "120"),
                ("quota_persons", ""),
                ("movement_nations", "fin, NATO"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 303);
    let scheme = f.store.get_scheme(f.scheme).await.unwrap();
    assert_eq!(scheme.quota_principals, Some(120));
    assert_eq!(scheme.movement_nations, ["FIN", "NATO"]);
    let (_, list) = page(&f, &hq, "/operations/kabul-2021/schemes").await;
    assert!(list.contains("0 of 120"), "{list}");

    // A household that qualifies, and a flight with a gate to plan it on.
    let mut principal = member(Relationship::Principal, "Nabi");
    principal.employer_nation = Some("FIN".into());
    let new = NewCase {
        scheme_id: Some(f.scheme),
        members: vec![principal, member(Relationship::Child, "Wali")],
        ..Default::default()
    };
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let case = tx.create_case(&f.op, &new, "officer").await.unwrap();
    let flight = NewMovement {
        kind: MovementKind::Flight,
        designator: "FIN 8".into(),
        nation: "FIN".into(),
        origin: "Kabul (KBL)".into(),
        destination: "Helsinki (HEL)".into(),
        departs_at: Utc::now() + Duration::hours(40),
        seats: 30,
        accepts_schemes: vec![f.scheme],
        shared_with: vec![],
    };
    tx.create_movement(&f.op.id, &flight).await.unwrap();
    let gate = NewAssemblyPoint {
        name: "Abbey Gate".into(),
        persons_per_hour: 60,
        provinces: vec![],
    };
    tx.create_assembly_point(&f.op.id, &gate).await.unwrap();
    tx.commit().await.unwrap();

    let officer = f.sign_in("officer").await;
    let case_uri = format!("/cases/{case}");
    let (_, body) = page(&f, &officer, &case_uri).await;
    assert!(
        body.contains("Suggestion: <strong>Eligible</strong>"),
        "{body}"
    );
    assert!(body.contains("employer_nation == FIN"));
    let csrf = csrf_of(&body);
    let res = f
        .send(form_request(
            &format!("{case_uri}/decision"),
            &officer,
            &[
                ("csrf", &csrf),
                ("verdict", "eligible"),
                ("reason", "employment letter seen"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        f.store.get_case(case).await.unwrap().status,
        domain::CaseStatus::Eligible
    );

    let plan_uri = "/operations/kabul-2021/plan";
    let (status, body) = page(&f, &officer, plan_uri).await;
    assert_eq!(status, 200);
    assert!(body.contains("FIN 8") && body.contains("Abbey Gate"));
    let res = f
        .send(form_request(
            plan_uri,
            &officer,
            &[
                ("csrf", &csrf),
                ("min_hours_before_departure", "3"),
                ("max_hours_before_departure", "12"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = page(&f, &officer, plan_uri).await;
    let reference = f.store.get_case(case).await.unwrap().reference;
    assert!(
        body.contains(&reference) && body.contains("added"),
        "{body}"
    );
    let approve = body
        .split("action=\"/plans/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let res = f
        .send(form_request(
            &format!("/plans/{approve}"),
            &officer,
            &[("csrf", &csrf)],
        ))
        .await;
    assert_eq!(res.status(), 303);
    let seated = f.store.get_case(case).await.unwrap();
    assert_eq!(seated.status, domain::CaseStatus::Scheduled);
    let (_, body) = page(&f, &officer, &case_uri).await;
    assert!(
        body.contains("FIN 8 to Helsinki (HEL)"),
        "the case shows its seat"
    );

    // A liaison officer sees the movements page, with no plan and no full manifest.
    let liaison = f.sign_in("liaison").await;
    let (status, body) = page(&f, &liaison, plan_uri).await;
    assert_eq!(status, 200);
    assert!(!body.contains("Propose a plan") && !body.contains("manifest.pdf"));
}

#[tokio::test]
async fn what_an_officer_learns_goes_onto_the_case_and_changes_the_suggestion() {
    let f = Fixture::new().await;
    let rules =
        serde_json::json!({"eligibility": ["employer_nation == FIN and years_of_service >= 2"]});
    let hq = f.sign_in("hq").await;
    let res = f
        .send(json_request(
            "PUT",
            &format!("/api/schemes/{}/rules", f.scheme),
            Some(&hq),
            &rules.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let case = f.new_case().await;
    let officer = f.sign_in("officer").await;
    let (_, body) = page(&f, &officer, &format!("/cases/{case}")).await;
    assert!(
        body.contains("Suggestion: <strong>Needs information</strong>"),
        "{body}"
    );
    assert!(
        body.contains("employer_nation of principal"),
        "asks for the missing fact"
    );

    let (status, form) = page(&f, &officer, &format!("/cases/{case}/edit")).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"Nabi\""),
        "the form shows the household"
    );
    let csrf = csrf_of(&form);
    let version = form
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let res = f
        .send(form_request(
            &format!("/cases/{case}/edit"),
            &officer,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("scheme", "FIN-130"),
                ("members[0].relationship", "principal"),
                ("members[0].given_name", "Nabi"),
                ("members[0].family_name", "Ahmadzai"),
                ("members[0].employer_nation", "Finland"),
                ("members[0].years_of_service", "3"),
                ("members[1].relationship", "child"),
                ("members[1].given_name", "Wali"),
                ("members[1].family_name", "Ahmadzai"),
                ("members[1].medical_need", "yes"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 303);
    let saved = f.store.get_case(case).await.unwrap();
    assert_eq!(
        saved.members[0].details.employer_nation.as_deref(),
        Some("FIN")
    );
    assert_eq!(saved.members[1].details.medical_need, Some(true));
    let (_, body) = page(&f, &officer, &format!("/cases/{case}")).await;
    assert!(
        body.contains("Suggestion: <strong>Eligible</strong>"),
        "{body}"
    );
    // The same stale form again is refused, not merged.
    let res = f
        .send(form_request(
            &format!("/cases/{case}/edit"),
            &officer,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("members[0].given_name", "Nabi"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 409);
}
