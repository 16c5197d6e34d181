//! The fitted model and the scoring of one pair.
//!
//! Three kinds of pair: the same person (m), relatives (f) and unrelated people (u). The
//! match probability is P(same | γ); its log-odds are explained field by field against the
//! likelier of the two alternatives, plus a correction for the other one.

use rayon::prelude::*;

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

    /// `level_logs` of every comparison and level, to sum patterns' likelihoods from.
    pub(crate) fn log_table(&self) -> Vec<Vec<(f64, f64, f64)>> {
        (0..self.comparisons.len())
            .map(|c| {
                (0..self.comparisons[c].levels().len())
                    .map(|l| self.level_logs(c, l as u8))
                    .collect()
            })
            .collect()
    }

    /// As [`Model::pattern_logs`], from a [`Model::log_table`].
    pub(crate) fn pattern_logs_from(table: &[Vec<(f64, f64, f64)>], pattern: u64) -> Likelihoods {
        let mut out = Likelihoods::default();
        for (c, levels) in table.iter().enumerate() {
            let (m, f, u) = levels[em::level(pattern, c) as usize];
            out.same += m;
            out.related += f;
            out.unrelated += u;
        }
        out
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
        self.weight_compared(self.compare(a, b, tf, words), priors)
    }

    /// The match weight of a pair compared already.
    pub(crate) fn weight_compared(&self, c: Compared, priors: Priors) -> f64 {
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

/// Pattern of a pair whose comparison was cut short by [`Pruning`]: its probability is
/// below the least kept, so it is neither kept nor counted.
pub const PRUNED: u64 = u64::MAX;

/// What it takes to tell, before comparing a pair's names (the costly comparisons), that
/// the pair cannot reach the least probability worth keeping. The match weight is at most
/// the log-odds of "same person" against either alternative ("unrelated", "relatives")
/// alone, each a sum over fields; a field not yet compared adds at most its best level's
/// weight with the largest term-frequency bonus the first record's values allow.
pub struct Pruning {
    /// Comparisons left for last, cheapest first (at most two).
    costly: Vec<usize>,
    /// The most each costly comparison can add to a pair with each record as its first,
    /// in bits: the best level, with the term-frequency bonus of the record's own rarest
    /// value (the value a pair agrees on is the first record's).
    best: Vec<[f64; 2]>,
    /// log2(m / u) per comparison and level.
    ratio: Vec<Vec<f64>>,
    /// As `best` and `ratio`, against relatives (log2(m / f); term frequencies count only
    /// on the fields that identify a person).
    best_related: Vec<[f64; 2]>,
    ratio_related: Vec<Vec<f64>>,
    /// log2 of the prior odds of "same" against "unrelated", and against "related".
    prior: f64,
    prior_related: f64,
    /// Weight below which a pair is not kept, less a margin for rounding.
    cut: f64,
}

impl Pruning {
    pub fn new(
        model: &Model,
        tf: &TermFrequencies,
        records: &[Prepared],
        keep_probability: f64,
    ) -> Pruning {
        let mut pruning = Pruning::for_model(model, model.priors(records.len()), keep_probability);
        let bests: Vec<([f64; 2], [f64; 2])> = records
            .par_iter()
            .map(|p| pruning.bests(model, tf, p))
            .collect();
        (pruning.best, pruning.best_related) = bests.into_iter().unzip();
        pruning
    }

    /// For one record looked up in a registry of another size (an index's look-up):
    /// its pairs are compared with it as their first record, index 0.
    pub(crate) fn for_one(
        model: &Model,
        tf: &TermFrequencies,
        record: &Prepared,
        priors: Priors,
        keep_probability: f64,
    ) -> Pruning {
        let mut pruning = Pruning::for_model(model, priors, keep_probability);
        let (best, best_related) = pruning.bests(model, tf, record);
        pruning.best = vec![best];
        pruning.best_related = vec![best_related];
        pruning
    }

    /// Everything but the records' bests.
    fn for_model(model: &Model, priors: Priors, keep_probability: f64) -> Pruning {
        let costly: Vec<usize> = [Comparison::FatherName, Comparison::Name]
            .iter()
            .filter_map(|c| model.comparisons.iter().position(|x| x == c))
            .collect();
        let ratio: Vec<Vec<f64>> = model
            .m
            .iter()
            .zip(&model.u)
            .map(|(m, u)| m.iter().zip(u).map(|(m, u)| m.log2() - u.log2()).collect())
            .collect();
        let ratio_related: Vec<Vec<f64>> = model
            .m
            .iter()
            .zip(&model.f)
            .map(|(m, f)| m.iter().zip(f).map(|(m, f)| m.log2() - f.log2()).collect())
            .collect();
        let keep = keep_probability.clamp(0.0, 1.0);
        Pruning {
            costly,
            best: Vec::new(),
            ratio,
            best_related: Vec::new(),
            ratio_related,
            prior: priors.same - priors.unrelated,
            prior_related: priors.same - priors.related,
            cut: if keep > 0.0 {
                (keep / (1.0 - keep)).log2() - 0.01
            } else {
                f64::NEG_INFINITY
            },
        }
    }

    /// The most each costly comparison can add to a pair with `p` as its first record.
    fn bests(&self, model: &Model, tf: &TermFrequencies, p: &Prepared) -> ([f64; 2], [f64; 2]) {
        let mut best = [0.0; 2];
        let mut best_related = [0.0; 2];
        for (k, &i) in self.costly.iter().enumerate() {
            let c = model.comparisons[i];
            let values = c.tf_values(p);
            for (l, r) in self.ratio[i].iter().enumerate().skip(1) {
                let bonus = if c.term_frequency_level(l as u8) {
                    values
                        .iter()
                        .filter_map(|&v| tf.frequency(i, v))
                        .map(|f| (model.u[i][l] / f).log2())
                        .fold(f64::NEG_INFINITY, f64::max)
                } else {
                    f64::NEG_INFINITY
                };
                // No tf value (none counted): no bonus.
                let bonus = if bonus == f64::NEG_INFINITY {
                    0.0
                } else {
                    bonus
                };
                best[k] = f64::max(best[k], r + bonus);
                let bonus = if c.identifies_person() { bonus } else { 0.0 };
                best_related[k] = f64::max(best_related[k], self.ratio_related[i][l] + bonus);
            }
        }
        (best, best_related)
    }
}

/// A pair's comparison so far: pattern, term-frequency bits and the bound's known part.
pub(crate) struct Partial {
    pattern: u64,
    tf_identity: f64,
    tf_other: f64,
    known: f64,
    known_related: f64,
}

impl Partial {
    fn add(
        &mut self,
        model: &Model,
        pruning: &Pruning,
        i: usize,
        (a, b): (&Prepared, &Prepared),
        tf: &TermFrequencies,
        words: &WordTable,
    ) {
        let c = model.comparisons[i];
        let (l, value) = c.compare(a, b, words);
        self.pattern |= u64::from(l) << (em::BITS * i as u32);
        let adj = tf_adjustment(&c, i, l, value, &model.u, tf);
        if let Some(adj) = adj {
            if c.identifies_person() {
                self.tf_identity += adj;
            } else {
                self.tf_other += adj;
            }
        }
        if l > 0 {
            let adj = adj.unwrap_or(0.0);
            self.known += pruning.ratio[i][l as usize] + adj;
            let adj = if c.identifies_person() { adj } else { 0.0 };
            self.known_related += pruning.ratio_related[i][l as usize] + adj;
        }
    }
}

/// As [`compare_with`], but the costly comparisons last and only while the pair can still
/// reach the cut; a pair that cannot gets the pattern [`PRUNED`].
pub fn compare_pruned(
    model: &Model,
    pruning: &Pruning,
    (ia, a): (u32, &Prepared),
    b: &Prepared,
    tf: &TermFrequencies,
    words: &WordTable,
) -> Compared {
    match compare_cheap(model, pruning, (ia, a), b, tf, words) {
        Some(partial) => compare_costly(partial, model, pruning, (ia, a), b, tf, words),
        None => PRUNED_PAIR,
    }
}

/// A pair cut short by [`Pruning`].
const PRUNED_PAIR: Compared = Compared {
    pattern: PRUNED,
    tf_identity: 0.0,
    tf_other: 0.0,
};

impl Partial {
    /// Whether the pair can still reach the cut, with at most `rest` bits still to come
    /// against unrelated people and `rest_related` against relatives: the weight is at
    /// most the log-odds against either alternative alone.
    fn can_reach(&self, pruning: &Pruning, rest: f64, rest_related: f64) -> bool {
        (self.known + rest).min(self.known_related + rest_related) >= pruning.cut
    }
}

/// The first part of [`compare_pruned`]: every comparison but the costly ones, which
/// read nothing of `b` but its names (they may still be missing); None when the pair
/// cannot reach the cut whatever its names.
pub(crate) fn compare_cheap(
    model: &Model,
    pruning: &Pruning,
    (ia, a): (u32, &Prepared),
    b: &Prepared,
    tf: &TermFrequencies,
    words: &WordTable,
) -> Option<Partial> {
    let mut p = Partial {
        pattern: 0,
        tf_identity: 0.0,
        tf_other: 0.0,
        known: pruning.prior,
        known_related: pruning.prior_related,
    };
    for i in 0..model.comparisons.len() {
        if !pruning.costly.contains(&i) {
            p.add(model, pruning, i, (a, b), tf, words);
        }
    }
    let rest: f64 = pruning.best[ia as usize].iter().sum();
    let rest_related: f64 = pruning.best_related[ia as usize].iter().sum();
    p.can_reach(pruning, rest, rest_related).then_some(p)
}

/// The rest of [`compare_pruned`], after [`compare_cheap`] let the pair through: the
/// costly comparisons, each after the first only while the pair can still reach the cut.
pub(crate) fn compare_costly(
    mut p: Partial,
    model: &Model,
    pruning: &Pruning,
    (ia, a): (u32, &Prepared),
    b: &Prepared,
    tf: &TermFrequencies,
    words: &WordTable,
) -> Compared {
    let best = &pruning.best[ia as usize];
    let best_related = &pruning.best_related[ia as usize];
    let mut rest: f64 = best.iter().sum();
    let mut rest_related: f64 = best_related.iter().sum();
    for (k, &i) in pruning.costly.iter().enumerate() {
        if k > 0 && !p.can_reach(pruning, rest, rest_related) {
            return PRUNED_PAIR;
        }
        p.add(model, pruning, i, (a, b), tf, words);
        rest -= best[k];
        rest_related -= best_related[k];
    }
    Compared {
        pattern: p.pattern,
        tf_identity: p.tf_identity as f32,
        tf_other: p.tf_other as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Config, train};
    use crate::explain::probability;
    use crate::record::{Field, Record};

    /// A small registry of namesakes and relatives, written differently.
    fn registry() -> Vec<Record> {
        let given = [
            "Mohammad", "Muhammad", "Ahmad", "Fatima", "Nabi", "Zainab", "Rahim",
        ];
        let family = ["Ahmadzai", "Karimi", "Rahimi", "Ahmadzay", "Noori"];
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % n
        };
        let mut out: Vec<Record> = Vec::new();
        for i in 0..600 {
            let r = match out.last() {
                // A third are the previous person again, the given name spelt another way.
                Some(prev) if next(3) == 0 => {
                    let mut again = prev.clone();
                    again.id = i.to_string();
                    let g = prev
                        .get(Field::GivenName)
                        .unwrap_or_default()
                        .replace('o', "u");
                    again.with(Field::GivenName, &g)
                }
                _ => Record::new(i.to_string())
                    .with(Field::GivenName, given[next(given.len())])
                    .with(Field::FamilyName, family[next(family.len())])
                    .with(Field::FatherName, given[next(given.len())])
                    .with(
                        Field::DateOfBirth,
                        &format!("{}-0{}-1{}", 1960 + next(40), 1 + next(9), next(10)),
                    )
                    .with(Field::Sex, ["M", "F"][next(2)])
                    .with(Field::Phone, &format!("07001{:05}", next(300))),
            };
            out.push(r);
        }
        out
    }

    #[test]
    fn pruning_drops_only_pairs_below_the_kept_probability() {
        let records = registry();
        let config = Config::default();
        let t = train(&records, &config, false, &|_| {});
        let priors = t.model.priors(records.len());
        let pruning = Pruning::new(&t.model, &t.tf, &t.prepared, config.keep_probability);
        let (mut pruned, mut kept) = (0, 0);
        for &(ia, ib) in &t.candidates {
            let (a, b) = (&t.prepared[ia as usize], &t.prepared[ib as usize]);
            let full = t.model.compare(a, b, &t.tf, &t.words);
            let lazy = compare_pruned(&t.model, &pruning, (ia, a), b, &t.tf, &t.words);
            let p = probability(t.model.weight(a, b, &t.tf, &t.words, priors));
            if lazy.pattern == PRUNED {
                pruned += 1;
                assert!(
                    p < config.keep_probability,
                    "pruned a pair of probability {p}"
                );
            } else {
                kept += 1;
                assert_eq!(lazy.pattern, full.pattern);
                assert!((lazy.tf_identity - full.tf_identity).abs() < 1e-4);
                assert!((lazy.tf_other - full.tf_other).abs() < 1e-4);
            }
        }
        assert!(pruned > 0 && kept > 0, "pruned {pruned}, kept {kept}");
    }
}
