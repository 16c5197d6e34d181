//! Tables out: CSV with the Humanitarian Exchange Language (HXL) hashtag row
//! under the header, and the guard against formula injection that every
//! spreadsheet export needs.

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one) is written with a leading apostrophe, the
/// common defence (OWASP): the text stays readable and is never evaluated.
pub fn guard_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

/// One column of an HXL table: its human header and its hashtag with attributes
/// (`#adm1+name`, `#affected+num`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub hashtag: &'static str,
}

/// Whether a hashtag spec is well formed: `#tag` then `+attribute`s, lower-case
/// letters, digits and underscores, as HXL 1.1 defines them.
pub fn is_hashtag(spec: &str) -> bool {
    let Some(rest) = spec.strip_prefix('#') else {
        return false;
    };
    let word = |w: &str| {
        w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let mut parts = rest.split('+');
    parts.next().is_some_and(word) && parts.all(word)
}

/// Writes the header row, the hashtag row and the rows, every cell guarded.
pub fn write_table(columns: &[Column], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|c| c.header))?;
    w.write_record(columns.iter().map(|c| c.hashtag))?;
    for row in rows {
        w.write_record(row.iter().map(|v| guard_cell(v)))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(guard_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_cell("+93701234567"), "'+93701234567");
        assert_eq!(guard_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard_cell("Kabul"), "Kabul");
        assert_eq!(guard_cell(""), "");
    }

    #[test]
    fn the_hashtag_row_stands_under_the_header() {
        let cols = [
            Column {
                header: "Province",
                hashtag: "#adm1+name",
            },
            Column {
                header: "People",
                hashtag: "#affected+num",
            },
        ];
        assert!(cols.iter().all(|c| is_hashtag(c.hashtag)));
        assert!(!is_hashtag("adm1") && !is_hashtag("#Adm1") && !is_hashtag("#adm1+"));
        let out = write_table(&cols, &[vec!["Kabul".into(), "12".into()]]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Province,People\n#adm1+name,#affected+num\nKabul,12\n"
        );
    }
}
