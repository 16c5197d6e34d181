//! PFIF 1.4, the People Finder Interchange Format (29 May 2012): person
//! records with their notes, read and written as XML.
//!
//! A record is kept as its fields by PFIF name, so that what came in goes out
//! again unchanged (ids and sources included). Reading is liberal where PFIF
//! readers are (field order, the names of older versions, whitespace around
//! values); a record that breaks a rule is refused alone, naming the field
//! and the rule, and the rest of the document is still read. Writing is strict:
//! fields in the order of the specification, the required ones always present.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use serde::{Deserialize, Serialize};

/// The namespace of PFIF 1.4 documents.
pub const NAMESPACE: &str = "http://zesty.ca/pfif/1.4";

/// The fields of a person record, in the order of the specification.
pub const PERSON_FIELDS: [&str; 25] = [
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

/// The fields of a note record, in the order of the specification.
pub const NOTE_FIELDS: [&str; 15] = [
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

/// Fields written even when empty, as PFIF 1.4 requires them.
const PERSON_REQUIRED: [&str; 3] = ["person_record_id", "source_date", "full_name"];
const NOTE_REQUIRED: [&str; 3] = ["note_record_id", "author_name", "source_date"];

/// Names of earlier PFIF versions and their 1.4 names.
const RENAMED: [(&str, &str); 5] = [
    ("first_name", "given_name"),
    ("last_name", "family_name"),
    ("home_zip", "home_postal_code"),
    ("found", "author_made_contact"),
    ("other", "description"),
];

/// The values of a note's `status`.
pub const NOTE_STATUSES: [&str; 5] = [
    "information_sought",
    "is_note_author",
    "believed_alive",
    "believed_missing",
    "believed_dead",
];

/// A longest value: PFIF sets no limit, a reader must.
const MAX_VALUE: usize = 10_000;

/// A person record: its fields by PFIF 1.4 name (empty values left out), and
/// the notes about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: Vec<NoteRecord>,
}

/// A note record: its fields by PFIF 1.4 name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub fields: BTreeMap<String, String>,
}

macro_rules! field_access {
    ($t:ty) => {
        impl $t {
            /// A field's value, when present and not empty.
            pub fn get(&self, field: &str) -> Option<&str> {
                self.fields
                    .get(field)
                    .map(String::as_str)
                    .filter(|v| !v.is_empty())
            }

            /// Sets a field; an empty value removes it.
            pub fn set(&mut self, field: &str, value: impl Into<String>) {
                let value = value.into();
                if value.is_empty() {
                    self.fields.remove(field);
                } else {
                    self.fields.insert(field.to_owned(), value);
                }
            }
        }
    };
}
field_access!(PersonRecord);
field_access!(NoteRecord);

/// Why a record was refused: the record (by its id when it has one, which is
/// not personal data), the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{kind} {record}: {field}: {message}")]
pub struct RecordError {
    /// `person` or `note`.
    pub kind: &'static str,
    pub record: String,
    pub field: String,
    pub rule: &'static str,
    pub message: String,
}

/// A document that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum PfifError {
    #[error("not well-formed XML at byte {position}: {reason}")]
    Xml { position: u64, reason: String },
    #[error("the root element must be pfif:pfif in the namespace {NAMESPACE}")]
    NotPfif,
}

/// What a document holds: every record read, and every record refused with
/// its reason. Notes inside a person are in its `notes`; top-level notes in
/// `notes`.
#[derive(Debug, Default)]
pub struct Document {
    pub persons: Vec<PersonRecord>,
    pub notes: Vec<NoteRecord>,
    pub refused: Vec<RecordError>,
}

fn is_pfif_namespace(ns: &[u8]) -> bool {
    ns.strip_prefix(b"http://zesty.ca/pfif/1.")
        .is_some_and(|v| !v.is_empty() && v.iter().all(u8::is_ascii_digit))
}

/// What the reader is inside of.
enum Open {
    /// A person, its errors, and its notes with theirs.
    Person(
        PersonRecord,
        Vec<RecordError>,
        Vec<(NoteRecord, Vec<RecordError>)>,
    ),
    Note(NoteRecord, Vec<RecordError>),
}

