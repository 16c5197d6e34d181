//! Why a rule was refused, and where.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::facts::Fact;

/// Where in the rule's text a problem is: a byte offset for programs, a line
/// and a column (both from 1, the column counted in characters) for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `source`.
    pub fn at(source: &str, offset: usize) -> Position {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            offset,
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 1 {
            write!(f, "column {}", self.column)
        } else {
            write!(f, "line {}, column {}", self.line, self.column)
        }
    }
}

/// A rule that does not parse or does not type-check.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[error("{position}: {reason}")]
pub struct RuleError {
    pub position: Position,
    pub reason: Reason,
}

/// Why a rule was refused. The message is written for the HQ officer who
/// typed the rule.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    #[error("the rule is empty")]
    Empty,
    #[error("the rule is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the rule is nested too deeply")]
    TooDeep,
    #[error("unexpected character `{found}`")]
    UnexpectedCharacter { found: char },
    #[error("write `{instead}` instead of `{found}`")]
    UseInstead { found: String, instead: String },
    #[error("the text is not closed: a `\"` is missing")]
    UnclosedText,
    #[error("`{found}` is not a number")]
    BadNumber { found: String },
    #[error("unknown fact `{name}`{}", did_you_mean(.suggestion))]
    UnknownFact {
        name: String,
        suggestion: Option<Fact>,
    },
    #[error("expected a fact, `not` or `(`, found {found}")]
    ExpectedCondition { found: String },
    #[error("expected {expected} after `{after}`")]
    ExpectedValue { expected: String, after: String },
    #[error("`{fact}` is {fact_type} and cannot be compared with {found}{hint}")]
    TypeMismatch {
        fact: Fact,
        fact_type: String,
        found: String,
        hint: String,
    },
    #[error("`{fact}` is a yes/no fact: write `{fact}` or `not {fact}`")]
    YesNoCompared { fact: Fact },
    #[error("`{fact}` is {fact_type}: {hint}")]
    NeedsComparison {
        fact: Fact,
        fact_type: String,
        hint: String,
    },
    #[error("`{op}` does not apply to `{fact}`, which is {fact_type}: {hint}")]
    WrongOperator {
        fact: Fact,
        op: String,
        fact_type: String,
        hint: String,
    },
    #[error("`{found}` is not {noun}: {spelling}")]
    BadCode {
        found: String,
        noun: String,
        spelling: String,
    },
    #[error("the list is empty")]
    EmptyList,
    #[error("expected `,` or `]` in the list, found {found}")]
    ExpectedListSeparator { found: String },
    #[error("expected `)` to close the `(` at column {column}, found {found}")]
    UnclosedParen { column: usize, found: String },
    #[error("`)` has no matching `(`")]
    UnmatchedParen,
    #[error("expected `and`, `or` or the end of the rule, found {found}")]
    ExpectedEnd { found: String },
}

fn did_you_mean(suggestion: &Option<Fact>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}
