//! Telephone numbers normalised to E.164 (`+93701234567`).
//!
//! Afghan numbers are checked closely (`07x...`, `+93`, `0093`, `93...`; 9
//! national digits, mobile 7x, landline 2x–6x); for the countries in the table
//! below the national length is checked; other numbers written with their
//! country code are accepted when their length fits E.164.

use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::text::{fold_digit, is_invisible};

/// A telephone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// `+` followed by 8 to 15 digits.
    pub e164: String,
    /// The country the calling code belongs to, where the table knows it.
    pub country: Option<Country>,
}

/// Why a number cannot be right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was given.
    #[error("phone number is empty")]
    Empty,
    /// Letters or symbols other than spaces, dashes, dots, slashes and brackets.
    #[error("phone number may hold only digits, a leading +, spaces, dashes and brackets")]
    InvalidCharacter,
    /// Fewer digits than the country's numbers have.
    #[error("phone number is too short")]
    TooShort,
    /// More digits than the country's numbers (or E.164) allow.
    #[error("phone number is too long")]
    TooLong,
    /// An Afghan number must start with 7 (mobile) or 2–6 (landline) after 0 or +93.
    #[error("Afghan phone numbers start with 07 (mobile) or 02-06 (landline)")]
    BadAfghanPrefix,
    /// A national number (no `+` or `00`) without a default country.
    #[error("phone number has no country code and no default country is known")]
    NoCountry,
    /// The number after `+` or `00` starts with 0.
    #[error("country calling code cannot start with 0")]
    BadCountryCode,
}

impl PhoneError {
    /// A short, stable name of the rule that failed.
    pub fn rule(&self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::InvalidCharacter => "phone_character",
            PhoneError::TooShort => "phone_too_short",
            PhoneError::TooLong => "phone_too_long",
            PhoneError::BadAfghanPrefix => "phone_afghan_prefix",
            PhoneError::NoCountry => "phone_no_country",
            PhoneError::BadCountryCode => "phone_country_code",
        }
    }
}

/// A country's numbering: calling code, national trunk prefix, and the
/// shortest and longest national significant number.
struct Plan {
    alpha2: &'static str,
    code: &'static str,
    trunk: Option<&'static str>,
    min: usize,
    max: usize,
}

const fn plan(
    alpha2: &'static str,
    code: &'static str,
    trunk: Option<&'static str>,
    min: usize,
    max: usize,
) -> Plan {
    Plan {
        alpha2,
        code,
        trunk,
        min,
        max,
    }
}

/// Numbering plans of the countries Muster deals with most.
const PLANS: &[Plan] = &[
    plan("AF", "93", Some("0"), 9, 9),
    plan("PK", "92", Some("0"), 9, 10),
    plan("IR", "98", Some("0"), 10, 10),
    plan("TJ", "992", None, 9, 9),
    plan("UZ", "998", None, 9, 9),
    plan("TM", "993", Some("8"), 8, 8),
    plan("IN", "91", Some("0"), 10, 10),
    plan("BD", "880", Some("0"), 10, 10),
    plan("CN", "86", Some("0"), 10, 11),
    plan("JP", "81", Some("0"), 9, 10),
    plan("DE", "49", Some("0"), 6, 13),
    plan("AT", "43", Some("0"), 4, 13),
    plan("CH", "41", Some("0"), 9, 9),
    plan("NO", "47", None, 8, 8),
    plan("DK", "45", None, 8, 8),
    plan("SE", "46", Some("0"), 7, 13),
    plan("FI", "358", Some("0"), 5, 12),
    plan("IS", "354", None, 7, 9),
    plan("EE", "372", None, 7, 8),
    plan("LV", "371", None, 8, 8),
    plan("LT", "370", Some("8"), 8, 8),
    plan("NL", "31", Some("0"), 9, 9),
    plan("BE", "32", Some("0"), 8, 9),
    plan("LU", "352", None, 4, 11),
    plan("FR", "33", Some("0"), 9, 9),
    plan("GB", "44", Some("0"), 9, 10),
    plan("IE", "353", Some("0"), 7, 9),
    plan("IT", "39", None, 6, 11),
    plan("ES", "34", None, 9, 9),
    plan("PT", "351", None, 9, 9),
    plan("PL", "48", None, 9, 9),
    plan("CZ", "420", None, 9, 9),
    plan("HU", "36", Some("06"), 8, 9),
    plan("RO", "40", Some("0"), 9, 9),
    plan("GR", "30", None, 10, 10),
    plan("AL", "355", Some("0"), 8, 9),
    plan("UA", "380", Some("0"), 9, 9),
    plan("TR", "90", Some("0"), 10, 10),
    plan("US", "1", Some("1"), 10, 10),
    plan("CA", "1", Some("1"), 10, 10),
    plan("RU", "7", Some("8"), 10, 10),
    plan("KZ", "7", Some("8"), 10, 10),
    plan("AU", "61", Some("0"), 9, 9),
    plan("NZ", "64", Some("0"), 8, 10),
    plan("AE", "971", Some("0"), 8, 9),
    plan("QA", "974", None, 8, 8),
    plan("SA", "966", Some("0"), 9, 9),
    plan("KW", "965", None, 8, 8),
];

