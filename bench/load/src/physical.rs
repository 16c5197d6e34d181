//! The physical limit: how fast the database itself can take the very rows
//! the surge wrote, with the same durability and no Muster in the way.
//!
//! After the surge, the households it registered are copied, by the database
//! engine, from the server's tables into empty tables of the same shape in the
//! same database server (SQLite: a file beside the server's, attached, WAL
//! with synchronous=FULL; PostgreSQL: a schema of its own, fsync as the
//! server has it), `group` households per committed transaction. Every row a
//! registration writes is copied: the case, its persons, its name tokens, its
//! first event, its registration record and its audit event. No parsing,
//! validation, encryption or HTTP: what is left is what the disk and the
//! engine can do, the ceiling Muster's rate is a fraction of.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

/// The tables one registration writes, parents first.
const TABLES: [&str; 6] = [
    "cases",
    "persons",
    "name_tokens",
    "case_events",
    "registration_requests",
    "audit_events",
];

/// Each table's rows for the households in `batch`.
fn rows_of(table: &str) -> &'static str {
    match table {
        "cases" => "id IN (SELECT id FROM batch)",
        "audit_events" => "target_kind = 'case' AND target_id IN (SELECT id FROM batch)",
        _ => "case_id IN (SELECT id FROM batch)",
    }
}

#[derive(Debug, Serialize)]
pub struct Limit {
    /// Households per committed transaction.
    pub group: usize,
    pub households: usize,
    pub seconds: f64,
    pub households_per_second: f64,
}

/// Measures the limit on the server's database at `url` (`sqlite://PATH`
/// or `postgres://...`) for the registered `cases`.
pub async fn measure(url: &str, cases: &[String], groups: &[usize]) -> anyhow::Result<Vec<Limit>> {
    if cases.is_empty() {
        bail!("no registration was acknowledged: nothing to copy");
    }
    let mut out = Vec::new();
    for &group in groups {
        let limit = if let Some(path) = url.strip_prefix("sqlite://") {
            sqlite(
                Path::new(path.split('?').next().unwrap_or(path)),
                cases,
                group,
            )
            .await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres(url, cases, group).await?
        } else {
            bail!("--database must be sqlite://PATH or postgres://...");
        };
        eprintln!(
            "physical limit, {group} per commit: {:.0} households/s",
            limit.households_per_second
        );
        out.push(limit);
    }
    Ok(out)
}

fn scratch_path(db: &Path) -> PathBuf {
    db.with_file_name("physical-limit.db")
}

async fn sqlite(db: &Path, cases: &[String], group: usize) -> anyhow::Result<Limit> {
    let scratch = scratch_path(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    sqlx::query("ATTACH DATABASE $1 AS phys")
        .bind(scratch.display().to_string())
        .execute(&mut conn)
        .await?;
    conn.execute(
        "PRAGMA phys.journal_mode = WAL; PRAGMA phys.synchronous = FULL; PRAGMA foreign_keys = ON",
    )
    .await?;
    // The same tables and indexes, in the attached file.
    for table in TABLES {
        let ddl: Vec<(String, String)> = sqlx::query_as(
            "SELECT type, sql FROM main.sqlite_master WHERE tbl_name = $1 AND sql IS NOT NULL \
             ORDER BY type = 'index'",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await?;
        for (kind, sql) in ddl {
            let sql = if kind == "table" {
                sql.replacen("CREATE TABLE ", "CREATE TABLE phys.", 1)
            } else {
                sql.replacen("CREATE INDEX ", "CREATE INDEX phys.", 1)
                    .replacen("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX phys.", 1)
            };
            conn.execute(sql.as_str()).await?;
        }
    }
    conn.execute("CREATE TEMP TABLE batch (id TEXT PRIMARY KEY)")
        .await?;
    let started = Instant::now();
    for chunk in cases.chunks(group) {
        let mut tx = conn.begin().await?;
        tx.execute("DELETE FROM temp.batch").await?;
        for id in chunk {
            sqlx::query("INSERT INTO temp.batch (id) VALUES ($1)")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for table in TABLES {
            let sql = format!(
                "INSERT INTO phys.{table} SELECT * FROM main.{table} WHERE {}",
                rows_of(table)
            );
            tx.execute(sql.as_str()).await?;
        }
        tx.commit().await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    conn.execute("DETACH DATABASE phys").await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    Ok(Limit {
        group,
        households: cases.len(),
        seconds,
        households_per_second: cases.len() as f64 / seconds,
    })
}

async fn postgres(url: &str, cases: &[String], group: usize) -> anyhow::Result<Limit> {
    let mut conn = PgConnection::connect(url)
        .await
        .context("connecting to PostgreSQL")?;
    conn.execute("DROP SCHEMA IF EXISTS physical_limit CASCADE; CREATE SCHEMA physical_limit")
        .await?;
    for table in TABLES {
        // LIKE ... INCLUDING ALL copies columns, defaults, constraints and
        // indexes; foreign keys are not copied.
        let sql =
            format!("CREATE TABLE physical_limit.{table} (LIKE public.{table} INCLUDING ALL)");
        conn.execute(sql.as_str()).await?;
    }
    conn.execute("CREATE TEMP TABLE batch (id TEXT PRIMARY KEY)")
        .await?;
    let started = Instant::now();
    for chunk in cases.chunks(group) {
        let mut tx = conn.begin().await?;
        tx.execute("TRUNCATE batch").await?;
        sqlx::query("INSERT INTO batch (id) SELECT unnest($1::text[])")
            .bind(chunk)
            .execute(&mut *tx)
            .await?;
        for table in TABLES {
            let sql = format!(
                "INSERT INTO physical_limit.{table} SELECT * FROM public.{table} WHERE {}",
                rows_of(table)
            );
            tx.execute(sql.as_str()).await?;
        }
        tx.commit().await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    conn.execute("DROP SCHEMA physical_limit CASCADE").await?;
    Ok(Limit {
        group,
        households: cases.len(),
        seconds,
        households_per_second: cases.len() as f64 / seconds,
    })
}
