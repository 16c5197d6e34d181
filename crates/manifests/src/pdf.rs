//! The printable manifest: an A4 PDF 1.4 written by hand. It uses only the standard
//! Helvetica fonts (no font file is embedded), with WinAnsi encoding, so it can show
//! Latin-1 (and the few extra WinAnsi characters) but no other script; see the crate docs.

use std::fmt::Write as _;
use std::io::Write as _;

use qrcode::{Color, EcLevel, QrCode};

use crate::model::{Manifest, ManifestHousehold, Passenger};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 36.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BODY: f32 = 8.5;
const LINE: f32 = 10.5;
const TITLE: f32 = 13.0;
const HOUSEHOLD_TITLE: f32 = 9.5;
/// Side of a household's QR code, quiet zone included (about 30 mm).
const QR_SIZE: f32 = 84.0;
const QR_QUIET: usize = 4;
const FOOTER_H: f32 = 16.0;
const BLOCK_GAP: f32 = 8.0;
const CELL_PAD: f32 = 4.0;
/// Table columns: heading and width in points. The QR column sits to their right.
const COLUMNS: [(&str, f32); 6] = [
    ("#", 16.0),
    ("Family name", 94.0),
    ("Given names", 104.0),
    ("Document", 118.0),
    ("Nat.", 34.0),
    ("Date of birth", 56.0),
];

/// The manifest as a printable A4 PDF: a header with the movement, departure and seat
/// count on every page, then the households, each with its persons and its QR code.
/// A household moves whole to the next page when it does not fit, and only one longer
/// than a page is split (its continuation is marked).
pub fn pdf(manifest: &Manifest) -> Vec<u8> {
    let mut layout = Layout::new(manifest);
    for household in &manifest.households {
        layout.household(household);
    }
    let pages = layout.finish();
    let title = format!(
        "Manifest {} {}",
        manifest.movement.kind.label(),
        manifest.movement.designator
    );
    write_document(&pages, &title)
}

/// Lays households onto pages; each page is a content stream.
struct Layout {
    header: Vec<u8>,
    /// y of the first line under the header.
    body_top: f32,
    footer_left: Vec<u8>,
    pages: Vec<String>,
    page: String,
    y: f32,
    page_empty: bool,
}

impl Layout {
    fn new(manifest: &Manifest) -> Self {
        let (header, body_top) = header(manifest);
        let movement = &manifest.movement;
        let footer_left = encode(&format!(
            "{} {} departing {} - contains personal data: keep secure, destroy after use",
            movement.kind.label(),
            movement.designator,
            movement.departs_at.format("%Y-%m-%d %H:%M UTC"),
        ));
        let mut layout = Layout {
            header,
            body_top,
            footer_left,
            pages: Vec::new(),
            page: String::new(),
            y: 0.0,
            page_empty: true,
        };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        if !self.page.is_empty() {
            self.pages.push(std::mem::take(&mut self.page));
        }
        self.page
            .push_str(std::str::from_utf8(&self.header).unwrap_or_default());
        self.y = self.body_top;
        self.page_empty = true;
    }

    fn bottom() -> f32 {
        MARGIN + FOOTER_H
    }

    fn household(&mut self, household: &ManifestHousehold) {
        let rows: Vec<Row> = household
            .persons
            .iter()
            .enumerate()
            .map(|(i, p)| Row::new(i + 1, p))
            .collect();
        let title_h = HOUSEHOLD_TITLE + 6.0;
        let rows_h: f32 = rows.iter().map(Row::height).sum();
        let whole = (title_h + rows_h).max(QR_SIZE) + BLOCK_GAP;
        let page_space = self.body_top - Self::bottom();
        if self.y - whole < Self::bottom() && !self.page_empty {
            // Keep a household on one page whenever a page can hold it.
            if whole <= page_space || self.y - (title_h + QR_SIZE) < Self::bottom() {
                self.new_page();
            }
        }
        let seats = household.persons.iter().filter(|p| p.seat_needed).count();
        let mut first = true;
        let mut rows = rows.into_iter().peekable();
        loop {
            let top = self.y;
            let title = if first {
                format!(
                    "{}  \u{b7}  {} {}, {} {}",
                    household.reference,
                    household.persons.len(),
                    plural(household.persons.len(), "person", "persons"),
                    seats,
                    plural(seats, "seat", "seats"),
                )
            } else {
                format!("{} (continued)", household.reference)
            };
            self.separator(top + 3.0);
            self.y -= HOUSEHOLD_TITLE + 2.0;
            text(
                &mut self.page,
                Font::Bold,
                HOUSEHOLD_TITLE,
                MARGIN,
                self.y,
                &encode(&title),
            );
            self.y -= 4.0;
            let mut drawn_here = 0;
            while let Some(row) = rows.peek() {
                // A row always goes onto an empty page, however tall, so this ends.
                if self.y - row.height() < Self::bottom() && drawn_here > 0 {
                    break;
                }
                let row = rows.next().unwrap_or_else(|| unreachable!());
                row.draw(&mut self.page, self.y);
                self.y -= row.height();
                drawn_here += 1;
            }
            if first {
                qr(&mut self.page, &household.qr_payload, top);
                self.y = self.y.min(top - QR_SIZE);
            }
            self.y -= BLOCK_GAP;
            self.page_empty = false;
            first = false;
            if rows.peek().is_none() {
                break;
            }
            self.new_page();
        }
    }