fn plan_for_country(c: Country) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.alpha2 == c.alpha2())
}

/// The plan whose calling code starts `digits`; where several countries
/// share a code (+1, +7), the default country if it is one of them.
fn plan_for_digits(digits: &str, default: Option<Country>) -> Option<&'static Plan> {
    let mut matching = PLANS.iter().filter(|p| digits.starts_with(p.code));
    let first = matching.next()?;
    let preferred = default
        .and_then(plan_for_country)
        .filter(|p| p.code == first.code);
    Some(preferred.unwrap_or(first))
}

fn check(plan: &Plan, nsn: &str) -> Result<(), PhoneError> {
    if nsn.len() < plan.min {
        return Err(PhoneError::TooShort);
    }
    if nsn.len() > plan.max {
        return Err(PhoneError::TooLong);
    }
    if plan.alpha2 == "AF" && !matches!(nsn.as_bytes()[0], b'2'..=b'7') {
        return Err(PhoneError::BadAfghanPrefix);
    }
    Ok(())
}

fn finish(plan: &Plan, nsn: &str) -> Result<PhoneNumber, PhoneError> {
    check(plan, nsn)?;
    Ok(PhoneNumber {
        e164: format!("+{}{}", plan.code, nsn),
        country: Country::from_code(plan.alpha2).ok(),
    })
}

