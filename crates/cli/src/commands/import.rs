//! `muster import`: a staff or contractor list (CSV or XLSX) into cases.
//!
//! Reading, mapping and row validation are `formats::import`'s, turning rows
//! into households is `intake`'s; this module writes every refused row beside
//! the input and stores the cases in one transaction, so that a failed import
//! stores nothing.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use domain::audit::Actor;
use domain::{CaseId, OperationId, PersonId};
use formats::import::{ValidationOptions, map_columns, parse_override, read_table, write_rejected};
use intake::plan_import;
use store::RegistryPerson;

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The operation the cases belong to.
    #[arg(long)]
    pub operation: String,
    /// Where the list came from; cases are stored with source `import:NAME`.
    #[arg(long)]
    pub source: String,
    /// Maps a column to a field (`column=field`, or `column=ignore`); repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// Validate and write the rejected rows, but store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON summary object on stdout.
    #[arg(long)]
    pub json: bool,
    /// The list: CSV (any delimiter, UTF-8 or UTF-16 with a BOM) or XLSX.
    pub file: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = args.source.trim();
    anyhow::ensure!(!source.is_empty(), "--source must name the list");
    let overrides = args
        .maps
        .iter()
        .map(|m| parse_override(m).with_context(|| format!("--map {m}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let table =
        read_table(bytes).with_context(|| format!("cannot read {}", args.file.display()))?;
    let mapping = map_columns(&table.header, &overrides)?;
    // A column no field claims is not imported: say so rather than drop it quietly.
    let unmapped: Vec<&str> = mapping
        .unmapped()
        .into_iter()
        .map(|i| table.header[i].as_str())
        .filter(|h| !h.trim().is_empty())
        .collect();
    if !unmapped.is_empty() {
        eprintln!(
            "columns not imported (map them with --map COLUMN=FIELD): {}",
            unmapped.join(", ")
        );
    }

    let store = args.db.open().await?;
    let op_id = OperationId::parse(&args.operation)?;
    let operation = store
        .get_operation(&op_id)
        .await
        .with_context(|| format!("operation {op_id}"))?;
    let schemes = store.scheme_codes(&op_id).await?;

    // Validation runs before the write lock is taken, so other writers wait only
    // for the inserts.
    let options = ValidationOptions::afghan(chrono::Utc::now().date_naive());
    let plan = plan_import(&table, &mapping, &schemes, &options);
    let read = table.rows.len();
    let rejected = plan.rejected.len();
    let accepted: usize = plan.cases.iter().map(|c| c.members.len()).sum();
    // Nothing silently dropped: checked before anything is stored.
    anyhow::ensure!(
        read == accepted + rejected,
        "internal error: {read} rows read but {accepted} accepted and {rejected} rejected"
    );

    let rejected_path = rejected_path(&args.file);
    let file = std::fs::File::create(&rejected_path)
        .with_context(|| format!("cannot write {}", rejected_path.display()))?;
    write_rejected(std::io::BufWriter::new(file), &table.header, &plan.rejected)?;

    // The registry as it stands, to match the list against.
    let mut registry = store.registry_persons(&op_id, None).await?;
    let new: Vec<RegistryPerson> = if args.dry_run {
        // Not stored: the list's people get ids of their own for the count.
        plan.cases
            .iter()
            .flat_map(|case| {
                let case_id = CaseId::new();
                case.members.iter().map(move |details| RegistryPerson {
                    id: PersonId::new(),
                    case_id,
                    details: details.clone(),
                })
            })
            .collect()
    } else {
        // One transaction for the whole list: all of it is stored, or none.
        let mut tx = store.write(Actor::Console).await?;
        let source = format!("import:{source}");
        let progress = std::io::stderr().is_terminal();
        let mut ids = HashSet::new();
        for (i, case) in plan.cases.iter().enumerate() {
            ids.insert(tx.create_case(&operation, case, &source).await?);
            if progress && (i % 100 == 99 || i + 1 == plan.cases.len()) {
                eprint!("\rstored {}/{} cases", i + 1, plan.cases.len());
            }
        }
        if progress && !plan.cases.is_empty() {
            eprintln!();
        }
        tx.commit().await?;
        let all = store.registry_persons(&op_id, None).await?;
        let (new, old): (Vec<_>, Vec<_>) = all.into_iter().partition(|p| ids.contains(&p.case_id));
        registry = old;
        new
    };
    // Matched as the server would match them; the pairs of a real import go
    // to the review queue.
    let (found, new) = tokio::task::spawn_blocking(move || {
        let found = web::matcher::suspected(&registry, &new);
        (found, new)
    })
    .await?;
    let listed: HashSet<PersonId> = new.iter().map(|p| p.id).collect();
    let suspected = found
        .iter()
        .flat_map(|f| [f.person_a, f.person_b])
        .filter(|p| listed.contains(p))
        .collect::<HashSet<_>>()
        .len();
    if !args.dry_run {
        web::matcher::record(&store, &op_id, &found).await?;
    }

    if args.json {
        println!(
            "{{\"read\":{read},\"accepted\":{accepted},\"rejected\":{rejected},\"suspected_duplicates\":{suspected}}}"
        );
    } else {
        println!(
            "read {read} rows: {accepted} accepted in {} cases, {rejected} rejected",
            plan.cases.len()
        );
        if rejected > 0 {
            println!("rejected rows and reasons: {}", rejected_path.display());
        }
        if suspected > 0 {
            println!(
                "{suspected} people may already be registered{}",
                if args.dry_run {
                    ""
                } else {
                    ": see the review queue of suspected duplicates"
                }
            );
        }
        if !plan.promoted.is_empty() {
            println!(
                "no principal given, first member made principal: {}",
                first_few(&plan.promoted)
            );
        }
        if !plan.follow_up.is_empty() {
            println!(
                "households with rejected rows, to follow up: {}",
                first_few(&plan.follow_up)
            );
        }
        if args.dry_run {
            println!("dry run: nothing stored");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Households named in the summary: a screenful, not the whole list.
fn first_few(labels: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = labels[..labels.len().min(SHOWN)].join(", ");
    if labels.len() > SHOWN {
        s.push_str(&format!(" and {} more", labels.len() - SHOWN));
    }
    s
}

/// `staff.csv` gives `staff.rejected.csv`, beside it.
fn rejected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    input.with_file_name(format!("{stem}.rejected.csv"))
}
