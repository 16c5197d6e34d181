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
            Kind::Joined | Kind::WordPair => 64,
            Kind::WordYear => 64,
            Kind::WordPlace => 48,
            Kind::Word => 24,
            Kind::Date | Kind::Address => 32,
        }
    }
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

fn form_keys(
    f: &NameForm,
    years: &[i32],
    father_first: &[&str],
    province: Option<&str>,
    out: &mut Vec<u64>,
) {
    out.push(make(Kind::Joined, &[f.joined_key_text.as_bytes()]));
    for (i, a) in f.tokens.iter().enumerate() {
        out.push(make(Kind::Word, &[a.key.as_bytes()]));
        for b in &f.tokens[i + 1..] {
            let (x, y) = if a.key <= b.key {
                (&a.key, &b.key)
            } else {
                (&b.key, &a.key)
            };
            out.push(make(Kind::WordPair, &[x.as_bytes(), y.as_bytes()]));
        }
        for y in years {
            out.push(make(Kind::WordYear, &[a.key.as_bytes(), &y.to_le_bytes()]));
        }
        // The father's name is often written as a surname: a father's word pairs with
        // an own word in the same key space as two own words.
        for fk in father_first {
            let (x, y) = if *a.key <= **fk {
                (&*a.key, *fk)
            } else {
                (*fk, &*a.key)
            };
            out.push(make(Kind::WordPair, &[x.as_bytes(), y.as_bytes()]));
        }
        if let Some(pr) = province {
            out.push(make(Kind::WordPlace, &[a.key.as_bytes(), pr.as_bytes()]));
        }
    }
    // A compound written as one word meets its parts through the pair's key.
    for p in &f.pairs {
        out.push(make(Kind::Word, &[p.key.as_bytes()]));
    }
}

/// All blocking keys of a record, deduplicated.
pub fn keys(p: &Prepared) -> Vec<u64> {
    let mut out = Vec::with_capacity(48);
    for (tag, v) in [
        (&b"nid"[..], &p.national_id),
        (b"pass", &p.passport),
        (b"ssn", &p.social_security),
        (b"tel", &p.phone),
    ] {
        if let Some(v) = v {
            out.push(make(Kind::Identifier, &[tag, v.as_bytes()]));
        }
    }
    let years: Vec<i32> = p.dob.map(|d| d.years().collect()).unwrap_or_default();
    let years = if years.len() <= 2 { years } else { Vec::new() };
    let father_first: Vec<&str> = p
        .father
        .iter()
        .filter_map(|f| f.tokens.first().map(|t| &*t.key))
        .collect();
    for f in &p.names {
        form_keys(f, &years, &father_first, p.province.as_deref(), &mut out);
    }
    if let Some(d) = p.dob.and_then(|d| d.exact) {
        out.push(make(
            Kind::Date,
            &[&d.0.to_le_bytes(), &[d.1 as u8, d.2 as u8]],
        ));
    }
    if let (Some(pc), Some(sn)) = (&p.postcode, &p.street_number) {
        out.push(make(Kind::Address, &[pc.as_bytes(), sn.as_bytes()]));
    }
    if let Some(pc) = &p.postcode {
        for f in &p.names {
            for t in &f.tokens {
                out.push(make(Kind::Address, &[pc.as_bytes(), t.key.as_bytes()]));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Candidate pairs (i < j) of a whole data set, sorted and unique.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<(u32, u32)> {
    let mut entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, p)| keys(p).into_iter().map(move |k| (k, i as u32)))
        .collect();
    entries.par_sort_unstable();
    // Bucket boundaries, then all pairs inside each bucket that is small enough.
    let mut starts = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            j += 1;
        }
        if j - i >= 2 && j - i <= kind_of(entries[i].0).cap() {
            starts.push((i, j));
        }
        i = j;
    }
    let mut pairs: Vec<(u32, u32)> = starts
        .par_iter()
        .flat_map_iter(|&(s, e)| {
            let bucket = &entries[s..e];
            (0..bucket.len()).flat_map(move |x| {
                (x + 1..bucket.len()).map(move |y| {
                    let (a, b) = (bucket[x].1, bucket[y].1);
                    if a < b { (a, b) } else { (b, a) }
                })
            })
        })
        .collect();
    drop(entries);
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}
