//! The case search's index of name words (keyed blind indexes, never the
//! words). New words are appended to `name_tokens_recent` as cases are
//! written; [`Store::merge_recent_name_words`] moves them into `name_tokens`
//! in one sorted pass, so that a surge rewrites each page of the index about
//! once a second instead of once per group commit. The search reads both.

use domain::audit::Actor;
use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Moves the recent name words into the index; returns how many moved.
    /// Nothing is written (no lock taken) when there are none.
    pub async fn merge_recent_name_words(&self) -> Result<u64, StoreError> {
        let waiting: Option<i64> = sqlx::query("SELECT MAX(seq) AS last FROM name_tokens_recent")
            .fetch_one(&self.pool)
            .await?
            .try_get("last")?;
        let Some(last) = waiting else {
            return Ok(0);
        };
        let mut tx = self.write(Actor::System).await?;
        // Up to `last` only: words appended meanwhile wait for the next merge.
        let moved = sqlx::query(
            "INSERT INTO name_tokens (operation_id, token, case_id) \
             SELECT operation_id, token, case_id FROM name_tokens_recent WHERE seq <= $1 \
             ORDER BY operation_id, token, case_id ON CONFLICT DO NOTHING",
        )
        .bind(last)
        .execute(tx.conn())
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM name_tokens_recent WHERE seq <= $1")
            .bind(last)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(moved)
    }
}
