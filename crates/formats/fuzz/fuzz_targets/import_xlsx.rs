//! The importer on workbooks whose worksheet XML is the fuzz input, so that
//! mutations reach the sheet reader instead of dying at the ZIP checksum.
#![no_main]

use std::io::{Cursor, Write};

use chrono::NaiveDate;
use formats::import::{ValidationOptions, map_columns, read_xlsx, validate_table};
use libfuzzer_sys::fuzz_target;

const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn workbook(sheet: &[u8]) -> Vec<u8> {
    let parts: [(&str, Vec<u8>); 5] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_vec(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{REL}"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).into_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.to_vec()),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        zip.write_all(&body).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// libfuzzer-sys aborts in its panic hook, before `read_xlsx` can turn a
/// calamine panic into an error; a panic that escapes the importer still
/// aborts in libfuzzer-sys's own `catch_unwind`.
fn let_the_importer_catch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
}

fuzz_target!(|sheet: &[u8]| {
    let_the_importer_catch_panics();
    let Ok(table) = read_xlsx(workbook(sheet)) else {
        return;
    };
    let Ok(mapping) = map_columns(&table.header, &[]) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date");
    let v = validate_table(&table, &mapping, &ValidationOptions::afghan(today));
    assert_eq!(v.accepted.len() + v.rejected.len(), table.rows.len());
});
