//! The devices page: the account's open sessions, ending one or all others, and the security
//! log. Addresses are shown truncated (/24, /48), as in the consent receipts.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::activity::{
    DeviceSession, Devices, SecurityEntry, SecurityEvent, SECURITY_LOG_SHOWN,
};
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, Event};
use crate::auth::session::Session;
use crate::auth::tokens::{self, Purpose};
use crate::client::{shown_ip, Client};
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(devices))
        .routes(routes!(end_others))
        .routes(routes!(end_one))
}

/// How much of what is stored a list shows: the pages shorten addresses; the download has
/// everything held.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Page,
    Whole,
}

fn ip_for(ip: &str, detail: Detail) -> String {
    match detail {
        Detail::Page => shown_ip(ip),
        Detail::Whole => ip.to_string(),
    }
}

/// The open sessions, the asking one first, then the most recently used.
pub async fn sessions(
    conn: &mut AnyConnection,
    account_id: i64,
    current: i64,
    now: i64,
    detail: Detail,
) -> Result<Vec<DeviceSession>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, browser, os, device, ip, user_agent, created_at, last_used_at, remember FROM sessions \
         WHERE account_id = $1 AND idle_expires_at > $2 AND absolute_expires_at > $2 ORDER BY last_used_at DESC, id DESC",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut list = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(DeviceSession {
                id,
                browser: r.try_get("browser")?,
                os: r.try_get("os")?,
                device: r.try_get("device")?,
                ip: ip_for(&r.try_get::<String, _>("ip")?, detail),
                started_at: rfc3339(r.try_get("created_at")?),
                last_active_at: rfc3339(r.try_get("last_used_at")?),
                remember: r.try_get::<i32, _>("remember")? != 0,
                current: id == current,
                user_agent: if detail == Detail::Whole {
                    Some(r.try_get("user_agent")?)
                } else {
                    None
                },
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    list.sort_by_key(|s| !s.current);
    Ok(list)
}

/// The security log, newest first; `limit` none for all of it (the export).
pub async fn security_log(
    conn: &mut AnyConnection,
    account_id: i64,
    limit: Option<u32>,
    detail: Detail,
) -> Result<Vec<SecurityEntry>, sqlx::Error> {
    let rows = sqlx::query("SELECT kind, at, ip, browser, os, device FROM security_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(account_id)
        .bind(limit.map_or(i64::MAX, i64::from))
        .fetch_all(&mut *conn)
        .await?;
    let mut log = Vec::with_capacity(rows.len());
    for r in &rows {
        // A kind this build does not know (written by a newer one) is left out, not an error.
        let Some(event) = SecurityEvent::from_code(&r.try_get::<String, _>("kind")?) else {
            continue;
        };
        log.push(SecurityEntry {
            event,
            at: rfc3339(r.try_get("at")?),
            ip: ip_for(&r.try_get::<String, _>("ip")?, detail),
            browser: r.try_get("browser")?,
            os: r.try_get("os")?,
            device: r.try_get("device")?,
        });
    }
    Ok(log)
}

async fn view(state: &AppState, session: &Session) -> Result<Devices, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(Devices {
        sessions: sessions(
            &mut conn,
            session.account_id,
            session.id,
            state.clock.now(),
            Detail::Page,
        )
        .await?,
        log: security_log(
            &mut conn,
            session.account_id,
            Some(SECURITY_LOG_SHOWN),
            Detail::Page,
        )
        .await?,
    })
}

#[utoipa::path(get, path = "/api/account/devices", tag = "devices", security(("session" = [])),
    responses((status = 200, description = "Open sessions (this one first) and the newest entries of the security log", body = Devices)))]
async fn devices(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    Ok(Json(view(&state, &session).await?).into_response())
}

fn no_such_session() -> AppError {
    AppError::not_found(
        ApiError::new(
            ErrorCode::NotFound,
            "no such session among your other devices",
        )
        .with_field("id"),
    )
}

/// Ends another of the account's sessions (sensitive: a stolen session must not be able to
/// throw the owner out without the password). This one is ended by signing out.
#[utoipa::path(post, path = "/api/account/devices/{id}/end", tag = "devices", security(("session" = [])),
    params(("id" = String, Path, description = "The session's `id` from the list")),
    responses(
        (status = 200, description = "Ended; the list as it is now", body = Devices),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 404, description = "No such session among the account's other devices", body = ApiError),
    ))]
async fn end_one(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    client: Client,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let id: i64 = id.parse().map_err(|_| no_such_session())?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE id = $1 AND account_id = $2 AND id <> $3")
        .bind(id)
        .bind(session.account_id)
        .bind(session.id)
        .execute(&mut *tx)
        .await?;
    if ended.rows_affected() != 1 {
        return Err(no_such_session());
    }
    store::log(
        &mut tx,
        session.account_id,
        Event::SessionEnded,
        &client,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view(&state, &session).await?).into_response())
}

/// Ends every session but this one.
#[utoipa::path(post, path = "/api/account/devices/end-others", tag = "devices", security(("session" = [])),
    responses(
        (status = 200, description = "Every other session ended; the list as it is now", body = Devices),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
    ))]
async fn end_others(
    State(state): State<AppState>,
    session: Session,
    client: Client,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
        .bind(session.account_id)
        .bind(session.id)
        .execute(&mut *tx)
        .await?;
    // Whoever is being thrown out may have asked to move the address to their own mailbox.
    tokens::revoke_all(&mut tx, session.account_id, Purpose::ChangeEmail, now).await?;
    store::log(
        &mut tx,
        session.account_id,
        Event::OtherSessionsEnded,
        &client,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::OK, Json(view(&state, &session).await?)).into_response())
}
