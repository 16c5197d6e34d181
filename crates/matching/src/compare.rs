//! Comparisons: each turns a pair of prepared records into an agreement level of one
//! field, the γ of the Fellegi–Sunter model. Level 0 always means "missing on either side"
//! (no evidence), level 1 "different"; higher levels agree more.

use crate::features::{INLINE_WORDS, NameForm, Prepared, Text, Token, hash};
use crate::similarity::{edit_distance, jaro_winkler};
use crate::words::WordTable;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    Name,
    FatherName,
    DateOfBirth,
    Sex,
    Nationality,
    NationalId,
    Passport,
    SocialSecurity,
    Phone,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    Postcode,
    State,
    Province,
    Employer,
}

const NAME_LEVELS: &[&str] = &[
    "missing",
    "different",
    "partial",
    "subset",
    "fuzzy",
    "phonetic",
    "exact",
];
const NAME_EXACT: u8 = 6;
const NAME_PHONETIC: u8 = 5;
const DOB_LEVELS: &[&str] = &[
    "missing",
    "different",
    "within 5 years",
    "within 1 year",
    "compatible",
    "typo",
    "exact",
];
const EQ_LEVELS: &[&str] = &["missing", "different", "exact"];
const CODE_LEVELS: &[&str] = &["missing", "different", "two edits", "one edit", "exact"];
const TEXT_LEVELS: &[&str] = &["missing", "different", "similar", "close", "exact"];
const WORD_LEVELS: &[&str] = &["missing", "different", "shares a word", "exact"];

/// Token similarity threshold for calling two name words the same word.
const SAME_WORD: f64 = 0.9;

