//! Latency of matching one new person against a registry held in an [`Index`]: the
//! server's case. Run by `bench/matching/latency.sh`, or directly:
//!
//! ```sh
//! MUSTER_INDEX_CSV=registry.csv MUSTER_QUERY_CSV=new_people.csv \
//!     cargo bench -p muster-matching --bench index_latency
//! ```
//!
//! A model is trained once on up to 100,000 records of the registry, every registry record
//! is inserted into the index, and then each query is matched alone, one after another:
//! first the people of `MUSTER_QUERY_CSV` (new registrations, not in the index), then up
//! to `MUSTER_QUERIES` (default 2,000) registry records asked as if registering again
//! (their own entry is skipped, so what is found are their duplicates). Prints p50, p99
//! and the maximum per query, and the memory the index added to the process (resident
//! set size before and after building it). Last, as the server's matcher does in a
//! surge, the new people are matched and inserted one after another (each is matched
//! against the registry and the new people before it): the mean time per person.
//! `MUSTER_MIN_PROBABILITY` (default 0.01) is the least probability returned.

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use matching::{ColumnMapping, Config, Index, Record, read_records, train_model};

fn read(path: &str) -> Vec<Record> {
    let file = File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    read_records(BufReader::new(file), &ColumnMapping::auto(), None)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Resident set size of this process in MiB, from /proc (Linux).
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Times each query alone; returns (p50, p99, max) in milliseconds and the candidates found.
fn time_queries(index: &Index, queries: &[Record]) -> ((f64, f64, f64), usize) {
    let mut times = Vec::with_capacity(queries.len());
    let mut found = 0;
    for q in queries {
        let t = Instant::now();
        let c = index.candidates(q);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        found += c.len();
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    ((at(0.5), at(0.99), at(1.0)), found)
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing else to parse.
    let Ok(index_csv) = std::env::var("MUSTER_INDEX_CSV") else {
        eprintln!(
            "index_latency: set MUSTER_INDEX_CSV (the registry) and optionally MUSTER_QUERY_CSV \
             (new people) and MUSTER_QUERIES; see bench/matching/latency.sh"
        );
        return;
    };
    let registered_queries: usize = std::env::var("MUSTER_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    // The server proposes pairs from 0.5 (`web::matcher::THRESHOLD`); a lower least
    // probability prunes fewer candidates before their names are compared.
    let min_probability: f64 = std::env::var("MUSTER_MIN_PROBABILITY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.01);
    let registry = read(&index_csv);
    let new_people = std::env::var("MUSTER_QUERY_CSV")
        .map(|p| read(&p))
        .unwrap_or_default();

    let t = Instant::now();
    let step = (registry.len() / 100_000).max(1);
    let sample: Vec<Record> = registry.iter().step_by(step).cloned().collect();
    let model = train_model(&sample, &Config::default());
    drop(sample);
    let train_s = t.elapsed().as_secs_f64();

    let before = rss_mib();
    let t = Instant::now();
    let mut index = Index::new(model, min_probability);
    for r in &registry {
        index.insert(r).expect("registry ids are unique");
    }
    let build_s = t.elapsed().as_secs_f64();
    let after = rss_mib();
    let index_mib = match (before, after) {
        (Some(b), Some(a)) => format!("{:.0}", a - b),
        _ => "unknown".into(),
    };
    println!(
        "index: records={} train_s={train_s:.2} build_s={build_s:.2} index_memory_mib={index_mib} process_rss_mib={}",
        index.len(),
        after.map_or("unknown".into(), |a| format!("{a:.0}")),
    );

    // New people carry ids of their own file: make sure none collides with a registry id,
    // or the index would skip that entry as the person's own.
    let new_people: Vec<Record> = new_people
        .into_iter()
        .map(|mut r| {
            r.id = format!("new-{}", r.id);
            r
        })
        .collect();
    if !new_people.is_empty() {
        let ((p50, p99, max), found) = time_queries(&index, &new_people);
        println!(
            "new people: queries={} p50_ms={p50:.3} p99_ms={p99:.3} max_ms={max:.3} candidates_per_query={:.2}",
            new_people.len(),
            found as f64 / new_people.len() as f64
        );
    }
    let step = (registry.len() / registered_queries.max(1)).max(1);
    let again: Vec<Record> = registry
        .iter()
        .step_by(step)
        .take(registered_queries)
        .cloned()
        .collect();
    if !again.is_empty() {
        let ((p50, p99, max), found) = time_queries(&index, &again);
        println!(
            "registering again: queries={} p50_ms={p50:.3} p99_ms={p99:.3} max_ms={max:.3} candidates_per_query={:.2}",
            again.len(),
            found as f64 / again.len() as f64
        );
    }
    if !new_people.is_empty() {
        let t = Instant::now();
        let mut found = 0;
        for (group, r) in new_people.iter().enumerate() {
            found += index
                .match_and_insert(r, group as u32)
                .expect("new ids are unique")
                .len();
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / new_people.len() as f64;
        println!(
            "matched and inserted in turn: persons={} mean_us={us:.1} candidates_per_person={:.2}",
            new_people.len(),
            found as f64 / new_people.len() as f64
        );
    }
}
