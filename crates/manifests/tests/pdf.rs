mod common;

use common::{many, two_households};
use lopdf::Document;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 36.0;

struct Parsed {
    pages: usize,
    /// The text of each page.
    texts: Vec<String>,
}

fn parse(bytes: &[u8]) -> Parsed {
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    let doc = Document::load_mem(bytes).expect("parses");
    let pages = doc.get_pages();
    let mut texts = Vec::new();
    for (&number, &id) in &pages {
        texts.push(doc.extract_text(&[number]).expect("text"));
        // Nothing is drawn outside the margins: text positions and QR origins.
        let content = doc.get_and_decode_page_content(id).expect("content");
        let mut qr_scale = None;
        for op in &content.operations {
            let values: Vec<f32> = op
                .operands
                .iter()
                .filter_map(|o| o.as_float().ok())
                .collect();
            match op.operator.as_str() {
                "Tm" => {
                    let (x, y) = (values[4], values[5]);
                    assert!((MARGIN - 0.01..PAGE_W - MARGIN).contains(&x), "text x {x}");
                    assert!((MARGIN - 0.01..PAGE_H - MARGIN).contains(&y), "text y {y}");
                }
                "cm" => {
                    qr_scale = Some(values[0]);
                    let (x, y) = (values[4], values[5]);
                    assert!(x >= MARGIN && y >= MARGIN, "QR at {x},{y}");
                }
                "re" => {
                    // QR modules, in module units: the far corner stays on the page.
                    let scale = qr_scale.expect("rectangles only inside a QR");
                    assert!((values[0] + values[2]) * scale <= PAGE_W);
                }
                _ => {}
            }
        }
    }
    Parsed {
        pages: pages.len(),
        texts,
    }
}

#[test]
fn small_manifest_is_one_page_with_header_households_and_people() {
    let manifest = two_households();
    let parsed = parse(&manifests::pdf(&manifest));
    assert_eq!(parsed.pages, 1);
    let text = &parsed.texts[0];
    for expected in [
        "GAF 123",
        "2021-08-26 15:30 UTC",
        "Seats needed: 3 of 150",
        "AF-000042",
        "AF-000107",
        "Rahimi",
        "Ahmad Shah",
        "Noori",
        "P01234567",
        "Tazkira 1400-0101-23456",
        "1984-03-09",
        "(lap infant)",
        "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}

#[test]
fn a_qr_code_is_drawn_per_household_with_a_payload() {
    let manifest = many(5, 12);
    let bytes = manifests::pdf(&manifest);
    let doc = Document::load_mem(&bytes).unwrap();
    let mut qr_codes = 0;
    for (_, id) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(id).unwrap();
        qr_codes += content
            .operations
            .iter()
            .filter(|op| op.operator == "cm")
            .count();
        let rectangles = content
            .operations
            .iter()
            .filter(|op| op.operator == "re")
            .count();
        assert!(rectangles > 5 * 21, "too few QR modules: {rectangles}");
    }
    assert_eq!(qr_codes, 5);

    // An empty payload draws none.
    let mut manifest = manifest;
    manifest.households[0].qr_payload.clear();
    let doc = Document::load_mem(&manifests::pdf(&manifest)).unwrap();
    let drawn: usize = doc
        .get_pages()
        .values()
        .map(|&id| {
            let content = doc.get_and_decode_page_content(id).unwrap();
            content
                .operations
                .iter()
                .filter(|op| op.operator == "cm")
                .count()
        })
        .sum();
    assert_eq!(drawn, 4);
}

#[test]
fn a_large_manifest_paginates_without_losing_anyone() {
    let manifest = many(300, 2000);
    let parsed = parse(&manifests::pdf(&manifest));
    // 2,000 rows of 10.5 pt cannot fit on fewer than about 30 pages.
    assert!(parsed.pages >= 25, "{} pages", parsed.pages);
    let total = parsed.pages;
    for (i, text) in parsed.texts.iter().enumerate() {
        assert!(text.contains(&format!("Page {} of {total}", i + 1)));
        assert!(
            text.contains("Seats needed: 2000 of 2000"),
            "header on page {}",
            i + 1
        );
    }
    let all = parsed.texts.concat();
    for household in &manifest.households {
        // Households are small here, so none is split: each title appears once.
        assert_eq!(all.matches(&format!("{} ", household.reference)).count(), 1);
        for person in &household.persons {
            assert_eq!(
                all.matches(&person.family_name).count(),
                1,
                "{}",
                person.family_name
            );
            let number = &person.document.as_ref().unwrap().number;
            assert_eq!(all.matches(number.as_str()).count(), 1, "{number}");
        }
    }
    assert!(!all.contains("(continued)"));
}

#[test]
fn a_household_longer_than_a_page_is_split_and_marked() {
    let manifest = many(2, 180);
    let parsed = parse(&manifests::pdf(&manifest));
    assert!(parsed.pages >= 3, "{} pages", parsed.pages);
    let all = parsed.texts.concat();
    assert!(all.contains("AF-000001 (continued)"));
    for person in manifest.households.iter().flat_map(|h| &h.persons) {
        assert_eq!(all.matches(&person.family_name).count(), 1);
    }
}

#[test]
fn long_names_wrap_instead_of_being_cut() {
    let mut manifest = two_households();
    let long = "Abdulrahmanzadeh Mohammadkarimzai Qasemiwardakistani Sayedalihosseini";
    manifest.households[0].persons[0].family_name = long.into();
    let parsed = parse(&manifests::pdf(&manifest));
    // Each word lands on the page, on its own line or shared.
    for word in long.split(' ') {
        assert!(parsed.texts[0].contains(word), "{word}");
    }
}

#[test]
fn non_latin1_names_degrade_to_latin_text() {
    let mut manifest = two_households();
    manifest.households[0].persons[0].family_name = "Çağrı Öztürk".into();
    manifest.households[0].persons[1].family_name = "رحیمی".into();
    let parsed = parse(&manifests::pdf(&manifest));
    let text = &parsed.texts[0];
    // Latin-1 letters survive as themselves, others are transliterated.
    assert!(text.contains("Çagri Öztürk"), "{text}");
    assert!(!text.contains("رحیمی"));
    // The Dari-only name still leaves a printable trace in its row.
    assert!(text.contains("Zohra"));
}

#[test]
fn over_capacity_is_flagged_in_the_header() {
    let mut manifest = two_households();
    manifest.seats = 2;
    let parsed = parse(&manifests::pdf(&manifest));
    assert!(parsed.texts[0].contains("Seats needed: 3 of 2 capacity"));
    assert!(parsed.texts[0].contains("OVER CAPACITY BY 1"));
    manifest.seats = 3;
    let parsed = parse(&manifests::pdf(&manifest));
    assert!(!parsed.texts[0].contains("OVER CAPACITY"));
}
