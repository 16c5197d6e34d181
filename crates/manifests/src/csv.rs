//! The full manifest as CSV: one row per passenger, UTF-8, for officers who open it in a
//! spreadsheet. Cells that a spreadsheet would read as a formula are defused.

use crate::model::Manifest;

/// Column headers of [`csv`], in order.
pub const HEADER: [&str; 14] = [
    "household_reference",
    "household_position",
    "family_name",
    "given_names",
    "full_name_native",
    "sex",
    "date_of_birth",
    "nationality",
    "document_kind",
    "document_number",
    "document_issuing_country",
    "document_expires_on",
    "seat_needed",
    "household_size",
];

/// The manifest as CSV (RFC 4180, CRLF line ends), with a header row.
///
/// Starts with a UTF-8 byte order mark: without it Excel reads the file as the local
/// ANSI code page and garbles every Dari name.
pub fn csv(manifest: &Manifest) -> Vec<u8> {
    let mut out = CsvWriter::new();
    out.row(HEADER.iter().copied());
    for household in &manifest.households {
        let size = household.persons.len().to_string();
        for (index, person) in household.persons.iter().enumerate() {
            let document = person.document.as_ref();
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            out.row([
                household.reference.as_str(),
                &(index + 1).to_string(),
                &person.family_name,
                &person.given_names,
                person.full_name_native.as_deref().unwrap_or(""),
                person.sex.map(|s| s.code()).unwrap_or(""),
                &date(person.date_of_birth),
                person.nationality.as_deref().unwrap_or(""),
                document.map(|d| d.kind.code()).unwrap_or(""),
                document.map(|d| d.number.as_str()).unwrap_or(""),
                document
                    .and_then(|d| d.issuing_country.as_deref())
                    .unwrap_or(""),
                &date(document.and_then(|d| d.expires_on)),
                if person.seat_needed { "yes" } else { "no" },
                &size,
            ]);
        }
    }
    out.finish()
}

/// Writes rows of text cells; shared by the full and the minimised manifest.
pub(crate) struct CsvWriter {
    buf: Vec<u8>,
}

impl CsvWriter {
    pub(crate) fn new() -> Self {
        CsvWriter {
            buf: "\u{FEFF}".as_bytes().to_vec(),
        }
    }

    pub(crate) fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            write_cell(&mut self.buf, cell);
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Whether a spreadsheet could take the cell for a formula (OWASP's "CSV injection").
fn is_formula_like(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

fn write_cell(buf: &mut Vec<u8>, cell: &str) {
    let guarded = if is_formula_like(cell) {
        // The apostrophe makes Excel and LibreOffice show the cell as text.
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        buf.push(b'"');
        buf.extend_from_slice(guarded.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(guarded.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> String {
        let mut buf = Vec::new();
        write_cell(&mut buf, text);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn formula_starts_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        // CR forces quoting as well as the apostrophe.
        assert_eq!(cell("\rx"), "\"'\rx\"");
    }

    #[test]
    fn ordinary_cells_are_untouched_or_quoted() {
        assert_eq!(cell("Rahimi"), "Rahimi");
        assert_eq!(cell("a-b"), "a-b");
        assert_eq!(cell("Rahimi, Ahmad"), "\"Rahimi, Ahmad\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }
}
