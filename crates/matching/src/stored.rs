//! A prepared record packed into a few bytes for the index: a million of them must fit
//! in a small server's memory. Name words are interned once in a [`Vocabulary`] and
//! stored by number; everything a [`NameForm`] derives from its words is worked out again
//! when the record is unpacked, which is cheap beside comparing it.

use std::collections::HashMap;

use crate::calendar::DateSpan;
use crate::features::{HashedKeys, NameForm, Prepared, Text, Token};

/// A word's spelling and key in the vocabulary's text.
struct Word {
    start: u32,
    raw: u16,
    key: u16,
}

/// The distinct name words (and pairs of adjacent words) of the packed records, by
/// number: their spellings and keys in one block of text, found by the hash of the
/// spelling.
#[derive(Default)]
pub(crate) struct Vocabulary {
    text: String,
    words: Vec<Word>,
    by_hash: HashMap<u64, u32, HashedKeys>,
    /// Words whose spelling's hash another word holds.
    collided: HashMap<Box<str>, u32>,
}

impl Vocabulary {
    fn intern(&mut self, t: &Token) -> u32 {
        let held = self.by_hash.get(&t.raw_hash).copied();
        if let Some(n) = held
            && self.raw(n) == &*t.raw
        {
            return n;
        }
        if let Some(&n) = self.collided.get(&*t.raw) {
            return n;
        }
        let n = self.words.len() as u32;
        // Name words are short; a longer one keeps its first 64 KiB, as its key does.
        let raw = truncated(&t.raw);
        let key = truncated(&t.key);
        self.words.push(Word {
            start: self.text.len() as u32,
            raw: raw.len() as u16,
            key: key.len() as u16,
        });
        self.text.push_str(raw);
        self.text.push_str(key);
        match held {
            None => {
                self.by_hash.insert(t.raw_hash, n);
            }
            Some(_) => {
                self.collided.insert((*t.raw).into(), n);
            }
        }
        n
    }

    fn str_at(&self, start: usize, len: u16) -> &str {
        (self.text)
            .get(start..start + usize::from(len))
            .unwrap_or_default()
    }

    fn raw(&self, n: u32) -> &str {
        self.words
            .get(n as usize)
            .map_or("", |w| self.str_at(w.start as usize, w.raw))
    }

    fn word(&self, n: u32) -> Token {
        let Some(w) = self.words.get(n as usize) else {
            return Token::with_key("", "");
        };
        let start = w.start as usize;
        Token::with_key(
            self.str_at(start, w.raw),
            self.str_at(start + usize::from(w.raw), w.key),
        )
    }
}

/// The longest prefix of `s` of at most 65,535 bytes that is whole characters.
fn truncated(s: &str) -> &str {
    let mut end = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Reads what the `put_` functions wrote. The bytes are the index's own, so a short read
/// (which would be a bug here) yields zeros rather than a panic.
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let b = self.buf.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }

    fn signed(&mut self) -> i64 {
        let v = self.varint();
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }

    fn bytes(&mut self) -> &'a [u8] {
        let n = self.varint() as usize;
        let start = self.at.min(self.buf.len());
        let end = (start + n).min(self.buf.len());
        self.at = start + n;
        &self.buf[start..end]
    }

    fn text(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }
}

/// Ids that are UUIDs as the server writes them (lower-case, hyphenated) take 16 bytes;
/// any other id is kept as written.
const ID_UUID: u8 = 0;
const ID_TEXT: u8 = 1;

fn put_id(out: &mut Vec<u8>, id: &str) {
    let b = id.as_bytes();
    let hyphen = |i: usize| matches!(i, 8 | 13 | 18 | 23);
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if hyphen(i) {
                c == b'-'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            }
        });
    if !uuid {
        out.push(ID_TEXT);
        put_bytes(out, b);
        return;
    }
    out.push(ID_UUID);
    let digits: Vec<u8> = b
        .iter()
        .filter(|&&c| c != b'-')
        .map(|&c| (c as char).to_digit(16).unwrap_or(0) as u8)
        .collect();
    out.extend(digits.chunks(2).map(|d| d[0] << 4 | d[1]));
}

fn skip_id(r: &mut Reader) {
    if r.byte() == ID_TEXT {
        r.bytes();
    } else {
        r.at += 16;
    }
}

