//! The PFIF 1.4 structure (specification of 29 May 2012) checked by hand:
//! no package on the registries we reach ships the published schema, and we
//! may not copy it here. Written from the specification, apart from the
//! writer it checks: the root element, which records may stand where, the
//! order of the fields, the required ones, and the form of ids, dates and
//! enumerated values. Returns every breach found, empty when none.

#![allow(dead_code)]

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

const NS: &[u8] = b"http://zesty.ca/pfif/1.4";

const PERSON: [&str; 25] = [
    "person_record_id",
    "entry_date",
    "expiry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_name",
    "source_date",
    "source_url",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "description",
    "sex",
    "date_of_birth",
    "age",
    "home_street",
    "home_neighborhood",
    "home_city",
    "home_state",
    "home_postal_code",
    "home_country",
    "photo_url",
    "profile_urls",
];
const PERSON_REQUIRED: [&str; 3] = ["person_record_id", "source_date", "full_name"];

const NOTE: [&str; 15] = [
    "note_record_id",
    "person_record_id",
    "linked_person_record_id",
    "entry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_date",
    "author_made_contact",
    "status",
    "email_of_found_person",
    "phone_of_found_person",
    "last_known_location",
    "text",
    "photo_url",
];
const NOTE_REQUIRED: [&str; 3] = ["note_record_id", "author_name", "source_date"];

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DDThh:mm:ssZ`
fn utc(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 20
        && digits(&s[0..4])
        && b[4] == b'-'
        && digits(&s[5..7])
        && b[7] == b'-'
        && digits(&s[8..10])
        && b[10] == b'T'
        && digits(&s[11..13])
        && b[13] == b':'
        && digits(&s[14..16])
        && b[16] == b':'
        && digits(&s[17..19])
        && b[19] == b'Z'
}

fn record_id(s: &str) -> bool {
    match s.split_once('/') {
        Some((d, rest)) => {
            !d.is_empty()
                && !rest.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && !rest.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn check_value(kind: &str, field: &str, v: &str, problems: &mut Vec<String>) {
    let ok = match field {
        "person_record_id" | "note_record_id" | "linked_person_record_id" => record_id(v),
        "entry_date" | "expiry_date" | "source_date" => utc(v),
        "sex" => ["female", "male", "other"].contains(&v),
        "date_of_birth" => match v.len() {
            4 => digits(v),
            7 => digits(&v[0..4]) && &v[4..5] == "-" && digits(&v[5..7]),
            10 => {
                digits(&v[0..4])
                    && &v[4..5] == "-"
                    && digits(&v[5..7])
                    && &v[7..8] == "-"
                    && digits(&v[8..10])
            }
            _ => false,
        },
        "home_country" => v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()),
        "author_made_contact" => v == "true" || v == "false",
        "status" => [
            "information_sought",
            "is_note_author",
            "believed_alive",
            "believed_missing",
            "believed_dead",
        ]
        .contains(&v),
        _ => true,
    };
    if !ok {
        problems.push(format!("{kind} {field}: malformed value"));
    }
}

struct Rec {
    kind: &'static str,
    seen: Vec<(String, String)>,
    nested: bool,
    notes_started: bool,
}

fn finish(r: &Rec, problems: &mut Vec<String>) {
    let (order, required): (&[&str], &[&str]) = if r.kind == "person" {
        (&PERSON, &PERSON_REQUIRED)
    } else {
        (&NOTE, &NOTE_REQUIRED)
    };
    let mut last = None;
    for (f, v) in &r.seen {
        match order.iter().position(|o| o == f) {
            None => problems.push(format!("{}: {f} is not a field", r.kind)),
            Some(i) => {
                if last.is_some_and(|l| i <= l) {
                    problems.push(format!("{}: {f} out of order or repeated", r.kind));
                }
                last = Some(i);
                check_value(r.kind, f, v, problems);
            }
        }
    }
    for f in required {
        if !r.seen.iter().any(|(s, _)| s == f) {
            problems.push(format!("{}: {f} missing", r.kind));
        }
    }
    for f in [
        "person_record_id",
        "note_record_id",
        "source_date",
        "full_name",
    ] {
        if required.contains(&f) && r.seen.iter().any(|(s, v)| s == f && v.trim().is_empty()) {
            problems.push(format!("{}: {f} empty", r.kind));
        }
    }
    if r.kind == "note" && !r.nested && !r.seen.iter().any(|(s, _)| s == "person_record_id") {
        problems.push("top-level note: person_record_id missing".into());
    }
}

/// Every breach of the PFIF 1.4 structure in `xml`.
pub fn check(xml: &str) -> Vec<String> {
    let mut p = Vec::new();
    let mut r = NsReader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut recs: Vec<Rec> = Vec::new();
    let mut text = String::new();
    loop {
        let (ns, ev) = match r.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                p.push(format!("not well-formed: {e}"));
                return p;
            }
        };
        let in_ns = matches!(ns, ResolveResult::Bound(ref n) if n.as_ref() == NS);
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if !in_ns {
                    p.push(format!("{name}: not in the PFIF 1.4 namespace"));
                }
                match (path.len(), name.as_str()) {
                    (0, "pfif") => {}
                    (0, _) => p.push("root is not pfif".into()),
                    (1, "person") => recs.push(Rec {
                        kind: "person",
                        seen: vec![],
                        nested: false,
                        notes_started: false,
                    }),
                    (1, "note") => recs.push(Rec {
                        kind: "note",
                        seen: vec![],
                        nested: false,
                        notes_started: false,
                    }),
                    (1, other) => p.push(format!("{other} may not stand in pfif")),
                    (2, "note") if recs.last().is_some_and(|r| r.kind == "person") => {
                        if let Some(r) = recs.last_mut() {
                            r.notes_started = true;
                        }
                        recs.push(Rec {
                            kind: "note",
                            seen: vec![],
                            nested: true,
                            notes_started: false,
                        })
                    }
                    _ => {
                        if recs
                            .last()
                            .is_some_and(|r| r.kind == "person" && r.notes_started)
                        {
                            p.push(format!("person: field {name} after its notes"));
                        }
                    }
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap_or_default()),
            Event::GeneralRef(g) => {
                let name: &[u8] = &g;
                text.push(match name {
                    b"amp" => '&',
                    b"lt" => '<',
                    b"gt" => '>',
                    _ => '?',
                })
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let depth = path.len();
                let is_record = (depth == 1 && (name == "person" || name == "note"))
                    || (depth == 2 && name == "note");
                if is_record {
                    if let Some(rec) = recs.pop() {
                        finish(&rec, &mut p);
                    }
                } else if depth >= 2
                    && let Some(rec) = recs.last_mut()
                {
                    rec.seen.push((name, text.trim().to_owned()));
                }
                text.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if let Some(rec) = recs.last_mut() {
                    rec.seen.push((name, String::new()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    p
}
