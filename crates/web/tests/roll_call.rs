//! The roll call through the API and the pages: HQ starts it for a post's
//! staff, each person answers on a small page in their language through the
//! link in their message, the answers are counted, the unanswered listed.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Fixture, body_json, body_text, json_request, member};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::person::{Contact, ContactKind, Relationship};
use serde_json::json;
use store::Channel;

async fn fixture() -> Fixture {
    let config = web::Config {
        public_url: "https://muster.example.org".into(),
        ..Default::default()
    };
    let f = Fixture::with_config(config).await;
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    for (language, given, employer, phone) in [
        (
            "fa",
            "Nabi",
            "Embassy of Germany, Kabul",
            Some("+93701234567"),
        ),
        ("de", "Wali", "German Embassy", Some("+93707654321")),
        ("fa", "Zia", "Embassy of Germany", None),
        ("en", "Karim", "Embassy of Norway", Some("+93700000001")),
    ] {
        let mut m = member(Relationship::Principal, given);
        m.employer = Some(employer.into());
        m.contacts = phone
            .map(|p| Contact {
                kind: ContactKind::Phone,
                value: p.into(),
            })
            .into_iter()
            .collect();
        let case = NewCase {
            language: Some(language.into()),
            members: vec![m],
            ..Default::default()
        };
        tx.create_case(&f.op, &case, "officer").await.unwrap();
    }
    tx.commit().await.unwrap();
    f
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    json_request("GET", uri, cookie, "")
}

