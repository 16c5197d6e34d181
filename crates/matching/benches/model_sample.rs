//! How many persons a model must be learnt from: the server learns its model from a
//! sample of the registry and keeps it once learnt from enough persons. Run by
//! `bench/matching/model_sample.sh`, or directly:
//!
//! ```sh
//! MUSTER_INDEX_CSV=people.csv MUSTER_TRUTH_CSV=truth.csv MUSTER_RECORDS=60000 \
//!     cargo bench -p muster-matching --bench model_sample
//! ```
//!
//! For each sample size, a model is learnt from an even sample of the first
//! `MUSTER_RECORDS` records; then those records are matched one by one through an
//! [`Index`] and inserted, as the server does with registrations, and the pairs found at
//! the server's threshold (0.5) are scored against the truth (record id → person id).

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use matching::{ColumnMapping, Config, Index, read_records, train_model};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn main() {
    let people = var("MUSTER_INDEX_CSV");
    let truth_csv = var("MUSTER_TRUTH_CSV");
    let limit: usize = std::env::var("MUSTER_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60_000);
    let file = File::open(&people).unwrap_or_else(|e| panic!("cannot open {people}: {e}"));
    let mut records = read_records(BufReader::new(file), &ColumnMapping::auto(), None)
        .unwrap_or_else(|e| panic!("cannot read {people}: {e}"));
    records.truncate(limit);
    let truth_text = std::fs::read_to_string(&truth_csv)
        .unwrap_or_else(|e| panic!("cannot read {truth_csv}: {e}"));
    let truth: HashMap<&str, &str> = (truth_text.lines().skip(1))
        .filter_map(|l| l.split_once(','))
        .collect();
    let person = |id: &str| truth.get(id).copied().unwrap_or_default().to_owned();
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for r in &records {
        *sizes.entry(person(&r.id)).or_default() += 1;
    }
    let true_pairs: usize = sizes.values().map(|n| n * (n - 1) / 2).sum();
    for sample in [2_000, 5_000, 10_000, 20_000, 30_000] {
        let step = records.len().div_ceil(sample).max(1);
        let learnt_from: Vec<_> = records.iter().step_by(step).cloned().collect();
        let started = Instant::now();
        let model = train_model(&learnt_from, &Config::default());
        let learn_s = started.elapsed().as_secs_f64();
        let mut index = Index::new(model, 0.5);
        let (mut found, mut right) = (0usize, 0usize);
        // Each record a household of its own.
        for (household, r) in (0u32..).zip(&records) {
            let candidates = index.match_and_insert(r, household).unwrap_or_default();
            found += candidates.len();
            right += (candidates.iter())
                .filter(|c| person(&c.id) == person(&r.id))
                .count();
        }
        let precision = right as f64 / found.max(1) as f64;
        let recall = right as f64 / true_pairs.max(1) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
        println!(
            "learnt from {} records in {learn_s:.2} s: pairs found {found}, right {right}, \
             true {true_pairs}; precision {precision:.4} recall {recall:.4} F1 {f1:.4}",
            learnt_from.len()
        );
    }
}
