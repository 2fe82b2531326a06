//! What channel and source pages share: a heading, an optional follow block, and one page of
//! the newest articles matching a filter.

use super::{check_in_range, html, page_number};
use crate::cache::CachedPage;
use crate::views::{Follow, Layout, ListHeading, ListItem, ListPage, Pager, SourceStatus};
use crate::{AppError, AppState};
use axum::http::{StatusCode, Uri};
use xinwen_store::ArticleFilter;

pub(crate) async fn render(
    state: &AppState,
    uri: &Uri,
    heading: ListHeading,
    follow: Option<Follow>,
    status: Option<SourceStatus>,
    filter: ArticleFilter,
) -> Result<CachedPage, AppError> {
    let number = page_number(uri)?;
    let store = state.store();
    let channels = store.channels().await?;
    let list = store
        .latest_articles(filter, number, state.site().per_page, false)
        .await?;
    check_in_range(number, list.page_count())?;
    let page = ListPage {
        layout: Layout::new(state, &channels, heading.name.clone(), &heading.path)
            .with_feeds(&heading.name, &heading.path),
        pager: Pager::new(&heading.path, number, list.page_count()),
        items: list.items.iter().map(ListItem::from).collect(),
        heading,
        follow,
        status,
    };
    html(StatusCode::OK, &page)
}
