//! A case: a household that travels together, one principal and the members
//! with their relationship to the principal.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::person::{Person, PersonDetails, Relationship};
use crate::validation::{self, ValidationErrors};
use crate::{CaseId, CaseStatus, MovementId, OperationId, PersonId, SchemeId, UserId};

/// The largest household one case may hold; larger groups are several cases.
pub const MAX_MEMBERS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: CaseId,
    pub operation_id: OperationId,
    /// A short reference to read out over the phone (`AF-000042`).
    pub reference: String,
    pub status: CaseStatus,
    pub scheme_id: Option<SchemeId>,
    /// Priority tier, 1 most urgent to 4.
    pub tier: Option<u8>,
    /// The tier was set by an officer; the scheme's rules leave it alone.
    #[serde(default)]
    pub tier_overridden: bool,
    pub special_needs: Option<String>,
    /// The household's language for messages (`fa`, `en`, …), when known.
    pub language: Option<String>,
    /// Why the case needs an officer's attention (e.g. rows of it were
    /// rejected on import); cleared once followed up.
    pub follow_up: Option<String>,
    /// Where the case came from: `officer`, `self_registration`, `import:<source>`.
    pub source: String,
    pub members: Vec<Person>,
    /// The movement of the approved plan, while the case holds a seat.
    #[serde(default)]
    pub movement_id: Option<MovementId>,
    /// The hour it is processed at its assembly point: its call-forward time.
    #[serde(default)]
    pub processing_slot: Option<DateTime<Utc>>,
    /// Increases with every change; an update must name the version it read.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Case {
    pub fn principal(&self) -> Option<&Person> {
        self.members
            .iter()
            .find(|m| m.details.relationship == Relationship::Principal)
    }
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: String,
    pub status: CaseStatus,
    pub scheme_id: Option<SchemeId>,
    pub tier: Option<u8>,
    pub principal_name: String,
    pub household_size: u32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    #[serde(default)]
    pub scheme_id: Option<SchemeId>,
    #[serde(default)]
    pub tier: Option<u8>,
    #[serde(default)]
    pub special_needs: Option<String>,
    /// Language for messages to the household, a BCP 47 tag (`fa`, `ps`, `de`).
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub follow_up: Option<String>,
    pub members: Vec<PersonDetails>,
}

/// A member in an update: with `id` it keeps that person's identity, without
/// it the member is new. Members left out of an update are removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberUpdate {
    #[serde(default)]
    pub id: Option<PersonId>,
    #[serde(flatten)]
    pub details: PersonDetails,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseUpdate {
    /// The version the client read; a stale version is refused, not merged.
    pub version: i64,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub scheme_id: Option<Option<SchemeId>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u8>))]
    pub tier: Option<Option<u8>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub special_needs: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub language: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub follow_up: Option<Option<String>>,
    #[serde(default)]
    pub members: Option<Vec<MemberUpdate>>,
}

/// A status change as asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub to: CaseStatus,
    pub reason: String,
}

/// One step in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub from: Option<CaseStatus>,
    pub to: CaseStatus,
    pub reason: String,
}

/// `Option<Option<T>>` that tells an absent field (keep) from `null` (clear).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A language tag: `fa`, `ps`, `de`, `fa-AF` (BCP 47 letters and hyphens).
fn check_language(e: &mut ValidationErrors, language: Option<&str>) {
    let Some(tag) = language else { return };
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !ok {
        e.push(
            "language",
            "language_tag",
            "must be a language tag such as fa, ps or de",
        );
    }
}

fn check_tier(e: &mut ValidationErrors, tier: Option<u8>) {
    if tier.is_some_and(|t| !(1..=4).contains(&t)) {
        e.push("tier", "tier_range", "must be 1 (most urgent) to 4");
    }
}

/// The household rules shared by creation and update.
fn check_members<'a>(
    e: &mut ValidationErrors,
    members: impl ExactSizeIterator<Item = &'a PersonDetails>,
    today: NaiveDate,
) {
    let n = members.len();
    if n == 0 {
        e.push(
            "members",
            "at_least_one",
            "a case needs at least one member",
        );
    } else if n > MAX_MEMBERS {
        e.push(
            "members",
            "max_members",
            format!("a case holds at most {MAX_MEMBERS} members"),
        );
    }
    let mut principals = 0;
    for (i, m) in members.enumerate() {
        principals += usize::from(m.relationship == Relationship::Principal);
        if let Err(errs) = m.check(today) {
            e.nest(&format!("members[{i}]"), errs);
        }
    }
    if n > 0 && principals != 1 {
        e.push(
            "members",
            "one_principal",
            "exactly one member must be the principal",
        );
    }
}

impl NewCase {
    pub fn check(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_tier(&mut e, self.tier);
        validation::optional_text(&mut e, "special_needs", self.special_needs.as_deref(), 2000);
        check_language(&mut e, self.language.as_deref());
        validation::optional_text(&mut e, "follow_up", self.follow_up.as_deref(), 500);
        check_members(&mut e, self.members.iter(), today);
        e.into_result()
    }
}

impl CaseUpdate {
    pub fn check(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_tier(&mut e, self.tier.flatten());
        validation::optional_text(
            &mut e,
            "special_needs",
            self.special_needs.clone().flatten().as_deref(),
            2000,
        );
        check_language(&mut e, self.language.clone().flatten().as_deref());
        validation::optional_text(
            &mut e,
            "follow_up",
            self.follow_up.clone().flatten().as_deref(),
            500,
        );
        if let Some(members) = &self.members {
            check_members(&mut e, members.iter().map(|m| &m.details), today);
            let mut ids: Vec<_> = members.iter().filter_map(|m| m.id).collect();
            let before = ids.len();
            ids.sort();
            ids.dedup();
            if ids.len() != before {
                e.push("members", "unique_ids", "a member id may appear only once");
            }
        }
        e.into_result()
    }
}

/// A short case reference to read out over a phone: the operation's country
/// and the case's number within the operation (`AF-000042`).
pub fn reference_for(country: &str, number: i64) -> String {
    format!("{}-{number:06}", country.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::sample;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, 15).unwrap()
    }

    #[test]
    fn a_household_has_exactly_one_principal() {
        let two = NewCase {
            members: vec![
                sample(Relationship::Principal, "Nabi"),
                sample(Relationship::Principal, "Wali"),
            ],
            ..Default::default()
        };
        let rules: Vec<_> = two
            .check(today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, ["one_principal"]);
        let none = NewCase {
            members: vec![],
            ..two.clone()
        };
        assert_eq!(none.check(today()).unwrap_err().0[0].rule, "at_least_one");
    }

    #[test]
    fn member_errors_name_the_member() {
        let mut child = sample(Relationship::Child, "Zahra");
        child.nationalities = vec!["afg".into()];
        let case = NewCase {
            tier: Some(7),
            language: Some("Dari".into()),
            members: vec![sample(Relationship::Principal, "Nabi"), child],
            ..Default::default()
        };
        let fields: Vec<_> = case
            .check(today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["tier", "language", "members[1].nationalities[0]"]);
    }

    #[test]
    fn update_distinguishes_absent_from_null() {
        let u: CaseUpdate = serde_json::from_str(r#"{"version":3,"tier":null}"#).unwrap();
        assert_eq!(u.tier, Some(None));
        assert_eq!(u.scheme_id, None);
    }

    #[test]
    fn references_are_short_and_readable() {
        assert_eq!(reference_for("af", 42), "AF-000042");
        assert_eq!(reference_for("AF", 1_234_567), "AF-1234567");
    }
}
