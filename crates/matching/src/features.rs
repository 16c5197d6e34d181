//! A record prepared for comparison: every field normalised once, so that comparing a pair
//! does no text processing beyond similarity of short keys.

use crate::calendar::{DateSpan, parse_date};
use crate::normalise::{self, is_arabic};
use crate::record::{Field, Record};
use crate::transliterate;

/// FNV-1a: a small, stable hash for keys and values (stable across runs and machines,
/// unlike the standard library's randomly seeded hasher).
pub fn hash(parts: &[&[u8]]) -> u64 {
    parts
        .iter()
        .fold(FNV_BASIS, |h, p| fnv_end(fnv_bytes(h, p)))
}

const FNV_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

fn fnv_bytes(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// Closes a part, so that ("ab", "c") and ("a", "bc") differ.
fn fnv_end(h: u64) -> u64 {
    (h ^ 0xff).wrapping_mul(FNV_PRIME)
}

/// A 64-bit hash folded to 32 bits, for tables where a million keys must stay small and
/// two values meeting in 32 bits cost only a little precision.
pub fn fold32(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// Hasher for maps keyed by values that are hashes already (blocking keys, value hashes):
/// mixing them once is enough to spread the table, at a fraction of SipHash's cost.
#[derive(Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, k: u32) {
        self.write_u64(u64::from(k));
    }
    fn write_u64(&mut self, k: u64) {
        let x = (self.0 ^ k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29);
    }
}

pub type HashedKeys = std::hash::BuildHasherDefault<KeyHasher>;

#[derive(Clone, Debug)]
pub struct Token {
    /// Inline: the index unpacks candidates' words by the thousand, and name words
    /// (and their keys) are short.
    pub raw: Text,
    pub key: Text,
    pub raw_hash: u64,
    /// Id in the data set's [`crate::words::WordTable`], or [`crate::words::NO_WORD`].
    pub id: u32,
    /// Written in Latin script.
    pub latin: bool,
}

impl Token {
    pub(crate) fn new(raw: &str) -> Token {
        Token::of(raw, cached_key(raw))
    }

    /// A word whose key is known already.
    pub(crate) fn with_key(raw: &str, key: &str) -> Token {
        Token::of(raw, Text::new(key))
    }

    fn of(raw: &str, key: Text) -> Token {
        Token {
            raw: Text::new(raw),
            key,
            raw_hash: hash(&[raw.as_bytes()]),
            id: crate::words::NO_WORD,
            latin: raw.is_ascii() || !raw.chars().any(is_arabic),
        }
    }
}

/// Most words a thread remembers the keys of (about 10 MiB).
const KEY_CACHE: usize = 1 << 17;

thread_local! {
    static KEYS: std::cell::RefCell<std::collections::HashMap<Box<str>, Text>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`transliterate::key`] of a name word, remembered per thread: a registry's names come
/// from a small vocabulary, so most words are met many times.
fn cached_key(word: &str) -> Text {
    KEYS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return Text::new(&transliterate::key(word));
        };
        if let Some(k) = cache.get(word) {
            return k.clone();
        }
        let k = Text::new(&transliterate::key(word));
        if cache.len() >= KEY_CACHE {
            cache.clear();
        }
        cache.insert(word.into(), k.clone());
        k
    })
}

/// One way a name is written: its tokens in one script.
#[derive(Clone, Debug)]
pub struct NameForm {
    pub tokens: Vec<Token>,
    /// Adjacent tokens written together, to meet compounds written as one word.
    pub pairs: Vec<Token>,
    pub latin: bool,
    /// Order-free hash of the raw tokens, and of their keys.
    pub raw_bag: u64,
    pub key_bag: u64,
    /// Hash of all tokens written as one word, raw and as a key.
    pub joined_raw: u64,
    pub joined_key: u64,
    /// The key of all tokens written as one word.
    pub joined_key_text: Text,
    /// The tokens' ids in the data set's word table (first [`INLINE_WORDS`]), then the
    /// pairs' (from `INLINE_WORDS` on), kept in the form itself so that comparing two forms
    /// reads no token; set by [`crate::words::WordTable::build`] when every word has an id.
    pub word_ids: Option<[u32; 2 * INLINE_WORDS]>,
}

/// Forms of at most this many words keep their word ids inline.
pub const INLINE_WORDS: usize = 8;