impl Comparison {
    pub const ALL: [Comparison; 17] = [
        Comparison::Name,
        Comparison::FatherName,
        Comparison::DateOfBirth,
        Comparison::Sex,
        Comparison::Nationality,
        Comparison::NationalId,
        Comparison::Passport,
        Comparison::SocialSecurity,
        Comparison::Phone,
        Comparison::StreetNumber,
        Comparison::Address1,
        Comparison::Address2,
        Comparison::Suburb,
        Comparison::Postcode,
        Comparison::State,
        Comparison::Province,
        Comparison::Employer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Comparison::Name => "name",
            Comparison::FatherName => "father_name",
            Comparison::DateOfBirth => "date_of_birth",
            Comparison::Sex => "sex",
            Comparison::Nationality => "nationality",
            Comparison::NationalId => "national_id",
            Comparison::Passport => "passport",
            Comparison::SocialSecurity => "social_security",
            Comparison::Phone => "phone",
            Comparison::StreetNumber => "street_number",
            Comparison::Address1 => "address_1",
            Comparison::Address2 => "address_2",
            Comparison::Suburb => "suburb",
            Comparison::Postcode => "postcode",
            Comparison::State => "state",
            Comparison::Province => "province",
            Comparison::Employer => "employer",
        }
    }

    /// Labels of the levels, index = level.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Comparison::Name | Comparison::FatherName => NAME_LEVELS,
            Comparison::DateOfBirth => DOB_LEVELS,
            Comparison::Sex
            | Comparison::Nationality
            | Comparison::State
            | Comparison::StreetNumber => EQ_LEVELS,
            Comparison::NationalId
            | Comparison::Passport
            | Comparison::SocialSecurity
            | Comparison::Phone
            | Comparison::Postcode => CODE_LEVELS,
            Comparison::Address1 | Comparison::Address2 | Comparison::Suburb => TEXT_LEVELS,
            Comparison::Province | Comparison::Employer => WORD_LEVELS,
        }
    }

    /// Fields that tell one person from their relatives: relatives agree on them no more
    /// often than strangers do (names and dates of birth differ inside a household, each
    /// person has their own documents).
    pub fn identifies_person(self) -> bool {
        matches!(
            self,
            Comparison::Name
                | Comparison::DateOfBirth
                | Comparison::NationalId
                | Comparison::Passport
                | Comparison::SocialSecurity
        )
    }

    /// Whether a record has the value this comparison looks at.
    pub(crate) fn present(self, p: &Prepared) -> bool {
        match self {
            Comparison::Name => !p.names.is_empty(),
            Comparison::FatherName => !p.father.is_empty(),
            Comparison::DateOfBirth => p.dob.is_some(),
            Comparison::Sex => p.sex.is_some(),
            Comparison::Employer => !p.employer.is_empty(),
            c => c.value(p).is_some(),
        }
    }

    fn value(self, p: &Prepared) -> Option<&[u8]> {
        match self {
            Comparison::Nationality => p.nationality.as_ref().map(Text::as_bytes),
            Comparison::NationalId => p.national_id.as_ref().map(Text::as_bytes),
            Comparison::Passport => p.passport.as_ref().map(Text::as_bytes),
            Comparison::SocialSecurity => p.social_security.as_ref().map(Text::as_bytes),
            Comparison::Phone => p.phone.as_ref().map(Text::as_bytes),
            Comparison::StreetNumber => p.street_number.as_ref().map(Text::as_bytes),
            Comparison::Address1 => p.address_1.as_ref().map(Text::as_bytes),
            Comparison::Address2 => p.address_2.as_ref().map(Text::as_bytes),
            Comparison::Suburb => p.suburb.as_ref().map(Text::as_bytes),
            Comparison::Postcode => p.postcode.as_ref().map(Text::as_bytes),
            Comparison::State => p.state.as_ref().map(Text::as_bytes),
            Comparison::Province => p.province.as_ref().map(Text::as_bytes),
            _ => None,
        }
    }

    /// Whether the level's evidence depends on how common the shared value is.
    pub fn term_frequency_level(self, level: u8) -> bool {
        match self {
            Comparison::Name | Comparison::FatherName => level >= NAME_PHONETIC,
            Comparison::Phone
            | Comparison::StreetNumber
            | Comparison::Postcode
            | Comparison::Suburb
            | Comparison::Address1
            | Comparison::Province
            | Comparison::Employer => level == self.levels().len() as u8 - 1,
            _ => false,
        }
    }

    /// Whether any level's evidence depends on how common the value is: the others need
    /// no counts kept.
    pub(crate) fn uses_term_frequency(self) -> bool {
        (0..self.levels().len() as u8).any(|l| self.term_frequency_level(l))
    }

    /// The hashes of the values of one record that term frequencies are counted over.
    pub(crate) fn tf_values(self, p: &Prepared) -> Vec<u64> {
        let mut v: Vec<u64> = match self {
            Comparison::Name | Comparison::FatherName => {
                let forms = if self == Comparison::Name {
                    &p.names
                } else {
                    &p.father
                };
                forms.iter().flat_map(|f| [raw_tf(f), key_tf(f)]).collect()
            }
            Comparison::Employer if !p.employer.is_empty() => {
                vec![hash(
                    &p.employer.iter().map(|k| k.as_bytes()).collect::<Vec<_>>(),
                )]
            }
            _ => self.value(p).map(|s| hash(&[s])).into_iter().collect(),
        };
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Agreement level of a pair and, for term-frequency levels, the shared value's hash.
    pub(crate) fn compare(
        self,
        a: &Prepared,
        b: &Prepared,
        words: &WordTable,
    ) -> (u8, Option<u64>) {
        match self {
            Comparison::Name => names(&a.names, &b.names, words),
            Comparison::FatherName => names(&a.father, &b.father, words),
            Comparison::DateOfBirth => (dob(a, b), None),
            Comparison::Sex => match (a.sex, b.sex) {
                (Some(x), Some(y)) => (if x == y { 2 } else { 1 }, None),
                _ => (0, None),
            },
            Comparison::Employer => employer(&a.employer, &b.employer),
            _ => {
                let (Some(x), Some(y)) = (self.value(a), self.value(b)) else {
                    return (0, None);
                };
                let tf = || Some(hash(&[x]));
                match self {
                    Comparison::Sex
                    | Comparison::Nationality
                    | Comparison::State
                    | Comparison::StreetNumber => {
                        if x == y {
                            (2, tf())
                        } else {
                            (1, None)
                        }
                    }
                    Comparison::NationalId
                    | Comparison::Passport
                    | Comparison::SocialSecurity
                    | Comparison::Phone
                    | Comparison::Postcode => match edit_distance(x, y, 2) {
                        0 => (4, tf()),
                        1 => (3, None),
                        2 => (2, None),
                        _ => (1, None),
                    },
                    Comparison::Province | Comparison::Employer => {
                        if x == y {
                            (3, tf())
                        } else if jaro_winkler(x, y) >= 0.85 {
                            (2, None)
                        } else {
                            (1, None)
                        }
                    }
                    _ => {
                        if x == y {
                            return (4, tf());
                        }
                        let s = jaro_winkler(x, y);
                        (
                            if s >= 0.9 {
                                3
                            } else if s >= 0.8 {
                                2
                            } else {
                                1
                            },
                            None,
                        )
                    }
                }
            }
        }
    }
}

