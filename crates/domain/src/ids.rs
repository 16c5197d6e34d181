//! Identifiers. Records other than operations are named by UUIDs (v7, so new
//! rows land at the end of indexes); an operation by a short slug that people
//! type and say (`kabul-2021`). No identifier carries personal data, so ids may
//! appear in URLs and audit events.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A post: an embassy, consulate or alliance office.
    PostId
);
uuid_id!(
    /// A person in the registry.
    PersonId
);
uuid_id!(
    /// A case: a household that travels together.
    CaseId
);
uuid_id!(
    /// An eligibility scheme.
    SchemeId
);
uuid_id!(
    /// A movement: a flight or a convoy.
    MovementId
);
uuid_id!(
    /// A user account.
    UserId
);
uuid_id!(
    /// An assembly point: where households are processed before a movement.
    AssemblyPointId
);
uuid_id!(
    /// A plan of households onto movements, proposed or approved.
    PlanId
);
uuid_id!(
    /// A pair of persons the matcher suspects to be one.
    DuplicateId
);
uuid_id!(
    /// An alert to registrants.
    AlertId
);
uuid_id!(
    /// A roll call: "are you safe?" asked of a group of people.
    RollCallId
);
uuid_id!(
    /// A message in the outbox.
    MessageId
);

uuid_id!(
    /// A pass issued at call-forward.
    PassId
);

/// An operation's slug: lower-case letters, digits and hyphens, 3 to 40 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "kabul-2021"))]
#[serde(try_from = "String", into = "String")]
pub struct OperationId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "an operation id is 3 to 40 lower-case letters, digits and hyphens, starting with a letter"
)]
pub struct BadOperationId;

impl OperationId {
    pub fn parse(s: &str) -> Result<Self, BadOperationId> {
        let ok = (3..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(BadOperationId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OperationId {
    type Error = BadOperationId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<OperationId> for String {
    fn from(id: OperationId) -> String {
        id.0
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OperationId {
    type Err = BadOperationId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_slugs() {
        assert!(OperationId::parse("kabul-2021").is_ok());
        for bad in [
            "",
            "ab",
            "Kabul",
            "2021-kabul",
            "kabul 2021",
            "kabul/2021",
            &"a".repeat(41),
        ] {
            assert!(OperationId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn uuid_ids_round_trip() {
        let id = CaseId::new();
        assert_eq!(id.to_string().parse::<CaseId>().unwrap(), id);
    }
}
