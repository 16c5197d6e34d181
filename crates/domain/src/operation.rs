//! An operation: one crisis, in one country, with its own keys and registry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::OperationId;
use crate::validation::{self, Validate, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operation {
    pub id: OperationId,
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the country being left.
    pub country: String,
    /// IANA time zone in which the operation's hours are read (`Asia/Kabul`).
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOperation {
    pub id: OperationId,
    pub name: String,
    pub country: String,
    pub time_zone: String,
}

/// A partial update; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OperationUpdate {
    pub name: Option<String>,
    pub time_zone: Option<String>,
}

fn time_zone(e: &mut ValidationErrors, tz: &str) {
    let ok = tz == "UTC"
        || (tz.contains('/')
            && tz.len() <= 64
            && tz.split('/').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
            }));
    if !ok {
        e.push(
            "time_zone",
            "iana_time_zone",
            "must be an IANA time zone such as Asia/Kabul",
        );
    }
}

impl Validate for NewOperation {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::text(&mut e, "name", &self.name, 200);
        if !(self.country.len() == 2 && self.country.bytes().all(|b| b.is_ascii_uppercase())) {
            e.push(
                "country",
                "iso_3166_alpha2",
                "must be an ISO 3166-1 alpha-2 code such as AF",
            );
        }
        time_zone(&mut e, &self.time_zone);
        e.into_result()
    }
}

impl Validate for OperationUpdate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        validation::optional_text(&mut e, "name", self.name.as_deref(), 200);
        if let Some(tz) = &self.time_zone {
            time_zone(&mut e, tz);
        }
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_each_field() {
        let op = NewOperation {
            id: OperationId::parse("kabul-2021").unwrap(),
            name: String::new(),
            country: "Afghanistan".into(),
            time_zone: "Kabul time".into(),
        };
        let fields: Vec<_> = op
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["name", "country", "time_zone"]);
    }
}