fn raw_tf(f: &NameForm) -> u64 {
    f.raw_bag ^ 0x5bd1_e995
}

fn key_tf(f: &NameForm) -> u64 {
    f.key_bag ^ 0x1b87_3593
}

/// Similarity of two name words, through the data set's word table.
#[inline]
fn token_similarity(a: &Token, b: &Token, latin: bool, words: &WordTable) -> f64 {
    words.similarity(a, b, latin)
}

/// Similarity of two name words; `latin` when both forms are in Latin script.
pub(crate) fn word_similarity(a: &Token, b: &Token, latin: bool) -> f64 {
    if a.raw_hash == b.raw_hash {
        return 1.0;
    }
    bytes_similarity(
        (a.raw.as_bytes(), a.key.as_bytes()),
        (b.raw.as_bytes(), b.key.as_bytes()),
        latin,
    )
}

/// Similarity of two different words given as (spelling, key).
pub(crate) fn bytes_similarity(a: (&[u8], &[u8]), b: (&[u8], &[u8]), latin: bool) -> f64 {
    let k = jaro_winkler(a.1, b.1);
    if latin && k >= 0.5 {
        // Within one script the vowels carry information the key drops (Mahmud, Mohammad).
        (k + jaro_winkler(a.0, b.0)) / 2.0
    } else {
        k
    }
}

/// Monge-Elkan similarity in both directions: how well each word of one form is found
/// in the other, where the other's words may also be read two at a time (compounds written
/// as one word). The word-by-word similarities are shared by both directions.
fn monge_elkan(a: &NameForm, b: &NameForm, latin: bool, words: &WordTable) -> (f64, f64) {
    const MAX: usize = INLINE_WORDS;
    let (na, nb) = (a.tokens.len().min(MAX), b.tokens.len().min(MAX));
    if let (Some(ia), Some(ib)) = (&a.word_ids, &b.word_ids) {
        // Both forms' words are in the table: compare by id, without reading any token.
        let (pa, pb) = (a.tokens.len() - 1, b.tokens.len() - 1);
        let sim = |x: u32, y: u32| words.similarity_by_id(x, y, latin);
        return best_matches(
            (na, nb, pa, pb),
            |i, j| sim(ia[i], ib[j]),
            |i, j| sim(ia[i], ib[MAX + j]),
            |j, i| sim(ib[j], ia[MAX + i]),
        );
    }
    let sim = |x: &Token, y: &Token| token_similarity(x, y, latin, words);
    best_matches(
        (na, nb, a.pairs.len(), b.pairs.len()),
        |i, j| sim(&a.tokens[i], &b.tokens[j]),
        |i, j| sim(&a.tokens[i], &b.pairs[j]),
        |j, i| sim(&b.tokens[j], &a.pairs[i]),
    )
}

/// The two directions of Monge-Elkan from similarity functions: `words` of a's and b's
/// words, `a_to_pairs` of a's word i and b's pair j, `b_to_pairs` of b's word j and a's
/// pair i. Sizes are (a's words, b's words, a's pairs, b's pairs).
#[inline(always)]
#[allow(clippy::needless_range_loop)] // i and j index the similarity functions too
fn best_matches(
    (na, nb, pa, pb): (usize, usize, usize, usize),
    words: impl Fn(usize, usize) -> f64,
    a_to_pairs: impl Fn(usize, usize) -> f64,
    b_to_pairs: impl Fn(usize, usize) -> f64,
) -> (f64, f64) {
    const MAX: usize = INLINE_WORDS;
    let mut best_a = [0.0f64; MAX];
    let mut best_b = [0.0f64; MAX];
    for i in 0..na {
        for j in 0..nb {
            let s = words(i, j);
            best_a[i] = best_a[i].max(s);
            best_b[j] = best_b[j].max(s);
        }
        for j in 0..pb {
            if best_a[i] < SAME_WORD {
                best_a[i] = best_a[i].max(a_to_pairs(i, j));
            }
        }
    }
    for j in 0..nb {
        for i in 0..pa {
            if best_b[j] < SAME_WORD {
                best_b[j] = best_b[j].max(b_to_pairs(j, i));
            }
        }
    }
    let ab = best_a[..na].iter().sum::<f64>() / na as f64;
    let ba = best_b[..nb].iter().sum::<f64>() / nb as f64;
    (ab, ba)
}

