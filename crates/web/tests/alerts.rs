//! Alerts through the API: preview, send in each recipient's language, CAP
//! 1.2 validated against the OASIS schema with xmllint, the feed, replies
//! by the inbound SMS webhook, and the audit trail.

mod common;

use std::path::PathBuf;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Fixture, body_json, body_text, json_request, member};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::person::{Contact, ContactKind, Relationship};
use serde_json::json;
use store::Channel;

const SECRET: &str = "inbound-secret-for-tests";

/// Where scripts/install-test-deps put the CAP 1.2 schema.
fn cap_schema() -> PathBuf {
    let path = std::env::var_os("MUSTER_CAP_XSD")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/muster/CAP-v1.2-schema.xsd")
        });
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-test-deps",
        path.display()
    );
    path
}

/// Validates with xmllint against the schema (or only for well-formedness).
fn xmllint(xml: &str, schema: Option<&PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmllint");
    cmd.arg("--noout");
    if let Some(s) = schema {
        cmd.arg("--schema").arg(s);
    }
    let out = cmd
        .arg(&file)
        .output()
        .expect("xmllint (Debian libxml2-utils) is installed");
    assert!(
        out.status.success(),
        "xmllint refused:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn fixture() -> Fixture {
    let mut config = web::Config::default();
    config.outbox.sms_inbound_secret = Some(SECRET.into());
    config.public_url = "https://muster.example.org".into();
    let f = Fixture::with_config(config).await;
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    for (language, given, province, contacts) in [
        (
            "fa",
            "Nabi",
            "Kabul",
            vec![
                (ContactKind::Phone, "+93701234567"),
                (ContactKind::Email, "nabi@example.org"),
            ],
        ),
        (
            "de",
            "Wali",
            "Kabul",
            vec![(ContactKind::Phone, "+93707654321")],
        ),
        ("fa", "Zia", "Kabul", vec![]),
        (
            "en",
            "Karim",
            "Balkh",
            vec![(ContactKind::Email, "karim@example.org")],
        ),
    ] {
        let mut m = member(Relationship::Principal, given);
        m.province = Some(province.into());
        m.contacts = contacts
            .into_iter()
            .map(|(kind, v)| Contact {
                kind,
                value: v.into(),
            })
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hq_previews_sends_and_publishes_an_alert_as_cap() {
    let f = fixture().await;
    let hq = f.sign_in("hq").await;
    let target = json!({"provinces": ["kabul"], "nationalities": ["AF"]});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/alerts/preview",
            Some(&hq),
            &target.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let preview = body_json(res).await;
    assert_eq!(
        preview,
        json!({"cases": 3, "persons": 3, "email": 1, "sms": 2, "reachable": 2})
    );

    let bad = json!({"kind": "custom", "texts": {}, "target": target});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/alerts",
            Some(&hq),
            &bad.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(body_json(res).await["errors"][0]["field"], "texts.en");

    let alert = json!({"kind": "leave_immediately", "target": target});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/alerts",
            Some(&hq),
            &alert.to_string(),
        ))
        .await;
    assert_eq!(res.status(), 201);
    let created = body_json(res).await;
    assert_eq!(created["status"], "draft");
    let id = created["id"].as_str().unwrap().to_owned();

    // A draft is CAP too, with status Draft.
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/operations/kabul-2021/alerts/{id}/cap.xml"),
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/cap+xml; charset=utf-8"
    );
    let draft = body_text(res).await;
    assert!(draft.contains("<status>Draft</status>"));
    xmllint(&draft, Some(&cap_schema()));

    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/kabul-2021/alerts/{id}/send"),
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let sent = body_json(res).await;
    assert_eq!(sent["recipients"]["reachable"], 2);
    assert_eq!(
        sent["alert"]["counts"],
        json!({"delivered": 0, "failed": 0, "pending": 3, "replies": 0})
    );
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/operations/kabul-2021/alerts/{id}/send"),
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(res.status(), 409, "an alert goes out once");

    // Each recipient in their language: the standard texts from the catalogues.
    let claimed = f
        .store
        .claim_messages(
            "test",
            &[Channel::Email, Channel::Sms],
            std::time::Duration::from_secs(60),
            10,
        )
        .await
        .unwrap();
    let mut got: Vec<(String, String)> = claimed
        .into_iter()
        .map(|c| {
            let m = c.message.unwrap();
            (m.to, m.subject)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("+93701234567".to_owned(), "فوراً ترک کنید".to_owned()),
            (
                "+93707654321".to_owned(),
                "Verlassen Sie das Land sofort".to_owned()
            ),
            ("nabi@example.org".to_owned(), "فوراً ترک کنید".to_owned()),
        ]
    );

    let res = f
        .send(json_request(
            "GET",
            &format!("/api/operations/kabul-2021/alerts/{id}/cap.xml"),
            Some(&hq),
            "",
        ))
        .await;
    let cap = body_text(res).await;
    xmllint(&cap, Some(&cap_schema()));
    assert!(
        cap.contains("<status>Actual</status>")
            && cap.contains("<msgType>Alert</msgType>")
            && cap.contains("<scope>Public</scope>")
    );
    assert_eq!(cap.matches("<info>").count(), 7, "one info per language");
    assert!(
        cap.contains("<language>fa</language>")
            && cap.contains("<headline>فوراً ترک کنید</headline>")
    );
    assert!(
        cap.contains("<category>Safety</category>")
            && cap.contains("<responseType>Evacuate</responseType>")
    );
    assert!(cap.contains("<areaDesc>kabul</areaDesc>"));
    assert!(cap.contains("<sender>muster-kabul-2021@muster.example.org</sender>"));
    assert!(
        !cap.contains("Nabi") && !cap.contains("+937"),
        "no personal data in CAP"
    );

    // A custom alert in English only, for the whole country.
    let custom = json!({"kind": "custom", "texts": {"en": {"title": "Curfew <tonight> & tomorrow", "body": "Stay off the roads."}}});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/alerts",
            Some(&hq),
            &custom.to_string(),
        ))
        .await;
    let custom_id = body_json(res).await["id"].as_str().unwrap().to_owned();
    f.send(json_request(
        "POST",
        &format!("/api/operations/kabul-2021/alerts/{custom_id}/send"),
        Some(&hq),
        "",
    ))
    .await;
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/operations/kabul-2021/alerts/{custom_id}/cap.xml"),
            Some(&hq),
            "",
        ))
        .await;
    let cap = body_text(res).await;
    xmllint(&cap, Some(&cap_schema()));
    assert_eq!(cap.matches("<info>").count(), 1);
    assert!(
        cap.contains("<areaDesc>Afghanistan</areaDesc>")
            && cap.contains("Curfew &lt;tonight&gt; &amp; tomorrow")
    );

    // The feed lists both, linking to their CAP documents.
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/alerts/feed.xml",
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let feed = body_text(res).await;
    xmllint(&feed, None);
    assert!(feed.contains(&format!(
        "https://muster.example.org/api/operations/kabul-2021/alerts/{id}/cap.xml"
    )));
    assert_eq!(feed.matches("<entry>").count(), 2);

    // An auditor sees alerts and counts; the list has both.
    let auditor = f.sign_in("auditor").await;
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/alerts",
            Some(&auditor),
            "",
        ))
        .await;
    assert_eq!(body_json(res).await.as_array().unwrap().len(), 2);

    // The audit trail has codes and ids, no names or numbers.
    let res = f
        .send(json_request(
            "GET",
            "/api/audit?per_page=200",
            Some(&hq),
            "",
        ))
        .await;
    let audit = body_text(res).await;
    assert!(audit.contains("alert.create") && audit.contains("alert.send"));
    assert!(!audit.contains("Nabi") && !audit.contains("+937") && !audit.contains("example.org"));
}

