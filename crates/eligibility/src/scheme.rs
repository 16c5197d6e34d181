//! One scheme's rules as data, and the suggestion they give for a household.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ast::Expr;
use crate::error::Position;
use crate::eval::{Truth, evaluate};
use crate::facts::{Fact, Facts};
use crate::parser::parse;

/// The most urgent tier.
pub const MOST_URGENT_TIER: u8 = 1;
/// The least urgent tier.
pub const LEAST_URGENT_TIER: u8 = 4;

/// A scheme's rules as HQ writes them: the rules are kept as the text typed
/// and parsed by [`SchemeRules::compile`] (or when a [`CompiledScheme`] is
/// read from JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeRules {
    /// The ways a principal qualifies: eligible when any of them holds.
    pub eligibility: Vec<String>,
    /// The scheme's immediate family: a member travels with the principal
    /// when any of these holds for the member. Empty: principals only.
    #[serde(default)]
    pub family: Vec<String>,
    /// Priority rules, applied to the principal and every member not left
    /// out; the household gets the most urgent tier of the rules that hold.
    #[serde(default)]
    pub priority: Vec<PriorityRule>,
    /// The tier when no priority rule holds.
    #[serde(default = "default_tier")]
    pub default_tier: u8,
}

fn default_tier() -> u8 {
    LEAST_URGENT_TIER
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityRule {
    /// 1 (most urgent) to 4.
    pub tier: u8,
    pub rule: String,
}

/// One problem in a scheme's rules: the field (`eligibility[2]`,
/// `priority[0].tier`), where in the rule's text when it is a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{}, {p}: {}", self.field, self.reason),
            None => write!(f, "{}: {}", self.field, self.reason),
        }
    }
}

/// Every problem found in a scheme's rules, in the order of the fields.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{}", self.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct SchemeErrors {
    pub errors: Vec<FieldError>,
}

/// A scheme's rules, parsed and checked, ready to evaluate. Reads and writes
/// as the JSON of [`SchemeRules`]; reading refuses rules that do not parse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SchemeRules", into = "SchemeRules")]
pub struct CompiledScheme {
    source: SchemeRules,
    eligibility: Vec<Expr>,
    family: Vec<Expr>,
    priority: Vec<(u8, Expr)>,
}

impl SchemeRules {
    /// Checks every rule and tier, and reports all problems at once.
    pub fn validate(&self) -> Result<(), SchemeErrors> {
        self.compile().map(drop)
    }

    /// Parses every rule; all problems are reported at once.
    pub fn compile(&self) -> Result<CompiledScheme, SchemeErrors> {
        let mut errors = Vec::new();
        let mut rule = |field: String, text: &str| match parse(text) {
            Ok(expr) => Some(expr),
            Err(e) => {
                errors.push(FieldError {
                    field,
                    position: Some(e.position),
                    reason: e.reason.to_string(),
                });
                None
            }
        };
        let eligibility: Vec<Option<Expr>> = (self.eligibility.iter().enumerate())
            .map(|(i, r)| rule(format!("eligibility[{i}]"), r))
            .collect();
        let family: Vec<Option<Expr>> = (self.family.iter().enumerate())
            .map(|(i, r)| rule(format!("family[{i}]"), r))
            .collect();
        let mut priority = Vec::new();
        let mut tiers = Vec::new();
        for (i, p) in self.priority.iter().enumerate() {
            if !tier_in_range(p.tier) {
                tiers.push(tier_error(format!("priority[{i}].tier")));
            }
            priority.push(rule(format!("priority[{i}].rule"), &p.rule).map(|e| (p.tier, e)));
        }
        errors.extend(tiers);
        if !tier_in_range(self.default_tier) {
            errors.push(tier_error("default_tier".into()));
        }
        if self.eligibility.is_empty() {
            errors.push(FieldError {
                field: "eligibility".into(),
                position: None,
                reason: "a scheme needs at least one eligibility rule".into(),
            });
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| field_order(&e.field));
            return Err(SchemeErrors { errors });
        }
        Ok(CompiledScheme {
            source: self.clone(),
            eligibility: eligibility.into_iter().flatten().collect(),
            family: family.into_iter().flatten().collect(),
            priority: priority.into_iter().flatten().collect(),
        })
    }
}

