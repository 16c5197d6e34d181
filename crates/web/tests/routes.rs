//! Every route, with every role and with no session, against the table of
//! what each may do. A cell is: O allowed (2xx), F forbidden (403),
//! U unauthenticated (401), R sent to the sign-in page (303).
//! Columns: none, hq, officer, caseworker, gate, liaison, auditor.

mod common;

use common::{Fixture, ROLES, json_request};
use serde_json::json;

struct Route {
    method: &'static str,
    /// `{post}`, `{case}`, `{scheme}`, `{movement}` are filled in per request.
    path: &'static str,
    body: fn(usize) -> String,
    expect: &'static str,
}

fn none(_: usize) -> String {
    String::new()
}

fn table() -> Vec<Route> {
    let r = |method, path, body, expect| Route {
        method,
        path,
        body,
        expect,
    };
    vec![
        r("GET", "/api/health", none, "OOOOOOO"),
        r("GET", "/api/session", none, "UOOOOOO"),
        r("GET", "/api/operations", none, "UOOOOOO"),
        r(
            "POST",
            "/api/operations",
            |i| {
                json!({"id": format!("op-{i}"), "name": "Op", "country": "SD", "time_zone": "Africa/Khartoum"}).to_string()
            },
            "UOFFFFF",
        ),
        r("GET", "/api/operations/kabul-2021", none, "UOOOOOO"),
        r(
            "PATCH",
            "/api/operations/kabul-2021",
            |_| json!({"name": "Kabul 2021"}).to_string(),
            "UOFFFFF",
        ),
        r("GET", "/api/operations/kabul-2021/posts", none, "UOOOFFO"),
        r(
            "POST",
            "/api/operations/kabul-2021/posts",
            |_| {
                json!({"nation": "FIN", "name": "Embassy", "kind": "embassy", "city": "Kabul"})
                    .to_string()
            },
            "UOFFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/posts/{post}",
            none,
            "UOOOFFO",
        ),
        r(
            "PATCH",
            "/api/operations/kabul-2021/posts/{post}",
            |_| json!({"city": "Kabul"}).to_string(),
            "UOFFFFF",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/posts/{post}/posture",
            |i| {
                json!({"posture": if i % 2 == 0 { "reduced_staff" } else { "suspended" }, "effective_at": format!("2021-08-10T{:02}:{:02}:00Z", i / 60, i % 60), "reason": "cable", "source": "MFA"}).to_string()
            },
            "UOOFFFF",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/cases",
            |_| {
                json!({"members": [{"relationship": "principal", "given_name": "Nabi"}]})
                    .to_string()
            },
            "UOOOFFF",
        ),
        r(
            "GET",
            "/api/cases?operation=kabul-2021&status=registered",
            none,
            "UOOOFFF",
        ),
        r(
            "POST",
            "/api/cases/search",
            |_| json!({"operation": "kabul-2021", "name": "nabi"}).to_string(),
            "UOOOFFF",
        ),
        r("GET", "/api/cases/{case}", none, "UOOOFFF"),
        r(
            "PATCH",
            "/api/cases/{case}",
            |_| json!({"version": 1, "tier": 2}).to_string(),
            "UOOOFFF",
        ),
        r(
            "POST",
            "/api/cases/{case}/status",
            |_| json!({"to": "under_review", "reason": "documents in"}).to_string(),
            "UOOOFFF",
        ),
        r(
            "POST",
            "/api/cases/{case}/status",
            |_| json!({"to": "eligible", "reason": "meets the scheme"}).to_string(),
            "UOOFFFF",
        ),
        r("GET", "/api/operations/kabul-2021/schemes", none, "UOOOFFO"),
        r(
            "POST",
            "/api/operations/kabul-2021/schemes",
            |i| json!({"code": format!("S-{i}"), "name": "Scheme", "nation": "NOR"}).to_string(),
            "UOFFFFF",
        ),
        r("GET", "/api/schemes/{scheme}", none, "UOOOFFO"),
        r(
            "PATCH",
            "/api/schemes/{scheme}",
            |_| json!({"quota_persons": 500}).to_string(),
            "UOFFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/movements",
            none,
            "UOOOOOO",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/movements",
            |_| {
                json!({"kind": "convoy", "designator": "C1", "nation": "NATO", "origin": "WAK", "destination": "HKIA", "departs_at": "2021-08-21T05:00:00Z", "seats": 40}).to_string()
            },
            "UOOFFFF",
        ),
        r("GET", "/api/movements/{movement}", none, "UOOOOOO"),
        r(
            "PATCH",
            "/api/movements/{movement}",
            |_| json!({"seats": 120}).to_string(),
            "UOOFFFF",
        ),
        r("GET", "/api/schemes/{scheme}/rules", none, "UOOOFFO"),
        r(
            "PUT",
            "/api/schemes/{scheme}/rules",
            |_| json!({"eligibility": ["employer_nation == FIN"]}).to_string(),
            "UOFFFFF",
        ),
        r("GET", "/api/schemes/{scheme}/quota", none, "UOOOFFO"),
        r("GET", "/api/cases/{case}/suggestion", none, "UOOOFFF"),
        r(
            "POST",
            "/api/cases/{case}/decision",
            |_| json!({"verdict": "needs_information", "reason": "letter missing"}).to_string(),
            "UOOOFFF",
        ),
        r(
            "POST",
            "/api/cases/{case}/decision",
            |_| json!({"verdict": "eligible", "reason": "letter seen"}).to_string(),
            "UOOFFFF",
        ),
        r(
            "POST",
            "/api/cases/{case}/tier",
            |_| json!({"tier": 1, "reason": "medical"}).to_string(),
            "UOOFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/assembly-points",
            none,
            "UOOOOOO",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/assembly-points",
            |i| json!({"name": format!("Gate {i}"), "persons_per_hour": 100}).to_string(),
            "UOOFFFF",
        ),
        r("GET", "/api/operations/kabul-2021/plans", none, "UOOFFFF"),
        r(
            "POST",
            "/api/operations/kabul-2021/plans",
            |_| "{}".into(),
            "UOOFFFF",
        ),
        r(
            "GET",
            "/api/movements/{movement}/manifest.csv",
            none,
            "UOOFOFF",
        ),
        r(
            "GET",
            "/api/movements/{movement}/manifest.pdf",
            none,
            "UOOFOFF",
        ),
        r(
            "GET",
            "/api/movements/{movement}/manifest/minimised.json",
            none,
            "UOOFFOF",
        ),
        r("GET", "/api/audit", none, "UOFFFFO"),
        // Alerts and roll calls: HQ sends and starts; officers, case workers
        // and auditors see them; the gate and liaisons do not.
        r("GET", "/api/operations/kabul-2021/alerts", none, "UOOOFFO"),
        r(
            "POST",
            "/api/operations/kabul-2021/alerts",
            |_| json!({"kind": "leave_immediately"}).to_string(),
            "UOFFFFF",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/alerts/preview",
            |_| json!({"nationalities": ["AF"]}).to_string(),
            "UOFFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/alerts/{alert}",
            none,
            "UOOOFFO",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/alerts/{alert}/cap.xml",
            none,
            "UOOOFFO",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/alerts/feed.xml",
            none,
            "UOOOFFO",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/alerts/{draft}/send",
            none,
            "UOFFFFF",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/roll-calls",
            |_| json!({"scope": {"nationality": "AF"}}).to_string(),
            "UOFFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/roll-calls",
            none,
            "UOOOFFO",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/roll-calls/{roll_call}",
            none,
            "UOOOFFO",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/roll-calls/{open_roll_call}/close",
            none,
            "UOFFFFF",
        ),
        r("GET", "/operations/kabul-2021/alerts", none, "ROOOFFO"),
        r("GET", "/operations/kabul-2021/roll-calls", none, "ROOOFFO"),
        r(
            "GET",
            "/operations/kabul-2021/roll-calls/{roll_call}",
            none,
            "ROOOFFO",
        ),
        // The answer page needs no account: the link is the credential.
        r("GET", "/roll-call/{token}", none, "OOOOOOO"),
        // Inbound SMS need the gateway's shared secret, whoever is signed in
        // (none is configured here).
        r(
            "POST",
            "/api/sms/inbound",
            |_| json!({"from": "+93701234567", "text": "1"}).to_string(),
            "FFFFFFF",
        ),
        r("GET", "/api/nothing-here", none, "UOOOOOO"),
        r("GET", "/login", none, "OOOOOOO"),
        r("GET", "/operations/kabul-2021/posts", none, "ROOOFFO"),
        r("GET", "/operations/kabul-2021/cases", none, "ROOOFFF"),
        r("GET", "/cases/{case}", none, "ROOOFFF"),
        r("GET", "/operations/kabul-2021/cases/new", none, "ROOOFFF"),
        r("GET", "/operations/kabul-2021/import", none, "ROOOFFF"),
        r("GET", "/operations/kabul-2021/burn", none, "ROFFFFF"),
        r("GET", "/operations/kabul-2021/duplicates", none, "ROOOFFF"),
        r("GET", "/schemes/{scheme}", none, "ROOOFFO"),
        r("GET", "/operations/kabul-2021/schemes", none, "ROOOFFO"),
        r("GET", "/cases/{case}/edit", none, "ROOOFFF"),
        r("GET", "/operations/kabul-2021/plan", none, "ROOOOOO"),
        r(
            "GET",
            "/api/operations/kabul-2021/duplicates",
            none,
            "UOOOFFF",
        ),
        // The dashboard and the aggregates: counts only, auditors too.
        r("GET", "/operations/kabul-2021/dashboard", none, "ROOFFFO"),
        r("GET", "/dashboard", none, "ROFFFFF"),
        r(
            "GET",
            "/api/operations/kabul-2021/exports/aggregates.csv",
            none,
            "UOOFFFO",
        ),
        // Personal data out: PFIF for HQ and officers, lists for whoever may see cases.
        r(
            "GET",
            "/api/operations/kabul-2021/exports/pfif.xml",
            none,
            "UOOFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/exports/cases.csv?stage=eligible",
            none,
            "UOOOFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/exports/cases.xlsx",
            none,
            "UOOOFFF",
        ),
        // Self-registration needs no account, and an account changes nothing.
        r("GET", "/register", none, "OOOOOOO"),
        r("GET", "/register/status", none, "OOOOOOO"),
        r(
            "POST",
            "/api/operations/kabul-2021/registrations",
            |i| {
                json!({"members": [{"given_name": format!("Nabi{i}"), "family_name": "Routes"}]})
                    .to_string()
            },
            "OOOOOOO",
        ),
        // Call-forward and passes. `{scheduled}` is a household on a
        // movement; `{called}`, `{pass}`, `{code}` and `{pass_page}` belong
        // to a household called forward with its pass.
        r(
            "POST",
            "/api/cases/{scheduled}/call-forward",
            |_| "{}".into(),
            "UOOFFFF",
        ),
        r("GET", "/api/cases/{called}/pass", none, "UOOFFFF"),
        // Public keys are public: any verifier needs them.
        r(
            "GET",
            "/api/operations/kabul-2021/jwks.json",
            none,
            "OOOOOOO",
        ),
        r(
            "POST",
            "/api/operations/kabul-2021/signing-keys/rotate",
            |_| "{}".into(),
            "UOFFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/passes/revoked",
            none,
            "UOOFOFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/passes/by-code/{code}",
            none,
            "UOOFOFF",
        ),
        r("GET", "/api/passes/{pass}", none, "UOOFOFF"),
        r(
            "POST",
            "/api/passes/{pass}/revoke",
            |_| json!({"reason": "moved to another flight"}).to_string(),
            "UOOFFFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/gate/bundle",
            none,
            "UOOFOFF",
        ),
        r(
            "GET",
            "/api/operations/kabul-2021/gate/conflicts",
            none,
            "UOOFOFF",
        ),
        r(
            "POST",
            "/api/gate/scans",
            |i| {
                json!({"operation": "kabul-2021", "scans": [{
                    "id": format!("00000000-0000-4000-8000-{i:012}"),
                    "pass_id": null, "kind": "check_in", "verdict": "forged",
                    "device_id": "phone-1", "gate": "North", "scanned_at": "2021-08-20T06:00:00Z"}]})
                .to_string()
            },
            "UOOFOFF",
        ),
        // The officers' page of the gate's conflicts: as the API's list.
        r(
            "GET",
            "/operations/kabul-2021/gate/conflicts",
            none,
            "ROOFOFF",
        ),
        // The pass page and the gate page's files hold no data.
        r("GET", "/pass/{pass_page}", none, "OOOOOOO"),
        r("GET", "/gate/", none, "OOOOOOO"),
        r("GET", "/gate/sw.js", none, "OOOOOOO"),
        r("GET", "/gate/gate.js", none, "OOOOOOO"),
    ]
}

