//! The exports and the dashboard over a real application: HXL aggregates
//! without personal data, PFIF 1.4 that keeps imported ids and follows the
//! specification's structure, case lists with the role's fields and no
//! formula, and dashboard figures that add up to the lists they link to.

mod common;

#[path = "../../formats/tests/support/pfif_schema.rs"]
mod pfif_schema;

use common::{Fixture, body_text, json_request, member};
use domain::audit::Actor;
use domain::case::{NewCase, StatusChange};
use domain::person::Relationship;
use domain::{CaseStatus, OperationId};
use formats::pfif;
use store::{Imported, PfifPersonImport};

fn sample() -> Vec<u8> {
    // scripts/test finds the shared sample wherever the checkout stands.
    let path = std::env::var("MUSTER_PFIF_SAMPLE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/pfif/person-finder-test-1.4.xml"
        )
        .to_owned()
    });
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Imports a PFIF document as `muster pfif import` does.
async fn import_pfif(f: &Fixture, xml: &[u8]) {
    let doc = pfif::parse(xml).unwrap();
    assert!(doc.refused.is_empty(), "{:?}", doc.refused);
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    for p in &doc.persons {
        let mut kept = p.clone();
        let notes = std::mem::take(&mut kept.notes);
        let record = serde_json::to_value(&kept).unwrap();
        let case = pfif::household(p);
        let import = PfifPersonImport {
            person_record_id: p.get("person_record_id").unwrap(),
            source_name: p.get("source_name"),
            record: &record,
            case: &case,
        };
        tx.import_pfif_person(&f.op, &import).await.unwrap();
        for n in notes {
            let got = tx
                .import_pfif_note(
                    &f.op.id,
                    n.get("note_record_id").unwrap(),
                    n.get("person_record_id").unwrap(),
                    &serde_json::to_value(&n).unwrap(),
                )
                .await
                .unwrap();
            assert!(matches!(got, Imported::Created(_)));
        }
    }
    tx.commit().await.unwrap();
}

