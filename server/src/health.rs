//! `GET /api/health`: 200 when the server and its database answer, 503 saying what is down.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};
use serde_json::{json, Value};

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[utoipa::path(get, path = "/api/health", tag = "health",
    responses(
        (status = 200, description = "Up", body = Object, example = json!({"status": "ok", "database": "ok"})),
        (status = 503, description = "Something is down, and which", body = Object, example = json!({"status": "unavailable", "database": "down"})),
    ))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok" }))),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database down");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "down" })))
        }
    }
}
