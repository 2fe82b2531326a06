//! The reading endpoints and the shapes they answer with.

use super::{Problem, respond_json};
use crate::{AppError, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinwen_model::{ArticleStatus, ArticleSummary};
use xinwen_store::{ArticleQuery, Cursor};

/// Items a list gives when the request does not say, and the most it may ask for.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
/// With bodies, fewer: a page of full articles is already a few hundred KB.
const MAX_LIMIT_WITH_BODY: u32 = 50;
/// Search pages reach as deep as the site's search pages do.
const MAX_SEARCH_PAGES: u32 = 50;

/// A channel or source as an article names it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NamedRef {
    pub slug: String,
    pub name: String,
    /// Its page on this site.
    pub url: String,
}

/// An article as lists give it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleItem {
    pub id: i64,
    /// The article's page on this site.
    pub url: String,
    pub title: String,
    pub summary: String,
    /// The byline, as the publisher gave it.
    pub author: Option<String>,
    pub published_at: DateTime<Utc>,
    pub channel: NamedRef,
    /// Who published it where xinwen read it.
    pub source: NamedRef,
    /// The publication a repost credits (本文来源), when it is not the source itself.
    pub credited_source: Option<String>,
    /// The original page, when it is a web address.
    pub original_url: Option<String>,
    /// The story it belongs to (the same news told by several sources).
    pub story_id: Option<i64>,
    /// Its first picture, absolute.
    pub image: Option<String>,
    /// The sanitized body, when the list was asked for bodies (`body=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// A picture of an article.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImageItem {
    /// Absolute; served by this site's image proxy.
    pub src: String,
    pub alt: String,
    pub caption: String,
}

/// One article, whole.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleFull {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub author: Option<String>,
    pub published_at: DateTime<Utc>,
    pub channel: NamedRef,
    pub source: NamedRef,
    pub credited_source: Option<String>,
    pub original_url: Option<String>,
    pub story_id: Option<i64>,
    /// `zh-Hans` or `zh-Hant`, as published.
    pub script: String,
    /// The sanitized body, as the article page shows it.
    pub html: String,
    /// The body as plain text.
    pub text: String,
    pub images: Vec<ImageItem>,
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleList {
    pub items: Vec<ArticleItem>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ArticleParams {
    /// Only this channel's articles (its slug).
    pub channel: Option<String>,
    /// Only this source's articles (its slug).
    pub source: Option<String>,
    /// Only this story's articles.
    pub story: Option<i64>,
    /// Published at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Published before this time (RFC 3339).
    pub until: Option<String>,
    /// Where the page starts: a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items in the page: 1–100 (1–50 with bodies); 20 when absent.
    pub limit: Option<u32>,
    /// Include each article's sanitized body as `html`.
    pub body: Option<bool>,
}

fn bad(why: impl Into<String>) -> AppError {
    AppError::BadRequest(why.into())
}

/// The query string's values, or a 400 that says which was wrong.
pub(crate) fn params<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    query.map(|Query(p)| p).map_err(|e| {
        bad(format!(
            "a query parameter is not understood: {}",
            e.body_text()
        ))
    })
}

fn time_param(name: &str, value: Option<&str>) -> Result<Option<i64>, AppError> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.timestamp())
                .map_err(|_| bad(format!("{name} must be a time as RFC 3339 writes it, such as 2026-12-01T08:00:00+08:00")))
        })
        .transpose()
}

fn limit_param(limit: Option<u32>, max: u32) -> Result<u32, AppError> {
    match limit {
        None => Ok(DEFAULT_LIMIT.min(max)),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(bad(format!("limit must be between 1 and {max}, not {n}"))),
    }
}

fn base(state: &AppState) -> &str {
    state.site().base_url.trim_end_matches('/')
}

fn web_url(url: &str) -> Option<String> {
    xinwen_model::link::is_web_url(url).then(|| xinwen_model::link::printable(url).to_owned())
}

