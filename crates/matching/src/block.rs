//! Blocking: keys that true duplicates are likely to share, so that only pairs sharing a
//! key are compared. Each key kind has a bucket cap: a bucket larger than that (everyone
//! called Mohammad) says too little to be worth its pairs, and is left to other keys.

use rayon::prelude::*;

use crate::features::{NameForm, Prepared, hash};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Kind {
    /// Document, national id, social security or phone number.
    Identifier = 1,
    /// All name words, as one word's key.
    Joined,
    /// Two name words' keys, in either order.
    WordPair,
    /// A name word's key and a birth year.
    WordYear,
    /// A name word's key and the province.
    WordPlace,
    /// One name word's key alone: only for small buckets.
    Word,
    /// Full date of birth.
    Date,
    /// Postcode and street number.
    Address,
}

impl Kind {
    /// Largest bucket whose pairs are generated.
    pub fn cap(self) -> usize {
        match self {
            Kind::Identifier => 24,
            Kind::Joined => 64,
            Kind::WordPair => 32,
            Kind::WordYear => 24,
            Kind::WordPlace => 24,
            Kind::Word => 16,
            Kind::Date => 16,
            Kind::Address => 32,
        }
    }
}

/// Neighbours each record meets in an oversized full-name bucket, ordered by birth date.
pub const WINDOW: usize = 4;

/// Whether an oversized bucket of this kind is still searched, by date of birth order
/// (many people share "Mohammad Ahmad", but only a few were born in the same months).
pub fn windowed(kind: Kind) -> bool {
    matches!(kind, Kind::Joined | Kind::WordPair)
}

/// Order key of a record inside a windowed bucket: middle of its birth interval.
pub fn birth_order(p: &Prepared) -> i32 {
    p.dob.map_or(i32::MAX, |d| d.first / 2 + d.last / 2)
}

/// A blocking key: its kind in the top byte, a hash of its value below.
pub fn make(kind: Kind, parts: &[&[u8]]) -> u64 {
    (hash(parts) >> 8) | (u64::from(kind as u8) << 56)
}

pub fn kind_of(key: u64) -> Kind {
    match (key >> 56) as u8 {
        1 => Kind::Identifier,
        2 => Kind::Joined,
        3 => Kind::WordPair,
        4 => Kind::WordYear,
        5 => Kind::WordPlace,
        6 => Kind::Word,
        7 => Kind::Date,
        _ => Kind::Address,
    }
}

/// Keys being collected, of the wanted kinds only (the others are not even hashed).
struct Sink {
    keys: Vec<u64>,
    /// Bit k set: kind k wanted.
    want: u16,
}

impl Sink {
    fn wants(&self, kind: Kind) -> bool {
        self.want & (1 << kind as u8) != 0
    }

    fn push(&mut self, kind: Kind, parts: &[&[u8]]) {
        if self.wants(kind) {
            self.keys.push(make(kind, parts));
        }
    }
}

fn form_keys(
    f: &NameForm,
    years: &[i32],
    father_first: &[&str],
    province: Option<&str>,
    out: &mut Sink,
) {
    out.push(Kind::Joined, &[f.joined_key_text.as_bytes()]);
    for (i, a) in f.tokens.iter().enumerate() {
        out.push(Kind::Word, &[a.key.as_bytes()]);
        for b in &f.tokens[i + 1..] {
            let (x, y) = if *a.key <= *b.key {
                (&a.key, &b.key)
            } else {
                (&b.key, &a.key)
            };
            out.push(Kind::WordPair, &[x.as_bytes(), y.as_bytes()]);
        }
        for y in years {
            out.push(Kind::WordYear, &[a.key.as_bytes(), &y.to_le_bytes()]);
        }
        // The father's name is often written as a surname: a father's word pairs with
        // an own word in the same key space as two own words.
        for fk in father_first {
            let (x, y) = if *a.key <= **fk {
                (&*a.key, *fk)
            } else {
                (*fk, &*a.key)
            };
            out.push(Kind::WordPair, &[x.as_bytes(), y.as_bytes()]);
        }
        // Given name and province: only the first word, the rest are family or compound parts.
        if let Some(pr) = province.filter(|_| i == 0) {
            out.push(Kind::WordPlace, &[a.key.as_bytes(), pr.as_bytes()]);
        }
    }
    // A compound written as one word meets its parts through the pair's key.
    for p in &f.pairs {
        out.push(Kind::Word, &[p.key.as_bytes()]);
    }
}

