//! A hand-written lexer and recursive-descent parser for the rule language.
//! Types are checked while parsing, so a rule that parses can be evaluated
//! against any person's facts.
//!
//! ```text
//! rule      := and_rule ("or" and_rule)*
//! and_rule  := unary ("and" unary)*
//! unary     := "not" unary | "(" rule ")" | condition
//! condition := FACT
//!            | FACT ("==" | "!=" | "<" | "<=" | ">" | ">=") value
//!            | FACT "in" "[" value ("," value)* ","? "]"
//!            | FACT "contains" value
//! value     := NUMBER | CODE | "text"
//! ```

use crate::ast::{CompareOp, Expr, Value};
use crate::error::{Position, Reason, RuleError};
use crate::facts::{Fact, FactType};

/// The longest rule accepted, in characters.
pub const MAX_RULE_CHARS: usize = 2000;
/// How deeply `not` and parentheses may nest.
pub const MAX_DEPTH: usize = 32;

const KEYWORDS: [&str; 5] = ["and", "or", "not", "in", "contains"];

/// Parses and type-checks one rule.
pub fn parse(source: &str) -> Result<Expr, RuleError> {
    let fail = |offset: usize, reason: Reason| RuleError {
        position: Position::at(source, offset),
        reason,
    };
    if let Some((offset, _)) = source.char_indices().nth(MAX_RULE_CHARS) {
        return Err(fail(
            offset,
            Reason::TooLong {
                max: MAX_RULE_CHARS,
            },
        ));
    }
    let tokens = lex(source).map_err(|(offset, reason)| fail(offset, reason))?;
    let mut parser = Parser {
        source,
        tokens,
        next: 0,
        depth: 0,
    };
    parser
        .rule_text()
        .map_err(|(offset, reason)| fail(offset, reason))
}

type Failure = (usize, Reason);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Number(f64),
    Text(String),
    Op(CompareOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn use_instead(found: &str, instead: &str) -> Reason {
    Reason::UseInstead {
        found: found.into(),
        instead: instead.into(),
    }
}

fn lex(src: &str) -> Result<Vec<Token>, Failure> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = src[i..].chars().next() {
        let start = i;
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '=' if next == Some(b'=') => (Tok::Op(CompareOp::Eq), 2),
            '=' => return Err((start, use_instead("=", "=="))),
            '!' if next == Some(b'=') => (Tok::Op(CompareOp::Ne), 2),
            '!' => return Err((start, use_instead("!", "not"))),
            '<' if next == Some(b'=') => (Tok::Op(CompareOp::Le), 2),
            '<' if next == Some(b'>') => return Err((start, use_instead("<>", "!="))),
            '<' => (Tok::Op(CompareOp::Lt), 1),
            '>' if next == Some(b'=') => (Tok::Op(CompareOp::Ge), 2),
            '>' => (Tok::Op(CompareOp::Gt), 1),
            '&' if next == Some(b'&') => return Err((start, use_instead("&&", "and"))),
            '&' => return Err((start, use_instead("&", "and"))),
            '|' if next == Some(b'|') => return Err((start, use_instead("||", "or"))),
            '|' => return Err((start, use_instead("|", "or"))),
            '"' => {
                let (text, len) = lex_text(&src[start..]).ok_or((start, Reason::UnclosedText))?;
                (Tok::Text(text), len)
            }
            '0'..='9' => {
                let len = src[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                    .unwrap_or(src.len() - start);
                let found = &src[start..start + len];
                let number = parse_number(found).ok_or_else(|| {
                    (
                        start,
                        Reason::BadNumber {
                            found: found.into(),
                        },
                    )
                })?;
                (Tok::Number(number), len)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let len = src[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(src.len() - start);
                (Tok::Word(src[start..start + len].into()), len)
            }
            found => return Err((start, Reason::UnexpectedCharacter { found })),
        };
        i += len;
        tokens.push(Token { tok, start, end: i });
    }
    Ok(tokens)
}

/// Digits, optionally a point and more digits.
fn parse_number(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return None;
    }
    text.parse().ok().filter(|n: &f64| n.is_finite())
}

