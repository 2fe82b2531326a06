//! The JSON API under `/api/v1/`: what the site shows, for programs. Reading is open to all
//! (CORS allowed), limited per address, cached like pages and tagged for conditional requests.
//!
//! Its OpenAPI 3.1 document (`/api/v1/openapi.json`) is derived by utoipa from the handlers'
//! `#[utoipa::path]` attributes and the `ToSchema` types below, so it cannot drift from what
//! the code answers; `/api/v1/docs` shows the same document as a page. Errors are
//! `application/problem+json` (RFC 9457) with a stable `code`.
//!
//! Reading goes through the store and the search index, as the pages do. Writing needs a
//! token (`write.rs`) and goes through the admin's own actions, audited under the token's
//! name; nothing written through the API is cached or open to other sites' scripts.

mod docs;
mod read;
mod write;

use crate::cache::CachedPage;
use crate::{AppError, AppState};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use governor::{DefaultKeyedRateLimiter, Quota};
use serde::Serialize;
use std::future::Future;
use std::num::NonZeroU32;
use utoipa::{OpenApi, ToSchema};

const JSON: &str = "application/json";
const PROBLEM_JSON: &str = "application/problem+json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xinwen API",
        version = "1",
        description = "Articles, stories, 热点, search, sources and channels of a xinwen site, \
            as its pages show them. Lists page by an opaque `cursor`; every response carries \
            an ETag, and a request naming it in If-None-Match gets 304. Errors are \
            application/problem+json with a stable `code`."
    ),
    paths(
        read::articles,
        read::article,
        read::story,
        read::hot,
        read::search,
        read::sources,
        read::channels,
        write::add_source,
        write::add_article,
        write::pause_source,
        write::resume_source,
        write::hide_article,
        write::restore_article,
        write::move_article,
        write::submissions,
        write::approve_submission,
        write::reject_submission,
        write::spam_submission,
        write::takedowns,
        write::approve_takedown,
        write::reject_takedown,
    ),
    components(schemas(Problem)),
    modifiers(&TokenScheme),
    tags(
        (name = "read", description = "What the site shows, open to all"),
        (name = "write", description = "What editors do, with a token: `xinwen token add NAME --role editor|admin`, sent as `Authorization: Bearer TOKEN`"),
    )
)]
pub(crate) struct ApiDoc;

/// The bearer token that writing needs, named `token` in the document.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The largest JSON body a write may send: a source or a decision is a few hundred bytes.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The API's routes, to be nested under `/api/v1`.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/articles", get(read::articles).post(write::add_article))
        .route("/articles/{id}", get(read::article))
        .route("/stories/{id}", get(read::story))
        .route("/hot", get(read::hot))
        .route("/search", get(read::search))
        .route("/sources", get(read::sources))
        .route("/channels", get(read::channels))
        .route("/sources", post(write::add_source))
        .route("/sources/{slug}/pause", post(write::pause_source))
        .route("/sources/{slug}/resume", post(write::resume_source))
        .route("/articles/{id}/hide", post(write::hide_article))
        .route("/articles/{id}/restore", post(write::restore_article))
        .route("/articles/{id}/channel", put(write::move_article))
        .route("/submissions", get(write::submissions))
        .route("/submissions/{id}/approve", post(write::approve_submission))
        .route("/submissions/{id}/reject", post(write::reject_submission))
        .route("/submissions/{id}/spam", post(write::spam_submission))
        .route("/takedowns", get(write::takedowns))
        .route("/takedowns/{id}/approve", post(write::approve_takedown))
        .route("/takedowns/{id}/reject", post(write::reject_takedown))
        .route("/openapi.json", get(docs::document))
        .route("/docs", get(docs::page))
        .fallback(unknown)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state, guard))
}

/// A problem, as RFC 9457 writes it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Problem {
    /// A URI naming the kind of problem (`about:blank` when its status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, in words a person can act on.
    pub detail: String,
    /// A stable name for the kind of problem, for programs: `not_found`, `gone`,
    /// `bad_request`, `rate_limited`, `overloaded`, `internal`.
    pub code: String,
}

