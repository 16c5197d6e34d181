//! Hostile input through the real application: SQL injection in every filter
//! and lookup, path traversal in paths and upload names, oversized uploads and
//! a zip bomb posing as a workbook, session fixation, over-long and deeply
//! nested JSON, invalid UTF-8, and a whole flow whose logs must hold no
//! personal data. Bad input is refused (never a 500), nothing extra is shown
//! or stored, and the audit chain still verifies afterwards.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use common::{Fixture, PASSWORD, body_json, body_text, json_request};
use serde_json::{Value, json};
use store::{CaseFilter, ChainReport, Paging};
use tracing_subscriber::util::SubscriberInitExt;

const REGISTER: &str = "/api/operations/kabul-2021/registrations";

/// What an attacker types into a filter, a name or a reference.
const INJECTIONS: [&str; 12] = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "\" OR \"\"=\"",
    "1; DROP TABLE cases; --",
    "x'); DELETE FROM persons; --",
    "' UNION SELECT token, token FROM name_tokens --",
    "kabul-2021' --",
    "1) OR (1=1",
    "%",
    "_",
    "*",
    "\\'; UPDATE cases SET status='eligible'; --",
];

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn case_total(f: &Fixture) -> i64 {
    f.store
        .list_cases(&f.op.id, &CaseFilter::default(), Paging::default())
        .await
        .unwrap()
        .total
}

async fn assert_chain_intact(f: &Fixture) {
    match f.store.verify_audit().await.unwrap() {
        ChainReport::Intact { events } => assert!(events > 0),
        ChainReport::Broken(e) => panic!("the audit chain is broken: {e}"),
    }
}

