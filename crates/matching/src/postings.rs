//! The records holding each blocking key, for the index. Each of sixteen shards keeps
//! what it holds in compact frozen tables sorted by key (keys held by one record, keys
//! held by several, keys too full to search), and the records added since in a small
//! map that is folded into the tables once it has grown by a thirty-second.
//!
//! Keys are held by 32 bits (the kind in the top three, [`short`]): two keys meeting in
//! the other 29 only add a candidate, which the model then scores as any other. A removed
//! record's entries stay in the frozen tables until the next fold; the caller skips them
//! (slots are not reused, see [`crate::Index`]).

use std::collections::HashMap;

use crate::block;
use crate::features::HashedKeys;

/// The short form of a blocking key.
pub(crate) fn short(key: u64) -> u32 {
    let kind = (block::kind_of(key) as u32 - 1) & 0b111;
    kind << 29 | (key as u32 & 0x1fff_ffff)
}

/// The kind of a short key.
pub(crate) fn kind_of(short: u32) -> block::Kind {
    block::kind_of(u64::from((short >> 29) + 1) << 56)
}

/// Fewest entries in a shard's fresh map before it is folded in.
const FOLD_FROM: usize = 1 << 12;

/// The records of one key added since the last fold. Most keys (documents with a typo,
/// rare name pairs) are held by one record, which then needs no allocation of its own.
enum Fresh {
    One(u32),
    Many(Vec<u32>),
}

impl Fresh {
    fn as_slice(&self) -> &[u32] {
        match self {
            Fresh::One(s) => std::slice::from_ref(s),
            Fresh::Many(v) => v,
        }
    }
}

/// The records holding one key.
pub(crate) struct Held<'a> {
    /// Those folded in, then those added since; each ascending, and possibly with slots
    /// removed since the last fold.
    pub frozen: &'a [u32],
    pub fresh: &'a [u32],
    /// The key reached its kind's cap and is not searched past it: its records are not
    /// kept (see [`Shard::fold`]).
    pub full: bool,
}

impl Held<'_> {
    pub(crate) fn len(&self) -> usize {
        if self.full {
            usize::MAX
        } else {
            self.frozen.len() + self.fresh.len()
        }
    }

    pub(crate) fn slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.frozen.iter().chain(self.fresh).copied()
    }
}

/// The keys, split by their low bits into shards that are folded one at a time: a
/// fold copies its shard's tables, and a sixteenth of a million persons' keys is a
/// small copy beside all of them.
pub(crate) struct Postings {
    shards: Vec<Shard>,
}

const SHARDS: usize = 16;

impl Default for Postings {
    fn default() -> Postings {
        Postings {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }
}

impl Postings {
    fn shard(&self, key: u32) -> &Shard {
        &self.shards[key as usize % SHARDS]
    }

    fn shard_mut(&mut self, key: u32) -> &mut Shard {
        &mut self.shards[key as usize % SHARDS]
    }

    pub(crate) fn get(&self, key: u32) -> Held<'_> {
        self.shard(key).get(key)
    }

    pub(crate) fn insert(&mut self, key: u32, slot: u32) {
        self.shard_mut(key).insert(key, slot);
    }

    /// Takes a slot out of the fresh map; a frozen entry stays until the next fold.
    pub(crate) fn remove(&mut self, key: u32, slot: u32) {
        self.shard_mut(key).remove(key, slot);
    }

    /// Folds every shard whose fresh map has grown enough (see [`Shard::fold`]).
    pub(crate) fn fold_due(&mut self, live: impl Fn(u32) -> bool) {
        for shard in self.shards.iter_mut().filter(|s| s.due()) {
            shard.fold(&live);
        }
    }

    #[cfg(test)]
    fn fold(&mut self, live: impl Fn(u32) -> bool) {
        for shard in &mut self.shards {
            shard.fold(&live);
        }
    }
}

#[derive(Default)]
struct Shard {
    /// Keys held by one record, with it, ascending by key: most keys of a registry.
    single: Vec<(u32, u32)>,
    /// Keys held by several records, ascending; key `i`'s slots are
    /// `slots[ends[i-1]..ends[i]]`.
    keys: Vec<u32>,
    ends: Vec<u32>,
    slots: Vec<u32>,
    /// Full keys, ascending.
    full: Vec<u32>,
    /// Where the keys of each value of their top bits start in `single` and in `keys`,
    /// so that a look-up searches a few thousand entries, not millions.
    single_from: Directory,
    keys_from: Directory,
    fresh: HashMap<u32, Fresh, HashedKeys>,
    fresh_entries: usize,
    /// A slot was taken out since the last fold: its frozen entries are still here, so
    /// the next fold asks after each slot (otherwise it need not ask after millions).
    removed: bool,
}

