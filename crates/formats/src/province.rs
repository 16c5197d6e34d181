//! Afghanistan's 34 provinces, recognised in the spellings lists use
//! (Heraat, Hirat, هرات, KBL, Mazar-i-Sharif...). Province is free text: what
//! was given is always kept, and unknown input is never an error.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One of the 34 provinces of Afghanistan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Province {
    Badakhshan,
    Badghis,
    Baghlan,
    Balkh,
    Bamyan,
    Daykundi,
    Farah,
    Faryab,
    Ghazni,
    Ghor,
    Helmand,
    Herat,
    Jowzjan,
    Kabul,
    Kandahar,
    Kapisa,
    Khost,
    Kunar,
    Kunduz,
    Laghman,
    Logar,
    Nangarhar,
    Nimruz,
    Nuristan,
    Paktia,
    Paktika,
    Panjshir,
    Parwan,
    Samangan,
    SarEPol,
    Takhar,
    Uruzgan,
    Wardak,
    Zabul,
}

use Province::*;

/// (province, ISO 3166-2:AF code, English name, Dari name, other spellings
/// and provincial capitals, as matching keys: lower-case letters only).
type Entry = (
    Province,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const PROVINCES: [Entry; 34] = [
    (
        Badakhshan,
        "AF-BDS",
        "Badakhshan",
        "بدخشان",
        &["badakshan", "badaxshan", "fayzabad", "faizabad"],
    ),
    (
        Badghis,
        "AF-BDG",
        "Badghis",
        "بادغیس",
        &["badgis", "badghes", "qalainaw", "qalaenaw", "qalaynaw"],
    ),
    (
        Baghlan,
        "AF-BGL",
        "Baghlan",
        "بغلان",
        &["baglan", "pulikhumri", "pulekhumri", "polekhomri"],
    ),
    (
        Balkh,
        "AF-BAL",
        "Balkh",
        "بلخ",
        &[
            "balk",
            "mazar",
            "mazarisharif",
            "mazaresharif",
            "mzr",
            "مزارشریف",
        ],
    ),
    (
        Bamyan,
        "AF-BAM",
        "Bamyan",
        "بامیان",
        &["bamiyan", "bamian", "bameyan"],
    ),
    (
        Daykundi,
        "AF-DAY",
        "Daykundi",
        "دایکندی",
        &["daikundi", "daykondi", "daikondi", "nili"],
    ),
    (Farah, "AF-FRA", "Farah", "فراه", &["farrah"]),
    (
        Faryab,
        "AF-FYB",
        "Faryab",
        "فاریاب",
        &["fariab", "maymana", "maimana"],
    ),
    (
        Ghazni,
        "AF-GHA",
        "Ghazni",
        "غزنی",
        &["ghazny", "gazni", "ghaznee"],
    ),
    (
        Ghor,
        "AF-GHO",
        "Ghor",
        "غور",
        &["ghowr", "ghour", "chaghcharan", "firozkoh", "firozkuh"],
    ),
    (
        Helmand,
        "AF-HEL",
        "Helmand",
        "هلمند",
        &["hilmand", "hellmand", "lashkargah", "lashkargar"],
    ),
    (
        Herat,
        "AF-HER",
        "Herat",
        "هرات",
        &["heraat", "hirat", "herath", "hera"],
    ),
    (
        Jowzjan,
        "AF-JOW",
        "Jowzjan",
        "جوزجان",
        &[
            "jawzjan",
            "jozjan",
            "jauzjan",
            "jouzjan",
            "sheberghan",
            "shibirghan",
            "shebirghan",
        ],
    ),
    (
        Kabul,
        "AF-KAB",
        "Kabul",
        "کابل",
        &["kabol", "kaboul", "cabul", "kbl", "kabulcity"],
    ),
    (
        Kandahar,
        "AF-KAN",
        "Kandahar",
        "کندهار",
        &[
            "qandahar",
            "kandehar",
            "candahar",
            "qandehar",
            "kdh",
            "قندهار",
        ],
    ),
    (
        Kapisa,
        "AF-KAP",
        "Kapisa",
        "کاپیسا",
        &["kapesa", "mahmudiraqi", "mahmoodiraqi"],
    ),
    (
        Khost,
        "AF-KHO",
        "Khost",
        "خوست",
        &["khowst", "khoost", "khust"],
    ),
    (
        Kunar,
        "AF-KNR",
        "Kunar",
        "کنر",
        &["konar", "kunarh", "asadabad", "کونر"],
    ),
    (
        Kunduz,
        "AF-KDZ",
        "Kunduz",
        "کندز",
        &["kondoz", "qunduz", "kundoz", "konduz", "قندوز", "کندوز"],
    ),
    (
        Laghman,
        "AF-LAG",
        "Laghman",
        "لغمان",
        &["lagman", "mihtarlam", "mehtarlam"],
    ),
    (
        Logar,
        "AF-LOG",
        "Logar",
        "لوگر",
        &["lowgar", "pulialam", "polealam"],
    ),
    (
        Nangarhar,
        "AF-NAN",
        "Nangarhar",
        "ننگرهار",
        &[
            "nangrahar",
            "ningarhar",
            "nangahar",
            "jalalabad",
            "jelalabad",
            "jalalabat",
            "جلال‌آباد",
            "جلالآباد",
        ],
    ),
    (
        Nimruz,
        "AF-NIM",
        "Nimruz",
        "نیمروز",
        &["nimroz", "nimrouz", "nimrooz", "zaranj"],
    ),
    (
        Nuristan,
        "AF-NUR",
        "Nuristan",
        "نورستان",
        &["nooristan", "nouristan", "parun"],
    ),
    (
        Paktia,
        "AF-PIA",
        "Paktia",
        "پکتیا",
        &["paktiya", "paktya", "gardez", "gardiz"],
    ),
    (
        Paktika,
        "AF-PKA",
        "Paktika",
        "پکتیکا",
        &["paktica", "sharana", "sharan"],
    ),
    (
        Panjshir,
        "AF-PAN",
        "Panjshir",
        "پنجشیر",
        &["panjsher", "panjsheer", "panjshayr", "bazarak"],
    ),
    (Parwan, "AF-PAR", "Parwan", "پروان", &["parvan", "charikar"]),
    (
        Samangan,
        "AF-SAM",
        "Samangan",
        "سمنگان",
        &["aybak", "aibak"],
    ),
    (
        SarEPol,
        "AF-SAR",
        "Sar-e Pol",
        "سرپل",
        &[
            "sarepol",
            "saripul",
            "sarepul",
            "saripol",
            "sarpol",
            "sarepaul",
            "sarialpul",
        ],
    ),
    (
        Takhar,
        "AF-TAK",
        "Takhar",
        "تخار",
        &["takar", "taloqan", "taluqan", "taleqan"],
    ),
    (
        Uruzgan,
        "AF-URU",
        "Uruzgan",
        "ارزگان",
        &[
            "oruzgan",
            "urozgan",
            "orozgan",
            "uruzgan",
            "tarinkot",
            "tirinkot",
            "tarinkowt",
            "اروزگان",
        ],
    ),
    (
        Wardak,
        "AF-WAR",
        "Wardak",
        "وردک",
        &[
            "maidanwardak",
            "maydanwardak",
            "wardag",
            "maidanshahr",
            "میدانوردک",
        ],
    ),
    (
        Zabul,
        "AF-ZAB",
        "Zabul",
        "زابل",
        &["zabol", "qalat", "zaboul"],
    ),
];

/// Matching keys of every name, Dari name and alias -> province.
static KEYS: LazyLock<HashMap<String, Province>> = LazyLock::new(|| {
    let mut keys = HashMap::new();
    for e in &PROVINCES {
        for name in [e.2, e.3].into_iter().chain(e.4.iter().copied()) {
            keys.entry(match_key(name)).or_insert(e.0);
        }
    }
    keys.remove("");
    keys
});

impl Province {
    fn entry(self) -> &'static Entry {
        &PROVINCES[self as usize]
    }

    /// ISO 3166-2:AF code, e.g. `AF-HER`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// English name, e.g. `Herat`.
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    /// Dari name, e.g. `هرات`.
    pub fn dari_name(self) -> &'static str {
        self.entry().3
    }

    /// All 34, in alphabetical order.
    pub fn all() -> impl Iterator<Item = Province> {
        PROVINCES.iter().map(|e| e.0)
    }

    /// Recognises a province from a name, a common spelling, its Dari name,
    /// its ISO 3166-2 code (`AF-HER`, or `HER` in capitals) or its capital.
    pub fn recognise(input: &str) -> Option<Province> {
        let cleaned = crate::text::clean_whitespace(input);
        let upper = cleaned.trim().to_ascii_uppercase();
        let code = upper.strip_prefix("AF-").or_else(|| {
            (cleaned.len() == 3 && cleaned.chars().all(|c| c.is_ascii_uppercase()))
                .then_some(upper.as_str())
        });
        if let Some(code) = code
            && let Some(e) = PROVINCES.iter().find(|e| &e.1[3..] == code)
        {
            return Some(e.0);
        }
        KEYS.get(&match_key(&cleaned)).copied()
    }
}

