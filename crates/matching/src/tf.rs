//! Term frequencies: how common each value is, so that a shared rare name counts for more
//! than a shared Mohammad.

use std::collections::HashMap;

use crate::compare::Comparison;
use crate::features::{HashedKeys, Prepared, fold32};

/// Counts are kept by 32 bits of each value's hash: half the memory of a million
/// distinct phone numbers, and two values meeting in 32 bits only shift a frequency by
/// one record.
#[derive(Clone, Debug, Default)]
pub struct TermFrequencies {
    counts: Vec<HashMap<u32, u32, HashedKeys>>,
    totals: Vec<u32>,
}

impl TermFrequencies {
    pub fn new(comparisons: &[Comparison]) -> TermFrequencies {
        TermFrequencies {
            counts: vec![HashMap::default(); comparisons.len()],
            totals: vec![0; comparisons.len()],
        }
    }

    pub fn build(comparisons: &[Comparison], records: &[Prepared]) -> TermFrequencies {
        let mut tf = TermFrequencies::new(comparisons);
        for r in records {
            tf.add(comparisons, r, 1);
        }
        tf
    }

    /// Count a record in (`delta` 1) or out (`delta` -1).
    pub fn add(&mut self, comparisons: &[Comparison], r: &Prepared, delta: i32) {
        for (i, c) in comparisons.iter().enumerate() {
            if !c.uses_term_frequency() {
                continue;
            }
            let values = c.tf_values(r);
            if values.is_empty() {
                continue;
            }
            self.totals[i] = self.totals[i].saturating_add_signed(delta);
            for v in values.into_iter().map(fold32) {
                let e = self.counts[i].entry(v).or_insert(0);
                *e = e.saturating_add_signed(delta);
                if *e == 0 {
                    self.counts[i].remove(&v);
                }
            }
        }
    }

    /// Share of records holding the value: the chance that a random other record has it.
    pub fn frequency(&self, comparison: usize, value: u64) -> Option<f64> {
        let total = *self.totals.get(comparison)?;
        if total == 0 {
            return None;
        }
        let n = self.counts[comparison]
            .get(&fold32(value))
            .copied()
            .unwrap_or(1)
            .max(1);
        Some(f64::from(n) / f64::from(total))
    }
}
