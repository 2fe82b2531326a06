//! `/search`: the search page, and the query that the search feed shares.

use super::{html, respond};
use crate::format::{datetime_iso, datetime_zh};
use crate::views::{Layout, ListItem, Pager, SearchPage, SearchResult};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use xinwen_model::ArticleSummary;

/// Longer queries are cut here: nobody types more, and it bounds the work of one request.
const MAX_QUERY_CHARS: usize = 200;

/// `q` and `page` from the query string.
pub(crate) fn read_query(uri: &Uri) -> Result<(String, u32), AppError> {
    let mut text = String::new();
    let mut page = 1;
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "q" => {
                text = value
                    .chars()
                    .take(MAX_QUERY_CHARS)
                    .collect::<String>()
                    .trim()
                    .to_owned()
            }
            "page" => {
                page = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| AppError::BadRequest(format!("页码“{value}”不是有效的页码。")))?
            }
            _ => {}
        }
    }
    Ok((text, page))
}

pub(crate) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What a query found: its words (for snippets), how many in all, and one page of articles.
pub(crate) struct Found {
    pub parsed: xinwen_search::ParsedQuery,
    pub total: usize,
    /// False when `total` is an estimate (a query matching a great many articles).
    pub total_exact: bool,
    pub articles: Vec<ArticleSummary>,
}

