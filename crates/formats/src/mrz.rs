//! ICAO Doc 9303 machine-readable zones: TD1 (3 lines of 30), TD2 (2 of 36)
//! and TD3 (2 of 44, passports), including the MRV-A/B visa variants.
//!
//! Input may be pasted or typed by a keyboard-wedge scanner: whitespace, line
//! breaks and lower case are tolerated, and lines whose trailing fillers were
//! lost are padded back. Every check digit is verified; an error names the
//! check digit that failed, never the characters read.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::date::{Calendar, DateError, PersonDate};
use crate::sex::Sex;
use crate::text::is_invisible;

/// The size of a machine-readable travel document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzFormat {
    /// ID-1 card: 3 lines of 30 characters.
    Td1,
    /// ID-2 card or MRV-B visa: 2 lines of 36.
    Td2,
    /// Passport or MRV-A visa: 2 lines of 44.
    Td3,
}

impl MrzFormat {
    /// (lines, characters per line).
    pub fn shape(self) -> (usize, usize) {
        match self {
            MrzFormat::Td1 => (3, 30),
            MrzFormat::Td2 => (2, 36),
            MrzFormat::Td3 => (2, 44),
        }
    }
}

/// The check digits of a machine-readable zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDigit {
    /// Over the document number.
    DocumentNumber,
    /// Over the date of birth.
    BirthDate,
    /// Over the date of expiry.
    ExpiryDate,
    /// Over the optional data / personal number (TD3).
    OptionalData,
    /// Over the document number, dates and optional data together.
    Composite,
}

impl CheckDigit {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckDigit::DocumentNumber => "document_number",
            CheckDigit::BirthDate => "birth_date",
            CheckDigit::ExpiryDate => "expiry_date",
            CheckDigit::OptionalData => "optional_data",
            CheckDigit::Composite => "composite",
        }
    }
}

impl std::fmt::Display for CheckDigit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a machine-readable zone was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// No shape matches: TD1 is 90 characters, TD2 72, TD3 88.
    #[error("MRZ has {found} characters; TD1 needs 3x30, TD2 2x36, TD3 2x44")]
    Length {
        /// Characters read, whitespace removed.
        found: usize,
    },
    /// A character other than A–Z, 0–9 and `<`.
    #[error("MRZ line {line} column {column}: only A-Z, 0-9 and < are allowed")]
    InvalidCharacter {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A check digit does not match its field.
    #[error("MRZ check digit for {0} does not match")]
    CheckDigit(CheckDigit),
    /// The document code is not a letter followed by a letter or `<`.
    #[error("MRZ document code is invalid")]
    DocumentCode,
    /// The date of birth does not exist.
    #[error("MRZ date of birth is not a valid date")]
    BirthDate,
    /// The date of expiry does not exist.
    #[error("MRZ date of expiry is not a valid date")]
    ExpiryDate,
    /// The sex is not F, M, X or `<`.
    #[error("MRZ sex must be F, M, X or <")]
    Sex,
    /// The name field holds digits or no name at all.
    #[error("MRZ name field is invalid")]
    Name,
}

impl MrzError {
    /// A short, stable name of the rule that failed, for row reports.
    pub fn rule(&self) -> String {
        match self {
            MrzError::Length { .. } => "mrz_length".into(),
            MrzError::InvalidCharacter { .. } => "mrz_character".into(),
            MrzError::CheckDigit(c) => format!("mrz_check_digit_{c}"),
            MrzError::DocumentCode => "mrz_document_code".into(),
            MrzError::BirthDate => "mrz_birth_date".into(),
            MrzError::ExpiryDate => "mrz_expiry_date".into(),
            MrzError::Sex => "mrz_sex".into(),
            MrzError::Name => "mrz_name".into(),
        }
    }
}

