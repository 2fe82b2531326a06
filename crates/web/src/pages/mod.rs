//! One module per page. Each handler renders through [`respond`], which serves a cached copy
//! when there is a fresh one and turns errors into the site's own error pages.

pub mod article;
pub mod assets;
pub mod channel;
pub mod health;
pub mod home;
pub mod info;
mod list;
pub mod media;
pub mod search;
pub mod source;
pub mod stories;
pub mod submit;
pub mod takedown;

use crate::cache::CachedPage;
use crate::views::{ErrorPage, Follow, Layout};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::future::Future;
use xinwen_model::{Source, SourceKind};

pub(crate) const HTML: &str = "text/html; charset=utf-8";

/// Serves the page at `uri` from the cache, or renders it with `render` and keeps the result.
///
/// Not-found and gone pages are cached like any other (a crawler asking for the same missing
/// page should not cost a query each time); internal errors never are.
pub(crate) async fn respond<F>(state: &AppState, uri: &Uri, render: F) -> Response
where
    F: Future<Output = Result<CachedPage, AppError>>,
{
    let key = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let rendered = state
        .cache()
        .get_or_render(&key, async {
            // A miss takes a turn at the gate; the error page of a failed rendering is part
            // of that turn. Overload and internal errors are answered, never cached.
            state
                .gate()
                .run(async {
                    match render.await {
                        Ok(page) => Ok(page),
                        Err(err @ (AppError::Internal(_) | AppError::Overloaded)) => Err(err),
                        Err(err) => error_page(state, &err).await,
                    }
                })
                .await
        })
        .await;
    match rendered {
        Ok(page) => into_response(page),
        Err(internal) => internal.into_response(),
    }
}

fn into_response(page: CachedPage) -> Response {
    let mut response = (page.status, page.body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, page.content_type);
    response
}

/// A rendered template as a cacheable page.
pub(crate) fn html(status: StatusCode, template: &impl Template) -> Result<CachedPage, AppError> {
    Ok(CachedPage::new(
        status,
        HeaderValue::from_static(HTML),
        Bytes::from(template.render()?),
    ))
}

/// The site's page for a reader-facing error, in the site's layout.
pub(crate) async fn error_page(state: &AppState, err: &AppError) -> Result<CachedPage, AppError> {
    let (heading, message) = match err {
        AppError::NotFound => (
            "页面不存在",
            "您要找的页面不存在，可能是链接有误。".to_owned(),
        ),
        AppError::Gone => (
            "文章已删除",
            "应权利人要求或经编辑审核，这篇文章已从本站删除。".to_owned(),
        ),
        AppError::BadRequest(why) => ("请求有误", why.clone()),
        AppError::Forbidden(why) => ("无法完成", why.clone()),
        AppError::TooLarge(why) => ("内容过大", why.clone()),
        AppError::TooMany(why) => ("请稍后再试", why.clone()),
        AppError::Conflict(why) => ("无法完成", why.clone()),
        AppError::Internal(_) => ("服务器内部错误", "请稍后再试。".to_owned()),
        AppError::Overloaded => ("请稍后再试", "访问的人太多，请过几秒钟再刷新。".to_owned()),
    };
    let channels = state.store().channels().await?;
    let page = ErrorPage {
        layout: Layout::new(state, &channels, heading.to_owned(), ""),
        heading: heading.to_owned(),
        message,
    };
    html(err.status(), &page)
}

/// A page for one visitor (a form with their token, a receipt, an admin page): rendered
/// each time, never cached here or by anyone else.
pub(crate) fn private_page(
    status: StatusCode,
    template: &impl Template,
    cookie: Option<HeaderValue>,
) -> Response {
    let body = match template.render() {
        Ok(body) => body,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    if let Some(cookie) = cookie {
        headers.append(header::SET_COOKIE, cookie);
    }
    crate::auth::private_headers(&mut response);
    response
}

/// A 303 to `location` after a form was handled, never cached.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
        }
        Err(_) => return AppError::Internal(format!("bad redirect {location:?}")).into_response(),
    }
    crate::auth::private_headers(&mut response);
    response
}

/// The site's error page for a request that is not cached (forms, admin): rendered each
/// time, never stored.
pub(crate) async fn error_response(state: &AppState, err: AppError) -> Response {
    if let AppError::Internal(_) | AppError::Overloaded = err {
        return err.into_response();
    }
    match error_page(state, &err).await {
        Ok(page) => {
            let mut response = into_response(page);
            crate::auth::private_headers(&mut response);
            response
        }
        Err(internal) => internal.into_response(),
    }
}

/// What the router answers for any address it does not know.
pub async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, async { Err(AppError::NotFound) }).await
}

/// Reads `?page=N`: absent means 1; anything but a positive number is the reader's mistake.
pub(crate) fn page_number(uri: &Uri) -> Result<u32, AppError> {
    let Some(query) = uri.query() else {
        return Ok(1);
    };
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("page=") {
            return value
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| AppError::BadRequest(format!("页码“{value}”不是正整数。")));
        }
    }
    Ok(1)
}

/// A page number past the end of a list is a missing page, except page 1 of an empty list.
pub(crate) fn check_in_range(number: u32, count: u32) -> Result<(), AppError> {
    if number > 1 && number > count {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// How to follow a publisher, or nothing for a source that is no publisher one can follow
/// (the readers' submissions: no feed, site, follow link or QR code of its own).
pub(crate) fn follow_block(source: &Source) -> Option<Follow> {
    let followable = source.feed_url.is_some()
        || source.follow_url.is_some()
        || source.homepage.is_some()
        || source.qr_image.is_some();
    followable.then(|| Follow {
        source_name: source.name.clone(),
        is_wechat: source.kind == SourceKind::Wechat,
        follow_url: source.follow_url.clone(),
        qr_image: source.qr_image.clone(),
        homepage: source.homepage.clone(),
        source_href: format!("/source/{}", source.slug),
        feed_rss: format!("/source/{}/feed.xml", source.slug),
    })
}
