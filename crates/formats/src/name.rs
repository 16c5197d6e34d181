//! Personal names as lists and forms give them: Latin and Perso-Arabic script
//! kept side by side, digits folded, invisible characters and stray spaces
//! removed, titles and honorifics (Haji, Sayed, Eng., Dr., Mullah...)
//! separated from the name.

use serde::{Deserialize, Serialize};

use crate::text::clean_whitespace;

/// A title or honorific written before (or, for Sahib, after) a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Title {
    /// Haji, Hajji, Alhaj, حاجی: has made the pilgrimage.
    Haji,
    /// Sayed, Sayyid, Syed, سید: descendant of the Prophet.
    Sayed,
    /// Eng., Engineer, انجنیر, مهندس.
    Engineer,
    /// Dr., Doctor, داکتر.
    Doctor,
    /// Mullah, Mulla, ملا.
    Mullah,
    /// Mawlawi, Maulvi, Mawlana, مولوی.
    Mawlawi,
    /// Qari, قاری: reciter of the Quran.
    Qari,
    /// Ustad, Ostad, استاد: master, teacher.
    Ustad,
    /// Sheikh, Shaikh, شیخ.
    Sheikh,
    /// Hafiz, حافظ: knows the Quran by heart.
    Hafiz,
    /// Prof., Pohand, پوهاند and other academic ranks.
    Professor,
    /// Gen., General, جنرال.
    General,
    /// Mr, Mrs, Ms, Miss.
    Courtesy,
    /// Sahib, صاحب, written after a name.
    Sahib,
}

/// Which script a piece of text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// Latin letters only.
    Latin,
    /// Arabic-script letters only (Dari, Pashto, Arabic, Urdu).
    Arabic,
    /// Both.
    Mixed,
    /// Letters of some other script, or none.
    Other,
}

/// A name separated by script, with its titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The part written in Latin script, titles removed.
    pub latin: Option<String>,
    /// The part written in Arabic script (Dari, Pashto), titles removed.
    pub native: Option<String>,
    /// Titles found, in order, without duplicates.
    pub titles: Vec<Title>,
}

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing was given.
    #[error("name is empty")]
    Empty,
    /// There is not a single letter in it.
    #[error("name contains no letters")]
    NoLetters,
}

impl NameError {
    /// A short, stable name of the rule that failed.
    pub fn rule(&self) -> &'static str {
        match self {
            NameError::Empty => "empty",
            NameError::NoLetters => "name_no_letters",
        }
    }
}

fn is_arabic_letter(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c as u32,
            0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && matches!(c as u32, 0x0041..=0x024F | 0x1E00..=0x1EFF)
}

/// The script of a text, judged by its letters.
pub fn script(s: &str) -> Script {
    let latin = s.chars().any(is_latin_letter);
    let arabic = s.chars().any(is_arabic_letter);
    match (latin, arabic) {
        (true, true) => Script::Mixed,
        (true, false) => Script::Latin,
        (false, true) => Script::Arabic,
        (false, false) => Script::Other,
    }
}

/// Spellings of each title (Latin ones lower case, without a final dot).
const TITLES: &[(Title, &[&str])] = &[
    (
        Title::Haji,
        &[
            "haji",
            "hajji",
            "hadji",
            "hajj",
            "alhaj",
            "al-haj",
            "alhaji",
            "alhajj",
            "al-hajj",
            "حاجی",
            "حاجي",
            "الحاج",
        ],
    ),
    (
        Title::Sayed,
        &[
            "sayed", "sayyed", "sayyid", "sayid", "syed", "seyed", "seyyed", "sayeda", "sayyida",
            "syeda", "سید", "سيد", "سیده",
        ],
    ),
    (
        Title::Engineer,
        &[
            "eng",
            "engr",
            "engineer",
            "ing",
            "انجنیر",
            "انجینیر",
            "انجنير",
            "مهندس",
        ],
    ),
    (
        Title::Doctor,
        &["dr", "doctor", "dktr", "داکتر", "دکتر", "دوکتور"],
    ),
    (
        Title::Mullah,
        &["mullah", "mulla", "mullo", "molla", "mola", "ملا"],
    ),
    (
        Title::Mawlawi,
        &[
            "mawlawi",
            "mawlavi",
            "maulvi",
            "maulawi",
            "molvi",
            "moulavi",
            "moulvi",
            "mowlawi",
            "mawlana",
            "maulana",
            "mowlana",
            "مولوی",
            "مولوي",
            "مولانا",
        ],
    ),
    (Title::Qari, &["qari", "qaari", "قاری", "قاري"]),
    (
        Title::Ustad,
        &["ustad", "ustaz", "ostad", "ustadh", "استاد"],
    ),
    (
        Title::Sheikh,
        &["sheikh", "shaikh", "sheik", "shaykh", "شیخ", "شيخ"],
    ),
    (Title::Hafiz, &["hafiz", "hafez", "حافظ"]),
    (
        Title::Professor,
        &[
            "prof",
            "professor",
            "pohand",
            "pohanwal",
            "pohandoy",
            "pohanmal",
            "pohanyar",
            "پوهاند",
            "پوهنوال",
            "پوهندوی",
            "پوهنمل",
            "پوهنیار",
        ],
    ),
    (Title::General, &["gen", "general", "جنرال"]),
    (
        Title::Courtesy,
        &[
            "mr", "mrs", "ms", "miss", "mister", "herr", "frau", "آقای", "خانم",
        ],
    ),
];