/// A parsed and verified machine-readable zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrz {
    /// TD1, TD2 or TD3.
    pub format: MrzFormat,
    /// Document code without fillers: `P`, `PD`, `I`, `ID`, `V`...
    pub document_type: String,
    /// Issuing state or organisation as written (`AFG`, `D`, `UTO`).
    pub issuing_state: String,
    /// Primary identifier, fillers turned into spaces.
    pub surname: String,
    /// Secondary identifier, fillers turned into spaces; may be empty.
    pub given_names: String,
    /// Document number, also when it overflows into the optional data.
    pub document_number: String,
    /// Nationality as written (`AFG`, `D`, `UTO`).
    pub nationality: String,
    /// Date of birth (century chosen so that it is not after today); `None`
    /// when the zone says it is unknown. Partly unknown dates keep a year or
    /// month precision.
    pub birth_date: Option<PersonDate>,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry; `None` when the document has none.
    pub expiry_date: Option<NaiveDate>,
    /// Optional data (personal number on a TD3), fillers removed.
    pub optional_data: String,
    /// Second optional data field of a TD1, fillers removed.
    pub optional_data_2: String,
}

impl Mrz {
    /// The nationality as an ISO 3166-1 country, when it is one (`D` is
    /// Germany; ICAO's own codes such as `XXA` stateless or `UTO` are not).
    pub fn nationality_country(&self) -> Option<Country> {
        Country::from_code(&self.nationality).ok()
    }

    /// The issuing state as an ISO 3166-1 country, when it is one.
    pub fn issuing_country(&self) -> Option<Country> {
        Country::from_code(&self.issuing_state).ok()
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1; `<` and anything else count 0,
/// A–Z count 10–35) over ASCII bytes.
pub fn check_digit(field: &[u8]) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => 0,
            };
            v * WEIGHTS[i % 3]
        })
        .sum();
    (sum % 10) as u8
}

/// Verifies a check digit character against its field. A field that is all
/// fillers may carry `<` instead of `0`.
fn verify(field: &[u8], digit: u8, which: CheckDigit) -> Result<(), MrzError> {
    let ok = match digit {
        b'0'..=b'9' => digit - b'0' == check_digit(field),
        b'<' => field.iter().all(|&c| c == b'<'),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(MrzError::CheckDigit(which))
    }
}

/// Splits input into the lines of a zone, uppercased, with whitespace removed.
fn normalise(input: &str) -> Result<(MrzFormat, Vec<Vec<u8>>), MrzError> {
    let mut lines: Vec<Vec<char>> = Vec::new();
    for raw in input.split(['\n', '\r', '\u{2028}']) {
        let line: Vec<char> = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !is_invisible(*c))
            .map(|c| match c {
                '\u{2039}' | '\u{FF1C}' => '<',
                c => c.to_ascii_uppercase(),
            })
            .collect();
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let total: usize = lines.iter().map(Vec::len).sum();
    let shape_of_total = match total {
        90 => Some(MrzFormat::Td1),
        72 => Some(MrzFormat::Td2),
        88 => Some(MrzFormat::Td3),
        _ => None,
    };
    let lines_fit = |f: MrzFormat| {
        let (n, w) = f.shape();
        lines.len() == n && lines.iter().all(|l| l.len() <= w)
    };
    let exact = |f: MrzFormat| {
        let (n, w) = f.shape();
        lines.len() == n && lines.iter().all(|l| l.len() == w)
    };
    let format = if let Some(f) = shape_of_total.filter(|f| lines.len() == 1 || exact(*f)) {
        f
    } else if lines_fit(MrzFormat::Td1) {
        MrzFormat::Td1
    } else if lines.len() == 2 {
        let longest = lines.iter().map(Vec::len).max().unwrap_or(0);
        let passport = lines[0].first() == Some(&'P');
        if lines_fit(MrzFormat::Td2) && !passport && longest > 30 {
            MrzFormat::Td2
        } else if lines_fit(MrzFormat::Td3) && (passport || longest > 36) {
            MrzFormat::Td3
        } else {
            return Err(MrzError::Length { found: total });
        }
    } else {
        return Err(MrzError::Length { found: total });
    };
    let (n, w) = format.shape();
    let flat: Vec<char> = if lines.len() == n {
        lines
            .iter()
            .flat_map(|l| {
                l.iter()
                    .copied()
                    .chain(std::iter::repeat_n('<', w - l.len()))
            })
            .collect()
    } else {
        lines.concat()
    };
    let mut bytes = Vec::with_capacity(flat.len());
    for (i, c) in flat.iter().enumerate() {
        if !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<') {
            return Err(MrzError::InvalidCharacter {
                line: i / w + 1,
                column: i % w + 1,
            });
        }
        bytes.push(*c as u8);
    }
    Ok((format, bytes.chunks(w).map(<[u8]>::to_vec).collect()))
}

