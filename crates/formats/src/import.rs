//! Staff and contractor lists: CSV (any of `,` `;` tab `|`, UTF-8 or UTF-16
//! with a byte-order mark) and XLSX, read from bytes into rows that keep their
//! original cells and line numbers; columns mapped to Muster's canonical
//! fields (aliases in English, German, the Nordic languages, Dari and Pashto,
//! plus `column=field` overrides); every row validated with the other modules
//! into either a [`ValidatedRow`] or a list of [`FieldError`]s; rows grouped
//! into households; rejected rows written back out with a `reason` column.
//!
//! Nothing is dropped silently: a row is either accepted or rejected, except
//! rows whose every cell is blank, which are not data.

use std::io::{Cursor, Write};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::date::{PersonDate, parse_date};
use crate::email::parse_email;
use crate::mrz::{Mrz, parse_mrz};
use crate::name::{Name, parse_name};
use crate::phone::{PhoneNumber, normalize_phone};
use crate::province::{ProvinceInput, normalize_province};
use crate::sex::Sex;
use crate::text::clean_whitespace;

/// Why a file or a mapping could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has no header row.
    #[error("file is empty")]
    Empty,
    /// Not valid UTF-8, and no UTF-16 byte-order mark.
    #[error("text is neither UTF-8 nor UTF-16 with a byte-order mark")]
    Encoding,
    /// The CSV reader failed.
    #[error("CSV could not be read near line {line}")]
    Csv {
        /// Line where reading stopped.
        line: u64,
    },
    /// The XLSX workbook could not be read.
    #[error("XLSX workbook could not be read: {0}")]
    Xlsx(String),
    /// A sheet has a value beyond the widest column read.
    #[error("XLSX sheet has values beyond column {max}")]
    TooManyColumns {
        /// Columns read at most.
        max: u32,
    },
    /// The workbook unpacks to more than a staff list can be (a zip bomb).
    #[error("XLSX workbook unpacks to more than {max_mib} MiB: not a staff list")]
    Unpacked {
        /// The limit, in MiB.
        max_mib: u64,
    },
    /// The workbook has no worksheet.
    #[error("XLSX workbook has no worksheet")]
    NoSheet,
    /// An override is not `column=field`.
    #[error("column mapping must be written column=field")]
    OverrideSyntax,
    /// An override names a field that does not exist.
    #[error("unknown field {0:?}; fields are {fields}", fields = Field::ALL.map(Field::as_str).join(", "))]
    UnknownField(String),
    /// An override names a column that the header does not have.
    #[error("no column named {0:?} in the header")]
    UnknownColumn(String),
    /// Two columns map to the same field.
    #[error(
        "columns {first:?} and {second:?} both map to {field}; use column=field or column=ignore"
    )]
    DuplicateField {
        /// The field.
        field: Field,
        /// The first column header.
        first: String,
        /// The second column header.
        second: String,
    },
    /// Writing rejected rows failed.
    #[error("rejected rows could not be written: {0}")]
    Write(String),
}

/// One row as read: its 1-based line (CSV) or row number (XLSX) and its
/// cells, unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRow {
    /// Line in the CSV file (where the record starts) or row in the sheet.
    pub line: u64,
    /// The cells, as read.
    pub cells: Vec<String>,
}

/// A whole list: its header and its data rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The header row's cells.
    pub header: Vec<String>,
    /// The data rows, blank rows left out.
    pub rows: Vec<RawRow>,
}

/// Decodes text from a spreadsheet export: UTF-8 (with or without a BOM) or
/// UTF-16 LE/BE with a BOM. Anything else is refused, not guessed.
pub fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
            .map(|s| s.into_owned())
            .ok_or(ImportError::Encoding);
    }
    let s = std::str::from_utf8(bytes).map_err(|_| ImportError::Encoding)?;
    // NUL bytes in "UTF-8" are UTF-16 without a BOM.
    if s.contains('\0') {
        return Err(ImportError::Encoding);
    }
    Ok(s.to_string())
}

/// The delimiters tried, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Counts a delimiter per line outside double quotes.
fn counts_per_line(text: &str, delimiter: u8, max_lines: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut in_quotes = false;
    let mut count = 0;
    let mut blank = true;
    for b in text.bytes() {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                blank = false;
            }
            b'\n' if !in_quotes => {
                if !blank {
                    counts.push(count);
                    if counts.len() == max_lines {
                        return counts;
                    }
                }
                count = 0;
                blank = true;
            }
            b'\r' => {}
            _ => {
                if b == delimiter && !in_quotes {
                    count += 1;
                }
                if !b.is_ascii_whitespace() {
                    blank = false;
                }
            }
        }
    }
    if !blank {
        counts.push(count);
    }
    counts
}

/// Guesses the delimiter from the first lines: the one that appears in the
/// header and most consistently after it, `,` when none does.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let counts = counts_per_line(text, d, 20);
        let Some(&header) = counts.first() else {
            continue;
        };
        if header == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == header).count();
        if (consistent, header) > (best.1, best.2) {
            best = (d, consistent, header);
        }
    }
    best.0
}

fn blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

fn table_from(mut rows: Vec<RawRow>) -> Result<Table, ImportError> {
    rows.retain(|r| !blank(&r.cells));
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    let header = rows.remove(0).cells;
    Ok(Table { header, rows })
}

/// Reads a CSV export (delimiter sniffed, encoding from the BOM).
pub fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let text = decode_text(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers are counted from byte offsets: the line a record starts on.
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0usize, 1u64);
    let mut line_at = |offset: usize| {
        // The reader reports a record from the end of the previous line.
        let mut offset = offset.min(bytes.len());
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > counted_to {
            line += bytes[counted_to..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            counted_to = offset;
        }
        line
    };
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => {
                rows.push(RawRow {
                    line: line_at(at),
                    cells: record.iter().map(str::to_string).collect(),
                });
            }
            Ok(false) => break,
            Err(_) => {
                return Err(ImportError::Csv { line: line_at(at) });
            }
        }
    }
    table_from(rows)
}

/// The text of a spreadsheet cell: dates as `YYYY-MM-DD`, whole numbers
/// without a decimal point (phone numbers stored as numbers), errors as `#ERROR`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Error(_) => "#ERROR".to_string(),
    }
}

/// Widest sheet read: columns beyond this are refused, not silently cut.
pub const MAX_XLSX_COLUMNS: u32 = 1024;

