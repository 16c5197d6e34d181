//! Alerts to registrants: what HQ tells everyone in a group of cases
//! ("leave immediately"), who it reaches, and how its messages fared. An
//! alert's texts are written by HQ for the public and hold no personal data;
//! the recipients' addresses live only in the sealed outbox.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{self, ValidationErrors};
use crate::{AlertId, CaseStatus, OperationId, SchemeId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    LeaveImmediately,
    GoToAssemblyPoint,
    StayWhereYouAre,
    /// HQ's own words only: English text is then required.
    Custom,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        Self::LeaveImmediately,
        Self::GoToAssemblyPoint,
        Self::StayWhereYouAre,
        Self::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeaveImmediately => "leave_immediately",
            Self::GoToAssemblyPoint => "go_to_assembly_point",
            Self::StayWhereYouAre => "stay_where_you_are",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The fixed kinds have standard texts in every language.
    pub fn has_standard_text(self) -> bool {
        self != Self::Custom
    }
}

/// One language's text of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertText {
    pub title: String,
    pub body: String,
}

/// Which cases an alert reaches: every condition given must hold (an empty
/// list does not restrict). Nationality and province are a person's, scheme
/// and status the case's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertTarget {
    /// ISO 3166-1 codes (alpha-2 or alpha-3).
    #[serde(default)]
    pub nationalities: Vec<String>,
    #[serde(default)]
    pub scheme_ids: Vec<SchemeId>,
    /// Province names as registered (compared without case).
    #[serde(default)]
    pub provinces: Vec<String>,
    #[serde(default)]
    pub statuses: Vec<CaseStatus>,
}

impl AlertTarget {
    /// Whether the case-level conditions hold.
    pub fn takes_case(&self, status: CaseStatus, scheme: Option<SchemeId>) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&status))
            && (self.scheme_ids.is_empty() || scheme.is_some_and(|s| self.scheme_ids.contains(&s)))
    }

    /// Whether the person-level conditions hold.
    pub fn takes_person(&self, nationalities: &[String], province: Option<&str>) -> bool {
        let nation_ok = self.nationalities.is_empty()
            || nationalities
                .iter()
                .any(|n| self.nationalities.iter().any(|t| t.eq_ignore_ascii_case(n)));
        let province_ok = self.provinces.is_empty()
            || province.is_some_and(|p| {
                self.provinces
                    .iter()
                    .any(|t| t.trim().eq_ignore_ascii_case(p.trim()))
            });
        nation_ok && province_ok
    }

    pub fn check(&self, errors: &mut ValidationErrors) {
        for (i, n) in self.nationalities.iter().enumerate() {
            validation::nation_code(errors, &format!("target.nationalities[{i}]"), n);
        }
        for (i, p) in self.provinces.iter().enumerate() {
            validation::text(errors, &format!("target.provinces[{i}]"), p, 100);
        }
    }
}

/// An alert as HQ writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAlert {
    pub kind: AlertKind,
    /// Texts by language (`en`, `fa`, …). A fixed kind may leave this empty
    /// (its standard texts are used); a custom alert needs English.
    #[serde(default)]
    pub texts: BTreeMap<String, AlertText>,
    #[serde(default)]
    pub target: AlertTarget,
}

impl NewAlert {
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.kind == AlertKind::Custom && !self.texts.contains_key("en") {
            e.push(
                "texts.en",
                "required",
                "a custom alert needs its text in English, the fallback for every recipient",
            );
        }
        for (lang, text) in &self.texts {
            if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
                e.push(
                    format!("texts.{lang}"),
                    "language",
                    "must be a language code such as en, fa or ps",
                );
            }
            validation::text(&mut e, &format!("texts.{lang}.title"), &text.title, 160);
            validation::text(&mut e, &format!("texts.{lang}.body"), &text.body, 1000);
        }
        self.target.check(&mut e);
        e.into_result()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Draft,
    Sent,
}

/// How an alert's messages fared, and how many answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryCounts {
    pub delivered: i64,
    pub failed: i64,
    /// Waiting, being sent, or to be retried.
    pub pending: i64,
    pub replies: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: AlertId,
    pub operation_id: OperationId,
    pub kind: AlertKind,
    pub texts: BTreeMap<String, AlertText>,
    pub target: AlertTarget,
    pub status: AlertStatus,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub counts: DeliveryCounts,
}

/// How many an alert would reach: cases and persons targeted, and persons
/// reachable on each channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientCounts {
    pub cases: i64,
    pub persons: i64,
    pub email: i64,
    pub sms: i64,
    /// Persons with an e-mail address or a phone number.
    pub reachable: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_combine_every_condition() {
        let scheme = SchemeId::new();
        let t = AlertTarget {
            nationalities: vec!["DK".into()],
            scheme_ids: vec![],
            provinces: vec!["Kabul".into()],
            statuses: vec![CaseStatus::Registered],
        };
        assert!(t.takes_case(CaseStatus::Registered, Some(scheme)));
        assert!(!t.takes_case(CaseStatus::Departed, Some(scheme)));
        assert!(t.takes_person(&["AF".into(), "dk".into()], Some(" kabul ")));
        assert!(!t.takes_person(&["AF".into()], Some("Kabul")));
        assert!(!t.takes_person(&["DK".into()], None));
        let by_scheme = AlertTarget {
            scheme_ids: vec![scheme],
            ..Default::default()
        };
        assert!(!by_scheme.takes_case(CaseStatus::Registered, None));
        assert!(AlertTarget::default().takes_person(&[], None));
    }

    #[test]
    fn a_custom_alert_needs_english() {
        let mut a = NewAlert {
            kind: AlertKind::Custom,
            texts: BTreeMap::new(),
            target: AlertTarget::default(),
        };
        let fields: Vec<_> = a
            .check()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["texts.en"]);
        a.kind = AlertKind::LeaveImmediately;
        assert!(a.check().is_ok());
        a.texts.insert(
            "FA".into(),
            AlertText {
                title: "x".into(),
                body: " ".into(),
            },
        );
        let fields: Vec<_> = a
            .check()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["texts.FA", "texts.FA.body"]);
    }
}