pub(crate) fn problem(status: StatusCode, code: &str, detail: String) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
    };
    let mut response = (
        status,
        serde_json::to_string(&body).unwrap_or_else(|_| "{}".into()),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn problem_of(err: AppError) -> Response {
    match err {
        AppError::NotFound => problem(
            StatusCode::NOT_FOUND,
            "not_found",
            "nothing here by that name or id".into(),
        ),
        AppError::Gone => problem(
            StatusCode::GONE,
            "gone",
            "this article was removed at a rights holder's request or by an editor".into(),
        ),
        AppError::BadRequest(why) => problem(StatusCode::BAD_REQUEST, "bad_request", why),
        AppError::Overloaded => {
            let mut response = problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "the site is busier than it can answer; try again in a few seconds".into(),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::gate::RETRY_AFTER_SECS),
            );
            response
        }
        AppError::Internal(why) => {
            tracing::error!(error = %why, "an API request failed");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed to answer; the failure is logged".into(),
            )
        }
        AppError::Conflict(why) => problem(StatusCode::CONFLICT, "conflict", why),
        AppError::Forbidden(why) => problem(StatusCode::FORBIDDEN, "forbidden", why),
        AppError::TooLarge(why) => problem(StatusCode::PAYLOAD_TOO_LARGE, "too_large", why),
        AppError::TooMany(why) => problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited", why),
    }
}

/// 429 with the seconds to wait.
pub(crate) fn too_many(seconds: u64) -> Response {
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests; try again in {seconds} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Serves `value` from the page cache, or computes it (one computation per URI at a time, at
/// a turn of the render gate, as pages are) and keeps it. Errors are answered, never kept.
async fn respond_json<T, F>(state: &AppState, uri: &Uri, compute: F) -> Response
where
    T: Serialize,
    F: Future<Output = Result<T, AppError>>,
{
    let key = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let rendered = state
        .cache()
        .get_or_render(&key, async {
            state
                .gate()
                .run(async {
                    let value = compute.await?;
                    let body = serde_json::to_vec(&value)
                        .map_err(|e| AppError::Internal(format!("API response: {e}")))?;
                    Ok(CachedPage::new(
                        StatusCode::OK,
                        HeaderValue::from_static(JSON),
                        Bytes::from(body),
                    ))
                })
                .await
        })
        .await;
    match rendered {
        Ok(page) => {
            let mut response = (page.status, page.body).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, page.content_type);
            response
        }
        Err(err) => problem_of(err),
    }
}

async fn unknown(uri: Uri) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API route {}; see /api/v1/docs", uri.path()),
    )
}

/// Requests per minute from one address, and the burst it may spend at once.
pub(crate) struct ApiLimits {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl ApiLimits {
    pub(crate) fn new(per_minute: u32) -> ApiLimits {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        // A quarter of a minute's requests at once: a page of a program's work, not a flood.
        let burst = NonZeroU32::new((per_minute.get() / 4).max(1)).unwrap_or(NonZeroU32::MIN);
        ApiLimits {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ),
        }
    }

    /// Whether `address` may make a request now; else how many seconds until it may.
    fn check(&self, address: &str) -> Result<(), u64> {
        // The table of addresses is kept small by forgetting those that are back to full.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&address.to_owned())
            .map_err(|not_until| {
                let clock = governor::clock::DefaultClock::default();
                let wait = not_until.wait_time_from(governor::clock::Clock::now(&clock));
                wait.as_secs() + 1
            })
    }
}

/// CORS for reading, and the per-address limit.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cors = |mut response: Response| {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Retry-After"),
        );
        response
    };
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("If-None-Match"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return cors(response);
    }
    let address = crate::auth::client_address(
        &state,
        request.headers(),
        crate::auth::connected(request.extensions()),
    );
    if let Err(seconds) = state.api_limits().check(&address) {
        return cors(too_many(seconds));
    }
    let response = next.run(request).await;
    // The router's own answer to a method a route does not take has no body.
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut refused = problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method; /api/v1/docs lists what each takes".into(),
        );
        if let Some(allow) = allow {
            refused.headers_mut().insert(header::ALLOW, allow);
        }
        return cors(refused);
    }
    cors(response)
}
