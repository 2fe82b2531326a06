//! `/sitemap.xml` and `/robots.txt`: what search engines should crawl. Only live articles are
//! listed, so a removed article leaves the sitemap the moment the page cache is cleared.

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

pub async fn robots(
    State(state): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /search\n\nSitemap: {}/sitemap.xml\n",
            state.site().base_url
        ),
    )
}