async fn draft(f: &Fixture) -> domain::AlertId {
    let mut tx = f.store.write(domain::audit::Actor::Console).await.unwrap();
    let new = domain::alert::NewAlert {
        kind: domain::alert::AlertKind::StayWhereYouAre,
        texts: Default::default(),
        target: Default::default(),
    };
    let id = tx.create_alert(&f.op.id, &new).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// An alert, an open roll call of a household with a phone, and that
/// person's roll-call token (read from the queued message).
async fn alert_and_roll_call(f: &Fixture) -> (domain::AlertId, domain::RollCallId, String) {
    use domain::person::{Contact, ContactKind, Relationship};
    let alert = draft(f).await;
    let mut tx = f.store.write(domain::audit::Actor::Console).await.unwrap();
    let mut m = common::member(Relationship::Principal, "Nabi");
    m.contacts = vec![Contact {
        kind: ContactKind::Phone,
        value: "+93701234567".into(),
    }];
    let case = domain::case::NewCase {
        members: vec![m],
        ..Default::default()
    };
    tx.create_case(&f.op, &case, "officer").await.unwrap();
    let texts = [(
        "en".to_owned(),
        domain::alert::AlertText {
            title: "Roll call".into(),
            body: "{link}".into(),
        },
    )]
    .into();
    let started = tx
        .start_roll_call(
            &f.op.id,
            &domain::roll_call::RollCallScope::Nationality("AF".into()),
            &texts,
            "/roll-call",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let claimed = f
        .store
        .claim_messages(
            "routes",
            &[store::Channel::Sms],
            std::time::Duration::from_secs(600),
            100,
        )
        .await
        .unwrap();
    let token = claimed[0]
        .message
        .as_ref()
        .unwrap()
        .text
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    (alert, started.id, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role_answers_as_the_table_says() {
    let f = Fixture::new().await;
    let mut cookies = vec![None];
    for (name, _) in ROLES {
        cookies.push(Some(f.sign_in(name).await));
    }
    let (alert, roll_call, token) = alert_and_roll_call(&f).await;
    let mut mismatches = Vec::new();
    let mut n = 0;
    for route in table() {
        assert_eq!(
            route.expect.len(),
            cookies.len(),
            "{} {}",
            route.method,
            route.path
        );
        for (col, (cookie, want)) in cookies.iter().zip(route.expect.chars()).enumerate() {
            n += 1;
            let case = f.new_case().await;
            let mut path = route.path.to_owned();
            if path.contains("{scheduled}") {
                let seated = f.scheduled_case().await;
                path = path.replace("{scheduled}", &seated.to_string());
            }
            if ["{called}", "{pass}", "{code}", "{pass_page}"]
                .iter()
                .any(|p| path.contains(p))
            {
                let (called, pass) = f.called_forward_case().await;
                path = path
                    .replace("{called}", &called.to_string())
                    .replace("{pass}", &pass.id.to_string())
                    .replace("{code}", &pass.code)
                    .replace("{pass_page}", &pass.page_key);
            }
            let path = path
                .replace("{post}", &f.post.to_string())
                .replace("{case}", &case.to_string())
                .replace("{scheme}", &f.scheme.to_string())
                .replace("{movement}", &f.movement.to_string())
                .replace("{alert}", &alert.to_string())
                .replace("{roll_call}", &roll_call.to_string())
                .replace("{token}", &token);
            let path = if path.contains("{draft}") {
                path.replace("{draft}", &draft(&f).await.to_string())
            } else if path.contains("{open_roll_call}") {
                path.replace(
                    "{open_roll_call}",
                    &alert_and_roll_call(&f).await.1.to_string(),
                )
            } else {
                path
            };
            let res = f
                .send(json_request(
                    route.method,
                    &path,
                    cookie.as_deref(),
                    &(route.body)(n),
                ))
                .await;
            let status = res.status().as_u16();
            let ok = match want {
                'O' => {
                    (200..300).contains(&status)
                        || (route.path == "/api/nothing-here" && status == 404)
                }
                'F' => status == 403,
                'U' => status == 401,
                'R' => status == 303,
                other => panic!("bad cell {other}"),
            };
            if !ok {
                let who = if col == 0 {
                    "no session"
                } else {
                    ROLES[col - 1].0
                };
                mismatches.push(format!(
                    "{} {} as {who}: got {status}, want {want}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {n} answers differ from the table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
