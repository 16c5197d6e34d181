//! The Solar Hijri calendar (Hijri Shamsi), as used in Afghanistan and Iran,
//! and its exact conversion to and from the Gregorian calendar.
//!
//! The calendar year starts at the March equinox (1 Hamal / Farvardin). Months
//! 1–6 have 31 days, 7–11 have 30, month 12 has 29 or 30. Which years are leap
//! years follows the astronomical equinox; over the supported range
//! [`MIN_YEAR`]..=[`MAX_YEAR`] (1831–2251 CE) that rule coincides with a plain
//! 33-year cycle (years 0, 4, 8, …, 28 of each cycle counted from 1210 are leap
//! years), as tabulated by Borkowski (1996). Outside that range the cycle drifts
//! from the sky, so conversion refuses rather than guessing.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// First Solar Hijri year this module converts (1831 CE).
pub const MIN_YEAR: i32 = 1210;
/// Last Solar Hijri year this module converts (2251 CE).
pub const MAX_YEAR: i32 = 1629;

/// Afghan (Dari) month names in Latin script, 1-based order.
pub const AFGHAN_MONTHS: [&str; 12] = [
    "Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sunbula", "Mizan", "Aqrab", "Qaws", "Jadi",
    "Dalw", "Hut",
];
/// Iranian (Persian) month names in Latin script, 1-based order.
pub const IRANIAN_MONTHS: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];
/// Afghan month names in Dari script.
pub const AFGHAN_MONTHS_DARI: [&str; 12] = [
    "حمل",
    "ثور",
    "جوزا",
    "سرطان",
    "اسد",
    "سنبله",
    "میزان",
    "عقرب",
    "قوس",
    "جدی",
    "دلو",
    "حوت",
];
/// Iranian month names in Persian script.
pub const IRANIAN_MONTHS_PERSIAN: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

/// Why a Solar Hijri date cannot be built or converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SolarHijriError {
    /// The year lies outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("Solar Hijri year outside the supported range {MIN_YEAR}..={MAX_YEAR}")]
    YearOutOfRange,
    /// The month is not 1..=12.
    #[error("Solar Hijri month must be 1..=12")]
    InvalidMonth,
    /// The day does not exist in that month of that year.
    #[error("day does not exist in that Solar Hijri month")]
    InvalidDay,
}

/// A valid day of the Solar Hijri calendar. Deserialising checks it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "UncheckedDate")]
pub struct SolarHijriDate {
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Deserialize)]
struct UncheckedDate {
    year: i32,
    month: u8,
    day: u8,
}

impl TryFrom<UncheckedDate> for SolarHijriDate {
    type Error = SolarHijriError;

    fn try_from(d: UncheckedDate) -> Result<Self, Self::Error> {
        SolarHijriDate::new(d.year, d.month, d.day)
    }
}

/// Whether a Solar Hijri year has 366 days (30 days in Hut / Esfand).
/// Meaningful for years in the supported range.
pub fn is_leap_year(year: i32) -> bool {
    let r = (year - MIN_YEAR).rem_euclid(33);
    r % 4 == 0 && r <= 28
}

/// Number of days in a month (1..=12) of a Solar Hijri year.
pub fn month_length(year: i32, month: u8) -> u8 {
    match month {
        1..=6 => 31,
        7..=11 => 30,
        _ if is_leap_year(year) => 30,
        _ => 29,
    }
}

/// Leap years in `MIN_YEAR..year` (year >= MIN_YEAR).
fn leaps_before(year: i32) -> i32 {
    let r = year - MIN_YEAR;
    let rem = r % 33;
    (r / 33) * 8 + ((rem + 3) / 4).min(8)
}

/// 1 Hamal 1375 was 20 March 1996.
fn nowruz_1375() -> i32 {
    NaiveDate::from_ymd_opt(1996, 3, 20)
        .map(|d| d.num_days_from_ce())
        .unwrap_or_default()
}

