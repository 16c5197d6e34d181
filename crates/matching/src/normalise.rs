//! Folding of free text into comparable tokens: case, diacritics, Arabic letter variants,
//! titles and placeholders, compound names, phone and document numbers.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Honorifics and titles that say nothing about who a person is.
const TITLES: &[&str] = &[
    "haji",
    "hajji",
    "hajee",
    "haje",
    "alhaj",
    "alhaji",
    "alhajj",
    "hadji",
    "sayed",
    "sayyed",
    "sayyid",
    "syed",
    "seyed",
    "sayd",
    "sayid",
    "mullah",
    "mulla",
    "mollah",
    "molla",
    "mawlawi",
    "maulvi",
    "molavi",
    "maulawi",
    "mawlavi",
    "moulavi",
    "eng",
    "engr",
    "engineer",
    "dr",
    "doctor",
    "daktar",
    "qari",
    "kari",
    "hafiz",
    "hafez",
    "ustad",
    "ostad",
    "ustaad",
    "mr",
    "mrs",
    "ms",
    "miss",
    "prof",
    "sheikh",
    "shaikh",
    "sheik",
    "gen",
    "general",
    "col",
    "capt",
    "lt",
    "sir",
    "حاجی",
    "حاجي",
    "الحاج",
    "سید",
    "سيد",
    "ملا",
    "مولوی",
    "مولوي",
    "انجنیر",
    "مهندس",
    "داکتر",
    "دکتر",
    "دوکتور",
    "قاری",
    "حافظ",
    "استاد",
    "شیخ",
];

/// Written where a name is unknown.
const PLACEHOLDERS: &[&str] = &[
    "fnu", "lnu", "nfn", "nln", "unknown", "unk", "na", "none", "nil", "null", "xxx", "x",
];

/// Abbreviations that stand for one full name (a modest table of common equivalences).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("mohd", "mohammad"),
    ("muhd", "mohammad"),
    ("mhd", "mohammad"),
    ("md", "mohammad"),
    ("mohmd", "mohammad"),
    ("mohd.", "mohammad"),
    ("abd", "abdul"),
];

/// Latin particles that belong to the neighbouring name: "Abdul Rahman", "Zabih Ullah",
/// "Nasir ud Din", "Ghulam al Haq".
const JOIN_NEXT: &[&str] = &[
    "abdul", "abdal", "abdel", "abdol", "abdur", "abdor", "abdus", "abdos", "abduz", "abdu",
    "abdo", "abd", "al", "el", "ul", "ol", "ud", "ad", "ur", "us", "uz",
];
const JOIN_PREVIOUS: &[&str] = &[
    "ullah", "ulla", "allah", "ollah", "olla", "ulah", "uddin", "udin", "oddin", "uddeen", "addin",
    "eddin", "aldin", "uldin", "ul", "ud", "ur", "al",
];

/// Fold a string for comparison: compatibility decomposition, combining marks removed,
/// lower case, Arabic letter variants unified (Arabic and Persian yeh and kaf, teh marbuta,
/// alef with hamza), tatweel and zero-width joiners removed, Perso-Arabic digits to ASCII.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'ي' | 'ى' | 'ئ' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ؤ' => 'و',
            '\u{0640}' | '\u{200c}' | '\u{200d}' | '\u{200e}' | '\u{200f}' => continue,
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            'ß' => {
                out.push_str("ss");
                continue;
            }
            'ø' => 'o',
            'æ' => 'a',
            'đ' | 'ð' => 'd',
            'ł' => 'l',
            'ı' => 'i',
            _ => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

pub fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FEFF}')
}

