//! The pages: server-rendered HTML, plain forms, no script (but for the
//! offline gate page, `gate.rs`, which must work without the server). The officer
//! pages check access through the same rules as the API; the registration
//! pages need no account and speak the registrant's language.

mod alerts;
mod board;
mod burn;
mod case_edit;
pub(crate) mod cases;
mod dashboard;
mod duplicates;
mod eligibility;
mod gate;
mod gate_conflicts;
pub(crate) mod household_form;
pub(crate) mod intake;
mod login;
mod pass;
mod planning;
pub(crate) mod register;
mod render;
mod roll_call;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::sign_out))
        .route("/operations/{op}/posts", get(board::page))
        .route("/operations/{op}/dashboard", get(dashboard::page))
        .route("/dashboard", get(dashboard::overview))
        .route(
            "/operations/{op}/cases",
            get(cases::list).post(cases::search),
        )
        .route(
            "/operations/{op}/cases/new",
            get(intake::new_case).post(intake::create_case),
        )
        .route(
            "/operations/{op}/import",
            get(intake::import_form)
                .post(intake::upload)
                .layer(DefaultBodyLimit::max(intake::MAX_UPLOAD)),
        )
        .route("/operations/{op}/import/{token}", post(intake::confirm))
        .route(
            "/operations/{op}/import/{token}/rejected.csv",
            get(intake::rejected),
        )
        .route("/operations/{op}/burn", get(burn::form).post(burn::submit))
        .route("/operations/{op}/duplicates", get(duplicates::queue))
        .route("/duplicates/{id}", get(duplicates::pair))
        .route("/duplicates/{id}/decision", post(duplicates::decide))
        .route("/cases/{id}", get(cases::page))
        .route("/cases/{id}/status", post(cases::change_status))
        .route(
            "/cases/{id}/edit",
            get(case_edit::form).post(case_edit::save),
        )
        .route("/cases/{id}/decision", post(eligibility::decide))
        .route("/cases/{id}/tier", post(eligibility::tier))
        .route(
            "/schemes/{id}",
            get(eligibility::page).post(eligibility::update),
        )
        .route("/operations/{op}/schemes", get(eligibility::list))
        .route("/schemes/{id}/rules", post(eligibility::save))
        .route(
            "/operations/{op}/plan",
            get(planning::page).post(planning::propose),
        )
        .route(
            "/operations/{op}/assembly-points",
            post(planning::add_point),
        )
        .route("/plans/{id}/approve", post(planning::approve))
        .route(
            "/operations/{op}/alerts",
            get(alerts::list).post(alerts::submit),
        )
        .route("/operations/{op}/alerts/{id}/send", post(alerts::send))
        .route(
            "/operations/{op}/roll-calls",
            get(roll_call::list).post(roll_call::start),
        )
        .route("/operations/{op}/roll-calls/{id}", get(roll_call::page))
        .route(
            "/operations/{op}/roll-calls/{id}/close",
            post(roll_call::close),
        )
        .route(
            "/roll-call/{token}",
            get(roll_call::answer_form).post(roll_call::answer_submit),
        )
        .route("/register", get(register::form).post(register::add_member))
        .route("/register/status", get(register::status_form))
        .route("/operations/{op}/gate/conflicts", get(gate_conflicts::page))
        .route("/pass/{key}", get(pass::page))
        .route("/gate", get(gate::root))
        .route("/gate/", get(gate::page))
        .route("/gate/gate.js", get(gate::script))
        .route("/gate/sw.js", get(gate::worker))
        .route("/gate/gate.css", get(gate::stylesheet))
        .route("/gate/manifest.webmanifest", get(gate::manifest))
        .route("/gate/icon.svg", get(gate::icon))
        .route("/static/muster.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/muster.css"),
    )
}
