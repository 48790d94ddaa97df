//! `GET /api/health`: 200 when the server and its database work, 503 saying what is down.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use fk_api::health::{Health, HealthStatus};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[utoipa::path(get, path = "/api/health", tag = "health",
    responses(
        (status = 200, description = "Up", body = Health),
        (status = 503, description = "Something is down, and which (`database`: `down` or `read-only`)", body = Health),
    ),
    extensions(("x-no-database" = json!(true))))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let health = Health::of(crate::db::check(&state.db).await);
    let status = if health.status == HealthStatus::Ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