/// Reads a PFIF document (1.4, or an earlier version's field names).
pub fn parse(xml: &[u8]) -> Result<Document, PfifError> {
    let mut reader = NsReader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut doc = Document::default();
    let mut stack: Vec<Open> = Vec::new();
    // The field being read and its text.
    let mut field: Option<(String, String)> = None;
    let mut depth_in_field = 0usize;
    let mut root_seen = false;
    let mut buf = Vec::new();
    let xml_err = |reader: &NsReader<&[u8]>, e: &dyn std::fmt::Display| PfifError::Xml {
        position: reader.buffer_position(),
        reason: e.to_string(),
    };
    loop {
        let (in_pfif, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => (
                matches!(ns, ResolveResult::Bound(ref n) if is_pfif_namespace(n.as_ref())),
                event,
            ),
            Err(e) => {
                return Err(PfifError::Xml {
                    position: reader.buffer_position(),
                    reason: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if !root_seen {
                    if !(in_pfif && local == "pfif") {
                        return Err(PfifError::NotPfif);
                    }
                    root_seen = true;
                } else if field.is_some() {
                    depth_in_field += 1;
                } else if in_pfif && local == "person" && stack.is_empty() {
                    stack.push(Open::Person(
                        PersonRecord::default(),
                        Vec::new(),
                        Vec::new(),
                    ));
                } else if in_pfif && local == "note" && stack.len() <= 1 {
                    if matches!(stack.last(), Some(Open::Note(..))) {
                        field = Some((local, String::new()));
                    } else {
                        stack.push(Open::Note(NoteRecord::default(), Vec::new()));
                    }
                } else if !stack.is_empty() {
                    field = Some((if in_pfif { local } else { String::new() }, String::new()));
                } else if in_pfif {
                    doc.refused.push(RecordError {
                        kind: "person",
                        record: "document".into(),
                        field: local,
                        rule: "known_record",
                        message: "only person and note records may stand in pfif:pfif".into(),
                    });
                    reader
                        .read_to_end_into(e.name(), &mut Vec::new())
                        .map_err(|e| xml_err(&reader, &e))?;
                }
            }
            // `<pfif:sex/>` is an empty field, the same as one left out; an
            // empty record has none of its required fields.
            Event::Empty(e) if stack.is_empty() && in_pfif => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if root_seen && (local == "person" || local == "note") {
                    doc.refused.push(RecordError {
                        kind: if local == "note" { "note" } else { "person" },
                        record: local,
                        field: "person_record_id".into(),
                        rule: "required",
                        message: "PFIF 1.4 requires it".into(),
                    });
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = field.as_mut() {
                    let s = t.decode().map_err(|e| xml_err(&reader, &e))?;
                    text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some((_, text)) = field.as_mut() {
                    text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = field.as_mut() {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    let c = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    match c {
                        Some(c) => text.push(c),
                        // No DTD is read, so no other entity can be defined.
                        None => {
                            return Err(PfifError::Xml {
                                position: reader.buffer_position(),
                                reason: format!("undefined entity &{name};"),
                            });
                        }
                    }
                }
            }
            Event::End(_) => {
                if field.is_some() && depth_in_field > 0 {
                    depth_in_field -= 1;
                } else if let Some((name, text)) = field.take() {
                    if !name.is_empty() {
                        add_field(stack.last_mut(), &name, &text);
                    }
                } else if let Some(open) = stack.pop() {
                    match open {
                        Open::Person(p, errors, notes) => finish_person(&mut doc, p, errors, notes),
                        Open::Note(n, errors) => match stack.last_mut() {
                            Some(Open::Person(_, _, notes)) => notes.push((n, errors)),
                            _ => {
                                finish_note(&mut doc, n, errors, None);
                            }
                        },
                    }
                }
            }
            Event::Eof if !stack.is_empty() || field.is_some() => {
                return Err(PfifError::Xml {
                    position: reader.buffer_position(),
                    reason: "the document ends inside a record".into(),
                });
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(PfifError::NotPfif);
    }
    Ok(doc)
}

fn add_field(open: Option<&mut Open>, name: &str, raw: &str) {
    let name = RENAMED
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new);
    let value = raw.trim().to_owned();
    let (fields, errors, known): (_, _, &[&str]) = match open {
        Some(Open::Person(p, e, _)) => (&mut p.fields, e, &PERSON_FIELDS),
        Some(Open::Note(n, e)) => (&mut n.fields, e, &NOTE_FIELDS),
        None => return,
    };
    let error = |rule, message: &str| RecordError {
        kind: "",
        record: String::new(),
        field: name.to_owned(),
        rule,
        message: message.to_owned(),
    };
    if !known.contains(&name) {
        errors.push(error("known_field", "not a field of this PFIF 1.4 record"));
    } else if fields.contains_key(name) {
        errors.push(error("repeated_field", "given more than once"));
    } else if value.chars().count() > MAX_VALUE {
        errors.push(error("too_long", "longer than 10000 characters"));
    } else if !value.is_empty() {
        fields.insert(name.to_owned(), value);
    }
}

fn finish_person(
    doc: &mut Document,
    mut p: PersonRecord,
    mut errors: Vec<RecordError>,
    nested: Vec<(NoteRecord, Vec<RecordError>)>,
) {
    if p.get("full_name").is_none() {
        // Records of PFIF 1.2 and earlier have only the name parts.
        let parts: Vec<&str> = [p.get("given_name"), p.get("family_name")]
            .into_iter()
            .flatten()
            .collect();
        if !parts.is_empty() {
            let full = parts.join(" ");
            p.set("full_name", full);
        }
    }
    check_person(&p, &mut errors);
    let id = p.get("person_record_id").unwrap_or("person").to_owned();
    let mut notes = Vec::new();
    for (mut n, note_errors) in nested {
        // A note inside a person is about that person.
        match n.get("person_record_id") {
            None => n.set("person_record_id", id.clone()),
            Some(other) if other != id => {
                let note_id = n.get("note_record_id").unwrap_or("note").to_owned();
                doc.refused.push(RecordError {
                    kind: "note",
                    record: note_id,
                    field: "person_record_id".into(),
                    rule: "enclosing_person",
                    message: "names another person than the one it stands in".into(),
                });
                continue;
            }
            Some(_) => {}
        }
        notes.push((n, note_errors));
    }
    if let Some(first) = errors.first() {
        doc.refused.push(RecordError {
            kind: "person",
            record: id.clone(),
            ..first.clone()
        });
        // A refused person takes its notes with it: they would have no one to belong to.
        for (n, _) in notes {
            doc.refused.push(RecordError {
                kind: "note",
                record: n.get("note_record_id").unwrap_or("note").to_owned(),
                field: "person_record_id".into(),
                rule: "person_refused",
                message: "the person it stands in was refused".into(),
            });
        }
        return;
    }
    for (n, errs) in notes {
        if let Some(n) = finish_note(doc, n, errs, Some(&id)) {
            p.notes.push(n);
        }
    }
    doc.persons.push(p);
}

/// Checks a note; a top-level note goes to `doc.notes`, a nested one is returned.
fn finish_note(
    doc: &mut Document,
    n: NoteRecord,
    mut errors: Vec<RecordError>,
    person: Option<&str>,
) -> Option<NoteRecord> {
    check_note(&n, &mut errors);
    if let Some(first) = errors.into_iter().next() {
        doc.refused.push(RecordError {
            kind: "note",
            record: n.get("note_record_id").unwrap_or("note").to_owned(),
            ..first
        });
        return None;
    }
    match person {
        Some(_) => Some(n),
        None => {
            doc.notes.push(n);
            None
        }
    }
}

fn push(errors: &mut Vec<RecordError>, field: &str, rule: &'static str, message: &str) {
    errors.push(RecordError {
        kind: "",
        record: String::new(),
        field: field.to_owned(),
        rule,
        message: message.to_owned(),
    });
}

/// `example.org/person.42`: a domain name, a slash, and a unique string.
pub fn is_record_id(id: &str) -> bool {
    match id.split_once('/') {
        Some((domain, local)) => {
            !domain.is_empty()
                && !local.is_empty()
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
                && !local.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `2021-08-15T10:00:00Z`: a date and time in UTC to the second.
pub fn is_utc_date_time(s: &str) -> bool {
    s.len() == 20 && chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// `1970`, `1970-01` or `1970-01-31`.
pub fn is_pfif_date(s: &str) -> bool {
    match s.len() {
        4 => s.bytes().all(|b| b.is_ascii_digit()),
        7 => chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

/// `35` or `35-45`.
fn is_age(s: &str) -> bool {
    let num = |p: &str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('-') {
        Some((a, b)) => num(a) && num(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok(),
        None => num(s),
    }
}

fn check_dates(fields: &BTreeMap<String, String>, names: &[&str], errors: &mut Vec<RecordError>) {
    for name in names {
        if fields.get(*name).is_some_and(|v| !is_utc_date_time(v)) {
            push(
                errors,
                name,
                "utc_date_time",
                "must be a UTC date and time such as 2021-08-15T10:00:00Z",
            );
        }
    }
}

fn check_person(p: &PersonRecord, errors: &mut Vec<RecordError>) {
    for f in PERSON_REQUIRED {
        if p.get(f).is_none() {
            push(errors, f, "required", "PFIF 1.4 requires it");
        }
    }
    if p.get("person_record_id")
        .is_some_and(|id| !is_record_id(id))
    {
        push(
            errors,
            "person_record_id",
            "record_id",
            "must be a domain name, a slash and a unique string (example.org/person.1)",
        );
    }
    check_dates(
        &p.fields,
        &["entry_date", "expiry_date", "source_date"],
        errors,
    );
    if p.get("sex")
        .is_some_and(|s| !["female", "male", "other"].contains(&s))
    {
        push(errors, "sex", "one_of", "must be female, male or other");
    }
    if p.get("date_of_birth").is_some_and(|d| !is_pfif_date(d)) {
        push(
            errors,
            "date_of_birth",
            "date",
            "must be YYYY, YYYY-MM or YYYY-MM-DD",
        );
    }
    if p.get("age").is_some_and(|a| !is_age(a)) {
        push(
            errors,
            "age",
            "format",
            "must be a number or a range such as 35-45",
        );
    }
    if p.get("home_country")
        .is_some_and(|c| !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())))
    {
        push(
            errors,
            "home_country",
            "format",
            "must be an ISO 3166-1 alpha-2 code such as AF",
        );
    }
}

fn check_note(n: &NoteRecord, errors: &mut Vec<RecordError>) {
    // author_name is required by PFIF 1.4, but Person Finder's own notes come
    // without it; Muster reads them and writes an empty author_name back.
    for f in ["note_record_id", "person_record_id", "source_date"] {
        if n.get(f).is_none() {
            push(errors, f, "required", "PFIF 1.4 requires it");
        }
    }
    for f in [
        "note_record_id",
        "person_record_id",
        "linked_person_record_id",
    ] {
        if n.get(f).is_some_and(|id| !is_record_id(id)) {
            push(
                errors,
                f,
                "record_id",
                "must be a domain name, a slash and a unique string (example.org/note.1)",
            );
        }
    }
    check_dates(&n.fields, &["entry_date", "source_date"], errors);
    if n.get("author_made_contact")
        .is_some_and(|v| v != "true" && v != "false")
    {
        push(
            errors,
            "author_made_contact",
            "one_of",
            "must be true or false",
        );
    }
    if n.get("status").is_some_and(|s| !NOTE_STATUSES.contains(&s)) {
        push(
            errors,
            "status",
            "one_of",
            "must be information_sought, is_note_author, believed_alive, believed_missing or believed_dead",
        );
    }
}

/// Text safe inside an XML element: markup escaped, characters XML forbids dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn write_fields(
    out: &mut String,
    indent: &str,
    order: &[&str],
    required: &[&str],
    fields: &BTreeMap<String, String>,
) {
    for name in order {
        let value = fields.get(*name).map(String::as_str).unwrap_or_default();
        if !value.is_empty() || required.contains(name) {
            out.push_str(&format!(
                "{indent}<pfif:{name}>{}</pfif:{name}>\n",
                escape(value)
            ));
        }
    }
}

/// Writes persons with their notes nested, as a PFIF 1.4 document.
pub fn write_document(persons: &[PersonRecord]) -> String {
    let mut out = String::with_capacity(persons.len() * 600 + 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<pfif:pfif xmlns:pfif=\"{NAMESPACE}\">\n"));
    for p in persons {
        out.push_str("  <pfif:person>\n");
        write_fields(
            &mut out,
            "    ",
            &PERSON_FIELDS,
            &PERSON_REQUIRED,
            &p.fields,
        );
        for n in &p.notes {
            out.push_str("    <pfif:note>\n");
            write_fields(&mut out, "      ", &NOTE_FIELDS, &NOTE_REQUIRED, &n.fields);
            out.push_str("    </pfif:note>\n");
        }
        out.push_str("  </pfif:person>\n");
    }
    out.push_str("</pfif:pfif>\n");
    out
}

/// A time as PFIF writes it.
pub fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The household a person record becomes: one person, the principal. What
/// Muster's person has no place for (the record's author, description, home
/// address, age, photo and profile links) stays in the record kept beside it.
pub fn household(record: &PersonRecord) -> domain::NewCase {
    use domain::dates::{Calendar, DateOfBirth, Precision};
    use domain::person::{PersonDetails, Relationship, Sex};
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut given = record.get("given_name").map(one_line);
    let family = record.get("family_name").map(one_line);
    let full = record.get("full_name").map(one_line);
    let mut native = None;
    if given.is_none() && family.is_none() {
        // Only the full name: kept where its script belongs.
        match full {
            Some(f) if f.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) => {
                native = Some(f)
            }
            f => given = f,
        }
    } else if let Some(f) =
        full.filter(|f| f.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)))
    {
        native = Some(f);
    }
    let date_of_birth = record.get("date_of_birth").and_then(|d| {
        let mut parts = d.split('-').map(|p| p.parse::<u32>().ok());
        let year = i32::try_from(parts.next()??).ok()?;
        let month = parts.next().flatten().and_then(|m| u8::try_from(m).ok());
        let day = parts.next().flatten().and_then(|m| u8::try_from(m).ok());
        Some(DateOfBirth {
            calendar: Calendar::Gregorian,
            year,
            month,
            day,
            precision: match (month, day) {
                (Some(_), Some(_)) => Precision::Day,
                (Some(_), None) => Precision::Month,
                _ => Precision::Year,
            },
        })
    });
    let sex = match record.get("sex") {
        Some("female") => Sex::Female,
        Some("male") => Sex::Male,
        Some("other") => Sex::Other,
        _ => Sex::Unknown,
    };
    domain::NewCase {
        members: vec![PersonDetails {
            relationship: Relationship::Principal,
            given_name: given,
            family_name: family,
            father_name: None,
            full_name_native: native,
            date_of_birth,
            sex,
            nationalities: vec![],
            documents: vec![],
            contacts: vec![],
            province: record.get("home_state").map(one_line),
            employer: None,
            employer_nation: None,
            years_of_service: None,
            family_ties: Vec::new(),
            at_risk: None,
            medical_need: None,
        }],
        ..Default::default()
    }
}

/// A person registered in Muster as a PFIF record: `id` is its
/// `person_record_id`, `source_name` names this repository, `home_country`
/// the operation's country.
pub fn person_record(
    details: &domain::person::PersonDetails,
    id: &str,
    source_name: &str,
    home_country: &str,
    registered: chrono::DateTime<chrono::Utc>,
    updated: chrono::DateTime<chrono::Utc>,
) -> PersonRecord {
    use domain::dates::Calendar;
    use domain::person::Sex;
    let mut r = PersonRecord::default();
    r.set("person_record_id", id);
    r.set("entry_date", utc(updated));
    r.set("source_name", source_name);
    r.set("source_date", utc(registered));
    let name = details.display_name();
    r.set("full_name", name.clone());
    r.set("given_name", details.given_name.clone().unwrap_or_default());
    r.set(
        "family_name",
        details.family_name.clone().unwrap_or_default(),
    );
    if let Some(native) = details.full_name_native.as_deref().filter(|n| *n != name) {
        r.set("alternate_names", native);
    }
    r.set(
        "sex",
        match details.sex {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "",
        },
    );
    // PFIF dates are Gregorian; a Solar Hijri date is left to the record's
    // keeper rather than converted to a day nobody gave.
    if let Some(d) = details
        .date_of_birth
        .filter(|d| d.calendar == Calendar::Gregorian && (1000..=9999).contains(&d.year))
    {
        let date = match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
            (Some(m), None) => format!("{:04}-{m:02}", d.year),
            _ => format!("{:04}", d.year),
        };
        if is_pfif_date(&date) {
            r.set("date_of_birth", date);
        }
    }
    if let Some(p) = details.province.as_deref() {
        let name = crate::province::Province::recognise(p).map_or(p, |p| p.name());
        r.set("home_state", name);
    }
    if home_country.len() == 2 {
        r.set("home_country", home_country.to_ascii_uppercase());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
    <pfif:source_date>2021-08-15T10:00:00Z</pfif:source_date>
    <pfif:first_name> Nabi </pfif:first_name>
    <pfif:last_name>Ahmadzai &amp; sons</pfif:last_name>
    <pfif:note>
      <pfif:note_record_id>example.org/note.1</pfif:note_record_id>
      <pfif:source_date>2021-08-15T11:00:00Z</pfif:source_date>
      <pfif:text>seen at the gate</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>no-slash</pfif:person_record_id>
    <pfif:source_date>15/08/2021</pfif:source_date>
    <pfif:full_name>Wali</pfif:full_name>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>example.org/note.2</pfif:note_record_id>
    <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
    <pfif:source_date>2021-08-16T11:00:00Z</pfif:source_date>
    <pfif:status>believed_fine</pfif:status>
  </pfif:note>
</pfif:pfif>"#;

    #[test]
    fn reads_good_records_and_refuses_bad_ones_with_a_reason() {
        let doc = parse(DOC.as_bytes()).unwrap();
        assert_eq!(doc.persons.len(), 1);
        let p = &doc.persons[0];
        assert_eq!(p.get("given_name"), Some("Nabi"), "renamed and trimmed");
        assert_eq!(p.get("family_name"), Some("Ahmadzai & sons"));
        assert_eq!(p.get("full_name"), Some("Nabi Ahmadzai & sons"));
        assert_eq!(p.notes.len(), 1);
        assert_eq!(
            p.notes[0].get("person_record_id"),
            Some("example.org/person.1"),
            "a nested note is about its person"
        );
        let reasons: Vec<(&str, &str, &str)> = doc
            .refused
            .iter()
            .map(|e| (e.record.as_str(), e.field.as_str(), e.rule))
            .collect();
        assert_eq!(
            reasons,
            [
                ("no-slash", "person_record_id", "record_id"),
                ("example.org/note.2", "status", "one_of"),
            ]
        );
    }

    #[test]
    fn writes_what_it_reads_in_the_specified_order() {
        let doc = parse(DOC.as_bytes()).unwrap();
        let xml = write_document(&doc.persons);
        assert!(xml.contains("Ahmadzai &amp; sons"));
        let id = xml.find("<pfif:person_record_id>").unwrap();
        let date = xml.find("<pfif:source_date>").unwrap();
        let name = xml.find("<pfif:full_name>").unwrap();
        assert!(id < date && date < name);
        assert!(
            xml.contains("<pfif:author_name></pfif:author_name>"),
            "required in notes"
        );
        let again = parse(xml.as_bytes()).unwrap();
        assert!(again.refused.is_empty(), "{:?}", again.refused);
        assert_eq!(again.persons, doc.persons);
    }

    #[test]
    fn a_document_that_is_not_pfif_is_refused_whole() {
        assert!(matches!(parse(b"<html/>"), Err(PfifError::NotPfif)));
        assert!(matches!(
            parse(b"<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person>"),
            Err(PfifError::Xml { .. })
        ));
        let entity = b"<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person>\
            <pfif:full_name>&bomb;</pfif:full_name></pfif:person></pfif:pfif>";
        assert!(matches!(parse(entity), Err(PfifError::Xml { .. })));
    }

    #[test]
    fn a_person_record_becomes_a_one_person_household_and_back() {
        let doc = parse(DOC.as_bytes()).unwrap();
        let case = household(&doc.persons[0]);
        assert_eq!(case.members.len(), 1);
        let m = &case.members[0];
        assert_eq!(m.relationship, domain::Relationship::Principal);
        assert_eq!(m.given_name.as_deref(), Some("Nabi"));
        assert!(
            case.check(chrono::NaiveDate::from_ymd_opt(2021, 8, 20).unwrap())
                .is_ok()
        );
        let t = chrono::DateTime::parse_from_rfc3339("2021-08-15T10:00:00Z")
            .unwrap()
            .to_utc();
        let back = person_record(m, "muster.example/person.1", "Muster", "af", t, t);
        assert_eq!(back.get("full_name"), Some("Nabi Ahmadzai & sons"));
        assert_eq!(back.get("home_country"), Some("AF"));
        let mut errors = Vec::new();
        check_person(&back, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn field_rules() {
        assert!(is_record_id("test.google.com/person.21009"));
        assert!(!is_record_id("/person.1"));
        assert!(!is_record_id("example.org/"));
        assert!(!is_record_id("exa mple.org/p"));
        assert!(is_utc_date_time("2000-01-16T02:07:57Z"));
        assert!(!is_utc_date_time("2000-01-16T02:07:57+02:00"));
        assert!(!is_utc_date_time("2000-13-16T02:07:57Z"));
        assert!(is_pfif_date("1970") && is_pfif_date("1970-01") && is_pfif_date("1970-01-31"));
        assert!(!is_pfif_date("1970-1") && !is_pfif_date("1970-02-30"));
        assert!(is_age("35-45") && is_age("7") && !is_age("45-35") && !is_age("old"));
    }
}