fn inbound(secret: Option<&str>, body: &str, form: bool) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri("/api/sms/inbound")
        .header(header::HOST, "localhost");
    b = b.header(
        header::CONTENT_TYPE,
        if form {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        },
    );
    if let Some(s) = secret {
        b = b.header(header::AUTHORIZATION, format!("Bearer {s}"));
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_by_sms_are_counted_per_alert() {
    let f = fixture().await;
    let hq = f.sign_in("hq").await;
    let alert = json!({"kind": "stay_where_you_are"});
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/alerts",
            Some(&hq),
            &alert.to_string(),
        ))
        .await;
    let id = body_json(res).await["id"].as_str().unwrap().to_owned();
    f.send(json_request(
        "POST",
        &format!("/api/operations/kabul-2021/alerts/{id}/send"),
        Some(&hq),
        "",
    ))
    .await;

    let body = json!({"from": "+93701234567", "text": "we are safe"}).to_string();
    assert_eq!(f.send(inbound(None, &body, false)).await.status(), 403);
    assert_eq!(
        f.send(inbound(Some("wrong"), &body, false)).await.status(),
        403
    );
    let res = f.send(inbound(Some(SECRET), &body, false)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await, json!({"matched": true}));
    let res = f
        .send(inbound(Some(SECRET), "from=%2B93707654321&text=ok", true))
        .await;
    assert_eq!(body_json(res).await, json!({"matched": true}));
    let res = f
        .send(inbound(
            Some(SECRET),
            &json!({"from": "+4900000000", "text": "?"}).to_string(),
            false,
        ))
        .await;
    assert_eq!(
        body_json(res).await,
        json!({"matched": false}),
        "never written to"
    );

    let res = f
        .send(json_request(
            "GET",
            &format!("/api/operations/kabul-2021/alerts/{id}"),
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(body_json(res).await["counts"]["replies"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_shared_secret_the_webhook_takes_nothing() {
    let f = Fixture::new().await;
    let body = json!({"from": "+93701234567", "text": "1"}).to_string();
    assert_eq!(f.send(inbound(Some(""), &body, false)).await.status(), 403);
}

fn page_form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn csrf_of(page: &str) -> String {
    let start = page
        .find(r#"name="csrf" value=""#)
        .expect("a form with a CSRF token")
        + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hq_writes_previews_and_sends_an_alert_on_the_page() {
    let f = fixture().await;
    let hq = f.sign_in("hq").await;
    let page = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/alerts",
            Some(&hq),
            "",
        ))
        .await,
    )
    .await;
    assert!(page.contains("Preview recipients"));
    let csrf = csrf_of(&page);
    let form = format!(
        "csrf={csrf}&kind=go_to_assembly_point&nationalities=af&provinces=Kabul&scheme=&status=&title=&body=&action=preview"
    );
    let res = f
        .send(page_form("/operations/kabul-2021/alerts", &hq, &form))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(
        page.contains("Reaches 2 of 3 persons in 3 cases: 1 by e-mail, 2 by SMS."),
        "{page}"
    );
    assert!(
        page.contains(r#"value="Kabul""#),
        "the form keeps what was typed"
    );
    let res = f
        .send(page_form(
            "/operations/kabul-2021/alerts",
            &hq,
            &form.replace("action=preview", "action=draft"),
        ))
        .await;
    assert_eq!(res.status(), 303);
    let alerts = body_json(
        f.send(json_request(
            "GET",
            "/api/operations/kabul-2021/alerts",
            Some(&hq),
            "",
        ))
        .await,
    )
    .await;
    let id = alerts[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(alerts[0]["target"]["nationalities"], json!(["AF"]));
    let res = f
        .send(page_form(
            &format!("/operations/kabul-2021/alerts/{id}/send"),
            &hq,
            &format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(res.status(), 303);
    let page = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/alerts",
            Some(&hq),
            "",
        ))
        .await,
    )
    .await;
    assert!(
        page.contains("Go to the assembly point")
            && page.contains(r#"<span class="status">sent</span>"#)
    );
    // A custom alert without English text is refused with the field named.
    let bad = format!(
        "csrf={csrf}&kind=custom&nationalities=&provinces=&scheme=&status=&title=&body=&action=draft"
    );
    let res = f
        .send(page_form("/operations/kabul-2021/alerts", &hq, &bad))
        .await;
    assert_eq!(res.status(), 422);
    assert!(body_text(res).await.contains("texts.en"));
    // Officers read the page without the form.
    let officer = f.sign_in("officer").await;
    let page = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/alerts",
            Some(&officer),
            "",
        ))
        .await,
    )
    .await;
    assert!(!page.contains("Preview recipients") && page.contains("Go to the assembly point"));
}