fn read_id(r: &mut Reader) -> String {
    if r.byte() == ID_TEXT {
        return r.text().to_string();
    }
    let mut s = String::with_capacity(36);
    for i in 0..16 {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let b = r.byte();
        for d in [b >> 4, b & 0xf] {
            s.push(char::from_digit(u32::from(d), 16).unwrap_or('0'));
        }
    }
    s
}

fn put_forms(out: &mut Vec<u8>, forms: &[NameForm], vocabulary: &mut Vocabulary) {
    put_varint(out, forms.len() as u64);
    for f in forms {
        put_varint(out, f.tokens.len() as u64);
        // A form's pairs are its adjacent words: one fewer than its words.
        debug_assert_eq!(f.pairs.len() + 1, f.tokens.len());
        for t in f.tokens.iter().chain(&f.pairs) {
            put_varint(out, u64::from(vocabulary.intern(t)));
        }
        put_bytes(out, f.joined_key_text.as_bytes());
    }
}

fn read_forms(r: &mut Reader, vocabulary: &Vocabulary) -> Vec<NameForm> {
    let n = r.varint() as usize;
    (0..n)
        .map(|_| {
            let words = r.varint() as usize;
            let mut word = || vocabulary.word(r.varint() as u32);
            let tokens: Vec<Token> = (0..words).map(|_| word()).collect();
            let pairs: Vec<Token> = (1..words).map(|_| word()).collect();
            NameForm::from_parts(tokens, pairs, Text::from_bytes(r.bytes()))
        })
        .collect()
}

/// The texts of a record, in the order of the bits of the mask before them.
fn texts(p: &Prepared) -> [&Option<Text>; 12] {
    [
        &p.nationality,
        &p.national_id,
        &p.passport,
        &p.social_security,
        &p.phone,
        &p.street_number,
        &p.address_1,
        &p.address_2,
        &p.suburb,
        &p.postcode,
        &p.state,
        &p.province,
    ]
}

fn texts_mut(p: &mut Prepared) -> [&mut Option<Text>; 12] {
    [
        &mut p.nationality,
        &mut p.national_id,
        &mut p.passport,
        &mut p.social_security,
        &mut p.phone,
        &mut p.street_number,
        &mut p.address_1,
        &mut p.address_2,
        &mut p.suburb,
        &mut p.postcode,
        &mut p.state,
        &mut p.province,
    ]
}

/// Packs a record and its id at the end of `out`; its words go into the vocabulary.
///
/// The names come last: a look-up compares the other fields first, and unpacks the names
/// only of a record that can still be a match ([`unpack_facts`], [`unpack_names`]).
pub(crate) fn pack(id: &str, p: &Prepared, vocabulary: &mut Vocabulary, out: &mut Vec<u8>) {
    put_id(out, id);
    match p.dob {
        None => out.push(0),
        Some(d) => {
            out.push(if d.exact.is_some() { 2 } else { 1 });
            put_signed(out, i64::from(d.first));
            put_signed(out, i64::from(d.last) - i64::from(d.first));
            if let Some((y, m, day)) = d.exact {
                put_signed(out, i64::from(y));
                put_varint(out, u64::from(m));
                put_varint(out, u64::from(day));
            }
        }
    }
    out.push(p.sex.map_or(0, |s| s.saturating_add(1)));
    let texts = texts(p);
    let mask = (texts.iter().enumerate())
        .filter(|(_, t)| t.is_some())
        .fold(0u64, |m, (i, _)| m | 1 << i);
    put_varint(out, mask);
    for t in texts.into_iter().flatten() {
        put_bytes(out, t.as_bytes());
    }
    put_varint(out, p.employer.len() as u64);
    for e in &p.employer {
        put_bytes(out, e.as_bytes());
    }
    put_forms(out, &p.names, vocabulary);
    put_forms(out, &p.father, vocabulary);
}

/// Writes a packed record behind its length.
pub(crate) fn frame(record: &[u8], out: &mut Vec<u8>) {
    put_bytes(out, record);
}

/// The packed record written by [`frame`] at `at`.
pub(crate) fn framed(packed: &[u8], at: usize) -> Option<&[u8]> {
    let mut r = Reader {
        buf: packed.get(at..)?,
        at: 0,
    };
    Some(r.bytes())
}

/// The id of a packed record.
pub(crate) fn id(packed: &[u8]) -> String {
    read_id(&mut Reader { buf: packed, at: 0 })
}

