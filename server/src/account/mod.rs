//! Accounts: registration, e-mail verification, sign-in, sessions, recovery, and the personal
//! data pages.
pub mod agent;
pub mod consents;
pub mod data;
pub mod devices;
pub mod holds;
pub mod http;
pub mod password;
pub mod profile;
pub mod registration;
pub mod session;
pub mod store;
pub mod throttle;
pub mod tokens;

use std::sync::LazyLock;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::password::{CommonPasswords, COMMON_PASSWORDS_TXT};
use fk_api::{ApiError, ErrorCode};

use crate::db::Db;
use crate::AppState;

/// `/api/account/…`: every route of the personal section, behind the same-origin check and
/// with the request's session found once.
pub fn router(state: AppState) -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(http::routes())
        .merge(registration::routes())
        .merge(profile::routes())
        .merge(devices::routes())
        .merge(consents::routes())
        .merge(data::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .route_layer(middleware::from_fn_with_state(state, same_origin_only))
}

pub static COMMON_PASSWORDS: LazyLock<CommonPasswords> =
    LazyLock::new(|| CommonPasswords::parse(COMMON_PASSWORDS_TXT));

/// CSRF protection: a state-changing request must come from this site's own pages
/// (`Sec-Fetch-Site: same-origin`, or an `Origin` naming this server). A form or script on
/// another site, or a client that says nothing about where it comes from, is refused.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !crate::request::is_same_origin(&state, request.headers()) {
        let err = ApiError::new(
            ErrorCode::Forbidden,
            "cross-site request refused: send it from this site's pages",
        );
        return (StatusCode::FORBIDDEN, Json(err)).into_response();
    }
    let mut response = next.run(request).await;
    // Personal data: never kept in a shared or browser cache.
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// An account whose address was never confirmed is erased this long after registration: it
/// holds someone's data (perhaps typed by a stranger) and keeps its login and address taken.
pub const UNVERIFIED_KEPT: i64 = 7 * 86_400;

/// Deletes what has expired: sessions, used or stale links, old throttle counts, accounts never
/// confirmed.
pub async fn housekeeping(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    let stale =
        data::stale_unconfirmed(&mut *db.acquire().await?, now - UNVERIFIED_KEPT, None).await?;
    for id in stale {
        let mut tx = crate::db::begin_write(db).await?;
        data::erase_unconfirmed(&mut tx, id).await?;
        tx.commit().await?;
    }
    sqlx::query("DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM email_tokens WHERE expires_at < $1")
        .bind(now - 7 * 86_400)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM mail_queue WHERE sent_at < $1")
        .bind(now - 7 * 86_400)
        .execute(db)
        .await?;
    // Letters given up on (every attempt failed) are not kept either: they name someone.
    sqlx::query(
        "DELETE FROM mail_queue WHERE sent_at IS NULL AND attempts >= $1 AND created_at < $2",
    )
    .bind(crate::mail::MAX_ATTEMPTS)
    .bind(now - 7 * 86_400)
    .execute(db)
    .await?;
    holds::prune(&mut *db.acquire().await?, now).await?;
    throttle::prune(&mut *db.acquire().await?, now).await?;
    // Whatever this and the last ten minutes deleted, gone from disk too (an erasure scrubs at
    // once; this catches what a busy moment kept it from).
    crate::db::scrub(db).await;
    Ok(())
}