/// Lower-case letters only, Arabic letter variants unified, and the words
/// "province" / "ولایت" dropped.
fn match_key(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    words.retain(|w| {
        !matches!(
            *w,
            "province"
                | "provinz"
                | "provins"
                | "provinssi"
                | "wilayat"
                | "velayat"
                | "wilayah"
                | "ولایت"
                | "ولايت"
                | "ولسوالی"
                | "شهر"
                | "city"
        )
    });
    words
        .concat()
        .chars()
        .filter_map(|c| match c {
            'ي' | 'ى' => Some('ی'),
            'ك' => Some('ک'),
            'ة' | 'ۀ' => Some('ه'),
            'أ' | 'إ' | 'آ' => Some('ا'),
            c if c.is_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

/// A province column as given, with the province recognised in it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceInput {
    /// The input, whitespace cleaned, otherwise unchanged.
    pub given: String,
    /// The province it names, when recognised.
    pub province: Option<Province>,
}

/// Keeps a province as given and recognises it where possible; never fails.
pub fn normalize_province(input: &str) -> ProvinceInput {
    ProvinceInput {
        given: crate::text::clean_whitespace(input),
        province: Province::recognise(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_four_in_order() {
        assert_eq!(Province::all().count(), 34);
        for (i, e) in PROVINCES.iter().enumerate() {
            assert_eq!(e.0 as usize, i, "{}", e.2);
            assert_eq!(Province::recognise(e.2), Some(e.0), "{}", e.2);
            assert_eq!(Province::recognise(e.3), Some(e.0), "{}", e.3);
            assert_eq!(Province::recognise(e.1), Some(e.0), "{}", e.1);
            for alias in e.4 {
                assert_eq!(Province::recognise(alias), Some(e.0), "{alias}");
            }
        }
    }

    #[test]
    fn aliases_are_unambiguous() {
        let mut seen = std::collections::HashMap::new();
        for e in &PROVINCES {
            for key in [e.2, e.3].iter().chain(e.4.iter()) {
                let k = match_key(key);
                if let Some(other) = seen.insert(k.clone(), e.0) {
                    assert_eq!(other, e.0, "{k} is ambiguous");
                }
            }
        }
    }

    #[test]
    fn common_spellings() {
        for s in [
            "Heraat",
            "Hirat",
            "herat",
            " HERAT ",
            "هرات",
            "Herat Province",
            "ولایت هرات",
            "AF-HER",
            "HER",
        ] {
            assert_eq!(Province::recognise(s), Some(Herat), "{s}");
        }
        for s in ["KBL", "kabul", "Kabol", "کابل", "شهر کابل", "Kabul City"] {
            assert_eq!(Province::recognise(s), Some(Kabul), "{s}");
        }
        assert_eq!(Province::recognise("Mazar-i-Sharif"), Some(Balkh));
        assert_eq!(Province::recognise("Sar-e Pol"), Some(SarEPol));
        assert_eq!(Province::recognise("Sar-i-Pul"), Some(SarEPol));
        assert_eq!(Province::recognise("Maidan Wardak"), Some(Wardak));
        assert_eq!(Province::recognise("قندهار"), Some(Kandahar));
        assert_eq!(Province::recognise("كابل"), Some(Kabul));
        assert_eq!(Province::recognise("Jalalabad"), Some(Nangarhar));
    }

    #[test]
    fn unknown_is_kept_not_refused() {
        let p = normalize_province("  Kabul\u{200B}  ");
        assert_eq!((p.given.as_str(), p.province), ("Kabul", Some(Kabul)));
        let p = normalize_province("Peshawar");
        assert_eq!((p.given.as_str(), p.province), ("Peshawar", None));
        assert_eq!(normalize_province("").province, None);
        assert_eq!(Province::recognise("her"), None);
        assert_eq!(Province::recognise("day"), None);
        assert_eq!(Herat.code(), "AF-HER");
        assert_eq!(Herat.dari_name(), "هرات");
        assert_eq!(serde_json::to_string(&SarEPol).unwrap(), "\"sar_e_pol\"");
    }
}
