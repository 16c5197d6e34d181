use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use domain::audit::Actor;
use domain::{OperationId, Role};
use store::{NewUser, Store};

use crate::database::DatabaseArgs;

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; the password comes from a prompt or --password-file.
    Add(AddArgs),
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// hq_admin, consular_officer, case_worker, gate_officer, liaison or auditor.
    #[arg(long)]
    pub role: Role,
    /// The operation the user works in (all operations when left out).
    #[arg(long)]
    pub operation: Option<OperationId>,
    /// A liaison officer's nation (ISO 3166 alpha-3 or alliance name).
    #[arg(long)]
    pub nation: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    pub username: String,
}

pub async fn run(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add(a) => {
            let password = match &a.password_file {
                Some(f) => std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read {}", f.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                None => {
                    let p = rpassword::prompt_password("Password: ")?;
                    if p != rpassword::prompt_password("Again: ")? {
                        bail!("the passwords differ");
                    }
                    p
                }
            };
            let store = a.db.open().await?;
            if let Some(op) = &a.operation {
                store.get_operation(op).await.context("no such operation")?;
            }
            let user = add(
                &store,
                &a.username,
                a.role,
                a.operation.clone(),
                a.nation.clone(),
                &password,
            )
            .await?;
            println!(
                "created {} ({}) with id {}",
                user.username, user.role, user.id
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Creates a user after checking the username and password rules.
pub async fn add(
    store: &Store,
    username: &str,
    role: Role,
    operation: Option<OperationId>,
    nation: Option<String>,
    password: &str,
) -> anyhow::Result<domain::User> {
    for check in [
        domain::user::check_username(username),
        domain::user::check_password(password),
    ] {
        if let Err(e) = check {
            let f = &e.0[0];
            bail!("{}: {}", f.field, f.message);
        }
    }
    let password_hash = web::auth::password::hash(password)?;
    let mut tx = store.write(Actor::Console).await?;
    let user = tx
        .create_user(&NewUser {
            username: username.to_owned(),
            role,
            operation_id: operation,
            nation,
            password_hash,
        })
        .await?;
    tx.commit().await?;
    Ok(user)
}