/// Reads the first worksheet of an XLSX workbook held in memory.
///
/// Cells are read one by one into sparse rows, so a sheet with a stray cell
/// far out (`XFD1048576`) costs memory for the cells it has, not for the
/// rectangle they span.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Table, ImportError> {
    // calamine 0.32 panics on some malformed sheets (arithmetic overflow on a
    // cell reference with very long column letters, found by fuzzing): a bad
    // file is an error here, not a crash. Needs the default panic=unwind.
    std::panic::catch_unwind(move || read_xlsx_cells(bytes))
        .unwrap_or_else(|_| Err(ImportError::Xlsx("malformed worksheet".to_string())))
}

/// The most a workbook may unpack to: 100,000 rows of a staff list are a
/// few tens of MiB of XML.
pub const MAX_XLSX_UNPACKED: u64 = 256 << 20;

/// Refuses a workbook whose parts unpack to more than [`MAX_XLSX_UNPACKED`].
/// The sizes a workbook declares may lie, so the parts are inflated here,
/// counted and thrown away, stopping at the limit: calamine only ever sees a
/// workbook known to be small.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ImportError> {
    let zip_error = |e: zip::result::ZipError| ImportError::Xlsx(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let too_big = ImportError::Unpacked {
        max_mib: MAX_XLSX_UNPACKED >> 20,
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(zip_error)?;
        if total.saturating_add(entry.size()) > MAX_XLSX_UNPACKED {
            return Err(too_big);
        }
        let left = MAX_XLSX_UNPACKED - total;
        let inflated = std::io::copy(
            &mut std::io::Read::take(entry, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| ImportError::Xlsx(e.to_string()))?;
        total += inflated;
        if total > MAX_XLSX_UNPACKED {
            return Err(too_big);
        }
    }
    Ok(())
}

fn read_xlsx_cells(bytes: Vec<u8>) -> Result<Table, ImportError> {
    check_unpacked_size(&bytes)?;
    let xlsx_error = |e: calamine::XlsxError| ImportError::Xlsx(e.to_string());
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::NoSheet)?;
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(xlsx_error)?;
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if col >= MAX_XLSX_COLUMNS {
            return Err(ImportError::TooManyColumns {
                max: MAX_XLSX_COLUMNS,
            });
        }
        let cells = rows.entry(row).or_default();
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
    }
    let rows = rows
        .into_iter()
        .map(|(row, cells)| RawRow {
            line: u64::from(row) + 1,
            cells,
        })
        .collect();
    table_from(rows)
}

/// Reads CSV or XLSX, telling them apart by the ZIP signature.
pub fn read_table(bytes: Vec<u8>) -> Result<Table, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(&bytes)
    }
}

/// Muster's canonical import columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Field {
    HouseholdRef,
    Relationship,
    GivenName,
    FamilyName,
    FatherName,
    FullNameNative,
    DateOfBirth,
    Sex,
    Nationality,
    TazkiraNumber,
    PassportNumber,
    Mrz,
    Phone,
    Email,
    Province,
    Employer,
    Scheme,
}

impl Field {
    /// Every field, in canonical column order.
    pub const ALL: [Field; 17] = [
        Field::HouseholdRef,
        Field::Relationship,
        Field::GivenName,
        Field::FamilyName,
        Field::FatherName,
        Field::FullNameNative,
        Field::DateOfBirth,
        Field::Sex,
        Field::Nationality,
        Field::TazkiraNumber,
        Field::PassportNumber,
        Field::Mrz,
        Field::Phone,
        Field::Email,
        Field::Province,
        Field::Employer,
        Field::Scheme,
    ];

