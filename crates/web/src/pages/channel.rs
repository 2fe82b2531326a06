//! A channel's page: its articles, newest first, and its feeds.

use super::{check_in_range, html, page_number, respond};
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
    let channel = store
        .channel_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let channels = store.channels().await?;
    let filter = ArticleFilter {
        channel_id: Some(channel.id),
        ..Default::default()
    };
    let list = store
        .latest_articles(filter, number, state.site().per_page, false)
        .await?;
    check_in_range(number, list.page_count())?;
    let path = format!("/channel/{}", channel.slug);
    let page = ListPage {
        layout: Layout::new(state, &channels, channel.name.clone(), &path)
            .with_feeds(&channel.name, &path),
        heading: ListHeading {
            kicker: "频道".into(),
            name: channel.name.clone(),
            description: channel.description.clone(),
            feed_rss: format!("{path}/feed.xml"),
            feed_atom: format!("{path}/atom.xml"),
        },
        follow: None,
        items: list.items.iter().map(ListItem::from).collect(),
        pager: Pager::new(&path, number, list.page_count()),
    };
    html(StatusCode::OK, &page)
}