fn item(base: &str, a: &ArticleSummary) -> ArticleItem {
    ArticleItem {
        id: a.id,
        url: format!("{base}/article/{}", a.id),
        title: a.title.clone(),
        summary: a.summary.clone(),
        author: a.author.clone(),
        published_at: a.published_at,
        channel: NamedRef {
            slug: a.channel_slug.clone(),
            name: a.channel_name.clone(),
            url: format!("{base}/channel/{}", a.channel_slug),
        },
        source: NamedRef {
            slug: a.source_slug.clone(),
            name: a.source_name.clone(),
            url: format!("{base}/source/{}", a.source_slug),
        },
        credited_source: xinwen_model::credited_publication(
            a.credited_source.as_deref(),
            &a.source_name,
        )
        .map(str::to_owned),
        original_url: web_url(&a.original_url),
        story_id: a.story_id,
        image: a
            .thumbnail
            .as_ref()
            .map(|t| crate::format::absolute_url(base, &t.src)),
        html: a
            .body_html
            .as_deref()
            .map(|html| crate::format::absolutize(html, base)),
    }
}

/// Live articles, newest first, reposts included.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "read",
    params(ArticleParams),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such channel or source", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn articles(
    State(state): State<AppState>,
    uri: Uri,
    query: Result<Query<ArticleParams>, QueryRejection>,
) -> Response {
    respond_json(&state, &uri, async {
        let p = params(query)?;
        let with_body = p.body.unwrap_or(false);
        let limit = limit_param(
            p.limit,
            if with_body {
                MAX_LIMIT_WITH_BODY
            } else {
                MAX_LIMIT
            },
        )?;
        let store = state.store();
        let channel_id = match &p.channel {
            Some(slug) => Some(
                store
                    .channel_by_slug(slug)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .id,
            ),
            None => None,
        };
        let source_id = match &p.source {
            Some(slug) => Some(
                store
                    .source_by_slug(slug)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .id,
            ),
            None => None,
        };
        let after =
            match &p.cursor {
                Some(c) => Some(Cursor::parse(c).ok_or_else(|| {
                    bad("cursor is not one this API gave; start again without it")
                })?),
                None => None,
            };
        let query = ArticleQuery {
            channel_id,
            source_id,
            story_id: p.story,
            since: time_param("since", p.since.as_deref())?,
            until: time_param("until", p.until.as_deref())?,
            after,
        };
        let (found, next) = store.query_articles(&query, limit, with_body).await?;
        let base = base(&state);
        Ok(ArticleList {
            items: found.iter().map(|a| item(base, a)).collect(),
            next_cursor: next.map(Cursor::to_param),
        })
    })
    .await
}

/// One article, with its body, text and pictures.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}",
    tag = "read",
    params(("id" = i64, Path, description = "The article's id")),
    responses(
        (status = 200, description = "The article", body = ArticleFull),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The article was removed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    respond_json(&state, &uri, async {
        let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
        let a = state.store().article(id).await?.ok_or(AppError::NotFound)?;
        if a.status == ArticleStatus::Removed {
            return Err(AppError::Gone);
        }
        if a.status != ArticleStatus::Live {
            return Err(AppError::NotFound);
        }
        let base = base(&state);
        Ok(ArticleFull {
            id: a.id,
            url: format!("{base}/article/{}", a.id),
            title: a.title.clone(),
            summary: a.summary.clone(),
            author: a.author.clone(),
            published_at: a.published_at,
            channel: NamedRef {
                slug: a.channel.slug.clone(),
                name: a.channel.name.clone(),
                url: format!("{base}/channel/{}", a.channel.slug),
            },
            source: NamedRef {
                slug: a.source.slug.clone(),
                name: a.source.name.clone(),
                url: format!("{base}/source/{}", a.source.slug),
            },
            credited_source: xinwen_model::credited_publication(
                a.credited_source.as_deref(),
                &a.source.name,
            )
            .map(str::to_owned),
            original_url: web_url(&a.original_url),
            story_id: a.story_id,
            script: a.script.as_str().to_owned(),
            html: crate::format::absolutize(&a.body_html, base),
            text: a.body_text.clone(),
            images: a
                .images
                .iter()
                .map(|i| ImageItem {
                    src: crate::format::absolute_url(base, &i.src),
                    alt: i.alt.clone(),
                    caption: i.caption.clone(),
                })
                .collect(),
        })
    })
    .await
}

