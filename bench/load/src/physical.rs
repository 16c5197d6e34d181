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

/// What those tables' foreign keys name, copied whole before the clock starts.
const PARENTS: [&str; 3] = ["operations", "schemes", "movements"];

/// Each table's rows for the households in `surge` (with their group `g`).
fn rows_of(table: &str) -> &'static str {
    match table {
        "cases" => "JOIN surge s ON s.id = t.id",
        "audit_events" => "JOIN surge s ON s.id = t.target_id AND t.target_kind = 'case'",
        _ => "JOIN surge s ON s.id = t.case_id",
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

/// Before the clock starts, each table's rows for the surge's households
/// are staged in a temporary table, numbered by their group, so that the
/// timed part is only the writing.
fn stage_sql(table: &str, columns: &str, schema: &str) -> String {
    format!(
        "CREATE TEMP TABLE staged_{table} AS SELECT s.g AS g, {columns} FROM {schema}.{table} t {}; \
         CREATE INDEX staged_{table}_g ON staged_{table}(g)",
        rows_of(table)
    )
}

/// A table's columns as `a, b` and as `t.a, t.b`.
fn column_lists(names: &[(String,)]) -> (String, String) {
    let list = names
        .iter()
        .map(|(n,)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let qualified = names
        .iter()
        .map(|(n,)| format!("t.{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    (list, qualified)
}

fn timed(group: usize, households: usize, started: Instant) -> Limit {
    let seconds = started.elapsed().as_secs_f64();
    Limit {
        group,
        households,
        seconds,
        households_per_second: households as f64 / seconds,
    }
}

async fn sqlite(db: &Path, cases: &[String], group: usize) -> anyhow::Result<Limit> {
    let scratch = scratch_path(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    // ATTACH opens with the main file's flags, which do not create: make it.
    SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", scratch.display()))
        .await
        .with_context(|| format!("creating {}", scratch.display()))?
        .close()
        .await?;
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
    // The same tables and indexes, in the attached file, with the rows of
    // the tables their foreign keys name.
    for table in PARENTS.iter().chain(&TABLES) {
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
    for table in PARENTS {
        let sql = format!("INSERT INTO phys.{table} SELECT * FROM main.{table}");
        conn.execute(sql.as_str()).await?;
    }
    conn.execute("CREATE TEMP TABLE surge (id TEXT PRIMARY KEY, g INTEGER NOT NULL)")
        .await?;
    for (n, id) in cases.iter().enumerate() {
        sqlx::query("INSERT OR IGNORE INTO temp.surge (id, g) VALUES ($1, $2)")
            .bind(id)
            .bind((n / group) as i64)
            .execute(&mut conn)
            .await?;
    }
    let mut columns = Vec::new();
    for table in TABLES {
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut conn)
                .await?;
        let (list, qualified) = column_lists(&names);
        conn.execute(stage_sql(table, &qualified, "main").as_str())
            .await?;
        columns.push(list);
    }
    let groups = cases.len().div_ceil(group);
    let started = Instant::now();
    for g in 0..groups as i64 {
        let mut tx = conn.begin().await?;
        for (table, list) in TABLES.iter().zip(&columns) {
            let sql = format!(
                "INSERT INTO phys.{table} ({list}) SELECT {list} FROM temp.staged_{table} WHERE g = $1"
            );
            sqlx::query(&sql).bind(g).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let limit = timed(group, cases.len(), started);
    conn.execute("DETACH DATABASE phys").await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    Ok(limit)
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
    conn.execute("CREATE TEMP TABLE surge (id TEXT PRIMARY KEY, g BIGINT NOT NULL)")
        .await?;
    let groups: Vec<i64> = (0..cases.len()).map(|n| (n / group) as i64).collect();
    sqlx::query("INSERT INTO surge (id, g) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING")
        .bind(cases)
        .bind(&groups)
        .execute(&mut conn)
        .await?;
    let mut columns = Vec::new();
    for table in TABLES {
        let names: Vec<(String,)> = sqlx::query_as(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await?;
        let (list, qualified) = column_lists(&names);
        conn.execute(stage_sql(table, &qualified, "public").as_str())
            .await?;
        columns.push(list);
    }
    let count = cases.len().div_ceil(group);
    let started = Instant::now();
    for g in 0..count as i64 {
        let mut tx = conn.begin().await?;
        for (table, list) in TABLES.iter().zip(&columns) {
            let sql = format!(
                "INSERT INTO physical_limit.{table} ({list}) SELECT {list} FROM staged_{table} WHERE g = $1"
            );
            sqlx::query(&sql).bind(g).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let limit = timed(group, cases.len(), started);
    conn.execute("DROP SCHEMA physical_limit CASCADE").await?;
    Ok(limit)
}
