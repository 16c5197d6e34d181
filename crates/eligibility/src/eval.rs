//! Evaluating a rule against one person's facts, in three-valued logic: a
//! rule is true, false, or unknown when the answer depends on a missing fact.

use serde::{Deserialize, Serialize};

use crate::ast::{CompareOp, Expr, Value};
use crate::facts::{Fact, Facts, Known};

/// True, false, or unknown (Kleene's logic): `false and unknown` is false,
/// `true or unknown` is true, `not unknown` is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl std::ops::Not for Truth {
    type Output = Truth;
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// A rule's answer for one person, and when it is unknown, the missing facts
/// that would decide it (each once, in catalogue order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub truth: Truth,
    pub missing: Vec<Fact>,
}

/// Evaluates `rule` against `facts`. Never panics, also for a rule built by
/// hand that the parser would refuse: a comparison of the wrong type is false.
pub fn evaluate(rule: &Expr, facts: &Facts) -> Evaluation {
    let mut missing = Vec::new();
    let truth = eval(rule, facts, &mut missing);
    if truth == Truth::Unknown {
        missing.sort();
        missing.dedup();
    } else {
        missing.clear();
    }
    Evaluation { truth, missing }
}

/// Pushes onto `missing` the facts that made the answer unknown; what it
/// pushes is only meaningful when the answer is unknown.
fn eval(rule: &Expr, facts: &Facts, missing: &mut Vec<Fact>) -> Truth {
    match rule {
        Expr::Not { operand } => !eval(operand, facts, missing),
        Expr::And { operands } => combine(operands, facts, missing, Truth::False),
        Expr::Or { operands } => combine(operands, facts, missing, Truth::True),
        Expr::Fact { fact }
        | Expr::Compare { fact, .. }
        | Expr::In { fact, .. }
        | Expr::Contains { fact, .. } => match facts.get(*fact) {
            None => {
                missing.push(*fact);
                Truth::Unknown
            }
            Some(known) => condition(rule, known).into(),
        },
    }
}

/// `and` (decisive = false) or `or` (decisive = true): one decisive operand
/// decides; otherwise any unknown operand makes the whole unknown.
fn combine(operands: &[Expr], facts: &Facts, missing: &mut Vec<Fact>, decisive: Truth) -> Truth {
    let mark = missing.len();
    let mut unknown = false;
    for operand in operands {
        let before = missing.len();
        match eval(operand, facts, missing) {
            t if t == decisive => {
                missing.truncate(mark);
                return decisive;
            }
            Truth::Unknown => unknown = true,
            _ => missing.truncate(before),
        }
    }
    if unknown { Truth::Unknown } else { !decisive }
}

fn condition(rule: &Expr, known: Known<'_>) -> bool {
    match (rule, known) {
        (Expr::Fact { .. }, Known::YesNo(b)) => b,
        (
            Expr::Compare {
                op,
                value: Value::Number(v),
                ..
            },
            Known::Number(n),
        ) => match op {
            CompareOp::Eq => n == *v,
            CompareOp::Ne => n != *v,
            CompareOp::Lt => n < *v,
            CompareOp::Le => n <= *v,
            CompareOp::Gt => n > *v,
            CompareOp::Ge => n >= *v,
        },
        (Expr::Compare { op, value, .. }, Known::Word(w)) => match op {
            CompareOp::Eq => same(w, value),
            CompareOp::Ne => !same(w, value) && !matches!(value, Value::Number(_)),
            _ => false,
        },
        (Expr::In { values, .. }, Known::Word(w)) => values.iter().any(|v| same(w, v)),
        (Expr::In { values, .. }, Known::Words(ws)) => {
            ws.iter().any(|w| values.iter().any(|v| same(w, v)))
        }
        (Expr::In { values, .. }, Known::Number(n)) => values.contains(&Value::Number(n)),
        (Expr::Contains { value, .. }, Known::Words(ws)) => ws.iter().any(|w| same(w, value)),
        (
            Expr::Contains {
                value: Value::Text(t),
                ..
            },
            Known::Word(w),
        ) => normalise(w).contains(&normalise(t)),
        _ => false,
    }
}

/// Whether a fact's code or text is the value written in the rule. Codes
/// match without regard to case; text also ignores runs of spaces.
fn same(known: &str, value: &Value) -> bool {
    match value {
        Value::Code(c) => known.trim().eq_ignore_ascii_case(c),
        Value::Text(t) => normalise(known) == normalise(t),
        Value::Number(_) => false,
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
