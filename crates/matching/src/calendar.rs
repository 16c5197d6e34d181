//! Dates of birth as intervals of day numbers, in either calendar.
//!
//! Registries record dates of birth in the Gregorian or the Solar Hijri (Afghan / Persian
//! "Hijri Shamsi") calendar, often as a year only, so dates are compared as intervals of
//! days. Solar Hijri dates are converted by [`formats::solar_hijri`], Muster's one
//! implementation of that calendar.

use chrono::{Datelike, NaiveDate};
use formats::solar_hijri::{SolarHijriDate, month_length};

/// Days since 1970-01-01 of a proleptic Gregorian date (valid for any year).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    // Shift the year to start in March so that the leap day is the last day of the year.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

pub fn is_gregorian_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn gregorian_month_len(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_gregorian_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Day number of a Gregorian date from the calendar crate.
fn day_of(date: NaiveDate) -> i32 {
    days_from_civil(date.year(), date.month(), date.day())
}

/// Day number of a Solar Hijri date, or None when the date does not exist (or lies outside
/// the years [`formats::solar_hijri`] converts).
fn sh_to_days(sy: i32, m: u32, d: u32) -> Option<i32> {
    let date = SolarHijriDate::new(sy, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()?;
    Some(day_of(date.to_gregorian()))
}

/// First and last day numbers of a Solar Hijri year.
fn sh_year(sy: i32) -> Option<(i32, i32)> {
    let first = SolarHijriDate::first_of_year(sy).ok()?.to_gregorian();
    let last = SolarHijriDate::last_of_year(sy).ok()?.to_gregorian();
    Some((day_of(first), day_of(last)))
}

/// A date of birth as the closed interval of days it may denote, with how it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateSpan {
    pub first: i32,
    pub last: i32,
    /// Full day precision as written (Gregorian digits kept for typo comparison).
    pub exact: Option<(i32, u32, u32)>,
}

impl DateSpan {
    pub fn is_day(&self) -> bool {
        self.first == self.last
    }
    pub fn overlaps(&self, other: &DateSpan) -> bool {
        self.first <= other.last && other.first <= self.last
    }
    /// Days between the two intervals (0 when they overlap).
    pub fn gap(&self, other: &DateSpan) -> i32 {
        (other.first - self.last)
            .max(self.first - other.last)
            .max(0)
    }
    /// Gregorian years the interval touches (for blocking keys).
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        civil_from_days(self.first).0..=civil_from_days(self.last).0
    }
}

/// Parse the date formats registries use: `YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`, `YYYY`,
/// and Solar Hijri `SH:YYYY[-MM[-DD]]`, with Latin or Perso-Arabic digits.
pub fn parse_date(input: &str) -> Option<DateSpan> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            _ => c,
        })
        .collect();
    if s.is_empty() {
        return None;
    }
    let upper = s.to_ascii_uppercase();
    if let Some(rest) = upper
        .strip_prefix("SH:")
        .or_else(|| upper.strip_prefix("SH "))
    {
        return parse_sh(rest.trim());
    }
    let parts: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<i32>().ok();
    match parts.as_slice() {
        [one] if one.len() == 8 => {
            let (y, m, d) = (num(&one[..4])?, num(&one[4..6])?, num(&one[6..])?);
            gregorian_day(y, m as u32, d as u32)
        }
        [one] if one.len() == 4 => {
            let y = num(one)?;
            // A four-digit year far in the past is a Solar Hijri year written without marker.
            if (1250..1500).contains(&y) {
                return parse_sh(one);
            }
            year_span(y)
        }
        [a, b, c] if a.len() == 4 => {
            let (y, m, d) = (num(a)?, num(b)? as u32, num(c)? as u32);
            if (1250..1500).contains(&y) {
                return parse_sh(&format!("{y}-{m}-{d}"));
            }
            gregorian_day(y, m, d).or_else(|| year_span(y))
        }
        [a, b, c] if c.len() == 4 => {
            let (d, m, y) = (num(a)? as u32, num(b)? as u32, num(c)?);
            gregorian_day(y, m, d).or_else(|| year_span(y))
        }
        [a, b] if a.len() == 4 => {
            let (y, m) = (num(a)?, num(b)? as u32);
            let len = gregorian_month_len(y, m);
            if len == 0 {
                return year_span(y);
            }
            Some(DateSpan {
                first: days_from_civil(y, m, 1),
                last: days_from_civil(y, m, len),
                exact: None,
            })
        }
        _ => None,
    }
}

fn gregorian_day(y: i32, m: u32, d: u32) -> Option<DateSpan> {
    if !(1800..2200).contains(&y) || d == 0 || d > gregorian_month_len(y, m) {
        return None;
    }
    let day = days_from_civil(y, m, d);
    Some(DateSpan {
        first: day,
        last: day,
        exact: Some((y, m, d)),
    })
}

fn year_span(y: i32) -> Option<DateSpan> {
    if !(1800..2200).contains(&y) {
        return None;
    }
    Some(DateSpan {
        first: days_from_civil(y, 1, 1),
        last: days_from_civil(y, 12, 31),
        exact: None,
    })
}

fn parse_sh(s: &str) -> Option<DateSpan> {
    let parts: Vec<i32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [y] => {
            let (first, last) = sh_year(*y)?;
            Some(DateSpan {
                first,
                last,
                exact: None,
            })
        }
        [y, m] => {
            let first = sh_to_days(*y, *m as u32, 1)?;
            let last = first + i32::from(month_length(*y, *m as u8)) - 1;
            Some(DateSpan {
                first,
                last,
                exact: None,
            })
        }
        [y, m, d] => match sh_to_days(*y, *m as u32, *d as u32) {
            Some(day) => Some(DateSpan {
                first: day,
                last: day,
                exact: Some(civil_from_days(day)),
            }),
            // An impossible day still tells the year.
            None => parse_sh(&y.to_string()),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solar_hijri_dates_become_their_gregorian_days() {
        let day = |s: &str| parse_date(s).and_then(|d| d.exact);
        assert_eq!(day("SH:1400-01-01"), Some((2021, 3, 21)));
        assert_eq!(day("SH:1399-01-01"), Some((2020, 3, 20)));
        assert_eq!(day("SH:1360-07-14"), Some((1981, 10, 6)));
        assert_eq!(day("SH:1399-12-30"), Some((2021, 3, 20)));
        // An impossible day still tells the year; a month spans its days.
        let year = parse_date("SH:1400").unwrap();
        assert_eq!(parse_date("SH:1400-12-30"), Some(year));
        assert_eq!(year.last - year.first, 364);
        assert_eq!(year.first, days_from_civil(2021, 3, 21));
        let hut = parse_date("SH:1399-12").unwrap();
        assert_eq!(
            (hut.first, hut.last),
            (days_from_civil(2021, 2, 19), days_from_civil(2021, 3, 20))
        );
        assert_eq!(parse_date("SH:1400-13"), None);
    }

    #[test]
    fn gregorian_day_numbers_round_trip_for_two_centuries() {
        let start = days_from_civil(1900, 1, 1);
        for day in start..start + 200 * 365 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn sh_year_agrees_with_gregorian_date_inside_it() {
        let year = parse_date("SH:1360").unwrap();
        let day = parse_date("1981-05-01").unwrap();
        assert!(year.overlaps(&day));
        assert!(!parse_date("1983-05-01").unwrap().overlaps(&year));
        assert_eq!(parse_date("۱۳۶۰-۰۷-۱۴").unwrap().exact, Some((1981, 10, 6)));
        assert_eq!(parse_date("19811006"), parse_date("1981-10-06"));
    }
}
