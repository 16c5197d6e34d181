//! ISO 3166-1 countries: alpha-2 and alpha-3 codes with validation, and the
//! words people write in a nationality column ("Afghan", "German", "افغان").

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country_table::{COUNTRIES, NATIONALITY_WORDS};

/// Lower-case English names and nationality words -> country.
static NAMES: LazyLock<HashMap<String, Country>> = LazyLock::new(|| {
    let mut names: HashMap<String, Country> = COUNTRIES
        .iter()
        .enumerate()
        .map(|(i, (_, _, name))| (name.to_lowercase(), Country { index: i as u16 }))
        .collect();
    for (word, code) in NATIONALITY_WORDS {
        if let Ok(c) = Country::from_code(code) {
            names.entry((*word).to_string()).or_insert(c);
        }
    }
    names
});

/// A country of ISO 3166-1. Serialised as its alpha-3 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    index: u16,
}

/// Why a country could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    /// Nothing was given.
    #[error("country is empty")]
    Empty,
    /// Two or three letters that are no ISO 3166-1 code.
    #[error("not an ISO 3166-1 country code")]
    UnknownCode,
    /// A word that is neither a code, a country name nor a nationality.
    #[error("not a known country or nationality")]
    UnknownName,
}

impl CountryError {
    /// A short, stable name of the rule that failed.
    pub fn rule(&self) -> &'static str {
        match self {
            CountryError::Empty => "empty",
            CountryError::UnknownCode => "unknown_country_code",
            CountryError::UnknownName => "unknown_country",
        }
    }
}

impl Country {
    fn entry(self) -> (&'static str, &'static str, &'static str) {
        COUNTRIES[usize::from(self.index)]
    }

    /// ISO 3166-1 alpha-2 code, e.g. `AF`.
    pub fn alpha2(self) -> &'static str {
        self.entry().0
    }

    /// ISO 3166-1 alpha-3 code, e.g. `AFG`.
    pub fn alpha3(self) -> &'static str {
        self.entry().1
    }

    /// English short name, e.g. `Afghanistan`.
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    /// Every country of the standard, in alpha-2 order.
    pub fn all() -> impl Iterator<Item = Country> {
        (0..COUNTRIES.len()).map(|i| Country { index: i as u16 })
    }

    /// A country by its alpha-2 or alpha-3 code (any case). The ICAO 9303
    /// code `D` (Germany, as written in German passports) is accepted too.
    pub fn from_code(code: &str) -> Result<Country, CountryError> {
        let c = code.trim().trim_end_matches('<').to_ascii_uppercase();
        if c.is_empty() {
            return Err(CountryError::Empty);
        }
        let c = if c == "D" { "DEU".to_string() } else { c };
        COUNTRIES
            .iter()
            .position(|(a2, a3, _)| *a2 == c || *a3 == c)
            .map(|i| Country { index: i as u16 })
            .ok_or(CountryError::UnknownCode)
    }

    /// A country from a nationality column: a code, an English short name,
    /// or a common nationality word in English, a Nordic language, German,
    /// Dari or Pashto.
    pub fn parse_nationality(input: &str) -> Result<Country, CountryError> {
        let t = crate::text::clean_whitespace(input);
        let t = t.trim_matches(|c: char| c == '.' || c == ',');
        if t.is_empty() {
            return Err(CountryError::Empty);
        }
        if t.len() <= 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
            match Country::from_code(t) {
                Ok(c) => return Ok(c),
                Err(e) if !matches!(t.to_ascii_lowercase().as_str(), "uk" | "usa" | "uae") => {
                    return Err(e);
                }
                Err(_) => {}
            }
        }
        let lower = t.to_lowercase();
        let lower = lower.strip_prefix("the ").unwrap_or(&lower);
        NAMES.get(lower).copied().ok_or(CountryError::UnknownName)
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.alpha3())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.alpha3())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::from_code(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_complete_and_consistent() {
        assert_eq!(COUNTRIES.len(), 249);
        let mut a2 = HashSet::new();
        let mut a3 = HashSet::new();
        for (i, (two, three, name)) in COUNTRIES.iter().enumerate() {
            assert!(
                two.len() == 2 && two.chars().all(|c| c.is_ascii_uppercase()),
                "{two}"
            );
            assert!(
                three.len() == 3 && three.chars().all(|c| c.is_ascii_uppercase()),
                "{three}"
            );
            assert!(!name.is_empty());
            assert!(a2.insert(*two), "duplicate {two}");
            assert!(a3.insert(*three), "duplicate {three}");
            if i > 0 {
                assert!(COUNTRIES[i - 1].0 < *two, "not sorted at {two}");
            }
        }
        for (word, code) in NATIONALITY_WORDS {
            assert!(Country::from_code(code).is_ok(), "{word} -> {code}");
            assert_eq!(*word, word.to_lowercase());
        }
    }

    #[test]
    fn codes() {
        let af = Country::from_code("AFG").unwrap();
        assert_eq!(
            (af.alpha2(), af.alpha3(), af.name()),
            ("AF", "AFG", "Afghanistan")
        );
        assert_eq!(Country::from_code("af").unwrap(), af);
        assert_eq!(Country::from_code(" deu ").unwrap().alpha2(), "DE");
        assert_eq!(Country::from_code("D<<").unwrap().alpha3(), "DEU");
        assert_eq!(Country::from_code("GBR").unwrap().alpha2(), "GB");
        assert_eq!(Country::from_code("XK"), Err(CountryError::UnknownCode));
        assert_eq!(Country::from_code("UTO"), Err(CountryError::UnknownCode));
        assert_eq!(Country::from_code("ZZZ"), Err(CountryError::UnknownCode));
        assert_eq!(Country::from_code(""), Err(CountryError::Empty));
        assert_eq!(Country::all().count(), 249);
    }

    #[test]
    fn nationality_words() {
        let cases = [
            ("Afghan", "AFG"),
            ("AFGHAN", "AFG"),
            ("afghanistan", "AFG"),
            ("افغان", "AFG"),
            ("German", "DEU"),
            ("Deutsch", "DEU"),
            ("Norwegian", "NOR"),
            ("Danish", "DNK"),
            ("Finnish", "FIN"),
            ("british", "GBR"),
            ("UK", "GBR"),
            ("USA", "USA"),
            ("US", "USA"),
            ("the Netherlands", "NLD"),
            ("Pakistani", "PAK"),
            ("Iranian", "IRN"),
            ("Tajik", "TJK"),
            ("af", "AFG"),
        ];
        for (input, code) in cases {
            assert_eq!(
                Country::parse_nationality(input).unwrap().alpha3(),
                code,
                "{input}"
            );
        }
        assert_eq!(
            Country::parse_nationality("Martian"),
            Err(CountryError::UnknownName)
        );
        assert_eq!(
            Country::parse_nationality("QQ"),
            Err(CountryError::UnknownCode)
        );
        assert_eq!(Country::parse_nationality(" "), Err(CountryError::Empty));
    }

    #[test]
    fn serialises_as_alpha3() {
        let c = Country::from_code("NO").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"NOR\"");
        assert_eq!(serde_json::from_str::<Country>("\"NOR\"").unwrap(), c);
        assert!(serde_json::from_str::<Country>("\"XXX\"").is_err());
    }
}