fn form(uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// The links in the roll call's messages, by phone number.
async fn links(f: &Fixture) -> Vec<(String, String)> {
    let claimed = f
        .store
        .claim_messages(
            "test",
            &[Channel::Sms, Channel::Email],
            std::time::Duration::from_secs(60),
            50,
        )
        .await
        .unwrap();
    let mut out: Vec<(String, String)> = claimed
        .into_iter()
        .map(|c| {
            let m = c.message.unwrap();
            let link = m
                .text
                .split_whitespace()
                .find(|w| w.starts_with("https://muster.example.org/roll-call/"))
                .unwrap_or_else(|| panic!("no link in {}", m.text))
                .to_owned();
            (m.to, link)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_answer_through_their_links_and_hq_counts() {
    let f = fixture().await;
    let hq = f.sign_in("hq").await;
    let start = json!({"scope": {"post": f.post}}).to_string();
    let officer = f.sign_in("officer").await;
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            Some(&officer),
            &start,
        ))
        .await;
    assert_eq!(res.status(), 403, "HQ starts roll calls");
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            Some(&hq),
            &start,
        ))
        .await;
    assert_eq!(res.status(), 201);
    let started = body_json(res).await;
    // Nabi and Wali work at the German embassy and have a phone; Zia has none.
    assert_eq!(
        (started["asked"].as_i64(), started["messages"].as_i64()),
        (Some(2), Some(2))
    );
    let id = started["id"].as_str().unwrap().to_owned();

    let links = links(&f).await;
    assert_eq!(links.len(), 2);
    let (nabi, wali) = (
        links[0].1.replace("https://muster.example.org", ""),
        links[1].1.replace("https://muster.example.org", ""),
    );
    let token = nabi.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 43, "256 random bits, base64url");

    // Nabi's page is in Dari, right to left, small, without script.
    let res = f.send(get(&nabi, None)).await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(page.contains(r#"<html lang="fa" dir="rtl">"#));
    assert!(page.contains("جایی که هستم در امان هستم"));
    assert!(!page.contains("<script"));
    let css = body_text(f.send(get("/static/muster.css", None)).await).await;
    assert!(
        page.len() + css.len() < 20 * 1024,
        "page {} + stylesheet {} bytes",
        page.len(),
        css.len()
    );
    assert!(
        !page.contains("Nabi") && !page.contains("+937"),
        "the page shows nothing about the person"
    );
    // The person may choose another language.
    let page = body_text(f.send(get(&format!("{nabi}?lang=en"), None)).await).await;
    assert!(page.contains("I am safe where I am"));

    // Answer, then change the answer: the later one counts, both are kept.
    let res = f
        .send(form(&nabi, "answer=need_help&location=Shar-e+Naw&lang=fa"))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(page.contains("تشکر") && page.contains("به کمک نیاز دارم"));
    f.send(form(&nabi, "answer=safe&lang=fa")).await;
    let res = f
        .send(get(
            &format!("/api/operations/kabul-2021/roll-calls/{id}"),
            Some(&hq),
        ))
        .await;
    let view = body_json(res).await;
    assert_eq!(
        view["counts"],
        json!({"asked": 2, "safe": 1, "need_help": 0, "left": 0, "unanswered": 1})
    );
    let unanswered = view["unanswered"].as_array().unwrap();
    assert_eq!(unanswered.len(), 1);
    assert_eq!(unanswered[0]["name"], "Wali Ahmadzai");
    assert_eq!(unanswered[0]["phones"], json!(["+93707654321"]));
    let inv = f.store.invitation(token).await.unwrap().unwrap();
    assert_eq!(
        f.store
            .answer_history(inv.roll_call_id, inv.person_id)
            .await
            .unwrap()
            .len(),
        2
    );

    // An auditor counts, and sees nobody.
    let auditor = f.sign_in("auditor").await;
    let view = body_json(
        f.send(get(
            &format!("/api/operations/kabul-2021/roll-calls/{id}"),
            Some(&auditor),
        ))
        .await,
    )
    .await;
    assert_eq!(view["counts"]["safe"], 1);
    assert!(view.get("unanswered").is_none());

    // HQ's page counts and lists who to call.
    let res = f
        .send(get(
            &format!("/operations/kabul-2021/roll-calls/{id}"),
            Some(&hq),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(page.contains(r#"<strong id="count-safe">1</strong>"#));
    assert!(page.contains("Wali Ahmadzai") && page.contains("+93707654321"));
    assert!(page.contains(r#"http-equiv="refresh""#));

    // Bad input and unknown links.
    let res = f.send(form(&wali, "answer=maybe")).await;
    assert_eq!(res.status(), 422);
    let res = f
        .send(get(
            "/roll-call/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            None,
        ))
        .await;
    assert_eq!(res.status(), 404);
    assert!(body_text(res).await.contains("This link is not valid."));

    // Closed: no more answers.
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/kabul-2021/roll-calls/{id}/close"),
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(f.send(form(&wali, "answer=left&lang=de")).await).await;
    assert!(page.contains("Diese Abfrage ist geschlossen"));
    let view = body_json(
        f.send(get(
            &format!("/api/operations/kabul-2021/roll-calls/{id}"),
            Some(&hq),
        ))
        .await,
    )
    .await;
    assert_eq!(
        (view["status"].as_str(), view["counts"]["left"].as_i64()),
        (Some("closed"), Some(0))
    );

    let audit = body_text(f.send(get("/api/audit?per_page=200", Some(&hq))).await).await;
    assert!(
        audit.contains("rollcall.start")
            && audit.contains("rollcall.answer")
            && audit.contains("rollcall.close")
    );
    assert!(!audit.contains("Nabi") && !audit.contains("+937") && !audit.contains(token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roll_calls_for_citizens_and_scheme_households() {
    let f = fixture().await;
    let hq = f.sign_in("hq").await;
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            Some(&hq),
            &json!({"scope": {"nationality": "AF"}}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(body_json(res).await["asked"], 3);
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            Some(&hq),
            &json!({"scope": {"nationality": "afghan"}}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 422);
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            Some(&hq),
            &json!({"scope": {"scheme": f.scheme}}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        body_json(res).await["asked"],
        0,
        "no household of the scheme has a contact"
    );
    let list = body_json(
        f.send(get("/api/operations/kabul-2021/roll-calls", Some(&hq)))
            .await,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let page = body_text(
        f.send(get("/operations/kabul-2021/roll-calls", Some(&hq)))
            .await,
    )
    .await;
    assert!(page.contains("Start the roll call") && page.contains("citizens of AF"));
}
