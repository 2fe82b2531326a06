//! RSS 2.0, Atom and JSON Feed 1.1 feeds of the home page, each channel and each source, of
//! 热点 and of any search.
//!
//! The XML is written by the `rss` and `atom_syndication` crates and the JSON by serde rather
//! than by templates: escaping and date formats in feeds are easy to get subtly wrong, and
//! readers are strict. Items carry the whole sanitized body with absolute links, and the
//! summary.

use crate::cache::CachedPage;
use crate::format::absolutize;
use crate::pages::respond;
use crate::{AppError, AppState};
use atom_syndication as atom;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use std::collections::BTreeMap;
use xinwen_model::ArticleSummary;
use xinwen_store::ArticleFilter;

/// Items per feed: a day or two of a busy source, as feed readers expect.
const FEED_SIZE: u32 = 30;

#[derive(Clone, Copy)]
pub(crate) enum Format {
    Rss,
    Atom,
    /// JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>).
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// What a feed covers, resolved from the URL.
struct Scope {
    title: String,
    description: String,
    /// The HTML page the feed mirrors, site-relative.
    page_path: String,
    filter: ArticleFilter,
}

pub async fn home_rss(state: State<AppState>, uri: Uri) -> Response {
    home(state, uri, Format::Rss).await
}
pub async fn home_atom(state: State<AppState>, uri: Uri) -> Response {
    home(state, uri, Format::Atom).await
}
pub async fn home_json(state: State<AppState>, uri: Uri) -> Response {
    home(state, uri, Format::Json).await
}
pub async fn channel_rss(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    channel(state, slug, uri, Format::Rss).await
}
pub async fn channel_atom(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    channel(state, slug, uri, Format::Atom).await
}
pub async fn channel_json(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    channel(state, slug, uri, Format::Json).await
}
pub async fn source_rss(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    source(state, slug, uri, Format::Rss).await
}
pub async fn source_atom(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    source(state, slug, uri, Format::Atom).await
}
pub async fn source_json(state: State<AppState>, slug: Path<String>, uri: Uri) -> Response {
    source(state, slug, uri, Format::Json).await
}

async fn home(State(state): State<AppState>, uri: Uri, format: Format) -> Response {
    respond(&state, &uri, render(&state, Target::Home, format, &uri)).await
}

async fn channel(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    format: Format,
) -> Response {
    let target = Target::Channel(slug);
    respond(&state, &uri, render(&state, target, format, &uri)).await
}

async fn source(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    format: Format,
) -> Response {
    let target = Target::Source(slug);
    respond(&state, &uri, render(&state, target, format, &uri)).await
}

enum Target {
    Home,
    Channel(String),
    Source(String),
}

async fn scope(state: &AppState, target: Target) -> Result<Scope, AppError> {
    let site = state.site();
    Ok(match target {
        Target::Home => Scope {
            title: site.name.clone(),
            description: site.tagline.clone(),
            page_path: "/".into(),
            filter: ArticleFilter::default(),
        },
        Target::Channel(slug) => {
            let channel = state
                .store()
                .channel_by_slug(&slug)
                .await?
                .ok_or(AppError::NotFound)?;
            Scope {
                title: format!("{} - {}", channel.name, site.name),
                description: if channel.description.is_empty() {
                    format!("{}频道的最新文章", channel.name)
                } else {
                    channel.description.clone()
                },
                page_path: format!("/channel/{}", channel.slug),
                filter: ArticleFilter {
                    channel_id: Some(channel.id),
                    ..Default::default()
                },
            }
        }
        Target::Source(slug) => {
            let source = state
                .store()
                .source_by_slug(&slug)
                .await?
                .ok_or(AppError::NotFound)?;
            Scope {
                title: format!("{} - {}", source.name, site.name),
                description: if source.description.is_empty() {
                    format!("{}的最新文章", source.name)
                } else {
                    source.description.clone()
                },
                page_path: format!("/source/{}", source.slug),
                filter: ArticleFilter {
                    source_id: Some(source.id),
                    ..Default::default()
                },
            }
        }
    })
}

async fn render(
    state: &AppState,
    target: Target,
    format: Format,
    uri: &Uri,
) -> Result<CachedPage, AppError> {
    let scope = scope(state, target).await?;
    let articles = state
        .store()
        .latest_articles(scope.filter, 1, FEED_SIZE, true)
        .await?
        .items;
    Ok(document(state, format, &scope, &articles, uri))
}

/// The feed a WebSub topic names (one of the site's own list feeds), rendered now; `None`
/// for any other address.
pub(crate) async fn for_topic(
    state: &AppState,
    topic: &str,
) -> Result<Option<CachedPage>, AppError> {
    let Some(list) = crate::websub::topic_list(state, topic) else {
        return Ok(None);
    };
    let format = if topic.ends_with("/atom.xml") {
        Format::Atom
    } else if topic.ends_with("/feed.json") {
        Format::Json
    } else {
        Format::Rss
    };
    let target = match list.split_once('/').map(|(_, rest)| rest.split_once('/')) {
        Some(Some(("channel", slug))) => Target::Channel(slug.to_owned()),
        Some(Some(("source", slug))) => Target::Source(slug.to_owned()),
        _ => Target::Home,
    };
    let path = topic
        .strip_prefix(state.site().base_url.trim_end_matches('/'))
        .unwrap_or(topic);
    let uri: Uri = path.parse().map_err(|_| AppError::NotFound)?;
    match render(state, target, format, &uri).await {
        Ok(page) => Ok(Some(page)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The feed of `articles` in `format`, as a cacheable response.
fn document(
    state: &AppState,
    format: Format,
    scope: &Scope,
    articles: &[ArticleSummary],
    uri: &Uri,
) -> CachedPage {
    let base = state.site().base_url.trim_end_matches('/');
    let self_url = format!(
        "{base}{}",
        uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
    );
    let hub = crate::websub::hub_url(state);
    let body = match format {
        Format::Rss => rss_xml(scope, articles, base, &self_url, &hub),
        Format::Atom => atom_xml(scope, articles, base, &self_url, &hub),
        Format::Json => json_feed(state, scope, articles, base, &self_url),
    };
    CachedPage::new(
        StatusCode::OK,
        HeaderValue::from_static(format.content_type()),
        Bytes::from(body),
    )
}

/// A JSON Feed 1.1 document. Each item's `content_html` is the same body with its credit
/// as the other feeds carry; `_xinwen` holds what JSON Feed has no field for (the source, the
/// publication a repost credits, the original's link, the channel).
fn json_feed(
    state: &AppState,
    scope: &Scope,
    articles: &[ArticleSummary],
    base: &str,
    self_url: &str,
) -> String {
    use serde_json::{Value, json};
    let items: Vec<Value> = articles
        .iter()
        .map(|a| {
            let link = format!("{base}/article/{}", a.id);
            let mut item = json!({
                "id": link,
                "url": link,
                "title": a.title,
                "summary": a.summary,
                "date_published": a.published_at.to_rfc3339(),
                "tags": [a.channel_name],
                "authors": [{ "name": a.author.as_deref().unwrap_or(&a.source_name) }],
                "_xinwen": {
                    "source": a.source_name,
                    "source_url": format!("{base}/source/{}", a.source_slug),
                    "credited_source": xinwen_model::credited_publication(
                        a.credited_source.as_deref(),
                        &a.source_name,
                    ),
                    "channel": a.channel_slug,
                },
            });
            if let Some(html) = &a.body_html {
                item["content_html"] = json!(feed_body(a, html, base));
            }
            if xinwen_model::link::is_web_url(&a.original_url) {
                item["external_url"] = json!(xinwen_model::link::printable(&a.original_url));
            }
            if let Some(thumb) = &a.thumbnail {
                item["image"] = json!(crate::format::absolute_url(base, &thumb.src));
            }
            item
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": scope.title,
        "home_page_url": format!("{base}{}", scope.page_path),
        "feed_url": self_url,
        "description": scope.description,
        "language": "zh-CN",
        "favicon": format!("{base}/static/favicon.svg"),
        "authors": [{ "name": state.site().name, "url": format!("{base}/") }],
        "hubs": [{ "type": "WebSub", "url": crate::websub::hub_url(state) }],
        "items": items,
    });
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}

/// An item's body as feeds carry it: the article, then the credit the article page gives
/// (来源, the publication a repost credits, 阅读原文), which a feed reader shows nowhere else.
fn feed_body(a: &ArticleSummary, html: &str, base: &str) -> String {
    use crate::format::escape_html;
    let source = format!(
        "<a href=\"{base}/source/{}\">{}</a>",
        escape_html(&a.source_slug),
        escape_html(&a.source_name)
    );
    let from =
        match xinwen_model::credited_publication(a.credited_source.as_deref(), &a.source_name) {
            Some(credited) => format!("{}（{source}转载）", escape_html(credited)),
            None => source,
        };
    let original = if xinwen_model::link::is_web_url(&a.original_url) {
        format!(
            " · <a href=\"{}\">阅读原文</a>",
            escape_html(xinwen_model::link::printable(&a.original_url))
        )
    } else {
        String::new()
    };
    format!("{}\n<p>来源：{from}{original}</p>", absolutize(html, base))
}

fn rss_xml(
    scope: &Scope,
    articles: &[ArticleSummary],
    base: &str,
    self_url: &str,
    hub: &str,
) -> String {
    let items = articles
        .iter()
        .map(|a| {
            let link = format!("{base}/article/{}", a.id);
            let mut dc = rss::extension::dublincore::DublinCoreExtension::default();
            if let Some(author) = &a.author {
                dc.set_creators(vec![author.clone()]);
            }
            rss::ItemBuilder::default()
                .title(Some(a.title.clone()))
                .link(Some(link.clone()))
                .guid(Some(rss::Guid {
                    value: link,
                    permalink: true,
                }))
                .pub_date(Some(a.published_at.to_rfc2822()))
                // RSS readers take the description as HTML; the summary is plain text.
                .description(Some(crate::format::escape_html(&a.summary)))
                .content(a.body_html.as_deref().map(|html| feed_body(a, html, base)))
                .categories(vec![rss::Category {
                    name: a.channel_name.clone(),
                    domain: None,
                }])
                .source(Some(rss::Source {
                    url: format!("{base}/source/{}/feed.xml", a.source_slug),
                    title: Some(a.source_name.clone()),
                }))
                .dublin_core_ext(Some(dc))
                .build()
        })
        .collect::<Vec<_>>();
    let namespaces = BTreeMap::from([
        (
            "content".to_owned(),
            "http://purl.org/rss/1.0/modules/content/".to_owned(),
        ),
        (
            "dc".to_owned(),
            "http://purl.org/dc/elements/1.1/".to_owned(),
        ),
    ]);
    let mut atom_links = rss::extension::atom::AtomExtension::default();
    atom_links.set_links(vec![
        atom::LinkBuilder::default()
            .href(self_url.to_owned())
            .rel("self")
            .mime_type(Some("application/rss+xml".to_owned()))
            .build(),
        atom::LinkBuilder::default()
            .href(hub.to_owned())
            .rel("hub")
            .build(),
    ]);
    rss::ChannelBuilder::default()
        .atom_ext(Some(atom_links))
        .title(scope.title.clone())
        .link(format!("{base}{}", scope.page_path))
        .description(scope.description.clone())
        .language(Some("zh-CN".to_owned()))
        .generator(Some("xinwen".to_owned()))
        .last_build_date(articles.first().map(|a| a.published_at.to_rfc2822()))
        .namespaces(namespaces)
        .items(items)
        .build()
        .to_string()
}

fn atom_xml(
    scope: &Scope,
    articles: &[ArticleSummary],
    base: &str,
    self_url: &str,
    hub: &str,
) -> String {
    let updated = articles
        .first()
        .map_or_else(chrono::Utc::now, |a| a.published_at)
        .fixed_offset();
    let entries = articles
        .iter()
        .map(|a| {
            let link = format!("{base}/article/{}", a.id);
            let published = a.published_at.fixed_offset();
            let mut entry = atom::EntryBuilder::default();
            entry
                .title(a.title.clone())
                .id(link.clone())
                .updated(published)
                .published(Some(published))
                .links(vec![
                    atom::LinkBuilder::default()
                        .href(link)
                        .rel("alternate")
                        .mime_type(Some("text/html".to_owned()))
                        .build(),
                ])
                .authors(vec![atom::Person {
                    name: a.author.clone().unwrap_or_else(|| a.source_name.clone()),
                    email: None,
                    uri: None,
                    extensions: Default::default(),
                }])
                .categories(vec![atom::Category {
                    term: a.channel_slug.clone(),
                    scheme: None,
                    label: Some(a.channel_name.clone()),
                }])
                .summary(Some(atom::Text::plain(a.summary.clone())));
            if let Some(html) = &a.body_html {
                entry.content(Some(
                    atom::ContentBuilder::default()
                        .value(Some(feed_body(a, html, base)))
                        .content_type(Some("html".to_owned()))
                        .build(),
                ));
            }
            entry.build()
        })
        .collect::<Vec<_>>();
    atom::FeedBuilder::default()
        .title(scope.title.clone())
        .id(format!("{base}{}", scope.page_path))
        .updated(updated)
        .subtitle(Some(atom::Text::plain(scope.description.clone())))
        .lang(Some("zh-CN".to_owned()))
        .generator(Some(atom::Generator {
            value: "xinwen".to_owned(),
            uri: None,
            version: None,
        }))
        .links(vec![
            atom::LinkBuilder::default()
                .href(self_url.to_owned())
                .rel("self")
                .mime_type(Some("application/atom+xml".to_owned()))
                .build(),
            atom::LinkBuilder::default()
                .href(hub.to_owned())
                .rel("hub")
                .build(),
            atom::LinkBuilder::default()
                .href(format!("{base}{}", scope.page_path))
                .rel("alternate")
                .mime_type(Some("text/html".to_owned()))
                .build(),
        ])
        .entries(entries)
        .build()
        .to_string()
}

/// `/search/feed.xml?q=...`: the newest matches of any search, as RSS, so that a reader can
/// follow a topic.
pub async fn search_rss(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_search(&state, &uri, Format::Rss)).await
}

/// `/search/feed.json?q=...`: the same as a JSON Feed.
pub async fn search_json(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_search(&state, &uri, Format::Json)).await
}

async fn render_search(
    state: &AppState,
    uri: &Uri,
    format: Format,
) -> Result<CachedPage, AppError> {
    let (text, _) = crate::pages::search::read_query(uri)?;
    let found = crate::pages::search::find(state, &text, 1, FEED_SIZE).await?;
    let site = state.site();
    let scope = Scope {
        title: format!("搜索“{text}” - {}", site.name),
        description: format!("{}上与“{text}”相关的最新文章", site.name),
        page_path: format!("/search?q={}", crate::pages::search::encode(&text)),
        filter: ArticleFilter::default(),
    };
    let mut articles = found.articles;
    articles.sort_by_key(|a| std::cmp::Reverse(a.published_at));
    Ok(document(state, format, &scope, &articles, uri))
}

/// `/hot/feed.xml`: the 热点 list as RSS, hottest first.
pub async fn hot_rss(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_hot(&state, &uri, Format::Rss)).await
}

/// `/hot/feed.json`: the same as a JSON Feed.
pub async fn hot_json(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_hot(&state, &uri, Format::Json)).await
}

async fn render_hot(state: &AppState, uri: &Uri, format: Format) -> Result<CachedPage, AppError> {
    let hot = state
        .store()
        .hot_stories(chrono::Utc::now(), FEED_SIZE)
        .await?;
    let ids: Vec<i64> = hot.iter().map(|h| h.lead_article_id).collect();
    let articles = state.store().summaries_by_ids(&ids).await?;
    let site = state.site();
    let scope = Scope {
        title: format!("热点 - {}", site.name),
        description: format!("{}上多家来源正在报道的新闻", site.name),
        page_path: "/hot".into(),
        filter: ArticleFilter::default(),
    };
    Ok(document(state, format, &scope, &articles, uri))
}
