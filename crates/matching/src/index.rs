//! An incremental index for the server: holds a registry and matches one new record
//! against it through the same blocking keys and model as the batch.
//!
//! A million records must fit in a small server's memory beside everything else, so
//! records are kept packed ([`crate::stored`]) and unpacked only when they are a
//! candidate, and their blocking keys live in compact tables ([`crate::postings`]).

use std::collections::HashMap;

use crate::Error;
use crate::block;
use crate::explain::Explanation;
use crate::features::{HashedKeys, Prepared, fold32, hash, prepare};
use crate::postings::{self, Postings};
use crate::record::Record;
use crate::score::{Model, PRUNED, Pruning, compare_cheap, compare_costly};
use crate::stored::{self, Vocabulary};
use crate::tf::TermFrequencies;
use crate::words::WordTable;

/// A registry record that may be the same person as the one asked about.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    /// The group it was inserted in ([`Index::insert_in`]), such as its household.
    pub group: Option<u32>,
    pub probability: f64,
    pub explanation: Explanation,
}

/// No group, and the end of a group's list.
const NONE: u32 = u32::MAX;
/// A removed slot's place.
const GONE: u64 = u64::MAX;
/// Bytes of packed records per block.
const BLOCK: usize = 1 << 20;
/// A removed slot's birth order.
const REMOVED: i32 = i32::MIN;

pub struct Index {
    model: Model,
    min_probability: f64,
    tf: TermFrequencies,
    /// Empty: the index compares words directly.
    words: WordTable,
    vocabulary: Vocabulary,
    /// The records, packed one after another, each behind its length, in blocks of
    /// about [`BLOCK`] bytes (a block is never moved to grow, so a million records are
    /// never copied at once).
    packed: Vec<Vec<u8>>,
    /// Bytes of the records in `packed`, and of those removed since it was last
    /// compacted.
    size: usize,
    garbage: usize,
    /// Where each slot's record starts: its block in the high half, the offset in the
    /// low; [`GONE`] once removed. Slots are not reused, so that an entry left in the
    /// frozen postings never leads to another record.
    at: Vec<u64>,
    /// Birth order of each slot's record ([`block::birth_order`]), kept apart so that a
    /// look-up in a large bucket reads no record; [`REMOVED`] once removed.
    birth: Vec<i32>,
    /// Each slot's group, and the next slot of the same group.
    group: Vec<u32>,
    next_in_group: Vec<u32>,
    /// The first slot of each group.
    groups: HashMap<u32, u32, HashedKeys>,
    /// The slot of each id, by 32 bits of the id's hash (checked against the record); an
    /// id whose hash another holds goes to `collided`.
    by_id: HashMap<u32, u32, HashedKeys>,
    collided: HashMap<String, u32>,
    postings: Postings,
    live: usize,
}