/// Normalises a telephone number to E.164. Spaces, dashes, dots, slashes and
/// brackets are ignored, `(0)` after a country code is dropped, Persian and
/// Arabic digits are read. A number without `+` or `00` is read as national
/// to `default_country` (an Afghan `93...` of 11 digits is read as
/// international).
pub fn normalize_phone(
    input: &str,
    default_country: Option<Country>,
) -> Result<PhoneNumber, PhoneError> {
    let folded: String = input
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_digit)
        .collect::<String>()
        .replace("(0)", "");
    let mut digits = String::with_capacity(folded.len());
    let mut plus = false;
    for c in folded.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' | '\u{FF0B}' if digits.is_empty() && !plus => plus = true,
            c if c.is_whitespace()
                || matches!(c, '-' | '.' | '/' | '(' | ')' | '\u{2010}'..='\u{2015}') => {}
            _ => return Err(PhoneError::InvalidCharacter),
        }
    }
    if digits.is_empty() {
        return Err(if plus {
            PhoneError::TooShort
        } else {
            PhoneError::Empty
        });
    }
    let default_plan = default_country.and_then(plan_for_country);
    let international = if plus {
        Some(digits.as_str())
    } else if let Some(rest) = digits.strip_prefix("00") {
        Some(rest)
    } else if default_plan.is_some_and(|p| p.alpha2 == "AF")
        && digits.starts_with("93")
        && digits.len() == 11
    {
        Some(digits.as_str())
    } else {
        None
    };
    if let Some(intl) = international {
        if intl.starts_with('0') {
            return Err(PhoneError::BadCountryCode);
        }
        if let Some(plan) = plan_for_digits(intl, default_country) {
            return finish(plan, &intl[plan.code.len()..]);
        }
        return match intl.len() {
            0..=7 => Err(PhoneError::TooShort),
            8..=15 => Ok(PhoneNumber {
                e164: format!("+{intl}"),
                country: None,
            }),
            _ => Err(PhoneError::TooLong),
        };
    }
    let plan = match (default_plan, default_country) {
        (Some(p), _) => p,
        // A default country outside the table: only the E.164 bounds apply.
        (None, Some(_)) | (None, None) => return Err(PhoneError::NoCountry),
    };
    let nsn = match plan.trunk {
        Some(t) => digits.strip_prefix(t).unwrap_or(&digits),
        None => &digits,
    };
    if nsn.is_empty() {
        return Err(PhoneError::TooShort);
    }
    finish(plan, nsn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn af() -> Option<Country> {
        Country::from_code("AF").ok()
    }

    fn c(code: &str) -> Option<Country> {
        Country::from_code(code).ok()
    }

    #[test]
    fn afghan_forms() {
        for s in [
            "0701234567",
            "070 123 4567",
            "070-123-4567",
            "(070) 123-4567",
            "+93 70 123 4567",
            "+93701234567",
            "0093701234567",
            "0093 (0)70 123 4567",
            "+93 (0)70 123 4567",
            "93701234567",
            "۰۷۰۱۲۳۴۵۶۷",
            "٠٧٠١٢٣٤٥٦٧",
            "\u{200F}0701234567",
            "701234567",
        ] {
            let p = normalize_phone(s, af()).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(p.e164, "+93701234567", "{s}");
            assert_eq!(p.country.unwrap().alpha2(), "AF");
        }
        assert_eq!(
            normalize_phone("020 210 1234", af()).unwrap().e164,
            "+93202101234"
        );
        // Written internationally, the default country does not matter.
        assert_eq!(
            normalize_phone("+93 79 912 3456", c("DE")).unwrap().e164,
            "+93799123456"
        );
    }

    #[test]
    fn afghan_errors() {
        assert_eq!(
            normalize_phone("070123456", af()),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            normalize_phone("07012345678", af()),
            Err(PhoneError::TooLong)
        );
        assert_eq!(
            normalize_phone("0812345678", af()),
            Err(PhoneError::BadAfghanPrefix)
        );
        assert_eq!(
            normalize_phone("+93112345678", None),
            Err(PhoneError::BadAfghanPrefix)
        );
        assert_eq!(
            normalize_phone("+93 70 123", None),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            normalize_phone("07O1234567", af()),
            Err(PhoneError::InvalidCharacter)
        );
        assert_eq!(
            normalize_phone("0701234567 ext 5", af()),
            Err(PhoneError::InvalidCharacter)
        );
        assert_eq!(normalize_phone("", af()), Err(PhoneError::Empty));
        assert_eq!(normalize_phone(" - ", af()), Err(PhoneError::Empty));
        assert_eq!(normalize_phone("+", af()), Err(PhoneError::TooShort));
        assert_eq!(
            normalize_phone("++93701234567", af()),
            Err(PhoneError::InvalidCharacter)
        );
        assert_eq!(
            normalize_phone("0701234567", None),
            Err(PhoneError::NoCountry)
        );
        assert_eq!(
            normalize_phone("+0701234567", None),
            Err(PhoneError::BadCountryCode)
        );
    }

    #[test]
    fn other_countries() {
        let cases = [
            ("030 1234567", "DE", "+49301234567"),
            ("+49 (0)30 1234567", "AF", "+49301234567"),
            ("0151 23456789", "DE", "+4915123456789"),
            ("412 34 567", "NO", "+4741234567"),
            ("+47 412 34 567", "DE", "+4741234567"),
            ("32 12 34 56", "DK", "+4532123456"),
            ("040 123 4567", "FI", "+358401234567"),
            ("07700 900123", "GB", "+447700900123"),
            ("(202) 555-0143", "US", "+12025550143"),
            ("1 202 555 0143", "US", "+12025550143"),
            ("0300 1234567", "PK", "+923001234567"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("06 1234 5678", "NL", "+31612345678"),
            ("02 1234 5678", "IT", "+390212345678"),
        ];
        for (input, country, e164) in cases {
            let p = normalize_phone(input, c(country)).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.e164, e164, "{input}");
        }
        // +1 goes to the default when it shares the code.
        assert_eq!(
            normalize_phone("+1 416 555 0100", c("CA")).unwrap().country,
            c("CA")
        );
        assert_eq!(
            normalize_phone("+1 416 555 0100", None).unwrap().country,
            c("US")
        );
        // Unknown calling codes: E.164 bounds only.
        let p = normalize_phone("+263 77 123 4567", None).unwrap();
        assert_eq!((p.e164.as_str(), p.country), ("+263771234567", None));
        assert_eq!(normalize_phone("+263 77", None), Err(PhoneError::TooShort));
        assert_eq!(
            normalize_phone("+263 1234567890123", None),
            Err(PhoneError::TooLong)
        );
        assert_eq!(
            normalize_phone("4123456", c("NO")),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            normalize_phone("0771234567", c("ZW")),
            Err(PhoneError::NoCountry)
        );
    }

    #[test]
    fn plans_are_consistent() {
        for p in PLANS {
            assert!(Country::from_code(p.alpha2).is_ok(), "{}", p.alpha2);
            assert!(p.min <= p.max && p.code.len() + p.max <= 15, "{}", p.alpha2);
            for q in PLANS {
                if p.code != q.code {
                    assert!(!p.code.starts_with(q.code), "{} shadows {}", q.code, p.code);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn afghan_mobiles_round_trip(op in 0u8..10, rest in "[0-9]{7}") {
            let national = format!("07{op}{rest}");
            let p = normalize_phone(&national, af()).unwrap();
            prop_assert_eq!(&p.e164, &format!("+937{op}{rest}"));
            prop_assert_eq!(normalize_phone(&p.e164, None).unwrap(), p.clone());
        }

        #[test]
        fn output_is_always_e164(s in "[+0-9 ()-]{0,20}") {
            if let Ok(p) = normalize_phone(&s, af()) {
                prop_assert!(p.e164.starts_with('+'));
                let digits = &p.e164[1..];
                prop_assert!(digits.len() >= 8 && digits.len() <= 15);
                prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
