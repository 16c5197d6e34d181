pub mod demo;
pub mod import;
pub mod match_records;
pub mod plan;
pub mod serve;
pub mod user;
pub mod verify_audit;
