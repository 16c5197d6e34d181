//! Muster's HTTP face: the JSON API under `/api` (with its OpenAPI document),
//! the server-rendered officer pages, sessions, CSRF and security headers.
//!
//! Handlers are thin: they parse, ask [`access`] whether the signed-in user
//! may act, call the store, and render. Rules live in the domain crate.

pub mod access;
mod api;
pub mod auth;
mod burn;
pub mod charts;
mod error;
mod exports;
mod filters;
mod headers;
pub mod i18n;
mod intake_context;
mod json;
pub mod matcher;
pub mod outbox;
mod pages;
pub mod planner;
mod state;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::compression::CompressionLayer;

pub use error::ApiError;
pub use state::{AppState, Config};

/// The largest request body: a household with 40 members is a few KB.
pub const MAX_BODY: usize = 1024 * 1024;

/// The whole application, ready to serve.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "muster is listening");
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