/// A household in a province, with a tier, moved along the pipeline.
async fn household(
    f: &Fixture,
    given: &str,
    province: &str,
    tier: Option<u8>,
    path: &[CaseStatus],
) {
    let mut principal = member(Relationship::Principal, given);
    principal.province = Some(province.into());
    let case = NewCase {
        scheme_id: Some(f.scheme),
        tier,
        members: vec![principal, member(Relationship::Child, "Wali")],
        ..Default::default()
    };
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let id = tx.create_case(&f.op, &case, "officer").await.unwrap();
    for to in path {
        tx.change_status(
            id,
            &StatusChange {
                to: *to,
                reason: "test".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn get(f: &Fixture, who: &str, path: &str) -> (u16, String) {
    let cookie = f.sign_in(who).await;
    let res = f.send(json_request("GET", path, Some(&cookie), "")).await;
    let status = res.status().as_u16();
    (status, body_text(res).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pfif_export_keeps_imported_ids_and_the_specified_structure() {
    let f = Fixture::new().await;
    f.new_case().await;
    import_pfif(&f, &sample()).await;
    let (status, xml) = get(&f, "officer", "/api/operations/kabul-2021/exports/pfif.xml").await;
    assert_eq!(status, 200);
    assert_eq!(pfif_schema::check(&xml), Vec::<String>::new(), "{xml}");
    let doc = pfif::parse(xml.as_bytes()).unwrap();
    assert!(doc.refused.is_empty());
    assert_eq!(
        doc.persons.len(),
        3,
        "two members of a Muster case and the imported person"
    );
    let imported = doc
        .persons
        .iter()
        .find(|p| p.get("person_record_id") == Some("test.google.com/person.21009"))
        .expect("the imported id is kept");
    assert_eq!(imported.get("source_name"), Some("_test_source_name"));
    assert_eq!(imported.get("source_url"), Some("_test_source_url"));
    assert_eq!(imported.get("home_street"), Some("_test_home_street"));
    let notes: Vec<_> = imported
        .notes
        .iter()
        .map(|n| n.get("note_record_id").unwrap())
        .collect();
    assert_eq!(notes.len(), 4);
    assert!(notes.contains(&"test.google.com/note.50121"));
    let ours: Vec<_> = doc
        .persons
        .iter()
        .filter_map(|p| p.get("person_record_id"))
        .filter(|id| id.starts_with("localhost/person."))
        .collect();
    assert_eq!(ours.len(), 2, "Muster's persons get DOMAIN/person.ID");
    // Exported again, the ids stay.
    let (_, again) = get(&f, "hq", "/api/operations/kabul-2021/exports/pfif.xml").await;
    let again = pfif::parse(again.as_bytes()).unwrap();
    let ids = |d: &pfif::Document| {
        let mut v: Vec<String> = d
            .persons
            .iter()
            .map(|p| p.get("person_record_id").unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&again), ids(&doc));
    // Importing the same document again adds nothing.
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let p = &pfif::parse(&sample()).unwrap().persons[0];
    let record = serde_json::to_value(p).unwrap();
    let case = pfif::household(p);
    let import = PfifPersonImport {
        person_record_id: p.get("person_record_id").unwrap(),
        source_name: None,
        record: &record,
        case: &case,
    };
    assert!(matches!(
        tx.import_pfif_person(&f.op, &import).await.unwrap(),
        Imported::Known(_)
    ));
    tx.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pfif_domain_comes_from_the_configuration() {
    let f = Fixture::with_config(web::Config {
        pfif_domain: Some("muster.example.org".into()),
        ..Default::default()
    })
    .await;
    f.new_case().await;
    let (_, xml) = get(&f, "hq", "/api/operations/kabul-2021/exports/pfif.xml").await;
    assert!(xml.contains("<pfif:person_record_id>muster.example.org/person."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hxl_aggregates_count_without_personal_data_and_merge_small_cells() {
    let f = Fixture::new().await;
    for i in 0..6 {
        household(&f, &format!("Nabi{i}"), "Kabul", Some(1), &[]).await;
    }
    household(&f, "Karim", "Herat", Some(1), &[]).await;
    let (status, csv) = get(
        &f,
        "auditor",
        "/api/operations/kabul-2021/exports/aggregates.csv",
    )
    .await;
    assert_eq!(status, 200, "auditors read aggregates");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("Country,Province code,Province"));
    let tags: Vec<&str> = lines[1].split(',').collect();
    assert!(tags.iter().all(|t| formats::hxl::is_hashtag(t)), "{tags:?}");
    assert!(tags.contains(&"#adm1+name") && tags.contains(&"#affected+households+num"));
    for word in ["Nabi", "Karim", "Ahmadzai", "Wali"] {
        assert!(!csv.contains(word), "{word} in the aggregates");
    }
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let mut total = 0;
    let mut herat = false;
    for r in rows.records().skip(1) {
        let r = r.unwrap();
        total += r[8].parse::<i64>().unwrap();
        herat |= &r[2] == "Herat";
        if &r[2] == "Kabul" {
            assert_eq!(&r[8], "6");
            assert_eq!(&r[9], "12");
        }
    }
    assert_eq!(total, 7, "every household counted once");
    assert!(
        !herat,
        "one household in Herat is counted without its province"
    );
    assert!(csv.contains("Not shown (fewer than 5 households)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_lists_hold_the_role_s_fields_and_no_formula() {
    let f = Fixture::new().await;
    let mut principal = member(Relationship::Principal, "=HYPERLINK(\"http://x\")");
    principal.province = Some("Kabul".into());
    let case = NewCase {
        special_needs: Some("wheelchair".into()),
        members: vec![principal],
        ..Default::default()
    };
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    tx.create_case(&f.op, &case, "officer").await.unwrap();
    tx.commit().await.unwrap();
    f.new_case().await;

    let (status, officer) = get(
        &f,
        "officer",
        "/api/operations/kabul-2021/exports/cases.csv",
    )
    .await;
    assert_eq!(status, 200);
    assert!(officer.lines().next().unwrap().contains("Special needs"));
    assert!(officer.contains("wheelchair"));
    assert!(officer.contains("\"'=HYPERLINK"), "{officer}");
    assert_eq!(officer.lines().count(), 3);

    let (_, worker) = get(
        &f,
        "caseworker",
        "/api/operations/kabul-2021/exports/cases.csv",
    )
    .await;
    assert!(!worker.lines().next().unwrap().contains("Special needs"));
    assert!(!worker.contains("wheelchair"));

    let (_, filtered) = get(
        &f,
        "officer",
        "/api/operations/kabul-2021/exports/cases.csv?province=AF-KAB",
    )
    .await;
    assert_eq!(filtered.lines().count(), 2, "the list's filters apply");

    let cookie = f.sign_in("officer").await;
    let res = f
        .send(json_request(
            "GET",
            "/api/operations/kabul-2021/exports/cases.xlsx",
            Some(&cookie),
            "",
        ))
        .await;
    assert_eq!(res.status(), 200);
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains("Special needs") && strings.contains("AF-0000"));
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>"), "no cell is a formula");

    let audit = f
        .store
        .list_audit(store::Paging::new(None, Some(200)))
        .await
        .unwrap();
    let exports = audit
        .items
        .iter()
        .filter(|e| e.action == "operation.export")
        .count();
    assert_eq!(exports, 4, "every download of personal data is audited");
    assert!(audit.items.iter().all(|e| !e.detail.contains("HYPERLINK")));
}

/// The number of cases a case-list page says it holds.
fn list_total(html: &str) -> i64 {
    let at = html.find("data-total=\"").expect("the list's total") + "data-total=\"".len();
    html[at..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_figures_add_up_to_the_lists_they_link_to() {
    use CaseStatus::*;
    let f = Fixture::new().await;
    household(&f, "Aziz", "Kabul", Some(1), &[Eligible]).await;
    household(&f, "Bashir", "Kabul", Some(2), &[Eligible, Scheduled]).await;
    household(&f, "Daud", "Herat", None, &[Ineligible]).await;
    household(&f, "Farid", "Atlantis", Some(1), &[]).await;
    household(
        &f,
        "Gul",
        "Balkh",
        None,
        &[Eligible, Scheduled, CalledForward, CheckedIn, Departed],
    )
    .await;

    let (status, page) = get(
        &f,
        "officer",
        "/operations/kabul-2021/dashboard?map=eligible",
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg class=\"chart cartogram\""));
    assert!(
        page.contains("data-province=\"AF-KAB\" data-value=\"2\""),
        "Kabul: two eligible"
    );
    assert!(!page.contains("<script"), "no script");
    assert!(page.len() < 100_000, "{} bytes", page.len());
    // Every link of the page's figures, with the figure it stands for.
    let mut checked = 0;
    let cookie = f.sign_in("officer").await;
    for piece in page.split("data-households=\"").skip(1) {
        let n: i64 = piece.split('"').next().unwrap().parse().unwrap();
        let Some(link) = piece
            .split("<a href=\"")
            .nth(1)
            .and_then(|l| l.split('"').next())
        else {
            continue;
        };
        if n == 0 || !link.contains("/cases?") {
            continue;
        }
        let link = link.replace("&amp;", "&").replace("&#38;", "&");
        let res = f.send(json_request("GET", &link, Some(&cookie), "")).await;
        assert_eq!(res.status(), 200, "{link}");
        assert_eq!(list_total(&body_text(res).await), n, "{link}");
        checked += 1;
    }
    assert!(checked > 40, "only {checked} figures followed");

    let (status, auditor) = get(&f, "auditor", "/operations/kabul-2021/dashboard").await;
    assert_eq!(status, 200);
    assert!(
        auditor.contains("data-households=\"5\""),
        "the auditor sees the figures"
    );
    assert!(!auditor.contains("/cases?"), "but no link to a list");

    let (status, overview) = get(&f, "hq", "/dashboard").await;
    assert_eq!(status, 200);
    assert!(overview.contains("/operations/kabul-2021/dashboard"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_list_filters_by_stage_province_tier_and_nation() {
    use CaseStatus::*;
    let f = Fixture::new().await;
    household(&f, "Aziz", "Kabul", Some(1), &[Eligible]).await;
    household(&f, "Bashir", "KBL", Some(2), &[]).await;
    household(&f, "Daud", "Herat", None, &[Eligible, Scheduled]).await;
    for (query, want) in [
        ("province=AF-KAB", 2),
        ("province=AF-KAB&tier=1", 1),
        ("tier=none", 1),
        ("stage=eligible", 2),
        ("stage=in_country", 3),
        ("nation=FIN", 3),
        ("nation=none", 0),
        ("scheme=none", 0),
    ] {
        let (status, page) = get(
            &f,
            "caseworker",
            &format!("/operations/kabul-2021/cases?{query}"),
        )
        .await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(list_total(&page), want, "{query}");
    }
    let (status, _) = get(&f, "officer", "/operations/kabul-2021/cases?province=Kabul").await;
    assert_eq!(status, 422, "a province is given by its ISO 3166-2 code");
    let _ = OperationId::parse("kabul-2021").unwrap();
}
