//! A source's page: who the publisher is, how to follow it, and its articles.

use super::{follow_block, list, respond};
use crate::views::{ListHeading, SourceStatus};
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
    let source = state
        .store()
        .source_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = ArticleFilter {
        source_id: Some(source.id),
        ..Default::default()
    };
    // 微信公众号 · 自媒体: where it publishes and what kind of publisher it is.
    let kicker = format!(
        "{} · {}",
        source.kind.label_zh(),
        source.publisher.label_zh()
    );
    let heading = ListHeading::new(
        &kicker,
        &source.name,
        &source.description,
        "/source",
        &source.slug,
    );
    let health = state.store().source_health(source.id).await?;
    let status = SourceStatus::new(&source, &health, state.site().stale_after);
    let follow = follow_block(&source);
    list::render(state, uri, heading, follow, status, filter).await
}
