//! Who is asking, and whether a state-changing request may go on.
//!
//! Editors log in with a name and password (argon2id, `xinwen-accounts`) and get a session
//! cookie: a random token, HttpOnly, SameSite=Lax, limited to `/admin`, Secure when the site
//! is served over TLS. The store keeps only the token's hash.
//!
//! Every POST, anywhere on the site, passes [`csrf_guard`] first: a request from another site
//! (by `Origin` or `Sec-Fetch-Site`) is refused, and the form must carry the token of the
//! editor's session, or, for the public forms, the token of the visitor's form cookie (double
//! submit, the cookie SameSite=Strict). The guard also caps the size of every form body, so a
//! huge upload gets a clear 413 before any handler sees it.

use crate::{AppError, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use xinwen_model::Role;
use xinwen_store::User;

pub const SESSION_COOKIE: &str = "xinwen_session";
pub const FORM_COOKIE: &str = "xinwen_form";
/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf";
/// The largest form body accepted: room for the longest article the forms allow (in UTF-8,
/// three bytes a character, then percent-encoded) and nothing like an upload.
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// A logged-in editor, as handlers receive it. Asking for it on a page sends a visitor who is
/// not logged in to the login page.
#[derive(Debug, Clone)]
pub struct Editor {
    pub user: User,
    pub csrf: String,
    token_hash: String,
}

impl Editor {
    /// Refuses, with a 403 page, what only an admin may do.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "这项操作只有管理员可以进行。".to_owned(),
            ))
        }
    }

    pub fn actor(&self) -> xinwen_store::Actor {
        xinwen_store::Actor::user(&self.user)
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value.trim())
        })
        .filter(|v| !v.is_empty())
}

/// The editor behind the request's session cookie, if it names a live session.
pub async fn editor_of(state: &AppState, headers: &HeaderMap) -> Result<Option<Editor>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = xinwen_accounts::token_digest(token);
    let session = state
        .store()
        .session(&token_hash, chrono::Utc::now())
        .await?;
    Ok(session.map(|s| Editor {
        user: s.user,
        csrf: s.csrf_token,
        token_hash,
    }))
}

