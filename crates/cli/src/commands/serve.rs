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
    #[command(flatten)]
    pub messaging: MessagingArgs,
}

/// Where roll-call links point, and how the outbox sends e-mail and SMS.
#[derive(clap::Args, Debug, Clone)]
pub struct MessagingArgs {
    /// The address people reach this server at; roll-call links start with it.
    #[arg(
        long,
        env = "MUSTER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// SMTP server for e-mail: smtp://HOST:PORT (plain, a local relay),
    /// smtp://HOST:587?tls=required (STARTTLS) or smtps://HOST:465 (implicit
    /// TLS); smtp://USER:PASSWORD@HOST... to sign in. No e-mail without it.
    #[arg(long, env = "MUSTER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From address of e-mails.
    #[arg(long, env = "MUSTER_SMTP_FROM", default_value = "muster@localhost")]
    pub smtp_from: String,
    /// The SMS gateway's URL. No SMS without it.
    #[arg(long, env = "MUSTER_SMS_URL", hide_env_values = true)]
    pub sms_url: Option<String>,
    /// The HTTP method of a request to the SMS gateway.
    #[arg(long, env = "MUSTER_SMS_METHOD", default_value = "POST")]
    pub sms_method: String,
    /// The request's content type: JSON or form-encoded, which also says how
    /// the placeholders are escaped.
    #[arg(
        long,
        env = "MUSTER_SMS_CONTENT_TYPE",
        default_value = "application/json"
    )]
    pub sms_content_type: String,
    /// The request body, with {to}, {text} and {id} (the message id, also
    /// sent as the Idempotency-Key header).
    #[arg(long, env = "MUSTER_SMS_BODY", default_value = web::outbox::SmsGateway::DEFAULT_TEMPLATE)]
    pub sms_body: String,
    /// Sent as the Authorization header to the gateway.
    #[arg(long, env = "MUSTER_SMS_AUTHORIZATION", hide_env_values = true)]
    pub sms_authorization: Option<String>,
    /// The shared secret the gateway sends (as `Authorization: Bearer
    /// SECRET`) with inbound SMS to POST /api/sms/inbound; without it that
    /// route refuses everything.
    #[arg(long, env = "MUSTER_SMS_INBOUND_SECRET", hide_env_values = true)]
    pub sms_inbound_secret: Option<String>,
    /// Attempts at a message before it is given up.
    #[arg(long, env = "MUSTER_MESSAGE_ATTEMPTS", default_value_t = 8)]
    pub message_attempts: i64,
    /// Seconds before the first retry; each next waits twice as long (at most an hour).
    #[arg(long, env = "MUSTER_MESSAGE_RETRY_SECONDS", default_value_t = 30)]
    pub message_retry_seconds: u64,
}

impl MessagingArgs {
    /// Applies these settings to `config`, refusing ones that cannot work.
    pub fn apply(&self, config: &mut web::Config) -> anyhow::Result<()> {
        config.public_url = self.public_url.trim_end_matches('/').to_owned();
        let o = &mut config.outbox;
        o.smtp_url = self.smtp_url.clone();
        o.smtp_from = self.smtp_from.clone();
        o.sms = self.sms_url.as_ref().map(|url| web::outbox::SmsGateway {
            url: url.clone(),
            method: self.sms_method.clone(),
            content_type: self.sms_content_type.clone(),
            body_template: self.sms_body.clone(),
            authorization: self.sms_authorization.clone(),
        });
        o.sms_inbound_secret = self.sms_inbound_secret.clone();
        o.max_attempts = self.message_attempts.max(1);
        o.retry_base = std::time::Duration::from_secs(self.message_retry_seconds.max(1));
        o.check()?;
        Ok(())
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = web::Config {
        behind_tls: args.behind_tls,
        registrations_per_hour: args.registrations_per_hour,
        ..Default::default()
    };
    // Settings that cannot work are refused before anything is opened.
    args.messaging.apply(&mut config)?;
    let store = args.db.open().await?;
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