    /// The canonical column name, e.g. `date_of_birth`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::HouseholdRef => "household_ref",
            Field::Relationship => "relationship",
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::FatherName => "father_name",
            Field::FullNameNative => "full_name_native",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::TazkiraNumber => "tazkira_number",
            Field::PassportNumber => "passport_number",
            Field::Mrz => "mrz",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Province => "province",
            Field::Employer => "employer",
            Field::Scheme => "scheme",
        }
    }

    /// A field by its canonical name (any case).
    pub fn from_name(name: &str) -> Option<Field> {
        let n = name.trim().to_ascii_lowercase();
        Field::ALL.into_iter().find(|f| f.as_str() == n)
    }

    /// Header spellings recognised for this field, as matching keys
    /// (lower-case letters and digits only).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::HouseholdRef => &[
                "household",
                "householdid",
                "householdno",
                "familyid",
                "familyref",
                "familyno",
                "family",
                "caseref",
                "caseid",
                "group",
                "groupid",
                "خانواده",
                "شمارهخانواده",
                "کورنۍ",
            ],
            Field::Relationship => &[
                "relation",
                "relationtoprincipal",
                "relationtohead",
                "rel",
                "relationshiptoprincipal",
                "verwandtschaft",
                "beziehung",
                "slektskap",
                "relation",
                "نسبت",
                "رابطه",
                "قرابت",
                "اړیکه",
            ],
            Field::GivenName => &[
                "firstname",
                "forename",
                "first",
                "givennames",
                "name",
                "fullname",
                "vorname",
                "fornavn",
                "förnamn",
                "etunimi",
                "نام",
                "اسم",
                "نوم",
            ],
            Field::FamilyName => &[
                "surname",
                "lastname",
                "last",
                "nachname",
                "familienname",
                "efternavn",
                "etternavn",
                "efternamn",
                "sukunimi",
                "تخلص",
                "نامخانوادگی",
                "کورنۍنوم",
            ],
            Field::FatherName => &[
                "fathername",
                "fathersname",
                "father",
                "nameoffather",
                "vatersname",
                "نامپدر",
                "ولد",
                "پدر",
                "دپلارنوم",
                "پلار",
            ],
            Field::FullNameNative => &[
                "namedari",
                "namepashto",
                "nativename",
                "namenative",
                "localname",
                "nameindari",
                "fullnamedari",
                "نامکامل",
                "اسمکامل",
                "بشپړنوم",
            ],
            Field::DateOfBirth => &[
                "dob",
                "birthdate",
                "dateofbirth",
                "birthday",
                "born",
                "geburtsdatum",
                "fødselsdato",
                "födelsedatum",
                "syntymäaika",
                "yearofbirth",
                "birthyear",
                "تاریختولد",
                "تولد",
                "سالتولد",
                "دزیږیدونېنیټه",
                "زیږیدنه",
            ],
            Field::Sex => &[
                "gender",
                "geschlecht",
                "kjønn",
                "køn",
                "kön",
                "sukupuoli",
                "جنسیت",
                "جنس",
                "جنسيت",
            ],
            Field::Nationality => &[
                "citizenship",
                "country",
                "nationalität",
                "staatsangehörigkeit",
                "statsborgerskap",
                "statsborgerskab",
                "medborgarskap",
                "kansalaisuus",
                "تابعیت",
                "ملیت",
                "تابعيت",
            ],
            Field::TazkiraNumber => &[
                "tazkirano",
                "tazkira",
                "tazkera",
                "tazkeranumber",
                "tazkeraNo",
                "tazkerano",
                "tazkirah",
                "taskira",
                "nid",
                "nidno",
                "nationalid",
                "nationalidnumber",
                "nationalidno",
                "etazkira",
                "تذکره",
                "نمبرتذکره",
                "شمارهتذکره",
                "تذکرهنمبر",
            ],
            Field::PassportNumber => &[
                "passportno",
                "passport",
                "passnr",
                "passnummer",
                "reisepassnummer",
                "passnumber",
                "passinummer",
                "پاسپورت",
                "نمبرپاسپورت",
                "شمارهپاسپورت",
            ],
            Field::Mrz => &["machinereadablezone", "mrzline", "mrzlines", "mrzcode"],
            Field::Phone => &[
                "phonenumber",
                "phoneno",
                "mobile",
                "mobilenumber",
                "mobileno",
                "cell",
                "cellphone",
                "tel",
                "telephone",
                "contactnumber",
                "whatsapp",
                "handy",
                "telefon",
                "mobil",
                "puhelin",
                "تلفن",
                "شمارهتلفن",
                "موبایل",
                "نمبرتلفن",
                "تیلفون",
                "شمارهموبایل",
                "ټیلیفون",
            ],
            Field::Email => &[
                "emailaddress",
                "mail",
                "epost",
                "epostadresse",
                "sähköposti",
                "ایمیل",
                "پستالکترونیکی",
            ],
            Field::Province => &[
                "provinceoforigin",
                "homeprovince",
                "region",
                "wilaya",
                "wilayat",
                "provinz",
                "ولایت",
                "ولايت",
            ],
            Field::Employer => &[
                "organisation",
                "organization",
                "company",
                "contractor",
                "agency",
                "arbeitgeber",
                "arbejdsgiver",
                "arbeidsgiver",
                "työnantaja",
                "کارفرما",
                "اداره",
                "موسسه",
            ],
            Field::Scheme => &["programme", "program", "برنامه"],
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header's matching key: lower case, letters and digits only.
fn header_key(s: &str) -> String {
    clean_whitespace(s)
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'ي' | 'ى' => Some('ی'),
            'ك' => Some('ک'),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn field_for_header(header: &str) -> Option<Field> {
    // Every field's name and aliases as header keys, in `Field::ALL` order
    // (the first field claiming a key wins), worked out once.
    static KEYS: std::sync::LazyLock<Vec<(String, Field)>> = std::sync::LazyLock::new(|| {
        Field::ALL
            .into_iter()
            .flat_map(|f| {
                std::iter::once(header_key(f.as_str()))
                    .chain(f.aliases().iter().map(|a| header_key(a)))
                    .map(move |k| (k, f))
            })
            .collect()
    });
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)
}

/// `column=field`, or `column=ignore` to leave a column unmapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOverride {
    /// The column header, as in the file.
    pub column: String,
    /// The field, or `None` to ignore the column.
    pub field: Option<Field>,
}

/// Parses `column=field` (split at the last `=`; `ignore` or `-` for none).
pub fn parse_override(s: &str) -> Result<ColumnOverride, ImportError> {
    let (column, field) = s.rsplit_once('=').ok_or(ImportError::OverrideSyntax)?;
    let column = column.trim();
    if column.is_empty() {
        return Err(ImportError::OverrideSyntax);
    }
    let field = match field.trim() {
        "ignore" | "-" | "" => None,
        f => Some(Field::from_name(f).ok_or_else(|| ImportError::UnknownField(f.to_string()))?),
    };
    Ok(ColumnOverride {
        column: column.to_string(),
        field,
    })
}

/// Which field each column of a header holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    columns: Vec<Option<Field>>,
}

impl ColumnMapping {
    /// The field a column (0-based) holds.
    pub fn field_of(&self, column: usize) -> Option<Field> {
        self.columns.get(column).copied().flatten()
    }

    /// The column (0-based) holding a field.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// The fields no column holds.
    pub fn missing(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.column_of(*f).is_none())
            .collect()
    }

    /// The (0-based) columns that hold no field.
    pub fn unmapped(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| self.columns[i].is_none())
            .collect()
    }
}

/// Maps a header to fields: canonical names and aliases, then overrides.
/// Two columns claiming one field is an error, never a guess.
pub fn map_columns(
    header: &[String],
    overrides: &[ColumnOverride],
) -> Result<ColumnMapping, ImportError> {
    let mut columns: Vec<Option<Field>> = header.iter().map(|h| field_for_header(h)).collect();
    for o in overrides {
        let wanted = clean_whitespace(&o.column);
        let i = header
            .iter()
            .position(|h| clean_whitespace(h) == wanted)
            .or_else(|| {
                header
                    .iter()
                    .position(|h| header_key(h) == header_key(&wanted))
            })
            .ok_or_else(|| ImportError::UnknownColumn(o.column.clone()))?;
        if let Some(f) = o.field {
            // The override wins over an alias elsewhere claiming the same field.
            for (j, c) in columns.iter_mut().enumerate() {
                if j != i
                    && *c == Some(f)
                    && !overrides
                        .iter()
                        .any(|p| p.field == Some(f) && p.column != o.column)
                {
                    *c = None;
                }
            }
        }
        columns[i] = o.field;
    }
    for f in Field::ALL {
        let mut at = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == Some(f))
            .map(|(i, _)| i);
        if let (Some(a), Some(b)) = (at.next(), at.next()) {
            return Err(ImportError::DuplicateField {
                field: f,
                first: header[a].clone(),
                second: header[b].clone(),
            });
        }
    }
    Ok(ColumnMapping { columns })
}

