//! The case list's filters as they travel in URLs: status, pipeline stage,
//! scheme, nation, province and tier, none of them personal data. The case
//! list, its downloads and every figure of the dashboard speak this one
//! query, so that a figure's link lists exactly the cases behind it.

use domain::pipeline::Stage;
use domain::{CaseStatus, FieldError, SchemeId};
use serde::Deserialize;
use store::CaseFilter;

use crate::ApiError;

/// `none` in a filter asks for the cases without a value.
pub const NONE: &str = "none";

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct CaseQuery {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub nation: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(field: &str, rule: &str, message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, rule, message)])
}

impl CaseQuery {
    /// The store's filter, or an error naming the field and the rule.
    pub fn filter(&self) -> Result<CaseFilter, ApiError> {
        let mut f = CaseFilter::default();
        if let Some(s) = nonempty(&self.status) {
            f.status = Some(
                s.parse::<CaseStatus>()
                    .map_err(|_| bad("status", "known_status", "unknown status"))?,
            );
        }
        if let Some(s) = nonempty(&self.stage) {
            let stage: Stage = s
                .parse()
                .map_err(|_| bad("stage", "known_stage", "unknown pipeline stage"))?;
            f.statuses = stage.statuses().to_vec();
        }
        match nonempty(&self.scheme) {
            Some(NONE) => f.no_scheme = true,
            Some(s) => {
                f.scheme_id = Some(
                    s.parse::<SchemeId>()
                        .map_err(|_| bad("scheme", "known_scheme", "unknown scheme"))?,
                )
            }
            None => {}
        }
        match nonempty(&self.nation) {
            Some(NONE) => f.no_scheme = true,
            Some(n) if n.len() <= 8 && n.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                f.nation = Some(n.to_owned())
            }
            Some(_) => return Err(bad("nation", "nation_code", "a nation code such as NOR")),
            None => {}
        }
        match nonempty(&self.province) {
            Some(NONE) => f.province = Some(String::new()),
            Some(p) => {
                let province = formats::province::Province::all()
                    .find(|x| x.code() == p)
                    .ok_or_else(|| {
                        bad(
                            "province",
                            "iso_3166_2",
                            "an ISO 3166-2 code such as AF-KAB",
                        )
                    })?;
                f.province = Some(province.code().to_owned());
            }
            None => {}
        }
        match nonempty(&self.tier) {
            Some(NONE) => f.tier = Some(0),
            Some(t) => {
                f.tier = Some(
                    t.parse::<u8>()
                        .ok()
                        .filter(|t| (1..=4).contains(t))
                        .ok_or_else(|| bad("tier", "tier_range", "1 (most urgent) to 4"))?,
                )
            }
            None => {}
        }
        Ok(f)
    }

    /// The query string (without `?`) that gives this filter back; empty
    /// parts left out.
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("stage", &self.stage),
            ("scheme", &self.scheme),
            ("nation", &self.nation),
            ("province", &self.province),
            ("tier", &self.tier),
        ] {
            if let Some(v) = nonempty(v) {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_gives_its_filter_and_its_link_back() {
        let q = CaseQuery {
            stage: Some("eligible".into()),
            province: Some("AF-KAB".into()),
            tier: Some("none".into()),
            ..Default::default()
        };
        let f = q.filter().unwrap();
        assert_eq!(f.statuses, Stage::Eligible.statuses());
        assert_eq!(f.province.as_deref(), Some("AF-KAB"));
        assert_eq!(f.tier, Some(0));
        assert_eq!(q.to_query(), "stage=eligible&province=AF-KAB&tier=none");
        let back: CaseQuery = serde_urlencoded::from_str(&q.to_query()).unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn bad_filters_name_the_field() {
        for (q, field) in [
            (
                CaseQuery {
                    tier: Some("9".into()),
                    ..Default::default()
                },
                "tier",
            ),
            (
                CaseQuery {
                    province: Some("Kabul".into()),
                    ..Default::default()
                },
                "province",
            ),
            (
                CaseQuery {
                    stage: Some("gone".into()),
                    ..Default::default()
                },
                "stage",
            ),
            (
                CaseQuery {
                    nation: Some("N'OR".into()),
                    ..Default::default()
                },
                "nation",
            ),
        ] {
            match q.filter() {
                Err(ApiError::Validation(e)) => assert_eq!(e[0].field, field),
                other => panic!("{field}: {:?}", other.is_ok()),
            }
        }
    }
}