impl Shard {
    fn get(&self, key: u32) -> Held<'_> {
        let fresh = self.fresh.get(&key).map_or(&[][..], Fresh::as_slice);
        let mut held = Held {
            frozen: &[],
            fresh,
            full: false,
        };
        let (from, to) = self.single_from.range(key);
        let single = self.single.get(from..to).unwrap_or_default();
        let (first, last) = self.keys_from.range(key);
        let keys = self.keys.get(first..last).unwrap_or_default();
        if let Ok(i) = single.binary_search_by_key(&key, |e| e.0) {
            held.frozen = std::slice::from_ref(&single[i].1);
        } else if let Ok(i) = keys.binary_search(&key) {
            held.frozen = self.multi(first + i);
        } else {
            held.full = self.full.binary_search(&key).is_ok();
        }
        held
    }

    fn multi(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.slots[start..self.ends[i] as usize]
    }

    fn insert(&mut self, key: u32, slot: u32) {
        self.fresh_entries += 1;
        match self.fresh.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Fresh::One(slot));
            }
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let f = e.get_mut();
                match f {
                    Fresh::One(s) => *f = Fresh::Many(vec![*s, slot]),
                    Fresh::Many(v) => v.push(slot),
                }
            }
        }
    }

    fn remove(&mut self, key: u32, slot: u32) {
        self.removed = true;
        let gone = match self.fresh.get_mut(&key) {
            Some(Fresh::One(s)) => *s == slot,
            Some(Fresh::Many(v)) => {
                let before = v.len();
                v.retain(|&s| s != slot);
                self.fresh_entries -= before - v.len();
                if let [last] = v[..] {
                    self.fresh.insert(key, Fresh::One(last));
                }
                false
            }
            None => false,
        };
        if gone {
            self.fresh.remove(&key);
            self.fresh_entries -= 1;
        }
    }

    /// Whether the fresh map has grown enough to be folded in: an entry there takes
    /// several times the memory of a folded one.
    fn due(&self) -> bool {
        self.fresh_entries >= FOLD_FROM.max((self.single.len() + self.slots.len()) / 32)
    }

    /// Folds the fresh map into the frozen tables, dropping the slots no longer `live`.
    ///
    /// A key of a kind that is not searched past its cap ([`block::windowed`]) and holds
    /// that many records is kept as full, without them: everyone called Mohammad born in
    /// 1990 says nothing a look-up would use. It stays full (a few of its records taken
    /// out again do not bring the others back).
    fn fold(&mut self, live: impl Fn(u32) -> bool) {
        let mut fresh: Vec<(u32, Fresh)> = std::mem::take(&mut self.fresh).into_iter().collect();
        fresh.sort_unstable_by_key(|(k, _)| *k);
        self.fresh_entries = 0;
        let mut out = Shard::default();
        out.single.reserve(self.single.len() + fresh.len());
        out.keys.reserve(self.keys.len());
        out.ends.reserve(self.keys.len());
        out.slots.reserve(self.slots.len());
        let (mut s, mut m, mut f) = (0, 0, 0);
        let mut fresh = fresh.into_iter().peekable();
        let mut held: Vec<u32> = Vec::new();
        loop {
            let heads = [
                self.single.get(s).map(|e| e.0),
                self.keys.get(m).copied(),
                self.full.get(f).copied(),
                fresh.peek().map(|(k, _)| *k),
            ];
            let Some(key) = heads.iter().flatten().min().copied() else {
                break;
            };
            held.clear();
            let mut full = false;
            if heads[0] == Some(key) {
                held.push(self.single[s].1);
                s += 1;
            }
            if heads[1] == Some(key) {
                held.extend_from_slice(self.multi(m));
                m += 1;
            }
            if heads[2] == Some(key) {
                full = true;
                f += 1;
            }
            if heads[3] == Some(key)
                && let Some((_, x)) = fresh.next()
            {
                held.extend_from_slice(x.as_slice());
            }
            if self.removed {
                held.retain(|&slot| live(slot));
            }
            let kind = kind_of(key);
            if full || (!block::windowed(kind) && held.len() >= kind.cap()) {
                out.full.push(key);
            } else if let [one] = held[..] {
                out.single.push((key, one));
            } else if !held.is_empty() {
                out.slots.extend_from_slice(&held);
                out.keys.push(key);
                out.ends.push(out.slots.len() as u32);
            }
        }
        out.single.shrink_to_fit();
        out.single_from = Directory::of(out.single.iter().map(|e| e.0));
        out.keys_from = Directory::of(out.keys.iter().copied());
        *self = out;
    }
}

