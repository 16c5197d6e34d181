//! `match --input FILE.csv --output clusters.csv [--id-column COL] [--map column=field ...]
//!        [--threshold P] [--explain PAIRS.csv] [--candidates PAIRS.csv] [--latency N]`
//!
//! The same flags as the future `muster match`. `--candidates` writes every blocked pair
//! (for blocking-recall diagnostics); `--latency N` instead trains a model, builds an incremental index of the
//! whole input and times N single-record look-ups.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use matching::{
    ColumnMapping, Config, Index, Progress, match_batch, read_records, write_clusters,
    write_explain,
};

struct Args {
    input: String,
    output: String,
    id_column: Option<String>,
    maps: Vec<String>,
    threshold: Option<f64>,
    explain: Option<String>,
    candidates: Option<String>,
    latency: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        input: String::new(),
        output: String::new(),
        id_column: None,
        maps: Vec::new(),
        threshold: None,
        explain: None,
        candidates: None,
        latency: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--input" => a.input = value()?,
            "--output" => a.output = value()?,
            "--id-column" => a.id_column = Some(value()?),
            "--map" => a.maps.push(value()?),
            "--threshold" => {
                a.threshold = Some(value()?.parse().map_err(|e| format!("--threshold: {e}"))?)
            }
            "--explain" => a.explain = Some(value()?),
            "--candidates" => a.candidates = Some(value()?),
            "--latency" => a.latency = value()?.parse().map_err(|e| format!("--latency: {e}"))?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.input.is_empty() || (a.output.is_empty() && a.latency == 0) {
        return Err("usage: match --input FILE.csv --output clusters.csv [--id-column COL] [--map column=field ...] [--threshold P] [--explain PAIRS.csv]".into());
    }
    Ok(a)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse()?;
    let mut mapping = ColumnMapping::auto();
    for m in &args.maps {
        mapping = mapping.with_override(m)?;
    }
    let start = Instant::now();
    let records = read_records(
        BufReader::new(File::open(&args.input)?),
        &mapping,
        args.id_column.as_deref(),
    )?;
    let read_s = start.elapsed().as_secs_f64();
    if args.latency > 0 {
        return latency(&records, args.latency);
    }
    let mut config = Config {
        keep_candidates: args.candidates.is_some(),
        ..Config::default()
    };
    if let Some(t) = args.threshold {
        config.threshold = t;
    }
    let t0 = Instant::now();
    let progress = |p: Progress| {
        eprintln!(
            "[{:>7.2}s] {:?} ({} items)",
            t0.elapsed().as_secs_f64(),
            p.stage,
            p.items
        )
    };
    let result = match_batch(&records, &config, &progress);
    let match_s = t0.elapsed().as_secs_f64();
    write_clusters(&result, BufWriter::new(File::create(&args.output)?))?;
    if let Some(path) = &args.explain {
        write_explain(&result, BufWriter::new(File::create(path)?))?;
    }
    if let Some(path) = &args.candidates {
        let mut w = BufWriter::new(File::create(path)?);
        writeln!(w, "record_id_a,record_id_b")?;
        for &(a, b) in &result.candidates {
            writeln!(w, "{},{}", result.ids[a as usize], result.ids[b as usize])?;
        }
    }
    eprintln!(
        "records={} candidate_pairs={} kept_pairs={} clusters>1={} em_iterations={} read_s={read_s:.2} match_s={match_s:.2} total_s={:.2}",
        records.len(),
        result.candidate_count,
        result.pairs.len(),
        result.clusters().len(),
        result.em_iterations,
        start.elapsed().as_secs_f64()
    );
    eprintln!(
        "model: match_rate={:.4} related_rate={:.4}",
        result.model.match_rate, result.model.related_rate
    );
    for (i, c) in result.model.comparisons.iter().enumerate() {
        let w: Vec<String> = c
            .levels()
            .iter()
            .enumerate()
            .skip(1)
            .map(|(l, name)| {
                let m = result.model.m[i][l];
                format!(
                    "{name}={:+.1}/{:+.1}",
                    (m / result.model.u[i][l]).log2(),
                    (m / result.model.f[i][l]).log2()
                )
            })
            .collect();
        eprintln!("  {}: {}", c.name(), w.join(" "));
    }
    // The process ends here: freeing millions of small allocations one by one would only
    // add to the measured time.
    std::mem::forget(result);
    Ok(())
}

/// The server's case: a model trained once (here on up to 100,000 records of the input),
/// an index holding the whole registry, and one new record matched at a time.
fn latency(records: &[matching::Record], queries: usize) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let step = (records.len() / 100_000).max(1);
    let sample: Vec<matching::Record> = records.iter().step_by(step).cloned().collect();
    let model = matching::train_model(&sample, &Config::default());
    let train_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut index = Index::new(model, 0.01);
    for r in records {
        index.insert(r)?;
    }
    let build_s = t.elapsed().as_secs_f64();
    let step = records.len().checked_div(queries).unwrap_or(1).max(1);
    let mut times: Vec<f64> = Vec::new();
    let mut found = 0usize;
    for r in records.iter().step_by(step).take(queries) {
        // Asked as a new registration: the record itself is in the index under its id and
        // is skipped, so what is found are its duplicates.
        let t = Instant::now();
        let c = index.candidates(r);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        found += c.len();
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    eprintln!(
        "latency: index_records={} train_s={train_s:.2} build_s={build_s:.2} queries={} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} candidates_per_query={:.2}",
        index.len(),
        times.len(),
        q(0.5),
        q(0.99),
        q(1.0),
        found as f64 / times.len().max(1) as f64
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
