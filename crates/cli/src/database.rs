//! Where the data lives: `--database URL` (or `MUSTER_DATABASE_URL`) for
//! PostgreSQL or SQLite, otherwise a SQLite file in `--data-dir`.

use std::path::PathBuf;

use anyhow::Context;
use store::Store;

#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory for the SQLite database (created if missing).
    #[arg(long, default_value = "./muster-data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL (postgres://... or sqlite://...); overrides --data-dir.
    #[arg(
        long,
        env = "MUSTER_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database: Option<String>,
}

impl DatabaseArgs {
    pub async fn open(&self) -> anyhow::Result<Store> {
        let url = match &self.database {
            Some(url) => url.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!("cannot create data directory {}", self.data_dir.display())
                })?;
                store::backend::sqlite_url_for_dir(&self.data_dir)
            }
        };
        let store = Store::connect(&url)
            .await
            .context("cannot open the database")?;
        tracing::info!(backend = store.backend().name(), "database ready");
        Ok(store)
    }
}
