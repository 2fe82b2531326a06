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
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<xinwen_store::Error> for AppError {
    fn from(e: xinwen_store::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// The plain form, for the few places that answer without the site's layout.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
            return (self.status(), "服务器内部错误").into_response();
        }
        (
            self.status(),
            self.status().canonical_reason().unwrap_or(""),
        )
            .into_response()
    }
}
