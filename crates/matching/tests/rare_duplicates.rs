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

/// Pairwise precision and recall of `cluster_of` against the true persons.
fn precision_recall(cluster_of: &[u32], person_of: &[&str]) -> (f64, f64) {
    let pairs = |groups: &HashMap<(u32, &str), usize>| -> f64 {
        groups.values().map(|&n| (n * (n - 1) / 2) as f64).sum()
    };
    let mut clusters = HashMap::new();
    let mut persons = HashMap::new();
    let mut both = HashMap::new();
    for (&c, &p) in cluster_of.iter().zip(person_of) {
        *clusters.entry((c, "")).or_insert(0) += 1;
        *persons.entry((0, p)).or_insert(0) += 1;
        *both.entry((c, p)).or_insert(0) += 1;
    }
    let right = pairs(&both);
    (
        right / pairs(&clusters).max(1.0),
        right / pairs(&persons).max(1.0),
    )
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
    let true_rate = {
        let mut per_person: HashMap<&str, usize> = HashMap::new();
        for p in &person_of {
            *per_person.entry(p).or_insert(0) += 1;
        }
        let pairs: usize = per_person.values().map(|n| n * (n - 1) / 2).sum();
        pairs as f64 / records.len() as f64
    };
    assert!(
        result.model.match_rate < 4.0 * true_rate,
        "the model expects {:.3} duplicates per record; the registry holds {true_rate:.3}",
        result.model.match_rate
    );
    let (precision, recall) = precision_recall(&result.cluster_of, &person_of);
    let f1 = 2.0 * precision * recall / (precision + recall);
    assert!(
        f1 > 0.55,
        "F1 {f1:.3} (precision {precision:.3}, recall {recall:.3})"
    );
}
