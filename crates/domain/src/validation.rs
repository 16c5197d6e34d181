//! Validation errors that say which field broke which rule, so that a form or
//! an API client can point at the exact input, and nothing partial is stored.

use serde::{Deserialize, Serialize};

/// One broken rule on one field. `field` is a JSON-pointer-like path
/// (`members[2].date_of_birth`), `rule` a stable machine word, `message` for people.
/// Messages never repeat the offending value: it may be personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub rule: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.to_owned(),
            message: message.into(),
        }
    }
}

/// All the broken rules of one input, collected rather than stopping at the first,
/// so that a person fixes everything in one round trip on a slow link.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} field(s) failed validation", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, rule: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, rule, message));
    }

    /// Adds another input's errors with their fields nested under `prefix`.
    pub fn nest(&mut self, prefix: &str, other: ValidationErrors) {
        for e in other.0 {
            let field = if e.field.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}.{}", e.field)
            };
            self.0.push(FieldError { field, ..e });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn single(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, rule, message)])
    }
}

/// Inputs that can check themselves before anything is written.
pub trait Validate {
    fn validate(&self) -> Result<(), ValidationErrors>;
}

/// Shared checks for free-text fields.
pub fn text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(field, "required", "must not be empty");
    } else if value.chars().count() > max {
        errors.push(
            field,
            "max_length",
            format!("must be at most {max} characters"),
        );
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(
            field,
            "no_control_characters",
            "must not contain control characters",
        );
    }
}

/// Like [`text`] but absent is fine.
pub fn optional_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        text(errors, field, v, max);
    }
}

/// A nation or country code: ISO 3166-1 alpha-2 or alpha-3 in capitals, or an
/// alliance's short name (`NATO`, `EU`), which is how posts and schemes name nations.
pub fn nation_code(errors: &mut ValidationErrors, field: &str, value: &str) {
    let ok = (2..=4).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase());
    if !ok {
        errors.push(
            field,
            "nation_code",
            "must be an ISO 3166 code or alliance name in capitals, 2 to 4 letters",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_keep_their_path() {
        let mut inner = ValidationErrors::default();
        inner.push("given_name", "required", "must not be empty");
        let mut outer = ValidationErrors::default();
        outer.nest("members[1]", inner);
        assert_eq!(outer.0[0].field, "members[1].given_name");
        assert_eq!(outer.0[0].rule, "required");
    }

    #[test]
    fn text_rules() {
        let mut e = ValidationErrors::default();
        text(&mut e, "a", "  ", 10);
        text(&mut e, "b", "elevenchars", 10);
        text(&mut e, "c", "bell\u{7}", 10);
        text(&mut e, "d", "fine", 10);
        let rules: Vec<_> =
            e.0.iter()
                .map(|f| (f.field.as_str(), f.rule.as_str()))
                .collect();
        assert_eq!(
            rules,
            [
                ("a", "required"),
                ("b", "max_length"),
                ("c", "no_control_characters")
            ]
        );
    }
}
