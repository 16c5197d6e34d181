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
//!
//! A search of several words is driven by its rarest one (see
//! [`Store::rarest_first`]): the cases with that word are asked for the
//! others, instead of all the cases of every word being gathered and grouped.

use domain::OperationId;
use domain::audit::Actor;
use sqlx::Row;

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

/// Every part, as a list of SQL numbers: for looking a case up by its
/// id, whichever parts its words are in.
pub(crate) fn all_parts_sql() -> String {
    (0..PARTS)
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ids of the cases with the word bound at `$param` (a blind index in
/// `part`), from both tables; `$1` is the operation.
pub(crate) fn cases_with_word_sql(param: usize, part: i64) -> String {
    format!(
        "{} UNION ALL {}",
        indexed_cases_sql(param),
        recent_cases_sql(param, part)
    )
}

/// The ids of the cases with the word bound at `$param` in the index, in
/// the order of their ids.
pub(crate) fn indexed_cases_sql(param: usize) -> String {
    format!("SELECT case_id FROM name_tokens WHERE operation_id = $1 AND token = ${param}")
}

/// The ids of the cases with the word bound at `$param` (in `part`) among
/// the recent words.
pub(crate) fn recent_cases_sql(param: usize, part: i64) -> String {
    format!(
        "SELECT case_id FROM name_tokens_recent \
         WHERE part = {part} AND operation_id = $1 AND token = ${param}"
    )
}

/// A condition: the case whose id is `case` (a column) has the word bound at
/// `$param` (a blind index in `part`).
///
/// A count, not `EXISTS .. OR EXISTS ..`: PostgreSQL turns the latter into a
/// hash of every case with the word (150 ms for a common name on 1,000,000
/// persons) where this asks each case (5 ms).
pub(crate) fn has_word_sql(case: &str, param: usize, part: i64) -> String {
    format!(
        "(SELECT COUNT(*) FROM ({} AND case_id = {case} UNION ALL {} AND case_id = {case}) found) > 0",
        indexed_cases_sql(param),
        recent_cases_sql(param, part)
    )
}

/// How far [`Store::rarest_first`] counts each word: enough to tell a
/// common name from a very common one, while a count stays a short read of
/// the index.
const RANKED_UP_TO: usize = 5_000;

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

    /// Orders a search's words (blind indexes) rarest first, so that the
    /// first drives the search, and returns how many cases the first has:
    /// each word is counted in the index up to [`RANKED_UP_TO`], leaving out
    /// the recent words (at most a second's). None without words.
    pub(crate) async fn rarest_first(
        &self,
        op: &OperationId,
        words: &mut [String],
    ) -> Result<Option<i64>, StoreError> {
        if words.is_empty() {
            return Ok(None);
        }
        let counts = (0..words.len())
            .map(|i| {
                format!(
                    "(SELECT COUNT(*) FROM ({} LIMIT {RANKED_UP_TO}) w{i}) AS n{i}",
                    indexed_cases_sql(i + 2)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {counts}");
        let mut q = sqlx::query(&sql).bind(op.as_str());
        for w in words.iter() {
            q = q.bind(w.as_str());
        }
        let row = q.fetch_one(&self.pool).await?;
        let mut ranked = words
            .iter()
            .enumerate()
            .map(|(i, w)| Ok((row.try_get::<i64, _>(i)?, w.clone())))
            .collect::<Result<Vec<_>, StoreError>>()?;
        ranked.sort();
        let rarest = ranked[0].0;
        for (slot, (_, w)) in words.iter_mut().zip(ranked) {
            *slot = w;
        }
        Ok(Some(rarest))
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
        assert_eq!(all_parts_sql(), "0, 1, 2, 3, 4, 5, 6, 7");
    }

    #[tokio::test]
    async fn a_search_is_driven_by_its_rarest_word() {
        let (store, _dir) = crate::testing::sqlite().await;
        let op = OperationId::parse("op-words").expect("an operation id");
        let mut tx = store.write(Actor::System).await.expect("a write");
        for (word, cases) in [("aa", 3), ("bb", 1), ("cc", 2)] {
            for i in 0..cases {
                sqlx::query(
                    "INSERT INTO name_tokens (operation_id, token, case_id) VALUES ($1, $2, $3)",
                )
                .bind(op.as_str())
                .bind(word)
                .bind(format!("case-{i}"))
                .execute(tx.conn())
                .await
                .expect("a word");
            }
        }
        tx.commit().await.expect("committed");
        let mut words = ["aa".to_string(), "bb".into(), "cc".into(), "dd".into()];
        let rarest = store.rarest_first(&op, &mut words).await.expect("ranked");
        assert_eq!(
            (words, rarest),
            (["dd", "bb", "cc", "aa"].map(String::from), Some(0))
        );
        let mut words = ["aa".to_string(), "cc".into()];
        let rarest = store.rarest_first(&op, &mut words).await.expect("ranked");
        assert_eq!((words, rarest), (["cc", "aa"].map(String::from), Some(2)));
        assert_eq!(
            store.rarest_first(&op, &mut []).await.expect("ranked"),
            None
        );
    }
}