/// What a field of a row broke: the field, a stable rule name, and a message
/// that names the rule but never repeats the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// Stable snake_case rule name, e.g. `future_date`.
    pub rule: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    fn new(field: Field, rule: impl Into<String>, message: impl ToString) -> Self {
        FieldError {
            field,
            rule: rule.into(),
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.rule, self.message)
    }
}

/// A row whose every given field is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatedRow {
    /// Line in the file, for reports.
    pub line: u64,
    /// Household the row belongs to.
    pub household_ref: Option<String>,
    /// Relationship to the principal, as given.
    pub relationship: Option<String>,
    /// Given name(s).
    pub given_name: Option<Name>,
    /// Family name.
    pub family_name: Option<Name>,
    /// Father's name (Afghan documents carry it).
    pub father_name: Option<Name>,
    /// Full name in Dari or Pashto script.
    pub full_name_native: Option<Name>,
    /// Date of birth with its precision and calendar.
    pub date_of_birth: Option<PersonDate>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Nationality.
    pub nationality: Option<Country>,
    /// Tazkira (Afghan national ID) number, digits folded.
    pub tazkira_number: Option<String>,
    /// Passport number, upper case, spaces removed.
    pub passport_number: Option<String>,
    /// The machine-readable zone, verified.
    pub mrz: Option<Mrz>,
    /// Phone in E.164.
    pub phone: Option<PhoneNumber>,
    /// E-mail address.
    pub email: Option<String>,
    /// Province as given, with the province recognised in it.
    pub province: Option<ProvinceInput>,
    /// Employer, as given.
    pub employer: Option<String>,
    /// Scheme applied for, as given.
    pub scheme: Option<String>,
}

/// A row refused, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// The row as read.
    pub row: RawRow,
    /// Every field that failed.
    pub errors: Vec<FieldError>,
}

impl RejectedRow {
    /// The reasons in one line: `field: rule (message); ...`.
    pub fn reason(&self) -> String {
        self.errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Settings for validation.
#[derive(Debug, Clone, Copy)]
pub struct ValidationOptions {
    /// Reference day for ages and future dates.
    pub today: NaiveDate,
    /// Country of national phone numbers (Afghanistan for Afghan lists).
    pub default_phone_country: Option<Country>,
}

impl ValidationOptions {
    /// Afghan defaults: national phone numbers are Afghan.
    pub fn afghan(today: NaiveDate) -> Self {
        ValidationOptions {
            today,
            default_phone_country: Country::from_code("AF").ok(),
        }
    }
}

/// Longest cell accepted for free text.
pub const MAX_TEXT: usize = 500;

fn free_text(field: Field, value: &str) -> Result<String, FieldError> {
    if value.chars().count() > MAX_TEXT {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    Ok(value.to_string())
}

fn tazkira(value: &str) -> Result<String, FieldError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let ok = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | ' ' | '.'))
        && (3..=20).contains(&digits);
    if ok {
        Ok(value.to_string())
    } else {
        Err(FieldError::new(
            Field::TazkiraNumber,
            "tazkira_format",
            "a tazkira number has 3 to 20 digits, with - / . or spaces between",
        ))
    }
}

fn passport(value: &str) -> Result<String, FieldError> {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if (5..=20).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(v)
    } else {
        Err(FieldError::new(
            Field::PassportNumber,
            "passport_format",
            "a passport number has 5 to 20 letters A-Z and digits",
        ))
    }
}

