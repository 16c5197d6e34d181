//! Sex as documents and lists give it.

use serde::{Deserialize, Serialize};

/// Sex as recorded on a document (ICAO 9303 knows F, M and unspecified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Unspecified, other or diverse (MRZ `<` or `X`).
    Unspecified,
}

/// The input is not a recognised word or letter for a sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sex must be female, male or unspecified (F, M, X)")]
pub struct SexError;

impl Sex {
    /// Reads a letter or word in English, German, the Nordic languages,
    /// Dari or Pashto (`F`, `male`, `weiblich`, `kvinne`, `زن`, `نارینه`...).
    pub fn parse(input: &str) -> Result<Sex, SexError> {
        let t = crate::text::clean_whitespace(input).to_lowercase();
        let t = t.trim_end_matches('.');
        match t {
            "f" | "female" | "woman" | "w" | "weiblich" | "frau" | "k" | "kvinne" | "kvinde"
            | "kvinna" | "n" | "nainen" | "زن" | "اناث" | "مونث" | "مؤنث" | "ښځه" | "ښځینه"
            | "خانم" => Ok(Sex::Female),
            "m" | "male" | "man" | "mann" | "männlich" | "mand" | "mies" | "mann." | "مرد"
            | "ذکور" | "مذکر" | "نارینه" | "سړی" => Ok(Sex::Male),
            "x" | "<" | "d" | "divers" | "diverse" | "other" | "unspecified" | "u" => {
                Ok(Sex::Unspecified)
            }
            _ => Err(SexError),
        }
    }

    /// The ICAO 9303 letter: `F`, `M` or `<`.
    pub fn mrz_letter(self) -> char {
        match self {
            Sex::Female => 'F',
            Sex::Male => 'M',
            Sex::Unspecified => '<',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_letters_and_words() {
        for s in ["F", "female", " Kvinne ", "weiblich", "زن", "ښځه", "N"] {
            assert_eq!(Sex::parse(s), Ok(Sex::Female), "{s}");
        }
        for s in ["M", "Male", "mand", "مرد", "نارینه", "mies"] {
            assert_eq!(Sex::parse(s), Ok(Sex::Male), "{s}");
        }
        for s in ["X", "<", "diverse"] {
            assert_eq!(Sex::parse(s), Ok(Sex::Unspecified), "{s}");
        }
        assert_eq!(Sex::parse("yes"), Err(SexError));
        assert_eq!(Sex::parse(""), Err(SexError));
        assert_eq!(Sex::Female.mrz_letter(), 'F');
    }
}