/// Text in double quotes at the start of `src`, with `\"` and `\\` escapes;
/// returns the text and the length taken, quotes included.
fn lex_text(src: &str) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut chars = src.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((text, i + 1)),
            '\\' => text.push(chars.next()?.1),
            c => text.push(c),
        }
    }
    None
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    /// Where the next token starts, or the end of the rule.
    fn here(&self) -> usize {
        self.peek().map_or(self.source.len(), |t| t.start)
    }

    /// The next token as the officer wrote it, for messages.
    fn found(&self) -> String {
        match self.peek() {
            Some(t) => format!("`{}`", &self.source[t.start..t.end]),
            None => "the end of the rule".into(),
        }
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w == word)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let at = self.at_word(word);
        self.next += usize::from(at);
        at
    }

    /// A keyword written in capitals where `and` or `or` would fit.
    fn miscased_keyword(&self) -> Option<Failure> {
        let Some(Token {
            tok: Tok::Word(w),
            start,
            ..
        }) = self.peek()
        else {
            return None;
        };
        let lower = w.to_ascii_lowercase();
        (KEYWORDS.contains(&lower.as_str()) && lower != *w)
            .then(|| (*start, use_instead(w, &lower)))
    }

    fn rule_text(&mut self) -> Result<Expr, Failure> {
        if self.tokens.is_empty() {
            return Err((0, Reason::Empty));
        }
        let rule = self.rule()?;
        match self.peek() {
            None => Ok(rule),
            Some(Token {
                tok: Tok::RParen,
                start,
                ..
            }) => Err((*start, Reason::UnmatchedParen)),
            Some(_) => Err(self.miscased_keyword().unwrap_or_else(|| {
                (
                    self.here(),
                    Reason::ExpectedEnd {
                        found: self.found(),
                    },
                )
            })),
        }
    }

    fn rule(&mut self) -> Result<Expr, Failure> {
        let mut operands = vec![self.and_rule()?];
        while self.eat_word("or") {
            operands.push(self.and_rule()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::Or { operands }
        })
    }

    fn and_rule(&mut self) -> Result<Expr, Failure> {
        let mut operands = vec![self.unary()?];
        while self.eat_word("and") {
            operands.push(self.unary()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::And { operands }
        })
    }

    fn unary(&mut self) -> Result<Expr, Failure> {
        if self.depth >= MAX_DEPTH {
            return Err((self.here(), Reason::TooDeep));
        }
        self.depth += 1;
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Expr, Failure> {
        if self.eat_word("not") {
            return Ok(Expr::Not {
                operand: Box::new(self.unary()?),
            });
        }
        let Some(token) = self.peek().cloned() else {
            return Err((
                self.here(),
                Reason::ExpectedCondition {
                    found: self.found(),
                },
            ));
        };
        match &token.tok {
            Tok::LParen => {
                self.next += 1;
                let inner = self.rule()?;
                if matches!(
                    self.peek(),
                    Some(Token {
                        tok: Tok::RParen,
                        ..
                    })
                ) {
                    self.next += 1;
                    return Ok(inner);
                }
                Err(self.miscased_keyword().unwrap_or_else(|| {
                    (
                        self.here(),
                        Reason::UnclosedParen {
                            column: Position::at(self.source, token.start).column,
                            found: self.found(),
                        },
                    )
                }))
            }
            Tok::Word(w) if !KEYWORDS.contains(&w.as_str()) => {
                let fact = Fact::from_name(w).ok_or_else(|| {
                    let reason = match w.to_ascii_lowercase() {
                        l if KEYWORDS.contains(&l.as_str()) => use_instead(w, &l),
                        _ => Reason::UnknownFact {
                            name: w.clone(),
                            suggestion: suggest(w),
                        },
                    };
                    (token.start, reason)
                })?;
                self.next += 1;
                self.condition(fact)
            }
            _ => Err((
                token.start,
                Reason::ExpectedCondition {
                    found: self.found(),
                },
            )),
        }
    }

    /// What follows a fact's name; the fact has been taken.
    fn condition(&mut self, fact: Fact) -> Result<Expr, Failure> {
        let ty = fact.fact_type();
        let here = self.here();
        let wrong_operator = |op: &str| {
            let hint = match ty {
                FactType::Number => "compare it with `==`, `!=`, `<`, `<=`, `>` or `>=`",
                FactType::Code(_) => "use `==`, `!=` or `in [..]`",
                FactType::CodeSet(_) => "use `contains` or `in [..]`",
                FactType::Text => "use `==`, `!=`, `in [..]` or `contains`",
                FactType::YesNo => "",
            };
            (
                here,
                Reason::WrongOperator {
                    fact,
                    op: op.into(),
                    fact_type: ty.to_string(),
                    hint: hint.into(),
                },
            )
        };
        let op = match self.peek().map(|t| &t.tok) {
            Some(Tok::Op(op)) => Some(*op),
            Some(Tok::Word(w)) if w == "in" || w == "contains" => None,
            _ if ty == FactType::YesNo => return Ok(Expr::Fact { fact }),
            _ => {
                return Err((
                    here,
                    Reason::NeedsComparison {
                        fact,
                        fact_type: ty.to_string(),
                        hint: format!("test it, like `{}`", fact.example()),
                    },
                ));
            }
        };
        if ty == FactType::YesNo {
            return Err((here, Reason::YesNoCompared { fact }));
        }
        match op {
            Some(op) => {
                let fits = match ty {
                    FactType::Number => true,
                    FactType::Code(_) | FactType::Text => op.is_equality(),
                    FactType::CodeSet(_) | FactType::YesNo => false,
                };
                if !fits {
                    return Err(wrong_operator(op.symbol()));
                }
                self.next += 1;
                let value = self.value(fact, op.symbol())?;
                Ok(Expr::Compare { fact, op, value })
            }
            None if self.eat_word("in") => {
                if ty == FactType::Number {
                    return Err(wrong_operator("in"));
                }
                let values = self.list(fact)?;
                Ok(Expr::In { fact, values })
            }
            None => {
                if !matches!(ty, FactType::Text | FactType::CodeSet(_)) {
                    return Err(wrong_operator("contains"));
                }
                self.next += 1;
                let value = self.value(fact, "contains")?;
                Ok(Expr::Contains { fact, value })
            }
        }
    }

    fn list(&mut self, fact: Fact) -> Result<Vec<Value>, Failure> {
        let open = self.here();
        if !matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LBracket,
                ..
            })
        ) {
            return Err((
                open,
                Reason::ExpectedValue {
                    expected: "a list in `[..]`".into(),
                    after: "in".into(),
                },
            ));
        }
        self.next += 1;
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::RBracket,
                ..
            })
        ) {
            return Err((open, Reason::EmptyList));
        }
        let mut values = vec![self.value(fact, "[")?];
        loop {
            match self.peek().map(|t| &t.tok) {
                Some(Tok::RBracket) => break,
                Some(Tok::Comma) => {
                    self.next += 1;
                    if matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::RBracket,
                            ..
                        })
                    ) {
                        break;
                    }
                    values.push(self.value(fact, ",")?);
                }
                _ => {
                    return Err((
                        self.here(),
                        Reason::ExpectedListSeparator {
                            found: self.found(),
                        },
                    ));
                }
            }
        }
        self.next += 1;
        Ok(values)
    }

    /// A value for `fact`, of the fact's type, after the operator `after`.
    fn value(&mut self, fact: Fact, after: &str) -> Result<Value, Failure> {
        let ty = fact.fact_type();
        let here = self.here();
        let mismatch = |found: &str| {
            let hint = match ty {
                FactType::Text => "; put text in double quotes, like `\"Embassy of Norway\"`",
                FactType::Code(_) | FactType::CodeSet(_) => "; write codes without quotes",
                FactType::Number | FactType::YesNo => "",
            };
            (
                here,
                Reason::TypeMismatch {
                    fact,
                    fact_type: ty.to_string(),
                    found: found.into(),
                    hint: hint.into(),
                },
            )
        };
        let expected = || {
            let expected = match ty {
                FactType::Number => "a number",
                FactType::Text => "text in double quotes",
                FactType::Code(k) | FactType::CodeSet(k) => k.noun(),
                FactType::YesNo => "nothing",
            };
            (
                here,
                Reason::ExpectedValue {
                    expected: expected.into(),
                    after: after.into(),
                },
            )
        };
        let value = match self.peek().map(|t| &t.tok) {
            Some(Tok::Number(n)) if ty == FactType::Number => Value::Number(*n),
            Some(Tok::Number(_)) => return Err(mismatch("a number")),
            Some(Tok::Text(t)) if ty == FactType::Text => Value::Text(t.clone()),
            Some(Tok::Text(_)) => return Err(mismatch("text")),
            Some(Tok::Word(w)) if KEYWORDS.contains(&w.as_str()) => return Err(expected()),
            Some(Tok::Word(w)) => match ty {
                FactType::Code(kind) | FactType::CodeSet(kind) => {
                    if !kind.accepts(w) {
                        return Err((
                            here,
                            Reason::BadCode {
                                found: w.clone(),
                                noun: kind.noun().into(),
                                spelling: kind.spelling(),
                            },
                        ));
                    }
                    Value::Code(w.clone())
                }
                _ => return Err(mismatch("a word")),
            },
            _ => return Err(expected()),
        };
        self.next += 1;
        Ok(value)
    }
}

