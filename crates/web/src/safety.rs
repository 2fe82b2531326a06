//! What every response passes through, whatever produced it: the security headers, and a
//! panic turned into a 500 page with a log line instead of a closed connection.
//!
//! One layer rather than headers set by each handler, so that a page added later, a static
//! file, a feed or an error page cannot be served without them.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// The site runs no script at all: pages are rendered on the server and readable without it.
/// So no script runs, whatever a publisher manages to put in a page; styles and images come
/// from the site itself (images also from publishers' hosts, when the media proxy is off).
pub const SITE_CSP: &str = "default-src 'none'; script-src 'none'; object-src 'none'; \
     style-src 'self'; img-src 'self' data: https: http:; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Adds the headers every response carries, leaving alone those a handler chose itself (the
/// admin's stricter Referrer-Policy, the media proxy's image CSP).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut());
    response
}

fn add_security_headers(headers: &mut HeaderMap) {
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, SITE_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// A handler that panicked: the reader gets the 500 page, the log gets what happened.
#[derive(Clone)]
pub struct PanicPage;

impl tower_http::catch_panic::ResponseForPanic for PanicPage {
    type ResponseBody = Body;

    fn response_for_panic(&mut self, panic: Box<dyn Any + Send + 'static>) -> Response {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        tracing::error!(panic = message, "a request panicked; answered 500");
        metrics::counter!("xinwen_request_panics_total").increment(1);
        let page = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>服务器内部错误</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
             <body><main class=\"error-page\"><h1>服务器内部错误</h1>\
             <p>这个页面暂时无法显示，问题已记录。请稍后再试，或<a href=\"/\">回到首页</a>。</p>\
             </main></body></html>";
        let mut response = (StatusCode::INTERNAL_SERVER_ERROR, page).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_a_handlers_own_choice_stays() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        add_security_headers(&mut headers);
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], SITE_CSP);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(SITE_CSP.contains("script-src 'none'"));
    }
}
