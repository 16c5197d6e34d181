//! The OpenAPI document names every route of the API's router with its
//! methods, and nothing the router does not serve. The routes are read from
//! the router's own source (`src/api/mod.rs`), so a route added there without
//! an annotation fails here.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, body_json, json_request};

/// The router table, as written.
const ROUTER_SOURCE: &str = include_str!("../src/api/mod.rs");

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The text inside the parentheses that open at the start of `s`.
fn parenthesised(s: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[1..i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in the router source");
}

/// `(METHOD, path)` for every `.route("/api/...", get(..).post(..))` of the
/// router, but the catch-all. A route whose method router this cannot read
/// fails the test rather than being skipped.
fn routed() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (start, _) in ROUTER_SOURCE.match_indices(".route(") {
        let args = parenthesised(&ROUTER_SOURCE[start + ".route".len()..]);
        let (path, methods) = args
            .trim_start()
            .strip_prefix('"')
            .and_then(|rest| rest.split_once('"'))
            .unwrap_or_else(|| panic!("a route without a literal path: {args}"));
        if path == "/api/{*rest}" {
            continue;
        }
        assert!(
            path.starts_with("/api/"),
            "an API route outside /api: {path}"
        );
        let mut found = 0;
        for method in METHODS {
            let call = format!("{method}(");
            // `get(` at the start of the method router or after a `.`, so that
            // a handler named `get` (`posts::get`) is not taken for a method.
            let calls = (methods.match_indices(&call))
                .filter(|(i, _)| {
                    let before = methods[..*i].trim_end();
                    before.ends_with(',') || before.ends_with('.')
                })
                .count();
            if calls > 0 {
                assert!(
                    calls == 1 && out.insert((method.to_uppercase(), path.to_owned())),
                    "{method} {path} routed twice"
                );
                found += 1;
            }
        }
        assert!(found > 0, "no method read for {path}: {methods}");
    }
    out
}

#[test]
fn the_router_source_is_read() {
    let routes = routed();
    // Every `.route(` call is read, but the catch-all: a router written in
    // another style would leave this reader, and the document test, with
    // little to check.
    let paths: BTreeSet<&str> = routes.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(paths.len(), ROUTER_SOURCE.matches(".route(").count() - 1);
    assert!(routes.len() >= 50, "only {} routes read", routes.len());
    for want in [
        ("GET", "/api/health"),
        ("DELETE", "/api/session"),
        ("PUT", "/api/schemes/{id}/rules"),
        ("PATCH", "/api/movements/{id}"),
        ("POST", "/api/gate/scans"),
    ] {
        assert!(
            routes.contains(&(want.0.to_owned(), want.1.to_owned())),
            "{want:?} not read"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_names_every_route_with_its_methods() {
    let f = Fixture::new().await;
    let res = f
        .send(json_request("GET", "/api/openapi.json", None, ""))
        .await;
    assert_eq!(res.status(), 200);
    let doc = body_json(res).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let routed = routed();

    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routed but not in the OpenAPI document (annotate the handler and list it in ApiDoc): {missing:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "in the OpenAPI document but not routed: {unrouted:?}"
    );
}
