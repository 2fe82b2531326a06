//! The home page: the latest articles, and on the first page a section per channel.

use super::{check_in_range, html, page_number, respond};
use crate::views::{ChannelSection, HomePage, Layout, ListItem, Pager};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use xinwen_store::ArticleFilter;

/// Headlines per channel section.
const SECTION_SIZE: u32 = 5;

pub async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, &uri)).await
}

async fn render(state: &AppState, uri: &Uri) -> Result<crate::cache::CachedPage, AppError> {
    let number = page_number(uri)?;
    let store = state.store();
    let channels = store.channels().await?;
    let latest = store
        .latest_articles(
            ArticleFilter::default(),
            number,
            state.site().per_page,
            false,
        )
        .await?;
    check_in_range(number, latest.page_count())?;
    let mut sections = Vec::new();
    if number == 1 {
        for channel in &channels {
            let filter = ArticleFilter {
                channel_id: Some(channel.id),
                ..Default::default()
            };
            let items = store
                .latest_articles(filter, 1, SECTION_SIZE, false)
                .await?;
            if !items.items.is_empty() {
                sections.push(ChannelSection {
                    name: channel.name.clone(),
                    href: format!("/channel/{}", channel.slug),
                    items: items.items.iter().map(ListItem::from).collect(),
                });
            }
        }
    }
    let site_name = state.site().name.clone();
    let hot = if number == 1 {
        super::stories::hot_items(state, 5).await?
    } else {
        Vec::new()
    };
    let page = HomePage {
        hot,
        layout: Layout::new(state, &channels, String::new(), "/").with_feeds(&site_name, ""),
        items: latest.items.iter().map(ListItem::from).collect(),
        pager: Pager::new("/", number, latest.page_count()),
        sections,
    };
    html(StatusCode::OK, &page)
}
