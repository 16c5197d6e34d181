//! # Scheme rules
//!
//! Every scheme says, in a few short rules, who qualifies, who counts as
//! immediate family, and who goes first. The rules **suggest**; an officer
//! decides, with a reason.
//!
//! ## Writing a rule
//!
//! A rule tests facts about one person. Facts are written in lower case;
//! codes for nations in capitals (`AFG`, `NOR`); text in double quotes.
//!
//! ```text
//! nationality in [AFG] and employer_nation == NOR and years_of_service >= 2
//! relationship in [spouse, child] and age < 18
//! family_ties contains FIN or documents contains fi_residence_permit
//! medical_need
//! not unaccompanied_minor
//! relationship == spouse or (relationship == child and age < 21)
//! employer contains "embassy"
//! ```
//!
//! | You write | It means |
//! |---|---|
//! | `medical_need` | the yes/no fact is yes |
//! | `not at_risk` | the yes/no fact is no (`not` works before any test) |
//! | `age < 18` | compare a number: `==` `!=` `<` `<=` `>` `>=` |
//! | `employer_nation == NOR` | a code is, or with `!=` is not, this code |
//! | `relationship in [spouse, child]` | a code is one of the list |
//! | `nationality in [AFG, PAK]` | a set of codes holds at least one of the list |
//! | `family_ties contains FIN` | a set of codes holds this code |
//! | `employer contains "embassy"` | the text holds these words |
//! | `a and b` | both hold |
//! | `a or b` | at least one holds |
//! | `( .. )` | group: `not` binds tightest, then `and`, then `or` |
//!
//! So `a or b and c` means `a or (b and c)`. When in doubt, add parentheses.
//! Codes and text are compared without regard to capitals, and text without
//! regard to extra spaces.
//!
//! ## The facts
//!
//! | Fact | Type | Meaning |
//! |---|---|---|
//! | `nationality` | set of nation codes | the nationalities the person holds |
//! | `employer` | text | the employer as written on the case |
//! | `employer_nation` | nation code | the nation the employer belongs to |
//! | `years_of_service` | number | years worked for that employer |
//! | `relationship` | code | to the principal: `principal`, `spouse`, `child`, `parent`, `sibling`, `other_relative`, `dependant` |
//! | `age` | number | age in whole years |
//! | `sex` | code | `female`, `male`, `other` |
//! | `family_ties` | set of nation codes | nations where close family lives as citizens or residents |
//! | `documents` | set of document kinds | `passport`, `tazkira`, `national_id`, `visa`, `residence_permit`, `employment_letter`, or any other kind in lower case such as `fi_residence_permit` |
//! | `province` | code | province of residence in lower case: `kabul` |
//! | `medical_need` | yes/no | needs medical care or evacuation on medical grounds |
//! | `unaccompanied_minor` | yes/no | a child travelling without a parent or guardian |
//! | `at_risk` | yes/no | at particular risk (officials, journalists, activists, judges) |
//!
//! A rule naming any other fact, or comparing a fact with a value of the
//! wrong kind, is refused with the column and the reason:
//!
//! ```
//! let error = eligibility::parse("yeers_of_service >= 2").unwrap_err();
//! assert_eq!(error.position.column, 1);
//! assert_eq!(
//!     error.reason.to_string(),
//!     "unknown fact `yeers_of_service`; did you mean `years_of_service`?"
//! );
//! let error = eligibility::parse("age >= ").unwrap_err();
//! assert_eq!(error.to_string(), "column 8: expected a number after `>=`");
//! ```
//!
//! ## Unknown facts
//!
//! A fact may not be known yet. A rule whose answer depends on a missing fact
//! gives **needs information**, and the suggestion lists the facts to ask
//! for. A rule whose answer does not depend on it still decides: with the
//! age unknown, `relationship == spouse or age < 18` holds for a spouse, and
//! `relationship == child and age < 18` fails for a parent.
//!
//! ## A scheme's rules
//!
//! ```
//! use eligibility::{Facts, Household, Outcome, SchemeRules};
//!
//! let rules: SchemeRules = serde_json::from_str(r#"{
//!     "eligibility": ["employer_nation == NOR and years_of_service >= 2"],
//!     "family": ["relationship == spouse", "relationship == child and age < 18"],
//!     "priority": [{ "tier": 1, "rule": "medical_need" }],
//!     "default_tier": 3
//! }"#).unwrap();
//! let scheme = rules.compile().unwrap();
//!
//! let household = Household {
//!     principal: Facts {
//!         employer_nation: Some("NOR".into()),
//!         years_of_service: Some(6.0),
//!         ..Facts::default()
//!     },
//!     members: vec![Facts {
//!         relationship: Some("child".into()),
//!         age: Some(4),
//!         medical_need: Some(true),
//!         ..Facts::default()
//!     }],
//! };
//! let suggestion = scheme.evaluate(&household);
//! assert_eq!(suggestion.outcome, Outcome::Eligible);
//! assert_eq!(suggestion.tier, 1);
//! ```
//!
//! - **eligibility**: the ways a principal qualifies; eligible when any rule
//!   holds, needs information when none holds but one might, ineligible
//!   otherwise.
//! - **family**: the scheme's immediate family; each member is tested on
//!   their own facts, `relationship` being relative to the principal, and
//!   travels with the principal when any rule holds.
//! - **priority**: a tier, 1 most urgent to 4, and a rule; applied to the
//!   principal and every member not left out, the household gets the most
//!   urgent tier that holds for anyone, or **default_tier** (4 if not given).

pub mod ast;
pub mod case_facts;
pub mod error;
pub mod eval;
pub mod examples;
pub mod facts;
pub mod parser;
pub mod scheme;

pub use ast::{CompareOp, Expr, Value};
pub use case_facts::household;
pub use error::{Position, Reason, RuleError};
pub use eval::{Evaluation, Truth, evaluate};
pub use facts::{CodeKind, Fact, FactInfo, FactType, Facts, catalogue};
pub use parser::parse;
pub use scheme::{
    CompiledScheme, FieldError, FiredRule, Household, Inclusion, MemberSuggestion, NeededFact,
    Outcome, PriorityRule, SchemeErrors, SchemeRules, Suggestion, Who,
};
