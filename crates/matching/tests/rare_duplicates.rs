//! A registry in which duplicates are rare, as a registry is before a surge: EM must
//! still learn the same person, not the larger structures among the candidate pairs
//! (namesakes, relatives). Learnt from 60,000 records of the shared Afghan generator
//! with a duplicate rate of 0.05, EM started from a twentieth of the pairs expected 16
//! duplicates per record (0.11 true) and its clusters scored F1 0.29; the server's
//! model of the demo with a surge's households was as far off (21 per person).
//!
//! The registry is written by `../shared/data/afghan_names/gen.py` (Python 3, no
//! packages) at every run, so nothing generated is kept in the repository.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use matching::{ColumnMapping, Config, match_batch, read_records};

/// The generator, beside the checkout (`../shared`) or where CI keeps it.
fn generator() -> PathBuf {
    let beside = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/afghan_names/gen.py"
    ));
    let candidates = [
        beside,
        PathBuf::from("/work/shared/data/afghan_names/gen.py"),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .expect("the shared Afghan registry generator (../shared/data/afghan_names/gen.py)")
}

/// Pairs of records put in one cluster, pairs that are one person, and pairs that are both.
struct PairCounts {
    found: f64,
    true_pairs: f64,
    right: f64,
}

fn pair_counts(cluster_of: &[u32], person_of: &[&str]) -> PairCounts {
    fn pairs<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> f64 {
        let mut sizes: HashMap<K, usize> = HashMap::new();
        for k in keys {
            *sizes.entry(k).or_insert(0) += 1;
        }
        sizes.values().map(|&n| (n * (n - 1) / 2) as f64).sum()
    }
    PairCounts {
        found: pairs(cluster_of.iter()),
        true_pairs: pairs(person_of.iter()),
        right: pairs(cluster_of.iter().zip(person_of)),
    }
}

#[test]
fn a_registry_with_few_duplicates_is_learnt_as_such() {
    let out = std::env::temp_dir().join(format!("muster-rare-duplicates-{}", std::process::id()));
    let status = Command::new("python3")
        .arg(generator())
        .args([
            "--seed",
            "21",
            "--records",
            "60000",
            "--dup-rate",
            "0.05",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "the generator failed: {status}");
    let records = read_records(
        std::fs::File::open(out.join("people.csv")).unwrap(),
        &ColumnMapping::auto(),
        None,
    )
    .unwrap();
    let truth: HashMap<String, String> = csv::Reader::from_path(out.join("truth.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect();
    std::fs::remove_dir_all(&out).unwrap();
    let person_of: Vec<&str> = records.iter().map(|r| truth[&r.id].as_str()).collect();
    let result = match_batch(&records, &Config::default(), &|_| {});
    let counts = pair_counts(&result.cluster_of, &person_of);
    let true_rate = counts.true_pairs / records.len() as f64;
    assert!(
        result.model.match_rate < 4.0 * true_rate,
        "the model expects {:.3} duplicates per record; the registry holds {true_rate:.3}",
        result.model.match_rate
    );
    let precision = counts.right / counts.found.max(1.0);
    let recall = counts.right / counts.true_pairs.max(1.0);
    let f1 = 2.0 * precision * recall / (precision + recall);
    assert!(
        f1 > 0.55,
        "F1 {f1:.3} (precision {precision:.3}, recall {recall:.3})"
    );
}
