//! The batch pipeline: read a list, learn the model from it, score candidate pairs, cluster.

use std::collections::HashMap;
use std::io::{Read, Write};

use rayon::prelude::*;

use crate::block;
use crate::cluster;
use crate::compare::Comparison;
use crate::em;
use crate::explain::{Explanation, probability};
use crate::features::{Prepared, prepare};
use crate::record::{ColumnMapping, Record};
use crate::score::{Compared, Model, PRUNED, Pruning, compare_pruned, compare_with};
use crate::tf::TermFrequencies;
use crate::words::WordTable;
use crate::{Error, Field};

/// Settings of a matching run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Match probability at which two records are linked. Muster's default is 0.5: the
    /// model's own posterior, "more likely the same person than not", no labels involved.
    pub threshold: f64,
    /// Scored pairs at or above this probability are kept in the result (for review
    /// queues and explanations); lower ones are dropped after clustering.
    pub keep_probability: f64,
    /// Most random pairs sampled to estimate u (a small list samples fewer: eight per
    /// record, at least 20,000).
    pub u_samples: usize,
    pub em_iterations: usize,
    pub seed: u64,
    /// Keep every candidate pair in the result (for blocking diagnostics).
    pub keep_candidates: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: 0.5,
            keep_probability: 0.01,
            u_samples: 100_000,
            em_iterations: 300,
            seed: 42,
            keep_candidates: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Preparing,
    Sampling,
    Blocking,
    Comparing,
    Training,
    Clustering,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    /// Items of the stage: records, pairs or EM iterations.
    pub items: usize,
}

/// A scored pair of records, by index into the input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
    pub probability: f64,
}

pub struct BatchResult {
    pub ids: Vec<String>,
    /// Cluster label per record: the input index of a representative record of its cluster.
    pub cluster_of: Vec<u32>,
    /// Candidate pairs scored at or above [`Config::keep_probability`], sorted by (a, b).
    pub pairs: Vec<ScoredPair>,
    pub model: Model,
    pub candidate_count: usize,
    /// Every candidate pair, only with [`Config::keep_candidates`].
    pub candidates: Vec<(u32, u32)>,
    pub em_iterations: usize,
    /// Input index -> index into `prepared`.
    position: Vec<u32>,
    prepared: Vec<Prepared>,
    tf: TermFrequencies,
    words: WordTable,
}

impl BatchResult {
    /// Why a pair scored what it did.
    pub fn explain(&self, a: u32, b: u32) -> Explanation {
        let priors = self.model.priors(self.ids.len());
        self.model.explain(
            &self.prepared[self.position[a as usize] as usize],
            &self.prepared[self.position[b as usize] as usize],
            &self.tf,
            &self.words,
            priors,
        )
    }

    /// The records of each cluster of two or more.
    pub fn clusters(&self) -> Vec<Vec<u32>> {
        let mut by: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &c) in self.cluster_of.iter().enumerate() {
            by.entry(c).or_default().push(i as u32);
        }
        let mut v: Vec<Vec<u32>> = by.into_values().filter(|m| m.len() > 1).collect();
        v.sort_unstable();
        v
    }
}

