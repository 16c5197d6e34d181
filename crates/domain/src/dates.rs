//! Dates of birth as people give them: often only a year, often in the Solar
//! Hijri calendar of Afghan documents. A date keeps its calendar and precision
//! rather than pretending to know a day nobody recorded.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    Gregorian,
    SolarHijri,
}

/// How much of the date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Year,
    /// Derived from a stated age or a guess: the year is approximate.
    Estimated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DateOfBirth {
    pub calendar: Calendar,
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    pub precision: Precision,
}

/// The Solar Hijri year starts in March: year `y` SH overlaps `y + 621` and `y + 622`.
const SOLAR_HIJRI_OFFSET: i32 = 621;

impl DateOfBirth {
    pub fn gregorian(date: NaiveDate) -> Self {
        Self {
            calendar: Calendar::Gregorian,
            year: date.year(),
            month: Some(date.month() as u8),
            day: Some(date.day() as u8),
            precision: Precision::Day,
        }
    }

    pub fn year_only(calendar: Calendar, year: i32) -> Self {
        Self {
            calendar,
            year,
            month: None,
            day: None,
            precision: Precision::Year,
        }
    }

    /// The earliest Gregorian year this date may fall in; used for the
    /// not-in-the-future and plausible-age rules.
    pub fn earliest_gregorian_year(&self) -> i32 {
        match self.calendar {
            Calendar::Gregorian => self.year,
            Calendar::SolarHijri => self.year + SOLAR_HIJRI_OFFSET,
        }
    }

    /// Checks the parts and that the date is not after `today`. `field` names
    /// the input in errors.
    pub fn check(&self, field: &str, today: NaiveDate, errors: &mut ValidationErrors) {
        let year_range = match self.calendar {
            Calendar::Gregorian => 1880..=today.year(),
            Calendar::SolarHijri => 1260..=today.year() - SOLAR_HIJRI_OFFSET,
        };
        if !year_range.contains(&self.year) {
            errors.push(
                format!("{field}.year"),
                "plausible_year",
                format!(
                    "must be between {} and {} in this calendar",
                    year_range.start(),
                    year_range.end()
                ),
            );
            return;
        }
        if self.day.is_some() && self.month.is_none() {
            errors.push(
                format!("{field}.month"),
                "required_with_day",
                "a day needs a month",
            );
            return;
        }
        let needs = match self.precision {
            Precision::Day => (true, true),
            Precision::Month => (true, false),
            Precision::Year | Precision::Estimated => (false, false),
        };
        if needs.0 && self.month.is_none() {
            errors.push(
                format!("{field}.month"),
                "required_by_precision",
                "precision needs a month",
            );
        }
        if needs.1 && self.day.is_none() {
            errors.push(
                format!("{field}.day"),
                "required_by_precision",
                "precision day needs a day",
            );
        }
        if let Some(m) = self.month {
            if !(1..=12).contains(&m) {
                errors.push(format!("{field}.month"), "month_range", "must be 1 to 12");
                return;
            }
            if let Some(d) = self.day {
                let max = match self.calendar {
                    Calendar::Gregorian => days_in_gregorian_month(self.year, m),
                    // Farvardin..Shahrivar have 31 days, Mehr..Bahman 30, Esfand 29 or 30.
                    Calendar::SolarHijri => match m {
                        1..=6 => 31,
                        7..=11 => 30,
                        _ => 30,
                    },
                };
                if d == 0 || d > max {
                    errors.push(
                        format!("{field}.day"),
                        "day_range",
                        format!("must be 1 to {max} in that month"),
                    );
                    return;
                }
            }
        }
        if self.calendar == Calendar::Gregorian {
            let first_possible = NaiveDate::from_ymd_opt(
                self.year,
                self.month.unwrap_or(1).into(),
                self.day.unwrap_or(1).into(),
            );
            if first_possible.is_some_and(|d| d > today) {
                errors.push(field, "not_in_future", "must not be in the future");
            }
        }
    }
}

fn days_in_gregorian_month(year: i32, month: u8) -> u8 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, u32::from(month) + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day() as u8)
        .unwrap_or(31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, 15).unwrap()
    }

    fn rules(d: DateOfBirth) -> Vec<String> {
        let mut e = ValidationErrors::default();
        d.check("dob", today(), &mut e);
        e.0.into_iter()
            .map(|f| format!("{}:{}", f.field, f.rule))
            .collect()
    }

    #[test]
    fn a_year_only_solar_hijri_date_is_fine() {
        assert!(rules(DateOfBirth::year_only(Calendar::SolarHijri, 1360)).is_empty());
    }

    #[test]
    fn impossible_and_future_dates_are_refused() {
        let feb30 = DateOfBirth {
            month: Some(2),
            day: Some(30),
            ..DateOfBirth::year_only(Calendar::Gregorian, 1990)
        };
        assert_eq!(
            rules(DateOfBirth {
                precision: Precision::Day,
                ..feb30
            }),
            ["dob.day:day_range"]
        );
        let future = DateOfBirth::gregorian(NaiveDate::from_ymd_opt(2021, 9, 1).unwrap());
        assert_eq!(rules(future), ["dob:not_in_future"]);
        assert_eq!(
            rules(DateOfBirth::year_only(Calendar::SolarHijri, 1450)),
            ["dob.year:plausible_year"]
        );
    }

    #[test]
    fn leap_day_only_in_leap_years() {
        let d = |y| DateOfBirth::gregorian(NaiveDate::from_ymd_opt(y, 2, 28).unwrap());
        let leap = DateOfBirth {
            day: Some(29),
            ..d(2000)
        };
        let not_leap = DateOfBirth {
            day: Some(29),
            ..d(1900)
        };
        assert!(rules(leap).is_empty());
        assert_eq!(rules(not_leap), ["dob.day:day_range"]);
    }
}
