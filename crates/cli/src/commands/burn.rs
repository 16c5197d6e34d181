//! `muster burn --operation OP`: destroys the operation's data key, so that
//! its personal data can be read by no one. The operator types the
//! operation's identifier to confirm, or passes `--yes` in a script.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Context;
use domain::OperationId;
use domain::audit::Actor;

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The operation to burn.
    #[arg(long)]
    pub operation: String,
    /// Burn without asking (for scripts).
    #[arg(long)]
    pub yes: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let op = OperationId::parse(&args.operation)?;
    let store = args.db.open().await?;
    store
        .get_operation(&op)
        .await
        .with_context(|| format!("operation {op}"))?;
    if !args.yes {
        let mut err = std::io::stderr();
        writeln!(
            err,
            "This destroys the key of operation {op}: every person's details in it become unreadable, for everyone, for good.\n\
             Counts and the audit trail stay. Backups made before can still be opened with the master key."
        )?;
        write!(err, "Type the operation's identifier to confirm: ")?;
        err.flush()?;
        let mut typed = String::new();
        std::io::stdin().lock().read_line(&mut typed)?;
        if typed.trim() != op.as_str() {
            eprintln!("Not confirmed: nothing was burned.");
            return Ok(ExitCode::from(1));
        }
    }
    let mut tx = store.write(Actor::Console).await?;
    tx.burn(&op).await?;
    tx.commit().await?;
    store.after_burn(&op).await?;
    println!("operation {op} burned: its personal data can no longer be read");
    Ok(ExitCode::SUCCESS)
}
