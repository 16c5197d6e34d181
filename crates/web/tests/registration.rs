//! Self-registration through the JSON API and through the pages' forms:
//! resends create one case, errors name the field and rule, the access code
//! lets a household see and correct itself, and limits hold.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use common::{Fixture, body_json, body_text, json_request};
use domain::CaseStatus;
use domain::audit::Actor;
use domain::case::StatusChange;
use store::{CaseFilter, Paging};

const URL: &str = "/api/operations/kabul-2021/registrations";

fn household(family: &str) -> serde_json::Value {
    serde_json::json!({
        "phone": "070 123 4567",
        "province": "Heraat",
        "scheme": "FIN-130",
        "members": [
            {"given_name": "Mohammad Nabi", "family_name": family, "date_of_birth": "1360", "sex": "M", "nationality": "AF"},
            {"relationship": "wife", "given_name": "Mariam", "family_name": family, "date_of_birth": "12.05.1985"}
        ]
    })
}

fn register(body: &serde_json::Value, key: Option<&str>, from: Option<&str>) -> Request<Body> {
    let mut req = json_request("POST", URL, None, &body.to_string());
    if let Some(k) = key {
        req.headers_mut()
            .insert("idempotency-key", k.parse().unwrap());
    }
    if let Some(addr) = from {
        let addr: SocketAddr = addr.parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    req
}

fn form(uri: &str, pairs: &[(&str, &str)], lang: &str) -> Request<Body> {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::ACCEPT_LANGUAGE, lang)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

async fn cases_named(f: &Fixture, word: &str) -> i64 {
    let filter = CaseFilter {
        name_words: vec![word.to_lowercase()],
        ..Default::default()
    };
    f.store
        .list_cases(&f.op.id, &filter, Paging::default())
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_resend_creates_one_case() {
    let f = Fixture::new().await;
    let body = household("Resend");
    let first = f.send(register(&body, Some("key-1"), None)).await;
    assert_eq!(first.status(), 201);
    let first = body_json(first).await;
    let again = f.send(register(&body, Some("key-1"), None)).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        body_json(again).await,
        first,
        "the same answer, code included"
    );
    assert_eq!(cases_named(&f, "Resend").await, 1);

    // Without a key, the same body twice (a double click) is one case too.
    let body = household("Doubleclick");
    let a = body_json(f.send(register(&body, None, None)).await).await;
    let b = body_json(f.send(register(&body, None, None)).await).await;
    assert_eq!(a["case_id"], b["case_id"]);
    assert_eq!(cases_named(&f, "Doubleclick").await, 1);

    // A key reused for another household is refused, not merged.
    let other = household("Other");
    let res = f.send(register(&other, Some("key-1"), None)).await;
    assert_eq!(res.status(), 409);
    assert_eq!(cases_named(&f, "Other").await, 0);

    // The case is the applicant's, audited without personal data.
    let case = f
        .store
        .get_case(first["case_id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    assert_eq!(case.source, "self_registration");
    assert_eq!(case.members.len(), 2);
    assert_eq!(case.members[0].details.contacts[0].value, "+93701234567");
    let audit = f.store.list_audit(Paging::default()).await.unwrap();
    let created = audit
        .items
        .iter()
        .find(|e| e.action == "case.create" && e.target_id == case.id.to_string())
        .expect("audited");
    assert_eq!(created.actor, Actor::Applicant.as_text());
    assert!(!format!("{audit:?}").contains("Resend"));
}

#[tokio::test]
async fn bad_registrations_name_field_and_rule_and_store_nothing() {
    let f = Fixture::new().await;
    let mut body = household("Invalid");
    body["phone"] = "12".into();
    body["members"][1]["date_of_birth"] = "2090-01-01".into();
    body["members"][1]["relationship"] = "neighbour".into();
    let res = f.send(register(&body, None, None)).await;
    assert_eq!(res.status(), 422);
    let problem = body_json(res).await;
    let got: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().into(),
                e["rule"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (field, rule) in [
        ("phone", "phone_too_short"),
        ("members[1].date_of_birth", "future_date"),
        ("members[1].relationship", "relationship"),
    ] {
        assert!(
            got.contains(&(field.into(), rule.into())),
            "{field} {rule} in {got:?}"
        );
    }
    // An unknown field is named by its path too.
    let mut extra = household("Invalid");
    extra["members"][0]["shoe_size"] = 44.into();
    let problem = body_json(f.send(register(&extra, None, None)).await).await;
    assert_eq!(problem["errors"][0]["field"], "members[0].shoe_size");
    assert_eq!(cases_named(&f, "Invalid").await, 0);
}

#[tokio::test]
async fn registrations_are_limited_per_client() {
    let f = Fixture::with_config(web::Config {
        registrations_per_hour: 2,
        ..Default::default()
    })
    .await;
    for i in 0..2 {
        let res = f
            .send(register(
                &household(&format!("Limit{i}")),
                None,
                Some("192.0.2.7:5000"),
            ))
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = f
        .send(register(&household("Limit2"), None, Some("192.0.2.7:5001")))
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    let other = f
        .send(register(&household("Limit3"), None, Some("192.0.2.8:5000")))
        .await;
    assert_eq!(other.status(), 201, "another client is not held");
    assert_eq!(cases_named(&f, "Limit2").await, 0);
}

#[tokio::test]
async fn the_access_code_shows_and_corrects_the_registration() {
    let f = Fixture::new().await;
    let receipt = body_json(f.send(register(&household("Access"), None, None)).await).await;
    let reference = receipt["reference"].as_str().unwrap();
    let code = receipt["access_code"].as_str().unwrap();
    let access = |r: &str, c: &str| {
        json_request(
            "POST",
            &format!("{URL}/access"),
            None,
            &serde_json::json!({"reference": r, "access_code": c}).to_string(),
        )
    };
    // Typed loosely: lower case, spaces instead of hyphens.
    let typed = code.to_lowercase().replace('-', " ");
    let res = f.send(access(&reference.to_lowercase(), &typed)).await;
    assert_eq!(res.status(), 200);
    let view = body_json(res).await;
    assert_eq!(view["status"], "registered");
    assert_eq!(view["household"]["members"][0]["date_of_birth"], "SH:1360");
    assert_eq!(view["household"]["province"], "Herat");

    // A correction: the wife's date, a child added.
    let mut corrected = view["household"].clone();
    corrected["members"][1]["date_of_birth"] = "13.05.1985".into();
    corrected["members"].as_array_mut().unwrap().push(
        serde_json::json!({"relationship": "son", "given_name": "Omid", "date_of_birth": "1390"}),
    );
    let correction = |version: &serde_json::Value, household: &serde_json::Value| {
        json_request(
            "POST",
            &format!("{URL}/correction"),
            None,
            &serde_json::json!({"reference": reference, "access_code": code,
                "version": version, "household": household})
            .to_string(),
        )
    };
    let res = f.send(correction(&view["version"], &corrected)).await;
    assert_eq!(res.status(), 200);
    let after = body_json(res).await;
    assert_eq!(after["household"]["members"].as_array().unwrap().len(), 3);
    assert_eq!(
        after["household"]["members"][1]["date_of_birth"],
        "1985-05-13"
    );
    let principal_before = view["household"]["members"][0].clone();
    assert_eq!(after["household"]["members"][0], principal_before);
    // The same correction again is stale: it names the version it read.
    let res = f.send(correction(&view["version"], &corrected)).await;
    assert_eq!(res.status(), 409);

    // A wrong code is refused, and guessing is limited per reference.
    for _ in 0..web::auth::limiter::PER_USERNAME {
        assert_eq!(
            f.send(access(reference, "AAAA-BBBB-CCCC")).await.status(),
            403
        );
    }
    assert_eq!(f.send(access(reference, code)).await.status(), 429);
}

#[tokio::test]
async fn a_decided_case_cannot_be_corrected_by_the_household() {
    let f = Fixture::new().await;
    let receipt = body_json(f.send(register(&household("Decided"), None, None)).await).await;
    let case_id: domain::CaseId = receipt["case_id"].as_str().unwrap().parse().unwrap();
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    for to in [CaseStatus::UnderReview, CaseStatus::Eligible] {
        tx.change_status(
            case_id,
            &StatusChange {
                to,
                reason: "test".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let body = serde_json::json!({"reference": receipt["reference"], "access_code": receipt["access_code"],
        "version": 3, "household": household("Decided")});
    let res = f
        .send(json_request(
            "POST",
            &format!("{URL}/correction"),
            None,
            &body.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 409);
    let case = f.store.get_case(case_id).await.unwrap();
    assert_eq!(case.version, 3, "nothing changed");
}

#[tokio::test]
async fn the_forms_answer_with_pages_in_the_household_language() {
    let f = Fixture::new().await;
    // The page itself: right to left in Dari and Pashto, small in every language.
    for (lang, dir) in [
        ("fa", "rtl"),
        ("ps", "rtl"),
        ("en", "ltr"),
        ("de", "ltr"),
        ("da", "ltr"),
        ("nb", "ltr"),
        ("fi", "ltr"),
    ] {
        let req = Request::builder()
            .uri(format!("/register?lang={lang}"))
            .header(header::HOST, "localhost")
            .body(Body::empty())
            .unwrap();
        let res = f.send(req).await;
        assert_eq!(res.status(), 200);
        let page = body_text(res).await;
        assert!(
            page.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{lang}"
        );
        assert!(page.len() < 50_000, "{lang}: {} bytes", page.len());
        assert!(!page.contains("<script"), "works without script");
    }
    let key = "form-key-1";
    let pairs = [
        ("operation", "kabul-2021"),
        ("language", "fa"),
        ("idempotency_key", key),
        ("members[0].full_name_native", "محمد نبی فورمی"),
        ("members[0].date_of_birth", "۱۳۶۰/۰۵/۱۲"),
        ("members[1].relationship", "child"),
        ("members[1].full_name_native", "عمید فورمی"),
        ("members[2].relationship", ""),
        ("members[2].given_name", ""),
        ("phone", "0093 70 123 4567"),
    ];
    let res = f.send(form(URL, &pairs, "fa")).await;
    assert_eq!(res.status(), 201);
    let page = body_text(res).await;
    assert!(page.contains("dir=\"rtl\""));
    assert!(page.contains("خانوادهٔ شما ثبت شد"), "done page in Dari");
    // The double click: the same form again shows the same reference.
    let again = body_text(f.send(form(URL, &pairs, "fa")).await).await;
    let reference = |p: &str| p.split("id=\"reference\">").nth(1).unwrap()[..9].to_owned();
    assert_eq!(reference(&page), reference(&again));
    assert!(again.contains("پیش از این دریافت شده"));
    assert_eq!(cases_named(&f, "فورمی").await, 1);
    let case = f
        .store
        .list_cases(
            &f.op.id,
            &CaseFilter {
                name_words: vec!["فورمی".into()],
                ..Default::default()
            },
            Paging::default(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let case = f.store.get_case(case.id).await.unwrap();
    assert_eq!(case.language.as_deref(), Some("fa"));
    assert_eq!(case.members.len(), 2, "the blank slot is not a member");

    // A mistake comes back as the form, with the message in Dari by the field.
    let mut bad = pairs.to_vec();
    bad[2] = ("idempotency_key", "form-key-2");
    bad[4] = ("members[0].date_of_birth", "1500/13/40");
    let res = f.send(form(URL, &bad, "fa")).await;
    assert_eq!(res.status(), 422);
    let page = body_text(res).await;
    assert!(
        page.contains("aria-invalid=\"true\" aria-describedby=\"members[0].date_of_birth-error\"")
    );
    assert!(page.contains("این تاریخ درست نیست"));
    assert!(
        page.contains("value=\"form-key-2\""),
        "the resend key is kept"
    );
}