fn text(field: &[u8]) -> String {
    String::from_utf8_lossy(field)
        .trim_end_matches('<')
        .to_string()
}

fn words(field: &[u8]) -> String {
    String::from_utf8_lossy(field)
        .split('<')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn name(field: &[u8]) -> Result<(String, String), MrzError> {
    if field.iter().any(u8::is_ascii_digit) {
        return Err(MrzError::Name);
    }
    let s = String::from_utf8_lossy(field);
    let (primary, secondary) = s.split_once("<<").unwrap_or((&s, ""));
    let surname = words(primary.as_bytes());
    if surname.is_empty() {
        return Err(MrzError::Name);
    }
    Ok((surname, words(secondary.as_bytes())))
}

fn two_digits(f: &[u8]) -> Option<i32> {
    match f {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(i32::from(a - b'0') * 10 + i32::from(b - b'0')),
        _ => None,
    }
}

/// YYMMDD of birth: the latest century that does not put it after today.
/// `<<` for an unknown day or month keeps a coarser precision.
fn birth_date(f: &[u8], today: NaiveDate) -> Result<Option<PersonDate>, MrzError> {
    if f.iter().all(|&c| c == b'<') {
        return Ok(None);
    }
    let yy = two_digits(&f[0..2]).ok_or(MrzError::BirthDate)?;
    let (month, day) = match (two_digits(&f[2..4]), two_digits(&f[4..6]), &f[2..6]) {
        (Some(m), Some(d), _) => (Some(m), Some(d)),
        (Some(m), None, [_, _, b'<', b'<']) => (Some(m), None),
        (None, None, [b'<', b'<', b'<', b'<']) => (None, None),
        _ => return Err(MrzError::BirthDate),
    };
    let century = today.year() / 100 * 100;
    for year in [century + yy, century - 100 + yy] {
        match crate::date::build(Calendar::Gregorian, year, month, day, today) {
            Ok(d) => return Ok(Some(d)),
            Err(DateError::FutureDate) => continue,
            Err(_) => return Err(MrzError::BirthDate),
        }
    }
    Err(MrzError::BirthDate)
}

/// YYMMDD of expiry: this century, unless that is more than 50 years ahead.
fn expiry_date(f: &[u8], today: NaiveDate) -> Result<Option<NaiveDate>, MrzError> {
    if f.iter().all(|&c| c == b'<') {
        return Ok(None);
    }
    let yy = two_digits(&f[0..2]).ok_or(MrzError::ExpiryDate)?;
    let m = two_digits(&f[2..4]).ok_or(MrzError::ExpiryDate)?;
    let d = two_digits(&f[4..6]).ok_or(MrzError::ExpiryDate)?;
    let mut year = today.year() / 100 * 100 + yy;
    if year > today.year() + 50 {
        year -= 100;
    }
    NaiveDate::from_ymd_opt(year, m as u32, d as u32)
        .map(Some)
        .ok_or(MrzError::ExpiryDate)
}

fn sex(c: u8) -> Result<Sex, MrzError> {
    match c {
        b'F' => Ok(Sex::Female),
        b'M' => Ok(Sex::Male),
        b'<' | b'X' => Ok(Sex::Unspecified),
        _ => Err(MrzError::Sex),
    }
}

/// A document number of 9 characters, or a longer one whose first 9 are in
/// the number field (check digit position `<`) and whose rest, followed by
/// its check digit, opens the optional data. Returns the number, the bytes
/// its check digit covers, the check digit, and the optional data left.
fn document_number<'a>(
    field: &'a [u8],
    digit: u8,
    optional: &'a [u8],
) -> (String, Vec<u8>, u8, &'a [u8]) {
    if digit == b'<' && optional.first().is_some_and(|&c| c != b'<') {
        let end = optional
            .iter()
            .position(|&c| c == b'<')
            .unwrap_or(optional.len());
        if end >= 1 {
            let mut covered = field.to_vec();
            covered.extend_from_slice(&optional[..end - 1]);
            let number = text(&covered);
            return (number, covered, optional[end - 1], &optional[end..]);
        }
    }
    (text(field), field.to_vec(), digit, optional)
}