/// Where an unauthenticated visitor to an admin page is sent.
pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        let next = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect::<String>();
        Redirect::to(&format!("/admin/login?next={next}")).into_response()
    }
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match editor_of(state, &parts.headers).await {
            Ok(Some(editor)) => Ok(editor),
            Ok(None) => {
                // The admin is nested under /admin, and a nested router sees its paths
                // without that prefix: the original URI has it.
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |original| &original.0);
                let back = uri
                    .path_and_query()
                    .map_or("/admin", |pq| pq.as_str())
                    .to_owned();
                // A POST from an expired session cannot be replayed after login; send it to the
                // page it came from instead.
                let back = if parts.method == Method::GET {
                    back
                } else {
                    "/admin".to_owned()
                };
                Err(LoginRedirect(back).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The visitor's address: the connection's, or the first of `X-Forwarded-For` when the
/// operator says a proxy in front sets it (otherwise anyone could write it).
pub fn client_address(
    state: &AppState,
    request_headers: &HeaderMap,
    connected: Option<SocketAddr>,
) -> String {
    if state.site().trust_forwarded_for
        && let Some(first) = request_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_owned();
    }
    connected.map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// The keyed hash of the visitor's address, as the store keeps it.
pub fn address_hash(
    state: &AppState,
    parts_headers: &HeaderMap,
    connected: Option<SocketAddr>,
) -> String {
    let address = client_address(state, parts_headers, connected);
    xinwen_accounts::address_digest(&state.site().address_key, &address)
}

/// The connection's address, when the server recorded it (tests driving the router directly
/// may not).
pub fn connected(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address)
}

/// A `Set-Cookie` value with the site's attributes.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: i64,
) -> HeaderValue {
    let secure = if state.site().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

/// The visitor's form token, and the cookie to set when they had none yet.
pub fn form_token(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), AppError> {
    if let Some(token) = cookie(headers, FORM_COOKIE) {
        return Ok((token.to_owned(), None));
    }
    let token = xinwen_accounts::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let set = set_cookie(state, FORM_COOKIE, &token, "/", "Strict", 86_400);
    Ok((token, Some(set)))
}

/// Checks every state-changing request before it reaches a handler: same site, a body of a
/// sane size, and the right token. Read-only methods pass untouched.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The API and the WebSub hub take no cookies, so no other site can ride a visitor's
    // session through them; other sites are exactly who calls them.
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.uri().path().starts_with("/api/")
        || request.uri().path() == crate::websub::HUB_PATH
        || request.uri().path().starts_with("/websub/callback/")
    {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    if let Err(why) = same_site(&parts.headers, &state.site().base_url) {
        return refuse(&state, &why).await;
    }
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let err = AppError::TooLarge(format!(
                "提交的内容超过了 {} KB 的上限，没有保存任何内容。请删减后重新提交。",
                MAX_FORM_BYTES / 1024
            ));
            return crate::pages::error_response(&state, err).await;
        }
    };
    let given = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let expected = match editor_of(&state, &parts.headers).await {
        Ok(Some(editor)) if parts.uri.path().starts_with("/admin") => Some(editor.csrf),
        Ok(_) => cookie(&parts.headers, FORM_COOKIE).map(str::to_owned),
        Err(e) => return e.into_response(),
    };
    let valid = expected.is_some_and(|expected| xinwen_accounts::tokens_match(&expected, &given));
    if !valid {
        return refuse(
            &state,
            "表单已过期或缺少校验码。请回到上一页，刷新后重新提交。",
        )
        .await;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Refuses a request that says it comes from another site. Browsers send `Origin` with every
/// POST and `Sec-Fetch-Site` with most; a request without either (a script, a test) is left
/// to the token check. The origin may be the address the request came to or the site's
/// public address (a proxy in front may not pass the public Host on).
fn same_site(headers: &HeaderMap, base_url: &str) -> Result<(), String> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err("不接受来自其他网站的提交。".into());
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = authority(origin);
        if origin_host.is_empty() || (origin_host != host && origin_host != authority(base_url)) {
            return Err("不接受来自其他网站的提交。".into());
        }
    }
    Ok(())
}

/// `host[:port]` of a URL, as a Host header writes it; empty when it is not a URL.
fn authority(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| match u.port() {
            Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
            None => u.host_str().unwrap_or_default().to_owned(),
        })
        .unwrap_or_default()
}

async fn refuse(state: &AppState, why: &str) -> Response {
    tracing::info!(reason = why, "state-changing request refused");
    crate::pages::error_response(state, AppError::Forbidden(why.to_owned())).await
}

/// Headers for every admin page and form page: never stored by a cache, never framed.
pub fn private_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::safety::SITE_CSP),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// Logs the editor out of this browser: the session row goes and the cookie is cleared.
pub async fn end_session(state: &AppState, editor: &Editor) -> Result<HeaderValue, AppError> {
    state.store().delete_session(&editor.token_hash).await?;
    Ok(set_cookie(state, SESSION_COOKIE, "", "/admin", "Lax", 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_this_site_may_post() {
        let base = "https://news.example";
        let ok = [
            headers(&[("host", "news.example"), ("origin", "https://news.example")]),
            // Behind a proxy that sends its own Host upstream.
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://news.example"),
            ]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
            ]),
            headers(&[("host", "news.example"), ("sec-fetch-site", "same-origin")]),
            headers(&[("host", "news.example")]),
        ];
        for h in &ok {
            assert!(same_site(h, base).is_ok(), "{h:?}");
        }
        let refused = [
            headers(&[("host", "news.example"), ("origin", "https://evil.example")]),
            headers(&[("host", "news.example"), ("origin", "null")]),
            headers(&[
                ("host", "news.example"),
                ("origin", "https://news.example.evil.example"),
            ]),
            headers(&[("host", "news.example"), ("sec-fetch-site", "cross-site")]),
            headers(&[("host", "news.example"), ("sec-fetch-site", "same-site")]),
        ];
        for h in &refused {
            assert!(same_site(h, base).is_err(), "{h:?}");
        }
    }
}
