//! Any text handed to the date parser: no panic, never a future or inverted
//! span, and a day it accepts reads back the same when written as ISO.
#![no_main]

use chrono::NaiveDate;
use formats::date::{Precision, parse_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date");
    if let Ok(d) = parse_date(text, today) {
        assert!(d.earliest <= d.latest, "inverted span");
        assert!(d.latest <= today, "future date accepted");
        if d.precision == Precision::Day {
            assert_eq!(d.earliest, d.latest);
            let iso = d.earliest.format("%Y-%m-%d").to_string();
            let again = parse_date(&iso, today).expect("ISO form of an accepted day");
            assert_eq!(again.earliest, d.earliest);
        }
    }
});
