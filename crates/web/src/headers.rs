//! Security headers on every answer.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// No inline script or style anywhere, so the policy needs no `unsafe-inline`.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The gate page's policy: the same, plus its service worker, its web app
/// manifest and the camera's video for BarcodeDetector.
const GATE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                        connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob: mediastream:; \
                        form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let is_gate = req.uri().path().starts_with("/gate/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        if is_gate { GATE_CSP } else { CSP },
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // `same-origin` rather than `no-referrer`: with no referrer at all, browsers
    // send `Origin: null` on our own forms, which the CSRF check must refuse.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if state.config.behind_tls {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    // Pages and API answers may hold personal data: no cache keeps them.
    if !is_static {
        set(header::CACHE_CONTROL, "no-store");
    }
    res
}
