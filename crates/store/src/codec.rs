//! Reading and writing values in the portable column types (text, 64-bit
//! integers, bytes) that both backends share through the `Any` driver.

use chrono::{DateTime, Utc};
use domain::audit::canonical_time;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

pub(crate) fn time(at: DateTime<Utc>) -> String {
    canonical_time(at)
}

/// The current time, cut to the microsecond that the text form keeps, so a
/// value reads back equal to what was written.
pub(crate) fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub(crate) fn get_time(row: &AnyRow, col: &str) -> Result<DateTime<Utc>, StoreError> {
    let s: String = row.try_get(col)?;
    parse_time(&s)
}

pub(crate) fn get_opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let s: Option<String> = row.try_get(col)?;
    s.as_deref().map(parse_time).transpose()
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt { what: "time" })
}

/// Parses a text column with `FromStr` (ids, enums).
pub(crate) fn get_parsed<T: std::str::FromStr>(
    row: &AnyRow,
    col: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|_| StoreError::Corrupt { what })
}

pub(crate) fn get_opt_parsed<T: std::str::FromStr>(
    row: &AnyRow,
    col: &str,
    what: &'static str,
) -> Result<Option<T>, StoreError> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { what }))
        .transpose()
}

/// Enums are stored as their serde (snake_case) names.
pub(crate) fn enum_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("unit enum variants serialise as strings"),
    }
}

pub(crate) fn get_enum<T: DeserializeOwned>(
    row: &AnyRow,
    col: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    let s: String = row.try_get(col)?;
    serde_json::from_value(serde_json::Value::String(s)).map_err(|_| StoreError::Corrupt { what })
}

pub(crate) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialising plain data cannot fail")
}

pub(crate) fn get_json<T: DeserializeOwned>(
    row: &AnyRow,
    col: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    let s: String = row.try_get(col)?;
    serde_json::from_str(&s).map_err(|_| StoreError::Corrupt { what })
}

pub(crate) fn get_opt_u32(row: &AnyRow, col: &str) -> Result<Option<u32>, StoreError> {
    let v: Option<i64> = row.try_get(col)?;
    v.map(|v| u32::try_from(v).map_err(|_| StoreError::Corrupt { what: "count" }))
        .transpose()
}

pub(crate) fn get_u32(row: &AnyRow, col: &str) -> Result<u32, StoreError> {
    let v: i64 = row.try_get(col)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt { what: "count" })
}
