use std::net::SocketAddr;
use std::process::ExitCode;

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Set when clients reach Muster over TLS (directly or through a proxy):
    /// cookies become Secure and responses carry HSTS.
    #[arg(long, env = "MUSTER_BEHIND_TLS")]
    pub behind_tls: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    serve(store, args.listen, args.behind_tls).await
}

pub async fn serve(
    store: store::Store,
    listen: SocketAddr,
    behind_tls: bool,
) -> anyhow::Result<ExitCode> {
    let state = web::AppState::new(store, web::Config { behind_tls });
    eprintln!("Muster is serving on http://{listen}");
    web::serve(state, listen).await?;
    Ok(ExitCode::SUCCESS)
}
