//! Prometheus metrics: request counts and latencies by route and status, rendered at `/metrics`.
//!
//! The `metrics` facade lets any crate record without a registry handle; the Prometheus
//! recorder is installed once per process.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder; later calls return the same handle.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                0.5, 1.0,
            ])
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (several apps in one test process);
        // then ours still renders what it was given, which is what /metrics shows.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The route pattern, not the path: one series per page kind, not per article.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics, for the operator's monitoring only: they tell an outsider what is slow and
/// what fails. Asked from this machine directly (a loopback address and no proxy's
/// forwarding header), or with `Authorization: Bearer` and the configured metrics token.
pub async fn render(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
) -> Response {
    if !may_read_metrics(&state, &headers, crate::auth::connected(&extensions)) {
        return (
            StatusCode::FORBIDDEN,
            "/metrics is for the operator's monitoring: ask from this machine, or set \
             server.metrics_token and send it as a bearer token.\n",
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        install().render(),
    )
        .into_response()
}

fn may_read_metrics(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    if let Some(expected) = state.site().metrics_token.as_deref()
        && let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    {
        return xinwen_accounts::tokens_match(expected, given.trim());
    }
    // A proxy on this machine makes every visitor look local; its forwarding header tells.
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    peer.is_some_and(|p| p.ip().is_loopback() || p.ip().to_canonical().is_loopback()) && !forwarded
}
