//! The problem and plan files of FORMAT.md as serde types, and reading/writing them.
//!
//! Timestamps stay strings here so a problem or plan round-trips byte-for-byte in meaning;
//! `model` parses and checks them.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Write};

use serde::{Deserialize, Serialize};

use crate::Error;

/// A planning instance (FORMAT.md, "Instance").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub horizon_end: String,
    /// Tier (as a decimal string) to weight.
    pub weights: BTreeMap<String, i64>,
    pub groups: Vec<Group>,
    pub flights: Vec<Flight>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly_points: Option<Vec<AssemblyPoint>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<Processing>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<Quota>,
}

/// A household that travels together and is never split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub persons: i64,
    pub seats: i64,
    pub tier: i64,
    pub scheme: String,
    pub ready_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly: Option<String>,
}

/// A movement (flight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flight {
    pub id: String,
    pub seats: i64,
    pub departs_at: String,
    pub accepts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssemblyPoint {
    pub id: String,
    pub persons_per_hour: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processing {
    pub min_hours_before_departure: i64,
    pub max_hours_before_departure: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub scheme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_principals: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_persons: Option<i64>,
}

/// A solution (FORMAT.md, "Solution"): groups left out get no flight.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub assignments: Vec<Assignment>,
}

/// One household on one movement; `slot` (a whole UTC hour) only when the instance has processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub group: String,
    pub flight: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
}

/// Reads all of `reader`, gunzipping when it starts with the gzip magic `1f 8b`.
fn read_maybe_gzip(reader: impl Read) -> Result<Vec<u8>, Error> {
    let mut r = BufReader::new(reader);
    let mut raw = Vec::new();
    r.read_to_end(&mut raw)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 8);
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Reads a problem from plain or gzip-compressed JSON.
pub fn read_problem(reader: impl Read) -> Result<Problem, Error> {
    Ok(serde_json::from_slice(&read_maybe_gzip(reader)?)?)
}

/// Reads a plan from plain or gzip-compressed JSON.
pub fn read_plan(reader: impl Read) -> Result<Plan, Error> {
    Ok(serde_json::from_slice(&read_maybe_gzip(reader)?)?)
}

/// Writes a plan as compact JSON followed by a newline.
pub fn write_plan(plan: &Plan, mut writer: impl Write) -> Result<(), Error> {
    let mut w = std::io::BufWriter::new(&mut writer);
    serde_json::to_writer(&mut w, plan)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}
