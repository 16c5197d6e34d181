//! The roll call, the muster that gives Muster its name: a group of people
//! (a post's staff, a nation's registered citizens, a scheme's households)
//! is asked "are you safe?" through a personal link, and the answers are
//! counted. A later answer replaces an earlier one; every answer is kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::person::name_words;
use crate::{CaseId, OperationId, PersonId, PostId, RollCallId, SchemeId};

/// Whom a roll call asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RollCallScope {
    /// The post's staff: persons whose employer names the post.
    Post(PostId),
    /// Registered persons holding this nationality (ISO 3166-1 code).
    Nationality(String),
    /// Every member of the scheme's households.
    Scheme(SchemeId),
}

impl RollCallScope {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Post(_) => "post",
            Self::Nationality(_) => "nationality",
            Self::Scheme(_) => "scheme",
        }
    }

    /// The id or code the scope names (no personal data).
    pub fn reference(&self) -> String {
        match self {
            Self::Post(p) => p.to_string(),
            Self::Nationality(n) => n.clone(),
            Self::Scheme(s) => s.to_string(),
        }
    }
}

/// Whether an employer as written names a post: every word of the post's
/// name appears in it, a word also matching its adjective by a common stem
/// ("Embassy of Germany" in "German Embassy, Kabul" or "Embassy of Germany").
/// Lists name employers loosely; officers review who was asked.
pub fn works_at(employer: &str, post_name: &str) -> bool {
    let have: Vec<String> = name_words(employer).collect();
    let mut want = name_words(post_name)
        .filter(|w| !matches!(w.as_str(), "of" | "the" | "and"))
        .peekable();
    want.peek().is_some() && want.all(|w| have.iter().any(|h| same_stem(h, &w)))
}

/// Equal, or sharing a prefix of at least four letters and two thirds of
/// the shorter word (german/germany, norwegian/norway).
fn same_stem(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= 4 && common * 3 >= shorter * 2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Safe where I am.
    Safe,
    NeedHelp,
    /// Have left the country.
    Left,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Self::Safe, Self::NeedHelp, Self::Left];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::NeedHelp => "need_help",
            Self::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// An SMS reply: the digit offered in the message (1 safe, 2 need help,
    /// 3 left, in Latin or Perso-Arabic digits) or the English word.
    pub fn from_reply(text: &str) -> Option<Self> {
        let first: String = text
            .split_whitespace()
            .next()?
            .chars()
            .map(|c| match c {
                '۱' | '١' => '1',
                '۲' | '٢' => '2',
                '۳' | '٣' => '3',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match first.trim_matches(|c: char| !c.is_alphanumeric()) {
            "1" | "safe" => Some(Self::Safe),
            "2" | "help" => Some(Self::NeedHelp),
            "3" | "left" => Some(Self::Left),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RollCallStatus {
    Open,
    Closed,
}

impl RollCallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// Answers counted: the latest answer of each person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerCounts {
    /// Persons asked (those with a contact).
    pub asked: i64,
    pub safe: i64,
    pub need_help: i64,
    pub left: i64,
    pub unanswered: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollCall {
    pub id: RollCallId,
    pub operation_id: OperationId,
    pub scope: RollCallScope,
    pub status: RollCallStatus,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counts: AnswerCounts,
}

/// Someone who has not answered yet, for follow-up by phone: personal data,
/// shown only to roles that may see persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unanswered {
    pub person_id: PersonId,
    pub case_id: CaseId,
    pub reference: String,
    pub name: String,
    pub phones: Vec<String>,
}

/// What the answer page needs about the person behind a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub roll_call_id: RollCallId,
    pub operation_id: OperationId,
    pub person_id: PersonId,
    pub language: Option<String>,
    pub open: bool,
    pub answer: Option<Answer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employers_name_their_post() {
        assert!(works_at("Embassy of Germany, Kabul", "Embassy of Germany"));
        assert!(works_at("GERMANY EMBASSY", "Embassy of Germany"));
        assert!(works_at("German Embassy", "Embassy of Germany"));
        assert!(works_at(
            "Royal Norwegian Embassy, Kabul",
            "Embassy of Norway"
        ));
        assert!(!works_at("Embassy of Germany", "Embassy of Norway"));
        assert!(!works_at("Embassy", "Embassy of Germany"));
        assert!(!works_at("Embassy of Norway", "Embassy of Germany"));
        assert!(!works_at("", "Embassy of Germany"));
        assert!(!works_at("anything", "of the"));
    }

    #[test]
    fn sms_replies_are_read_by_digit_or_word() {
        assert_eq!(Answer::from_reply(" 1 "), Some(Answer::Safe));
        assert_eq!(Answer::from_reply("2. please"), Some(Answer::NeedHelp));
        assert_eq!(Answer::from_reply("LEFT"), Some(Answer::Left));
        assert_eq!(Answer::from_reply("۲"), Some(Answer::NeedHelp));
        assert_eq!(Answer::from_reply("4"), None);
        assert_eq!(Answer::from_reply(""), None);
    }
}
