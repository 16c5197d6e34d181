//! An incremental index for the server: holds a registry and matches one new record
//! against it through the same blocking keys and model as the batch.

use std::collections::HashMap;

use crate::Error;
use crate::block;
use crate::explain::Explanation;
use crate::features::{HashedKeys, Prepared, prepare};
use crate::record::Record;
use crate::score::Model;
use crate::tf::TermFrequencies;
use crate::words::WordTable;

/// A registry record that may be the same person as the one asked about.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub probability: f64,
    pub explanation: Explanation,
}

/// The records holding one blocking key. Most keys (documents with a typo, rare name
/// pairs) are held by one record, which then needs no allocation of its own.
enum Posting {
    One(u32),
    Many(Vec<u32>),
}

impl Posting {
    fn as_slice(&self) -> &[u32] {
        match self {
            Posting::One(s) => std::slice::from_ref(s),
            Posting::Many(v) => v,
        }
    }
}

pub struct Index {
    model: Model,
    min_probability: f64,
    tf: TermFrequencies,
    /// Empty: the index compares words directly.
    words: WordTable,
    slots: Vec<Option<(String, Prepared)>>,
    /// Birth order of each slot's record ([`block::birth_order`]), kept apart so that a
    /// look-up in a large bucket reads no record.
    birth: Vec<i32>,
    free: Vec<u32>,
    by_id: HashMap<String, u32>,
    postings: HashMap<u64, Posting, HashedKeys>,
}

impl Index {
    /// An empty index scoring with `model`; candidates below `min_probability` are not
    /// returned.
    pub fn new(model: Model, min_probability: f64) -> Index {
        let tf = TermFrequencies::new(&model.comparisons);
        Index {
            model,
            min_probability,
            tf,
            words: WordTable::default(),
            slots: Vec::new(),
            birth: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            postings: HashMap::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn insert(&mut self, record: &Record) -> Result<(), Error> {
        if self.by_id.contains_key(&record.id) {
            return Err(Error::DuplicateId(record.id.clone()));
        }
        let p = prepare(record);
        let keys = block::keys(&p);
        self.tf.add(&self.model.comparisons, &p, 1);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                self.birth.push(i32::MAX);
                (self.slots.len() - 1) as u32
            }
        };
        for k in keys {
            match self.postings.entry(k) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Posting::One(slot));
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let p = e.get_mut();
                    match p {
                        Posting::One(s) => *p = Posting::Many(vec![*s, slot]),
                        Posting::Many(v) => v.push(slot),
                    }
                }
            }
        }
        self.by_id.insert(record.id.clone(), slot);
        self.birth[slot as usize] = block::birth_order(&p);
        self.slots[slot as usize] = Some((record.id.clone(), p));
        Ok(())
    }

    /// Remove a record; false when the id is unknown.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        if let Some((_, p)) = self.slots[slot as usize].take() {
            self.tf.add(&self.model.comparisons, &p, -1);
            // The keys are those it was inserted under: computed again rather than kept.
            for k in block::keys(&p) {
                let gone = match self.postings.get_mut(&k) {
                    Some(Posting::One(s)) => *s == slot,
                    Some(Posting::Many(v)) => {
                        v.retain(|&s| s != slot);
                        if v.len() == 1 {
                            let last = v[0];
                            self.postings.insert(k, Posting::One(last));
                        }
                        false
                    }
                    None => false,
                };
                if gone {
                    self.postings.remove(&k);
                }
            }
        }
        self.free.push(slot);
        true
    }

    /// Registry records that may be the same person, most likely first.
    pub fn candidates(&self, record: &Record) -> Vec<Candidate> {
        let p = prepare(record);
        let mut slots: Vec<u32> = Vec::new();
        let order = block::birth_order(&p);
        for k in block::keys(&p) {
            let Some(v) = self.postings.get(&k).map(Posting::as_slice) else {
                continue;
            };
            let kind = block::kind_of(k);
            // The bucket would hold the new record too: same cap as in the batch.
            if v.len() < kind.cap() {
                slots.extend_from_slice(v);
            } else if block::windowed(kind) && order != i32::MAX {
                // As the batch's window: the members born nearest to the new record.
                let mut near: Vec<(i64, u32)> = v
                    .iter()
                    .map(|&s| {
                        (
                            (i64::from(self.birth[s as usize]) - i64::from(order)).abs(),
                            s,
                        )
                    })
                    .collect();
                let w = block::WINDOW.min(near.len());
                if w > 0 {
                    near.select_nth_unstable(w - 1);
                    slots.extend(near[..w].iter().map(|x| x.1));
                }
            }
        }
        slots.sort_unstable();
        slots.dedup();
        let priors = self.model.priors(self.len() + 1);
        let mut out: Vec<Candidate> = slots
            .into_iter()
            .filter_map(|s| {
                let (id, q) = self.slots[s as usize].as_ref()?;
                if *id == record.id {
                    return None;
                }
                let w = self.model.weight(&p, q, &self.tf, &self.words, priors);
                let probability = crate::explain::probability(w);
                (probability >= self.min_probability).then(|| Candidate {
                    id: id.clone(),
                    probability,
                    explanation: self.model.explain(&p, q, &self.tf, &self.words, priors),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }
}
