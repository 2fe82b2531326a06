//! The article page: every part of the reference page, the title exactly once.

use super::{follow_block, html, respond};
use crate::format::{datetime_iso, datetime_zh};
use crate::views::{ArticlePage, Layout};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use xinwen_model::ArticleStatus;

pub async fn page(State(state): State<AppState>, Path(id): Path<String>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, &id)).await
}

async fn render(state: &AppState, id: &str) -> Result<crate::cache::CachedPage, AppError> {
    // Ids are positive integers; anything else cannot name an article.
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let store = state.store();
    let article = store.article(id).await?.ok_or(AppError::NotFound)?;
    if article.status == ArticleStatus::Removed {
        return Err(AppError::Gone);
    }
    let channels = store.channels().await?;
    let path = format!("/article/{}", article.id);
    let mut layout = Layout::new(state, &channels, article.title.clone(), &path);
    if !article.summary.is_empty() {
        layout.description = article.summary.clone();
    }
    let layout = layout.with_feeds(
        &article.source.name,
        &format!("/source/{}", article.source.slug),
    );
    let page = ArticlePage {
        layout,
        lang: article.script.as_str(),
        title: article.title.clone(),
        channel_name: article.channel.name.clone(),
        channel_href: format!("/channel/{}", article.channel.slug),
        author: article.author.clone(),
        source_name: article.source.name.clone(),
        source_href: format!("/source/{}", article.source.slug),
        time_display: datetime_zh(article.published_at),
        time_iso: datetime_iso(article.published_at),
        body_html: article.body_html.clone(),
        original_url: article.original_url.clone(),
        follow: follow_block(&article.source),
        // Filled by related reading once search lands; the section is hidden while empty.
        related: Vec::new(),
    };
    html(StatusCode::OK, &page)
}
