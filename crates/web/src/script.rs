//! Simplified or traditional for the whole site: the reader's choice (a cookie, set by the
//! 简体/繁體 links) or, failing that, their browser's language (zh-TW, zh-HK, zh-Hant). Pages
//! are rendered once and converted phrase by phrase (zhconv, with OpenCC's and MediaWiki's
//! tables: 台风 → 颱風, 软件 → 軟體 for Taiwan), and the converted page is cached like any other.
//! Without a choice, articles are shown as their publishers wrote them.

use crate::AppState;
use crate::cache::CachedPage;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xinwen_text::Variant;

const COOKIE: &str = "zh";

/// Pages larger than this are served unconverted rather than buffered.
const MAX_CONVERTED_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderScript {
    AsPublished,
    Simplified,
    Taiwan,
    HongKong,
}

impl ReaderScript {
    fn tag(self) -> &'static str {
        match self {
            ReaderScript::AsPublished => "",
            ReaderScript::Simplified => "hans",
            ReaderScript::Taiwan => "hant",
            ReaderScript::HongKong => "hk",
        }
    }

    fn variant(self) -> Option<Variant> {
        match self {
            ReaderScript::AsPublished => None,
            ReaderScript::Simplified => Some(Variant::ZhCN),
            ReaderScript::Taiwan => Some(Variant::ZhTW),
            ReaderScript::HongKong => Some(Variant::ZhHK),
        }
    }

    fn from_tag(tag: &str) -> Option<ReaderScript> {
        match tag {
            "hans" => Some(ReaderScript::Simplified),
            "hant" | "tw" => Some(ReaderScript::Taiwan),
            "hk" => Some(ReaderScript::HongKong),
            _ => None,
        }
    }

    /// The reader's script: the cookie, else the first Chinese language the browser asks for.
    pub fn of(headers: &HeaderMap) -> ReaderScript {
        if let Some(script) = crate::auth::cookie(headers, COOKIE).and_then(ReaderScript::from_tag)
        {
            return script;
        }
        let languages = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        for language in languages.split(',') {
            let tag = language
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if !tag.starts_with("zh") {
                continue;
            }
            return if tag.contains("hk") || tag.contains("mo") {
                ReaderScript::HongKong
            } else if tag.contains("tw") || tag.contains("hant") {
                ReaderScript::Taiwan
            } else {
                ReaderScript::AsPublished
            };
        }
        ReaderScript::AsPublished
    }
}

/// Converts HTML pages for readers who chose a script.
pub async fn convert_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // The admin is for editors, in the text as stored; converting it would change what they
    // are judging.
    if request.uri().path().starts_with("/admin") {
        return next.run(request).await;
    }
    let script = ReaderScript::of(request.headers());
    let Some(variant) = script.variant() else {
        let mut response = next.run(request).await;
        vary(&mut response);
        return response;
    };
    let key = format!(
        "{}|{}",
        script.tag(),
        request.uri().path_and_query().map_or("/", |pq| pq.as_str())
    );
    let shared = matches!(*request.method(), Method::GET | Method::HEAD);
    if shared && let Some(page) = state.cache().get(&key) {
        let mut response = (page.status, page.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, page.content_type);
        vary(&mut response);
        return response;
    }
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CONVERTED_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "页面过大").into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let converted = convert_html(&text, variant);
    // A page for one visitor (a form with their token, a receipt) is never shared.
    let private = parts.headers.contains_key(header::SET_COOKIE)
        || parts
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    let cacheable = shared && !private && matches!(parts.status.as_u16(), 200 | 404 | 410);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static(crate::pages::HTML));
    if cacheable {
        state.cache().insert(
            key,
            CachedPage::new(
                parts.status,
                content_type,
                bytes::Bytes::from(converted.clone()),
            ),
        );
    }
    let mut response = Response::from_parts(parts, Body::from(converted));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    vary(&mut response);
    response
}

fn convert_html(html: &str, variant: Variant) -> String {
    let converted = xinwen_text::convert(html, variant);
    // With the space before, so that `hreflang` (which says where a link leads) is kept.
    let (from, to) = match variant {
        Variant::ZhCN => (
            [" lang=\"zh-Hant\"", " lang=\"zh-TW\""],
            " lang=\"zh-Hans\"",
        ),
        _ => (
            [" lang=\"zh-Hans\"", " lang=\"zh-CN\""],
            " lang=\"zh-Hant\"",
        ),
    };
    let converted = from.iter().fold(converted, |page, f| page.replace(f, to));
    // The switch says which script the reader is in.
    let current = match variant {
        Variant::ZhCN => "<a href=\"/script/hans\"",
        _ => "<a href=\"/script/hant\"",
    };
    converted.replacen(current, &format!("{current} aria-current=\"true\""), 1)
}

/// Pages differ by the reader's cookie and language: shared caches must know.
fn vary(response: &mut Response) {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        response.headers_mut().insert(
            header::VARY,
            HeaderValue::from_static("Cookie, Accept-Language"),
        );
    }
}

/// `/script/{hans|hant|hk}`: remembers the choice for a year and goes back to the page the
/// reader was on (only on this site; anything else goes home).
pub async fn choose(Path(tag): Path<String>, headers: HeaderMap) -> Response {
    if ReaderScript::from_tag(&tag).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| url::Url::parse(referer).ok())
        .filter(|url| {
            let authority = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            };
            authority == host
        })
        .map(|url| match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
        .filter(|path| {
            path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/script/")
        })
        .unwrap_or_else(|| "/".to_owned());
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{COOKIE}={tag}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_cookie_wins_then_the_browser_language() {
        assert_eq!(ReaderScript::of(&headers(&[])), ReaderScript::AsPublished);
        assert_eq!(
            ReaderScript::of(&headers(&[(header::ACCEPT_LANGUAGE, "zh-TW,zh;q=0.9")])),
            ReaderScript::Taiwan
        );
        assert_eq!(
            ReaderScript::of(&headers(&[(header::ACCEPT_LANGUAGE, "en-US, zh-HK;q=0.8")])),
            ReaderScript::HongKong
        );
        assert_eq!(
            ReaderScript::of(&headers(&[(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")])),
            ReaderScript::AsPublished
        );
        let both = headers(&[
            (header::ACCEPT_LANGUAGE, "zh-TW"),
            (header::COOKIE, "a=b; zh=hans"),
        ]);
        assert_eq!(ReaderScript::of(&both), ReaderScript::Simplified);
    }

    #[test]
    fn pages_are_converted_with_their_language_tags() {
        let page = r#"<html lang="zh-CN"><p>台风过后，软件更新</p><article lang="zh-Hans"></article></html>"#;
        let converted = convert_html(page, Variant::ZhTW);
        assert!(
            converted.contains("颱風過後") && converted.contains("軟體"),
            "{converted}"
        );
        assert!(
            converted.contains(r#"<html lang="zh-Hant">"#)
                && converted.contains(r#"<article lang="zh-Hant">"#)
        );
        let switch =
            r#"<nav><a href="/script/hans">简体</a> · <a href="/script/hant">繁體</a></nav>"#;
        assert!(
            convert_html(switch, Variant::ZhTW)
                .contains(r#"<a href="/script/hant" aria-current="true">"#)
        );
        let simplified = convert_html(switch, Variant::ZhCN);
        assert!(simplified.contains(r#"<a href="/script/hans" aria-current="true">"#));
        assert!(!simplified.contains(r#"hant" aria-current"#));
    }
}