/// Keys of a number with one character deleted at each position: two numbers one typo
/// apart (a changed, dropped or doubled digit) share one of them.
fn deletions(kind: Kind, tag: &[u8], v: &[u8], out: &mut Sink) {
    if v.len() < 6 || v.len() > 20 || !out.wants(kind) {
        return;
    }
    let mut buf = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        buf.clear();
        buf.extend_from_slice(&v[..i]);
        buf.extend_from_slice(&v[i + 1..]);
        out.push(kind, &[tag, b"-1", &buf]);
    }
}

/// All blocking keys of a record, deduplicated.
pub fn keys(p: &Prepared) -> Vec<u64> {
    keys_of_kinds(p, &[1, 2, 3, 4, 5, 6, 7, 8])
}

/// The blocking keys of a record of the given kinds (by number), deduplicated.
fn keys_of_kinds(p: &Prepared, kinds: &[u8]) -> Vec<u64> {
    let mut out = Sink {
        keys: Vec::with_capacity(48),
        want: kinds.iter().fold(0, |w, &k| w | (1 << k)),
    };
    for (tag, v) in [
        (&b"nid"[..], &p.national_id),
        (b"pass", &p.passport),
        (b"ssn", &p.social_security),
        (b"tel", &p.phone),
    ] {
        if let Some(v) = v {
            out.push(Kind::Identifier, &[tag, v.as_bytes()]);
            // Documents are sparse in their number space, so a one-typo neighbour is almost
            // always the same document. Phones are dense: at a million records most numbers
            // have an unrelated neighbour one digit away, so phones get no typo keys.
            if tag != b"tel" {
                deletions(Kind::Identifier, tag, v.as_bytes(), &mut out);
            }
        }
    }
    let names_wanted = [
        Kind::Joined,
        Kind::WordPair,
        Kind::WordYear,
        Kind::WordPlace,
        Kind::Word,
    ]
    .iter()
    .any(|&k| out.wants(k));
    // Birth years widened by four months, so that 30 December 1996 meets "1997".
    let years: Vec<i32> = p
        .dob
        .map(|d| {
            let wide = crate::calendar::DateSpan {
                first: d.first - 120,
                last: d.last + 120,
                exact: None,
            };
            wide.years().collect()
        })
        .unwrap_or_default();
    let years = if years.len() <= 3 { years } else { Vec::new() };
    // The father's first and last words, and all of them as one word (Din Idris, دینادریس).
    let mut father_first: Vec<&str> = p
        .father
        .iter()
        .flat_map(|f| {
            [
                f.tokens.first().map(|t| &*t.key),
                f.tokens.last().map(|t| &*t.key),
                Some(&*f.joined_key_text),
            ]
        })
        .flatten()
        .collect();
    father_first.sort_unstable();
    father_first.dedup();
    for f in p.names.iter().filter(|_| names_wanted) {
        form_keys(f, &years, &father_first, p.province.as_deref(), &mut out);
    }
    if let Some(d) = p.dob.and_then(|d| d.exact) {
        // 1 January stands for an unknown day in many registries: no typo keys for it.
        if (d.1, d.2) != (1, 1) && out.wants(Kind::Date) {
            let digits = format!("{:04}{:02}{:02}", d.0, d.1, d.2);
            deletions(Kind::Date, b"dob", digits.as_bytes(), &mut out);
        }
        out.push(Kind::Date, &[&d.0.to_le_bytes(), &[d.1 as u8, d.2 as u8]]);
    }
    if let (Some(pc), Some(sn)) = (&p.postcode, &p.street_number) {
        out.push(Kind::Address, &[pc.as_bytes(), sn.as_bytes()]);
    }
    if let Some(a1) = &p.address_1 {
        out.push(Kind::Address, &[b"a1", a1.as_bytes()]);
        if let (Some(sn), Some(first)) = (&p.street_number, a1.split(' ').next()) {
            out.push(Kind::Address, &[b"sn", sn.as_bytes(), first.as_bytes()]);
        }
    }
    if let Some(pc) = &p.postcode {
        for f in &p.names {
            for t in &f.tokens {
                out.push(Kind::Address, &[pc.as_bytes(), t.key.as_bytes()]);
            }
        }
    }
    let mut out = out.keys;
    out.sort_unstable();
    out.dedup();
    out
}

