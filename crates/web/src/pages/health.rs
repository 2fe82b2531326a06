//! `/healthz`: whether this process can serve, for load balancers and orchestrators.

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
