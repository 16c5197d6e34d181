//! Rules to decisions to seats, through the API: HQ writes a scheme's rules
//! (a bad rule is refused with its position), an officer sees the suggestion
//! and decides, overrides the tier, proposes a plan and approves it; the
//! movement's manifests come out in every format, and an allied liaison
//! officer gets the minimised manifest only.

mod common;

use axum::http::header;
use chrono::{Duration, Utc};
use common::{Fixture, body_json, body_text, json_request, member};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::person::{Document, DocumentKind, Relationship};
use serde_json::json;

async fn eligible_case(f: &Fixture) -> domain::CaseId {
    let mut principal = member(Relationship::Principal, "Nabi");
    principal.employer_nation = Some("FIN".into());
    principal.years_of_service = Some(4.0);
    principal.province = Some("Kabul".into());
    principal.documents = vec![Document {
        kind: DocumentKind::Passport,
        number: "P01234567".into(),
        issuing_country: Some("AFG".into()),
        expires_on: None,
    }];
    let mut child = member(Relationship::Child, "Wali");
    child.medical_need = Some(true);
    let new = NewCase {
        scheme_id: Some(f.scheme),
        members: vec![principal, child],
        ..Default::default()
    };
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let id = tx.create_case(&f.op, &new, "officer").await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn from_rules_to_a_seat_and_a_manifest() {
    let f = Fixture::new().await;
    let hq = f.sign_in("hq").await;
    let officer = f.sign_in("officer").await;
    let rules_uri = format!("/api/schemes/{}/rules", f.scheme);

    let bad = json!({"eligibility": ["employer_nation == FIN and yeers_of_service >= 2"]});
    let res = f
        .send(json_request("PUT", &rules_uri, Some(&hq), &bad.to_string()))
        .await;
    assert_eq!(res.status(), 422);
    let problem = body_json(res).await;
    assert_eq!(problem["errors"][0]["field"], "eligibility[0]");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("column 28"), "{message}");
    assert!(message.contains("years_of_service"), "{message}");

    let good = json!({
        "eligibility": ["employer_nation == FIN and years_of_service >= 2"],
        "family": ["relationship == spouse", "relationship == child"],
        "priority": [{"tier": 2, "rule": "medical_need"}],
        "default_tier": 3
    });
    let res = f
        .send(json_request(
            "PUT",
            &rules_uri,
            Some(&officer),
            &good.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 403, "HQ writes the rules");
    let res = f
        .send(json_request(
            "PUT",
            &rules_uri,
            Some(&hq),
            &good.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 200);

    let case = eligible_case(&f).await;
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/cases/{case}/suggestion"),
            Some(&officer),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let s = body_json(res).await;
    assert_eq!(s["suggestion"]["outcome"], "eligible");
    assert_eq!(s["suggestion"]["fired"][0]["field"], "eligibility[0]");
    assert_eq!(s["suggestion"]["tier"], 2);
    assert_eq!(s["quota"]["max_principals"], 130);

    let decision = json!({"verdict": "eligible", "reason": "letter from the embassy"}).to_string();
    let caseworker = f.sign_in("caseworker").await;
    let decide_uri = format!("/api/cases/{case}/decision");
    let res = f
        .send(json_request(
            "POST",
            &decide_uri,
            Some(&caseworker),
            &decision,
        ))
        .await;
    assert_eq!(res.status(), 403, "case workers propose, never decide");
    let res = f
        .send(json_request("POST", &decide_uri, Some(&officer), &decision))
        .await;
    assert_eq!(res.status(), 200);
    let decided = body_json(res).await;
    assert_eq!(
        (decided["status"].clone(), decided["tier"].clone()),
        (json!("eligible"), json!(2))
    );

    let tier = json!({"tier": 1, "reason": "needs surgery abroad"}).to_string();
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/cases/{case}/tier"),
            Some(&officer),
            &tier,
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["tier_overridden"], true);

    // A flight to come, and a gate.
    let flight = json!({
        "kind": "flight", "designator": "FIN 7", "nation": "FIN",
        "origin": "Kabul (KBL)", "destination": "Helsinki (HEL)",
        "departs_at": (Utc::now() + Duration::hours(30)).to_rfc3339(),
        "seats": 50, "shared_with": ["NATO"], "accepts_schemes": [f.scheme]
    });
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/{}/movements", f.op.id),
            Some(&officer),
            &flight.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);
    let movement = body_json(res).await["id"].as_str().unwrap().to_owned();
    let plans_uri = format!("/api/operations/{}/plans", f.op.id);
    let res = f
        .send(json_request("POST", &plans_uri, Some(&officer), "{}"))
        .await;
    assert_eq!(res.status(), 422, "no assembly point yet");
    assert_eq!(
        body_json(res).await["errors"][0]["field"],
        "assembly_points"
    );
    let point = json!({"name": "Abbey Gate", "persons_per_hour": 100, "provinces": ["Kabul"]});
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/{}/assembly-points", f.op.id),
            Some(&officer),
            &point.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);

    let res = f
        .send(json_request("POST", &plans_uri, Some(&officer), "{}"))
        .await;
    assert_eq!(res.status(), 201);
    let proposal = body_json(res).await;
    let changes = proposal["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0]["case_id"].as_str(), changes[0]["kind"].as_str()),
        (Some(case.to_string().as_str()), Some("added"))
    );
    let a = &proposal["plan"]["assignments"][0];
    assert_eq!(a["movement_id"], movement);
    let plan = proposal["plan"]["id"].as_str().unwrap();
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/plans/{plan}/approve"),
            Some(&officer),
            "{}",
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["added"], 1);
    let seated = f.store.get_case(case).await.unwrap();
    assert_eq!(seated.status, domain::CaseStatus::Scheduled);
    assert_eq!(
        seated.movement_id.map(|m| m.to_string()),
        Some(movement.clone())
    );
    // The call-forward hour lies in the lead window before departure.
    let slot = seated.processing_slot.unwrap();
    let departs = f
        .store
        .get_movement(movement.parse().unwrap())
        .await
        .unwrap()
        .departs_at;
    assert!(slot + Duration::hours(4) <= departs && slot + Duration::hours(12) >= departs);

    let manifest = |who: String, path: &str| {
        let uri = format!("/api/movements/{movement}/{path}");
        let f = &f;
        async move { f.send(json_request("GET", &uri, Some(&who), "")).await }
    };
    let res = manifest(officer.clone(), "manifest.csv").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let csv = body_text(res).await;
    assert!(
        csv.contains(&seated.reference) && csv.contains("Nabi") && csv.contains("P01234567"),
        "{csv}"
    );
    let res = manifest(officer.clone(), "manifest.pdf").await;
    assert_eq!(res.status(), 200);
    assert!(body_text(res).await.starts_with("%PDF-"));
    let res = manifest(officer.clone(), "manifest.edi").await;
    assert_eq!(res.status(), 422);
    assert_eq!(body_json(res).await["errors"][0]["field"], "arrives_at");
    let arrives = (Utc::now() + Duration::hours(36)).format("%Y-%m-%dT%H:%M:%SZ");
    let res = manifest(
        officer.clone(),
        &format!("manifest.edi?arrives_at={arrives}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let edi = body_text(res).await;
    assert!(
        edi.contains("UNH+") && edi.contains("NAD+FL+++AHMADZAI:NABI") && edi.contains("DOC+P"),
        "{edi}"
    );

    // The ally's liaison officer: minimised only, and nothing but its fields.
    let liaison = f.sign_in("liaison").await;
    let res = manifest(liaison.clone(), "manifest.csv").await;
    assert_eq!(res.status(), 403);
    let res = manifest(liaison.clone(), "manifest/minimised.json").await;
    assert_eq!(res.status(), 200);
    let minimised = body_json(res).await;
    let household = &minimised["households"][0];
    assert_eq!(household["size"], 2);
    let person = household["persons"][0].as_object().unwrap();
    let mut keys: Vec<&String> = person.keys().collect();
    keys.sort();
    assert_eq!(keys, ["document_number", "name", "nationality"]);
    assert_eq!(person["document_number"], "P01234567");
}

#[tokio::test]
async fn a_liaison_does_not_see_movements_not_shared_with_its_nation() {
    let f = Fixture::new().await;
    let hq = f.sign_in("hq").await;
    let flight = json!({
        "kind": "flight", "designator": "NOR 9", "nation": "NOR",
        "origin": "Kabul (KBL)", "destination": "Oslo (OSL)",
        "departs_at": (Utc::now() + Duration::hours(30)).to_rfc3339(),
        "seats": 50
    });
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/{}/movements", f.op.id),
            Some(&hq),
            &flight.to_string(),
        ))
        .await;
    let movement = body_json(res).await["id"].as_str().unwrap().to_owned();
    let liaison = f.sign_in("liaison").await;
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/movements/{movement}/manifest/minimised.csv"),
            Some(&liaison),
            "",
        ))
        .await;
    assert_eq!(res.status(), 404);
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/movements/{}/manifest/minimised.csv", f.movement),
            Some(&liaison),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
}
