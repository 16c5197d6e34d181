//! Bad input, sign-in and the pages, through the real application.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Fixture, PASSWORD, body_json, body_text, json_request};
use serde_json::json;
use store::{CaseFilter, Paging};

async fn counts(f: &Fixture) -> (i64, i64) {
    let cases = f
        .store
        .list_cases(&f.op.id, &CaseFilter::default(), Paging::default())
        .await
        .unwrap()
        .total;
    let audit = f.store.list_audit(Paging::default()).await.unwrap().total;
    (cases, audit)
}

#[tokio::test]
async fn bad_requests_name_the_field_and_store_nothing() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let before = counts(&f).await;
    let bad_member = json!({"members": [
        {"relationship": "principal", "given_name": "Nabi"},
        {"relationship": "child", "given_name": "Zahra", "date_of_birth": {"calendar": "gregorian", "year": 2010, "month": 2, "day": 30, "precision": "day"}}
    ]})
    .to_string();
    let cases: [(&str, String, u16, &str); 6] = [
        ("invalid member", bad_member, 422, "members[1].date_of_birth.day"),
        ("malformed JSON", "{\"members\": [".into(), 422, ""),
        ("wrong type", json!({"members": [{"relationship": "principal", "given_name": 7}]}).to_string(), 422, "members[0].given_name"),
        ("unknown field", json!({"members": [], "password": "x"}).to_string(), 422, "password"),
        ("two principals", json!({"members": [{"relationship": "principal", "given_name": "A"}, {"relationship": "principal", "given_name": "B"}]}).to_string(), 422, "members"),
        ("no name", json!({"members": [{"relationship": "principal"}]}).to_string(), 422, "members[0].given_name"),
    ];
    for (what, body, status, field) in cases {
        let res = f
            .send(json_request(
                "POST",
                "/api/operations/kabul-2021/cases",
                Some(&cookie),
                &body,
            ))
            .await;
        assert_eq!(res.status(), status, "{what}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{what}"
        );
        let problem = body_json(res).await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{what}: {problem}");
        assert!(
            problem["errors"][0]["rule"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "{what}"
        );
    }
    // Invalid UTF-8 and the wrong media type are refused, not crashed on.
    let mut req = json_request(
        "POST",
        "/api/operations/kabul-2021/cases",
        Some(&cookie),
        "x",
    );
    *req.body_mut() = Body::from(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']);
    assert_eq!(f.send(req).await.status(), 422);
    let req = Request::builder()
        .method("POST")
        .uri("/api/operations/kabul-2021/cases")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(f.send(req).await.status(), 415);
    let huge = format!(
        "{{\"members\": [{{\"relationship\": \"principal\", \"given_name\": \"{}\"}}]}}",
        "a".repeat(2 << 20)
    );
    assert_eq!(
        f.send(json_request(
            "POST",
            "/api/operations/kabul-2021/cases",
            Some(&cookie),
            &huge
        ))
        .await
        .status(),
        413
    );
    // A cross-site write is refused.
    let mut req = json_request(
        "POST",
        "/api/operations/kabul-2021/cases",
        Some(&cookie),
        "{}",
    );
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(f.send(req).await.status(), 403);
    assert_eq!(counts(&f).await, before, "nothing was stored");
}

#[tokio::test]
async fn an_illegal_step_names_both_states_and_changes_nothing() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let case = f.new_case().await;
    let body = json!({"to": "departed", "reason": "skip the gate"}).to_string();
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/cases/{case}/status"),
            Some(&cookie),
            &body,
        ))
        .await;
    assert_eq!(res.status(), 422);
    let p = body_json(res).await;
    assert_eq!(p["errors"][0]["rule"], "status_transition");
    assert_eq!(
        p["errors"][0]["message"],
        "a case cannot move from registered to departed"
    );
    assert_eq!(f.store.get_case(case).await.unwrap().version, 1);
}

#[tokio::test]
async fn a_stale_update_is_a_conflict() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let case = f.new_case().await;
    let path = format!("/api/cases/{case}");
    let ok = f
        .send(json_request(
            "PATCH",
            &path,
            Some(&cookie),
            &json!({"version": 1, "tier": 1}).to_string(),
        ))
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(body_json(ok).await["tier"], 1);
    let stale = f
        .send(json_request(
            "PATCH",
            &path,
            Some(&cookie),
            &json!({"version": 1, "tier": 3}).to_string(),
        ))
        .await;
    assert_eq!(stale.status(), 409);
}

#[tokio::test]
async fn logins_are_rate_limited_and_sessions_end() {
    let f = Fixture::new().await;
    let wrong = json!({"username": "hq", "password": "not the password"}).to_string();
    for _ in 0..web::auth::limiter::PER_USERNAME {
        assert_eq!(
            f.send(json_request("POST", "/api/session", None, &wrong))
                .await
                .status(),
            401
        );
    }
    let right = json!({"username": "hq", "password": PASSWORD}).to_string();
    let held = f
        .send(json_request("POST", "/api/session", None, &right))
        .await;
    assert_eq!(held.status(), 429);
    assert!(held.headers().contains_key(header::RETRY_AFTER));

    let cookie = f.sign_in("officer").await;
    assert_eq!(
        f.send(json_request("GET", "/api/session", Some(&cookie), ""))
            .await
            .status(),
        200
    );
    assert_eq!(
        f.send(json_request("DELETE", "/api/session", Some(&cookie), ""))
            .await
            .status(),
        204
    );
    assert_eq!(
        f.send(json_request("GET", "/api/session", Some(&cookie), ""))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn officer_pages_sign_in_with_csrf_and_stay_small() {
    let f = Fixture::new().await;
    let res = f.send(json_request("GET", "/login", None, "")).await;
    let csrf_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = body_text(res).await;
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let form = |csrf: &str| {
        Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::COOKIE, &csrf_cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username=officer&password=test+password+1&csrf={csrf}"
            )))
            .unwrap()
    };
    assert_eq!(
        f.send(form("forged")).await.status(),
        403,
        "a forged form is refused"
    );
    let res = f.send(form(&token)).await;
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("muster_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let session = session.split(';').next().unwrap().to_owned();

    let case = f.new_case().await;
    for path in [
        "/operations/kabul-2021/posts",
        "/operations/kabul-2021/cases",
        &format!("/cases/{case}"),
    ] {
        let res = f.send(json_request("GET", path, Some(&session), "")).await;
        assert_eq!(res.status(), 200, "{path}");
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        let html = body_text(res).await;
        assert!(
            html.len() < 100 * 1024,
            "{path} weighs {} bytes",
            html.len()
        );
        assert!(!html.contains("<script"), "{path} needs no script");
    }
    let board = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/posts",
            Some(&session),
            "",
        ))
        .await,
    )
    .await;
    assert!(board.contains("Embassy of Germany") && board.contains("Open"));
}
