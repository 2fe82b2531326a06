//! Errors a page can end in, and how each reaches the reader.
//!
//! Readers' mistakes (a wrong address, a bad page number) are 4xx and not logged; our own
//! failures are a 500 whose details go to the log, never to the reader.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The article existed and was removed (a takedown, an editor's decision).
    #[error("gone")]
    Gone,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Not allowed: a missing CSRF token, a cross-site form, an editor at an admin's task.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A form body over the size limit.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A rate limit or a login lockout; the reader is told how long to wait.
    #[error("too many requests: {0}")]
    TooMany(String),
    /// What the reader asked for cannot be done in the state things are in (a decided request).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// More requests than the site can serve in time; the client is told when to come back.
    #[error("overloaded")]
    Overloaded,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<xinwen_store::Error> for AppError {
    fn from(e: xinwen_store::Error) -> Self {
        match e {
            xinwen_store::Error::NotFound { .. } => AppError::NotFound,
            xinwen_store::Error::Busy => AppError::Overloaded,
            xinwen_store::Error::Conflict { what, key } => {
                AppError::Conflict(format!("{what} {key}: 已被处理或已存在，请刷新页面查看。"))
            }
            xinwen_store::Error::SourceHasArticles { count, .. } => AppError::Conflict(format!(
                "这个来源还有 {count} 篇文章；请先暂停它，或确认连同文章一起删除。"
            )),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// What a reader sees when the site is too busy: plain, and with nothing to look up.
const OVERLOADED_PAGE: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>请稍后再试</title><h1>请稍后再试</h1><p>访问的人太多，网站暂时忙不过来。请过几秒钟再刷新。</p></html>";

/// The plain form, for the few places that answer without the site's layout.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
            return (self.status(), "服务器内部错误").into_response();
        }
        if let AppError::Overloaded = self {
            // Answered without the layout: rendering it would ask the store, which is what is
            // overloaded. Never cached, here or by a proxy.
            return (
                self.status(),
                [
                    (
                        axum::http::header::RETRY_AFTER,
                        crate::gate::RETRY_AFTER_SECS.to_string(),
                    ),
                    (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
                    (
                        axum::http::header::CONTENT_TYPE,
                        "text/html; charset=utf-8".to_owned(),
                    ),
                ],
                OVERLOADED_PAGE,
            )
                .into_response();
        }
        (
            self.status(),
            self.status().canonical_reason().unwrap_or(""),
        )
            .into_response()
    }
}
