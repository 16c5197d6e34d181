//! A staff or contractor list into households: rows of one `household_ref`
//! become one case; every refused row is kept with its reasons.

use std::collections::HashMap;

use domain::SchemeId;
use domain::case::NewCase;
use domain::person::{PersonDetails, Relationship};
use formats::import::{
    ColumnMapping, Field, FieldError, RawRow, RejectedRow, Table, ValidatedRow, ValidationOptions,
    group_households, validate_table,
};

use crate::person::{field_of, person};

/// What an import will store and what it refuses.
pub struct ImportPlan {
    pub cases: Vec<NewCase>,
    /// Every refused row, in file order.
    pub rejected: Vec<RejectedRow>,
    /// Households whose first member was made principal.
    pub promoted: Vec<String>,
    /// Households stored without some of their rows.
    pub follow_up: Vec<String>,
}

fn reject(field: Field, rule: &str, message: &str) -> FieldError {
    FieldError {
        field,
        rule: rule.into(),
        message: message.into(),
    }
}

pub fn plan_import(
    table: &Table,
    mapping: &ColumnMapping,
    schemes: &HashMap<String, SchemeId>,
    options: &ValidationOptions,
) -> ImportPlan {
    let today = options.today;
    let mut v = validate_table(table, mapping, options);
    let raw: HashMap<u64, &RawRow> = table.rows.iter().map(|r| (r.line, r)).collect();
    let unknown_scheme = |code: Option<&str>| {
        code.is_some_and(|c| {
            !c.trim().is_empty() && !schemes.contains_key(&c.trim().to_uppercase())
        })
        .then(|| {
            reject(
                Field::Scheme,
                "known_scheme",
                "no scheme of the operation has this code",
            )
        })
    };
    // Rows refused already also learn about an unknown scheme code.
    if let Some(col) = mapping.column_of(Field::Scheme) {
        for r in &mut v.rejected {
            r.errors
                .extend(unknown_scheme(r.row.cells.get(col).map(String::as_str)));
        }
    }
    let mut persons: HashMap<u64, PersonDetails> = HashMap::new();
    for row in std::mem::take(&mut v.accepted) {
        let mut errors: Vec<FieldError> =
            unknown_scheme(row.scheme.as_deref()).into_iter().collect();
        let details = person(&row);
        if let Err(e) = details.check(today) {
            errors.extend(
                e.0.iter()
                    .map(|e| reject(field_of(&details, &e.field), &e.rule, &e.message)),
            );
        }
        if errors.is_empty() {
            persons.insert(row.line, details);
            v.accepted.push(row);
        } else {
            v.rejected.push(RejectedRow {
                row: raw[&row.line].clone(),
                errors,
            });
        }
    }

    let mut plan = ImportPlan {
        cases: Vec::new(),
        rejected: Vec::new(),
        promoted: Vec::new(),
        follow_up: Vec::new(),
    };
    for household in group_households(&v, mapping) {
        let label = household
            .household_ref
            .clone()
            .unwrap_or_else(|| format!("line {}", household.members[0].line));
        let mut refused_lines = household.rejected_lines.clone();
        let mut members: Vec<(&ValidatedRow, PersonDetails)> = Vec::new();
        for row in &household.members {
            let details = persons
                .remove(&row.line)
                .expect("accepted rows have details");
            let principal = details.relationship == Relationship::Principal;
            if principal
                && members
                    .iter()
                    .any(|(_, m)| m.relationship == Relationship::Principal)
            {
                // Which of two principals is right is for a person to decide.
                v.rejected.push(RejectedRow {
                    row: raw[&row.line].clone(),
                    errors: vec![reject(
                        Field::Relationship,
                        "one_principal",
                        "the household has a principal on an earlier line",
                    )],
                });
                refused_lines.push(row.line);
            } else {
                members.push((row, details));
            }
        }
        let promoted = !members
            .iter()
            .any(|(_, m)| m.relationship == Relationship::Principal);
        if promoted {
            members[0].1.relationship = Relationship::Principal;
            plan.promoted.push(label.clone());
        }
        // The case's scheme is the principal's, else the first one given.
        let scheme_id = members
            .iter()
            .filter(|(_, m)| m.relationship == Relationship::Principal)
            .chain(members.iter())
            .find_map(|(r, _)| r.scheme.as_ref())
            .map(|code| schemes[&code.trim().to_uppercase()]);
        // Line numbers, never values: the flag is shown to every officer.
        refused_lines.sort_unstable();
        let mut reasons = Vec::new();
        if !refused_lines.is_empty() {
            let mut lines: Vec<String> =
                refused_lines.iter().take(20).map(u64::to_string).collect();
            if refused_lines.len() > 20 {
                lines.push(format!("and {} more", refused_lines.len() - 20));
            }
            reasons.push(format!(
                "rows refused on import (lines {})",
                lines.join(", ")
            ));
        }
        if promoted {
            reasons.push("no principal given: the first member was made principal".to_owned());
        }
        let case = NewCase {
            scheme_id,
            follow_up: (!reasons.is_empty()).then(|| reasons.join("; ")),
            members: members.iter().map(|(_, m)| m.clone()).collect(),
            ..Default::default()
        };
        // Household rules (e.g. at most 40 members) refuse the whole household.
        if let Err(e) = case.check(today) {
            let why: Vec<String> =
                e.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
            let rule = e.0.first().map_or("household", |e| e.rule.as_str());
            for (row, _) in &members {
                v.rejected.push(RejectedRow {
                    row: raw[&row.line].clone(),
                    errors: vec![reject(Field::HouseholdRef, rule, &why.join("; "))],
                });
            }
            continue;
        }
        if !refused_lines.is_empty() {
            plan.follow_up.push(label);
        }
        plan.cases.push(case);
    }
    v.rejected.sort_by_key(|r| r.row.line);
    plan.rejected = v.rejected;
    plan
}
