//! Cross-site request forgery. Session cookies are `SameSite=Strict`; on top:
//! forms carry the session's token, and state-changing API calls must be JSON
//! from our own origin (a cross-site page can send neither without CORS,
//! which Muster never grants).

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::ApiError;

/// Refuses requests that a browser marks as coming from another site.
pub fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return Err(ApiError::Forbidden("cross-site requests are refused"));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if origin == "null" || origin_host != host {
            return Err(ApiError::Forbidden("cross-site requests are refused"));
        }
    }
    Ok(())
}

/// Compares tokens without leaking how much of them matched.
pub fn tokens_match(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    !a.is_empty()
        && ha
            .iter()
            .zip(hb.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn foreign_origins_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_static("muster.example:8080"),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://muster.example:8080"),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(same_origin(&h).is_err());
    }

    #[test]
    fn tokens() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
    }
}
