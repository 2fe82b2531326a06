//! A channel's page: its articles, newest first, and its feeds.

use super::{list, respond};
use crate::views::ListHeading;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use xinwen_store::ArticleFilter;

pub async fn page(State(state): State<AppState>, Path(slug): Path<String>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, &slug, &uri)).await
}

async fn render(
    state: &AppState,
    slug: &str,
    uri: &Uri,
) -> Result<crate::cache::CachedPage, AppError> {
    let channel = state
        .store()
        .channel_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = ArticleFilter {
        channel_id: Some(channel.id),
        ..Default::default()
    };
    let heading = ListHeading::new(
        "频道",
        &channel.name,
        &channel.description,
        "/channel",
        &channel.slug,
    );
    list::render(state, uri, heading, None, None, filter).await
}