fn document_code(f: &[u8]) -> Result<String, MrzError> {
    if f[0].is_ascii_uppercase() && (f[1].is_ascii_uppercase() || f[1] == b'<') {
        Ok(text(f))
    } else {
        Err(MrzError::DocumentCode)
    }
}

/// Parses and verifies a machine-readable zone. `today` resolves two-digit
/// years: a birth date takes the latest century that is not in the future.
pub fn parse_mrz(input: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let (format, lines) = normalise(input)?;
    match format {
        MrzFormat::Td1 => parse_td1(&lines[0], &lines[1], &lines[2], today),
        MrzFormat::Td2 | MrzFormat::Td3 => parse_two_line(format, &lines[0], &lines[1], today),
    }
}

fn parse_td1(l1: &[u8], l2: &[u8], l3: &[u8], today: NaiveDate) -> Result<Mrz, MrzError> {
    let document_type = document_code(&l1[0..2])?;
    let (number, covered, digit, optional_rest) = document_number(&l1[5..14], l1[14], &l1[15..30]);
    verify(&covered, digit, CheckDigit::DocumentNumber)?;
    verify(&l2[0..6], l2[6], CheckDigit::BirthDate)?;
    verify(&l2[8..14], l2[14], CheckDigit::ExpiryDate)?;
    let mut composite = l1[5..30].to_vec();
    composite.extend_from_slice(&l2[0..7]);
    composite.extend_from_slice(&l2[8..15]);
    composite.extend_from_slice(&l2[18..29]);
    verify(&composite, l2[29], CheckDigit::Composite)?;
    let (surname, given_names) = name(l3)?;
    Ok(Mrz {
        format: MrzFormat::Td1,
        document_type,
        issuing_state: text(&l1[2..5]),
        surname,
        given_names,
        document_number: number,
        nationality: text(&l2[15..18]),
        birth_date: birth_date(&l2[0..6], today)?,
        sex: sex(l2[7])?,
        expiry_date: expiry_date(&l2[8..14], today)?,
        optional_data: text(optional_rest).trim_start_matches('<').to_string(),
        optional_data_2: text(&l2[18..29]),
    })
}