impl NameForm {
    pub fn from_tokens(words: &[String]) -> Option<NameForm> {
        if words.is_empty() {
            return None;
        }
        let tokens: Vec<Token> = words
            .iter()
            .map(|w| Token::new(w))
            .filter(|t| !t.key.is_empty())
            .collect();
        if tokens.is_empty() {
            return None;
        }
        let pairs = tokens
            .windows(2)
            .map(|w| Token::new(&format!("{}{}", &*w[0].raw, &*w[1].raw)))
            .collect();
        let joined: String = tokens.iter().map(|t| &*t.raw).collect();
        let joined_key = Text::new(&transliterate::key(&joined));
        Some(NameForm::from_parts(tokens, pairs, joined_key))
    }

    /// A form from its words, the pairs of adjacent words, and the key of all its words
    /// written as one; everything else is worked out from them (see [`crate::stored`]).
    pub(crate) fn from_parts(
        tokens: Vec<Token>,
        pairs: Vec<Token>,
        joined_key_text: Text,
    ) -> NameForm {
        NameForm {
            // The whole name is Latin when each of its words is.
            latin: tokens.iter().all(|t| t.latin),
            raw_bag: bag_hash(tokens.iter().map(|t| t.raw.as_bytes())),
            key_bag: bag_hash(tokens.iter().map(|t| t.key.as_bytes())),
            joined_raw: joined_hash(tokens.iter().map(|t| t.raw.as_bytes())),
            joined_key: hash(&[joined_key_text.as_bytes()]),
            joined_key_text,
            word_ids: None,
            tokens,
            pairs,
        }
    }
}

/// [`hash`] of the words in any order: of them sorted. A form is worked out again for
/// each candidate the index unpacks, so a name of up to [`INLINE_WORDS`] words is sorted
/// on the stack.
fn bag_hash<'a>(words: impl ExactSizeIterator<Item = &'a [u8]>) -> u64 {
    let n = words.len();
    if n > INLINE_WORDS {
        let mut all: Vec<&[u8]> = words.collect();
        all.sort_unstable();
        return hash(&all);
    }
    let mut held: [&[u8]; INLINE_WORDS] = [&[]; INLINE_WORDS];
    for (slot, w) in held.iter_mut().zip(words) {
        *slot = w;
    }
    held[..n].sort_unstable();
    hash(&held[..n])
}

/// [`hash`] of the words written as one, without writing them out.
fn joined_hash<'a>(words: impl Iterator<Item = &'a [u8]>) -> u64 {
    let mut h = FNV_BASIS;
    for w in words {
        h = fnv_bytes(h, w);
    }
    fnv_end(h)
}

/// A short normalised value (a number, a code, a province) kept inside the record, so
/// that comparing two records does not follow a pointer per field; longer values (street
/// addresses) live on the heap.
///
/// Comparisons read its bytes ([`Text::as_bytes`]), which are not checked again: the
/// index unpacks candidates' values by the thousand, and checking each as UTF-8 each time
/// it was compared came to a tenth of a match's time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Inline(u8, [u8; 22]),
    Heap(Box<[u8]>),
}

impl Text {
    pub fn new(s: &str) -> Text {
        Text::from_bytes(s.as_bytes())
    }

    /// A value from the bytes of a `&str` kept apart (`crate::stored`); bytes that are
    /// not UTF-8 would read as an empty `&str`, never as a panic.
    pub(crate) fn from_bytes(b: &[u8]) -> Text {
        if b.len() <= 22 {
            let mut buf = [0u8; 22];
            buf[..b.len()].copy_from_slice(b);
            Text::Inline(b.len() as u8, buf)
        } else {
            Text::Heap(b.into())
        }
    }

    /// Its bytes, unchecked (and so cheaper than `str::as_bytes` through `Deref`).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline(n, buf) => &buf[..usize::from(*n)],
            Text::Heap(b) => b,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        // Always a whole &str's bytes (see `new`, `from_bytes`).
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// A record with every field normalised.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    pub names: Vec<NameForm>,
    pub father: Vec<NameForm>,
    pub dob: Option<DateSpan>,
    pub sex: Option<u8>,
    pub nationality: Option<Text>,
    pub national_id: Option<Text>,
    pub passport: Option<Text>,
    pub social_security: Option<Text>,
    pub phone: Option<Text>,
    pub street_number: Option<Text>,
    pub address_1: Option<Text>,
    pub address_2: Option<Text>,
    pub suburb: Option<Text>,
    pub postcode: Option<Text>,
    pub state: Option<Text>,
    /// Phonetic key of the province, so that Kabul, Kabol, KBL and کابل agree.
    pub province: Option<Text>,
    /// Phonetic keys of the employer's words.
    pub employer: Vec<Box<str>>,
}

