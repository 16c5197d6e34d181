use domain::ValidationErrors;

/// What can go wrong in the store. Messages never include personal data:
/// they name kinds of record and ids only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} not found")]
    NotFound { kind: &'static str },
    /// The write conflicts with the current state (a stale version, a taken name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The input broke a rule that needs the database to check (an unknown scheme id).
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error("unsupported database URL: expected sqlite://PATH or postgres://...")]
    UnsupportedUrl,
    /// A stored value that the code cannot read back: a bug or tampering.
    #[error("stored {what} could not be read")]
    Corrupt { what: &'static str },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The operation's data key was destroyed: its personal data is gone.
    #[error("the operation's personal data was burned")]
    Burned,
    #[error("the master key is not the one this database was made with")]
    WrongMasterKey,
    #[error(transparent)]
    Key(#[from] crate::sealing::KeyError),
    /// The store's background writer has stopped (the server is shutting down).
    #[error("the store is shutting down")]
    Unavailable,
}

impl StoreError {
    /// A short class for logs, which never carry an error's details.
    pub fn class(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Invalid(_) => "invalid",
            Self::UnsupportedUrl => "unsupported_url",
            Self::Corrupt { .. } => "corrupt",
            Self::Database(_) => "database",
            Self::Migration(_) => "migration",
            Self::Burned => "burned",
            Self::WrongMasterKey => "wrong_master_key",
            Self::Key(_) => "key",
            Self::Unavailable => "unavailable",
        }
    }

    pub(crate) fn not_found(kind: &'static str) -> Self {
        Self::NotFound { kind }
    }

    /// Maps unique-constraint violations to a conflict with a readable message.
    pub(crate) fn on_unique(e: sqlx::Error, message: &str) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(message.to_owned())
            }
            _ => Self::Database(e),
        }
    }
}
