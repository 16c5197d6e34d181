//! The offline gate page's files: a page with no data in it, its script, its
//! service worker and web app manifest. They are compiled into the binary
//! (no CDN, nothing fetched from elsewhere); all data comes from the API,
//! behind the session, and stays encrypted on the device.

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

fn file(media: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, media)], body).into_response()
}

/// `GET /gate`: the page lives at `/gate/`, inside its service worker's scope.
pub async fn root() -> Redirect {
    Redirect::permanent("/gate/")
}

pub async fn page() -> Response {
    file(
        "text/html; charset=utf-8",
        include_str!("../../static/gate/index.html"),
    )
}

pub async fn script() -> Response {
    file(
        "text/javascript; charset=utf-8",
        include_str!("../../static/gate/gate.js"),
    )
}

pub async fn worker() -> Response {
    file(
        "text/javascript; charset=utf-8",
        include_str!("../../static/gate/sw.js"),
    )
}

pub async fn stylesheet() -> Response {
    file(
        "text/css; charset=utf-8",
        include_str!("../../static/gate/gate.css"),
    )
}

pub async fn manifest() -> Response {
    file(
        "application/manifest+json",
        include_str!("../../static/gate/manifest.webmanifest"),
    )
}

pub async fn icon() -> Response {
    file("image/svg+xml", include_str!("../../static/gate/icon.svg"))
}