/// Day number (days from CE) of 1 Hamal / Farvardin of `year`.
fn nowruz(year: i32) -> i32 {
    nowruz_1375() + 365 * (year - 1375) + leaps_before(year) - leaps_before(1375)
}

/// Days before the start of `month` (1-based) within a year.
fn days_before_month(month: u8) -> i32 {
    let m = i32::from(month) - 1;
    if m <= 6 { m * 31 } else { 186 + (m - 6) * 30 }
}

impl SolarHijriDate {
    /// Builds a date, checking that it exists and lies in the supported range.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, SolarHijriError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(SolarHijriError::YearOutOfRange);
        }
        if !(1..=12).contains(&month) {
            return Err(SolarHijriError::InvalidMonth);
        }
        if day == 0 || day > month_length(year, month) {
            return Err(SolarHijriError::InvalidDay);
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 (Hamal / Farvardin) ..= 12 (Hut / Esfand).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-based.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The same day in the Gregorian calendar.
    pub fn to_gregorian(self) -> NaiveDate {
        let n = nowruz(self.year) + days_before_month(self.month) + i32::from(self.day) - 1;
        // Every valid date in the supported range maps into chrono's range.
        NaiveDate::from_num_days_from_ce_opt(n).unwrap_or_default()
    }

    /// The same day in the Solar Hijri calendar.
    pub fn from_gregorian(date: NaiveDate) -> Result<Self, SolarHijriError> {
        let n = date.num_days_from_ce();
        if n < nowruz(MIN_YEAR) || n >= nowruz(MAX_YEAR + 1) {
            return Err(SolarHijriError::YearOutOfRange);
        }
        // Estimate the year, then correct by at most one either way.
        let mut year = 1375 + ((n - nowruz_1375()) as f64 / 365.2422).floor() as i32;
        year = year.clamp(MIN_YEAR, MAX_YEAR);
        while year > MIN_YEAR && n < nowruz(year) {
            year -= 1;
        }
        while year < MAX_YEAR && n >= nowruz(year + 1) {
            year += 1;
        }
        let day_of_year = n - nowruz(year);
        let (month, day) = if day_of_year < 186 {
            (day_of_year / 31 + 1, day_of_year % 31 + 1)
        } else {
            let d = day_of_year - 186;
            ((d / 30 + 7).min(12), d - ((d / 30).min(5)) * 30 + 1)
        };
        Self::new(year, month as u8, day as u8)
    }

    /// The first day (1 Hamal) of a Solar Hijri year.
    pub fn first_of_year(year: i32) -> Result<Self, SolarHijriError> {
        Self::new(year, 1, 1)
    }

    /// The last day (29 or 30 Hut) of a Solar Hijri year.
    pub fn last_of_year(year: i32) -> Result<Self, SolarHijriError> {
        Self::new(year, 12, month_length(year, 12))
    }
}

