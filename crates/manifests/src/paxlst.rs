//! UN/EDIFACT PAXLST (directory D02B, as profiled by the WCO/IATA/ICAO API PAXLST
//! Implementation Guide) for the receiving border authority.
//!
//! The interchange is written in syntax level A (`UNOA:4`): upper-case A-Z, digits,
//! space and `. , - ( ) / = ! " % & * ; < >`, plus the separators, which are released
//! with `?` wherever they occur in data. Everything else is transliterated to ASCII
//! first (Dari script and diacritics included) and then dropped if still outside the set.
//!
//! Segments written, in order:
//!
//! ```text
//! UNA UNB UNG UNH BGM+745 NAD+MS TDT+20 LOC+125 DTM+189 LOC+87 DTM+232
//! per passenger: NAD+FL ATT+2 [DTM+329] LOC+178 LOC+179 [NAT+2] RFF+AVF RFF+ABO
//!                [DOC [DTM+36] [LOC+91]]
//! CNT+42 UNT UNE UNZ
//! ```
//!
//! Household grouping: every member of a household carries `RFF+AVF` (the guide's
//! "passenger reservation number", i.e. the booking or PNR locator that ties together
//! people travelling on one booking) with the household reference, which is exactly what a
//! household is to the border authority. `RFF+ABO` (the guide's unique passenger
//! reference) carries the household reference plus the person's position, e.g.
//! `AF-000042-2`, so that a reply can name one person.

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::model::{DocumentKind, Manifest, MovementKind, Sex};

/// The interchange envelope: who sends, who receives, and the reference that ties a
/// reply to this transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaxlstHeader {
    /// UNB/UNG sender identification (an..35), e.g. the ministry's agreed APIS id.
    pub sender_id: String,
    /// UNB/UNG recipient identification (an..35), e.g. the border authority's id.
    pub recipient_id: String,
    /// Used as interchange, group and message reference: 1 to 14 letters or digits.
    pub interchange_control_ref: String,
    pub prepared_at: DateTime<Utc>,
    /// Flight number for TDT if the movement's designator is not one (e.g. "Evac 3").
    pub flight_number_override: Option<String>,
}

/// Why a PAXLST could not be written: names the field and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaxlstError {
    #[error(
        "movement.kind: PAXLST is written for flights only (the implementation guide covers air \
         mode); this movement is a convoy"
    )]
    NotAFlight,
    #[error("{field} is missing: {rule}")]
    Missing { field: String, rule: &'static str },
    #[error("{field} = {value:?} is invalid: {rule}")]
    Invalid {
        field: String,
        value: String,
        rule: &'static str,
    },
}

const UNA: &str = "UNA:+.? '";

