//! Any bytes handed to the importer (CSV in any encoding, or XLSX): no panic,
//! every row accepted or rejected, rejected rows writable.
#![no_main]

use chrono::NaiveDate;
use formats::import::{
    ValidationOptions, group_households, map_columns, read_table, validate_table, write_rejected,
};
use libfuzzer_sys::fuzz_target;

/// libfuzzer-sys aborts in its panic hook, before `read_xlsx` can turn a
/// calamine panic into an error; a panic that escapes the importer still
/// aborts in libfuzzer-sys's own `catch_unwind`.
fn let_the_importer_catch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
}

fuzz_target!(|data: &[u8]| {
    let_the_importer_catch_panics();
    let Ok(table) = read_table(data.to_vec()) else {
        return;
    };
    let Ok(mapping) = map_columns(&table.header, &[]) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date");
    let validated = validate_table(&table, &mapping, &ValidationOptions::afghan(today));
    assert_eq!(
        validated.accepted.len() + validated.rejected.len(),
        table.rows.len()
    );
    let households = group_households(&validated, &mapping);
    let members: usize = households.iter().map(|h| h.members.len()).sum();
    assert_eq!(members, validated.accepted.len());
    let mut out = Vec::new();
    write_rejected(&mut out, &table.header, &validated.rejected).expect("write to memory");
    // The rejected-rows file reads back as the same rows.
    if validated.rejected.is_empty() || out.contains(&0) {
        return;
    }
    let back = read_table(out).expect("rejected rows read back");
    assert_eq!(back.rows.len(), validated.rejected.len());
    for (got, want) in back.rows.iter().zip(&validated.rejected) {
        assert_eq!(&got.cells[..want.row.cells.len()], &want.row.cells[..]);
        assert_eq!(got.cells[got.cells.len() - 2], want.row.line.to_string());
    }
});
