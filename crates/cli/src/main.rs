//! `muster`: one binary for the server and every command-line task.

mod commands;
mod database;

use clap::{Parser, Subcommand};

/// The matcher's index of a large registry is rebuilt in place as it grows: with
/// glibc's allocator, the space of the tables it outgrew stayed with the process
/// (a 1,000,000-person index: 501 MiB resident for 332 MiB of tables). mimalloc
/// hands it back. Without transparent huge pages (`no_thp`): mimalloc asked for
/// them on its arenas, where a 2 MiB page stays resident whole, and at 1,000,000
/// persons the server held 459 to 470 MiB at rest with them and 371 MiB without,
/// 588 and 515 MiB at a surge's peak, at the same rate (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "muster",
    version,
    about = "Crisis evacuation: posts, registry, eligibility, movements, gate, accountability."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Muster over HTTP.
    Serve(commands::serve::Args),
    /// Load the Kabul 2021 demo operation (once) and serve it.
    Demo(commands::demo::Args),
    /// Manage user accounts.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Check the whole audit chain; exits non-zero naming the first broken event.
    VerifyAudit(commands::verify_audit::Args),
    /// Plan households onto movements (the planning problem format).
    Plan(commands::plan::Args),
    /// Find the same person across the rows of a CSV file.
    Match(commands::match_records::Args),
    /// Import a staff or contractor list (CSV or XLSX) as cases.
    Import(commands::import::Args),
    /// Exchange person records with people-finder registries (PFIF 1.4).
    #[command(subcommand)]
    Pfif(commands::pfif::PfifCommand),
    /// Destroy an operation's data key: its personal data becomes unreadable.
    Burn(commands::burn::Args),
    /// Copy the database to a file while it is in use (sealed fields stay sealed).
    Backup(commands::backup::BackupArgs),
    /// Put a backup in place of the database and check its audit chain.
    Restore(commands::backup::RestoreArgs),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MUSTER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Plan(args) => commands::plan::run(args),
        Command::Match(args) => commands::match_records::run(args),
        other => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| {
                rt.block_on(async move {
                    match other {
                        Command::Serve(a) => commands::serve::run(a).await,
                        Command::Demo(a) => commands::demo::run(a).await,
                        Command::User(c) => commands::user::run(c).await,
                        Command::VerifyAudit(a) => commands::verify_audit::run(a).await,
                        Command::Import(a) => commands::import::run(a).await,
                        Command::Burn(a) => commands::burn::run(a).await,
                        Command::Pfif(c) => commands::pfif::run(c).await,
                        Command::Backup(a) => commands::backup::backup(a).await,
                        Command::Restore(a) => commands::backup::restore(a).await,
                        Command::Plan(_) | Command::Match(_) => unreachable!("handled above"),
                    }
                })
            }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
