//! Where the data lives: `--database URL` (or `MUSTER_DATABASE_URL`) for
//! PostgreSQL or SQLite, otherwise a SQLite file in `--data-dir`.

use std::path::PathBuf;

use anyhow::Context;
use store::{MasterKey, MasterKeySource, Store};

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
    /// File holding the master key (64 hex characters), created if missing.
    /// Default: `master.key` in the data directory. Keep it away from the
    /// database's backups: together they open the personal data.
    #[arg(long, env = "MUSTER_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    /// The master key itself, 64 hex characters (instead of a file).
    #[arg(long, env = "MUSTER_MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key: Option<String>,
    /// A passphrase to derive the master key from (Argon2id), instead of a key.
    #[arg(
        long,
        env = "MUSTER_MASTER_PASSPHRASE",
        global = true,
        hide_env_values = true
    )]
    pub master_passphrase: Option<String>,
}

impl DatabaseArgs {
    /// The master key as configured: given, derived from a passphrase, or the
    /// key file (made on first use, so that the demo needs no configuration).
    pub fn master_key_source(&self) -> anyhow::Result<MasterKeySource> {
        if let Some(hex) = &self.master_key {
            return Ok(MasterKeySource::Key(
                MasterKey::from_hex(hex).context("MUSTER_MASTER_KEY")?,
            ));
        }
        if let Some(p) = &self.master_passphrase {
            return Ok(MasterKeySource::Passphrase(p.clone()));
        }
        let path = match &self.master_key_file {
            Some(p) => p.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!("cannot create data directory {}", self.data_dir.display())
                })?;
                self.data_dir.join("master.key")
            }
        };
        let fresh = !path.exists();
        let key = MasterKey::load_or_create(&path)
            .with_context(|| format!("master key file {}", path.display()))?;
        if fresh {
            eprintln!(
                "Created the master key {}: keep it safe and apart from backups; without it the personal data cannot be read.",
                path.display()
            );
        }
        Ok(MasterKeySource::Key(key))
    }

    /// The database's URL: `--database`, or the SQLite file in `--data-dir`.
    pub fn url(&self) -> anyhow::Result<String> {
        Ok(match &self.database {
            Some(url) => url.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!("cannot create data directory {}", self.data_dir.display())
                })?;
                store::backend::sqlite_url_for_dir(&self.data_dir)
            }
        })
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let url = self.url()?;
        let store = Store::connect(&url, self.master_key_source()?)
            .await
            .context("cannot open the database")?;
        tracing::info!(backend = store.backend().name(), "database ready");
        Ok(store)
    }
}
