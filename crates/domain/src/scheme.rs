//! An eligibility scheme: a nation's programme with a quota and the movements
//! that accept it. Rules as data come with the eligibility issue; here a scheme
//! carries what the registry and the planner need to name it.

use serde::{Deserialize, Serialize};

use crate::validation::{self, Validate, ValidationErrors};
use crate::{OperationId, SchemeId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scheme {
    pub id: SchemeId,
    pub operation_id: OperationId,
    /// Short code shown in lists (`NOR-LES`).
    pub code: String,
    pub name: String,
    /// The nation running the scheme.
    pub nation: String,
    pub description: String,
    pub quota_principals: Option<u32>,
    pub quota_persons: Option<u32>,
    /// Nations whose movements take this scheme's households, beside the
    /// movements that name the scheme.
    pub movement_nations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewScheme {
    pub code: String,
    pub name: String,
    pub nation: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub quota_principals: Option<u32>,
    #[serde(default)]
    pub quota_persons: Option<u32>,
    #[serde(default)]
    pub movement_nations: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemeUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub quota_principals: Option<u32>,
    pub quota_persons: Option<u32>,
    pub movement_nations: Option<Vec<String>>,
}

fn movement_nations(e: &mut ValidationErrors, nations: &[String]) {
    for (i, n) in nations.iter().enumerate() {
        validation::nation_code(e, &format!("movement_nations[{i}]"), n);
    }
}

fn scheme_code(e: &mut ValidationErrors, code: &str) {
    let ok = (2..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        e.push(
            "code",
            "scheme_code",
            "must be 2 to 20 capitals, digits or hyphens",
        );
    }
}

impl Validate for NewScheme {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        scheme_code(&mut e, &self.code);
        validation::text(&mut e, "name", &self.name, 200);
        validation::nation_code(&mut e, "nation", &self.nation);
        movement_nations(&mut e, &self.movement_nations);
        if self.description.chars().count() > 4000 {
            e.push(
                "description",
                "max_length",
                "must be at most 4000 characters",
            );
        }
        e.into_result()
    }
}

impl Validate for SchemeUpdate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::optional_text(&mut e, "name", self.name.as_deref(), 200);
        if let Some(n) = &self.movement_nations {
            movement_nations(&mut e, n);
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 4000)
        {
            e.push(
                "description",
                "max_length",
                "must be at most 4000 characters",
            );
        }
        e.into_result()
    }
}
