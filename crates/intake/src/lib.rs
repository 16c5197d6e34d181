//! Intake: what people give, turned into cases the registry can hold.
//!
//! `formats` reads and checks single values (dates, phones, MRZ, names);
//! this crate puts them together into households, with the same rules for
//! every way in: a staff list ([`import`]), a self-registration or an officer's
//! form ([`household`]). Both end in the domain's `NewCase`, checked by the
//! domain's own rules, so nothing enters by one door that another would refuse.

mod circumstances;
pub mod household;
pub mod import;
mod person;

pub use household::{HouseholdInput, MemberInput};
pub use import::{ImportPlan, plan_import};
pub use person::{parse_relationship, person};
