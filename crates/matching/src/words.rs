//! The name words of a data set, interned once.
//!
//! Comparing tens of millions of candidate pairs compares hundreds of millions of name
//! words, but a registry's names come from a small vocabulary (in the Afghan registry the
//! 2,000 commonest words make up 93% of all name words). Each distinct word gets an id, its
//! spelling and key are copied into one small contiguous arena that stays in the processor's
//! cache, and the similarities of the commonest words with each other are tabulated. A
//! word pair is then compared without following any record's pointers (a form keeps its
//! words' ids inline), and the commonest pairs cost one load. Words without an id (a record prepared after the table was built)
//! are compared from their own text, with the same result.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::compare::word_similarity;
use crate::features::{HashedKeys, INLINE_WORDS, NameForm, Prepared, Token};

/// A word not in the table.
pub const NO_WORD: u32 = u32::MAX;

/// Words whose similarities with each other are tabulated (8 MiB).
const TABULATED: usize = 1024;

/// Fewest occurrences of a tabulated word.
const TABULATE_FROM: u32 = 16;

#[derive(Clone, Copy, Debug, Default)]
struct Word {
    raw: (u32, u32),
    key: (u32, u32),
    latin: bool,
}

/// The interned words of one data set, by the ids [`WordTable::build`] gives them.
#[derive(Clone, Debug, Default)]
pub struct WordTable {
    words: Vec<Word>,
    text: Vec<u8>,
    /// Row-major `tabulated` x `tabulated`: the similarity of word i (first) to word j.
    similarity: Vec<f64>,
    tabulated: usize,
}

fn forms_mut(p: &mut Prepared) -> impl Iterator<Item = &mut NameForm> {
    p.names.iter_mut().chain(p.father.iter_mut())
}

fn words_mut(f: &mut NameForm) -> impl Iterator<Item = &mut Token> {
    f.tokens.iter_mut().chain(f.pairs.iter_mut())
}

type Counts = HashMap<u64, (u32, Token), HashedKeys>;

fn merge(mut x: Counts, mut y: Counts) -> Counts {
    if x.len() < y.len() {
        std::mem::swap(&mut x, &mut y);
    }
    for (h, (n, t)) in y {
        x.entry(h).or_insert_with(|| (0, t)).0 += n;
    }
    x
}

