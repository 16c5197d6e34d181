use std::process::ExitCode;

use store::ChainReport;

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    match store.verify_audit().await? {
        ChainReport::Intact { events } => {
            println!("audit chain intact: {events} events");
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(e) => {
            println!("audit chain BROKEN: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
