//! The article page: every part of the reference page, the title exactly once.

use super::{follow_block, html, respond};
use crate::RELATED_SHOWN;
use crate::format::{datetime_iso, datetime_zh};
use crate::views::{ArticlePage, ArticleSharing, GonePage, Layout, RelatedItem};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use xinwen_model::ArticleStatus;

pub async fn page(State(state): State<AppState>, Path(id): Path<String>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, &id)).await
}

/// Up to eight articles to read next, as the store keeps them ([`crate::related`]): the close
/// matches, then the suggestions that fill the list. While they have not been worked out yet
/// (the worker is asked to), or when search is not running here, the channel's newest other
/// stories stand in as suggestions: the page always offers something to read next.
async fn related(
    state: &AppState,
    article: &xinwen_model::Article,
) -> Result<(Vec<RelatedItem>, Vec<RelatedItem>), AppError> {
    let id = article.id;
    let reading = match state.store().related_reading(id).await {
        Ok(reading) => reading,
        // Related reading is a help, not the page: a bad row must not take it down.
        Err(xinwen_store::Error::Corrupt(why)) => {
            tracing::warn!(article = id, %why, "unreadable related reading");
            None
        }
        Err(e) => return Err(e.into()),
    };
    // A list kept before suggestions filled it is shown, and worked out again.
    let outdated = reading
        .as_ref()
        .is_some_and(|r| r.items.iter().any(|item| item.close.is_none()));
    if (reading.is_none() || outdated)
        && let Some(keeper) = state.related_keeper()
    {
        keeper.ask(id);
    }
    let Some(reading) = reading else {
        return Ok((Vec::new(), newest_in_channel(state, article).await?));
    };
    let ids: Vec<i64> = reading.items.iter().map(|r| r.id).collect();
    let summaries = state.store().summaries_by_ids(&ids).await?;
    let (mut close, mut suggested) = (Vec::new(), Vec::new());
    for s in &summaries {
        let Some(link) = reading.items.iter().find(|r| r.id == s.id) else {
            continue;
        };
        let item = related_item(s);
        if link.close.unwrap_or(true) {
            close.push(item);
        } else {
            suggested.push(item);
        }
    }
    Ok((close, suggested))
}

/// The newest articles of `article`'s channel, less it and its story's other reports, from
/// the channel's list the state keeps for a page-cache lifetime: most article pages of a large
/// site have no related reading worked out yet, and each must not read the channel again.
async fn newest_in_channel(
    state: &AppState,
    article: &xinwen_model::Article,
) -> Result<Vec<RelatedItem>, AppError> {
    // A story's reports sit together at the top of a quiet channel: read past them.
    let newest = state
        .channel_newest(article.channel.id, (RELATED_SHOWN * 3) as u32)
        .await?;
    Ok(newest
        .iter()
        .filter(|s| s.id != article.id)
        .filter(|s| article.story_id.is_none() || s.story_id != article.story_id)
        .take(RELATED_SHOWN)
        .map(related_item)
        .collect())
}

fn related_item(s: &xinwen_model::ArticleSummary) -> RelatedItem {
    RelatedItem {
        href: format!("/article/{}", s.id),
        title: s.title.clone(),
        source_name: s.source_name.clone(),
        time_display: crate::format::date_zh(s.published_at),
    }
}

