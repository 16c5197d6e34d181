//! Muster's intake formats, pure and I/O-free: everything here works on
//! strings and bytes handed in, and takes "today" as a parameter.
//!
//! - [`mrz`]: ICAO Doc 9303 machine-readable zones (TD1, TD2, TD3).
//! - [`solar_hijri`] and [`date`]: the Solar Hijri calendar and dates of
//!   birth as people give them.
//! - [`phone`]: E.164 normalisation.
//! - [`name`]: names in Latin and Perso-Arabic script, titles separated.
//! - [`country`]: ISO 3166-1 codes and nationality words.
//! - [`province`]: Afghanistan's 34 provinces.
//! - [`email`]: e-mail plausibility.
//! - [`cap`]: CAP 1.2 alerts (writing).
//! - [`import`]: CSV/XLSX staff and contractor lists, row validation.
//!
//! Error messages never contain the input they refuse: it is personal data.

pub mod cap;
pub mod country;
mod country_table;
pub mod date;
pub mod email;
pub mod import;
pub mod mrz;
pub mod name;
pub mod phone;
pub mod province;
pub mod sex;
pub mod solar_hijri;
pub mod text;
