//! A source's page: who the publisher is, how to follow it, and its articles.

use super::{check_in_range, follow_block, html, page_number, respond};
use crate::views::{Layout, ListHeading, ListItem, ListPage, Pager};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
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
    let number = page_number(uri)?;
    let store = state.store();
    let source = store
        .source_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let channels = store.channels().await?;
    let filter = ArticleFilter {
        source_id: Some(source.id),
        ..Default::default()
    };
    let list = store
        .latest_articles(filter, number, state.site().per_page, false)
        .await?;
    check_in_range(number, list.page_count())?;
    let path = format!("/source/{}", source.slug);
    let page = ListPage {
        layout: Layout::new(state, &channels, source.name.clone(), &path)
            .with_feeds(&source.name, &path),
        heading: ListHeading {
            kicker: source.kind.label_zh().into(),
            name: source.name.clone(),
            description: source.description.clone(),
            feed_rss: format!("{path}/feed.xml"),
            feed_atom: format!("{path}/atom.xml"),
        },
        follow: Some(follow_block(&source)),
        items: list.items.iter().map(ListItem::from).collect(),
        pager: Pager::new(&path, number, list.page_count()),
    };
    html(StatusCode::OK, &page)
}
