//! The case search's index of name words (keyed blind indexes, never the
//! words). New words are appended to `name_tokens_recent` as cases are
//! written; [`Store::merge_recent_name_words_of`] moves them into
//! `name_tokens` in sorted passes, so that a surge rewrites each page of the
//! index about once a second instead of once per group commit. The search
//! reads both.
//!
//! The recent words are kept in [`PARTS`] parts by the first digit of their
//! blind index, so that each part's words go to one stretch of the index's
//! keys (those of an operation are ordered by word): a merge of one part
//! rewrites only that stretch, and holds the writer for that long.

use domain::audit::Actor;

use crate::{Store, StoreError};

/// How many parts the recent words are kept in.
pub const PARTS: u8 = 8;

/// The part of the recent words that a blind index belongs to: its first
/// hex digit, sixteen of them shared evenly among the parts.
pub(crate) fn part_of(token: &str) -> i64 {
    let digit = token
        .as_bytes()
        .first()
        .and_then(|&b| char::from(b).to_digit(16))
        .unwrap_or(0);
    i64::from(digit) * i64::from(PARTS) / 16
}

/// The parts that the recent words among `tokens` are in, as a list of SQL
/// numbers (ours, never the user's).
pub(crate) fn parts_sql<'a>(tokens: impl IntoIterator<Item = &'a String>) -> String {
    let mut parts: Vec<i64> = tokens.into_iter().map(|t| part_of(t)).collect();
    parts.sort_unstable();
    parts.dedup();
    sql_list(parts)
}

/// Every part, as [`parts_sql`] writes them: for looking a case up by its
/// id, whichever parts its words are in.
pub(crate) fn all_parts_sql() -> String {
    sql_list((0..PARTS).map(i64::from))
}

fn sql_list(parts: impl IntoIterator<Item = i64>) -> String {
    parts
        .into_iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Moves one part of the recent name words into the index; returns how
    /// many moved. Nothing is written (no lock taken) when the part is empty.
    pub async fn merge_recent_name_words_of(&self, part: u8) -> Result<u64, StoreError> {
        let part = i64::from(part);
        let waiting =
            sqlx::query("SELECT 1 AS one FROM name_tokens_recent WHERE part = $1 LIMIT 1")
                .bind(part)
                .fetch_optional(&self.pool)
                .await?;
        if waiting.is_none() {
            return Ok(0);
        }
        // Under the write lock no word joins the part between the two statements.
        let mut tx = self.write(Actor::System).await?;
        let moved = sqlx::query(
            "INSERT INTO name_tokens (operation_id, token, case_id) \
             SELECT operation_id, token, case_id FROM name_tokens_recent WHERE part = $1 \
             ORDER BY operation_id, token, case_id ON CONFLICT DO NOTHING",
        )
        .bind(part)
        .execute(tx.conn())
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM name_tokens_recent WHERE part = $1")
            .bind(part)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Moves all the recent name words into the index, a part at a time.
    pub async fn merge_recent_name_words(&self) -> Result<u64, StoreError> {
        let mut moved = 0;
        for part in 0..PARTS {
            moved += self.merge_recent_name_words_of(part).await?;
        }
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_share_the_hex_digits_evenly_and_in_order() {
        let parts: Vec<i64> = "0123456789abcdef"
            .chars()
            .map(|d| part_of(&format!("{d}0ff")))
            .collect();
        assert_eq!(parts, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]);
        let tokens = ["f1".to_string(), "0a".into(), "e2".into()];
        assert_eq!(parts_sql(&tokens), "0, 7");
        assert_eq!(all_parts_sql(), "0, 1, 2, 3, 4, 5, 6, 7");
    }
}