const SUFFIX_TITLES: &[(Title, &[&str])] = &[(Title::Sahib, &["sahib", "saheb", "sahab", "صاحب"])];

fn lookup(token: &str, table: &[(Title, &[&str])]) -> Option<Title> {
    let t = token.trim_end_matches('.').to_lowercase();
    table
        .iter()
        .find(|(_, spellings)| spellings.contains(&t.as_str()))
        .map(|(title, _)| *title)
}

/// Cleans a name: invisible characters and repeated whitespace removed,
/// Persian and Arabic digits made ASCII.
pub fn clean_name(input: &str) -> String {
    clean_whitespace(input)
}

/// Separates leading titles (and a trailing Sahib) from a name written in one
/// script. A title is kept as the name when nothing else would remain.
pub fn strip_titles(name: &str) -> (String, Vec<Title>) {
    let cleaned = clean_name(name);
    let mut tokens: Vec<&str> = cleaned.split(' ').filter(|t| !t.is_empty()).collect();
    let mut titles = Vec::new();
    let push = |titles: &mut Vec<Title>, t: Title| {
        if !titles.contains(&t) {
            titles.push(t);
        }
    };
    while tokens.len() > 1 {
        match lookup(tokens[0], TITLES) {
            Some(t) => {
                push(&mut titles, t);
                tokens.remove(0);
            }
            None => break,
        }
    }
    if tokens.len() > 1
        && let Some(t) = tokens.last().and_then(|last| lookup(last, SUFFIX_TITLES))
    {
        push(&mut titles, t);
        tokens.pop();
    }
    (tokens.join(" "), titles)
}

