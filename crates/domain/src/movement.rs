//! A movement: a flight or a convoy out, with its seats and the schemes it takes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::scheme::Scheme;
use crate::validation::{self, Validate, ValidationErrors};
use crate::{MovementId, OperationId, SchemeId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Flight,
    Convoy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementStatus {
    Planned,
    Boarding,
    Departed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Movement {
    pub id: MovementId,
    pub operation_id: OperationId,
    pub kind: MovementKind,
    /// Call sign or convoy name (`GAF 1234`).
    pub designator: String,
    /// The nation operating it.
    pub nation: String,
    pub origin: String,
    pub destination: String,
    pub departs_at: DateTime<Utc>,
    pub seats: u32,
    pub status: MovementStatus,
    pub accepts_schemes: Vec<SchemeId>,
    /// Nations whose liaison officers may see this movement's minimised manifest.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub designator: String,
    pub nation: String,
    pub origin: String,
    pub destination: String,
    pub departs_at: DateTime<Utc>,
    pub seats: u32,
    #[serde(default)]
    pub accepts_schemes: Vec<SchemeId>,
    #[serde(default)]
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MovementUpdate {
    pub departs_at: Option<DateTime<Utc>>,
    pub seats: Option<u32>,
    pub status: Option<MovementStatus>,
    pub accepts_schemes: Option<Vec<SchemeId>>,
    pub shared_with: Option<Vec<String>>,
}

impl Movement {
    /// Whether this movement takes the scheme's households: it names the
    /// scheme, or the scheme sends its households on this nation's movements.
    pub fn accepts(&self, scheme: &Scheme) -> bool {
        self.accepts_schemes.contains(&scheme.id) || scheme.movement_nations.contains(&self.nation)
    }
}

/// The largest aircraft of the airlift carried about 800 people; anything
/// above this is a typing error.
pub const MAX_SEATS: u32 = 1000;

fn seats(e: &mut ValidationErrors, seats: u32) {
    if !(1..=MAX_SEATS).contains(&seats) {
        e.push("seats", "seat_range", format!("must be 1 to {MAX_SEATS}"));
    }
}

fn shared_with(e: &mut ValidationErrors, nations: &[String]) {
    for (i, n) in nations.iter().enumerate() {
        validation::nation_code(e, &format!("shared_with[{i}]"), n);
    }
}

impl Validate for NewMovement {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::text(&mut e, "designator", &self.designator, 40);
        validation::nation_code(&mut e, "nation", &self.nation);
        validation::text(&mut e, "origin", &self.origin, 100);
        validation::text(&mut e, "destination", &self.destination, 100);
        seats(&mut e, self.seats);
        shared_with(&mut e, &self.shared_with);
        e.into_result()
    }
}

impl Validate for MovementUpdate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(s) = self.seats {
            seats(&mut e, s);
        }
        if let Some(n) = &self.shared_with {
            shared_with(&mut e, n);
        }
        e.into_result()
    }
}
