//! `/media/p/{signature}/{url}`: proxied article images.

use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinwen_media::{MediaError, PLACEHOLDER_SVG, Served};

/// Served images may be SVG, which can carry script: this keeps it inert even when the image
/// is opened on its own, on our origin.
const IMAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

pub async fn proxy(
    State(state): State<AppState>,
    Path((signature, encoded)): Path<(String, String)>,
    uri: axum::http::Uri,
) -> Response {
    let Some(proxy) = state.media() else {
        return AppError::NotFound.into_response();
    };
    // `?w=480`: a smaller copy, for lists and phones (widths other than the offered ones get
    // the original).
    let width = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "w")
        .and_then(|(_, v)| v.parse::<u32>().ok());
    let served = match proxy.get(&signature, &encoded, width).await {
        Ok(served) => served,
        Err(MediaError::BadSignature) => return AppError::NotFound.into_response(),
        Err(e) => return AppError::Internal(e.to_string()).into_response(),
    };
    let mut response = match served {
        Served::Image {
            bytes,
            content_type,
            hash,
        } => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            // The URL names the original for good and the bytes are kept: cache for a year.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{hash}\"")) {
                headers.insert(header::ETAG, etag);
            }
            response
        }
        Served::Removed => {
            let mut response = (StatusCode::GONE, "已应权利人要求删除").into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Served::Failed { .. } => {
            let mut response = (StatusCode::OK, PLACEHOLDER_SVG).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            // Short: the proxy tries the original again after a while.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=600"),
            );
            headers.insert("x-xinwen-media", HeaderValue::from_static("placeholder"));
            response
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(IMAGE_CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