/// The fact an officer most likely meant by `name`, if any is close.
fn suggest(name: &str) -> Option<Fact> {
    let lower = name.to_ascii_lowercase();
    let threshold = (lower.len() / 4).max(2);
    Fact::ALL
        .into_iter()
        .map(|f| {
            let prefix = lower.len() >= 4 && f.name().starts_with(&lower);
            let distance = if prefix {
                0
            } else {
                edit_distance(&lower, f.name())
            };
            (distance, f)
        })
        .filter(|(d, _)| *d <= threshold)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// Levenshtein distance over bytes (fact names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("yeers_of_service", "years_of_service"), 1);
        assert_eq!(edit_distance("", "age"), 3);
        assert_eq!(edit_distance("nationalities", "nationality"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("yeers_of_service"), Some(Fact::YearsOfService));
        assert_eq!(suggest("document"), Some(Fact::Documents));
        assert_eq!(suggest("Age"), Some(Fact::Age));
        assert_eq!(suggest("nationalities"), Some(Fact::Nationality));
        assert_eq!(suggest("salary"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("2"), Some(2.0));
        assert_eq!(parse_number("1.5"), Some(1.5));
        assert_eq!(parse_number("1."), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("12abc"), None);
    }

    #[test]
    fn text_escapes() {
        assert_eq!(
            lex_text(r#""a \"b\" \\ c" rest"#),
            Some((r#"a "b" \ c"#.into(), 14))
        );
        assert_eq!(lex_text(r#""open"#), None);
    }
}
