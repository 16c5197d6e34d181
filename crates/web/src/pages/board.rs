use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::access::Action;
use domain::operation::Operation;
use domain::post::Post;
use domain::posture::Posture;

use super::render::{Nav, PageError, html, time};
use crate::AppState;
use crate::access::operation_for;
use crate::auth::PageUser;

pub struct BoardRow {
    post: Post,
    posture_label: &'static str,
    posture_class: &'static str,
    since: Option<String>,
    history: Vec<HistoryLine>,
}

pub struct HistoryLine {
    at: String,
    posture: &'static str,
    reason: String,
    source: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    nav: Option<Nav>,
    operation: Operation,
    posts: Vec<BoardRow>,
}

pub(crate) fn class(p: Option<Posture>) -> &'static str {
    match p {
        Some(Posture::Open | Posture::Reopened) => "staffed",
        Some(Posture::ReducedStaff | Posture::OrderedDeparture) => "reduced",
        Some(Posture::Suspended | Posture::Evacuated) => "closed",
        None => "unknown",
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewPosts).await?;
    let posts = state
        .store
        .posture_board(&operation.id)
        .await?
        .into_iter()
        .map(|(post, history)| BoardRow {
            posture_label: post.posture.map_or("Unknown", Posture::label),
            posture_class: class(post.posture),
            since: post.posture_since.map(time),
            history: history
                .into_iter()
                .rev()
                .map(|e| HistoryLine {
                    at: time(e.effective_at),
                    posture: e.posture.label(),
                    reason: e.reason,
                    source: e.source,
                })
                .collect(),
            post,
        })
        .collect();
    Ok(html(&BoardPage {
        nav: Some(Nav::new(&me, &operation.id)),
        operation,
        posts,
    }))
}
