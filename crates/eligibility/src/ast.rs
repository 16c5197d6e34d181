//! A parsed rule and its canonical printing. Printing a rule and parsing the
//! text again gives the same rule.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::facts::Fact;

/// A parsed rule. `and` and `or` hold two or more operands, in the order
/// written; parentheses only show in the tree where they change it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expr {
    /// A yes/no fact written bare: `medical_need`.
    Fact {
        fact: Fact,
    },
    Not {
        operand: Box<Expr>,
    },
    And {
        operands: Vec<Expr>,
    },
    Or {
        operands: Vec<Expr>,
    },
    /// `age < 18`, `employer_nation == NOR`.
    Compare {
        fact: Fact,
        op: CompareOp,
        value: Value,
    },
    /// `relationship in [spouse, child]`; for a set of codes, true when any
    /// of its codes is in the list.
    In {
        fact: Fact,
        values: Vec<Value>,
    },
    /// `family_ties contains FIN`, `employer contains "embassy"`.
    Contains {
        fact: Fact,
        value: Value,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// Whether this is `==` or `!=`, the only comparisons for codes and text.
    pub fn is_equality(self) -> bool {
        matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A value written in a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A non-negative decimal number: `2`, `1.5`.
    Number(f64),
    /// A code written bare: `AFG`, `spouse`, `passport`.
    Code(String),
    /// Text in double quotes: `"Embassy of Norway"`.
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // `{}` on f64 prints the shortest text that reads back the same.
            Value::Number(n) => write!(f, "{n}"),
            Value::Code(c) => f.write_str(c),
            Value::Text(t) => {
                f.write_str("\"")?;
                for c in t.chars() {
                    if matches!(c, '"' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
        }
    }
}

impl Expr {
    /// The facts the rule names, each once, in catalogue order.
    pub fn facts(&self) -> Vec<Fact> {
        let mut out = Vec::new();
        self.collect_facts(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_facts(&self, out: &mut Vec<Fact>) {
        match self {
            Expr::Fact { fact }
            | Expr::Compare { fact, .. }
            | Expr::In { fact, .. }
            | Expr::Contains { fact, .. } => out.push(*fact),
            Expr::Not { operand } => operand.collect_facts(out),
            Expr::And { operands } | Expr::Or { operands } => {
                operands.iter().for_each(|o| o.collect_facts(out));
            }
        }
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, parens: bool) -> fmt::Result {
        if parens {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// The canonical text of a rule: single spaces, lower-case keywords, and
/// parentheses exactly where the tree needs them.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Fact { fact } => write!(f, "{fact}"),
            Expr::Not { operand } => {
                f.write_str("not ")?;
                let parens = matches!(**operand, Expr::And { .. } | Expr::Or { .. });
                operand.write_operand(f, parens)
            }
            Expr::And { operands } | Expr::Or { operands } => {
                let is_and = matches!(self, Expr::And { .. });
                for (i, o) in operands.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if is_and { " and " } else { " or " })?;
                    }
                    // An `or` inside an `and` needs parentheses; so does a
                    // nested operator of the same kind, or it would flatten.
                    let parens = match o {
                        Expr::Or { .. } => true,
                        Expr::And { .. } => is_and,
                        _ => false,
                    };
                    o.write_operand(f, parens)?;
                }
                Ok(())
            }
            Expr::Compare { fact, op, value } => write!(f, "{fact} {op} {value}"),
            Expr::In { fact, values } => {
                write!(f, "{fact} in [")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Expr::Contains { fact, value } => write!(f, "{fact} contains {value}"),
        }
    }
}