    fn separator(&mut self, y: f32) {
        let _ = writeln!(
            self.page,
            "0.6 G 0.5 w {} {} m {} {} l S 0 G",
            num(MARGIN),
            num(y),
            num(PAGE_W - MARGIN),
            num(y)
        );
    }

    fn finish(mut self) -> Vec<String> {
        self.pages.push(std::mem::take(&mut self.page));
        let total = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let y = MARGIN;
            text(page, Font::Regular, 7.0, MARGIN, y, &self.footer_left);
            let number = encode(&format!("Page {} of {}", i + 1, total));
            let x = PAGE_W - MARGIN - width(&number, Font::Regular, 7.0);
            text(page, Font::Regular, 7.0, x, y, &number);
        }
        self.pages
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The header drawn on every page, and the y where the body starts under it.
fn header(manifest: &Manifest) -> (Vec<u8>, f32) {
    let movement = &manifest.movement;
    let mut out = String::new();
    let mut y = PAGE_H - MARGIN - TITLE;
    let title = format!(
        "Passenger manifest: {} {}",
        movement.kind.label(),
        movement.designator
    );
    for line in wrap(&encode(&title), Font::Bold, TITLE, CONTENT_W) {
        text(&mut out, Font::Bold, TITLE, MARGIN, y, &line);
        y -= TITLE + 3.0;
    }
    let place = |name: &str, iata: &Option<String>| match iata {
        Some(code) => format!("{name} ({code})"),
        None => name.to_owned(),
    };
    let arrival = movement
        .arrives_at
        .map(|a| a.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "not given".into());
    let needed = manifest.seats_needed();
    let persons = manifest.passenger_count();
    let mut seats = format!(
        "Seats needed: {needed} of {} capacity \u{b7} Persons: {persons} ({} lap {}) \u{b7} Households: {}",
        manifest.seats,
        persons - needed,
        plural(persons - needed, "infant", "infants"),
        manifest.households.len(),
    );
    if needed > manifest.seats as usize {
        let _ = write!(
            seats,
            " \u{b7} OVER CAPACITY BY {}",
            needed - manifest.seats as usize
        );
    }
    let lines = [
        (
            Font::Regular,
            format!("Operation: {}", manifest.operation_name),
        ),
        (
            Font::Regular,
            format!(
                "From {} to {} \u{b7} Carrier nation: {}",
                place(&movement.origin, &movement.origin_iata),
                place(&movement.destination, &movement.destination_iata),
                movement.carrier_nation,
            ),
        ),
        (
            Font::Regular,
            format!(
                "Departs: {} \u{b7} Arrives: {arrival}",
                movement.departs_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        (Font::Bold, seats),
    ];
    for (font, line) in lines {
        for part in wrap(&encode(&line), font, BODY + 0.5, CONTENT_W) {
            text(&mut out, font, BODY + 0.5, MARGIN, y, &part);
            y -= LINE + 1.0;
        }
    }
    y -= 4.0;
    let mut x = MARGIN;
    for (heading, column) in COLUMNS {
        text(&mut out, Font::Bold, BODY, x, y, &encode(heading));
        x += column;
    }
    text(
        &mut out,
        Font::Bold,
        BODY,
        PAGE_W - MARGIN - QR_SIZE,
        y,
        b"QR code",
    );
    y -= 5.0;
    let _ = writeln!(
        out,
        "0 G 0.8 w {} {} m {} {} l S",
        num(MARGIN),
        num(y),
        num(PAGE_W - MARGIN),
        num(y)
    );
    (out.into_bytes(), y - 6.0)
}

/// One person's line(s) in the table; cells wrap instead of being cut.
struct Row {
    cells: Vec<Vec<Vec<u8>>>,
}

impl Row {
    fn new(position: usize, person: &Passenger) -> Self {
        let mut given = person.given_names.clone();
        if !person.seat_needed {
            given.push_str(" (lap infant)");
        }
        let document = person
            .document
            .as_ref()
            .map(|d| {
                let mut text = format!("{} {}", d.kind.label(), d.number);
                if let Some(country) = &d.issuing_country {
                    let _ = write!(text, " ({country})");
                }
                text
            })
            .unwrap_or_else(|| "none".into());
        let texts = [
            position.to_string(),
            person.family_name.clone(),
            given,
            document,
            person.nationality.clone().unwrap_or_default(),
            person
                .date_of_birth
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ];
        let cells = texts
            .iter()
            .zip(COLUMNS)
            .map(|(t, (_, w))| wrap(&encode(t), Font::Regular, BODY, w - CELL_PAD))
            .collect();
        Row { cells }
    }

    fn height(&self) -> f32 {
        let lines = self.cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * LINE
    }

    /// Draws the row with its top at `top`.
    fn draw(&self, page: &mut String, top: f32) {
        let mut x = MARGIN;
        for (lines, (_, column)) in self.cells.iter().zip(COLUMNS) {
            let mut y = top - BODY;
            for line in lines {
                text(page, Font::Regular, BODY, x, y, line);
                y -= LINE;
            }
            x += column;
        }
    }
}

/// Draws the household's QR code with its top-right corner at the right margin and
/// `top`, as filled rectangles (one per horizontal run of dark modules).
fn qr(page: &mut String, payload: &str, top: f32) {
    let x = PAGE_W - MARGIN - QR_SIZE;
    let y = top - QR_SIZE;
    if payload.is_empty() {
        return;
    }
    let Ok(code) = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M) else {
        text(
            page,
            Font::Regular,
            7.0,
            x,
            top - 10.0,
            b"QR: payload too long",
        );
        return;
    };
    let modules = code.width();
    let colors = code.to_colors();
    let scale = QR_SIZE / (modules + 2 * QR_QUIET) as f32;
    // Module units from here on: x to the right, y up, origin at the quiet zone's corner.
    let _ = writeln!(
        page,
        "q 0 g {0} 0 0 {0} {1} {2} cm",
        num(scale),
        num(x),
        num(y)
    );
    for row in 0..modules {
        let line = &colors[row * modules..(row + 1) * modules];
        let module_y = QR_QUIET + modules - 1 - row;
        let mut col = 0;
        while col < modules {
            if line[col] == Color::Dark {
                let start = col;
                while col < modules && line[col] == Color::Dark {
                    col += 1;
                }
                let _ = write!(
                    page,
                    "{} {module_y} {} 1 re ",
                    start + QR_QUIET,
                    col - start
                );
            } else {
                col += 1;
            }
        }
        page.push('\n');
    }
    page.push_str("f Q\n");
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }
}

fn text(page: &mut String, font: Font, size: f32, x: f32, y: f32, encoded: &[u8]) {
    if encoded.is_empty() {
        return;
    }
    let _ = writeln!(
        page,
        "BT /{} {} Tf 1 0 0 1 {} {} Tm ({}) Tj ET",
        font.resource(),
        num(size),
        num(x),
        num(y),
        literal(encoded)
    );
}

/// A PDF literal string body: printable ASCII as is, delimiters escaped, the rest octal,
/// so the content stream stays 7-bit.
fn literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}

