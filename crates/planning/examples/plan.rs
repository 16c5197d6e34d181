//! Benchmark driver: `plan --problem P.json[.gz] --out PLAN.json [--budget SECONDS] [--threads N]`.
//! Prints one JSON line of stats on stdout.

use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut problem = None;
    let mut out = None;
    let mut opts = planning::SolveOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--problem" => problem = Some(val()?),
            "--out" => out = Some(val()?),
            "--budget" => opts.time_budget = Duration::from_secs_f64(val()?.parse()?),
            "--threads" => opts.threads = val()?.parse()?,
            "--passes" => opts.max_passes = val()?.parse()?,
            "--pricing-steps" => opts.pricing_steps = val()?.parse()?,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let (Some(problem), Some(out)) = (problem, out) else {
        return Err(
            "usage: plan --problem P.json[.gz] --out PLAN.json [--budget S] [--threads N]".into(),
        );
    };
    let p = planning::read_problem(std::fs::File::open(&problem)?)?;
    let sol = planning::solve(&p, &opts)?;
    planning::write_plan(&sol.plan, std::fs::File::create(&out)?)?;
    let s = &sol.stats;
    let searches: Vec<String> = s
        .searches
        .iter()
        .map(|(a, b)| format!("[{a},{b}]"))
        .collect();
    println!(
        "{{\"objective\":{},\"greedy\":{},\"assigned\":{},\"model_ms\":{},\"greedy_ms\":{},\"search_ms\":{},\"lagrangian_bound\":{},\"pricing_steps\":{:?},\"searches\":[{}]}}",
        s.objective,
        s.greedy_objective,
        s.groups_assigned,
        s.model_ms,
        s.greedy_ms,
        s.search_ms,
        s.lagrangian_bound
            .map_or("null".to_string(), |b| format!("{b:.0}")),
        s.pricing_steps,
        searches.join(",")
    );
    Ok(())
}
