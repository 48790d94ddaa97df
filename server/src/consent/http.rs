//! `/api/consent…`: the configuration, recording a choice, reading receipts. Other origins
//! may call it only when listed in `FK_ALLOWED_ORIGINS`.
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::consent::{
    is_uuid_v4, Choice, ConsentConfig, ConsentHistory, ConsentReceipt, ConsentRequest,
};
use fk_api::{ApiError, ErrorCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store;
use crate::auth::session::Session;
use crate::client::Client;
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

pub fn router(state: AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(config))
        .routes(routes!(record, preflight))
        .routes(routes!(receipts, preflight_receipts))
        .layer(axum::middleware::from_fn_with_state(state, cors))
}

#[utoipa::path(get, path = "/api/consent/config", tag = "consent",
    responses((status = 200, description = "The categories, their cookies, the configuration's revision and the policy version", body = ConsentConfig)))]
async fn config(State(state): State<AppState>) -> Result<Response, AppError> {
    let loaded = state.cookie_config.current();
    let body = ConsentConfig {
        revision: loaded.revision.clone(),
        policy_version: crate::policy::prevailing_version(&state).await?,
        categories: loaded.config.categories.clone(),
    };
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

#[utoipa::path(post, path = "/api/consent", tag = "consent", request_body = ConsentRequest,
    responses(
        (status = 201, description = "Recorded; the receipt", body = ConsentReceipt),
        (status = 429, description = "This address recorded its hourly number of receipts (`FK_CONSENT_LIMIT`); \
            send it again after `retry_after` seconds", body = ApiError,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    session: Option<Session>,
    ApiJson(request): ApiJson<ConsentRequest>,
) -> Result<Response, AppError> {
    let choice: Choice = request.validate().map_err(AppError::bad_request)?;
    // Versions only grow, so one already seen is published for sure; only a newer claim (or
    // the first receipt after a start) asks the database.
    let published = state.current_policies.ru_published(choice.policy_version)
        || choice.policy_version <= crate::policy::prevailing_version(&state).await?;
    if !published {
        return Err(AppError::Client(
            ApiError::new(
                ErrorCode::InvalidConsent,
                format!("policy version {} is not published", choice.policy_version),
            )
            .with_field("policy_version"),
        ));
    }
    let header_gpc = headers.get("sec-gpc").is_some_and(|v| v.as_bytes() == b"1");
    let choice = Choice {
        gpc: choice.gpc || header_gpc,
        ..choice
    };
    let ctx = store::Context {
        ip_truncated: client.ip_truncated(),
        user_agent: client.user_agent,
        recorded_at: state.clock.now(),
        account_id: session.map(|s| s.account_id),
    };
    let receipt = ConsentReceipt {
        consent_id: choice.consent_id.clone(),
        categories: choice.categories.clone(),
        config_revision: choice.config_revision.clone(),
        policy_version: choice.policy_version,
        recorded_at: crate::clock::rfc3339(ctx.recorded_at),
        gpc: choice.gpc,
        user_agent: ctx.user_agent.clone(),
        ip_truncated: ctx.ip_truncated.clone(),
    };
    // Durable: answered only once committed (group commit, `writer.rs`).
    state
        .receipts
        .record(choice, ctx, &client.address_key)
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

#[utoipa::path(get, path = "/api/consent/{id}", tag = "consent",
    params(("id" = String, Path, description = "The consent ID (a UUID v4) the banner keeps")),
    responses(
        (status = 200, description = "Every choice recorded under the ID, newest first", body = ConsentHistory),
        (status = 400, description = "Not a UUID v4", body = ApiError),
        (status = 404, description = "Nothing recorded under the ID", body = ApiError),
    ))]
async fn receipts(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !is_uuid_v4(&id) {
        return Err(AppError::bad_request(
            ApiError::new(ErrorCode::InvalidConsent, "a consent ID is a UUID v4")
                .with_field("consent_id"),
        ));
    }
    let receipts = store::history(&state.db, &id).await?;
    if receipts.is_empty() {
        return Err(AppError::not_found(
            ApiError::new(
                ErrorCode::UnknownConsent,
                "no choice was recorded under this consent ID",
            )
            .with_field("consent_id"),
        ));
    }
    // A visitor's own record (browser, address): never kept by a shared or browser cache.
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(ConsentHistory {
            consent_id: id,
            receipts,
        }),
    )
        .into_response())
}

#[utoipa::path(options, path = "/api/consent", tag = "consent",
    responses((status = 204, description = "CORS preflight: listed origins may post")),
    extensions(("x-no-database" = json!(true))))]
async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

#[utoipa::path(options, path = "/api/consent/{id}", tag = "consent",
    params(("id" = String, Path)),
    responses((status = 204, description = "CORS preflight: listed origins may read receipts")),
    extensions(("x-no-database" = json!(true))))]
async fn preflight_receipts() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Whether `origin` may call the consent API: this server itself, or a listed origin. The
/// browser's `Sec-Fetch-Site: same-origin` settles "itself" even behind a proxy that rewrites
/// `Host`.
fn allowed(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    crate::request::is_same_origin(state, headers)
        || state.allowed_origins.iter().any(|o| o == origin)
}

/// CORS for the listed origins only; a write from any other origin is refused, so a page
/// elsewhere cannot record receipts in a visitor's name. The refusal itself is readable (and
/// its preflight passes), so the loader on such a page sees a 403 and stops retrying.
async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(origin) = origin else {
        return next.run(request).await;
    };
    let is_preflight = request.method() == Method::OPTIONS;
    let mut response = if allowed(&state, request.headers(), &origin) || is_preflight {
        next.run(request).await
    } else {
        let err = ApiError::new(
            ErrorCode::Forbidden,
            format!("origin {origin} may not use the consent API"),
        );
        (StatusCode::FORBIDDEN, Json(err)).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if is_preflight {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}
