//! Estimation of the Fellegi–Sunter parameters from the data itself.
//!
//! u (how often non-matches agree) comes from random record pairs, which are almost all
//! non-matches. m (how often matches agree) and the share of matches among the candidate
//! pairs come from expectation–maximisation over the candidates' agreement patterns, with
//! weak Dirichlet priors so that a level never seen still gets a finite weight.

use crate::compare::Comparison;

pub const BITS: u32 = 3;

/// Agreement levels of all comparisons of one pair, three bits each.
#[cfg(test)]
pub fn pack(levels: &[u8]) -> u64 {
    levels.iter().enumerate().fold(0u64, |acc, (i, &l)| {
        acc | (u64::from(l) << (BITS * i as u32))
    })
}

pub fn level(pattern: u64, i: usize) -> u8 {
    ((pattern >> (BITS * i as u32)) & ((1 << BITS) - 1)) as u8
}

/// Probabilities per comparison and level; index 0 (missing) is unused.
pub type Table = Vec<Vec<f64>>;

/// The m prior's shape: matches mostly agree, so higher levels get more prior mass.
fn m_prior(levels: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..levels)
        .map(|l| if l == 0 { 0.0 } else { 4f64.powi(l as i32 - 1) })
        .collect();
    let s: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= s);
    v
}

/// u from level counts of random pairs, with one pseudo-count per level.
pub fn u_from_counts(comparisons: &[Comparison], counts: &[Vec<u64>]) -> Table {
    comparisons
        .iter()
        .zip(counts)
        .map(|(c, n)| {
            let k = c.levels().len();
            let total: f64 = n[1..].iter().sum::<u64>() as f64 + (k - 1) as f64;
            (0..k)
                .map(|l| {
                    if l == 0 {
                        0.0
                    } else {
                        (n[l] as f64 + 1.0) / total
                    }
                })
                .collect()
        })
        .collect()
}

/// The duplicates per record EM starts from. The candidate pairs hold more than one
/// structure: pairs of namesakes agree on their names as a block, whatever their dates
/// and documents. Where duplicates are rare (a registry before the surge, a random
/// draw of a large one: 462 true pairs among 834,929 candidates of 30,000 records), EM
/// started from a twentieth of the pairs took the namesakes for the same person (15.6
/// duplicates per record, F1 0.06). Started from a tenth of a duplicate per record, it
/// finds the small class that also agrees on dates and documents (0.0136 per record
/// against 0.0154 true, F1 0.84), and where duplicates are many (the Afghan dev set,
/// 0.54 per record; FEBRL) it climbs to the fit it found before.
const PRIOR_DUPLICATES_PER_RECORD: f64 = 0.1;

/// The share of candidate pairs EM starts from in each of the two smaller classes,
/// and at most for the same person.
const FIRST_SHARE: f64 = 0.05;

/// The share of candidate pairs EM starts from as the same person.
fn initial_match_share(pairs_per_record: f64) -> f64 {
    if pairs_per_record > 0.0 {
        (PRIOR_DUPLICATES_PER_RECORD / pairs_per_record).min(FIRST_SHARE)
    } else {
        FIRST_SHARE
    }
}

pub struct Fit {
    pub m: Table,
    /// Level probabilities among relatives (see [`fit`]).
    pub f: Table,
    /// Shares of same-person pairs and of relatives' pairs among the candidates.
    pub lambda: f64,
    pub lambda_related: f64,
    pub iterations: usize,
}