fn tier_in_range(tier: u8) -> bool {
    (MOST_URGENT_TIER..=LEAST_URGENT_TIER).contains(&tier)
}

fn tier_error(field: String) -> FieldError {
    FieldError {
        field,
        position: None,
        reason: "a tier is 1 (most urgent) to 4".into(),
    }
}

/// Fields in the order they appear in the form.
fn field_order(field: &str) -> (u8, usize) {
    let section = ["eligibility", "family", "priority", "default_tier"]
        .iter()
        .position(|s| field.starts_with(s))
        .unwrap_or(4);
    let index = field
        .split_once('[')
        .and_then(|(_, rest)| rest.split(']').next())
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    (u8::try_from(section).unwrap_or(u8::MAX), index)
}

impl TryFrom<SchemeRules> for CompiledScheme {
    type Error = SchemeErrors;
    fn try_from(rules: SchemeRules) -> Result<Self, SchemeErrors> {
        rules.compile()
    }
}

impl From<CompiledScheme> for SchemeRules {
    fn from(compiled: CompiledScheme) -> SchemeRules {
        compiled.source
    }
}

/// What is known about a household: the principal and the other members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Household {
    pub principal: Facts,
    #[serde(default)]
    pub members: Vec<Facts>,
}

/// Who in the household a rule was applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    Principal,
    /// A member, by position in [`Household::members`].
    Member(usize),
}

/// The rules' suggestion; an officer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Eligible,
    Ineligible,
    NeedsInformation,
}

/// A rule that held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredRule {
    /// `eligibility[0]`, `family[1]`, `priority[2].rule`.
    pub field: String,
    /// The rule as HQ wrote it.
    pub rule: String,
    pub who: Who,
    /// For a priority rule, its tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
}

/// A missing fact that would decide a rule: ask for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NeededFact {
    pub who: Who,
    pub fact: Fact,
    /// The rule that needs it.
    pub field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inclusion {
    /// Immediate family under the scheme: travels with the principal.
    Included,
    /// No family rule holds.
    Excluded,
    /// A family rule depends on a missing fact.
    NeedsInformation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSuggestion {
    /// Position in [`Household::members`].
    pub index: usize,
    pub inclusion: Inclusion,
    /// The family rule that included the member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<FiredRule>,
}

/// What a scheme's rules suggest for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The principal's eligibility.
    pub outcome: Outcome,
    /// The eligibility rules that held for the principal.
    pub fired: Vec<FiredRule>,
    /// Every member, in order: travels with the principal or not.
    pub members: Vec<MemberSuggestion>,
    /// 1 (most urgent) to 4.
    pub tier: u8,
    /// The priority rules that held, for whom.
    pub tier_rules_fired: Vec<FiredRule>,
    /// Missing facts that would change the suggestion: for the outcome when
    /// it needs information, for members whose inclusion does, and for
    /// priority rules that could make the tier more urgent.
    pub needs: Vec<NeededFact>,
}

impl CompiledScheme {
    /// The rules as written.
    pub fn rules(&self) -> &SchemeRules {
        &self.source
    }

    pub fn eligibility(&self) -> &[Expr] {
        &self.eligibility
    }

    pub fn family(&self) -> &[Expr] {
        &self.family
    }

    pub fn priority(&self) -> &[(u8, Expr)] {
        &self.priority
    }