/// The form token on an officer page.
async fn page_csrf(f: &Fixture, cookie: &str, path: &str) -> String {
    let page = body_text(f.send(json_request("GET", path, Some(cookie), "")).await).await;
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("the page carries a form token")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

fn form_post(uri: &str, cookie: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(body.into()).unwrap()
}

fn register(body: &Value, key: Option<&str>) -> Request<Body> {
    let mut req = json_request("POST", REGISTER, None, &body.to_string());
    if let Some(k) = key {
        req.headers_mut()
            .insert("idempotency-key", k.parse().unwrap());
    }
    req
}

fn access(reference: &str, code: &str) -> Request<Body> {
    json_request(
        "POST",
        &format!("{REGISTER}/access"),
        None,
        &json!({"reference": reference, "access_code": code}).to_string(),
    )
}

fn household(family: &str) -> Value {
    json!({
        "phone": "070 123 4567",
        "members": [
            {"given_name": "Mohammad", "family_name": family, "date_of_birth": "1980-03-04", "sex": "M"},
            {"relationship": "wife", "given_name": "Mariam", "family_name": family}
        ]
    })
}

fn assert_not_500(res: &Response<Body>, what: &str) {
    assert!(
        !res.status().is_server_error(),
        "{what}: answered {}",
        res.status()
    );
}

#[tokio::test]
async fn sql_injection_in_list_filters_and_search_finds_nothing_more() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    for _ in 0..3 {
        f.new_case().await;
    }
    let before = case_total(&f).await;
    assert_eq!(before, 3);

    // The case list's query parameters: every injection is refused as a
    // value that is not valid there; nothing is listed.
    for inj in INJECTIONS {
        let e = encode(inj);
        for query in [
            format!("operation={e}"),
            format!("operation=kabul-2021&status={e}"),
            format!("operation=kabul-2021&scheme={e}"),
            format!("operation=kabul-2021&page={e}"),
            format!("operation=kabul-2021&per_page={e}"),
            format!("operation=kabul-2021&{e}=1"),
        ] {
            let res = f
                .send(json_request(
                    "GET",
                    &format!("/api/cases?{query}"),
                    Some(&cookie),
                    "",
                ))
                .await;
            assert!(
                matches!(res.status().as_u16(), 403 | 404 | 422),
                "/api/cases?{query}: {}",
                res.status()
            );
        }
        // The officer's case list page takes its filters and page in its URL.
        for query in [
            format!("status={e}"),
            format!("scheme={e}"),
            format!("page={e}"),
            format!("stage={e}"),
            format!("nation={e}"),
            format!("province={e}"),
            format!("tier={e}"),
        ] {
            let res = f
                .send(json_request(
                    "GET",
                    &format!("/operations/kabul-2021/cases?{query}"),
                    Some(&cookie),
                    "",
                ))
                .await;
            assert!(
                res.status().is_client_error(),
                "/operations/kabul-2021/cases?{query}: {}",
                res.status()
            );
        }
    }
    // The same list asked properly still shows exactly the three cases.
    let res = f
        .send(json_request(
            "GET",
            "/api/cases?operation=kabul-2021",
            Some(&cookie),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["total"], 3);

    // The name search: injections are words of a name, and no name has them.
    let search = |body: Value| {
        json_request(
            "POST",
            "/api/cases/search",
            Some(&cookie),
            &body.to_string(),
        )
    };
    let baseline = body_json(
        f.send(search(json!({"operation": "kabul-2021", "name": "nabi"})))
            .await,
    )
    .await;
    assert_eq!(baseline["total"], 3, "the search itself works");
    for inj in INJECTIONS {
        for name in [inj.to_owned(), format!("nabi{inj}"), format!("nabi {inj}")] {
            let res = f
                .send(search(json!({"operation": "kabul-2021", "name": name})))
                .await;
            assert_not_500(&res, &name);
            let status = res.status().as_u16();
            let answer = body_json(res).await;
            // Only letters and digits make words: `nabi%` is the word `nabi`,
            // which names all three cases; any other word names none.
            let words: Vec<String> = name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            let want = if words.iter().all(|w| w == "nabi") {
                3
            } else {
                0
            };
            match status {
                200 => assert_eq!(answer["total"], want, "{name:?} found {answer}"),
                422 => assert_eq!(answer["errors"][0]["field"], "name", "{name:?}"),
                other => panic!("{name:?}: answered {other}"),
            }
        }
        for body in [
            json!({"operation": inj, "name": "nabi"}),
            json!({"operation": "kabul-2021", "name": "nabi", "status": inj}),
            json!({"operation": "kabul-2021", "name": "nabi", "scheme": inj}),
            json!({"operation": "kabul-2021", "name": "nabi", "page": inj}),
        ] {
            let res = f.send(search(body.clone())).await;
            assert!(
                matches!(res.status().as_u16(), 403 | 404 | 422),
                "{body}: {}",
                res.status()
            );
        }
    }

    // The search form on the case list page: the injection finds no row.
    let csrf = page_csrf(&f, &cookie, "/operations/kabul-2021/cases").await;
    for inj in INJECTIONS {
        let body = serde_urlencoded::to_string([("csrf", csrf.as_str()), ("name", inj)]).unwrap();
        let res = f
            .send(form_post(
                "/operations/kabul-2021/cases",
                Some(&cookie),
                body,
            ))
            .await;
        assert_not_500(&res, inj);
        let page = body_text(res).await;
        // Without a word (`%`, `_`, `*`) the form asks for the whole list;
        // with one, no case has it.
        let has_word = inj.chars().any(char::is_alphanumeric);
        assert_eq!(
            page.matches("Ahmadzai").count(),
            if has_word { 0 } else { 3 },
            "{inj:?}"
        );
        // The caption names the order the store gave: by registration only
        // for a search by words.
        let order = if has_word {
            "the newest registered first"
        } else {
            "the last updated first"
        };
        assert!(page.contains(order), "{inj:?}");
    }
    let body = serde_urlencoded::to_string([("csrf", csrf.as_str()), ("name", "Wali")]).unwrap();
    let page = body_text(
        f.send(form_post(
            "/operations/kabul-2021/cases",
            Some(&cookie),
            body,
        ))
        .await,
    )
    .await;
    assert!(page.contains("Ahmadzai"), "the form's search itself works");

    assert_eq!(case_total(&f).await, before, "nothing added or deleted");
    let case = f
        .store
        .list_cases(&f.op.id, &CaseFilter::default(), Paging::default())
        .await
        .unwrap();
    assert!(
        case.items
            .iter()
            .all(|c| c.status == domain::CaseStatus::Registered),
        "no status was changed"
    );
    assert_chain_intact(&f).await;
}

#[tokio::test]
async fn sql_injection_in_registration_fields_is_stored_as_text_or_refused() {
    let f = Fixture::new().await;
    let before = case_total(&f).await;
    let mut accepted = 0;
    for (i, inj) in INJECTIONS.iter().enumerate() {
        // Each field of the household in turn carries the injection.
        // The member whose field it is, or none for the household's own.
        let fields = [
            ("given_name", Some(0)),
            ("family_name", Some(1)),
            ("father_name", Some(0)),
            ("tazkira_number", Some(0)),
            ("passport_number", Some(0)),
            ("employer", Some(0)),
            ("phone", None),
            ("email", None),
            ("province", None),
            ("scheme", None),
            ("special_needs", None),
        ];
        for (j, (field, member)) in fields.into_iter().enumerate() {
            let family = format!("Sqlfield{}{}", "x".repeat(i + 1), "y".repeat(j + 1));
            let mut body = household(&family);
            match member {
                Some(m) => body["members"][m][field] = (*inj).into(),
                None => body[field] = (*inj).into(),
            }
            let res = f.send(register(&body, Some(&format!("inj-{i}-{j}")))).await;
            assert_not_500(&res, &format!("{field} = {inj:?}"));
            let status = res.status().as_u16();
            let answer = body_json(res).await;
            match status {
                201 => {
                    accepted += 1;
                    // Stored as the text it is: the household sees it back.
                    let reference = answer["reference"].as_str().unwrap();
                    let code = answer["access_code"].as_str().unwrap();
                    let res = f.send(access(reference, code)).await;
                    assert_eq!(res.status(), 200, "{field} = {inj:?}");
                    let view = body_json(res).await;
                    let shown = match member {
                        Some(m) => &view["household"]["members"][m][field],
                        None => &view["household"][field],
                    };
                    let shown = shown.as_str().unwrap_or_else(|| panic!("{field}: {view}"));
                    match field {
                        "special_needs" | "employer" => {
                            assert_eq!(shown, *inj, "{field} is kept verbatim");
                        }
                        // Names keep their words with letters; nothing else
                        // comes in.
                        "given_name" | "family_name" | "father_name" => assert!(
                            !shown.is_empty() && shown.split(' ').all(|w| inj.contains(w)),
                            "{field} = {inj:?} shown as {shown:?}"
                        ),
                        // Coded values are kept in their canonical form, or
                        // (a province that is not recognised) as given.
                        _ => assert!(
                            shown == *inj
                                || (!shown.contains(['\'', '"', ';', '='])
                                    && !shown.contains("--")),
                            "{field} = {inj:?} shown as {shown:?}"
                        ),
                    }
                }
                422 => {
                    let named = answer["errors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["field"].as_str().unwrap().ends_with(field));
                    assert!(named, "{field} = {inj:?}: {answer}");
                    assert!(
                        inj.len() < 3 || !answer.to_string().contains(inj),
                        "the refusal repeats the value: {answer}"
                    );
                }
                other => panic!("{field} = {inj:?}: answered {other}"),
            }
        }
    }
    assert!(accepted > 0, "free-text fields take any text");
    assert_eq!(case_total(&f).await, before + accepted);
    assert_chain_intact(&f).await;
}

#[tokio::test]
async fn sql_injection_in_the_access_code_lookup_grants_nothing() {
    let f = Fixture::new().await;
    let receipt = body_json(f.send(register(&household("Lookupvictim"), None)).await).await;
    let reference = receipt["reference"].as_str().unwrap();
    for inj in INJECTIONS {
        for (r, c) in [
            (inj.to_owned(), "AAAA-BBBB-CCCC".to_owned()),
            (inj.to_owned(), inj.to_owned()),
            (format!("{reference}' --"), "x".to_owned()),
            (format!("{reference}{inj}"), "x".to_owned()),
        ] {
            let res = f.send(access(&r, &c)).await;
            assert_not_500(&res, &r);
            assert!(
                matches!(res.status().as_u16(), 403 | 429),
                "{r:?} / {c:?}: {}",
                res.status()
            );
            let text = body_text(res).await;
            assert!(!text.contains("Lookupvictim"), "{r:?} showed a household");
            let correction = json!({"reference": r, "access_code": c, "version": 1,
                "household": household("Hijacked")});
            let res = f
                .send(json_request(
                    "POST",
                    &format!("{REGISTER}/correction"),
                    None,
                    &correction.to_string(),
                ))
                .await;
            assert!(matches!(res.status().as_u16(), 403 | 429), "{r:?}");
        }
    }
    // The victim's own code still works, and nothing was changed.
    let victim_code = receipt["access_code"].as_str().unwrap();
    let res = f.send(access(reference, victim_code)).await;
    assert_eq!(res.status(), 200);
    let view = body_json(res).await;
    assert_eq!(
        view["household"]["members"][0]["family_name"],
        "Lookupvictim"
    );
    assert_eq!(view["version"], 1);
    assert_chain_intact(&f).await;
}

#[tokio::test]
async fn path_traversal_in_path_parameters_reaches_nothing() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("hq").await;
    let case = f.new_case().await;
    let paths = [
        "/api/operations/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/operations/kabul-2021%2F..%2F..%2Fetc%2Fpasswd",
        "/api/operations/%2e%2e%2f%2e%2e%2fetc%2fpasswd/posts",
        "/api/operations/..%5C..%5Cwindows%5Cwin.ini/cases",
        "/api/operations/kabul-2021/posts/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/cases/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/cases/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/api/cases/....%2F%2F....%2F%2Fetc%2Fpasswd/status",
        "/api/schemes/..%2F..%2FCargo.toml",
        "/api/movements/%252e%252e%252fetc%252fpasswd",
        "/api/duplicates/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/../../etc/passwd",
        "/api/cases/../../../etc/passwd",
        "/operations/..%2F..%2Fetc%2Fpasswd/cases",
        "/operations/kabul-2021/import/..%2F..%2F..%2Fetc%2Fpasswd/rejected.csv",
        "/operations/kabul-2021/import/..%2F..%2FCargo.toml/rejected.csv",
        "/cases/..%2F..%2F..%2Fetc%2Fpasswd",
        "/duplicates/..%2F..%2FCargo.toml",
        "/static/..%2F..%2FCargo.toml",
        "/static/../../Cargo.toml",
        "/static/muster.css/../../../../etc/passwd",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/register/..%2F..%2F..%2Fetc%2Fpasswd",
    ];
    for path in paths {
        let res = f.send(json_request("GET", path, Some(&cookie), "")).await;
        let status = res.status().as_u16();
        assert!(
            matches!(status, 400 | 403 | 404 | 405),
            "{path}: answered {status}"
        );
        let text = body_text(res).await;
        for leaked in ["root:", "[package]", "[workspace]", "[fonts]"] {
            assert!(!text.contains(leaked), "{path} leaked a file: {text}");
        }
    }
    // Writes through a traversing path change nothing.
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/cases/{case}%2F..%2F{case}/status"),
            Some(&cookie),
            &json!({"to": "under_review", "reason": "x"}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(f.store.get_case(case).await.unwrap().version, 1);
}

fn multipart(uri: &str, cookie: &str, csrf: &str, file_name: &str, file: &[u8]) -> Request<Body> {
    let boundary = "hostile-boundary-7d1f";
    let mut body = Vec::with_capacity(file.len() + 512);
    for (name, value) in [("csrf", csrf), ("source", "hostile test")] {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(file);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

const IMPORT: &str = "/operations/kabul-2021/import";

/// Two rows, one of which is refused (an impossible date).
const LIST: &str =
    "First name;Surname;DOB\nAhmad;Traversal;1360/05/12\nZahra;Traversal;1985-02-30\n";

#[tokio::test]
async fn upload_file_names_cannot_traverse_or_inject() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let csrf = page_csrf(&f, &cookie, IMPORT).await;
    for name in [
        "../../../../etc/passwd",
        "..\\..\\..\\windows\\system32\\config\\sam.csv",
        "/etc/cron.d/muster.csv",
        "....//....//staff.csv",
        "%2e%2e%2f%2e%2e%2fstaff.csv",
        "<script>alert(1)</script>.csv",
        "staff\".csv; filename=evil.sh",
    ] {
        let res = f
            .send(multipart(IMPORT, &cookie, &csrf, name, LIST.as_bytes()))
            .await;
        assert_eq!(res.status(), 200, "{name}");
        let page = body_text(res).await;
        assert!(page.contains("2 rows"), "{name}: {page}");
        assert!(
            !page.contains("<script>alert"),
            "{name}: the name is escaped"
        );
        let token = page
            .split("/import/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("map.0", "given_name"),
            ("map.1", "family_name"),
            ("map.2", "date_of_birth"),
            ("action", "import"),
        ])
        .unwrap();
        let done = f
            .send(form_post(&format!("{IMPORT}/{token}"), Some(&cookie), body))
            .await;
        assert_eq!(done.status(), 200, "{name}");
        let res = f
            .send(json_request(
                "GET",
                &format!("{IMPORT}/{token}/rejected.csv"),
                Some(&cookie),
                "",
            ))
            .await;
        assert_eq!(res.status(), 200, "{name}");
        let disposition = res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        let offered = disposition
            .strip_prefix("attachment; filename=\"")
            .and_then(|d| d.strip_suffix(".rejected.csv\""))
            .unwrap_or_else(|| panic!("{name}: {disposition}"));
        assert!(
            !offered.is_empty()
                && offered
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{name}: offered as {disposition}"
        );
        assert!(body_text(res).await.contains("impossible_date"));
    }
    assert!(
        !std::path::Path::new("/etc/cron.d/muster.csv").exists()
            && !std::path::Path::new("/etc/cron.d/muster.rejected.csv").exists(),
        "nothing was written where the name pointed"
    );
}

#[tokio::test]
async fn an_upload_over_32_mib_is_refused_and_the_next_one_works() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let csrf = page_csrf(&f, &cookie, IMPORT).await;
    let mut big = LIST.as_bytes().to_vec();
    while big.len() <= web_max_upload() {
        big.extend_from_slice(b"Ahmad;Oversized;1360/05/12\n");
    }
    let res = f
        .send(multipart(IMPORT, &cookie, &csrf, "big.csv", &big))
        .await;
    assert_eq!(res.status(), 413);
    drop(big);
    let res = f
        .send(multipart(
            IMPORT,
            &cookie,
            &csrf,
            "small.csv",
            LIST.as_bytes(),
        ))
        .await;
    assert_eq!(res.status(), 200, "the server is fine afterwards");
    assert!(body_text(res).await.contains("2 rows"));
}

/// The import page's limit (32 MiB), as documented on the page's handler.
fn web_max_upload() -> usize {
    32 * 1024 * 1024
}

/// A workbook with one header row and one data row, its worksheet padded
/// with `padding` bytes of blanks and empty comments that deflate to almost
/// nothing: with a large padding, a zip bomb that is a valid XLSX.
fn xlsx(padding: usize) -> Vec<u8> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006";
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
    ];
    let cell = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        cell("A1", "First name"),
        cell("B1", "Surname"),
        cell("A2", "Ahmad"),
        cell("B2", "Zipbomb"),
    );
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{rows}"#
    )
    .unwrap();
    let mut unit = vec![b' '; 64 * 1024];
    unit.extend_from_slice(b"<!---->");
    let mut written = 0;
    while written < padding {
        zip.write_all(&unit).unwrap();
        written += unit.len();
    }
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// The same file with an entry's unpacked size understated in its local
/// header and in the central directory, as a hostile file would have it.
fn understated(mut zip: Vec<u8>, entry: &[u8], size: u32) -> Vec<u8> {
    let mut patched = 0;
    // (signature, offset of the unpacked size, of the name's length, of the name)
    for (signature, size_at, len_at, name_at) in
        [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)]
    {
        let mut at = 0;
        while let Some(found) = zip[at..].windows(4).position(|w| w == signature) {
            let h = at + found;
            let len = usize::from(u16::from_le_bytes([zip[h + len_at], zip[h + len_at + 1]]));
            if zip.get(h + name_at..h + name_at + len) == Some(entry) {
                zip[h + size_at..h + size_at + 4].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
            at = h + 4;
        }
    }
    assert_eq!(patched, 2, "both headers of the entry were patched");
    zip
}

