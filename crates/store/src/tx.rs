//! The write transaction. It takes the audit chain's head row first, which
//! makes writers queue on both backends (SQLite's single writer, a row lock on
//! PostgreSQL, also across several Muster servers) and gives each event the
//! next sequence number without gaps.
//!
//! On SQLite the writers of one process first queue on an in-process lock, in
//! the order they came: SQLite's own wait for its write lock is a sleep and
//! retry, in which a writer can lose its turn again and again (in a surge the
//! registrar waited up to 1.7 s behind the matcher's short writes). Other
//! processes (`muster import`) still meet SQLite's busy timeout.

use chrono::{DateTime, Utc};
use domain::audit::{Actor, AuditEntry, AuditEvent};
use sqlx::{AnyConnection, AnyPool, Row};
use std::sync::Arc;

use domain::OperationId;

use crate::keyring::Keyring;
use crate::sealing::DataKey;

use crate::codec;
use crate::{Backend, StoreError};

/// How long a writer waits for its turn (SQLite's busy timeout is the same).
const TURN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    /// This process's turn to write on SQLite, held until the write ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    keys: Arc<Keyring>,
    backend: Backend,
    actor: Actor,
    seq: i64,
    hash: String,
    now: DateTime<Utc>,
}

impl WriteTx {
    pub(crate) async fn begin(
        pool: &AnyPool,
        gate: Option<&Arc<tokio::sync::Mutex<()>>>,
        keys: Arc<Keyring>,
        backend: Backend,
        actor: Actor,
    ) -> Result<Self, StoreError> {
        let turn = match gate {
            // As long as SQLite's busy timeout: a writer that never ends (a
            // bug) makes the others fail, not hang.
            Some(gate) => Some(
                tokio::time::timeout(TURN_TIMEOUT, gate.clone().lock_owned())
                    .await
                    .map_err(|_| StoreError::Unavailable)?,
            ),
            None => None,
        };
        let mut tx = pool.begin().await?;
        // A write as the first statement: SQLite then takes the write lock at once
        // (waiting on busy_timeout) instead of failing on upgrade later.
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(Self {
            seq: head.try_get("seq")?,
            hash: head.try_get("hash")?,
            tx,
            _turn: turn,
            keys,
            backend,
            actor,
            // Taken once the write lock is held, so that the times of one
            // server's writes follow their commit order; the matcher's
            // catch-up reads from the latest time it has seen on that basis.
            now: codec::now(),
        })
    }

    /// Rows of `cols` columns per multi-row statement (a power of two, for
    /// [`shaped_chunks`]). SQLite takes up to 32,766 parameters in one
    /// statement and PostgreSQL 65,535; fewer statements mean fewer trips to
    /// the connection (on SQLite, to its thread).
    pub(crate) fn rows_per_statement(&self, cols: usize) -> usize {
        let params = match self.backend {
            Backend::Sqlite => 4_096,
            Backend::Postgres => 8_192,
        };
        let rows = (params / cols.max(1)).max(1);
        1 << rows.ilog2()
    }

    /// The parameters of a multi-row insert of `rows` rows of `cols` columns,
    /// bound in the order they appear, for a statement that has no others.
    /// PostgreSQL's are numbered. SQLite's are `?`: sqlx binds a numbered
    /// parameter by its name, which SQLite finds by scanning the names of
    /// all of them, so binding a statement of numbered parameters costs the
    /// square of their count (in a surge, 5.9 % of the server's CPU and a
    /// quarter of the writer's, with statements of at most 512).
    pub(crate) fn values_list(&self, rows: usize, cols: usize) -> String {
        match self.backend {
            Backend::Sqlite => in_order_values_list(rows, cols),
            Backend::Postgres => values_list(rows, cols),
        }
    }

