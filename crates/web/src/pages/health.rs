//! `/healthz` and `/readyz`: whether this process can serve, for load balancers and orchestrators.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if let Some(report) = state.store_damage() {
        // Pages that do not touch the damaged part still work, but the operator must know.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database damaged: {report}\n"),
        );
    }
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ok\n".to_owned()),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n".to_owned(),
            )
        }
    }
}

/// How recently a node's search index must have caught up with the store to be ready. It
/// catches up every two seconds; three missed in a row mean it is cut off or far behind.
const INDEX_FRESH_WITHIN: std::time::Duration = std::time::Duration::from_secs(6);

/// `/readyz`: whether this node should be sent readers: the database answers and the node's
/// own search index has caught up with it lately. A load balancer takes a node out while this
/// fails (a node still building its index, or one that lost the database) and back when it
/// passes; `/healthz` only says whether the process is alive and its database sound.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(e) = state.store().ping().await {
        tracing::warn!(error = %e, "not ready: the database does not answer");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database unavailable\n".to_owned(),
        );
    }
    match state.search() {
        Some(index) if !index.caught_up_within(INDEX_FRESH_WITHIN) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: the search index has not caught up with the database in the last {} s\n",
                INDEX_FRESH_WITHIN.as_secs()
            ),
        ),
        _ => (StatusCode::OK, "ready\n".to_owned()),
    }
}
