//! Users and their roles, as in the brief's table of who may do what.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{OperationId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    HqAdmin,
    ConsularOfficer,
    CaseWorker,
    GateOfficer,
    Liaison,
    Auditor,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role; expected one of hq_admin, consular_officer, case_worker, gate_officer, liaison, auditor"
)]
pub struct UnknownRole;

impl Role {
    pub const ALL: [Role; 6] = [
        Self::HqAdmin,
        Self::ConsularOfficer,
        Self::CaseWorker,
        Self::GateOfficer,
        Self::Liaison,
        Self::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HqAdmin => "hq_admin",
            Self::ConsularOfficer => "consular_officer",
            Self::CaseWorker => "case_worker",
            Self::GateOfficer => "gate_officer",
            Self::Liaison => "liaison",
            Self::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::HqAdmin => "HQ administrator",
            Self::ConsularOfficer => "Consular officer",
            Self::CaseWorker => "Case worker",
            Self::GateOfficer => "Gate officer",
            Self::Liaison => "Liaison officer",
            Self::Auditor => "Auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(UnknownRole)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    /// The operation the user works in; `None` for ministry staff across operations.
    pub operation_id: Option<OperationId>,
    /// A liaison officer's nation.
    pub nation: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Usernames are logins, not names: 2 to 40 lower-case letters, digits, `.`, `_`, `-`.
pub fn check_username(username: &str) -> Result<(), crate::ValidationErrors> {
    let ok = (2..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(crate::ValidationErrors::single(
            "username",
            "username",
            "must be 2 to 40 lower-case letters, digits, dots, underscores or hyphens",
        ))
    }
}

/// Passwords: long enough to resist guessing, short enough to hash cheaply.
pub fn check_password(password: &str) -> Result<(), crate::ValidationErrors> {
    let n = password.chars().count();
    if (10..=256).contains(&n) {
        Ok(())
    } else {
        Err(crate::ValidationErrors::single(
            "password",
            "password_length",
            "must be 10 to 256 characters",
        ))
    }
}