pub(crate) async fn find(
    state: &AppState,
    text: &str,
    page: u32,
    per_page: u32,
) -> Result<Found, AppError> {
    let Some(index) = state.search_index() else {
        return Err(AppError::Internal(
            "search is not set up in this process".into(),
        ));
    };
    let parsed = xinwen_search::parse(text, index.analyzer());
    if parsed.is_empty() {
        return Ok(Found {
            parsed,
            total: 0,
            total_exact: true,
            articles: Vec::new(),
        });
    }
    let offset = (page as usize - 1) * per_page as usize;
    // A search is work for a core, not a wait: on a blocking thread, so that the runtime's
    // threads go on answering the pages the cache holds meanwhile.
    let hits = {
        let index = index.clone();
        let query = parsed.clone();
        tokio::task::spawn_blocking(move || {
            index.search(&query, offset, per_page as usize, chrono::Utc::now())
        })
        .await
        .map_err(|e| AppError::Internal(format!("search stopped: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let ids: Vec<i64> = hits.items.iter().map(|h| h.id).collect();
    // The store has the last word: an article removed a moment ago is not shown. A story is
    // shown once, where its best-ranked article ranks, by the article that stands for it in
    // lists (its original), as everywhere else on the site.
    let store = state.store();
    let found = store.summaries_by_ids(&ids).await?;
    let stories: Vec<i64> = found.iter().filter_map(|a| a.story_id).collect();
    let leads = store.story_leads(&stories).await?;
    let lead_ids: Vec<i64> = leads
        .values()
        .copied()
        .filter(|lead| !found.iter().any(|a| a.id == *lead))
        .collect();
    let mut other_leads: std::collections::HashMap<i64, xinwen_model::ArticleSummary> = store
        .summaries_by_ids(&lead_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut seen_stories = Vec::new();
    let mut articles = Vec::with_capacity(found.len());
    for article in &found {
        let Some(story) = article.story_id else {
            articles.push(article.clone());
            continue;
        };
        if seen_stories.contains(&story) {
            continue;
        }
        seen_stories.push(story);
        let lead = leads.get(&story).copied().unwrap_or(article.id);
        let shown = found
            .iter()
            .find(|a| a.id == lead)
            .cloned()
            .or_else(|| other_leads.remove(&lead))
            // A lead removed a moment ago: the matching article stands in for it.
            .unwrap_or_else(|| article.clone());
        articles.push(shown);
    }
    // Every match fits on this page: the count is what the reader sees, reposts folded in.
    let folded = hits.total_exact && offset == 0 && hits.total <= per_page as usize;
    let total = if folded { articles.len() } else { hits.total };
    Ok(Found {
        parsed,
        total,
        total_exact: hits.total_exact,
        articles,
    })
}

pub async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, &uri)).await
}

async fn render(state: &AppState, uri: &Uri) -> Result<crate::cache::CachedPage, AppError> {
    let (text, number) = read_query(uri)?;
    let per_page = state.site().per_page;
    let found = find(state, &text, number, per_page).await?;
    let terms = found.parsed.highlight_terms();
    let results = found
        .articles
        .iter()
        .map(|a| SearchResult {
            href: format!("/article/{}", a.id),
            title_html: xinwen_search::snippet(&a.title, &terms, 200),
            snippet_html: xinwen_search::snippet(
                a.body_html
                    .as_deref()
                    .map(xinwen_extract::html_to_text)
                    .unwrap_or_default()
                    .as_str(),
                &terms,
                110,
            ),
            source_name: a.source_name.clone(),
            source_href: format!("/source/{}", a.source_slug),
            channel_name: a.channel_name.clone(),
            time_display: datetime_zh(a.published_at),
            time_iso: datetime_iso(a.published_at),
        })
        .collect::<Vec<_>>();
    let mut pages =
        u32::try_from(found.total.div_ceil(per_page.max(1) as usize)).unwrap_or(u32::MAX);
    if !found.total_exact && found.articles.len() >= per_page as usize {
        // An estimate may fall short: a full page always offers the next.
        pages = pages.max(number.saturating_add(1));
    }
    if number > 1 && (number > pages || results.is_empty()) {
        return Err(AppError::NotFound);
    }
    let latest = if results.is_empty() && !text.is_empty() {
        let list = state
            .store()
            .latest_articles(Default::default(), 1, 5, false)
            .await?;
        list.items.iter().map(ListItem::from).collect()
    } else {
        Vec::new()
    };
    let mut notes: Vec<String> = found
        .parsed
        .ignored
        .iter()
        .map(|part| format!("没有看懂“{part}”，已忽略。日期请写成 2026-11-01 的形式。"))
        .collect();
    if text.chars().count() >= MAX_QUERY_CHARS {
        notes.push(format!("搜索词太长，只用了前 {MAX_QUERY_CHARS} 个字。"));
    }
    let channels = state.store().channels().await?;
    let encoded = encode(&text);
    let title = if text.is_empty() {
        "搜索".to_owned()
    } else {
        format!("{text} - 搜索")
    };
    let mut layout = Layout::new(state, &channels, title, &format!("/search?q={encoded}"));
    let feed_href = format!("/search/feed.xml?q={encoded}");
    if !text.is_empty() {
        layout.feeds.push(crate::views::FeedLink {
            title: format!("搜索“{text}” RSS"),
            href: feed_href.clone(),
            mime: "application/rss+xml",
        });
        layout.feeds.push(crate::views::FeedLink {
            title: format!("搜索“{text}” JSON Feed"),
            href: format!("/search/feed.json?q={encoded}"),
            mime: "application/feed+json",
        });
    }
    let page = SearchPage {
        layout,
        total: found.total,
        total_text: count_text(found.total, found.total_exact),
        results,
        pager: Pager::for_link(number, pages, |n| format!("/search?q={encoded}&page={n}")),
        feed_href,
        notes,
        latest,
        query: text,
    };
    html(StatusCode::OK, &page)
}

/// "共找到 12 篇文章", or a rounded "约 95 万篇文章" when the count is an estimate.
fn count_text(total: usize, exact: bool) -> String {
    if exact {
        return format!("共找到 {total} 篇文章");
    }
    let tens_of_thousands = total as f64 / 10_000.0;
    let amount = if tens_of_thousands >= 10.0 {
        format!("{:.0} 万", tens_of_thousands.round())
    } else if tens_of_thousands >= 1.0 {
        format!("{:.1} 万", tens_of_thousands)
    } else {
        format!("{} ", (total / 100) * 100)
    };
    format!("约 {amount}篇文章")
}

#[cfg(test)]
mod tests {
    use super::count_text;

    #[test]
    fn counts_are_exact_or_rounded_and_said_to_be_estimates() {
        assert_eq!(count_text(12, true), "共找到 12 篇文章");
        assert_eq!(count_text(952_292, false), "约 95 万篇文章");
        assert_eq!(count_text(23_456, false), "约 2.3 万篇文章");
        assert_eq!(count_text(8_765, false), "约 8700 篇文章");
    }
}