/// Level of two name forms and the tf value for the exact and phonetic levels.
fn form_level(a: &NameForm, b: &NameForm, words: &WordTable) -> (u8, Option<u64>) {
    let latin = a.latin && b.latin;
    let same_script = a.latin == b.latin;
    if same_script && (a.raw_bag == b.raw_bag || a.joined_raw == b.joined_raw) {
        return (NAME_EXACT, Some(raw_tf(a)));
    }
    let same_keys = a.key_bag == b.key_bag || a.joined_key == b.joined_key;
    if same_keys && !latin {
        return (NAME_PHONETIC, Some(key_tf(a)));
    }
    let (ab, ba) = monge_elkan(a, b, latin, words);
    let (lo, hi) = if ab < ba { (ab, ba) } else { (ba, ab) };
    if same_keys && lo >= SAME_WORD {
        return (NAME_PHONETIC, Some(key_tf(a)));
    }
    let level = if lo >= SAME_WORD {
        4
    } else if hi >= SAME_WORD {
        3
    } else if hi >= 0.75 {
        2
    } else {
        1
    };
    (level, None)
}

fn names(a: &[NameForm], b: &[NameForm], words: &WordTable) -> (u8, Option<u64>) {
    // Cheap checks first: an exact or cross-script phonetic agreement needs no similarity.
    let mut best = (0, None);
    for fa in a {
        for fb in b {
            if fa.latin == fb.latin && (fa.raw_bag == fb.raw_bag || fa.joined_raw == fb.joined_raw)
            {
                return (NAME_EXACT, Some(raw_tf(fa)));
            }
            if fa.latin != fb.latin && (fa.key_bag == fb.key_bag || fa.joined_key == fb.joined_key)
            {
                best = (NAME_PHONETIC, Some(key_tf(fa)));
            }
        }
    }
    if best.0 == NAME_PHONETIC {
        return best;
    }
    // Both written in both scripts: each script against its own is enough (the two forms
    // of one record spell the same name), which halves the work.
    let both = |forms: &[NameForm]| forms.iter().any(|f| f.latin) && forms.iter().any(|f| !f.latin);
    let same_script_only = both(a) && both(b);
    for fa in a {
        for fb in b {
            if same_script_only && fa.latin != fb.latin {
                continue;
            }
            // Past "fuzzy", only equal keys could still raise the level.
            let keys_equal = fa.key_bag == fb.key_bag || fa.joined_key == fb.joined_key;
            if best.0 >= 4 && !keys_equal {
                continue;
            }
            let l = form_level(fa, fb, words);
            if l.0 > best.0 {
                best = l;
            }
        }
    }
    best
}

fn dob(a: &Prepared, b: &Prepared) -> u8 {
    let (Some(x), Some(y)) = (a.dob, b.dob) else {
        return 0;
    };
    if let (Some(dx), Some(dy)) = (x.exact, y.exact) {
        if dx == dy {
            return 6;
        }
        let digits = |d: (i32, u32, u32)| {
            let v = d.0 as u32 * 10_000 + d.1 * 100 + d.2;
            let mut out = [0u8; 8];
            for (i, o) in out.iter_mut().enumerate() {
                *o = (v / 10u32.pow(7 - i as u32) % 10) as u8;
            }
            out
        };
        let swapped = dx.0 == dy.0 && dx.1 == dy.2 && dx.2 == dy.1;
        if swapped || edit_distance(&digits(dx), &digits(dy), 1) <= 1 {
            return 5;
        }
    } else if x.overlaps(&y) {
        return 4;
    }
    match x.gap(&y) {
        g if g <= 366 => 3,
        g if g <= 5 * 366 => 2,
        _ => 1,
    }
}

fn employer(a: &[Box<str>], b: &[Box<str>]) -> (u8, Option<u64>) {
    if a.is_empty() || b.is_empty() {
        return (0, None);
    }
    if a == b {
        return (
            3,
            Some(hash(&a.iter().map(|k| k.as_bytes()).collect::<Vec<_>>())),
        );
    }
    // Shared words longer than a short abbreviation.
    if a.iter().any(|w| w.len() >= 3 && b.contains(w)) {
        (2, None)
    } else {
        (1, None)
    }
}