/// Parses a name that may hold Latin and Arabic script side by side
/// (`Ahmad Shah / احمد شاه`), separating the two and their titles.
pub fn parse_name(input: &str) -> Result<Name, NameError> {
    let cleaned = clean_name(input);
    if cleaned.is_empty() {
        return Err(NameError::Empty);
    }
    if !cleaned.chars().any(char::is_alphabetic) {
        return Err(NameError::NoLetters);
    }
    let mut latin = Vec::new();
    let mut native = Vec::new();
    let mut other = Vec::new();
    for token in cleaned.split(|c: char| {
        c == ' ' || matches!(c, '/' | '|' | '(' | ')' | '[' | ']' | ',' | '،' | ';')
    }) {
        let token = token.trim_matches(|c: char| c == '-' || c == '_');
        if token.is_empty() {
            continue;
        }
        match token.chars().find(|c| c.is_alphabetic()) {
            Some(c) if is_arabic_letter(c) => native.push(token),
            Some(c) if is_latin_letter(c) => latin.push(token),
            Some(_) => other.push(token),
            None => {}
        }
    }
    // Letters of other scripts (Cyrillic, say) stay with the Latin part.
    latin.extend(other);
    let mut titles = Vec::new();
    let mut side = |tokens: Vec<&str>| -> Option<String> {
        if tokens.is_empty() {
            return None;
        }
        let (name, found) = strip_titles(&tokens.join(" "));
        for t in found {
            if !titles.contains(&t) {
                titles.push(t);
            }
        }
        Some(name)
    };
    let latin = side(latin);
    let native = side(native);
    if latin.is_none() && native.is_none() {
        return Err(NameError::NoLetters);
    }
    Ok(Name {
        latin,
        native,
        titles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_titles() {
        let cases: &[(&str, &str, &[Title])] = &[
            ("Haji Mohammad Nabi", "Mohammad Nabi", &[Title::Haji]),
            ("Hajji Gul", "Gul", &[Title::Haji]),
            ("Sayed Ahmad", "Ahmad", &[Title::Sayed]),
            ("Sayyid Ali Shah", "Ali Shah", &[Title::Sayed]),
            ("Eng. Farid Ahmadi", "Farid Ahmadi", &[Title::Engineer]),
            ("Dr. Dr Zahra", "Zahra", &[Title::Doctor]),
            ("Eng Haji Karim", "Karim", &[Title::Engineer, Title::Haji]),
            ("MULLAH Abdul Ghani", "Abdul Ghani", &[Title::Mullah]),
            ("Mawlawi Abdul Kabir", "Abdul Kabir", &[Title::Mawlawi]),
            ("Qari Rahim", "Rahim", &[Title::Qari]),
            ("Ustad Sarahang", "Sarahang", &[Title::Ustad]),
            ("Karim Sahib", "Karim", &[Title::Sahib]),
            ("حاجی محمد نبی", "محمد نبی", &[Title::Haji]),
            ("سید احمد", "احمد", &[Title::Sayed]),
            ("انجنیر فرید", "فرید", &[Title::Engineer]),
            ("داکتر زهرا", "زهرا", &[Title::Doctor]),
            ("Mohammad Haji", "Mohammad Haji", &[]),
            ("Sayed", "Sayed", &[]),
        ];
        for (input, name, titles) in cases {
            let (n, t) = strip_titles(input);
            assert_eq!(&n, name, "{input}");
            assert_eq!(&t, titles, "{input}");
        }
    }

    #[test]
    fn keeps_scripts_side_by_side() {
        let n = parse_name("Haji Ahmad Shah / حاجی احمد شاه").unwrap();
        assert_eq!(n.latin.as_deref(), Some("Ahmad Shah"));
        assert_eq!(n.native.as_deref(), Some("احمد شاه"));
        assert_eq!(n.titles, [Title::Haji]);
        let n = parse_name("  احمد\u{200B}  شاه (Ahmad Shah) ").unwrap();
        assert_eq!(n.latin.as_deref(), Some("Ahmad Shah"));
        assert_eq!(n.native.as_deref(), Some("احمد شاه"));
        let n = parse_name("Zahra").unwrap();
        assert_eq!((n.latin.as_deref(), n.native), (Some("Zahra"), None));
        let n = parse_name("Abdul-Rahman O'Neil").unwrap();
        assert_eq!(n.latin.as_deref(), Some("Abdul-Rahman O'Neil"));
        let n = parse_name("عبد\u{200C}الله").unwrap();
        assert_eq!(n.native.as_deref(), Some("عبد\u{200C}الله"));
    }

    #[test]
    fn folds_digits_and_refuses_empty_names() {
        assert_eq!(clean_name("Ahmad ۲"), "Ahmad 2");
        assert_eq!(parse_name(""), Err(NameError::Empty));
        assert_eq!(parse_name(" \u{200B} "), Err(NameError::Empty));
        assert_eq!(parse_name("123 / ۴۵"), Err(NameError::NoLetters));
        assert_eq!(parse_name("---"), Err(NameError::NoLetters));
    }

    #[test]
    fn detects_script() {
        assert_eq!(script("Ahmad"), Script::Latin);
        assert_eq!(script("Émile"), Script::Latin);
        assert_eq!(script("احمد"), Script::Arabic);
        assert_eq!(script("ښځه"), Script::Arabic);
        assert_eq!(script("Ahmad احمد"), Script::Mixed);
        assert_eq!(script("Иван"), Script::Other);
        assert_eq!(script("123"), Script::Other);
    }

    #[test]
    fn title_table_has_no_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for (_, spellings) in TITLES.iter().chain(SUFFIX_TITLES) {
            for s in *spellings {
                assert!(seen.insert(*s), "{s}");
                assert_eq!(*s, s.to_lowercase());
            }
        }
    }
}
