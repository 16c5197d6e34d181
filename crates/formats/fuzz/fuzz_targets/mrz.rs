//! Any text handed to the MRZ parser: no panic, and what it accepts is sane.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date");
    if let Ok(m) = formats::mrz::parse_mrz(text, today) {
        assert!(!m.surname.is_empty());
        assert!(
            m.document_number
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
        );
        if let Some(b) = m.birth_date {
            assert!(b.earliest <= b.latest && b.latest <= today);
        }
    }
});
