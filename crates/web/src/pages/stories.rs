//! Stories: the timeline of one story's coverage, the 热点 page and its feed, and the "also
//! reported by" block of article pages.

use super::{html, respond};
use crate::format::{datetime_iso, datetime_zh};
use crate::views::{AlsoReported, CoverageItem, HotItem, HotPage, Layout, StoryPage};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use xinwen_store::{Story, StoryArticle};

fn coverage(story: &Story, article: &StoryArticle) -> CoverageItem {
    CoverageItem {
        href: format!("/article/{}", article.id),
        title: article.title.clone(),
        source_name: article.source_name.clone(),
        source_type: article.source_publisher.label_zh(),
        source_href: format!("/source/{}", article.source_slug),
        time_display: datetime_zh(article.published_at),
        time_iso: datetime_iso(article.published_at),
        is_original: story.original_article_id == Some(article.id),
    }
}

/// The other sources of article `id`'s story, one article each, and its original.
pub(crate) async fn also_reported(
    state: &AppState,
    id: i64,
    story_id: Option<i64>,
) -> Result<Option<AlsoReported>, AppError> {
    let Some(story_id) = story_id else {
        return Ok(None);
    };
    let Some(story) = state.store().story(story_id).await? else {
        return Ok(None);
    };
    let own_source = story
        .articles
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.source_slug.clone());
    let mut seen: Vec<&str> = own_source.iter().map(String::as_str).collect();
    let mut others = Vec::new();
    for article in story.articles.iter().filter(|a| a.live && a.id != id) {
        if seen.contains(&article.source_slug.as_str()) {
            continue;
        }
        seen.push(&article.source_slug);
        others.push(coverage(&story, article));
    }
    if others.is_empty() {
        return Ok(None);
    }
    let original = story
        .articles
        .iter()
        .find(|a| a.live && story.original_article_id == Some(a.id) && a.id != id)
        .map(|a| coverage(&story, a));
    Ok(Some(AlsoReported {
        story_href: format!("/story/{}", story.id),
        source_count: story.source_count(),
        others,
        original,
    }))
}

pub async fn story(State(state): State<AppState>, Path(id): Path<String>, uri: Uri) -> Response {
    respond(&state, &uri, render_story(&state, &id)).await
}

async fn render_story(state: &AppState, id: &str) -> Result<crate::cache::CachedPage, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let story = state.store().story(id).await?.ok_or(AppError::NotFound)?;
    let live: Vec<&StoryArticle> = story.articles.iter().filter(|a| a.live).collect();
    if live.is_empty() {
        return Err(AppError::Gone);
    }
    let title = story
        .lead_article_id
        .and_then(|lead| live.iter().find(|a| a.id == lead))
        .unwrap_or(&live[0])
        .title
        .clone();
    let channels = state.store().channels().await?;
    let page = StoryPage {
        layout: Layout::new(state, &channels, title.clone(), &format!("/story/{id}")),
        title,
        source_count: story.source_count(),
        coverage: live.iter().map(|a| coverage(&story, a)).collect(),
    };
    html(StatusCode::OK, &page)
}

/// The hottest stories, as the home page and the 热点 page show them.
pub(crate) async fn hot_items(state: &AppState, limit: u32) -> Result<Vec<HotItem>, AppError> {
    let hot = state.store().hot_stories(chrono::Utc::now(), limit).await?;
    let ids: Vec<i64> = hot.iter().map(|h| h.lead_article_id).collect();
    let leads = state.store().summaries_by_ids(&ids).await?;
    Ok(hot
        .iter()
        .filter_map(|h| {
            let lead = leads.iter().find(|a| a.id == h.lead_article_id)?;
            Some((h, lead))
        })
        .enumerate()
        .map(|(n, (h, lead))| HotItem {
            rank: n + 1,
            href: format!("/article/{}", lead.id),
            title: lead.title.clone(),
            story_href: format!("/story/{}", h.story_id),
            source_count: h.source_count,
            time_display: datetime_zh(lead.published_at),
        })
        .collect())
}

pub async fn hot(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_hot(&state)).await
}

async fn render_hot(state: &AppState) -> Result<crate::cache::CachedPage, AppError> {
    let channels = state.store().channels().await?;
    let mut layout = Layout::new(state, &channels, "热点".into(), "/hot");
    layout.feeds.push(crate::views::FeedLink {
        title: "热点 RSS".into(),
        href: "/hot/feed.xml".into(),
        mime: "application/rss+xml",
    });
    layout.feeds.push(crate::views::FeedLink {
        title: "热点 JSON Feed".into(),
        href: "/hot/feed.json".into(),
        mime: "application/feed+json",
    });
    let page = HotPage {
        layout,
        hot: hot_items(state, 30).await?,
    };
    html(StatusCode::OK, &page)
}
