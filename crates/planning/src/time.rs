//! UTC timestamps in the exact `YYYY-MM-DDTHH:MM:SSZ` form, as epoch seconds.
//!
//! Written out by hand (civil-date arithmetic) so the crate stays free of a clock
//! and of a date library for the one format FORMAT.md allows.

pub(crate) const HOUR: i64 = 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into epoch seconds; `None` for anything else.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * HOUR + mi * 60 + se)
}

/// Formats epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / HOUR,
        (secs % HOUR) / 60,
        secs % 60
    )
}

/// `ceil(t / 1 h)` in epoch hours.
pub(crate) fn ceil_hour(t: i64) -> i64 {
    -(-t).div_euclid(HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        let t = parse("2021-08-20T06:15:00Z").unwrap();
        assert_eq!(format(t), "2021-08-20T06:15:00Z");
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse("2024-02-29T23:59:59Z").map(format).as_deref(),
            Some("2024-02-29T23:59:59Z")
        );
        assert_eq!(parse("2021-02-29T00:00:00Z"), None);
        assert_eq!(parse("2021-08-20 06:15:00Z"), None);
        assert_eq!(parse("2021-08-20T06:15:00+00:00"), None);
        assert_eq!(ceil_hour(t), t / HOUR + 1);
        assert_eq!(ceil_hour(7200), 2);
        assert_eq!(ceil_hour(-1), 0);
    }
}