/// Builds the PAXLST interchange for `manifest`.
pub fn paxlst(manifest: &Manifest, header: &PaxlstHeader) -> Result<String, PaxlstError> {
    let movement = &manifest.movement;
    if movement.kind != MovementKind::Flight {
        return Err(PaxlstError::NotAFlight);
    }
    let origin = airport(
        movement.origin_iata.as_deref(),
        "movement.origin_iata",
        "LOC+125 and LOC+178 need the IATA code of the departure airport",
    )?;
    let destination = airport(
        movement.destination_iata.as_deref(),
        "movement.destination_iata",
        "LOC+87 and LOC+179 need the IATA code of the arrival airport",
    )?;
    let arrives_at = movement.arrives_at.ok_or_else(|| PaxlstError::Missing {
        field: "movement.arrives_at".into(),
        rule: "DTM+232 needs the scheduled arrival time",
    })?;
    let sender = party_id(&header.sender_id, "header.sender_id")?;
    let recipient = party_id(&header.recipient_id, "header.recipient_id")?;
    let reference = control_ref(&header.interchange_control_ref)?;
    let (flight, flight_field) = match &header.flight_number_override {
        Some(number) => (number.as_str(), "header.flight_number_override"),
        None => (movement.designator.as_str(), "movement.designator"),
    };
    let flight = flight_number(flight, flight_field)?;
    let reporting_party = required_text(
        &manifest.operation_name,
        "operation_name",
        "NAD+MS names the reporting party",
    )?;

    let prepared_date = header.prepared_at.format("%y%m%d").to_string();
    let prepared_time = header.prepared_at.format("%H%M").to_string();
    let departure = edi_date_time(movement.departs_at);
    let arrival = edi_date_time(arrives_at);

    let mut message = Vec::new();
    message.push(segment(
        "UNH",
        &[
            &[&reference],
            &["PAXLST", "D", "02B", "UN", "IATA"],
            // Common access reference: ties every transmission about this flight together.
            &[&format!("{flight}/{departure}")],
            &["01", "F"],
        ],
    ));
    message.push(segment("BGM", &[&["745"]]));
    message.push(segment("NAD", &[&["MS"], &[], &[], &[&reporting_party]]));
    let carrier = carrier_code(&flight);
    message.push(segment("TDT", &[&["20"], &[&flight], &[], &[], &[carrier]]));
    message.push(segment("LOC", &[&["125"], &[&origin]]));
    message.push(segment("DTM", &[&["189", &departure, "201"]]));
    message.push(segment("LOC", &[&["87"], &[&destination]]));
    message.push(segment("DTM", &[&["232", &arrival, "201"]]));

    let mut passengers = 0usize;
    for (h, household) in manifest.households.iter().enumerate() {
        let household_ref = required_text(
            &household.reference,
            &format!("households[{h}].reference"),
            "RFF+AVF groups a household by its reference",
        )?;
        for (p, person) in household.persons.iter().enumerate() {
            let at = |name: &str| format!("households[{h}].persons[{p}].{name}");
            passengers += 1;
            let family = required_text(
                &person.family_name,
                &at("family_name"),
                "NAD+FL needs a family name with at least one UNOA letter or digit",
            )?;
            let given = unoa(&person.given_names);
            message.push(segment("NAD", &[&["FL"], &[], &[], &[&family, &given]]));
            let sex = match person.sex {
                Some(Sex::Female) => "F",
                Some(Sex::Male) => "M",
                Some(Sex::Other) | None => "U",
            };
            message.push(segment("ATT", &[&["2"], &[], &[sex]]));
            if let Some(born) = person.date_of_birth {
                message.push(segment("DTM", &[&["329", &edi_date(born)]]));
            }
            message.push(segment("LOC", &[&["178"], &[&origin]]));
            message.push(segment("LOC", &[&["179"], &[&destination]]));
            if let Some(nationality) = &person.nationality {
                let nationality = country(nationality, &at("nationality"))?;
                message.push(segment("NAT", &[&["2"], &[&nationality]]));
            }
            message.push(segment("RFF", &[&["AVF", &household_ref]]));
            let unique = format!("{household_ref}-{}", p + 1);
            message.push(segment("RFF", &[&["ABO", &unique]]));
            if let Some(document) = &person.document {
                let number = required_text(
                    &document.number,
                    &at("document.number"),
                    "DOC needs the document number",
                )?;
                message.push(segment(
                    "DOC",
                    &[&[document_code(document.kind), "110", "111"], &[&number]],
                ));
                if let Some(expiry) = document.expires_on {
                    message.push(segment("DTM", &[&["36", &edi_date(expiry)]]));
                }
                if let Some(issuer) = &document.issuing_country {
                    let issuer = country(issuer, &at("document.issuing_country"))?;
                    message.push(segment("LOC", &[&["91"], &[&issuer]]));
                }
            }
        }
    }
    message.push(segment("CNT", &[&["42", &passengers.to_string()]]));
    // UNT counts every segment of the message, UNH and UNT included.
    let count = message.len() + 1;
    message.push(segment("UNT", &[&[&count.to_string()], &[&reference]]));

    let mut out = String::from(UNA);
    let mut push = |segment: String| {
        out.push_str(&segment);
        out.push('\'');
    };
    push(segment(
        "UNB",
        &[
            &["UNOA", "4"],
            &[&sender],
            &[&recipient],
            &[&prepared_date, &prepared_time],
            &[&reference],
        ],
    ));
    push(segment(
        "UNG",
        &[
            &["PAXLST"],
            &[&sender],
            &[&recipient],
            &[&prepared_date, &prepared_time],
            &[&reference],
            &["UN"],
            &["D", "02B"],
        ],
    ));
    for segment in message {
        push(segment);
    }
    push(segment("UNE", &[&["1"], &[&reference]]));
    push(segment("UNZ", &[&["1"], &[&reference]]));
    Ok(out)
}

/// Document name codes of the guide's DOC segment.
fn document_code(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Passport => "P",
        // A tazkira is Afghanistan's national identity card.
        DocumentKind::Tazkira | DocumentKind::NationalId => "I",
        // "Approved non-standard identity document used for travel".
        DocumentKind::Other => "F",
    }
}

/// Upper-cased text in the UNOA repertoire: transliterated to ASCII, then anything
/// outside the set dropped and runs of spaces collapsed. Separators stay; the segment writer
/// releases them.
pub fn unoa(text: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(text, "").to_ascii_uppercase();
    let mut out = String::with_capacity(ascii.len());
    let mut space = false;
    for c in ascii.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if is_unoa(c) {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn is_unoa(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || ".,-()/='+:?!\"%&*;<>".contains(c)
}

/// Releases the service characters declared in UNA.
fn release(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '?' | '+' | ':' | '\'') {
            out.push('?');
        }
        out.push(c);
    }
    out
}

/// One segment without its terminator; trailing empty components and elements are
/// dropped, as the syntax requires.
fn segment(tag: &str, elements: &[&[&str]]) -> String {
    let mut rendered: Vec<String> = elements
        .iter()
        .map(|components| {
            let mut parts: Vec<String> = components.iter().map(|c| release(c)).collect();
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
            }
            parts.join(":")
        })
        .collect();
    while rendered.last().is_some_and(|e| e.is_empty()) {
        rendered.pop();
    }
    let mut out = String::from(tag);
    for element in rendered {
        out.push('+');
        out.push_str(&element);
    }
    out
}

