//! The officer's intake pages: a household typed in with a passport's MRZ,
//! and a staff list uploaded, previewed and imported.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Fixture, body_text, json_request};
use store::{CaseFilter, Paging};

/// A signed-in officer's cookie and the form token its pages carry.
async fn officer(f: &Fixture) -> (String, String) {
    let cookie = f.sign_in("officer").await;
    let page = body_text(
        f.send(json_request(
            "GET",
            "/operations/kabul-2021/cases/new",
            Some(&cookie),
            "",
        ))
        .await,
    )
    .await;
    (cookie, common::csrf_of(&page))
}

use common::form_request as post_form;

async fn count(f: &Fixture, word: &str) -> i64 {
    let filter = CaseFilter {
        name_words: vec![word.into()],
        ..Default::default()
    };
    f.store
        .list_cases(&f.op.id, &filter, Paging::default())
        .await
        .unwrap()
        .total
}

/// ICAO 9303's specimen passport (Utopia), with its check digits.
const MRZ: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

#[tokio::test]
async fn an_officer_registers_a_household_from_a_passport_mrz() {
    let f = Fixture::new().await;
    let (cookie, csrf) = officer(&f).await;
    let uri = "/operations/kabul-2021/cases/new";
    // One wrong check digit (the birth date's) is named.
    let broken = MRZ.replace("7408122F", "7408121F");
    let res = f
        .send(post_form(
            uri,
            &cookie,
            &[
                ("csrf", &csrf),
                ("members[0].given_name", "Anna"),
                ("members[0].family_name", "Eriksson"),
                ("members[0].mrz", &broken),
            ],
        ))
        .await;
    assert_eq!(res.status(), 422);
    let page = body_text(res).await;
    assert!(
        page.contains("members[0].mrz-error"),
        "the error sits by the MRZ field"
    );
    assert_eq!(count(&f, "eriksson").await, 0);

    let res = f
        .send(post_form(
            uri,
            &cookie,
            &[
                ("csrf", &csrf),
                ("members[0].given_name", "Anna"),
                ("members[0].family_name", "Eriksson"),
                ("members[0].mrz", MRZ),
                ("members[1].relationship", "child"),
                ("members[1].given_name", "Lina"),
                ("members[1].date_of_birth", "SH:1395"),
            ],
        ))
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let id: domain::CaseId = location.trim_start_matches("/cases/").parse().unwrap();
    let case = f.store.get_case(id).await.unwrap();
    assert_eq!(case.source, "officer");
    let anna = &case.members[0].details;
    let passport = &anna.documents[0];
    assert_eq!(passport.number, "L898902C3");
    assert_eq!(passport.expires_on.unwrap().to_string(), "2012-04-15");
    assert_eq!(anna.date_of_birth.unwrap().year, 1974);

    // A forged form is refused.
    let res = f
        .send(post_form(
            uri,
            &cookie,
            &[("csrf", "forged"), ("members[0].given_name", "X")],
        ))
        .await;
    assert_eq!(res.status(), 403);
}

fn multipart(
    uri: &str,
    cookie: &str,
    csrf: &str,
    source: &str,
    name: &str,
    file: &[u8],
) -> Request<Body> {
    let boundary = "muster-test-boundary";
    let mut body = Vec::new();
    for (field, value) in [("csrf", csrf), ("source", source)] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
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

const LIST: &str = "\
Family No;Relation;First name;Surname;DOB;Mobile;Job
F1;principal;Ahmad;Uploadtest;1360/05/12;070 123 4567;Embassy of Finland
F1;wife;Zahra;Uploadtest;1985-02-30;;
F2;principal;Farid;Uploadtest;21.03.1981;0093 70 123 4568;
";

#[tokio::test]
async fn an_officer_previews_then_imports_a_list() {
    let f = Fixture::new().await;
    let (cookie, csrf) = officer(&f).await;
    let uri = "/operations/kabul-2021/import";
    let res = f
        .send(multipart(
            uri,
            &cookie,
            &csrf,
            "contractor list",
            "staff.csv",
            LIST.as_bytes(),
        ))
        .await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(page.contains("3 rows"), "{page}");
    assert!(
        page.contains("2 rows would be accepted into 2 cases, 1 refused"),
        "{page}"
    );
    assert!(
        page.contains("date_of_birth: impossible_date"),
        "the reason names field and rule"
    );
    // "Job" is not recognised: the officer maps it to employer in the preview.
    assert!(page.contains("<label for=\"map.6\">Job</label>"));
    assert_eq!(count(&f, "uploadtest").await, 0, "a preview stores nothing");
    let token = page
        .split("/import/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let confirm = format!("{uri}/{token}");
    let mapping = [
        ("csrf", csrf.as_str()),
        ("map.0", "household_ref"),
        ("map.1", "relationship"),
        ("map.2", "given_name"),
        ("map.3", "family_name"),
        ("map.4", "date_of_birth"),
        ("map.5", "phone"),
        ("map.6", "employer"),
        ("action", "import"),
    ];
    let res = f.send(post_form(&confirm, &cookie, &mapping)).await;
    assert_eq!(res.status(), 200);
    let page = body_text(res).await;
    assert!(
        page.contains("Imported 2 of 3 rows into 2 cases; 1 rows refused"),
        "{page}"
    );
    assert_eq!(count(&f, "uploadtest").await, 2);
    let ahmad = f
        .store
        .list_cases(
            &f.op.id,
            &CaseFilter {
                name_words: vec!["ahmad".into()],
                ..Default::default()
            },
            Paging::default(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let ahmad = f.store.get_case(ahmad.id).await.unwrap();
    assert_eq!(ahmad.source, "import:contractor list");
    assert_eq!(
        ahmad.members[0].details.employer.as_deref(),
        Some("Embassy of Finland")
    );
    assert!(ahmad.follow_up.unwrap().contains("lines 3"));

    let res = f
        .send(json_request(
            "GET",
            &format!("{confirm}/rejected.csv"),
            Some(&cookie),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("staff.rejected.csv")
    );
    let csv = body_text(res).await;
    assert!(
        csv.contains("\"3\",\"date_of_birth: impossible_date"),
        "{csv}"
    );
    // Another officer cannot fetch it.
    let other = f.sign_in("caseworker").await;
    let res = f
        .send(json_request(
            "GET",
            &format!("{confirm}/rejected.csv"),
            Some(&other),
            "",
        ))
        .await;
    assert!(matches!(res.status().as_u16(), 403 | 404));
}
