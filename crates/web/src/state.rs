use std::sync::Arc;

use store::Store;

use crate::auth::limiter::LoginLimiter;

/// Settings that change how the server behaves towards browsers.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Set when Muster is reached over TLS (directly or behind a proxy):
    /// cookies get `Secure` and responses carry HSTS.
    pub behind_tls: bool,
}

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub login_limiter: Arc<LoginLimiter>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            login_limiter: Arc::new(LoginLimiter::default()),
        }
    }
}
