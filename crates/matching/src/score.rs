//! The fitted model and the scoring of one pair.
//!
//! Three kinds of pair: the same person (m), relatives (f) and unrelated people (u). The
//! match probability is P(same | γ); its log-odds are explained field by field against the
//! likelier of the two alternatives, plus a correction for the other one.

use crate::compare::Comparison;
use crate::em::{self, Table};
use crate::explain::{Contribution, Explanation, probability};
use crate::features::Prepared;
use crate::tf::TermFrequencies;
use crate::words::WordTable;

/// Parameters learnt from one data set; reusable for an [`crate::Index`].
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub comparisons: Vec<Comparison>,
    /// P(level | same person), per comparison and level.
    pub m: Table,
    /// P(level | relatives); equal to u on the fields that identify a person.
    pub f: Table,
    /// P(level | unrelated), from random pairs.
    pub u: Table,
    /// Expected number of true duplicate pairs per record, which sets the prior for any
    /// registry size.
    pub match_rate: f64,
    /// Expected number of relatives' pairs per record.
    pub related_rate: f64,
}

/// Log2-likelihoods of a pair under the three classes, before the priors.
#[derive(Clone, Copy, Debug, Default)]
pub struct Likelihoods {
    pub same: f64,
    pub related: f64,
    pub unrelated: f64,
}

/// Log2 priors of the three classes for a set of `n` records.
#[derive(Clone, Copy, Debug)]
pub struct Priors {
    pub same: f64,
    pub related: f64,
    pub unrelated: f64,
}

impl Model {
    pub(crate) fn priors(&self, n: usize) -> Priors {
        let pairs_per_record = (n.max(2) - 1) as f64 / 2.0;
        let pm = (self.match_rate / pairs_per_record).clamp(1e-12, 0.45);
        let pf = (self.related_rate / pairs_per_record).clamp(1e-12, 0.45);
        Priors {
            same: pm.log2(),
            related: pf.log2(),
            unrelated: (1.0 - pm - pf).log2(),
        }
    }

    fn level_logs(&self, c: usize, l: u8) -> (f64, f64, f64) {
        if l == 0 {
            return (0.0, 0.0, 0.0);
        }
        let l = l as usize;
        (
            self.m[c][l].log2(),
            self.f[c][l].log2(),
            self.u[c][l].log2(),
        )
    }

    /// Log2-likelihoods of an agreement pattern without term-frequency corrections.
    pub(crate) fn pattern_logs(&self, pattern: u64) -> Likelihoods {
        let mut out = Likelihoods::default();
        for c in 0..self.comparisons.len() {
            let (m, f, u) = self.level_logs(c, em::level(pattern, c));
            out.same += m;
            out.related += f;
            out.unrelated += u;
        }
        out
    }

    /// Match log-odds from a pattern's likelihoods and the term-frequency corrections
    /// (bits by which a shared value is rarer than average, on identity fields and on the
    /// others).
    pub(crate) fn weight_of(
        &self,
        logs: Likelihoods,
        tf_identity: f64,
        tf_other: f64,
        priors: Priors,
    ) -> f64 {
        let same = priors.same + logs.same;
        let related = priors.related + logs.related - tf_identity;
        let unrelated = priors.unrelated + logs.unrelated - tf_identity - tf_other;
        let top = related.max(unrelated);
        same - top - ((related - top).exp2() + (unrelated - top).exp2()).log2()
    }

    pub(crate) fn compare(
        &self,
        a: &Prepared,
        b: &Prepared,
        tf: &TermFrequencies,
        words: &WordTable,
    ) -> Compared {
        compare_with(&self.comparisons, &self.u, a, b, tf, words)
    }

    pub(crate) fn weight(
        &self,
        a: &Prepared,
        b: &Prepared,
        tf: &TermFrequencies,
        words: &WordTable,
        priors: Priors,
    ) -> f64 {
        let c = self.compare(a, b, tf, words);
        self.weight_of(
            self.pattern_logs(c.pattern),
            f64::from(c.tf_identity),
            f64::from(c.tf_other),
            priors,
        )
    }

    pub(crate) fn explain(
        &self,
        a: &Prepared,
        b: &Prepared,
        tf: &TermFrequencies,
        words: &WordTable,
        priors: Priors,
    ) -> Explanation {
        let compared = self.compare(a, b, tf, words);
        let logs = self.pattern_logs(compared.pattern);
        let (ti, to) = (
            f64::from(compared.tf_identity),
            f64::from(compared.tf_other),
        );
        let weight = self.weight_of(logs, ti, to, priors);
        let related = priors.related + logs.related - ti;
        let unrelated = priors.unrelated + logs.unrelated - ti - to;
        let against_related = related > unrelated;
        let mut contributions = Vec::with_capacity(self.comparisons.len());
        let mut explained = priors.same
            - if against_related {
                priors.related
            } else {
                priors.unrelated
            };
        let prior_weight = explained;
        for (i, c) in self.comparisons.iter().enumerate() {
            let (l, value) = c.compare(a, b, words);
            let (m, f, u) = self.level_logs(i, l);
            let adj = tf_adjustment(c, i, l, value, &self.u, tf);
            let alt = if against_related {
                f - if c.identifies_person() {
                    adj.unwrap_or(0.0)
                } else {
                    0.0
                }
            } else {
                u - adj.unwrap_or(0.0)
            };
            let w = m - alt;
            explained += w;
            contributions.push(Contribution {
                field: c.name(),
                level: c.levels()[l as usize],
                weight: w,
                term_frequency: adj.is_some() && (c.identifies_person() || !against_related),
            });
        }
        Explanation {
            prior_weight,
            against: if against_related {
                "relative"
            } else {
                "unrelated"
            },
            contributions,
            other_alternative: weight - explained,
            weight,
            probability: probability(weight),
        }
    }
}

fn tf_adjustment(
    c: &Comparison,
    i: usize,
    l: u8,
    value: Option<u64>,
    u: &Table,
    tf: &TermFrequencies,
) -> Option<f64> {
    if !c.term_frequency_level(l) {
        return None;
    }
    let f = tf.frequency(i, value?)?;
    Some((u[i][l as usize] / f).log2())
}

/// A pair's agreement pattern and its term-frequency corrections in bits, which depend
/// on u and the values' frequencies only (not on m), so they are known before EM.
#[derive(Clone, Copy, Debug)]
pub struct Compared {
    pub pattern: u64,
    pub tf_identity: f32,
    pub tf_other: f32,
}

pub fn compare_with(
    comparisons: &[Comparison],
    u: &Table,
    a: &Prepared,
    b: &Prepared,
    tf: &TermFrequencies,
    words: &WordTable,
) -> Compared {
    let mut pattern = 0u64;
    let (mut ti, mut to) = (0.0f64, 0.0f64);
    for (i, c) in comparisons.iter().enumerate() {
        let (l, value) = c.compare(a, b, words);
        pattern |= u64::from(l) << (em::BITS * i as u32);
        if let Some(adj) = tf_adjustment(c, i, l, value, u, tf) {
            if c.identifies_person() {
                ti += adj;
            } else {
                to += adj;
            }
        }
    }
    Compared {
        pattern,
        tf_identity: ti as f32,
        tf_other: to as f32,
    }
}