/// An article of a story, as the story lists it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryItem {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub source: NamedRef,
    pub published_at: DateTime<Utc>,
    pub credited_source: Option<String>,
}

/// A story: the same news told by several sources, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryOut {
    pub id: i64,
    /// The article that told it first, as far as xinwen knows.
    pub original_article_id: Option<i64>,
    /// The article that stands for the story in lists.
    pub lead_article_id: Option<i64>,
    /// Distinct sources telling it.
    pub source_count: u32,
    pub articles: Vec<StoryItem>,
}

/// A story and its coverage.
#[utoipa::path(
    get,
    path = "/api/v1/stories/{id}",
    tag = "read",
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "The story", body = StoryOut),
        (status = 404, description = "No such story, or none of it is left", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn story(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    respond_json(&state, &uri, async {
        let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
        let story = state.store().story(id).await?.ok_or(AppError::NotFound)?;
        let base = base(&state);
        let articles: Vec<StoryItem> = story
            .articles
            .iter()
            .filter(|a| a.live)
            .map(|a| StoryItem {
                id: a.id,
                url: format!("{base}/article/{}", a.id),
                title: a.title.clone(),
                source: NamedRef {
                    slug: a.source_slug.clone(),
                    name: a.source_name.clone(),
                    url: format!("{base}/source/{}", a.source_slug),
                },
                published_at: a.published_at,
                credited_source: xinwen_model::credited_publication(
                    a.credited_source.as_deref(),
                    &a.source_name,
                )
                .map(str::to_owned),
            })
            .collect();
        if articles.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(StoryOut {
            id: story.id,
            original_article_id: story.original_article_id,
            lead_article_id: story.lead_article_id,
            source_count: u32::try_from(story.source_count()).unwrap_or(u32::MAX),
            articles,
        })
    })
    .await
}

/// A story of 热点.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HotItem {
    pub story_id: i64,
    pub source_count: u32,
    /// The ranking's score: sources telling it, weighed by how recently.
    pub heat: f64,
    /// The article that stands for it.
    pub lead: ArticleItem,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HotList {
    pub items: Vec<HotItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HotParams {
    /// Stories in the list: 1–100; 20 when absent.
    pub limit: Option<u32>,
}

/// 热点: the stories most sources are telling now, hottest first.
#[utoipa::path(
    get,
    path = "/api/v1/hot",
    tag = "read",
    params(HotParams),
    responses(
        (status = 200, description = "The hot stories", body = HotList),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn hot(
    State(state): State<AppState>,
    uri: Uri,
    query: Result<Query<HotParams>, QueryRejection>,
) -> Response {
    respond_json(&state, &uri, async {
        let p = params(query)?;
        let limit = limit_param(p.limit, MAX_LIMIT)?;
        let hot = state.store().hot_stories(Utc::now(), limit).await?;
        let ids: Vec<i64> = hot.iter().map(|h| h.lead_article_id).collect();
        let leads = state.store().summaries_by_ids(&ids).await?;
        let base = base(&state);
        let items = hot
            .iter()
            .filter_map(|h| {
                let lead = leads.iter().find(|a| a.id == h.lead_article_id)?;
                Some(HotItem {
                    story_id: h.story_id,
                    source_count: h.source_count,
                    heat: h.score,
                    lead: item(base, lead),
                })
            })
            .collect();
        Ok(HotList { items })
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Matching stories (each told once, by its original).
    pub total: u64,
    /// False when `total` is an estimate (a query matching a great many articles).
    pub total_exact: bool,
    pub items: Vec<ArticleItem>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The query, in the site's search syntax: words, "a phrase", -without, source:slug,
    /// channel:slug.
    pub q: String,
    /// Where the page starts: a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items in the page: 1–100; 20 when absent.
    pub limit: Option<u32>,
}

/// Search, best matches first, as the site's search page finds them.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "read",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of matches", body = SearchResults),
        (status = 400, description = "No query, or a parameter is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    uri: Uri,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    respond_json(&state, &uri, async {
        let p = params(query)?;
        let text = p.q.trim().to_owned();
        if text.is_empty() {
            return Err(bad("q is empty: say what to search for"));
        }
        let limit = limit_param(p.limit, MAX_LIMIT)?;
        // A search cursor is the page number: results are ranked, not keyed.
        let page = match &p.cursor {
            Some(c) => c
                .strip_prefix("p")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (2..=MAX_SEARCH_PAGES).contains(n))
                .ok_or_else(|| bad("cursor is not one this API gave; start again without it"))?,
            None => 1,
        };
        let found = crate::pages::search::find(&state, &text, page, limit).await?;
        let base = base(&state);
        let shown = u64::from(page) * u64::from(limit);
        let next_cursor = (shown < found.total as u64 && page < MAX_SEARCH_PAGES)
            .then(|| format!("p{}", page + 1));
        Ok(SearchResults {
            query: text,
            total: found.total as u64,
            total_exact: found.total_exact,
            items: found.articles.iter().map(|a| item(base, a)).collect(),
            next_cursor,
        })
    })
    .await
}

/// How fetching a source is going.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthOut {
    /// `ok`, `failing`, `paused`, or `waiting` (never fetched yet).
    pub state: String,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last failure, in words; absent once a fetch succeeds.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// Articles added from it since it was added.
    pub articles_added: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceOut {
    pub slug: String,
    pub name: String,
    /// How it is read: `feed`, `page`, `sitemap` or `wechat`.
    pub kind: String,
    /// What kind of publisher it is: `official`, `commercial`, `self_media` or `readers`.
    pub publisher: String,
    pub url: String,
    pub homepage: Option<String>,
    pub feed_url: Option<String>,
    pub description: String,
    pub health: HealthOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceList {
    pub items: Vec<SourceOut>,
}

/// Every source, by name, with how fetching it is going.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "read",
    responses(
        (status = 200, description = "The sources", body = SourceList),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn sources(State(state): State<AppState>, uri: Uri) -> Response {
    respond_json(&state, &uri, async {
        let all = state.store().sources_with_health().await?;
        let base = base(&state);
        let items = all
            .into_iter()
            .map(|s| {
                let h = s.health;
                let state = if s.source.paused {
                    "paused"
                } else if h.consecutive_failures > 0 {
                    "failing"
                } else if h.last_success_at.is_some() {
                    "ok"
                } else {
                    "waiting"
                };
                SourceOut {
                    url: format!("{base}/source/{}", s.source.slug),
                    slug: s.source.slug,
                    name: s.source.name,
                    kind: s.source.kind.as_str().to_owned(),
                    publisher: s.source.publisher.as_str().to_owned(),
                    homepage: s.source.homepage.as_deref().and_then(web_url),
                    feed_url: s.source.feed_url.as_deref().and_then(web_url),
                    description: s.source.description,
                    health: HealthOut {
                        state: state.to_owned(),
                        last_attempt_at: h.last_attempt_at,
                        last_success_at: h.last_success_at,
                        last_error: h.last_error,
                        consecutive_failures: h.consecutive_failures,
                        failing_since: h.failing_since,
                        next_check_at: h.next_check_at,
                        articles_added: h.articles_added,
                    },
                }
            })
            .collect();
        Ok(SourceList { items })
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChannelOut {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChannelList {
    pub items: Vec<ChannelOut>,
}

/// The channels, in the order the home page shows them.
#[utoipa::path(
    get,
    path = "/api/v1/channels",
    tag = "read",
    responses(
        (status = 200, description = "The channels", body = ChannelList),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn channels(State(state): State<AppState>, uri: Uri) -> Response {
    respond_json(&state, &uri, async {
        let base = base(&state);
        let items = state
            .store()
            .channels()
            .await?
            .into_iter()
            .map(|c| ChannelOut {
                url: format!("{base}/channel/{}", c.slug),
                slug: c.slug,
                name: c.name,
                description: c.description,
            })
            .collect();
        Ok(ChannelList { items })
    })
    .await
}