/// Folded word tokens of a name, titles and placeholders dropped, abbreviations expanded
/// and compound particles joined to their neighbour.
pub fn name_tokens(s: &str) -> Vec<String> {
    let folded = fold(s);
    let raw: Vec<String> = folded
        .split(|c: char| !(c.is_alphanumeric()) || c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(|t| {
            ABBREVIATIONS
                .iter()
                .find(|(abbr, _)| *abbr == t)
                .map_or_else(|| t.to_string(), |(_, full)| (*full).to_string())
        })
        .filter(|t| !TITLES.contains(&t.as_str()))
        .collect();
    if raw.iter().all(|t| PLACEHOLDERS.contains(&t.as_str())) {
        return Vec::new();
    }
    let raw: Vec<String> = raw
        .into_iter()
        .filter(|t| !PLACEHOLDERS.contains(&t.as_str()))
        .collect();
    join_compounds(raw)
}

fn join_compounds(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut pending = String::new();
    // A bare particle ("ud" in "Nasir ud Din") glues both neighbours together.
    let mut glue_next = false;
    let n = tokens.len();
    for (i, t) in tokens.into_iter().enumerate() {
        let arabic = t.chars().any(is_arabic);
        if glue_next {
            glue_next = false;
            if let Some(last) = out.last_mut() {
                last.push_str(&t);
                continue;
            }
        }
        let joins_previous = !out.is_empty()
            && pending.is_empty()
            && (if arabic {
                t == "الله" || t == "اله" || (t.starts_with("ال") && t.chars().count() > 3)
            } else {
                JOIN_PREVIOUS.contains(&t.as_str())
            });
        if joins_previous {
            if let Some(last) = out.last_mut() {
                last.push_str(&t);
            }
            glue_next = i + 1 < n && t.chars().count() <= 2;
            continue;
        }
        let joins_next = i + 1 < n
            && (if arabic {
                t == "عبد" || t == "ال"
            } else {
                JOIN_NEXT.contains(&t.as_str())
            });
        if joins_next {
            pending.push_str(&t);
            continue;
        }
        let mut word = std::mem::take(&mut pending);
        word.push_str(&t);
        out.push(word);
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

/// Split a native-script full name "X ولد Y" (son of) / "X بنت Y" (daughter of) into the
/// person's own name and the father's name.
pub fn split_native_parentage(s: &str) -> (String, Option<String>) {
    let folded = fold(s);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let marker = words.iter().position(|w| {
        matches!(
            *w,
            "ولد" | "بنت" | "فرزند" | "بن" | "s/o" | "d/o" | "son" | "daughter"
        )
    });
    match marker {
        Some(i) => {
            let mut rest = &words[i + 1..];
            if rest.first() == Some(&"of") {
                rest = &rest[1..];
            }
            (
                words[..i].join(" "),
                Some(rest.join(" ")).filter(|r| !r.is_empty()),
            )
        }
        None => (words.join(" "), None),
    }
}

/// Digits only, Perso-Arabic digits included.
pub fn digits(s: &str) -> String {
    fold(s).chars().filter(char::is_ascii_digit).collect()
}

/// A phone number as its national significant number: country code 93 and trunk zeros
/// dropped, so that 0093 70 123 4567, +93701234567 and 0701234567 agree. Numbers from other
/// countries keep their last nine digits, which is enough to tell people apart.
pub fn phone(s: &str) -> Option<String> {
    let d = digits(s);
    if d.len() < 7 {
        return None;
    }
    let tail = if d.len() > 9 {
        &d[d.len() - 9..]
    } else {
        d.trim_start_matches('0')
    };
    Some(tail.to_string())
}

/// A document number: letters and digits only, upper case, letter O read as zero where a
/// digit is expected. Too short to be a number: none.
pub fn document(s: &str) -> Option<String> {
    let folded = fold(s);
    let chars: Vec<char> = folded
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let out: String = chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.to_ascii_uppercase();
            // After a leading letter block, O is almost always a mistyped zero.
            if c == 'O' && i > 0 && chars[..i].iter().any(|p| p.is_ascii_digit()) {
                '0'
            } else {
                c
            }
        })
        .collect();
    (out.len() >= 5).then_some(out)
}

/// Plain folded text for free-text fields (addresses, employers): words joined by one space.
pub fn text(s: &str) -> Option<String> {
    let folded = fold(s);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("MÜLLER Ñúñez"), "muller nunez");
        assert_eq!(fold("علي"), "علی");
        assert_eq!(fold("۱۳۶۰"), "1360");
    }

    #[test]
    fn drops_titles_and_joins_compounds() {
        assert_eq!(name_tokens("Haji Eng. Abdul Rahman"), vec!["abdulrahman"]);
        assert_eq!(name_tokens("Dr. Zabih Ullah"), vec!["zabihullah"]);
        assert_eq!(name_tokens("Nasir ud Din"), vec!["nasiruddin"]);
        assert_eq!(name_tokens("Mohd. Hussain"), vec!["mohammad", "hussain"]);
        assert_eq!(name_tokens("NLN"), Vec::<String>::new());
        assert_eq!(name_tokens("عبد الرحمن"), vec!["عبدالرحمن"]);
        assert_eq!(name_tokens("ذبیح الله"), vec!["ذبیحالله"]);
    }

    #[test]
    fn splits_native_parentage() {
        let (own, father) = split_native_parentage("محمد ناصر ظاهری ولد گل");
        assert_eq!(own, "محمد ناصر ظاهری");
        assert_eq!(father.as_deref(), Some("گل"));
    }

    #[test]
    fn normalises_phones_and_documents() {
        let want = Some("701234567".to_string());
        assert_eq!(phone("0093 70 123 4567"), want);
        assert_eq!(phone("+93701234567"), want);
        assert_eq!(phone("0701234567"), want);
        assert_eq!(phone("۰۷۰۱۲۳۴۵۶۷"), want);
        assert_eq!(phone("701234567"), want);
        assert_eq!(document("p-0123 45o"), Some("P0123450".to_string()));
        assert_eq!(document("1397-6071-44525"), document("1397 6071 44525"));
    }
}