impl WordTable {
    /// Give every name word of the records an id (commonest first), write the ids into
    /// the records' tokens, and tabulate the commonest words' similarities.
    pub fn build(records: &mut [Prepared]) -> WordTable {
        let counts: Counts = records
            .par_iter()
            .fold(Counts::default, |mut acc: Counts, p| {
                for f in p.names.iter().chain(&p.father) {
                    for t in f.tokens.iter().chain(&f.pairs) {
                        acc.entry(t.raw_hash).or_insert_with(|| (0, t.clone())).0 += 1;
                    }
                }
                acc
            })
            .reduce(Counts::default, merge);
        let mut all: Vec<(u32, u64, Token)> =
            counts.into_iter().map(|(h, (n, t))| (n, h, t)).collect();
        all.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        let ids: HashMap<u64, u32, HashedKeys> = all
            .iter()
            .enumerate()
            .map(|(i, (_, h, _))| (*h, i as u32))
            .collect();
        records.par_iter_mut().for_each(|p| {
            for f in forms_mut(p) {
                for t in words_mut(f) {
                    t.id = ids.get(&t.raw_hash).copied().unwrap_or(NO_WORD);
                }
                if f.tokens.len() <= INLINE_WORDS {
                    let mut inline = [NO_WORD; 2 * INLINE_WORDS];
                    for (i, t) in f.tokens.iter().enumerate() {
                        inline[i] = t.id;
                    }
                    for (i, t) in f.pairs.iter().enumerate() {
                        inline[INLINE_WORDS + i] = t.id;
                    }
                    f.word_ids = Some(inline);
                }
            }
        });
        let mut table = WordTable::default();
        for (_, _, t) in &all {
            let mut put = |s: &str| {
                let start = table.text.len() as u32;
                table.text.extend_from_slice(s.as_bytes());
                (start, table.text.len() as u32)
            };
            let raw = put(&t.raw);
            let key = put(&t.key);
            table.words.push(Word {
                raw,
                key,
                latin: t.latin,
            });
        }
        // Only words met often enough to repay their row: a small list tabulates few.
        let n = all
            .iter()
            .take(TABULATED)
            .take_while(|(count, _, _)| *count >= TABULATE_FROM)
            .count();
        let mut similarity = vec![0f64; n * n];
        similarity
            .par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(i, row)| {
                let a = &all[i].2;
                for (j, s) in row.iter_mut().enumerate() {
                    let b = &all[j].2;
                    *s = word_similarity(a, b, a.latin && b.latin);
                }
            });
        table.similarity = similarity;
        table.tabulated = n;
        table
    }

    fn bytes(&self, span: (u32, u32)) -> &[u8] {
        &self.text[span.0 as usize..span.1 as usize]
    }

    /// The similarity of two words compared as `latin` (both forms in Latin script).
    #[inline]
    pub fn similarity(&self, a: &Token, b: &Token, latin: bool) -> f64 {
        let n = self.words.len() as u32;
        if a.id >= n || b.id >= n {
            return word_similarity(a, b, latin);
        }
        self.similarity_by_id(a.id, b.id, latin)
    }

    /// The similarity of two words of this table by id.
    #[inline]
    pub fn similarity_by_id(&self, i: u32, j: u32, latin: bool) -> f64 {
        if i == j {
            return 1.0;
        }
        let (x, y) = (&self.words[i as usize], &self.words[j as usize]);
        let (iu, ju) = (i as usize, j as usize);
        if iu < self.tabulated && ju < self.tabulated && (x.latin && y.latin) == latin {
            return self.similarity[iu * self.tabulated + ju];
        }
        crate::compare::bytes_similarity(
            (self.bytes(x.raw), self.bytes(x.key)),
            (self.bytes(y.raw), self.bytes(y.key)),
            latin,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparison;
    use crate::features::prepare;
    use crate::record::{Field, Record};

    fn person(given: &str, family: &str, father: &str, native: &str) -> Record {
        Record::new(given)
            .with(Field::GivenName, given)
            .with(Field::FamilyName, family)
            .with(Field::FatherName, father)
            .with(Field::NativeName, native)
    }

    #[test]
    fn the_table_gives_what_direct_comparison_gives() {
        let records = [
            person(
                "Mohammad Nabi",
                "Ahmadzai",
                "Abdul Rahman",
                "محمد نبی احمدزی",
            ),
            person(
                "Muhammad Nabi",
                "Ahmadzay",
                "Abdurrahman",
                "محمد نبي ولد عبدالرحمن",
            ),
            person("Mohammad", "Karimi", "Abdul Rahman", ""),
            person("Fatima", "Ahmadzai", "Mohammad Nabi", "فاطمه احمدزی"),
            person("Fatema", "Karimi", "Mohd Nabi", ""),
            person("Nabi", "Mohammadi", "Rahman", "نبی محمدی"),
        ];
        let direct: Vec<Prepared> = records.iter().map(prepare).collect();
        // Twenty copies, so that the words are common enough to be tabulated.
        let mut interned: Vec<Prepared> = (0..20).flat_map(|_| direct.clone()).collect();
        let table = WordTable::build(&mut interned);
        assert!(interned[0].names[0].word_ids.is_some());
        assert!(table.tabulated > 0);
        let empty = WordTable::default();
        for c in [Comparison::Name, Comparison::FatherName] {
            for a in 0..records.len() {
                for b in 0..records.len() {
                    assert_eq!(
                        c.compare(&interned[a], &interned[b], &table),
                        c.compare(&direct[a], &direct[b], &empty),
                        "{c:?} {a} {b}"
                    );
                }
            }
        }
    }
}