fn parse_two_line(
    format: MrzFormat,
    l1: &[u8],
    l2: &[u8],
    today: NaiveDate,
) -> Result<Mrz, MrzError> {
    let w = l2.len();
    let document_type = document_code(&l1[0..2])?;
    let visa = l1[0] == b'V';
    // TD3: optional data 28..42, its check digit 42, composite 43.
    // TD2: optional data 28..35, composite 35. Visas: optional to the end.
    let optional_end = match (format, visa) {
        (_, true) => w,
        (MrzFormat::Td3, false) => 42,
        _ => 35,
    };
    let (number, covered, digit, optional_rest) =
        document_number(&l2[0..9], l2[9], &l2[28..optional_end]);
    verify(&covered, digit, CheckDigit::DocumentNumber)?;
    verify(&l2[13..19], l2[19], CheckDigit::BirthDate)?;
    verify(&l2[21..27], l2[27], CheckDigit::ExpiryDate)?;
    if !visa {
        if format == MrzFormat::Td3 {
            verify(&l2[28..42], l2[42], CheckDigit::OptionalData)?;
        }
        let mut composite = l2[0..10].to_vec();
        composite.extend_from_slice(&l2[13..20]);
        composite.extend_from_slice(&l2[21..w - 1]);
        verify(&composite, l2[w - 1], CheckDigit::Composite)?;
    }
    let (surname, given_names) = name(&l1[5..])?;
    Ok(Mrz {
        format,
        document_type,
        issuing_state: text(&l1[2..5]),
        surname,
        given_names,
        document_number: number,
        nationality: text(&l2[10..13]),
        birth_date: birth_date(&l2[13..19], today)?,
        sex: sex(l2[20])?,
        expiry_date: expiry_date(&l2[21..27], today)?,
        optional_data: text(optional_rest).trim_start_matches('<').to_string(),
        optional_data_2: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Precision;
    use proptest::prelude::*;

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    const TD2: [&str; 2] = [
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "D231458907UTO7408122F1204159<<<<<<<6",
    ];
    const TD1: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn d(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn anna(m: &Mrz) {
        assert_eq!(m.issuing_state, "UTO");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
        assert_eq!(m.sex, Sex::Female);
        let b = m.birth_date.unwrap();
        assert_eq!((b.earliest, b.precision), (d(1974, 8, 12), Precision::Day));
        assert_eq!(m.expiry_date, Some(d(2012, 4, 15)));
    }

    #[test]
    fn icao_specimen_td3() {
        let m = parse_mrz(&TD3.join("\n"), today()).unwrap();
        assert_eq!(m.format, MrzFormat::Td3);
        assert_eq!(m.document_type, "P");
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.optional_data, "ZE184226B");
        assert_eq!(
            m.nationality_country(),
            None,
            "UTO is ICAO's fictional Utopia"
        );
        anna(&m);
    }

    #[test]
    fn icao_specimen_td2() {
        let m = parse_mrz(&TD2.join("\n"), today()).unwrap();
        assert_eq!((m.format, m.document_type.as_str()), (MrzFormat::Td2, "I"));
        assert_eq!(m.document_number, "D23145890");
        anna(&m);
    }

    #[test]
    fn icao_specimen_td1() {
        let m = parse_mrz(&TD1.join("\n"), today()).unwrap();
        assert_eq!((m.format, m.document_type.as_str()), (MrzFormat::Td1, "I"));
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.optional_data, "");
        anna(&m);
    }

    #[test]
    fn tolerates_pasted_and_scanned_input() {
        let expected = parse_mrz(&TD3.join("\n"), today()).unwrap();
        let variants = [
            TD3.concat(),
            format!("  {}\r\n{}  \r\n", TD3[0], TD3[1]),
            TD3.join("\n").to_lowercase(),
            format!("{}\n{}", TD3[0].trim_end_matches('<'), TD3[1]),
            format!("{} {}", &TD3[0][..20], &TD3[0][20..]) + "\n" + TD3[1],
            format!("\u{200B}{}\n\n{}\n", TD3[0], TD3[1]),
        ];
        for v in variants {
            assert_eq!(parse_mrz(&v, today()).as_ref(), Ok(&expected), "{v:?}");
        }
        let td1 = format!("{}\n{}\n{}", TD1[0], TD1[1], TD1[2].trim_end_matches('<'));
        assert_eq!(parse_mrz(&td1, today()).unwrap().given_names, "ANNA MARIA");
        assert!(parse_mrz(&TD1.concat(), today()).is_ok());
        assert!(parse_mrz(&TD2.concat(), today()).is_ok());
    }

    fn mutate(lines: &[&str], line: usize, col: usize, c: char) -> String {
        let mut ls: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        ls[line].replace_range(col..col + 1, &c.to_string());
        ls.join("\n")
    }

    #[test]
    fn each_failing_check_digit_is_named() {
        use CheckDigit::*;
        let cases: &[(&[&str], usize, usize, char, CheckDigit)] = &[
            (&TD3, 1, 9, '5', DocumentNumber),
            (&TD3, 1, 2, '7', DocumentNumber),
            (&TD3, 1, 19, '3', BirthDate),
            (&TD3, 1, 15, '5', BirthDate),
            (&TD3, 1, 27, '8', ExpiryDate),
            (&TD3, 1, 22, '3', ExpiryDate),
            (&TD3, 1, 42, '2', OptionalData),
            (&TD3, 1, 30, 'F', OptionalData),
            (&TD3, 1, 43, '1', Composite),
            (&TD2, 1, 9, '0', DocumentNumber),
            (&TD2, 1, 19, '0', BirthDate),
            (&TD2, 1, 27, '0', ExpiryDate),
            (&TD2, 1, 35, '0', Composite),
            (&TD2, 1, 30, '1', Composite),
            (&TD1, 0, 14, '0', DocumentNumber),
            (&TD1, 1, 6, '0', BirthDate),
            (&TD1, 1, 14, '0', ExpiryDate),
            (&TD1, 1, 29, '0', Composite),
            (&TD1, 0, 20, 'X', Composite),
            (&TD1, 1, 20, '7', Composite),
        ];
        for &(lines, l, c, ch, which) in cases {
            let input = mutate(lines, l, c, ch);
            let err = parse_mrz(&input, today()).expect_err(&input);
            assert_eq!(err, MrzError::CheckDigit(which), "{input}");
            assert!(err.to_string().contains(which.as_str()));
            assert_eq!(err.rule(), format!("mrz_check_digit_{}", which.as_str()));
        }
    }

    #[test]
    fn other_errors() {
        assert_eq!(
            parse_mrz("P<UTO", today()),
            Err(MrzError::Length { found: 5 })
        );
        assert_eq!(parse_mrz("", today()), Err(MrzError::Length { found: 0 }));
        assert_eq!(
            parse_mrz(&mutate(&TD3, 0, 7, '#'), today()),
            Err(MrzError::InvalidCharacter { line: 1, column: 8 })
        );
        assert_eq!(
            parse_mrz(&mutate(&TD3, 1, 20, 'Q'), today()),
            Err(MrzError::Sex)
        );
        assert_eq!(
            parse_mrz(&mutate(&TD3, 0, 0, '1'), today()),
            Err(MrzError::DocumentCode)
        );
        assert_eq!(
            parse_mrz(&mutate(&TD3, 0, 6, '7'), today()),
            Err(MrzError::Name)
        );
        // The error message carries no MRZ content.
        let e = parse_mrz(&mutate(&TD3, 1, 9, '5'), today())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("L898902C3"));
    }

    /// Builds a valid TD3 from its fields, computing every check digit.
    fn td3(number: &str, birth: &str, expiry: &str, optional: &str, sex: char) -> String {
        let num = format!("{number:<<9}");
        let opt = format!("{optional:<<14}");
        let cd = |s: &str| char::from(b'0' + check_digit(s.as_bytes()));
        let opt_cd = if optional.is_empty() { '<' } else { cd(&opt) };
        let body = format!(
            "{num}{}AFG{birth}{}{sex}{expiry}{}{opt}{opt_cd}",
            cd(&num),
            cd(birth),
            cd(expiry)
        );
        let composite = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..43]);
        let l1 = format!("{:<<44}", "P<AFGAHMADZAI<<MOHAMMAD<NABI");
        format!("{l1}\n{body}{}", cd(&composite))
    }

    #[test]
    fn century_rule_and_unknown_dates() {
        let m = parse_mrz(&td3("P01234567", "100315", "300101", "", 'M'), today()).unwrap();
        assert_eq!(m.birth_date.unwrap().earliest, d(2010, 3, 15));
        assert_eq!(m.expiry_date, Some(d(2030, 1, 1)));
        assert_eq!(m.issuing_state, "AFG");
        assert_eq!(m.issuing_country().map(|c| c.alpha2()), Some("AF"));
        assert_eq!(
            m.nationality_country().map(|c| c.name()),
            Some("Afghanistan")
        );
        assert_eq!(m.given_names, "MOHAMMAD NABI");
        let m = parse_mrz(&td3("P01234567", "291231", "300101", "", 'M'), today()).unwrap();
        assert_eq!(m.birth_date.unwrap().earliest, d(1929, 12, 31));
        // Afghan passports often carry 1 January for an unknown day.
        let b = parse_mrz(&td3("P01234567", "850101", "300101", "", 'F'), today())
            .unwrap()
            .birth_date
            .unwrap();
        assert!(b.default_day);
        assert_eq!(b.precision, Precision::Year);
        let b = parse_mrz(&td3("P01234567", "85<<<<", "300101", "", 'F'), today()).unwrap();
        assert_eq!(b.birth_date.unwrap().precision, Precision::Year);
        let b = parse_mrz(&td3("P01234567", "<<<<<<", "<<<<<<", "", '<'), today()).unwrap();
        assert_eq!(
            (b.birth_date, b.expiry_date, b.sex),
            (None, None, Sex::Unspecified)
        );
        assert_eq!(
            parse_mrz(&td3("P01234567", "851341", "300101", "", 'F'), today()),
            Err(MrzError::BirthDate)
        );
        assert_eq!(
            parse_mrz(&td3("P01234567", "850101", "300231", "", 'F'), today()),
            Err(MrzError::ExpiryDate)
        );
    }

    #[test]
    fn long_document_number_overflows_into_optional_data_td1() {
        // Number ABC123456789 (12 characters): 9 in the field, "<" where the
        // check digit would be, the other 3 and the check digit in optional data.
        let cd = check_digit(b"ABC123456789");
        let l1 = format!("I<UTOABC123456<789{cd}<<<<<<<<<<<");
        let l2_body = "7408122F1204159UTO<<<<<<<<<<<";
        let mut composite = l1.as_bytes()[5..30].to_vec();
        composite.extend_from_slice(&l2_body.as_bytes()[0..7]);
        composite.extend_from_slice(&l2_body.as_bytes()[8..15]);
        composite.extend_from_slice(&l2_body.as_bytes()[18..29]);
        let l2 = format!("{l2_body}{}", check_digit(&composite));
        let input = format!("{l1}\n{l2}\n{}", TD1[2]);
        let m = parse_mrz(&input, today()).unwrap();
        assert_eq!(m.document_number, "ABC123456789");
        assert_eq!(m.optional_data, "");
    }

    #[test]
    fn long_document_number_overflows_into_optional_data_td2() {
        let cd = check_digit(b"ABCDEFGHIJK");
        let body = format!("ABCDEFGHI<UTO7408122F1204159JK{cd}<<<<");
        let b = body.as_bytes();
        let mut composite = b[0..10].to_vec();
        composite.extend_from_slice(&b[13..20]);
        composite.extend_from_slice(&b[21..35]);
        let l2 = format!("{body}{}", check_digit(&composite));
        let input = format!("{}\n{l2}", TD2[0]);
        let m = parse_mrz(&input, today()).unwrap();
        assert_eq!(
            (m.format, m.document_number.as_str()),
            (MrzFormat::Td2, "ABCDEFGHIJK")
        );
        let wrong = input.replace(&format!("JK{cd}"), &format!("JK{}", (cd + 1) % 10));
        assert_eq!(
            parse_mrz(&wrong, today()),
            Err(MrzError::CheckDigit(CheckDigit::DocumentNumber))
        );
    }

    #[test]
    fn visa_has_no_composite() {
        let l1 = format!("{:<<44}", "V<UTOERIKSSON<<ANNA<MARIA");
        let l2 = "L8988901C4XXX4009078F9612109ZE184226B<<<<<<<";
        let m = parse_mrz(&format!("{l1}\n{l2}"), today()).unwrap();
        assert_eq!((m.document_type.as_str(), m.format), ("V", MrzFormat::Td3));
        assert_eq!(m.document_number, "L8988901C");
        assert_eq!(m.optional_data, "ZE184226B");
    }

    #[test]
    fn check_digit_examples() {
        assert_eq!(check_digit(b"L898902C3"), 6);
        assert_eq!(check_digit(b"740812"), 2);
        assert_eq!(check_digit(b"120415"), 9);
        assert_eq!(check_digit(b"<<<<<<"), 0);
    }

    proptest! {
        #[test]
        fn generated_td3_round_trips(
            number in "[A-Z0-9]{9}",
            yy in 0u32..100, mm in 1u32..=12, dd in 1u32..=28,
            optional in "[A-Z0-9]{0,14}",
        ) {
            let birth = format!("{yy:02}{mm:02}{dd:02}");
            let input = td3(&number, &birth, "351231", &optional, 'M');
            let m = parse_mrz(&input, today()).unwrap();
            prop_assert_eq!(&m.document_number, &number);
            prop_assert_eq!(&m.optional_data, &optional);
            let b = m.birth_date.unwrap().earliest;
            prop_assert!(b <= today());
            prop_assert_eq!((b.year() % 100) as u32, yy);
        }

        #[test]
        fn any_single_digit_change_is_caught(pos in 0usize..44, digit in 0u8..10) {
            let line = TD3[1].as_bytes();
            prop_assume!(line[pos].is_ascii_digit() && line[pos] != b'0' + digit);
            let mut l2 = line.to_vec();
            l2[pos] = b'0' + digit;
            let input = format!("{}\n{}", TD3[0], String::from_utf8(l2).unwrap());
            prop_assert!(parse_mrz(&input, today()).is_err());
        }

        #[test]
        fn never_panics(s in "[A-Z0-9<\n ]{0,100}") {
            let _ = parse_mrz(&s, today());
        }
    }
}