impl std::fmt::Display for SolarHijriDate {
    /// `YYYY/MM/DD`, the way Afghan documents write it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sh(y: i32, m: u8, d: u8) -> SolarHijriDate {
        SolarHijriDate::new(y, m, d).unwrap()
    }

    #[test]
    fn known_dates() {
        let cases = [
            (sh(1400, 1, 1), g(2021, 3, 21)),
            (sh(1400, 5, 24), g(2021, 8, 15)),
            (sh(1360, 1, 1), g(1981, 3, 21)),
            (sh(1399, 12, 30), g(2021, 3, 20)),
            (sh(1403, 12, 30), g(2025, 3, 20)),
            (sh(1404, 1, 1), g(2025, 3, 21)),
            (sh(1396, 10, 11), g(2018, 1, 1)),
            (sh(1357, 11, 22), g(1979, 2, 11)),
            (sh(1375, 1, 1), g(1996, 3, 20)),
            (sh(1300, 1, 1), g(1921, 3, 21)),
            (sh(1380, 6, 20), g(2001, 9, 11)),
        ];
        for (s, d) in cases {
            assert_eq!(s.to_gregorian(), d, "{s}");
            assert_eq!(SolarHijriDate::from_gregorian(d).unwrap(), s, "{d}");
        }
    }

    #[test]
    fn leap_years_near_today() {
        let leaps: Vec<i32> = (1385..=1410).filter(|y| is_leap_year(*y)).collect();
        assert_eq!(leaps, [1387, 1391, 1395, 1399, 1403, 1408]);
        assert!(is_leap_year(1370) && !is_leap_year(1371) && is_leap_year(1375));
    }

    #[test]
    fn rejects_impossible_days() {
        assert_eq!(
            SolarHijriDate::new(1400, 7, 31),
            Err(SolarHijriError::InvalidDay)
        );
        assert_eq!(
            SolarHijriDate::new(1400, 12, 30),
            Err(SolarHijriError::InvalidDay)
        );
        assert!(SolarHijriDate::new(1399, 12, 30).is_ok());
        assert_eq!(
            SolarHijriDate::new(1400, 13, 1),
            Err(SolarHijriError::InvalidMonth)
        );
        assert_eq!(
            SolarHijriDate::new(1400, 0, 1),
            Err(SolarHijriError::InvalidMonth)
        );
        assert_eq!(
            SolarHijriDate::new(1400, 1, 0),
            Err(SolarHijriError::InvalidDay)
        );
        assert_eq!(
            SolarHijriDate::new(1000, 1, 1),
            Err(SolarHijriError::YearOutOfRange)
        );
        assert_eq!(
            SolarHijriDate::from_gregorian(g(1700, 1, 1)),
            Err(SolarHijriError::YearOutOfRange)
        );
    }

    #[test]
    fn every_day_of_the_supported_range_round_trips_and_is_consecutive() {
        let first = SolarHijriDate::first_of_year(MIN_YEAR)
            .unwrap()
            .to_gregorian();
        let last = SolarHijriDate::last_of_year(MAX_YEAR)
            .unwrap()
            .to_gregorian();
        let mut prev: Option<SolarHijriDate> = None;
        let mut day = first;
        let mut count = 0;
        while day <= last {
            let s = SolarHijriDate::from_gregorian(day).unwrap();
            assert_eq!(s.to_gregorian(), day);
            if let Some(p) = prev {
                assert!(s > p, "{s} after {p}");
                let expected = if p.day() < month_length(p.year(), p.month()) {
                    (p.year(), p.month(), p.day() + 1)
                } else if p.month() < 12 {
                    (p.year(), p.month() + 1, 1)
                } else {
                    (p.year() + 1, 1, 1)
                };
                assert_eq!((s.year(), s.month(), s.day()), expected);
            }
            prev = Some(s);
            day = day.succ_opt().unwrap();
            count += 1;
        }
        assert!(count > 150_000);
        // Each year's Nowruz falls on 19, 20, 21 or 22 March.
        for y in MIN_YEAR..=MAX_YEAR {
            let d = SolarHijriDate::first_of_year(y).unwrap().to_gregorian();
            assert_eq!(d.month(), 3);
            assert!((19..=22).contains(&d.day()), "{y}: {d}");
        }
    }

    #[test]
    fn deserialising_checks_the_date() {
        let d: SolarHijriDate =
            serde_json::from_str(r#"{"year":1400,"month":5,"day":24}"#).unwrap();
        assert_eq!(d, sh(1400, 5, 24));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"year":1400,"month":5,"day":24}"#
        );
        assert!(
            serde_json::from_str::<SolarHijriDate>(r#"{"year":1400,"month":12,"day":30}"#).is_err()
        );
    }

    proptest! {
        #[test]
        fn solar_hijri_round_trips(y in MIN_YEAR..=MAX_YEAR, m in 1u8..=12, d in 1u8..=31) {
            if let Ok(s) = SolarHijriDate::new(y, m, d) {
                prop_assert_eq!(SolarHijriDate::from_gregorian(s.to_gregorian()).unwrap(), s);
            }
        }
    }
}
