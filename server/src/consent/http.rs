//! `/api/consent…`: the configuration, recording a choice, reading receipts. Other origins
//! may call it only when listed in `FK_ALLOWED_ORIGINS`.
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use fk_api::consent::{is_uuid_v4, Choice, ConsentConfig, ConsentHistory, ConsentReceipt, ConsentRequest};
use fk_api::{ApiError, ErrorCode, Lang};

use super::{store, truncate_ip};
use crate::error::AppError;
use crate::policy::store as policy_store;
use crate::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/consent/config", get(config))
        .route("/api/consent", axum::routing::post(record).options(preflight))
        .route("/api/consent/{id}", get(receipts).options(preflight))
        .layer(axum::middleware::from_fn_with_state(state, cors))
}

/// The current Russian policy version: the prevailing text is the one consent refers to.
pub async fn policy_version(state: &AppState) -> Result<u32, AppError> {
    Ok(policy_store::latest(&state.db, Lang::Ru).await?.map_or(0, |r| r.version))
}

async fn config(State(state): State<AppState>) -> Result<Response, AppError> {
    let loaded = state.cookie_config.current();
    let body = ConsentConfig {
        revision: loaded.revision.clone(),
        policy_version: policy_version(&state).await?,
        categories: loaded.config.categories.clone(),
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// Decodes the body by hand, so every kind of bad input gets our error shape.
fn decode(headers: &HeaderMap, body: &Bytes) -> Result<ConsentRequest, AppError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(AppError::Client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::new(ErrorCode::InvalidJson, "send the choice as application/json"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let field = e.to_string().split('`').nth(1).map(String::from);
        let err = ApiError::new(ErrorCode::InvalidJson, format!("the body is not a valid consent choice: {e}"));
        AppError::bad_request(match field {
            Some(f) if !f.is_empty() => err.with_field(f),
            _ => err,
        })
    })
}

async fn record(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, crate::MAX_BODY).await.map_err(|_| {
        AppError::Client(StatusCode::PAYLOAD_TOO_LARGE, ApiError::new(ErrorCode::PayloadTooLarge, "the body is too large"))
    })?;
    let choice: Choice = decode(&parts.headers, &body)?.validate().map_err(AppError::bad_request)?;
    let current = policy_version(&state).await?;
    if choice.policy_version > current {
        return Err(AppError::bad_request(
            ApiError::new(ErrorCode::InvalidConsent, format!("policy version {} is not published", choice.policy_version))
                .with_field("policy_version"),
        ));
    }
    let header_gpc = parts.headers.get("sec-gpc").is_some_and(|v| v.as_bytes() == b"1");
    let choice = Choice { gpc: choice.gpc || header_gpc, ..choice };
    let ip = client_ip(&state, &parts).map_or_else(|| "unknown".to_string(), truncate_ip);
    let user_agent: String =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().chars().take(400).collect();
    let ctx = store::Context { user_agent, ip_truncated: ip, recorded_at: crate::db::now() };
    store::insert(&state.db, &choice, &ctx).await?;
    let receipt = ConsentReceipt {
        consent_id: choice.consent_id,
        categories: choice.categories,
        config_revision: choice.config_revision,
        policy_version: choice.policy_version,
        recorded_at: crate::db::rfc3339(ctx.recorded_at),
        gpc: choice.gpc,
        user_agent: ctx.user_agent,
        ip_truncated: ctx.ip_truncated,
    };
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

/// The visitor's address: the peer, or behind a trusted proxy the last address it appended.
fn client_ip(state: &AppState, parts: &axum::http::request::Parts) -> Option<std::net::IpAddr> {
    let forwarded = state
        .trust_proxy
        .then(|| parts.headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse().ok())
        .flatten();
    forwarded.or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
}

async fn receipts(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ConsentHistory>, AppError> {
    if !is_uuid_v4(&id) {
        return Err(AppError::bad_request(
            ApiError::new(ErrorCode::InvalidConsent, "a consent ID is a UUID v4").with_field("consent_id"),
        ));
    }
    let receipts = store::history(&state.db, &id).await?;
    if receipts.is_empty() {
        return Err(AppError::not_found(
            ApiError::new(ErrorCode::UnknownConsent, "no choice was recorded under this consent ID").with_field("consent_id"),
        ));
    }
    Ok(Json(ConsentHistory { consent_id: id, receipts }))
}

async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Whether `origin` may call the consent API: this server itself, or a listed origin. The
/// browser's `Sec-Fetch-Site: same-origin` settles "itself" even behind a proxy that rewrites
/// `Host`.
fn allowed(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let same_site = headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"same-origin");
    let own = headers.get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(|host| {
        origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
    });
    same_site || own || state.allowed_origins.iter().any(|o| o == origin)
}

/// CORS for the listed origins only; a write from any other origin is refused, so a page
/// elsewhere cannot record receipts in a visitor's name. The refusal itself is readable (and
/// its preflight passes), so the loader on such a page sees a 403 and stops retrying.
async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    let Some(origin) = origin else { return next.run(request).await };
    let is_preflight = request.method() == Method::OPTIONS;
    let mut response = if allowed(&state, request.headers(), &origin) || is_preflight {
        next.run(request).await
    } else {
        let err = ApiError::new(ErrorCode::Forbidden, format!("origin {origin} may not use the consent API"));
        (StatusCode::FORBIDDEN, Json(err)).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if is_preflight {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response
}
