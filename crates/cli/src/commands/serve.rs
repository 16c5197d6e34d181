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
    /// Self-registrations accepted per client address and hour (0: no limit).
    #[arg(long, env = "MUSTER_REGISTRATIONS_PER_HOUR", default_value_t = web::Config::default().registrations_per_hour)]
    pub registrations_per_hour: u32,
    /// Domain of the PFIF record ids of persons registered here
    /// (`DOMAIN/person.ID`); the request's host when not given.
    #[arg(long, env = "MUSTER_PFIF_DOMAIN")]
    pub pfif_domain: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let config = web::Config {
        behind_tls: args.behind_tls,
        registrations_per_hour: args.registrations_per_hour,
        pfif_domain: args.pfif_domain,
    };
    serve(store, args.listen, config).await
}

pub async fn serve(
    store: store::Store,
    listen: SocketAddr,
    config: web::Config,
) -> anyhow::Result<ExitCode> {
    let state = web::AppState::new(store, config);
    eprintln!("Muster is serving on http://{listen}");
    web::serve(state, listen).await?;
    Ok(ExitCode::SUCCESS)
}
