//! SQLite's checkpoints, beside the writer rather than in its way.
//!
//! In WAL mode a commit appends its pages to the log and syncs the log. By
//! default the commit that takes the log past 1,000 pages then also copies
//! the log into the database file and syncs that (a checkpoint), still
//! holding the write lock: in a surge, a group commit every few waited behind
//! one. Here a connection of its own checkpoints every [`EVERY`], at
//! background priority; a passive checkpoint takes no write lock, so the
//! writer goes on meanwhile. The writer's connection still checkpoints, as a
//! backstop, once the log passes [`WRITER_CHECKPOINTS_AT`] pages: the log only
//! starts again from its beginning after a checkpoint that left nothing
//! behind, which in a surge only the writer's own can promise.
//!
//! Durability is as before: every commit syncs the log, and a page leaves the
//! log only once it is in the database file.

use std::time::Duration;

use sqlx::{AnyPool, Row};
use tokio::task::JoinHandle;

use crate::StoreError;

/// How often the log is copied into the database file.
pub(crate) const EVERY: Duration = Duration::from_millis(250);

/// The log's length, in pages, past which the writer checkpoints after its
/// commit (SQLite's default is 1,000): 40 MiB of 4 KiB pages, a few seconds
/// of a surge.
pub(crate) const WRITER_CHECKPOINTS_AT: u32 = 10_000;

/// The checkpointing task; it stops when the store's last handle is dropped
/// or the store is closed.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    task: JoinHandle<()>,
}

impl Checkpointer {
    /// Starts checkpointing through `pool` (one connection of its own),
    /// which must have been opened from a background thread.
    pub(crate) fn start(pool: AnyPool) -> Self {
        let task = crate::priority::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !pool.is_closed() {
                ticks.tick().await;
                match checkpoint(&pool).await {
                    Ok(Progress { log, copied, .. }) if log > 0 => {
                        tracing::trace!(log, copied, "checkpoint")
                    }
                    Ok(_) => {}
                    // The writer's backstop copies the log meanwhile.
                    Err(e) => tracing::warn!(error = e.class(), "a checkpoint failed"),
                }
            }
        });
        Self { task }
    }

    pub(crate) fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a checkpoint did: whether another stood in its way, the pages in
/// the log, and how many of them are now in the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    pub busy: bool,
    pub log: i64,
    pub copied: i64,
}

/// One passive checkpoint: copies what no reader still needs from the log.
pub(crate) async fn checkpoint(pool: &AnyPool) -> Result<Progress, StoreError> {
    run(pool, "PRAGMA wal_checkpoint(PASSIVE)").await
}

/// Copies the whole log into the database file and empties it, waiting (up
/// to SQLite's busy timeout each time) for readers, the writer, and another
/// checkpoint in progress, which SQLite does not wait for but answers busy.
pub(crate) async fn truncate(pool: &AnyPool) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    loop {
        if !run(pool, "PRAGMA wal_checkpoint(TRUNCATE)").await?.busy {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(StoreError::Unavailable);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn run(pool: &AnyPool, pragma: &str) -> Result<Progress, StoreError> {
    let row = sqlx::query(pragma).fetch_one(pool).await?;
    Ok(Progress {
        busy: row.try_get::<i64, _>(0)? != 0,
        log: row.try_get(1)?,
        copied: row.try_get(2)?,
    })
}

#[cfg(test)]
mod tests {
    use domain::audit::Actor;
    use sqlx::Row;

    use super::WRITER_CHECKPOINTS_AT;

    #[tokio::test]
    async fn the_log_reaches_the_database_file_without_the_writer() {
        let (store, dir) = crate::testing::sqlite().await;
        let file = dir.path().join("muster.db");
        let size = || std::fs::metadata(&file).expect("the database file").len();
        let before = size();
        let mut tx = store.write(Actor::System).await.expect("a write");
        let autocheckpoint: i64 = sqlx::query("PRAGMA wal_autocheckpoint")
            .fetch_one(tx.conn())
            .await
            .expect("the writer's setting")
            .try_get(0)
            .expect("a number");
        assert_eq!(autocheckpoint, i64::from(WRITER_CHECKPOINTS_AT));
        // About 2,000 pages: past SQLite's own threshold, short of the writer's.
        sqlx::query("CREATE TABLE filler (b BLOB)")
            .execute(tx.conn())
            .await
            .expect("a table");
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO filler SELECT randomblob(3000) FROM n",
        )
        .execute(tx.conn())
        .await
        .expect("filled");
        tx.commit().await.expect("committed");
        let wanted = before + 2000 * 3000;
        let started = std::time::Instant::now();
        while size() < wanted && started.elapsed() < std::time::Duration::from_secs(10) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(size() >= wanted, "{} bytes, {wanted} wanted", size());
    }
}