/// Uploads a zip bomb: it is refused with a reason, no preview is made, and
/// the server goes on serving uploads.
async fn assert_bomb_refused(bomb: &[u8]) {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let csrf = page_csrf(&f, &cookie, IMPORT).await;
    assert!(
        bomb.len() < 4 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    let res = f
        .send(multipart(IMPORT, &cookie, &csrf, "list.xlsx", bomb))
        .await;
    let status = res.status().as_u16();
    let page = body_text(res).await;
    assert!(
        matches!(status, 413 | 422),
        "a file that unpacks to 1 GiB is refused, not read: answered {status}"
    );
    assert!(
        !page.contains("Nothing is stored until you confirm"),
        "no preview of the bomb"
    );
    assert!(
        page.contains("class=\"error\"") && page.contains("XLSX"),
        "the refusal says why: {page}"
    );
    let res = f
        .send(multipart(
            IMPORT,
            &cookie,
            &csrf,
            "after.csv",
            LIST.as_bytes(),
        ))
        .await;
    assert_eq!(res.status(), 200, "the server carries on");
    assert_eq!(
        f.send(json_request("GET", "/api/health", None, ""))
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_bomb_posing_as_xlsx_is_refused_and_the_server_carries_on() {
    // The same workbook without padding is a good list: the refusal is for
    // what the bomb unpacks to, not for its form.
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let csrf = page_csrf(&f, &cookie, IMPORT).await;
    let res = f
        .send(multipart(IMPORT, &cookie, &csrf, "list.xlsx", &xlsx(0)))
        .await;
    assert_eq!(res.status(), 200);
    assert!(body_text(res).await.contains("1 rows"));
    // 1 GiB of worksheet in about a megabyte.
    assert_bomb_refused(&xlsx(1 << 30)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_bomb_that_understates_its_size_is_refused_too() {
    let bomb = understated(xlsx(1 << 30), b"xl/worksheets/sheet1.xml", 64 * 1024);
    // It is still a workbook that the zip reader opens.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bomb)).unwrap();
    let declared: u64 = (0..archive.len())
        .map(|i| archive.by_index_raw(i).unwrap().size())
        .sum();
    assert!(declared < 1 << 20, "declares {declared} bytes");
    assert_bomb_refused(&bomb).await;
}

#[tokio::test]
async fn a_session_token_planted_before_sign_in_is_never_a_session() {
    let f = Fixture::new().await;
    let planted = "a".repeat(64);
    let planted_cookie = format!("muster_session={planted}");
    assert_eq!(
        f.send(json_request(
            "GET",
            "/api/session",
            Some(&planted_cookie),
            ""
        ))
        .await
        .status(),
        401
    );

    // Through the API: the victim signs in while carrying the planted cookie.
    let creds = json!({"username": "officer", "password": PASSWORD}).to_string();
    let res = f
        .send(json_request(
            "POST",
            "/api/session",
            Some(&planted_cookie),
            &creds,
        ))
        .await;
    assert_eq!(res.status(), 200);
    let issued = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    let issued = issued.split(';').next().unwrap().to_owned();
    assert_ne!(issued, planted_cookie, "a fresh token is issued");
    assert!(!issued.contains(&planted));
    assert_eq!(
        f.send(json_request(
            "GET",
            "/api/session",
            Some(&planted_cookie),
            ""
        ))
        .await
        .status(),
        401,
        "the planted token is not the victim's session"
    );
    assert_eq!(
        f.send(json_request("GET", "/api/session", Some(&issued), ""))
            .await
            .status(),
        200
    );

    // Through the sign-in page: the planted cookie rides along with the form.
    let res = f
        .send(json_request("GET", "/login", Some(&planted_cookie), ""))
        .await;
    let login_csrf_cookie = res.headers()[header::SET_COOKIE]
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
    let body = format!("username=officer&password=test+password+1&csrf={token}");
    let req = form_post(
        "/login",
        Some(&format!("{planted_cookie}; {login_csrf_cookie}")),
        body,
    );
    let res = f.send(req).await;
    assert_eq!(res.status(), 303);
    let page_session = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with("muster_session="))
        .expect("a session cookie is set");
    assert_ne!(page_session, planted_cookie);
    assert_ne!(page_session, issued, "every sign-in gets its own token");
    for (cookie, want) in [(&planted_cookie, 401), (&page_session, 200)] {
        assert_eq!(
            f.send(json_request("GET", "/api/session", Some(cookie), ""))
                .await
                .status(),
            want,
            "{cookie}"
        );
    }
    let res = f
        .send(json_request(
            "GET",
            "/operations/kabul-2021/cases",
            Some(&planted_cookie),
            "",
        ))
        .await;
    assert_eq!(res.status(), 303, "the planted cookie opens no page");
}

#[tokio::test]
async fn over_long_and_deeply_nested_json_is_refused_cleanly() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let before = case_total(&f).await;
    let nested = |depth: usize, open: &str, close: &str| {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    };
    let deep_members = format!(
        "{{\"members\": [{{\"given_name\": {}}}]}}",
        nested(100_000, "{\"a\":", "}")
    );
    let bodies = [
        nested(200_000, "[", "]"),
        nested(100_000, "{\"a\":", "}"),
        deep_members,
        format!("{{\"members\": {}}}", nested(300_000, "[", "]")),
    ];
    for (i, body) in bodies.iter().enumerate() {
        assert!(body.len() < web::MAX_BODY, "under the body limit");
        for (uri, with_cookie) in [
            (REGISTER.to_owned(), false),
            (format!("{REGISTER}/access"), false),
            ("/api/cases/search".to_owned(), true),
            ("/api/operations/kabul-2021/cases".to_owned(), true),
            ("/api/session".to_owned(), false),
        ] {
            let cookie = with_cookie.then_some(cookie.as_str());
            let res = f.send(json_request("POST", &uri, cookie, body)).await;
            assert_eq!(res.status(), 422, "body {i} to {uri}");
            let problem = body_json(res).await;
            assert!(
                problem["errors"][0]["rule"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty()),
                "body {i} to {uri}: {problem}"
            );
        }
    }

    // Over-long values: the field and its rule are named, nothing is stored.
    let long = "Abdul".repeat(40_000);
    for (field, member) in [
        ("given_name", Some(0)),
        ("family_name", Some(0)),
        ("tazkira_number", Some(0)),
        ("special_needs", None),
        ("email", None),
        ("phone", None),
    ] {
        let mut body = household("Overlong");
        let field = match member {
            Some(m) => {
                body["members"][m][field] = long.as_str().into();
                format!("members[{m}].{field}")
            }
            None => {
                body[field] = long.as_str().into();
                field.to_owned()
            }
        };
        let res = f.send(register(&body, None)).await;
        assert_eq!(res.status(), 422, "{field}");
        let problem = body_json(res).await;
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {problem}"
        );
        assert!(
            !problem.to_string().contains(&long[..50]),
            "the value is not echoed"
        );
    }
    // Too many members, an over-long key, an over-long name search.
    let mut crowd = household("Crowd");
    crowd["members"] = (0..5_000)
        .map(|i| json!({"relationship": "child", "given_name": format!("C{i}")}))
        .collect();
    crowd["members"][0]["relationship"] = "principal".into();
    assert_eq!(f.send(register(&crowd, None)).await.status(), 422);
    let res = f
        .send(register(&household("Longkey"), Some(&"k".repeat(10_000))))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["errors"][0]["field"],
        "Idempotency-Key"
    );
    let words = "nabi ".repeat(50_000);
    let res = f
        .send(json_request(
            "POST",
            "/api/cases/search",
            Some(&cookie),
            &json!({"operation": "kabul-2021", "name": words}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 422);
    // Over the body limit on the public routes.
    let huge = json!({"reference": "A".repeat(web::MAX_BODY), "access_code": "x"}).to_string();
    for uri in [REGISTER.to_owned(), format!("{REGISTER}/access")] {
        let res = f.send(json_request("POST", &uri, None, &huge)).await;
        assert_eq!(res.status(), 413, "{uri}");
    }
    // Numbers out of range and duplicated keys.
    for body in [
        json!({"operation": "kabul-2021", "name": "nabi", "page": 1e300}).to_string(),
        r#"{"operation": "kabul-2021", "name": "nabi", "per_page": 99999999999999999999999}"#
            .to_owned(),
        r#"{"operation": "kabul-2021", "name": "nabi", "name": "wali"}"#.to_owned(),
    ] {
        let res = f
            .send(json_request(
                "POST",
                "/api/cases/search",
                Some(&cookie),
                &body,
            ))
            .await;
        assert_eq!(res.status(), 422, "{body}");
    }
    assert_eq!(case_total(&f).await, before, "nothing was stored");
    assert_eq!(
        f.send(json_request("GET", "/api/health", None, ""))
            .await
            .status(),
        200
    );
    assert_chain_intact(&f).await;
}

#[tokio::test]
async fn invalid_utf8_in_bodies_queries_and_headers_is_refused() {
    let f = Fixture::new().await;
    let cookie = f.sign_in("officer").await;
    let before = case_total(&f).await;
    let bad_json: &[u8] = b"{\"members\": [{\"given_name\": \"\xff\xfe\xc3\x28\"}]}";
    for (uri, with_cookie) in [
        (REGISTER, false),
        ("/api/operations/kabul-2021/registrations/access", false),
        ("/api/operations/kabul-2021/registrations/correction", false),
        ("/api/cases/search", true),
        ("/api/session", false),
    ] {
        let mut req = json_request("POST", uri, with_cookie.then_some(cookie.as_str()), "x");
        *req.body_mut() = Body::from(bad_json.to_vec());
        let res = f.send(req).await;
        assert_eq!(res.status(), 422, "{uri}");
        let problem = body_json(res).await;
        assert!(
            problem["errors"][0]["rule"].as_str().is_some(),
            "{uri}: {problem}"
        );
    }
    // Forms: raw and percent-encoded bytes that are not UTF-8.
    for body in [
        b"members%5B0%5D.given_name=%FF%FE&members%5B0%5D.family_name=%C3%28".to_vec(),
        b"members[0].given_name=\xff\xfe\xfd".to_vec(),
    ] {
        let res = f.send(form_post(REGISTER, None, body.clone())).await;
        assert_not_500(&res, "registration form");
        assert!(
            res.status() != 201 || {
                let page = body_text(res).await;
                !page.contains('\u{fffd}')
            },
            "a name is never stored garbled"
        );
        let res = f.send(form_post("/login", None, body)).await;
        assert!(
            res.status().is_client_error(),
            "login form: {}",
            res.status()
        );
    }
    // Query strings.
    for uri in [
        "/api/cases?operation=kabul-2021&status=%FF%FE",
        "/api/cases?operation=%C3%28&status=registered",
        "/api/cases?operation=kabul-2021&scheme=%ED%A0%80",
        "/api/cases?operation=kabul-2021&%FF=1",
        "/operations/kabul-2021/cases?status=%FF%FE",
        "/operations/kabul-2021/cases?scheme=%C0%AE%C0%AE",
    ] {
        let res = f.send(json_request("GET", uri, Some(&cookie), "")).await;
        assert!(
            matches!(res.status().as_u16(), 400 | 404 | 422),
            "{uri}: {}",
            res.status()
        );
    }
    for uri in ["/register?lang=%FF%FE", "/register/status?lang=%C3%28"] {
        let res = f.send(json_request("GET", uri, None, "")).await;
        assert_eq!(res.status(), 200, "{uri} falls back to a known language");
    }
    // Paths.
    for uri in [
        "/api/cases/%FF%FE",
        "/api/operations/%C0%AE%C0%AE%2F%C0%AE%C0%AE",
        "/cases/%C3%28",
    ] {
        let res = f.send(json_request("GET", uri, Some(&cookie), "")).await;
        assert!(
            matches!(res.status().as_u16(), 400 | 404),
            "{uri}: {}",
            res.status()
        );
    }
    // Headers: an idempotency key and a cookie that are not text.
    let mut req = register(&household("Badheader"), None);
    req.headers_mut().insert(
        "idempotency-key",
        HeaderValue::from_bytes(b"key-\xff\xfe").unwrap(),
    );
    let res = f.send(req).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["errors"][0]["field"],
        "Idempotency-Key"
    );
    let mut req = json_request("GET", "/api/session", None, "");
    req.headers_mut().insert(
        header::COOKIE,
        HeaderValue::from_bytes(b"muster_session=\xff\xfe").unwrap(),
    );
    assert_eq!(f.send(req).await.status(), 401);
    assert_eq!(case_total(&f).await, before, "nothing was stored");
    assert_chain_intact(&f).await;
}

#[tokio::test]
async fn hsts_only_behind_tls_where_cookies_are_secure() {
    let plain = Fixture::new().await;
    let res = plain.send(json_request("GET", "/login", None, "")).await;
    assert!(
        !res.headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    let tls = Fixture::with_config(web::Config {
        behind_tls: true,
        ..Default::default()
    })
    .await;
    for path in ["/login", "/api/health", "/register"] {
        let res = tls.send(json_request("GET", path, None, "")).await;
        let hsts = res.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap();
        assert!(hsts.contains("max-age=31536000"), "{path}: {hsts}");
    }
    let creds = json!({"username": "officer", "password": PASSWORD}).to_string();
    let res = tls
        .send(json_request("POST", "/api/session", None, &creds))
        .await;
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

/// Everything every test in this binary logs, once capture is on.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .finish()
            .try_init()
            .expect("no other test installs a global subscriber");
        logs
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_flow_leaves_no_personal_data_in_the_logs() {
    let logs = captured_logs();
    tracing::info!(marker = "capture-check", "log capture is on");
    let f = Fixture::new().await;
    // A registry for the matcher to learn from (synthetic demo households).
    let mut tx = f.store.write(domain::audit::Actor::Console).await.unwrap();
    for h in demo::kabul_2021(300).households {
        let mut case = h.case;
        case.scheme_id = None;
        tx.create_case(&f.op, &case, "officer").await.unwrap();
    }
    tx.commit().await.unwrap();

    // The household registers itself, with a mistake first.
    let mut body = json!({
        "phone": "0709 876 543",
        "email": "zarghuna.qaderyarkhel@example.af",
        "province": "Kandahar",
        "special_needs": "insulin for Zarghuna",
        "members": [
            {"given_name": "Zarghuna", "family_name": "Qaderyarkhel", "father_name": "Gulbuddinjan",
             "date_of_birth": "1987-03-21", "sex": "F", "nationality": "AF",
             "tazkira_number": "1399-0101-98765", "passport_number": "P77331144"},
            {"relationship": "son", "given_name": "Yamaan", "family_name": "Qaderyarkhel", "date_of_birth": "2012-07-09"}
        ]
    });
    body["members"][1]["date_of_birth"] = "2090-01-02".into();
    assert_eq!(f.send(register(&body, Some("flow-1"))).await.status(), 422);
    body["members"][1]["date_of_birth"] = "2012-07-09".into();
    let res = f.send(register(&body, Some("flow-2"))).await;
    assert_eq!(res.status(), 201);
    let receipt = body_json(res).await;
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    let code = receipt["access_code"].as_str().unwrap().to_owned();
    let case_id = receipt["case_id"].as_str().unwrap().to_owned();
    assert_eq!(f.send(register(&body, Some("flow-2"))).await.status(), 201);

    // It looks at its registration, corrects it, and a stranger guesses.
    let view = body_json(f.send(access(&reference, &code)).await).await;
    let mut corrected = view["household"].clone();
    corrected["phone"] = "0709 876 544".into();
    let res = f
        .send(json_request(
            "POST",
            &format!("{REGISTER}/correction"),
            None,
            &json!({"reference": reference, "access_code": code, "version": view["version"],
                "household": corrected})
            .to_string(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        f.send(access(&reference, "WRNG-WRNG-WRNG")).await.status(),
        403
    );

    // An officer signs in (a wrong password first), searches, opens the case
    // and moves it on, through the API and the pages.
    let wrong = json!({"username": "officer", "password": "Qaderyarkhel"}).to_string();
    assert_eq!(
        f.send(json_request("POST", "/api/session", None, &wrong))
            .await
            .status(),
        401
    );
    let cookie = f.sign_in("officer").await;
    let found = body_json(
        f.send(json_request(
            "POST",
            "/api/cases/search",
            Some(&cookie),
            &json!({"operation": "kabul-2021", "name": "zarghuna qaderyarkhel"}).to_string(),
        ))
        .await,
    )
    .await;
    assert_eq!(found["total"], 1);
    let csrf = page_csrf(&f, &cookie, "/operations/kabul-2021/cases").await;
    let form =
        serde_urlencoded::to_string([("csrf", csrf.as_str()), ("name", "Qaderyarkhel")]).unwrap();
    let page = body_text(
        f.send(form_post(
            "/operations/kabul-2021/cases",
            Some(&cookie),
            form,
        ))
        .await,
    )
    .await;
    assert!(page.contains(&reference));
    let res = f
        .send(json_request(
            "GET",
            &format!("/api/cases/{case_id}"),
            Some(&cookie),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(
        f.send(json_request(
            "GET",
            &format!("/cases/{case_id}"),
            Some(&cookie),
            "",
        ))
        .await,
    )
    .await;
    assert!(page.contains("Zarghuna"));
    let res = f
        .send(json_request(
            "POST",
            &format!("/api/cases/{case_id}/status"),
            Some(&cookie),
            &json!({"to": "under_review", "reason": "tazkira seen"}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let form = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("to", "eligible"),
        ("reason", "meets the scheme"),
    ])
    .unwrap();
    let res = f
        .send(form_post(
            &format!("/cases/{case_id}/status"),
            Some(&cookie),
            form,
        ))
        .await;
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.status()
    );
    let case = f.store.get_case(case_id.parse().unwrap()).await.unwrap();
    assert_eq!(case.status, domain::CaseStatus::Eligible);

    // A list with the same person goes through the import page, so that the
    // matcher finds and logs a suspected duplicate.
    let list = "First name;Surname;Father;DOB;Mobile;Tazkira\n\
                Zarghuna;Qaderyarkhel;Gulbuddinjan;1987-03-21;0709 876 543;1399-0101-98765\n";
    let csrf = page_csrf(&f, &cookie, IMPORT).await;
    let res = f
        .send(multipart(
            IMPORT,
            &cookie,
            &csrf,
            "Qaderyarkhel family.csv",
            list.as_bytes(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    let token = page
        .split("/import/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let form = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("map.0", "given_name"),
        ("map.1", "family_name"),
        ("map.2", "father_name"),
        ("map.3", "date_of_birth"),
        ("map.4", "phone"),
        ("map.5", "tazkira_number"),
        ("action", "import"),
    ])
    .unwrap();
    let res = f
        .send(form_post(&format!("{IMPORT}/{token}"), Some(&cookie), form))
        .await;
    assert_eq!(res.status(), 200);
    f.state.matcher.settled().await;
    let zarghuna = case.members[0].id;
    let open = f
        .store
        .list_duplicates(
            &f.op.id,
            domain::duplicate::DuplicateStatus::Open,
            Paging::new(None, Some(500)),
        )
        .await
        .unwrap();
    assert!(
        open.items
            .iter()
            .any(|p| p.person_a == zarghuna || p.person_b == zarghuna),
        "the matcher proposed the imported list's Zarghuna as a duplicate"
    );

    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).to_lowercase();
    assert!(logs.contains("capture-check"), "the capture works");
    assert!(
        logs.contains("suspected duplicates recorded"),
        "the flow's own events are captured"
    );
    let session_token = cookie.split('=').nth(1).unwrap().to_lowercase();
    for secret in [
        "zarghuna",
        "qaderyarkhel",
        "gulbuddinjan",
        "yamaan",
        "1987-03-21",
        "2012-07-09",
        "1399-0101-98765",
        "139901019876",
        "p77331144",
        "709876543",
        "709 876 543",
        "709876544",
        "example.af",
        "insulin",
        "kandahar",
        &code.to_lowercase(),
        &session_token,
    ] {
        assert!(
            !logs.contains(secret),
            "the logs hold {secret:?}:\n{}",
            logs.lines()
                .filter(|l| l.contains(secret))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