    /// The suggestion for a household. The principal's `relationship` is
    /// taken as `principal` whatever the facts say.
    pub fn evaluate(&self, household: &Household) -> Suggestion {
        let principal = Facts {
            relationship: Some("principal".into()),
            ..household.principal.clone()
        };
        let mut needs = Vec::new();
        let fired_rule = |field: String, rule: &str, who: Who, tier: Option<u8>| FiredRule {
            field,
            rule: rule.into(),
            who,
            tier,
        };

        // The principal: eligible when any route holds.
        let mut fired = Vec::new();
        let mut unknown = Vec::new();
        for (i, expr) in self.eligibility.iter().enumerate() {
            let field = format!("eligibility[{i}]");
            let e = evaluate(expr, &principal);
            match e.truth {
                Truth::True => fired.push(fired_rule(
                    field,
                    &self.source.eligibility[i],
                    Who::Principal,
                    None,
                )),
                Truth::Unknown => unknown.extend(e.missing.into_iter().map(|fact| NeededFact {
                    who: Who::Principal,
                    fact,
                    field: field.clone(),
                })),
                Truth::False => {}
            }
        }
        let outcome = if !fired.is_empty() {
            Outcome::Eligible
        } else if !unknown.is_empty() {
            needs.append(&mut unknown);
            Outcome::NeedsInformation
        } else {
            Outcome::Ineligible
        };

        // The members: included when any family rule holds for them.
        let mut members = Vec::with_capacity(household.members.len());
        for (m, facts) in household.members.iter().enumerate() {
            let who = Who::Member(m);
            let mut unknown = Vec::new();
            let mut decided_by = None;
            for (i, expr) in self.family.iter().enumerate() {
                let field = format!("family[{i}]");
                let e = evaluate(expr, facts);
                match e.truth {
                    Truth::True => {
                        decided_by = Some(fired_rule(field, &self.source.family[i], who, None));
                        break;
                    }
                    Truth::Unknown => {
                        unknown.extend(e.missing.into_iter().map(|fact| NeededFact {
                            who,
                            fact,
                            field: field.clone(),
                        }))
                    }
                    Truth::False => {}
                }
            }
            let inclusion = if decided_by.is_some() {
                Inclusion::Included
            } else if !unknown.is_empty() {
                needs.append(&mut unknown);
                Inclusion::NeedsInformation
            } else {
                Inclusion::Excluded
            };
            members.push(MemberSuggestion {
                index: m,
                inclusion,
                decided_by,
            });
        }

        // The tier: the most urgent priority rule that holds for anyone who
        // may travel; the default when none does.
        let travellers: Vec<(Who, &Facts)> = std::iter::once((Who::Principal, &principal))
            .chain(
                household
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(m, _)| members[*m].inclusion != Inclusion::Excluded)
                    .map(|(m, f)| (Who::Member(m), f)),
            )
            .collect();
        let mut tier_rules_fired = Vec::new();
        let mut tier_unknown = Vec::new();
        for (i, (tier, expr)) in self.priority.iter().enumerate() {
            let field = format!("priority[{i}].rule");
            for &(who, facts) in &travellers {
                let e = evaluate(expr, facts);
                match e.truth {
                    Truth::True => tier_rules_fired.push(fired_rule(
                        field.clone(),
                        &self.source.priority[i].rule,
                        who,
                        Some(*tier),
                    )),
                    Truth::Unknown => {
                        tier_unknown.extend(e.missing.into_iter().map(|fact| {
                            (
                                *tier,
                                NeededFact {
                                    who,
                                    fact,
                                    field: field.clone(),
                                },
                            )
                        }));
                    }
                    Truth::False => {}
                }
            }
        }
        let tier = (tier_rules_fired.iter().filter_map(|f| f.tier).min())
            .unwrap_or(self.source.default_tier);
        needs.extend(
            (tier_unknown.into_iter())
                .filter(|(t, _)| *t < tier)
                .map(|(_, n)| n),
        );

        Suggestion {
            outcome,
            fired,
            members,
            tier,
            tier_rules_fired,
            needs,
        }
    }
}