/// EM over pattern counts of candidate pairs with three latent classes: the same person,
/// relatives (or colleagues at one address), and unrelated people. Households agree on
/// father's name, phone, address and employer all at once, which a two-class model
/// mistakes for the same person; the middle class absorbs that correlation. It is held
/// to random agreement on the fields that identify one person (`identity`), so only
/// those fields can make a pair the same person. u among candidates (who agree more than
/// random pairs by construction) is estimated alongside; m and f are kept.
///
/// EM starts from few duplicates (see [`PRIOR_DUPLICATES_PER_RECORD`]); `pairs_per_record`
/// is the number of candidate pairs per record, which turns that into a share of pairs.
pub fn fit(
    comparisons: &[Comparison],
    patterns: &[(u64, u64)],
    u_random: &Table,
    max_iter: usize,
    pairs_per_record: f64,
) -> Fit {
    let nc = comparisons.len();
    let identity: Vec<bool> = comparisons.iter().map(|c| c.identifies_person()).collect();
    let priors: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| m_prior(c.levels().len()))
        .collect();
    let mut m: Table = priors.clone();
    let mut f: Table = (0..nc)
        .map(|c| {
            if identity[c] {
                u_random[c].clone()
            } else {
                priors[c].clone()
            }
        })
        .collect();
    let mut u: Table = u_random.clone();
    let mut lambda = initial_match_share(pairs_per_record);
    let mut lambda_f = FIRST_SHARE;
    let pats: Vec<(u64, f64)> = patterns.iter().map(|&(p, n)| (p, n as f64)).collect();
    let total: f64 = pats.iter().map(|p| p.1).sum();
    let mut iterations = 0;
    for it in 0..max_iter {
        iterations = it + 1;
        let mut mc: Table = priors
            .iter()
            .map(|p| p.iter().map(|x| x * 2.0).collect())
            .collect();
        let mut fc: Table = priors
            .iter()
            .map(|p| p.iter().map(|x| x * 2.0).collect())
            .collect();
        let mut uc: Table = u.iter().map(|r| r.iter().map(|_| 1.0).collect()).collect();
        let (mut matches, mut related) = (0.0, 0.0);
        // Logarithms once per iteration, not once per pattern.
        let logs = |t: &Table| -> Table {
            t.iter()
                .map(|r| r.iter().map(|x| x.max(1e-300).ln()).collect())
                .collect()
        };
        let (log_m, log_f, log_u) = (logs(&m), logs(&f), logs(&u));
        for &(p, n) in &pats {
            let (mut lm, mut lf, mut lu) =
                (lambda.ln(), lambda_f.ln(), (1.0 - lambda - lambda_f).ln());
            for c in 0..nc {
                let l = level(p, c) as usize;
                if l > 0 {
                    lm += log_m[c][l];
                    lf += log_f[c][l];
                    lu += log_u[c][l];
                }
            }
            let top = lm.max(lf).max(lu);
            let (em_, ef, eu) = ((lm - top).exp(), (lf - top).exp(), (lu - top).exp());
            let s = em_ + ef + eu;
            let (wm, wf, wu) = (em_ / s, ef / s, eu / s);
            matches += n * wm;
            related += n * wf;
            for c in 0..nc {
                let l = level(p, c) as usize;
                if l > 0 {
                    mc[c][l] += n * wm;
                    fc[c][l] += n * wf;
                    uc[c][l] += n * wu;
                }
            }
        }
        let normalise = |row: &mut Vec<f64>, counts: &Vec<f64>| {
            let s: f64 = counts[1..].iter().sum();
            for l in 1..row.len() {
                row[l] = (counts[l] / s).clamp(1e-9, 1.0);
            }
        };
        for c in 0..nc {
            normalise(&mut m[c], &mc[c]);
            normalise(&mut u[c], &uc[c]);
            if !identity[c] {
                normalise(&mut f[c], &fc[c]);
            }
        }
        let new_lambda = (matches / total).clamp(1e-9, 0.9);
        let new_lambda_f = (related / total).clamp(1e-9, 0.9);
        let done = (new_lambda - lambda).abs() < 1e-5 && (new_lambda_f - lambda_f).abs() < 1e-5;
        lambda = new_lambda;
        lambda_f = new_lambda_f;
        if done {
            break;
        }
    }
    Fit {
        m,
        f,
        lambda,
        lambda_related: lambda_f,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three identity comparisons that agree fully or not at all; matches agree 90% of the time, non-matches 10%:
    /// EM must recover m near 0.9 from unlabelled patterns.
    #[test]
    fn recovers_m_from_unlabelled_patterns() {
        use std::collections::HashMap;
        let comps = [
            Comparison::Name,
            Comparison::DateOfBirth,
            Comparison::NationalId,
        ];
        let mut patterns = HashMap::new();
        let mut rng = 12345u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % 10_000) as f64 / 10_000.0
        };
        for i in 0..20_000 {
            let is_match = i % 4 == 0;
            let levels: Vec<u8> = comps
                .iter()
                .map(|c| {
                    let agree = next() < if is_match { 0.9 } else { 0.1 };
                    if agree { c.levels().len() as u8 - 1 } else { 1 }
                })
                .collect();
            *patterns.entry(pack(&levels)).or_insert(0) += 1;
        }
        let u: Table = comps
            .iter()
            .map(|c| {
                let mut v = vec![1e-6; c.levels().len()];
                v[0] = 0.0;
                v[1] = 0.9;
                v[c.levels().len() - 1] = 0.1;
                v
            })
            .collect();
        let mut patterns: Vec<(u64, u64)> = patterns.into_iter().collect();
        patterns.sort_unstable();
        let fit = fit(&comps, &patterns, &u, 200, 1.0);
        assert!((fit.lambda - 0.25).abs() < 0.03, "lambda {}", fit.lambda);
        for row in &fit.m {
            assert!((row[row.len() - 1] - 0.9).abs() < 0.03, "m {row:?}");
        }
    }
}