/// Records the error of a checked field and keeps its value.
fn keep<T>(errors: &mut Vec<FieldError>, r: Option<Result<T, FieldError>>) -> Option<T> {
    match r? {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// Validates one row. Every field given is checked; blank cells are absent,
/// not errors; a row must carry a name in some script.
pub fn validate_row(
    row: &RawRow,
    mapping: &ColumnMapping,
    options: &ValidationOptions,
) -> Result<ValidatedRow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cell = |f: Field| -> Option<String> {
        let i = mapping.column_of(f)?;
        let v = clean_whitespace(row.cells.get(i)?);
        (!v.is_empty()).then_some(v)
    };
    // The MRZ keeps its line breaks.
    let mrz_cell = mapping
        .column_of(Field::Mrz)
        .and_then(|i| row.cells.get(i))
        .filter(|s| !s.trim().is_empty());
    let e = &mut errors;
    let name =
        |f: Field| cell(f).map(|v| parse_name(&v).map_err(|e| FieldError::new(f, e.rule(), e)));
    let household_ref = keep(
        e,
        cell(Field::HouseholdRef).map(|v| free_text(Field::HouseholdRef, &v)),
    );
    let relationship = keep(
        e,
        cell(Field::Relationship).map(|v| free_text(Field::Relationship, &v)),
    );
    let given_name = keep(e, name(Field::GivenName));
    let family_name = keep(e, name(Field::FamilyName));
    let father_name = keep(e, name(Field::FatherName));
    let full_name_native = keep(e, name(Field::FullNameNative));
    let date_of_birth = keep(
        e,
        cell(Field::DateOfBirth).map(|v| {
            parse_date(&v, options.today)
                .map_err(|err| FieldError::new(Field::DateOfBirth, err.rule(), err))
        }),
    );
    let sex = keep(
        e,
        cell(Field::Sex)
            .map(|v| Sex::parse(&v).map_err(|err| FieldError::new(Field::Sex, "sex", err))),
    );
    let nationality = keep(
        e,
        cell(Field::Nationality).map(|v| {
            Country::parse_nationality(&v)
                .map_err(|err| FieldError::new(Field::Nationality, err.rule(), err))
        }),
    );
    let tazkira_number = keep(e, cell(Field::TazkiraNumber).map(|v| tazkira(&v)));
    let passport_number = keep(e, cell(Field::PassportNumber).map(|v| passport(&v)));
    let mrz = keep(
        e,
        mrz_cell.map(|v| {
            parse_mrz(v, options.today).map_err(|err| FieldError::new(Field::Mrz, err.rule(), err))
        }),
    );
    let phone = keep(
        e,
        cell(Field::Phone).map(|v| {
            normalize_phone(&v, options.default_phone_country)
                .map_err(|err| FieldError::new(Field::Phone, err.rule(), err))
        }),
    );
    let email = keep(
        e,
        cell(Field::Email)
            .map(|v| parse_email(&v).map_err(|err| FieldError::new(Field::Email, err.rule(), err))),
    );
    let employer = keep(
        e,
        cell(Field::Employer).map(|v| free_text(Field::Employer, &v)),
    );
    let scheme = keep(e, cell(Field::Scheme).map(|v| free_text(Field::Scheme, &v)));
    let mut out = ValidatedRow {
        line: row.line,
        household_ref,
        relationship,
        given_name,
        family_name,
        father_name,
        full_name_native,
        date_of_birth,
        sex,
        nationality,
        tazkira_number,
        passport_number,
        mrz,
        phone,
        email,
        province: cell(Field::Province).map(|v| normalize_province(&v)),
        employer,
        scheme,
    };
    let named_fields = [Field::GivenName, Field::FamilyName, Field::FullNameNative];
    let any_name_given = named_fields.iter().any(|f| cell(*f).is_some());
    if !any_name_given {
        errors.push(FieldError::new(
            Field::GivenName,
            "no_name",
            "a name is required in some script",
        ));
    }
    // A passport number and an MRZ on one row must agree.
    if let (Some(p), Some(m)) = (&out.passport_number, &out.mrz)
        && m.document_type.starts_with('P')
        && *p != m.document_number
    {
        errors.push(FieldError::new(
            Field::PassportNumber,
            "mrz_mismatch",
            "passport number differs from the one in the MRZ",
        ));
        out.passport_number = None;
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A list validated: every row either accepted or rejected, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validated {
    /// Rows that passed.
    pub accepted: Vec<ValidatedRow>,
    /// Rows that did not, with their reasons.
    pub rejected: Vec<RejectedRow>,
}

/// Validates every row of a table: `accepted + rejected == rows`.
pub fn validate_table(
    table: &Table,
    mapping: &ColumnMapping,
    options: &ValidationOptions,
) -> Validated {
    let mut v = Validated {
        accepted: Vec::new(),
        rejected: Vec::new(),
    };
    for row in &table.rows {
        match validate_row(row, mapping, options) {
            Ok(r) => v.accepted.push(r),
            Err(errors) => v.rejected.push(RejectedRow {
                row: row.clone(),
                errors,
            }),
        }
    }
    v
}

/// The rows of one household (one case), in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// The shared household_ref; `None` for a row that gave none (a
    /// household of one).
    pub household_ref: Option<String>,
    /// The accepted rows.
    pub members: Vec<ValidatedRow>,
    /// Lines of rejected rows that named this household: the case needs
    /// follow-up, but the accepted members are not held back.
    pub rejected_lines: Vec<u64>,
}

impl Household {
    /// Whether rows of this household were rejected.
    pub fn needs_follow_up(&self) -> bool {
        !self.rejected_lines.is_empty()
    }
}

/// Groups accepted rows by household_ref (first appearance order; a row
/// without one is a household of its own) and notes rejected rows that named
/// a household. A household whose every row was rejected is not returned.
pub fn group_households(validated: &Validated, mapping: &ColumnMapping) -> Vec<Household> {
    let mut households: Vec<Household> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in &validated.accepted {
        match &row.household_ref {
            Some(r) => {
                let i = *index.entry(r.clone()).or_insert_with(|| {
                    households.push(Household {
                        household_ref: Some(r.clone()),
                        members: Vec::new(),
                        rejected_lines: Vec::new(),
                    });
                    households.len() - 1
                });
                households[i].members.push(row.clone());
            }
            None => households.push(Household {
                household_ref: None,
                members: vec![row.clone()],
                rejected_lines: Vec::new(),
            }),
        }
    }
    if let Some(col) = mapping.column_of(Field::HouseholdRef) {
        for r in &validated.rejected {
            let reference = r
                .row
                .cells
                .get(col)
                .map(|c| clean_whitespace(c))
                .unwrap_or_default();
            if let Some(&i) = index.get(&reference) {
                households[i].rejected_lines.push(r.row.line);
            }
        }
    }
    households
}

/// Writes rejected rows as CSV: the original header and cells, then `line`
/// and `reason` columns.
pub fn write_rejected<W: Write>(
    writer: W,
    header: &[String],
    rows: &[RejectedRow],
) -> Result<(), ImportError> {
    // Every field quoted, so that reading the file back (after corrections)
    // sniffs the comma even when cells hold semicolons, tabs or bars.
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(writer);
    let width = rows
        .iter()
        .map(|r| r.row.cells.len())
        .max()
        .unwrap_or(0)
        .max(header.len());
    let err = |e: csv::Error| ImportError::Write(e.to_string());
    let mut head: Vec<String> = header.to_vec();
    head.resize(width, String::new());
    head.push("line".into());
    head.push("reason".into());
    w.write_record(&head).map_err(err)?;
    for r in rows {
        let mut cells = r.row.cells.clone();
        cells.resize(width, String::new());
        cells.push(r.row.line.to_string());
        cells.push(r.reason());
        w.write_record(&cells).map_err(err)?;
    }
    w.flush().map_err(|e| ImportError::Write(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{Calendar, Precision};
    use crate::mrz::CheckDigit;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn opts() -> ValidationOptions {
        ValidationOptions::afghan(today())
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in s.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn decodes_what_spreadsheets_export() {
        let text = "نام;DOB\nاحمد;1360\n";
        assert_eq!(decode_text(text.as_bytes()).unwrap(), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        assert_eq!(decode_text(&bom).unwrap(), text);
        assert_eq!(decode_text(&utf16(text, false)).unwrap(), text);
        assert_eq!(decode_text(&utf16(text, true)).unwrap(), text);
        assert!(matches!(
            decode_text(b"caf\xe9"),
            Err(ImportError::Encoding)
        ));
        assert!(matches!(decode_text(b"a\0b\0"), Err(ImportError::Encoding)));
        // A lone surrogate in UTF-16 is refused, not replaced.
        assert!(matches!(
            decode_text(&[0xFF, 0xFE, 0x00, 0xD8]),
            Err(ImportError::Encoding)
        ));
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter("\"x,y\";b\n\"1,2\";3\n"), b';');
        assert_eq!(sniff_delimiter("single\nvalue\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn reads_csv_with_line_numbers() {
        let data = "First Name;Surname;Note\r\nAhmad;Karimi;\"two\nlines\"\r\n\r\n;;\r\nZahra;Ahmadi;x\r\n";
        let t = read_csv(data.as_bytes()).unwrap();
        assert_eq!(t.header, strings(&["First Name", "Surname", "Note"]));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0],
            RawRow {
                line: 2,
                cells: strings(&["Ahmad", "Karimi", "two\nlines"])
            }
        );
        assert_eq!(t.rows[1].line, 6);
        assert!(matches!(read_csv(b""), Err(ImportError::Empty)));
        assert!(matches!(read_csv(b"\n ,, \n"), Err(ImportError::Empty)));
        let t = read_table(utf16("a\tb\n1\t2\n", false)).unwrap();
        assert_eq!(t.rows[0].cells, strings(&["1", "2"]));
    }

    enum Cell<'a> {
        S(&'a str),
        N(f64),
        Date(f64),
    }

    /// A minimal XLSX workbook, written here for the tests.
    fn xlsx(rows: &[Vec<Cell>]) -> Vec<u8> {
        xlsx_sheet(&sheet_xml(rows))
    }

    fn sheet_xml(rows: &[Vec<Cell>]) -> String {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            sheet += &format!(r#"<row r="{}">"#, r + 1);
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", char::from(b'A' + c as u8), r + 1);
                sheet += &match cell {
                    Cell::S(s) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{s}</t></is></c>"#),
                    Cell::N(n) => format!(r#"<c r="{at}"><v>{n}</v></c>"#),
                    Cell::Date(n) => format!(r#"<c r="{at}" s="1"><v>{n}</v></c>"#),
                };
            }
            sheet += "</row>";
        }
        sheet += "</sheetData></worksheet>";
        sheet
    }

    fn xlsx_sheet(sheet: &str) -> Vec<u8> {
        let sheet = sheet.to_string();
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
            (
                "xl/workbook.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/></Relationships>"#),
            ),
            (
                "xl/styles.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string(),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in parts {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_xlsx_from_memory() {
        use Cell::*;
        let bytes = xlsx(&[
            vec![S("First Name"), S("Surname"), S("DOB"), S("Mobile")],
            vec![S("Ahmad"), S("Karimi"), Date(29_711.0), N(93_701_234_567.0)],
            vec![S(""), S(""), S(""), S("")],
            vec![S("زهرا"), S("احمدی"), S("1360/05/12"), S("0701234567")],
        ]);
        let t = read_table(bytes).unwrap();
        assert_eq!(
            t.header,
            strings(&["First Name", "Surname", "DOB", "Mobile"])
        );
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(
            t.rows[0].cells,
            strings(&["Ahmad", "Karimi", "1981-05-05", "93701234567"])
        );
        assert_eq!(t.rows[1].line, 4);
        let m = map_columns(&t.header, &[]).unwrap();
        let v = validate_table(&t, &m, &opts());
        assert_eq!(v.rejected, []);
        assert_eq!(v.accepted[0].phone.as_ref().unwrap().e164, "+93701234567");
        assert!(matches!(
            read_xlsx(b"PK\x03\x04garbage".to_vec()),
            Err(ImportError::Xlsx(_))
        ));
    }

    /// Found by the import_xlsx fuzzer: calamine overflows (and, with
    /// overflow checks, panics) on a reference with very long column letters.
    #[test]
    fn malformed_cell_reference_is_an_error_not_a_crash() {
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{}A1:B2"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="{}2" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#,
            "M".repeat(60),
            "Z".repeat(60)
        );
        match read_xlsx(xlsx_sheet(&sheet)) {
            Err(ImportError::Xlsx(_) | ImportError::TooManyColumns { .. }) => {}
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// Found by hand after fuzzing: two cells far apart made the dense range
    /// reader allocate the whole rectangle (512 GiB) and abort.
    #[test]
    fn far_apart_cells_cost_no_more_than_the_cells() {
        let cell =
            |at: &str, v: &str| format!(r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#);
        let wrap = |rows: String| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            )
        };
        let far_row = wrap(format!(
            r#"<row r="1">{}{}</row><row r="1048576">{}</row>"#,
            cell("A1", "Name"),
            cell("B1", "DOB"),
            cell("A1048576", "Ahmad")
        ));
        let t = read_xlsx(xlsx_sheet(&far_row)).unwrap();
        assert_eq!(t.header, strings(&["Name", "DOB"]));
        assert_eq!(
            t.rows,
            [RawRow {
                line: 1_048_576,
                cells: strings(&["Ahmad"])
            }]
        );
        let far_column = wrap(format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "Name"),
            cell("XFD1048576", "x")
        ));
        assert!(matches!(
            read_xlsx(xlsx_sheet(&far_column)),
            Err(ImportError::TooManyColumns {
                max: MAX_XLSX_COLUMNS
            })
        ));
        // Data starting right of column A keeps its sheet positions.
        let shifted = wrap(format!(
            r#"<row r="3">{}{}</row><row r="4">{}</row>"#,
            cell("C3", "Name"),
            cell("D3", "DOB"),
            cell("C4", "Ahmad")
        ));
        let t = read_xlsx(xlsx_sheet(&shifted)).unwrap();
        assert_eq!(t.header, strings(&["", "", "Name", "DOB"]));
        assert_eq!(
            t.rows[0],
            RawRow {
                line: 4,
                cells: strings(&["", "", "Ahmad"])
            }
        );
    }

    fn header() -> Vec<String> {
        strings(&[
            "Household",
            "Relation",
            "First Name",
            "Surname",
            "نام پدر",
            "Name (Dari)",
            "DOB",
            "Gender",
            "Nationality",
            "Tazkira No",
            "Passport No",
            "MRZ",
            "Mobile",
            "E-mail",
            "Province",
            "Employer",
            "Scheme",
        ])
    }

    #[test]
    fn maps_aliases_and_overrides() {
        let h = header();
        let m = map_columns(&h, &[]).unwrap();
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(m.field_of(i), Some(*f), "{}", h[i]);
        }
        assert!(m.missing().is_empty());
        let dari = strings(&[
            "نام",
            "تخلص",
            "تاریخ تولد",
            "شماره تذکره",
            "ولایت",
            "تلفن",
            "Notes",
        ]);
        let m = map_columns(&dari, &[]).unwrap();
        let fields: Vec<_> = (0..7).map(|i| m.field_of(i)).collect();
        use Field::*;
        assert_eq!(
            fields,
            [
                Some(GivenName),
                Some(FamilyName),
                Some(DateOfBirth),
                Some(TazkiraNumber),
                Some(Province),
                Some(Phone),
                None
            ]
        );
        assert_eq!(m.unmapped(), [6]);
        let o = [
            parse_override("Notes=employer").unwrap(),
            parse_override("تلفن=ignore").unwrap(),
        ];
        let m = map_columns(&dari, &o).unwrap();
        assert_eq!((m.field_of(6), m.field_of(5)), (Some(Employer), None));
        // An override moves a field away from the alias that had it.
        let m = map_columns(&dari, &[parse_override("Notes = phone").unwrap()]).unwrap();
        assert_eq!((m.column_of(Phone), m.field_of(5)), (Some(6), None));
        let dup = strings(&["Mobile", "Phone"]);
        assert!(matches!(
            map_columns(&dup, &[]),
            Err(ImportError::DuplicateField { field: Phone, .. })
        ));
        assert!(map_columns(&dup, &[parse_override("Phone=ignore").unwrap()]).is_ok());
        assert!(matches!(
            parse_override("Notes"),
            Err(ImportError::OverrideSyntax)
        ));
        assert!(matches!(
            parse_override("=phone"),
            Err(ImportError::OverrideSyntax)
        ));
        assert!(matches!(
            parse_override("Notes=shoe_size"),
            Err(ImportError::UnknownField(_))
        ));
        assert!(matches!(
            map_columns(&dari, &[parse_override("Nope=phone").unwrap()]),
            Err(ImportError::UnknownColumn(_))
        ));
        assert_eq!(parse_override("a=b=phone").unwrap().column, "a=b");
    }

    const MRZ: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    fn row(line: u64, cells: &[&str]) -> RawRow {
        RawRow {
            line,
            cells: strings(cells),
        }
    }

    fn good() -> RawRow {
        row(
            2,
            &[
                "H-1",
                "principal",
                "Haji Ahmad",
                "Karimi",
                "Mohammad",
                "حاجی احمد کریمی",
                "1360/05/12",
                "M",
                "Afghan",
                "1399-0101-12345",
                "L898902C3",
                MRZ,
                "070 123 4567",
                "ahmad@example.org",
                "Heraat",
                "GIZ",
                "LEA",
            ],
        )
    }

    #[test]
    fn validates_a_full_row() {
        let m = map_columns(&header(), &[]).unwrap();
        let r = validate_row(&good(), &m, &opts()).unwrap();
        assert_eq!(r.line, 2);
        assert_eq!(r.household_ref.as_deref(), Some("H-1"));
        let given = r.given_name.unwrap();
        assert_eq!(given.latin.as_deref(), Some("Ahmad"));
        assert_eq!(
            r.full_name_native.unwrap().native.as_deref(),
            Some("احمد کریمی")
        );
        let dob = r.date_of_birth.unwrap();
        assert_eq!(
            (dob.calendar, dob.precision),
            (Calendar::SolarHijri, Precision::Day)
        );
        assert_eq!(r.sex, Some(Sex::Male));
        assert_eq!(r.nationality.unwrap().alpha3(), "AFG");
        assert_eq!(r.passport_number.as_deref(), Some("L898902C3"));
        assert_eq!(r.mrz.unwrap().surname, "ERIKSSON");
        assert_eq!(r.phone.unwrap().e164, "+93701234567");
        let p = r.province.unwrap();
        assert_eq!(
            (p.given.as_str(), p.province),
            ("Heraat", Some(crate::province::Province::Herat))
        );
        assert_eq!(r.employer.as_deref(), Some("GIZ"));
    }

    #[test]
    fn reports_every_bad_field_with_its_rule() {
        let m = map_columns(&header(), &[]).unwrap();
        let bad_mrz = MRZ.replace("C36UTO", "C35UTO");
        let r = row(
            7,
            &[
                "H-1",
                "",
                "",
                "",
                "",
                "",
                "2030-01-01",
                "?",
                "Martian",
                "abc",
                "P#1",
                &bad_mrz,
                "0812345678",
                "ahmad@gmail",
                "Atlantis",
                "",
                "",
            ],
        );
        let errors = validate_row(&r, &m, &opts()).unwrap_err();
        let got: Vec<(Field, &str)> = errors.iter().map(|e| (e.field, e.rule.as_str())).collect();
        use Field::*;
        assert_eq!(
            got,
            [
                (DateOfBirth, "future_date"),
                (Sex, "sex"),
                (Nationality, "unknown_country"),
                (TazkiraNumber, "tazkira_format"),
                (PassportNumber, "passport_format"),
                (Mrz, "mrz_check_digit_document_number"),
                (Phone, "phone_afghan_prefix"),
                (Email, "email_domain_dot"),
                (GivenName, "no_name"),
            ]
        );
        assert!(
            errors[5]
                .message
                .contains(CheckDigit::DocumentNumber.as_str())
        );
        // Messages never repeat the values refused.
        for e in &errors {
            for value in ["Martian", "0812345678", "ahmad@gmail", "abc", "P#1"] {
                assert!(!e.message.contains(value), "{e}");
            }
        }
        // Unknown province is kept, not an error; an unknown country code is.
        let mut ok = good();
        ok.cells[14] = "Atlantis".into();
        assert!(validate_row(&ok, &m, &opts()).is_ok());
        ok.cells[8] = "XYZ".into();
        let e = validate_row(&ok, &m, &opts()).unwrap_err();
        assert_eq!(
            (e[0].field, e[0].rule.as_str()),
            (Nationality, "unknown_country_code")
        );
    }

    #[test]
    fn a_name_in_any_one_script_is_enough() {
        let m = map_columns(&header(), &[]).unwrap();
        let mut r = good();
        for i in [2, 3, 4] {
            r.cells[i] = String::new();
        }
        assert!(validate_row(&r, &m, &opts()).is_ok(), "native name only");
        r.cells[5] = "  ".into();
        let e = validate_row(&r, &m, &opts()).unwrap_err();
        assert_eq!(e[0].rule, "no_name");
        r.cells[3] = "۱۲۳".into();
        let e = validate_row(&r, &m, &opts()).unwrap_err();
        assert_eq!(
            (e[0].field, e[0].rule.as_str()),
            (Field::FamilyName, "name_no_letters")
        );
    }

    #[test]
    fn passport_and_mrz_must_agree() {
        let m = map_columns(&header(), &[]).unwrap();
        let mut r = good();
        r.cells[10] = "P01234567".into();
        let e = validate_row(&r, &m, &opts()).unwrap_err();
        assert_eq!(
            (e[0].field, e[0].rule.as_str()),
            (Field::PassportNumber, "mrz_mismatch")
        );
    }

    fn sample() -> (Table, ColumnMapping) {
        let h = header();
        let mut rows = vec![good()];
        let mut spouse = good();
        spouse.line = 3;
        spouse.cells[1] = "spouse".into();
        spouse.cells[2] = "Zahra".into();
        spouse.cells[10] = String::new();
        spouse.cells[11] = String::new();
        rows.push(spouse.clone());
        let mut child = spouse.clone();
        child.line = 4;
        child.cells[6] = "2031".into();
        rows.push(child);
        let mut other = spouse.clone();
        other.line = 5;
        other.cells[0] = String::new();
        rows.push(other);
        let mut lone = spouse;
        lone.line = 6;
        lone.cells[0] = "H-2".into();
        lone.cells[12] = "12".into();
        rows.push(lone);
        let m = map_columns(&h, &[]).unwrap();
        (Table { header: h, rows }, m)
    }

    #[test]
    fn every_row_is_accepted_or_rejected_and_households_are_grouped() {
        let (t, m) = sample();
        let v = validate_table(&t, &m, &opts());
        assert_eq!(v.accepted.len() + v.rejected.len(), t.rows.len());
        assert_eq!(
            v.accepted.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 5]
        );
        assert_eq!(
            v.rejected.iter().map(|r| r.row.line).collect::<Vec<_>>(),
            [4, 6]
        );
        let hs = group_households(&v, &m);
        assert_eq!(hs.len(), 2);
        assert_eq!(hs[0].household_ref.as_deref(), Some("H-1"));
        assert_eq!(hs[0].members.len(), 2);
        assert_eq!(hs[0].rejected_lines, [4]);
        assert!(hs[0].needs_follow_up());
        assert_eq!(
            (hs[1].household_ref.as_deref(), hs[1].members[0].line),
            (None, 5)
        );
        assert!(!hs[1].needs_follow_up());
    }

    #[test]
    fn rejected_rows_are_written_back_with_line_and_reason() {
        let (t, m) = sample();
        let v = validate_table(&t, &m, &opts());
        let mut out = Vec::new();
        write_rejected(&mut out, &t.header, &v.rejected).unwrap();
        let back = read_csv(&out).unwrap();
        let mut expected_header = t.header.clone();
        expected_header.extend(strings(&["line", "reason"]));
        assert_eq!(back.header, expected_header);
        assert_eq!(back.rows.len(), 2);
        let first = &back.rows[0].cells;
        assert_eq!(
            &first[..t.header.len()],
            &t.rows[2].cells[..],
            "original cells, MRZ line break included"
        );
        assert_eq!(first[t.header.len()], "4");
        assert!(first[t.header.len() + 1].starts_with("date_of_birth: future_date"));
        assert!(back.rows[1].cells[t.header.len() + 1].contains("phone: phone_too_short"));
        // Ragged rows keep all their cells.
        let ragged = RejectedRow {
            row: row(9, &["a", "b", "c"]),
            errors: vec![],
        };
        let mut out = Vec::new();
        write_rejected(&mut out, &strings(&["x"]), &[ragged]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"x\",\"\",\"\",\"line\",\"reason\"\n\"a\",\"b\",\"c\",\"9\",\"\"\n"
        );
        // Cells full of another delimiter still read back as the same cells
        // (unquoted, `a;b;c;d;e` would win the sniff over the commas).
        let odd = RejectedRow {
            row: row(3, &["1;2;3;4;5"]),
            errors: vec![],
        };
        let mut out = Vec::new();
        write_rejected(
            &mut out,
            &strings(&["a;b;c;d;e"]),
            std::slice::from_ref(&odd),
        )
        .unwrap();
        let back = read_csv(&out).unwrap();
        assert_eq!(back.header, strings(&["a;b;c;d;e", "line", "reason"]));
        assert_eq!(back.rows[0].cells, strings(&["1;2;3;4;5", "3", ""]));
    }

    #[test]
    fn end_to_end_utf16_semicolons_and_dari_headers() {
        let text = "نام;تخلص;تاریخ تولد;تلفن;ولایت\r\nاحمد;کریمی;۱۳۶۰/۰۵/۱۲;۰۷۰۱۲۳۴۵۶۷;هرات\r\nزهرا;;۱۴۱۰;0700;KBL\r\n";
        let t = read_table(utf16(text, false)).unwrap();
        let m = map_columns(&t.header, &[]).unwrap();
        let v = validate_table(&t, &m, &opts());
        assert_eq!((v.accepted.len(), v.rejected.len()), (1, 1));
        assert_eq!(v.accepted[0].phone.as_ref().unwrap().e164, "+93701234567");
        let rules: Vec<_> = v.rejected[0]
            .errors
            .iter()
            .map(|e| e.rule.as_str())
            .collect();
        assert_eq!(rules, ["future_date", "phone_too_short"]);
        assert_eq!(v.rejected[0].row.line, 3);
    }

    proptest! {
        #[test]
        fn csv_cells_survive_any_delimiter(
            rows in proptest::collection::vec(proptest::collection::vec("[a-zA-Zاحمد0-9 ,;|\t\"]{1,8}", 3), 1..6),
            d in 0usize..4,
        ) {
            let delimiter = DELIMITERS[d];
            let header = strings(&["first name", "surname", "phone"]);
            let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
            w.write_record(&header).unwrap();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let t = read_csv(&bytes).unwrap();
            prop_assert_eq!(&t.header, &header);
            let kept: Vec<&Vec<String>> = rows.iter().filter(|r| !blank(r)).collect();
            prop_assert_eq!(t.rows.len(), kept.len());
            for (got, want) in t.rows.iter().zip(kept) {
                prop_assert_eq!(&got.cells, want);
            }
        }

        #[test]
        fn read_equals_accepted_plus_rejected(cells in proptest::collection::vec("\\PC{0,12}", 0..40)) {
            let header = header();
            let rows: Vec<RawRow> = cells
                .chunks(header.len())
                .enumerate()
                .map(|(i, c)| RawRow { line: i as u64 + 2, cells: c.to_vec() })
                .collect();
            let t = Table { header: header.clone(), rows };
            let m = map_columns(&header, &[]).unwrap();
            let v = validate_table(&t, &m, &opts());
            prop_assert_eq!(v.accepted.len() + v.rejected.len(), t.rows.len());
            for r in &v.rejected {
                prop_assert!(!r.errors.is_empty());
            }
        }
    }
}
