//! The burn through the API and HQ's page: only HQ, only with the operation
//! typed again; afterwards its cases answer 410 Gone while counts, the audit
//! chain and the server go on.

mod common;

use common::{Fixture, body_json, json_request};
use store::ChainReport;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hq_burns_an_operation_and_the_server_goes_on() {
    let f = Fixture::new().await;
    let case = f.new_case().await;
    let burn = |cookie: &str, confirm: &str| {
        json_request(
            "POST",
            "/api/operations/kabul-2021/burn",
            Some(cookie),
            &serde_json::json!({ "confirm": confirm }).to_string(),
        )
    };
    let officer = f.sign_in("officer").await;
    assert_eq!(f.send(burn(&officer, "kabul-2021")).await.status(), 403);
    let hq = f.sign_in("hq").await;
    let res = f.send(burn(&hq, "kabul")).await;
    assert_eq!(res.status(), 422);
    assert_eq!(body_json(res).await["errors"][0]["field"], "confirm");
    let path = format!("/api/cases/{case}");
    assert_eq!(
        f.send(json_request("GET", &path, Some(&hq), ""))
            .await
            .status(),
        200
    );

    let res = f.send(burn(&hq, "kabul-2021")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["burned"], true);
    let res = f.send(json_request("GET", &path, Some(&hq), "")).await;
    assert_eq!(res.status(), 410);
    assert_eq!(body_json(res).await["type"], "/problems/burned");
    // A registration into a burnt operation is refused too.
    let res = f
        .send(json_request(
            "POST",
            "/api/operations/kabul-2021/registrations",
            None,
            r#"{"members":[{"given_name":"Late"}]}"#,
        ))
        .await;
    assert_eq!(res.status(), 410);
    // The page reports it; counts and the chain stay; the server answers.
    let page = f
        .send(json_request(
            "GET",
            "/operations/kabul-2021/burn",
            Some(&hq),
            "",
        ))
        .await;
    assert_eq!(page.status(), 200);
    assert!(common::body_text(page).await.contains("has been burned"));
    let counts = f.store.count_cases_by_status(&f.op.id).await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 1);
    assert!(matches!(
        f.store.verify_audit().await.unwrap(),
        ChainReport::Intact { .. }
    ));
    let health = f.send(json_request("GET", "/api/health", None, "")).await;
    assert_eq!(health.status(), 200);
}