/// Candidate pairs (i < j) of a whole data set, sorted and unique.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<(u32, u32)> {
    // A few kinds of key at a time: the key table of all kinds at once would outweigh the
    // pairs; three groups of about equal size compute each record's keys three times.
    let mut pairs = Vec::new();
    for group in [&[1u8, 7, 8][..], &[2, 3], &[4, 5, 6]] {
        pairs.extend(pairs_of_kinds(records, group));
        pairs.par_sort_unstable();
        pairs.dedup();
    }
    pairs
}

fn pairs_of_kinds(records: &[Prepared], kinds: &[u8]) -> Vec<(u32, u32)> {
    let mut entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, p)| {
            keys_of_kinds(p, kinds)
                .into_iter()
                .map(move |k| (k, i as u32))
        })
        .collect();
    entries.par_sort_unstable();
    // Bucket boundaries, then all pairs inside each bucket that is small enough, and
    // birth-date neighbours inside oversized full-name buckets.
    let mut starts = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            j += 1;
        }
        let kind = kind_of(entries[i].0);
        if j - i >= 2 && (j - i <= kind.cap() || windowed(kind)) {
            starts.push((i, j));
        }
        i = j;
    }
    let mut pairs: Vec<(u32, u32)> = starts
        .par_iter()
        .flat_map_iter(|&(s, e)| {
            let mut bucket: Vec<u32> = entries[s..e].iter().map(|x| x.1).collect();
            let window = if bucket.len() <= kind_of(entries[s].0).cap() {
                bucket.len()
            } else {
                bucket.sort_by_key(|&r| (birth_order(&records[r as usize]), r));
                WINDOW + 1
            };
            let mut out = Vec::with_capacity(bucket.len() * window.min(bucket.len()));
            for x in 0..bucket.len() {
                for y in x + 1..(x + window).min(bucket.len()) {
                    let (a, b) = (bucket[x], bucket[y]);
                    out.push(if a < b { (a, b) } else { (b, a) });
                }
            }
            out
        })
        .collect();
    drop(entries);
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::prepare;
    use crate::record::{Field, Record};

    fn shared(a: &Record, b: &Record) -> Vec<Kind> {
        let (ka, kb) = (keys(&prepare(a)), keys(&prepare(b)));
        ka.iter()
            .filter(|k| kb.contains(k))
            .map(|&k| kind_of(k))
            .collect()
    }

    #[test]
    fn father_used_as_surname_shares_a_key() {
        let a = Record::new("a")
            .with(Field::GivenName, "Zeinab")
            .with(Field::FatherName, "Mohammad Abdolghani")
            .with(Field::NativeName, "زينب بنت محمد عبدالغني");
        let b = Record::new("b")
            .with(Field::GivenName, "Zenab")
            .with(Field::NativeName, "زينب بنت محمد عبدالغني");
        assert!(
            shared(&a, &b).contains(&Kind::WordPair),
            "{:?}",
            shared(&a, &b)
        );
        let c = Record::new("c")
            .with(Field::GivenName, "Halima")
            .with(Field::FamilyName, "Mohamad Isa");
        let d = Record::new("d")
            .with(Field::FamilyName, "Halima")
            .with(Field::FatherName, "Mohd.-Isa");
        assert!(shared(&c, &d).contains(&Kind::WordPair));
    }
}