fn edi_date_time(at: DateTime<Utc>) -> String {
    at.format("%y%m%d%H%M").to_string()
}

fn edi_date(date: NaiveDate) -> String {
    date.format("%y%m%d").to_string()
}

fn required_text(text: &str, field: &str, rule: &'static str) -> Result<String, PaxlstError> {
    let clean = unoa(text);
    if clean.chars().any(|c| c.is_ascii_alphanumeric()) {
        Ok(clean)
    } else if text.trim().is_empty() {
        Err(PaxlstError::Missing {
            field: field.to_owned(),
            rule,
        })
    } else {
        Err(PaxlstError::Invalid {
            field: field.to_owned(),
            value: text.to_owned(),
            rule,
        })
    }
}

fn airport(code: Option<&str>, field: &str, rule: &'static str) -> Result<String, PaxlstError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let Some(code) = code else {
        return Err(PaxlstError::Missing {
            field: field.to_owned(),
            rule,
        });
    };
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(PaxlstError::Invalid {
            field: field.to_owned(),
            value: code.to_owned(),
            rule: "an IATA airport code is three letters",
        })
    }
}

fn country(code: &str, field: &str) -> Result<String, PaxlstError> {
    let trimmed = code.trim();
    if trimmed.len() == 3 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(trimmed.to_ascii_uppercase())
    } else {
        Err(PaxlstError::Invalid {
            field: field.to_owned(),
            value: code.to_owned(),
            rule: "NAT and LOC+91 take an ISO 3166-1 alpha-3 code (three letters)",
        })
    }
}

fn party_id(id: &str, field: &str) -> Result<String, PaxlstError> {
    let clean = required_text(id, field, "UNB and UNG need sender and recipient ids")?;
    if clean.len() > 35 {
        return Err(PaxlstError::Invalid {
            field: field.to_owned(),
            value: id.to_owned(),
            rule: "UNB sender and recipient ids are at most 35 characters",
        });
    }
    Ok(clean)
}

fn control_ref(reference: &str) -> Result<String, PaxlstError> {
    let valid = (1..=14).contains(&reference.len())
        && reference
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if valid {
        Ok(reference.to_owned())
    } else {
        Err(PaxlstError::Invalid {
            field: "header.interchange_control_ref".into(),
            value: reference.to_owned(),
            rule: "UNB, UNG and UNH references are 1 to 14 upper-case letters or digits",
        })
    }
}

fn flight_number(number: &str, field: &str) -> Result<String, PaxlstError> {
    let clean: String = unoa(number)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if clean.is_empty() || clean.len() > 17 {
        return Err(PaxlstError::Invalid {
            field: field.to_owned(),
            value: number.to_owned(),
            rule: "TDT needs a flight number of 1 to 17 letters and digits",
        });
    }
    Ok(clean)
}

/// The airline (or military call-sign) prefix of a flight number, e.g. "GAF" in "GAF123":
/// TDT's carrier. Empty when the number has no such prefix.
fn carrier_code(flight: &str) -> &str {
    let letters = flight
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let rest_is_number = flight[letters..].chars().all(|c| c.is_ascii_digit());
    if (2..=3).contains(&letters) && letters < flight.len() && rest_is_number {
        &flight[..letters]
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_character_escapes_the_separators() {
        assert_eq!(release("O'NEIL+SONS:A?B"), "O?'NEIL?+SONS?:A??B");
        assert_eq!(
            segment("NAD", &[&["FL"], &[], &[], &["O'NEIL", "A:B"]]),
            "NAD+FL+++O?'NEIL:A?:B"
        );
    }

    #[test]
    fn trailing_empty_parts_are_dropped() {
        assert_eq!(
            segment("TDT", &[&["20"], &["GAF123"], &[], &[], &[""]]),
            "TDT+20+GAF123"
        );
        assert_eq!(
            segment("NAD", &[&["FL"], &[], &[], &["DOE", ""]]),
            "NAD+FL+++DOE"
        );
    }

    #[test]
    fn unoa_transliterates_and_strips() {
        assert_eq!(unoa("Ḥāmid  Karzaī"), "HAMID KARZAI");
        assert_eq!(unoa("Müller-Lüdenscheidt_#1"), "MULLER-LUDENSCHEIDT1");
        let dari = unoa("محمد رحیمی");
        assert!(!dari.is_empty());
        assert!(
            dari.chars().all(|c| c == ' ' || c.is_ascii_uppercase()),
            "{dari}"
        );
    }

    #[test]
    fn carrier_is_the_letter_prefix_of_a_flight_number() {
        assert_eq!(carrier_code("GAF123"), "GAF");
        assert_eq!(carrier_code("LH600"), "LH");
        assert_eq!(carrier_code("EVAC"), "");
        assert_eq!(carrier_code("7"), "");
        assert_eq!(carrier_code("ABCD12"), "");
    }
}
