//! CAP 1.2, the Common Alerting Protocol (OASIS, 2010): an alert as XML that
//! other alerting systems can take in. Only writing; elements come in the
//! order the schema's sequences require, and times in CAP's own form
//! (`2021-08-15T10:30:00+00:00`, never `Z`).

use chrono::{DateTime, Utc};

pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Actual,
    Exercise,
    System,
    Test,
    Draft,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Shelter,
    Evacuate,
    Prepare,
    Execute,
    Avoid,
    Monitor,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Immediate,
    Expected,
    Future,
    Past,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Extreme,
    Severe,
    Moderate,
    Minor,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    Observed,
    Likely,
    Possible,
    Unlikely,
    Unknown,
}

/// One language's block of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// RFC 3066 language tag (`en`, `fa`).
    pub language: String,
    pub event: String,
    pub response_type: Option<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub sender_name: Option<String>,
    pub headline: String,
    pub description: String,
    pub instruction: Option<String>,
    /// Each area's description (provinces, or the whole country).
    pub areas: Vec<String>,
}

/// A CAP alert, always with scope `Public` and category `Safety` here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Unique per sender; no spaces, commas, `<` or `&` (the schema's rule).
    pub identifier: String,
    /// The sender's address, the same rule.
    pub sender: String,
    pub sent: DateTime<Utc>,
    pub status: Status,
    pub msg_type: MsgType,
    pub infos: Vec<Info>,
}

/// CAP's time: seconds, and the offset written as `+00:00`.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// Replaces what CAP forbids in identifiers and senders (white space,
/// commas, `<`, `&`) with `-`.
pub fn token(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_whitespace() || matches!(c, ',' | '<' | '&') {
                '-'
            } else {
                c
            }
        })
        .collect()
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

impl Alert {
    /// The alert as a CAP 1.2 document.
    pub fn to_xml(&self) -> String {
        let mut o = String::with_capacity(1024 + 512 * self.infos.len());
        o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        o.push_str(&format!("<alert xmlns=\"{NAMESPACE}\">\n"));
        element(&mut o, "  ", "identifier", &token(&self.identifier));
        element(&mut o, "  ", "sender", &token(&self.sender));
        element(&mut o, "  ", "sent", &time(self.sent));
        element(&mut o, "  ", "status", &format!("{:?}", self.status));
        element(&mut o, "  ", "msgType", &format!("{:?}", self.msg_type));
        element(&mut o, "  ", "scope", "Public");
        for info in &self.infos {
            o.push_str("  <info>\n");
            element(&mut o, "    ", "language", &info.language);
            element(&mut o, "    ", "category", "Safety");
            element(&mut o, "    ", "event", &info.event);
            if let Some(r) = info.response_type {
                element(&mut o, "    ", "responseType", &format!("{r:?}"));
            }
            element(&mut o, "    ", "urgency", &format!("{:?}", info.urgency));
            element(&mut o, "    ", "severity", &format!("{:?}", info.severity));
            element(
                &mut o,
                "    ",
                "certainty",
                &format!("{:?}", info.certainty),
            );
            if let Some(s) = &info.sender_name {
                element(&mut o, "    ", "senderName", s);
            }
            element(&mut o, "    ", "headline", &info.headline);
            element(&mut o, "    ", "description", &info.description);
            if let Some(i) = &info.instruction {
                element(&mut o, "    ", "instruction", i);
            }
            for area in &info.areas {
                o.push_str("    <area>\n");
                element(&mut o, "      ", "areaDesc", area);
                o.push_str("    </area>\n");
            }
            o.push_str("  </info>\n");
        }
        o.push_str("</alert>\n");
        o
    }
}

/// An entry of a feed of CAP alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    /// Where the entry's CAP document is.
    pub cap_url: String,
}

/// An Atom feed (RFC 4287) of alerts, each entry linking to its CAP document.
pub fn atom_feed(id: &str, title: &str, updated: DateTime<Utc>, entries: &[FeedEntry]) -> String {
    let stamp = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut o, "  ", "id", id);
    element(&mut o, "  ", "title", title);
    element(&mut o, "  ", "updated", &stamp(updated));
    o.push_str("  <author><name>Muster</name></author>\n");
    for e in entries {
        o.push_str("  <entry>\n");
        element(&mut o, "    ", "id", &e.id);
        element(&mut o, "    ", "title", &e.title);
        element(&mut o, "    ", "updated", &stamp(e.updated));
        o.push_str("    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"");
        escape(&mut o, &e.cap_url);
        o.push_str("\"/>\n  </entry>\n");
    }
    o.push_str("</feed>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> Alert {
        Alert {
            identifier: "muster kabul-2021,0192".into(),
            sender: "crisis-centre@example.org".into(),
            sent: Utc.with_ymd_and_hms(2021, 8, 15, 10, 30, 0).unwrap(),
            status: Status::Actual,
            msg_type: MsgType::Alert,
            infos: vec![Info {
                language: "fa".into(),
                event: "Evacuation".into(),
                response_type: Some(ResponseType::Evacuate),
                urgency: Urgency::Immediate,
                severity: Severity::Extreme,
                certainty: Certainty::Likely,
                sender_name: None,
                headline: "فوراً ترک کنید".into(),
                description: "Leave <now> & go".into(),
                instruction: None,
                areas: vec!["Kabul".into()],
            }],
        }
    }

    #[test]
    fn writes_elements_in_the_schema_s_order_with_cap_times() {
        let xml = sample().to_xml();
        let order = [
            "<identifier>",
            "<sender>",
            "<sent>",
            "<status>",
            "<msgType>",
            "<scope>",
            "<info>",
            "<language>",
            "<category>",
            "<event>",
            "<responseType>",
            "<urgency>",
            "<severity>",
            "<certainty>",
            "<headline>",
            "<description>",
            "<area>",
            "<areaDesc>",
        ];
        let positions: Vec<usize> = order.iter().map(|e| xml.find(e).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{xml}");
        assert!(xml.contains("<sent>2021-08-15T10:30:00+00:00</sent>"));
        assert!(xml.contains("<identifier>muster-kabul-2021-0192</identifier>"));
        assert!(xml.contains("Leave &lt;now&gt; &amp; go"));
        assert!(xml.contains("فوراً ترک کنید"));
        assert!(!xml.contains("<instruction>"));
    }
}
