//! `muster pfif import`: PFIF 1.4 person and note records into an operation.
//!
//! Reading and the record rules are `formats::pfif`'s. Each person record
//! becomes a one-person case through the store's ordinary case creation (PFIF
//! has no households; a note's `linked_person_record_id` says two records may
//! be the same person, which is the duplicate queue's question, not a reason
//! to join them in one case). Refused records are reported with field and
//! rule; the others are stored in one transaction.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use domain::audit::Actor;
use domain::{FieldError, OperationId};
use formats::pfif::{self, RecordError};
use serde::Serialize;
use store::{Imported, PfifPersonImport, StoreError};

use crate::database::DatabaseArgs;

/// The largest file read: a PFIF record is a few hundred bytes.
const MAX_FILE: u64 = 256 * 1024 * 1024;

#[derive(clap::Subcommand, Debug)]
pub enum PfifCommand {
    /// Import PFIF 1.4 person and note records (XML) into an operation.
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The operation the records go to.
    #[arg(long)]
    pub operation: String,
    /// Print one JSON summary object on stdout.
    #[arg(long)]
    pub json: bool,
    /// The PFIF document.
    pub file: PathBuf,
}

#[derive(Debug, Default, Serialize)]
struct Counts {
    read: usize,
    imported: usize,
    already_imported: usize,
    refused: usize,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    persons: Counts,
    notes: Counts,
    refused: Vec<RecordError>,
}

pub async fn run(cmd: PfifCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PfifCommand::Import(args) => import(args).await,
    }
}

/// A store refusal as the record's reason.
fn refusal(kind: &'static str, record: &str, e: StoreError) -> anyhow::Result<RecordError> {
    match e {
        StoreError::Invalid(errors) => {
            let first: FieldError = errors.0.into_iter().next().context("empty refusal")?;
            Ok(RecordError {
                kind,
                record: record.to_owned(),
                field: first.field,
                rule: "muster_rule",
                message: format!("{} ({})", first.message, first.rule),
            })
        }
        other => Err(other.into()),
    }
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_FILE,
        "{} is larger than 256 MiB",
        args.file.display()
    );
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let doc =
        pfif::parse(&bytes).with_context(|| format!("{} is not PFIF", args.file.display()))?;

    let store = args.db.open().await?;
    let op_id = OperationId::parse(&args.operation)?;
    let operation = store
        .get_operation(&op_id)
        .await
        .with_context(|| format!("operation {op_id}"))?;
    let today = chrono::Utc::now().date_naive();

    let mut summary = Summary::default();
    let nested: usize = doc.persons.iter().map(|p| p.notes.len()).sum();
    let refused_notes = doc.refused.iter().filter(|e| e.kind == "note").count();
    summary.persons.read = doc.persons.len() + doc.refused.len() - refused_notes;
    summary.notes.read = nested + doc.notes.len() + refused_notes;
    summary.persons.refused = doc.refused.len() - refused_notes;
    summary.notes.refused = refused_notes;
    summary.refused = doc.refused.clone();

    let mut tx = store.write(Actor::Console).await?;
    let mut notes = Vec::new();
    for person in &doc.persons {
        let id = person.get("person_record_id").unwrap_or_default();
        let case = pfif::household(person);
        if let Err(errors) = case.check(today) {
            let first = errors.0.into_iter().next().context("empty refusal")?;
            summary.refused.push(RecordError {
                kind: "person",
                record: id.to_owned(),
                field: first.field.trim_start_matches("members[0].").to_owned(),
                rule: "muster_rule",
                message: format!("{} ({})", first.message, first.rule),
            });
            summary.persons.refused += 1;
            summary.notes.refused += person.notes.len();
            continue;
        }
        let mut kept = person.clone();
        let person_notes = std::mem::take(&mut kept.notes);
        let record = serde_json::to_value(&kept)?;
        let import = PfifPersonImport {
            person_record_id: id,
            source_name: person.get("source_name"),
            record: &record,
            case: &case,
        };
        match tx.import_pfif_person(&operation, &import).await {
            Ok(Imported::Created(_)) => summary.persons.imported += 1,
            Ok(Imported::Known(_)) => summary.persons.already_imported += 1,
            Err(e) => {
                summary.refused.push(refusal("person", id, e)?);
                summary.persons.refused += 1;
                summary.notes.refused += person_notes.len();
                continue;
            }
        }
        notes.extend(person_notes);
    }
    // Top-level notes after every person, so that a note may come before the
    // person it is about.
    notes.extend(doc.notes.iter().cloned());
    for note in &notes {
        let id = note.get("note_record_id").unwrap_or_default();
        let person = note.get("person_record_id").unwrap_or_default();
        let record = serde_json::to_value(note)?;
        match tx.import_pfif_note(&op_id, id, person, &record).await {
            Ok(Imported::Created(_)) => summary.notes.imported += 1,
            Ok(Imported::Known(_)) => summary.notes.already_imported += 1,
            Err(e) => {
                summary.refused.push(refusal("note", id, e)?);
                summary.notes.refused += 1;
            }
        }
    }
    tx.commit().await?;

    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        for (what, c) in [("person", &summary.persons), ("note", &summary.notes)] {
            println!(
                "{what} records: {} read, {} imported, {} imported before, {} refused",
                c.read, c.imported, c.already_imported, c.refused
            );
        }
        for e in &summary.refused {
            println!(
                "refused {} {}: {}: {} ({})",
                e.kind, e.record, e.field, e.message, e.rule
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