/// Top bits of a key that the directory tells apart.
const DIRECTORY_BITS: u32 = 12;

/// For each value of a key's top bits, where the keys with it start in a sorted list.
#[derive(Default)]
struct Directory(Vec<u32>);

impl Directory {
    fn of(sorted: impl Iterator<Item = u32>) -> Directory {
        let mut starts = vec![0u32; (1 << DIRECTORY_BITS) + 1];
        for k in sorted {
            starts[(k >> (32 - DIRECTORY_BITS)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Directory(starts)
    }

    /// The range of the sorted list that may hold `key`.
    fn range(&self, key: u32) -> (usize, usize) {
        let top = (key >> (32 - DIRECTORY_BITS)) as usize;
        match (self.0.get(top), self.0.get(top + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &Postings, key: u32) -> Vec<u32> {
        p.get(key).slots().collect()
    }

    #[test]
    fn a_fold_keeps_every_live_slot_of_every_key_in_order() {
        let mut p = Postings::default();
        for slot in 0..10u32 {
            p.insert(slot % 3, slot);
            p.insert(100 + slot, slot);
        }
        p.fold(|_| true);
        assert!(p.shards.iter().all(|s| s.fresh.is_empty()));
        assert_eq!(all(&p, 1), vec![1, 4, 7]);
        for slot in 10..13 {
            p.insert(1, slot);
        }
        p.insert(50, 12);
        assert_eq!(all(&p, 1), vec![1, 4, 7, 10, 11, 12]);
        p.remove(1, 11);
        p.remove(50, 12);
        assert_eq!(all(&p, 1), vec![1, 4, 7, 10, 12]);
        assert_eq!(all(&p, 50), Vec::<u32>::new());
        // Slot 4 removed since the last fold: skipped by the caller, dropped by the fold.
        p.remove(1, 4);
        p.remove(104, 4);
        p.fold(|s| s != 4);
        assert_eq!(all(&p, 1), vec![1, 7, 10, 12]);
        assert_eq!(all(&p, 104), Vec::<u32>::new());
        assert_eq!(all(&p, 109), vec![9]);
        let keys: usize = p.shards.iter().map(|s| s.keys.len() + s.single.len()).sum();
        assert_eq!(keys, 3 + 9);
    }

    #[test]
    fn a_key_past_its_cap_is_held_as_full_unless_searched_by_window() {
        let mut p = Postings::default();
        let word = short(block::make(block::Kind::Word, &[b"mohammad"]));
        let pair = short(block::make(block::Kind::WordPair, &[b"mohammad", b"ahmad"]));
        let cap = block::Kind::Word.cap() as u32;
        for slot in 0..cap {
            p.insert(word, slot);
            p.insert(pair, slot);
        }
        assert_eq!(p.get(word).len(), cap as usize);
        p.fold(|_| true);
        assert!(p.get(word).full);
        assert_eq!(p.get(word).slots().count(), 0);
        assert_eq!(p.get(pair).slots().count(), cap as usize);
        // It stays full, whatever comes or goes.
        p.insert(word, cap);
        for slot in 0..4 {
            p.remove(word, slot);
            p.remove(pair, slot);
        }
        p.fold(|s| s > 3);
        assert!(p.get(word).full);
        assert_eq!(p.get(word).len(), usize::MAX);
        assert_eq!(p.get(pair).slots().count(), cap as usize - 4);
    }

    #[test]
    fn a_short_key_keeps_its_kind() {
        for kind in [
            block::Kind::Identifier,
            block::Kind::Word,
            block::Kind::Address,
        ] {
            let key = block::make(kind, &[b"x"]);
            assert_eq!(kind_of(short(key)), kind);
        }
    }
}
