//! `muster backup --out FILE` and `muster restore FILE`: the SQLite database
//! copied while in use (`VACUUM INTO`), or PostgreSQL with `pg_dump` and
//! `pg_restore`. Sealed fields stay sealed: a backup is opened with the same
//! master key, which it does not contain.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context;
use store::{Backend, ChainReport, Store};

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Where to write the backup (must not exist).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Replace a database that is already there.
    #[arg(long)]
    pub force: bool,
    /// A file written by `muster backup`.
    pub file: PathBuf,
}

/// A PostgreSQL client tool: on the PATH, or in Debian's versioned folders.
fn pg_tool(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run_tool(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("cannot run {what}"))?;
    anyhow::ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        !args.out.exists(),
        "{} exists already: choose a new file",
        args.out.display()
    );
    let url = args.db.url()?;
    match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let store = args.db.open().await?;
            store
                .backup_sqlite(&args.out)
                .await
                .context("the backup failed")?;
        }
        Backend::Postgres => {
            let mut cmd = Command::new(pg_tool("pg_dump"));
            cmd.args(["--format=custom", "--no-owner", "--file"])
                .arg(&args.out)
                .arg(&url);
            run_tool(cmd, "pg_dump")?;
        }
    }
    let size = std::fs::metadata(&args.out)?.len();
    println!(
        "backup written: {} ({size} bytes); keep the master key apart from it",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn sqlite_file(url: &str) -> PathBuf {
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default();
    PathBuf::from(path)
}

fn copy_into_place(from: &Path, to: &Path, force: bool) -> anyhow::Result<()> {
    if to.exists() {
        anyhow::ensure!(force, "{} exists: pass --force to replace it", to.display());
    }
    // The old database's log files belong to it, not to the restored copy.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", to.display()));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    let partial = to.with_extension("restoring");
    std::fs::copy(from, &partial).with_context(|| format!("cannot read {}", from.display()))?;
    std::fs::rename(&partial, to)?;
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let url = args.db.url()?;
    match Backend::from_url(&url)? {
        Backend::Sqlite => copy_into_place(&args.file, &sqlite_file(&url), args.force)?,
        Backend::Postgres => {
            let mut cmd = Command::new(pg_tool("pg_restore"));
            cmd.args(["--no-owner", "--clean", "--if-exists", "--dbname"])
                .arg(&url)
                .arg(&args.file);
            run_tool(cmd, "pg_restore")?;
        }
    }
    // Opening checks the master key; the chain shows the copy is whole.
    let store: Store = args.db.open().await?;
    match store.verify_audit().await? {
        ChainReport::Intact { events } => {
            println!("restored: audit chain intact ({events} events)");
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(e) => {
            println!("restored, but the audit chain is BROKEN: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