/// A packed record as it was prepared, and its id.
pub(crate) fn unpack(packed: &[u8], vocabulary: &Vocabulary) -> (String, Prepared) {
    let mut p = Prepared::default();
    let names = unpack_facts(packed, &mut p);
    unpack_names(packed, names, vocabulary, &mut p);
    (id(packed), p)
}

/// Where a packed record's names start.
#[derive(Clone, Copy)]
pub(crate) struct NamesAt(usize);

/// Unpacks every field of a packed record but its names into `p` (its names are left
/// empty); returns where the names start.
pub(crate) fn unpack_facts(packed: &[u8], p: &mut Prepared) -> NamesAt {
    let mut r = Reader { buf: packed, at: 0 };
    skip_id(&mut r);
    p.dob = match r.byte() {
        0 => None,
        kind => {
            let first = r.signed() as i32;
            let last = first + r.signed() as i32;
            let exact =
                (kind == 2).then(|| (r.signed() as i32, r.varint() as u32, r.varint() as u32));
            Some(DateSpan { first, last, exact })
        }
    };
    p.sex = r.byte().checked_sub(1);
    let mask = r.varint();
    for (i, t) in texts_mut(p).into_iter().enumerate() {
        *t = (mask & 1 << i != 0).then(|| Text::from_bytes(r.bytes()));
    }
    let employers = r.varint() as usize;
    p.employer = (0..employers).map(|_| r.text().into()).collect();
    NamesAt(r.at)
}

/// Unpacks a packed record's names (and father's names) into `p`.
pub(crate) fn unpack_names(packed: &[u8], at: NamesAt, vocabulary: &Vocabulary, p: &mut Prepared) {
    let mut r = Reader {
        buf: packed,
        at: at.0,
    };
    p.names = read_forms(&mut r, vocabulary);
    p.father = read_forms(&mut r, vocabulary);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::prepare;
    use crate::record::{Field, Record};

    fn round_trip(r: &Record) {
        let mut vocabulary = Vocabulary::default();
        let p = prepare(r);
        let mut packed = vec![7];
        pack(&r.id, &p, &mut vocabulary, &mut packed);
        let packed = &packed[1..];
        let (id, q) = unpack(packed, &vocabulary);
        assert_eq!(id, r.id);
        assert_eq!(self::id(packed), r.id);
        // Every field, including what a form derives from its words.
        assert_eq!(format!("{q:?}"), format!("{p:?}"));
    }

    #[test]
    fn a_packed_record_unpacks_as_it_was_prepared() {
        round_trip(
            &Record::new("5f0c2a9e-1b7d-4c3e-9a8f-0123456789ab")
                .with(Field::GivenName, "Zeinab")
                .with(Field::FamilyName, "Mohammad Abdolghani")
                .with(Field::FatherName, "Mohd.-Isa Khan")
                .with(Field::NativeName, "زينب بنت محمد عبدالغني")
                .with(Field::DateOfBirth, "1996-12-30")
                .with(Field::Sex, "f")
                .with(Field::Nationality, "AFG")
                .with(Field::NationalId, "1234-5678-9012")
                .with(Field::Passport, "P12063077")
                .with(Field::Phone, "+93 776 879 757")
                .with(Field::Province, "Kabol")
                .with(
                    Field::Address1,
                    "a street name long enough to live on the heap",
                )
                .with(Field::Postcode, "1001")
                .with(Field::Employer, "NATO Resolute Support HQ"),
        );
        round_trip(
            &Record::new("R00000002")
                .with(Field::FullName, "Mohd Taher")
                .with(Field::DateOfBirth, "SH:1374-08"),
        );
        round_trip(&Record::new("an id with an Upper-case UUID-like shape"));
        round_trip(&Record::new("5F0C2A9E-1B7D-4C3E-9A8F-0123456789AB"));
    }

    #[test]
    fn words_are_stored_once() {
        let mut vocabulary = Vocabulary::default();
        for i in 0..10 {
            let r = Record::new(i.to_string())
                .with(Field::GivenName, "Nadia")
                .with(Field::FamilyName, "Karimi");
            pack(&r.id, &prepare(&r), &mut vocabulary, &mut Vec::new());
        }
        // Nadia, Karimi and their pair.
        assert_eq!(vocabulary.words.len(), 3);
    }
}