/// Text in WinAnsi: Latin-1 and the WinAnsi extras as themselves, anything else
/// transliterated to ASCII where possible, else `?`. Control characters become spaces.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(b) = winansi(c) {
            out.push(b);
        } else if c.is_control() {
            out.push(b' ');
        } else {
            let ascii = deunicode::deunicode_char(c).unwrap_or("");
            let printable: Vec<u8> = ascii.bytes().filter(|b| (0x20..0x7f).contains(b)).collect();
            if printable.is_empty() || ascii.contains("[?]") {
                out.push(b'?');
            } else {
                out.extend(printable);
            }
        }
    }
    out
}

fn winansi(c: char) -> Option<u8> {
    let code = c as u32;
    if (0x20..0x7f).contains(&code) || (0xa0..=0xff).contains(&code) {
        return u8::try_from(code).ok();
    }
    const EXTRA: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8a),
        ('‹', 0x8b),
        ('Œ', 0x8c),
        ('Ž', 0x8e),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9a),
        ('›', 0x9b),
        ('œ', 0x9c),
        ('ž', 0x9e),
        ('Ÿ', 0x9f),
    ];
    EXTRA.iter().find(|(ch, _)| *ch == c).map(|&(_, b)| b)
}

/// Helvetica advance widths (1/1000 em) of 0x20..=0x7E, from the standard AFM metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // sp-/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @-O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-_
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `-o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-~
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // sp-/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0-?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @-O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P-_
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // `-o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p-~
];

