//! Muster's domain: the words of the brief as types, and the rules that hold
//! whatever the storage or the transport. Nothing here does I/O.
//!
//! - [`status`]: the case pipeline as a state machine.
//! - [`access`]: who may do what; every grant in the product is decided here.
//! - [`audit`]: the hash chain over audit events.
//! - [`validation`]: field errors that name the field and the rule.

pub mod access;
pub mod alert;
pub mod audit;
pub mod case;
pub mod dates;
pub mod decision;
pub mod duplicate;
pub mod ids;
pub mod movement;
pub mod operation;
pub mod pass;
pub mod person;
pub mod pipeline;
pub mod plan;
pub mod post;
pub mod posture;
pub mod roll_call;
pub mod scheme;
pub mod status;
pub mod user;
pub mod validation;

pub use access::{Action, Denied};
pub use case::{Case, CaseSummary, NewCase};
pub use ids::{
    AlertId, AssemblyPointId, CaseId, DuplicateId, MessageId, MovementId, OperationId, PassId,
    PersonId, PlanId, PostId, RollCallId, SchemeId, UserId,
};
pub use person::{NewPerson, Person, Relationship};
pub use status::{CaseStatus, IllegalTransition};
pub use user::{Role, User};
pub use validation::{FieldError, Validate, ValidationErrors};