fn boxed(v: Option<String>) -> Option<Text> {
    v.map(|s| Text::new(&s))
}

/// The phonetic key of a record's whole name (Latin if written, else native), by which
/// records are ordered for work; cheaper than preparing the record.
pub fn order_key(r: &Record) -> String {
    let mut words: Vec<String> = Vec::new();
    for f in [Field::GivenName, Field::FamilyName, Field::FullName] {
        if let Some(v) = r.get(f) {
            words.extend(normalise::name_tokens(v));
        }
    }
    if let (true, Some(v)) = (words.is_empty(), r.get(Field::NativeName)) {
        words = normalise::name_tokens(&normalise::split_native_parentage(v).0);
    }
    transliterate::key(&words.concat())
}

pub fn prepare(r: &Record) -> Prepared {
    let mut names = Vec::new();
    let mut father = Vec::new();
    let mut latin: Vec<String> = Vec::new();
    for f in [Field::GivenName, Field::FamilyName, Field::FullName] {
        if let Some(v) = r.get(f) {
            latin.extend(normalise::name_tokens(v));
        }
    }
    names.extend(NameForm::from_tokens(&latin));
    if let Some(v) = r.get(Field::FatherName) {
        father.extend(NameForm::from_tokens(&normalise::name_tokens(v)));
    }
    if let Some(v) = r.get(Field::NativeName) {
        let (own, parent) = normalise::split_native_parentage(v);
        names.extend(NameForm::from_tokens(&normalise::name_tokens(&own)));
        if let Some(p) = parent {
            father.extend(NameForm::from_tokens(&normalise::name_tokens(&p)));
        }
    }
    let sex = r
        .get(Field::Sex)
        .and_then(|s| match normalise::fold(s).chars().next() {
            Some('m' | 'ذ') => Some(1),
            Some('f' | 'w' | 'ز') => Some(2),
            _ => None,
        });
    let province = r.get(Field::Province).and_then(|p| {
        let k: String = normalise::name_tokens(p)
            .iter()
            .map(|t| transliterate::key(t))
            .collect();
        (!k.is_empty()).then(|| Text::new(&k))
    });
    let employer = r
        .get(Field::Employer)
        .map(|e| {
            let mut v: Vec<Box<str>> = normalise::name_tokens(e)
                .iter()
                .map(|t| transliterate::key(t).into_boxed_str())
                .filter(|k| k.len() >= 2)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .unwrap_or_default();
    let text = |f| boxed(r.get(f).and_then(normalise::text));
    let digits = |f| {
        r.get(f)
            .map(normalise::digits)
            .filter(|d| !d.is_empty())
            .map(|d| Text::new(&d))
    };
    Prepared {
        names,
        father,
        dob: r.get(Field::DateOfBirth).and_then(parse_date),
        sex,
        nationality: text(Field::Nationality),
        national_id: boxed(r.get(Field::NationalId).and_then(normalise::document)),
        passport: boxed(r.get(Field::Passport).and_then(normalise::document)),
        social_security: boxed(r.get(Field::SocialSecurity).and_then(normalise::document)),
        phone: boxed(r.get(Field::Phone).and_then(normalise::phone)),
        street_number: digits(Field::StreetNumber),
        address_1: text(Field::Address1),
        address_2: text(Field::Address2),
        suburb: text(Field::Suburb),
        postcode: digits(Field::Postcode),
        state: text(Field::State),
        province,
        employer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forms_hashes_are_those_of_its_words_sorted_and_written_as_one() {
        let words: [&[u8]; 3] = [b"mohammad", b"abdul", b"haq"];
        let mut sorted = words;
        sorted.sort_unstable();
        assert_eq!(bag_hash(words.iter().copied()), hash(&sorted));
        assert_ne!(bag_hash(words.iter().copied()), hash(&words));
        assert_eq!(
            joined_hash(words.iter().copied()),
            hash(&[&b"mohammadabdulhaq"[..]])
        );
        // More words than are sorted on the stack.
        let letters: Vec<[u8; 1]> = (0..=INLINE_WORDS as u8).rev().map(|i| [b'a' + i]).collect();
        let many: Vec<&[u8]> = letters.iter().map(|l| &l[..]).collect();
        let mut sorted = many.clone();
        sorted.sort_unstable();
        assert_eq!(bag_hash(many.iter().copied()), hash(&sorted));
    }
}