/// Width in points of encoded text. Bytes above ASCII count as a full em, no narrower
/// than any WinAnsi glyph, so a line is never wider than measured.
fn width(encoded: &[u8], font: Font, size: f32) -> f32 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    let units: u32 = encoded
        .iter()
        .map(|&b| match b {
            0x20..=0x7e => u32::from(table[usize::from(b - 0x20)]),
            _ => 1000,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Greedy word wrap to `max` points; a word longer than a line is broken.
fn wrap(encoded: &[u8], font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in encoded.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let mut candidate = line.clone();
        if !candidate.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(word);
        if width(&candidate, font, size) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for &b in word {
            line.push(b);
            if width(&line, font, size) > max && line.len() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, vec![b]));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A coordinate with at most two decimals and no trailing zeros.
fn num(value: f32) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Serialises the pages: catalog, page tree, the two standard fonts, info, then one page
/// object and one compressed content stream per page, and the cross-reference table.
fn write_document(pages: &[String], title: &str) -> Vec<u8> {
    const FIRST_PAGE: usize = 6;
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", FIRST_PAGE + 2 * i))
        .collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    for base in ["Helvetica", "Helvetica-Bold"] {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"
            )
            .into_bytes(),
        );
    }
    objects.push(
        format!(
            "<< /Title ({}) /Producer (Muster) >>",
            literal(&encode(title))
        )
        .into_bytes(),
    );
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                num(PAGE_W),
                num(PAGE_H),
                FIRST_PAGE + 2 * i + 1
            )
            .into_bytes(),
        );
        let compressed = deflate(content.as_bytes());
        let mut stream = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            compressed.len()
        )
        .into_bytes();
        stream.extend_from_slice(&compressed);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }

    // The comment's high bytes tell transfer tools that the file is binary.
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
    // Each entry is exactly 20 bytes, end of line included.
    out.extend_from_slice(b"0000000000 65535 f \n");
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winansi_keeps_latin1_and_replaces_other_scripts() {
        assert_eq!(encode("Zoë"), b"Zo\xeb".to_vec());
        assert_eq!(encode("€"), vec![0x80]);
        // Not Latin-1 but Latin: transliterated.
        assert_eq!(encode("Çağrı"), b"\xc7agri".to_vec());
        // Arabic script has an ASCII transliteration too; what matters is that every
        // byte is printable and none is lost into an undefined code.
        let dari = encode("محمد");
        assert!(!dari.is_empty());
        assert!(dari.iter().all(|b| (0x20..0x7f).contains(b)));
        // No transliteration at all: a question mark.
        assert!(encode("\u{E000}").iter().all(|&b| b == b'?'));
    }

    #[test]
    fn literal_escapes_delimiters_and_high_bytes() {
        assert_eq!(literal(b"a(b)c\\"), "a\\(b\\)c\\\\");
        assert_eq!(literal(&[0xeb]), "\\353");
    }

    #[test]
    fn wrap_never_exceeds_the_width_and_keeps_every_byte() {
        let text =
            encode("Abdul Rahman Mohammadi-Karimzadeh Qasemi Abcdefghijklmnopqrstuvwxyz0123456789");
        let lines = wrap(&text, Font::Regular, BODY, 60.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(width(line, Font::Regular, BODY) <= 60.0, "{line:?}");
        }
        let rejoined: Vec<u8> = lines.concat();
        let original: Vec<u8> = text.iter().copied().filter(|&b| b != b' ').collect();
        let kept: Vec<u8> = rejoined.into_iter().filter(|&b| b != b' ').collect();
        assert_eq!(kept, original);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(595.28), "595.28");
        assert_eq!(num(-0.001), "0");
    }
}