fn id_hash(id: &str) -> u32 {
    fold32(hash(&[id.as_bytes()]))
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
            vocabulary: Vocabulary::default(),
            packed: Vec::new(),
            size: 0,
            garbage: 0,
            at: Vec::new(),
            birth: Vec::new(),
            group: Vec::new(),
            next_in_group: Vec::new(),
            groups: HashMap::default(),
            by_id: HashMap::default(),
            collided: HashMap::new(),
            postings: Postings::default(),
            live: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The packed record of a slot, unless removed.
    fn record(&self, slot: u32) -> Option<&[u8]> {
        let at = *self.at.get(slot as usize)?;
        if at == GONE {
            return None;
        }
        stored::framed(self.packed.get((at >> 32) as usize)?, at as u32 as usize)
    }

    /// Writes a packed record into the last block, or a new one if it is full; returns
    /// where it went.
    fn put(packed: &mut Vec<Vec<u8>>, record: &[u8]) -> u64 {
        let framed = record.len() + 10;
        match packed.last() {
            Some(b) if b.len() + framed <= b.capacity().max(BLOCK) => {}
            _ => packed.push(Vec::with_capacity(BLOCK.max(framed))),
        }
        let block = packed.len() - 1;
        let b = &mut packed[block];
        let at = (block as u64) << 32 | b.len() as u64;
        stored::frame(record, b);
        at
    }

    fn slot_of(&self, id: &str) -> Option<u32> {
        let holder = self.by_id.get(&id_hash(id)).copied();
        let packed = holder.and_then(|s| self.record(s));
        match packed {
            Some(p) if stored::id(p) == id => holder,
            _ => self.collided.get(id).copied(),
        }
    }

    pub fn insert(&mut self, record: &Record) -> Result<(), Error> {
        self.insert_in(record, NONE)
    }

    /// Inserts a record as a member of `group` (a household): [`Index::remove_group`]
    /// takes the whole group out, and each candidate tells its group.
    pub fn insert_in(&mut self, record: &Record, group: u32) -> Result<(), Error> {
        self.insert_prepared(&record.id, prepare(record), group)
    }

    /// [`Index::candidates`] of a new record, then [`Index::insert_in`]: the server's
    /// step for each person it receives, the record prepared once for both.
    pub fn match_and_insert(
        &mut self,
        record: &Record,
        group: u32,
    ) -> Result<Vec<Candidate>, Error> {
        let p = prepare(record);
        let found = self.candidates_of(&record.id, &p);
        self.insert_prepared(&record.id, p, group)?;
        Ok(found)
    }

    fn insert_prepared(&mut self, id: &str, p: Prepared, group: u32) -> Result<(), Error> {
        if self.slot_of(id).is_some() {
            return Err(Error::DuplicateId(id.to_owned()));
        }
        self.tf.add(&self.model.comparisons, &p, 1);
        let slot = self.at.len() as u32;
        for k in block::keys(&p) {
            self.postings.insert(postings::short(k), slot);
        }
        self.birth.push(block::birth_order(&p));
        let mut packed = Vec::with_capacity(128);
        stored::pack(id, &p, &mut self.vocabulary, &mut packed);
        self.at.push(Index::put(&mut self.packed, &packed));
        self.size += packed.len();
        self.group.push(group);
        self.next_in_group.push(NONE);
        if group != NONE {
            let head = self.groups.insert(group, slot).unwrap_or(NONE);
            self.next_in_group[slot as usize] = head;
        }
        match self.by_id.entry(id_hash(id)) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(slot);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(id.to_owned(), slot);
            }
        }
        self.live += 1;
        let birth = &self.birth;
        (self.postings).fold_due(|s| birth.get(s as usize).is_some_and(|&b| b != REMOVED));
        Ok(())
    }

    /// Scores with `model` from now on, keeping the records: a model learnt again from a
    /// grown registry replaces the old one without the registry being read and indexed
    /// again. Term frequencies are counted again when the model compares other fields.
    pub fn relearn(&mut self, model: Model) {
        if model.comparisons != self.model.comparisons {
            let mut tf = TermFrequencies::new(&model.comparisons);
            for slot in 0..self.at.len() as u32 {
                if let Some(packed) = self.record(slot) {
                    let (_, p) = stored::unpack(packed, &self.vocabulary);
                    tf.add(&model.comparisons, &p, 1);
                }
            }
            self.tf = tf;
        }
        self.model = model;
    }

    /// Packs the records again without the removed ones, once they take a quarter.
    fn compact(&mut self) {
        let mut packed = Vec::new();
        for slot in 0..self.at.len() {
            if let Some(r) = self.record(slot as u32) {
                let at = Index::put(&mut packed, r);
                self.at[slot] = at;
            }
        }
        self.packed = packed;
        self.size -= self.garbage;
        self.garbage = 0;
    }

    /// Remove a record; false when the id is unknown.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slot_of(id) else {
            return false;
        };
        let group = self.group[slot as usize];
        if group != NONE {
            // Unlink it from its group's list.
            let next = self.next_in_group[slot as usize];
            if self.groups.get(&group) == Some(&slot) {
                if next == NONE {
                    self.groups.remove(&group);
                } else {
                    self.groups.insert(group, next);
                }
            } else {
                let mut s = self.groups.get(&group).copied().unwrap_or(NONE);
                while s != NONE {
                    if self.next_in_group[s as usize] == slot {
                        self.next_in_group[s as usize] = next;
                        break;
                    }
                    s = self.next_in_group[s as usize];
                }
            }
        }
        self.take_out(slot);
        true
    }

    /// Removes every record of a group; returns how many there were.
    pub fn remove_group(&mut self, group: u32) -> usize {
        let mut slot = self.groups.remove(&group).unwrap_or(NONE);
        let mut n = 0;
        while slot != NONE {
            let next = self.next_in_group[slot as usize];
            self.take_out(slot);
            slot = next;
            n += 1;
        }
        n
    }

    /// Takes a slot's record out of everything but its group's list.
    fn take_out(&mut self, slot: u32) {
        let Some(packed) = self.record(slot) else {
            return;
        };
        let len = packed.len();
        let (id, p) = stored::unpack(packed, &self.vocabulary);
        self.garbage += len;
        self.at[slot as usize] = GONE;
        self.birth[slot as usize] = REMOVED;
        self.tf.add(&self.model.comparisons, &p, -1);
        // The keys are those it was inserted under: computed again rather than kept.
        for k in block::keys(&p) {
            self.postings.remove(postings::short(k), slot);
        }
        let h = id_hash(&id);
        if self.by_id.get(&h) == Some(&slot) {
            self.by_id.remove(&h);
        } else {
            self.collided.remove(&id);
        }
        self.next_in_group[slot as usize] = NONE;
        self.live -= 1;
        if self.garbage > self.size / 4 {
            self.compact();
        }
    }

    /// Registry records that may be the same person, most likely first.
    pub fn candidates(&self, record: &Record) -> Vec<Candidate> {
        self.candidates_of(&record.id, &prepare(record))
    }

    fn candidates_of(&self, id: &str, p: &Prepared) -> Vec<Candidate> {
        let own = self.slot_of(id);
        let mut slots: Vec<u32> = Vec::new();
        let order = block::birth_order(p);
        for k in block::keys(p) {
            let k = postings::short(k);
            let held = self.postings.get(k);
            let kind = postings::kind_of(k);
            // The bucket would hold the new record too: same cap as in the batch.
            if held.len() < kind.cap() {
                slots.extend(held.slots());
            } else if block::windowed(kind) && order != i32::MAX {
                // As the batch's window: the members born nearest to the new record.
                let mut near: Vec<(i64, u32)> = (held.slots())
                    .filter(|&s| self.birth[s as usize] != REMOVED)
                    .map(|s| {
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
        let (model, tf, words) = (&self.model, &self.tf, &self.words);
        // As the batch: the names of a held record are unpacked and compared only if its
        // other fields leave it a chance of reaching the least probability returned.
        let pruning = Pruning::for_one(model, tf, p, priors, self.min_probability);
        let mut out: Vec<Candidate> = slots
            .into_iter()
            .filter(|&s| Some(s) != own)
            .filter_map(|s| {
                let packed = self.record(s)?;
                let mut q = Prepared::default();
                let names = stored::unpack_facts(packed, &mut q);
                let partial = compare_cheap(model, &pruning, (0, p), &q, tf, words)?;
                stored::unpack_names(packed, names, &self.vocabulary, &mut q);
                let c = compare_costly(partial, model, &pruning, (0, p), &q, tf, words);
                if c.pattern == PRUNED {
                    return None;
                }
                let probability = crate::explain::probability(model.weight_compared(c, priors));
                let group = self.group[s as usize];
                (probability >= self.min_probability).then(|| Candidate {
                    id: stored::id(packed),
                    group: (group != NONE).then_some(group),
                    probability,
                    explanation: model.explain(p, &q, tf, words, priors),
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
