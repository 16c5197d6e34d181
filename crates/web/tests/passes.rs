//! Call-forward through the API: the pass verifies with the published JWKS,
//! carries no name, shows on its page (QR made by the server, in the
//! household's language) and to the household with its access code; the
//! gate bundle holds the names; scans sync once; the gate page has its own
//! content security policy.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Fixture, body_json, body_text, json_request};
use domain::CaseStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_called_forward_gets_a_pass_any_verifier_can_check() {
    let f = Fixture::new().await;
    let officer = f.sign_in("officer").await;
    let gate = f.sign_in("gate").await;
    let case = f.scheduled_case().await;

    // The gate may not call forward; an officer may.
    let url = format!("/api/cases/{case}/call-forward");
    let res = f.send(json_request("POST", &url, Some(&gate), "{}")).await;
    assert_eq!(res.status(), 403);
    let res = f
        .send(json_request("POST", &url, Some(&officer), "{}"))
        .await;
    assert_eq!(res.status(), 201);
    let issued = body_json(res).await;
    let token = issued["token"].as_str().unwrap().to_owned();
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(issued["message"]["language"], "en");
    assert_eq!(issued["message"]["pass_page"], issued["page"]);
    assert_eq!(
        f.store.get_case(case).await.unwrap().status,
        CaseStatus::CalledForward
    );
    // Once only.
    let res = f
        .send(json_request("POST", &url, Some(&officer), "{}"))
        .await;
    assert_eq!(res.status(), 409);

    let res = f
        .send(json_request(
            "GET",
            &format!("/api/cases/{case}/pass"),
            Some(&officer),
            "",
        ))
        .await;
    let pass = body_json(res).await;
    assert_eq!(pass["token"], token.as_str());
    assert_eq!(pass["code"], code.as_str());

    // The JWKS, without a session, verifies the pass.
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/jwks.json",
            None,
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/jwk-set+json"
    );
    let jwks: passes::Jwks = serde_json::from_str(&body_text(res).await).unwrap();
    assert_eq!(jwks.keys[0].kty, "OKP");
    assert_eq!(jwks.keys[0].crv, "Ed25519");
    let claims = passes::verify(&token, |kid| jwks.key(kid)).unwrap();
    assert_eq!(claims.code, code);
    assert_eq!(claims.hh, 2);
    assert_eq!(claims.mov, f.movement.to_string());
    for name in ["Nabi", "Wali", "Ahmadzai"] {
        assert!(!token.contains(name));
        assert!(!serde_json::to_string(&claims).unwrap().contains(name));
    }

    // The pass page: QR, code, movement; no name; the link holds no id.
    let page_url = issued["page"].as_str().unwrap().to_owned();
    assert!(!page_url.contains(&case.to_string()));
    assert!(!page_url.contains(issued["pass_id"].as_str().unwrap()));
    let res = f.send(json_request("GET", &page_url, None, "")).await;
    assert_eq!(res.status(), 200);
    let html = body_text(res).await;
    assert!(html.contains("<svg"), "a QR code made by the server");
    assert!(html.contains(&code));
    assert!(html.contains("FIN 1"));
    for name in ["Nabi", "Wali", "Ahmadzai"] {
        assert!(!html.contains(name), "no personal data on the pass page");
    }
    let res = f
        .send(json_request(
            "GET",
            &format!("{page_url}?lang=fa"),
            None,
            "",
        ))
        .await;
    let html = body_text(res).await;
    assert!(html.contains(r#"<html lang="fa" dir="rtl">"#));
    assert!(html.contains("کارت عبور"));
    let res = f
        .send(json_request(
            "GET",
            "/pass/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            None,
            "",
        ))
        .await;
    assert_eq!(res.status(), 404);

    // The gate's bundle holds the household's names, keyed by the pass.
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/gate/bundle",
            Some(&gate),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let bundle = body_json(res).await;
    assert_eq!(bundle["jwks"]["keys"].as_array().unwrap().len(), 1);
    // The fixture's movement left in 2021: the bundle only holds movements
    // still to leave, so this one is not in it.
    assert!(bundle["movements"].as_array().unwrap().is_empty());

    // The same scan twice is one check-in.
    let scan = serde_json::json!({"operation": "kabul-2021", "scans": [{
        "id": "0190a1b2-0000-4000-8000-000000000001", "pass_id": claims.jti,
        "kind": "check_in", "verdict": "valid", "device_id": "phone-1", "gate": "North",
        "scanned_at": "2021-08-19T20:05:00Z"}]})
    .to_string();
    for (accepted, applied) in [(1, 1), (0, 0)] {
        let res = f
            .send(json_request("POST", "/api/gate/scans", Some(&gate), &scan))
            .await;
        assert_eq!(res.status(), 200);
        let report = body_json(res).await;
        assert_eq!(
            (report["accepted"].as_u64(), report["applied"].as_u64()),
            (Some(accepted), Some(applied))
        );
    }
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/passes/{}", claims.jti),
            Some(&gate),
            "",
        ))
        .await;
    let view = body_json(res).await;
    assert_eq!(view["check_ins"], 1);
    assert_eq!(view["scans"].as_array().unwrap().len(), 1);
    assert_eq!(
        f.store.get_case(case).await.unwrap().status,
        CaseStatus::CheckedIn
    );
    // A bad scan names its field.
    let bad = scan.replace("phone-1", "phone/1");
    let res = f
        .send(json_request("POST", "/api/gate/scans", Some(&gate), &bad))
        .await;
    assert_eq!(res.status(), 422);
    assert!(body_text(res).await.contains("scans[0].device_id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_pass_reaches_the_revocation_list_and_the_household() {
    let f = Fixture::new().await;
    let officer = f.sign_in("officer").await;
    let (case, pass) = f.called_forward_case().await;
    let url = format!("/api/passes/{}/revoke", pass.id);
    let res = f
        .send(json_request(
            "POST",
            &url,
            Some(&officer),
            r#"{"reason": ""}"#,
        ))
        .await;
    assert_eq!(res.status(), 422, "a revocation needs a reason");
    let res = f
        .send(json_request(
            "POST",
            &url,
            Some(&officer),
            r#"{"reason": "seen for sale"}"#,
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        f.store.get_case(case).await.unwrap().status,
        CaseStatus::Scheduled
    );
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/passes/revoked",
            Some(&officer),
            "",
        ))
        .await;
    let list = body_json(res).await;
    // The fixture's pass expired with its 2021 movement: the list keeps
    // live passes only, so it is checked in the store instead.
    assert!(list.as_array().unwrap().is_empty());
    assert!(
        f.store
            .get_pass(pass.id)
            .await
            .unwrap()
            .revoked_at
            .is_some()
    );
    // The audit trail says a pass was revoked, not why (the reason may name people).
    let events = sqlx::query_as::<_, (String, String)>(
        "SELECT action, detail FROM audit_events WHERE target_id = $1",
    )
    .bind(pass.id.to_string())
    .fetch_all(f.store.pool())
    .await
    .unwrap();
    assert!(events.iter().any(|(a, _)| a == "pass.revoke"));
    assert!(events.iter().all(|(_, d)| !d.contains("sale")));
    let res = f
        .send(json_request(
            "GET",
            &format!("/pass/{}", pass.page_key),
            None,
            "",
        ))
        .await;
    assert!(body_text(res).await.contains("pass-revoked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_household_finds_its_pass_with_its_access_code() {
    let f = Fixture::new().await;
    let body = serde_json::json!({"members": [{"given_name": "Mariam", "family_name": "Sadat"}]});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/registrations",
            None,
            &body.to_string(),
        ))
        .await;
    let receipt = body_json(res).await;
    let case: domain::CaseId = receipt["case_id"].as_str().unwrap().parse().unwrap();
    sqlx::query(
        "UPDATE cases SET status = 'scheduled', movement_id = $2, processing_slot = $3 WHERE id = $1",
    )
    .bind(case.to_string())
    .bind(f.movement.to_string())
    .bind("2021-08-19T20:00:00.000000Z")
    .execute(f.store.pool())
    .await
    .unwrap();
    let mut tx = f.store.write(domain::audit::Actor::Console).await.unwrap();
    let issued = tx.call_forward(case).await.unwrap();
    tx.commit().await.unwrap();
    let ask = serde_json::json!({"reference": receipt["reference"], "access_code": receipt["access_code"]});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/registrations/access",
            None,
            &ask.to_string(),
        ))
        .await;
    let view = body_json(res).await;
    assert_eq!(view["status"], "called_forward");
    assert_eq!(view["pass_page"], format!("/pass/{}", issued.pass.page_key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_gate_page_may_run_a_service_worker() {
    let f = Fixture::new().await;
    let get = |uri: &str| {
        Request::builder()
            .uri(uri)
            .header(header::HOST, "localhost")
            .body(Body::empty())
            .unwrap()
    };
    let res = f.send(get("/gate/")).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("worker-src 'self'") && csp.contains("manifest-src 'self'"));
    assert!(!csp.contains("unsafe"));
    let html = body_text(res).await;
    assert!(html.contains(r#"<script src="/gate/gate.js""#));
    assert!(!html.contains("http"), "nothing from elsewhere");
    let res = f.send(get("/gate/sw.js")).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let res = f.send(get("/login")).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        !csp.contains("worker-src"),
        "other pages stay as strict as before"
    );
    let res = f.send(get("/gate")).await;
    assert_eq!(res.headers()[header::LOCATION], "/gate/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_see_a_pass_two_gates_admitted_offline() {
    let f = Fixture::new().await;
    let officer = f.sign_in("officer").await;
    let gate = f.sign_in("gate").await;
    let page = "/operations/kabul-2021/gate/conflicts";
    let get = |cookie: &str| json_request("GET", page, Some(cookie), "");

    let res = f.send(get(&officer)).await;
    assert_eq!(res.status(), 200);
    let html = body_text(res).await;
    assert!(html.contains("No gate conflicts"), "an empty state");
    assert!(
        html.contains(&format!(r#"<a href="{page}">"#)),
        "linked from the navigation"
    );

    // Two gates, both offline, admitted the same pass; each syncs later.
    let (case, pass) = f.called_forward_case().await;
    let scans = [
        ("phone-north", "North", "2021-08-19T20:05:00Z"),
        ("phone-south", "South", "2021-08-19T20:41:00Z"),
    ];
    for (i, (device, gate_name, at)) in scans.into_iter().enumerate() {
        let batch = serde_json::json!({"operation": "kabul-2021", "scans": [{
            "id": format!("0190a1b2-0000-4000-8000-00000000010{i}"), "pass_id": pass.id,
            "kind": "check_in", "verdict": "valid", "device_id": device, "gate": gate_name,
            "scanned_at": at}]});
        let res = f
            .send(json_request(
                "POST",
                "/api/gate/scans",
                Some(&gate),
                &batch.to_string(),
            ))
            .await;
        assert_eq!(res.status(), 200);
    }
    let reference = f.store.get_case(case).await.unwrap().reference;

    // The API's list says which pass, movement and household.
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/gate/conflicts",
            Some(&officer),
            "",
        ))
        .await;
    let list = body_json(res).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["kind"], "admitted_twice");
    assert_eq!(list[0]["code"], pass.code.as_str());
    assert_eq!(list[0]["movement_id"], f.movement.to_string());
    assert_eq!(list[0]["case_reference"], reference.as_str());

    // The page: the pass, its movement, both scans, and the case for officers.
    let html = body_text(f.send(get(&officer)).await).await;
    assert!(!html.contains("No gate conflicts"));
    for want in [
        pass.code.as_str(),
        "Admitted twice",
        "FIN 1",
        reference.as_str(),
        "phone-north",
        "phone-south",
        "North",
        "South",
        "2021-08-19 20:05",
        "2021-08-19 20:41",
        "Check-in",
        "Valid",
    ] {
        assert!(html.contains(want), "the page shows {want}");
    }
    assert!(html.contains(&format!(r#"<a href="/cases/{case}">"#)));
    for name in ["Nabi", "Wali", "Ahmadzai"] {
        assert!(
            !html.contains(name),
            "no names: the pass is what is in question"
        );
    }

    // The gate sees the conflict but may not open the case.
    let res = f.send(get(&gate)).await;
    assert_eq!(res.status(), 200);
    let html = body_text(res).await;
    assert!(html.contains(&pass.code) && html.contains(&reference));
    assert!(!html.contains("/cases/"));

    // Roles that may not read manifests do not see it.
    for role in ["caseworker", "liaison", "auditor"] {
        let cookie = f.sign_in(role).await;
        assert_eq!(f.send(get(&cookie)).await.status(), 403, "{role}");
    }
}
