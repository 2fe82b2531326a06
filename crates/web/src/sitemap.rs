//! `/sitemap.xml`, the news sitemap `/sitemap-news.xml` and `/robots.txt`: what search engines
//! should crawl. Only live articles are listed, so a removed article leaves the sitemaps the
//! moment the page cache is cleared.

use crate::cache::CachedPage;
use crate::pages::respond;
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use std::fmt::Write as _;

/// The sitemap protocol's limit for one file.
const MAX_URLS: u32 = 50_000;

/// A news sitemap lists the articles of the last two days, at most a thousand (Google News's
/// rules for the format).
const NEWS_WINDOW: chrono::TimeDelta = chrono::TimeDelta::days(2);
const MAX_NEWS_URLS: u32 = 1_000;

pub async fn sitemap(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state)).await
}

async fn render(state: &AppState) -> Result<CachedPage, AppError> {
    let store = state.store();
    let base = &state.site().base_url;
    let channels = store.channels().await?;
    let sources = store.sources().await?;
    let budget = MAX_URLS.saturating_sub((channels.len() + sources.len() + 8) as u32);
    let articles = store.sitemap_articles(budget).await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<String>| {
        let _ = write!(
            xml,
            "<url><loc>{}</loc>",
            crate::format::escape_html(&format!("{base}{path}"))
        );
        if let Some(lastmod) = lastmod {
            let _ = write!(xml, "<lastmod>{lastmod}</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    for path in ["/", "/hot", "/about", "/contact", "/transparency"] {
        url(path, None);
    }
    for channel in &channels {
        url(&format!("/channel/{}", channel.slug), None);
    }
    for source in &sources {
        url(&format!("/source/{}", source.slug), None);
    }
    for (id, updated) in articles {
        url(
            &format!("/article/{id}"),
            Some(updated.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        );
    }
    xml.push_str("</urlset>\n");
    Ok(CachedPage::new(
        StatusCode::OK,
        HeaderValue::from_static("application/xml; charset=utf-8"),
        Bytes::from(xml),
    ))
}

pub async fn news_sitemap(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render_news(&state)).await
}

async fn render_news(state: &AppState) -> Result<CachedPage, AppError> {
    let site = state.site();
    let since = chrono::Utc::now() - NEWS_WINDOW;
    let articles = state
        .store()
        .news_sitemap_articles(since, MAX_NEWS_URLS)
        .await?;
    let escape = crate::format::escape_html;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for a in articles {
        let _ = writeln!(
            xml,
            "<url><loc>{loc}</loc><news:news><news:publication><news:name>{name}</news:name>\
             <news:language>{language}</news:language></news:publication>\
             <news:publication_date>{date}</news:publication_date><news:title>{title}</news:title>\
             </news:news></url>",
            loc = escape(&format!("{}/article/{}", site.base_url, a.id)),
            name = escape(&site.name),
            language = if a.traditional { "zh-tw" } else { "zh-cn" },
            date = a.published_at.format("%Y-%m-%dT%H:%M:%SZ"),
            title = escape(&a.title),
        );
    }
    xml.push_str("</urlset>\n");
    Ok(CachedPage::new(
        StatusCode::OK,
        HeaderValue::from_static("application/xml; charset=utf-8"),
        Bytes::from(xml),
    ))
}

pub async fn robots(
    State(state): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /search\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n",
            base = state.site().base_url
        ),
    )
}