    /// Inserts a row into `table`'s `columns` for each of `items`, in as few
    /// statements as the parameter limits allow; `row` binds an item's values,
    /// one per column in order, given the item's index in `items`.
    ///
    /// On PostgreSQL the chunks' lengths are powers of two ([`shaped_chunks`]).
    /// On SQLite only the last chunk is shorter than a statement's most, and it
    /// is padded with rows of NULLs up to a power of two that the statement
    /// filters out again ([`padded_values_list`]): a batch takes one statement
    /// per table, of one of a few shapes (each prepared once). A statement is a
    /// round trip to the connection's thread, and in a surge the writer's
    /// thread and the registrar's spent as long waiting for a core between
    /// them as running. So the first column must never be NULL.
    pub(crate) async fn insert_rows<'a, T>(
        &mut self,
        table: &str,
        columns: &[&str],
        items: &'a [T],
        mut row: impl FnMut(&mut Rows<'a>, usize, &'a T),
    ) -> Result<(), StoreError> {
        let cols = columns.len();
        let most = self.rows_per_statement(cols);
        let chunks: Vec<&'a [T]> = match self.backend {
            Backend::Sqlite => items.chunks(most).collect(),
            Backend::Postgres => shaped_chunks(items, most).collect(),
        };
        let mut done = 0;
        for chunk in chunks {
            let values = match self.backend {
                Backend::Sqlite => padded_values_list(chunk.len(), cols),
                Backend::Postgres => format!("VALUES {}", values_list(chunk.len(), cols)),
            };
            let sql = format!("INSERT INTO {table} ({}) {values}", columns.join(", "));
            let mut rows = Rows::default();
            for (j, item) in chunk.iter().enumerate() {
                row(&mut rows, done + j, item);
                debug_assert_eq!(rows.bound, (j + 1) * cols, "one value per column");
            }
            if self.backend == Backend::Sqlite {
                for _ in 0..(chunk.len().next_power_of_two() - chunk.len()) * cols {
                    rows.bind(None::<String>);
                }
            }
            let arguments = rows.arguments.map_err(sqlx::Error::Encode)?;
            sqlx::query_with(&sql, arguments)
                .execute(&mut *self.tx)
                .await?;
            done += chunk.len();
        }
        Ok(())
    }

    /// The time of this write, the same for every row it touches.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub(crate) fn keys(&self) -> &Keyring {
        &self.keys
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The operation's data key, made in this write if the operation has none.
    pub(crate) async fn data_key(&mut self, op: &OperationId) -> Result<Arc<DataKey>, StoreError> {
        let now = codec::time(self.now);
        self.keys.data_key(&mut self.tx, op, Some(&now)).await
    }

    /// Appends one event to the chain, in this transaction.
    pub(crate) async fn audit(&mut self, entry: AuditEntry) -> Result<(), StoreError> {
        self.audit_all(vec![entry]).await
    }

    /// Appends events to the chain in order, in as few statements as the
    /// parameter limits allow.
    pub(crate) async fn audit_all(&mut self, entries: Vec<AuditEntry>) -> Result<(), StoreError> {
        let mut events = Vec::with_capacity(entries.len());
        for entry in &entries {
            let event = AuditEvent::chain(self.seq + 1, self.now, &self.actor, entry, &self.hash);
            self.seq = event.seq;
            self.hash = event.hash.clone();
            events.push(event);
        }
        self.insert_rows(
            "audit_events",
            &[
                "seq",
                "at",
                "actor",
                "action",
                "target_kind",
                "target_id",
                "detail",
                "prev_hash",
                "hash",
            ],
            &events,
            |r, _, event| {
                r.bind(event.seq)
                    .bind(codec::time(event.at))
                    .bind(event.actor.as_str())
                    .bind(event.action.as_str())
                    .bind(event.target_kind.as_str())
                    .bind(event.target_id.as_str())
                    .bind(event.detail.as_str())
                    .bind(event.prev_hash.as_str())
                    .bind(event.hash.as_str());
            },
        )
        .await?;
        Ok(())
    }

    /// Makes every change of this write durable, with its audit events.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Drops every change of this write.
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Splits `items` into chunks whose lengths are powers of two, at most
/// `max` (itself a power of two): a multi-row statement then has one of a
/// few shapes, each prepared once and reused from the statement cache,
/// instead of a new text (and a new prepare) for every count of rows.
pub(crate) fn shaped_chunks<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    debug_assert!(max.is_power_of_two());
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let len = max.min(1 << rest.len().ilog2());
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        Some(chunk)
    })
}

/// `$first, $first+1, ...`: `n` numbered parameters, for an `IN (...)` list.
pub(crate) fn parameter_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($3, $4)` for a multi-row insert of `rows` rows of `cols` columns.
fn values_list(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// The values of the rows of one [`WriteTx::insert_rows`] statement, in order.
pub(crate) struct Rows<'a> {
    arguments: Result<sqlx::any::AnyArguments<'a>, sqlx::error::BoxDynError>,
    bound: usize,
}

impl Default for Rows<'_> {
    fn default() -> Self {
        Self {
            arguments: Ok(Default::default()),
            bound: 0,
        }
    }
}

impl<'a> Rows<'a> {
    /// The next column's value.
    pub(crate) fn bind<V>(&mut self, value: V) -> &mut Self
    where
        V: 'a + sqlx::Encode<'a, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        use sqlx::Arguments;
        // The first value that cannot be encoded fails the statement.
        if let Ok(arguments) = &mut self.arguments
            && let Err(e) = arguments.add(value)
        {
            self.arguments = Err(e);
        }
        self.bound += 1;
        self
    }
}

/// `SELECT * FROM (VALUES (?, ?), ...) WHERE column1 IS NOT NULL`, of
/// `rows` rows padded to a power of two (see [`WriteTx::insert_rows`]).
fn padded_values_list(rows: usize, cols: usize) -> String {
    format!(
        "SELECT * FROM (VALUES {}) WHERE column1 IS NOT NULL",
        in_order_values_list(rows.next_power_of_two(), cols)
    )
}

/// `(?, ?), (?, ?)`: the same, for SQLite's parameters bound in order.
fn in_order_values_list(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    vec![row; rows].join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn shaped_chunks_are_powers_of_two_in_order() {
        let items: Vec<u32> = (0..45).collect();
        let lengths: Vec<usize> = super::shaped_chunks(&items, 16).map(<[u32]>::len).collect();
        assert_eq!(lengths, [16, 16, 8, 4, 1]);
        let joined: Vec<u32> = super::shaped_chunks(&items, 16)
            .flatten()
            .copied()
            .collect();
        assert_eq!(joined, items);
        assert_eq!(super::shaped_chunks(&items[..0], 16).count(), 0);
    }

    #[test]
    fn values_lists_number_parameters_in_order() {
        assert_eq!(super::values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::in_order_values_list(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(super::in_order_values_list(0, 3), "");
    }

    #[test]
    fn padded_values_lists_round_up_to_a_power_of_two() {
        assert_eq!(
            super::padded_values_list(3, 2),
            "SELECT * FROM (VALUES (?, ?), (?, ?), (?, ?), (?, ?)) WHERE column1 IS NOT NULL"
        );
        assert_eq!(
            super::padded_values_list(1, 1),
            "SELECT * FROM (VALUES (?)) WHERE column1 IS NOT NULL"
        );
    }

    #[test]
    fn parameter_list_numbers_from_the_first() {
        assert_eq!(super::parameter_list(2, 3), "$2, $3, $4");
        assert_eq!(super::parameter_list(1, 0), "");
    }
}
