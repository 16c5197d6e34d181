//! Reading JSON bodies and query strings into problem documents rather than
//! axum's plain-text rejections. Errors name the field by its path and the
//! rule it broke, and never echo the value sent.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use domain::validation::{FieldError, ValidationErrors};
use serde::de::DeserializeOwned;

use crate::ApiError;
use crate::auth::csrf;

/// A JSON body, checked for type and origin but not yet parsed, so that the
/// handler can refuse an unauthorised caller before looking at the input.
pub struct JsonBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        csrf::same_origin(req.headers())?;
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json") || m.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        Ok(Self(bytes))
    }
}

impl JsonBody {
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.0)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::Validation(vec![data_error(&path, &inner.to_string())])
            }
            _ => ApiError::Validation(vec![FieldError::new(
                "",
                "json_syntax",
                format!(
                    "the body is not well-formed JSON (line {}, column {})",
                    inner.line(),
                    inner.column()
                ),
            )]),
        }
    })?;
    de.end().map_err(|_| {
        ApiError::Validation(vec![FieldError::new(
            "",
            "json_syntax",
            "unexpected data after the JSON value",
        )])
    })?;
    Ok(value)
}

/// Turns serde's message into a field error without the offending value.
fn data_error(path: &str, message: &str) -> FieldError {
    let field = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    let expected = message
        .split_once(", expected ")
        .map(|(_, e)| e.split(" at line ").next().unwrap_or(e).to_owned());
    let tick = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = tick(rest).unwrap_or_default();
        let field = if field.is_empty() {
            name
        } else {
            format!("{field}.{name}")
        };
        FieldError::new(field, "required", "is required")
    } else if message.starts_with("unknown field") {
        let name = tick(message).unwrap_or_default();
        let field = if field.is_empty() || field.ends_with(&name) {
            field
        } else {
            format!("{field}.{name}")
        };
        let field = if field.is_empty() { name } else { field };
        FieldError::new(
            field,
            "unknown_field",
            format!(
                "is not a known field; expected {}",
                expected.unwrap_or_default()
            ),
        )
    } else if message.starts_with("unknown variant") {
        FieldError::new(
            field,
            "unknown_value",
            format!("must be {}", expected.unwrap_or_default()),
        )
    } else if message.starts_with("invalid type") {
        FieldError::new(
            field,
            "json_type",
            format!(
                "has the wrong type; expected {}",
                expected.unwrap_or_default()
            ),
        )
    } else {
        // Values that parse but break a type's own rule (an id, a date, a slug).
        let what = expected.unwrap_or_else(|| "a valid value".to_owned());
        FieldError::new(field, "invalid_value", format!("must be {what}"))
    }
}

/// A query string parsed into `T`, with problem answers on failure.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        let de = form_urlencoded_parse(q);
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let message = e.into_inner().to_string();
                let mut errors = ValidationErrors::default();
                let (field, rule) = if let Some(rest) = message.strip_prefix("missing field ") {
                    (rest.trim_matches('`').to_owned(), "required")
                } else {
                    (field, "invalid_value")
                };
                errors.push(field, rule, "is missing or not valid here");
                ApiError::validation(errors)
            })
    }
}

fn form_urlencoded_parse(q: &str) -> serde_urlencoded::de::Deserializer<'_> {
    serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()))
}

/// Parses an id from a path segment; a malformed id is simply not found.
pub fn path_id<T: std::str::FromStr>(raw: &str, kind: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::case::NewCase;

    fn rules(body: &str) -> Vec<(String, String)> {
        match parse_json::<NewCase>(body.as_bytes()) {
            Err(ApiError::Validation(e)) => e.into_iter().map(|f| (f.field, f.rule)).collect(),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let r = rules(r#"{"members":[{"relationship":"principal","given_name":42}]}"#);
        assert_eq!(
            r,
            [("members[0].given_name".to_owned(), "json_type".to_owned())]
        );
        let r = rules(r#"{"members":[{"relationship":"cousin"}]}"#);
        assert_eq!(
            r,
            [(
                "members[0].relationship".to_owned(),
                "unknown_value".to_owned()
            )]
        );
        let r = rules(r#"{"members":[],"secret":"Mohammad"}"#);
        assert_eq!(r[0].1, "unknown_field");
        assert_eq!(
            rules(r#"{}"#),
            [("members".to_owned(), "required".to_owned())]
        );
        assert_eq!(rules(r#"{"members":["#)[0].1, "json_syntax");
        match parse_json::<NewCase>(
            br#"{"members":[{"relationship":"principal","given_name":["Mohammad"]}]}"#,
        ) {
            Err(ApiError::Validation(e)) => assert!(!e[0].message.contains("Mohammad")),
            _ => panic!("accepted"),
        }
    }
}