/// Read records from CSV. The id comes from `id_column`, else a `record_id`/`id` column,
/// else the row number (1 = first data row).
pub fn read_records<R: Read>(
    reader: R,
    mapping: &ColumnMapping,
    id_column: Option<&str>,
) -> Result<Vec<Record>, Error> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.headers()?.clone();
    let id_idx = match id_column {
        Some(c) => Some(
            headers
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| Error::MissingIdColumn(c.to_string()))?,
        ),
        None => headers.iter().position(|h| {
            matches!(
                h.trim().to_ascii_lowercase().as_str(),
                "record_id" | "id" | "rec_id"
            )
        }),
    };
    let fields: Vec<Option<Field>> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if Some(i) == id_idx {
                None
            } else {
                mapping.field_of(h)
            }
        })
        .collect();
    if fields.iter().all(Option::is_none) {
        return Err(Error::NoFields);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let id = match id_idx {
            Some(i) => rec.get(i).unwrap_or("").trim().to_string(),
            None => (row + 1).to_string(),
        };
        if id.is_empty() {
            return Err(Error::BadRow {
                row: row + 1,
                message: "empty record id".into(),
            });
        }
        if !seen.insert(id.clone()) {
            return Err(Error::DuplicateId(id));
        }
        let mut r = Record::new(id);
        for (value, field) in rec.iter().zip(&fields) {
            if let Some(f) = field {
                r.set(*f, value);
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// Comparisons worth making: fields present in at least half a percent of the records.
pub(crate) fn active_comparisons(prepared: &[Prepared]) -> Vec<Comparison> {
    let n = prepared.len().max(1);
    Comparison::ALL
        .iter()
        .copied()
        .filter(|c| prepared.iter().filter(|p| c.present(p)).count() * 200 >= n)
        .collect()
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// u per comparison and level from random pairs.
pub(crate) fn sample_u(
    comparisons: &[Comparison],
    prepared: &[Prepared],
    words: &WordTable,
    samples: usize,
    seed: u64,
) -> em::Table {
    let n = prepared.len() as u64;
    let chunks = 64usize;
    let per = samples.div_ceil(chunks);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut state = seed ^ (chunk as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
            let mut counts: Vec<Vec<u64>> = comparisons
                .iter()
                .map(|c| vec![0; c.levels().len()])
                .collect();
            if n < 2 {
                return counts;
            }
            for _ in 0..per {
                let a = splitmix(&mut state) % n;
                let b = splitmix(&mut state) % n;
                if a == b {
                    continue;
                }
                for (i, c) in comparisons.iter().enumerate() {
                    let (l, _) = c.compare(&prepared[a as usize], &prepared[b as usize], words);
                    counts[i][l as usize] += 1;
                }
            }
            counts
        })
        .reduce(
            || {
                comparisons
                    .iter()
                    .map(|c| vec![0; c.levels().len()])
                    .collect()
            },
            |mut x, y| {
                for (rx, ry) in x.iter_mut().zip(y) {
                    for (a, b) in rx.iter_mut().zip(ry) {
                        *a += b;
                    }
                }
                x
            },
        );
    em::u_from_counts(comparisons, &counts)
}

/// Learnt parameters and the data they were learnt on.
pub(crate) struct Trained {
    pub model: Model,
    /// Prepared records in working order (see [`train`]).
    pub prepared: Vec<Prepared>,
    /// Working index -> input index.
    pub order: Vec<u32>,
    pub tf: TermFrequencies,
    pub words: WordTable,
    pub candidates: Vec<(u32, u32)>,
    pub compared: Vec<Compared>,
    pub em_iterations: usize,
}

/// Distinct agreement patterns, sorted, and how many pairs have each.
fn pattern_counts(compared: &[Compared]) -> Vec<(u64, u64)> {
    let mut all: Vec<u64> = compared.par_iter().map(|c| c.pattern).collect();
    all.par_sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for p in all {
        match out.last_mut() {
            Some((q, n)) if *q == p => *n += 1,
            _ => out.push((p, 1)),
        }
    }
    out
}

/// Most candidate pairs EM learns from.
const EM_PAIRS: usize = 500_000;

/// Learn the model from `records`; with `score_all`, also compare every candidate pair
/// (else `compared` is empty).
pub(crate) fn train(
    records: &[Record],
    config: &Config,
    score_all: bool,
    progress: &dyn Fn(Progress),
) -> Trained {
    let n = records.len();
    progress(Progress {
        stage: Stage::Preparing,
        items: n,
    });
    // Work in the order of the names' phonetic keys: blocked pairs mostly share name words,
    // so both records of a pair, and their heap data, are then near each other in memory,
    // which is what the comparison of tens of millions of pairs is bound by.
    let keys: Vec<String> = records.par_iter().map(crate::features::order_key).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.par_sort_by(|&x, &y| keys[x as usize].cmp(&keys[y as usize]).then(x.cmp(&y)));
    drop(keys);
    // Preparing a record strews its heap data (names, words) among the temporaries of text
    // processing; a copy made once they are freed puts it together, so comparing a pair
    // touches fewer cache lines.
    let mut prepared: Vec<Prepared> = order
        .par_iter()
        .map(|&i| prepare(&records[i as usize]).clone())
        .collect();
    let words = WordTable::build(&mut prepared);
    let comparisons = active_comparisons(&prepared);
    let tf = TermFrequencies::build(&comparisons, &prepared);
    let u_samples = config.u_samples.min((8 * n).max(20_000));
    progress(Progress {
        stage: Stage::Sampling,
        items: u_samples,
    });
    let u = sample_u(&comparisons, &prepared, &words, u_samples, config.seed);
    progress(Progress {
        stage: Stage::Blocking,
        items: n,
    });
    let mut candidates = block::candidate_pairs(&prepared);
    // Compared tile by tile (pairs whose two records both lie in one stretch of 2,048
    // records), so that both records of consecutive pairs are mostly in cache already.
    candidates.par_sort_unstable_by_key(|&(a, b)| (a >> 11, b >> 11, a, b));
    progress(Progress {
        stage: Stage::Comparing,
        items: candidates.len(),
    });
    // EM learns from every candidate pair of a small list, and from an even sample of a
    // large one's (every step-th pair of the tile order, which spans the whole list).
    let step = candidates.len().div_ceil(EM_PAIRS).max(1);
    let sample: Vec<Compared> = candidates
        .par_iter()
        .step_by(step)
        .map(|&(a, b)| {
            compare_with(
                &comparisons,
                &u,
                &prepared[a as usize],
                &prepared[b as usize],
                &tf,
                &words,
            )
        })
        .collect();
    let patterns = pattern_counts(&sample);
    progress(Progress {
        stage: Stage::Training,
        items: patterns.len(),
    });
    let per_record = candidates.len() as f64 / n.max(1) as f64;
    let fit = em::fit(
        &comparisons,
        &patterns,
        &u,
        config.em_iterations,
        per_record,
    );
    let model = Model {
        comparisons,
        m: fit.m,
        f: fit.f,
        u,
        match_rate: fit.lambda * per_record,
        related_rate: fit.lambda_related * per_record,
    };
    let compared = if !score_all {
        Vec::new()
    } else if step == 1 {
        sample
    } else {
        // The rest of the pairs, with the model in hand: a pair whose cheap fields already
        // rule out the least kept probability is not compared by name.
        progress(Progress {
            stage: Stage::Comparing,
            items: candidates.len() - sample.len(),
        });
        let pruning = Pruning::new(&model, &tf, &prepared, config.keep_probability);
        candidates
            .par_iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                if i % step == 0 {
                    sample[i / step]
                } else {
                    compare_pruned(
                        &model,
                        &pruning,
                        (a, &prepared[a as usize]),
                        &prepared[b as usize],
                        &tf,
                        &words,
                    )
                }
            })
            .collect()
    };
    Trained {
        model,
        prepared,
        order,
        tf,
        words,
        candidates,
        compared,
        em_iterations: fit.iterations,
    }
}

/// Learn a model from a list without clustering it (e.g. to build an [`crate::Index`]).
pub fn train_model(records: &[Record], config: &Config) -> Model {
    train(records, config, false, &|_| {}).model
}

/// Match a whole list: every record gets a cluster; pairs come with their scores.
pub fn match_batch(
    records: &[Record],
    config: &Config,
    progress: &dyn Fn(Progress),
) -> BatchResult {
    let n = records.len();
    let t = train(records, config, true, progress);
    let priors = t.model.priors(n);
    let logs = t.model.log_table();
    let pairs: Vec<ScoredPair> = t
        .candidates
        .par_iter()
        .zip(&t.compared)
        .filter_map(|(&(a, b), c)| {
            if c.pattern == PRUNED {
                return None;
            }
            let weight = t.model.weight_of(
                Model::pattern_logs_from(&logs, c.pattern),
                f64::from(c.tf_identity),
                f64::from(c.tf_other),
                priors,
            );
            let probability = probability(weight);
            (probability >= config.keep_probability).then_some(ScoredPair {
                a,
                b,
                weight,
                probability,
            })
        })
        .collect();
    // Clustering looks scored pairs up by (a, b).
    let mut pairs = pairs;
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    progress(Progress {
        stage: Stage::Clustering,
        items: pairs.len(),
    });
    let edges: Vec<(u32, u32, f64)> = pairs.iter().map(|p| (p.a, p.b, p.probability)).collect();
    let score = |a: u32, b: u32| {
        probability(t.model.weight(
            &t.prepared[a as usize],
            &t.prepared[b as usize],
            &t.tf,
            &t.words,
            priors,
        ))
    };
    let labels = cluster::cluster(n, &edges, config.threshold, &score);
    // Back to input order: a cluster is named by the input index of its representative.
    let order = &t.order;
    let mut position = vec![0u32; n];
    let mut cluster_of = vec![0u32; n];
    for (working, &input) in order.iter().enumerate() {
        position[input as usize] = working as u32;
        cluster_of[input as usize] = order[labels[working] as usize];
    }
    let to_input = |a: u32, b: u32| {
        let (x, y) = (order[a as usize], order[b as usize]);
        if x < y { (x, y) } else { (y, x) }
    };
    let mut pairs: Vec<ScoredPair> = pairs
        .into_iter()
        .map(|p| {
            let (a, b) = to_input(p.a, p.b);
            ScoredPair { a, b, ..p }
        })
        .collect();
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    progress(Progress {
        stage: Stage::Done,
        items: n,
    });
    BatchResult {
        ids: records.iter().map(|r| r.id.clone()).collect(),
        cluster_of,
        pairs,
        model: t.model,
        candidate_count: t.candidates.len(),
        candidates: if config.keep_candidates {
            t.candidates.iter().map(|&(a, b)| to_input(a, b)).collect()
        } else {
            Vec::new()
        },
        em_iterations: t.em_iterations,
        position,
        prepared: t.prepared,
        tf: t.tf,
        words: t.words,
    }
}

/// `record_id,cluster_id` for every input row; a cluster is named by its first record's id.
pub fn write_clusters<W: Write>(result: &BatchResult, writer: W) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(["record_id", "cluster_id"])?;
    for (id, &c) in result.ids.iter().zip(&result.cluster_of) {
        w.write_record([id.as_str(), result.ids[c as usize].as_str()])?;
    }
    w.flush()?;
    Ok(())
}

/// Every kept pair with its probability, weight and per-field contributions.
pub fn write_explain<W: Write>(result: &BatchResult, writer: W) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    let mut header = vec![
        "record_id_a",
        "record_id_b",
        "same_cluster",
        "probability",
        "match_weight",
        "against",
        "prior_weight",
    ];
    header.extend(result.model.comparisons.iter().map(|c| c.name()));
    header.push("other_alternative");
    w.write_record(&header)?;
    for p in &result.pairs {
        let e = result.explain(p.a, p.b);
        let mut row = vec![
            result.ids[p.a as usize].clone(),
            result.ids[p.b as usize].clone(),
            (result.cluster_of[p.a as usize] == result.cluster_of[p.b as usize]).to_string(),
            format!("{:.6}", e.probability),
            format!("{:.3}", e.weight),
            e.against.to_string(),
            format!("{:.3}", e.prior_weight),
        ];
        row.extend(e.contributions.iter().map(|c| {
            format!(
                "{}{}({:+.2})",
                c.level,
                if c.term_frequency { "*" } else { "" },
                c.weight
            )
        }));
        row.push(format!("{:+.2}", e.other_alternative));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
