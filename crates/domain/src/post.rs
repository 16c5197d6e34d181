//! A post: an embassy, consulate or alliance office, with its current posture.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::posture::Posture;
use crate::validation::{self, Validate, ValidationErrors};
use crate::{OperationId, PostId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    Embassy,
    Consulate,
    AllianceOffice,
    CrisisTeam,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Embassy => "embassy",
            Self::Consulate => "consulate",
            Self::AllianceOffice => "alliance_office",
            Self::CrisisTeam => "crisis_team",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Embassy,
            Self::Consulate,
            Self::AllianceOffice,
            Self::CrisisTeam,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Post {
    pub id: PostId,
    pub operation_id: OperationId,
    /// ISO 3166-1 alpha-3 code, or an alliance's name (`NATO`).
    pub nation: String,
    pub name: String,
    pub kind: PostKind,
    pub city: String,
    /// The latest posture event's posture and effective time, if any.
    pub posture: Option<Posture>,
    pub posture_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub nation: String,
    pub name: String,
    pub kind: PostKind,
    pub city: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostUpdate {
    pub name: Option<String>,
    pub city: Option<String>,
}

impl Validate for NewPost {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::nation_code(&mut e, "nation", &self.nation);
        validation::text(&mut e, "name", &self.name, 200);
        validation::text(&mut e, "city", &self.city, 100);
        e.into_result()
    }
}

impl Validate for PostUpdate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::optional_text(&mut e, "name", self.name.as_deref(), 200);
        validation::optional_text(&mut e, "city", self.city.as_deref(), 100);
        e.into_result()
    }
}
