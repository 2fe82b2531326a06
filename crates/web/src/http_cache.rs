//! What browsers, feed readers and shared caches may keep, and for how long: every page,
//! feed and document the site serves to everyone gets a `Cache-Control` lifetime suited to its
//! kind and a weak `ETag` of its bytes, and a request that names the current tag with
//! `If-None-Match` is answered `304 Not Modified` without a body. A feed reader polling every
//! few minutes then downloads a feed only when it changed.
//!
//! Responses for one visitor (those that set a cookie or already say how they may be kept,
//! such as `no-store` on forms, the admin and overload pages) are left as they are.
//!
//! The tag is weak (`W/"…"`) because compression, outside this layer, changes the bytes on
//! the wire but not the representation the tag stands for.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::hash::Hasher;

/// The largest body tagged: pages and feeds are tens of KB; anything far larger is streamed.
const MAX_TAGGED_BYTES: u64 = 8 << 20;

/// How long a response of each kind may be kept before it is asked for again.
fn lifetime(content_type: &str, status: StatusCode) -> Option<&'static str> {
    if !matches!(status.as_u16(), 200 | 404 | 410) {
        return None;
    }
    let kind = content_type.split(';').next().unwrap_or("").trim();
    Some(match kind {
        // Pages change as articles arrive; a minute keeps a burst of readers off the server.
        "text/html" => "public, max-age=60",
        // Feed readers poll; five minutes is as fresh as any of them asks.
        "application/rss+xml" | "application/atom+xml" | "application/feed+json" => {
            "public, max-age=300"
        }
        "application/xml" | "text/xml" | "text/plain" => "public, max-age=3600",
        "application/json" => "public, max-age=60",
        _ => return None,
    })
}

/// Whether a response is the same for everyone who asks: no cookie set, no lifetime chosen
/// by its handler.
fn shared(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::SET_COOKIE) && !headers.contains_key(header::CACHE_CONTROL)
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks
/// for `If-None-Match`).
fn names_tag(if_none_match: &HeaderValue, etag: &str) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    list.split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

fn tag_of(bytes: &[u8]) -> String {
    // Not for security: a tag only has to change when the bytes do.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(bytes);
    format!("W/\"{:016x}-{:x}\"", hasher.finish(), bytes.len())
}

/// The layer: lifetimes, tags and 304s for shared responses to `GET` and `HEAD`.
pub async fn conditional(request: Request, next: Next) -> Response {
    // The admin is never public, whatever a page of it forgets to say.
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || request.uri().path().starts_with("/admin")
    {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if !shared(response.headers()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let Some(lifetime) = lifetime(&content_type, response.status()) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(lifetime));
    let size = body.size_hint().exact();
    let taggable = parts.status == StatusCode::OK
        && !parts.headers.contains_key(header::ETAG)
        && size.is_some_and(|n| n <= MAX_TAGGED_BYTES);
    if !taggable {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BYTES as usize).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a response body could not be read for its tag");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = tag_of(&bytes);
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, etag_value);
    if if_none_match.is_some_and(|v| names_tag(&v, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_weakly_and_in_lists() {
        let tag = tag_of(b"<html>");
        assert!(names_tag(&HeaderValue::from_str(&tag).unwrap(), &tag));
        let strong = tag.trim_start_matches("W/").to_owned();
        assert!(names_tag(&HeaderValue::from_str(&strong).unwrap(), &tag));
        let list = format!("\"other\", {tag}");
        assert!(names_tag(&HeaderValue::from_str(&list).unwrap(), &tag));
        assert!(names_tag(&HeaderValue::from_static("*"), &tag));
        assert!(!names_tag(&HeaderValue::from_static("\"other\""), &tag));
        assert_ne!(tag_of(b"<html>"), tag_of(b"<html> "));
    }

    #[test]
    fn each_kind_has_its_lifetime() {
        assert_eq!(
            lifetime("text/html; charset=utf-8", StatusCode::OK),
            Some("public, max-age=60")
        );
        assert_eq!(
            lifetime("application/feed+json; charset=utf-8", StatusCode::OK),
            Some("public, max-age=300")
        );
        assert_eq!(lifetime("text/html", StatusCode::SERVICE_UNAVAILABLE), None);
        assert_eq!(lifetime("image/webp", StatusCode::OK), None);
    }
}