async fn render(state: &AppState, id: &str) -> Result<crate::cache::CachedPage, AppError> {
    // Ids are positive integers; anything else cannot name an article.
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let store = state.store();
    let article = store.article(id).await?.ok_or(AppError::NotFound)?;
    let channels = store.channels().await?;
    if article.status == ArticleStatus::Removed {
        return gone(state, &channels, article.id).await;
    }
    let path = format!("/article/{}", article.id);
    let mut layout = Layout::new(state, &channels, article.title.clone(), &path);
    if !article.summary.is_empty() {
        layout.description = article.summary.clone();
    }
    let mut layout = layout.with_feeds(
        &article.source.name,
        &format!("/source/{}", article.source.slug),
    );
    layout.sharing = Some(sharing(state, &article, &layout.canonical));
    let (related, suggested) = related(state, &article).await?;
    // Each picture's size, where the proxy has read it, keeps its room while it loads.
    let body_html = match state.media() {
        Some(media) => {
            let srcs: Vec<String> = article.images.iter().map(|i| i.src.clone()).collect();
            match media.sizes(&srcs).await {
                Ok(sizes) => xinwen_media::add_dimensions(&article.body_html, &sizes),
                Err(e) => {
                    tracing::warn!(article = article.id, error = %e, "image sizes not read");
                    article.body_html.clone()
                }
            }
        }
        None => article.body_html.clone(),
    };
    let page = ArticlePage {
        layout,
        id: article.id,
        lang: article.script.as_str(),
        title: article.title.clone(),
        channel_name: article.channel.name.clone(),
        channel_href: format!("/channel/{}", article.channel.slug),
        author: article.author.clone(),
        source_name: article.source.name.clone(),
        source_type: article.source.publisher.label_zh(),
        source_href: format!("/source/{}", article.source.slug),
        credited: xinwen_model::credited_publication(
            article.credited_source.as_deref(),
            &article.source.name,
        )
        .map(str::to_owned),
        time_display: datetime_zh(article.published_at),
        time_iso: datetime_iso(article.published_at),
        body_html,
        original_url: article.original_url.clone(),
        follow: follow_block(&article.source),
        also: super::stories::also_reported(state, article.id, article.story_id).await?,
        related,
        suggested,
    };
    html(StatusCode::OK, &page)
}

/// The article as a shared link's card and a search engine's `NewsArticle` see it.
fn sharing(state: &AppState, article: &xinwen_model::Article, url: &str) -> ArticleSharing {
    let site = state.site();
    let base = site.base_url.trim_end_matches('/');
    let image = article
        .images
        .first()
        .map(|i| crate::format::absolute_url(base, &i.src))
        .filter(|src| xinwen_model::link::is_web_url(src));
    let published = datetime_iso(article.published_at);
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": published,
        "inLanguage": article.script.as_str(),
        "articleSection": article.channel.name,
        "mainEntityOfPage": url,
        "url": url,
        "publisher": {
            "@type": "Organization",
            "name": site.name,
            "url": format!("{base}/"),
            "logo": { "@type": "ImageObject", "url": format!("{base}/static/favicon.svg") },
        },
        "sourceOrganization": {
            "@type": "Organization",
            "name": xinwen_model::credited_publication(
                article.credited_source.as_deref(),
                &article.source.name,
            )
            .unwrap_or(&article.source.name),
        },
    });
    if let Some(author) = &article.author {
        ld["author"] = serde_json::json!([{ "@type": "Person", "name": author }]);
    }
    if let Some(image) = &image {
        ld["image"] = serde_json::json!([image]);
    }
    if xinwen_model::link::is_web_url(&article.original_url) {
        ld["isBasedOn"] = serde_json::json!(xinwen_model::link::printable(&article.original_url));
    }
    ArticleSharing {
        image,
        published_iso: published,
        author: article.author.clone(),
        section: article.channel.name.clone(),
        json_ld: script_safe_json(&ld),
    }
}

/// JSON to print inside a `<script>` element: `<` written as `\u003c`, so that no text in it
/// (a headline with `</script>`) can close the element.
fn script_safe_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The 410 page of a removed article: it says why (a rights holder's request, an editor's
/// decision) and, for a takedown, the request's receipt.
async fn gone(
    state: &AppState,
    channels: &[xinwen_model::Channel],
    id: i64,
) -> Result<crate::cache::CachedPage, AppError> {
    let notice = state.store().removal_notice(id).await?;
    let by_takedown = notice
        .as_ref()
        .is_some_and(|n| n.reason.as_deref() == Some("takedown"));
    let page = GonePage {
        layout: Layout::new(
            state,
            channels,
            "文章已删除".into(),
            &format!("/article/{id}"),
        ),
        by_takedown,
        removed_on: notice
            .as_ref()
            .and_then(|n| n.removed_at)
            .map(crate::format::date_zh),
        receipt: notice.and_then(|n| n.takedown_receipt),
    };
    html(StatusCode::GONE, &page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let value = serde_json::json!({ "headline": "</script><script>alert(1)</script>" });
        let printed = super::script_safe_json(&value);
        assert!(!printed.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(back, value);
    }
}
