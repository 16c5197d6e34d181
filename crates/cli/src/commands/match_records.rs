//! `muster match`: finds the same person across the rows of a CSV file.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use matching::{ColumnMapping, Config, Progress, Stage};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The CSV file of person records.
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write `record_id,cluster_id` for every input row.
    #[arg(long)]
    pub output: PathBuf,
    /// The column holding each row's id (default: record_id, id or rec_id, else the row number).
    #[arg(long)]
    pub id_column: Option<String>,
    /// Maps a column to a person field (`column=field`, or `column=ignore`); repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// Match probability from which two records are the same person.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Also write every scored pair with its per-field explanation.
    #[arg(long, value_name = "PAIRS.csv")]
    pub explain: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut mapping = ColumnMapping::auto();
    for m in &args.maps {
        mapping = mapping
            .with_override(m)
            .with_context(|| format!("--map {m}"))?;
    }
    let file =
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let records = matching::read_records(BufReader::new(file), &mapping, args.id_column.as_deref())
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    eprintln!("read {} records", records.len());
    let mut config = Config::default();
    if let Some(t) = args.threshold {
        anyhow::ensure!(
            (0.0..=1.0).contains(&t),
            "--threshold must be a probability between 0 and 1"
        );
        config.threshold = t;
    }
    // One line a stage: readable in a terminal and in a log alike.
    let last: Mutex<Option<Stage>> = Mutex::new(None);
    let progress = |p: Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if *last != Some(p.stage) {
            *last = Some(p.stage);
            eprintln!(
                "  {:>6.1} s  {:?} ({} items)",
                started.elapsed().as_secs_f64(),
                p.stage,
                p.items
            );
        }
    };
    let result = matching::match_batch(&records, &config, &progress);
    let out = File::create(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let mut out = BufWriter::new(out);
    matching::write_clusters(&result, &mut out)?;
    out.flush()?;
    if let Some(path) = &args.explain {
        let f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut f = BufWriter::new(f);
        matching::write_explain(&result, &mut f)?;
        f.flush()?;
    }
    eprintln!(
        "{} records in {} clusters, {:.1} s",
        records.len(),
        result.clusters().len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
