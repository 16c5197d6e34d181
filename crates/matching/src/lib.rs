//! Muster's matching engine: finds the same person across lists, scripts, spellings and
//! calendars. Pure: callers pass readers and writers; nothing here touches files, the
//! network or the clock.
//!
//! Pipeline: [`normalise`] and [`transliterate`] fold names to comparable tokens and a
//! phonetic key shared by Latin and Perso-Arabic script; [`calendar`] turns Gregorian and
//! Solar Hijri dates into day intervals; blocking picks candidate pairs; comparisons give
//! agreement levels; a Fellegi–Sunter model learnt by EM scores them with term-frequency
//! adjustment; average-linkage clustering groups people without chaining.

pub mod batch;
mod block;
pub mod calendar;
mod cluster;
mod compare;
mod em;
mod error;
pub mod explain;
mod features;
mod index;
pub mod normalise;
mod postings;
mod record;
mod score;
mod similarity;
mod stored;
mod tf;
pub mod transliterate;
mod words;

pub use batch::{
    BatchResult, Config, Progress, ScoredPair, Stage, match_batch, read_records, train_model,
    write_clusters, write_explain,
};
pub use compare::Comparison;
pub use error::Error;
pub use explain::{Contribution, Explanation};
pub use index::{Candidate, Index};
pub use record::{ColumnMapping, Field, Record};
pub use score::Model;
