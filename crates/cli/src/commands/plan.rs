use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The planning problem (JSON, or gzip-compressed JSON).
    #[arg(long)]
    pub problem: PathBuf,
    /// Where to write the plan.
    #[arg(long)]
    pub out: PathBuf,
    /// Upper bound on the search time, in seconds.
    #[arg(long, default_value_t = 25)]
    pub budget: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = File::open(&args.problem)
        .with_context(|| format!("cannot open {}", args.problem.display()))?;
    let problem =
        planning::read_problem(BufReader::new(file)).context("cannot read the problem")?;
    let options = planning::SolveOptions {
        time_budget: Duration::from_secs(args.budget),
        ..Default::default()
    };
    let solution = planning::solve(&problem, &options).context("cannot plan this problem")?;
    let out =
        File::create(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut out = BufWriter::new(out);
    planning::write_plan(&solution.plan, &mut out)?;
    out.flush()?;
    let s = &solution.stats;
    eprintln!(
        "planned {} households: objective {} (greedy {}, {:+.2}%)",
        s.groups_assigned,
        s.objective,
        s.greedy_objective,
        100.0 * (s.objective - s.greedy_objective) as f64 / s.greedy_objective.max(1) as f64
    );
    Ok(ExitCode::SUCCESS)
}
