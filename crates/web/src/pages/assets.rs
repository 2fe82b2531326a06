//! The stylesheet and the icon, built into the binary.

use axum::http::header;
use axum::response::{IntoResponse, Redirect};

const STYLE: &str = include_str!("../../assets/style.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        FAVICON,
    )
}

/// Browsers and crawlers that ignore `<link rel="icon">` still ask for /favicon.ico.
pub async fn favicon_ico() -> Redirect {
    Redirect::permanent("/static/favicon.svg")
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // The URL carries the version, so a changed stylesheet is a new URL.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLE,
    )
}
