use std::sync::Arc;
use std::time::Duration;

use store::Store;

use crate::auth::limiter::{GuessLimiter, RequestLimiter};

/// Settings that change how the server behaves towards browsers.
#[derive(Debug, Clone)]
pub struct Config {
    /// Set when Muster is reached over TLS (directly or behind a proxy):
    /// cookies get `Secure` and responses carry HSTS.
    pub behind_tls: bool,
    /// Self-registrations accepted per client address and hour; `0` for no
    /// limit (load tests). Families behind one mobile carrier's NAT share an
    /// address, so the default is generous.
    pub registrations_per_hour: u32,
    /// The address people reach this server at (`https://muster.example.org`):
    /// roll-call links in messages start with it.
    pub public_url: String,
    /// E-mail, SMS and retries of the outbox.
    pub outbox: crate::outbox::OutboxConfig,
    /// The domain of the PFIF record ids Muster gives its own persons
    /// (`DOMAIN/person.ID`); the request's host when not set.
    pub pfif_domain: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            behind_tls: false,
            registrations_per_hour: 60,
            public_url: "http://127.0.0.1:8080".into(),
            outbox: Default::default(),
            pfif_domain: None,
        }
    }
}

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub login_limiter: Arc<GuessLimiter>,
    /// Guesses of registrants' access codes, per case reference and address.
    pub access_limiter: Arc<GuessLimiter>,
    pub registration_limiter: Arc<RequestLimiter>,
    /// Matches new and changed persons against the registry, behind the requests.
    pub matcher: crate::matcher::Matcher,
    /// Staff lists uploaded by officers, waiting for their import.
    pub uploads: Arc<crate::pages::intake::Uploads>,
    /// Sends what the outbox holds, behind the requests that filled it.
    pub outbox: crate::outbox::Outbox,
    /// Writes self-registrations in group commits.
    pub registrar: store::Registrar,
    /// Operations as registrations read them, held for a moment.
    pub intake_contexts: Arc<crate::intake_context::IntakeContexts>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        let registration_limiter = Arc::new(RequestLimiter::new(
            config.registrations_per_hour,
            Duration::from_secs(3600),
        ));
        // A bad transport setting is refused by `muster serve` before this
        // (`OutboxConfig::check`); here it only leaves messages waiting.
        let outbox = crate::outbox::Outbox::start(store.clone(), config.outbox.clone())
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "the outbox worker could not start");
                crate::outbox::Outbox::default()
            });
        Self {
            outbox,
            matcher: crate::matcher::Matcher::start(store.clone()),
            registrar: store::Registrar::start(store.clone()),
            store,
            config: Arc::new(config),
            login_limiter: Arc::default(),
            access_limiter: Arc::default(),
            registration_limiter,
            uploads: Arc::default(),
            intake_contexts: Arc::default(),
        }
    }
}
