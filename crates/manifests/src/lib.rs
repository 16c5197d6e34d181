//! Manifests of one movement (a flight or a convoy).
//!
//! TODO docs
pub mod csv;
pub mod minimised;
pub mod model;
pub mod paxlst;
pub mod pdf;

pub use csv::csv;
pub use minimised::{Minimised, MinimisedHousehold, MinimisedPerson, minimise, minimised_csv};
pub use model::*;
pub use paxlst::{PaxlstError, PaxlstHeader, paxlst};
pub use pdf::pdf;
