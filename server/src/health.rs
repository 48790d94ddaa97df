//! `GET /api/health`: 200 when the server and its database work, 503 saying what is down.
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fk_api::health::{Health, HealthStatus};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/health", get(health))
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let health = Health::of(crate::db::check(&state.db).await);
    let status = if health.status == HealthStatus::Ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(health))
}
