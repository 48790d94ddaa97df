//! Sessions: an opaque 256-bit token in an HttpOnly, SameSite=Lax cookie (`__Host-` and
//! Secure over https), only its hash in the database. Idle expiry is 30 days with "remember
//! me", else 12 hours (and the cookie dies with the browser); no session outlives 90 days.
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use fk_api::account::SessionView;
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};

use super::tokens;
use crate::account::store::Account;
use crate::client::Client;
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::AppState;

pub const IDLE_REMEMBERED: i64 = 30 * 86_400;
pub const IDLE_BROWSER: i64 = 12 * 3600;
pub const ABSOLUTE: i64 = 90 * 86_400;
/// Sensitive operations need a password given within this many seconds.
pub const RECENT_AUTH: i64 = 10 * 60;
/// `last_used_at` is written at most this often, not on every request.
const TOUCH_EVERY: i64 = 60;

#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub account_id: i64,
    pub remember: bool,
    pub created_at: i64,
    pub authenticated_at: i64,
}

impl Session {
    pub fn view(&self, account: &Account) -> SessionView {
        SessionView {
            account: account.view(),
            remember: self.remember,
            started_at: rfc3339(self.created_at),
            recent_auth_until: rfc3339(self.authenticated_at + RECENT_AUTH),
        }
    }

    /// Refuses a sensitive operation when the password was last given too long ago.
    pub fn require_recent_auth(&self, now: i64) -> Result<(), AppError> {
        if now - self.authenticated_at <= RECENT_AUTH {
            Ok(())
        } else {
            Err(AppError::Client(
                ApiError::new(
                    ErrorCode::ReauthRequired,
                    "confirm your password to continue",
                )
                .with_field("password"),
            ))
        }
    }
}

fn idle(remember: bool) -> i64 {
    if remember {
        IDLE_REMEMBERED
    } else {
        IDLE_BROWSER
    }
}

/// Our cookie `base` as this deployment names it: `__Host-` over https (only this host, path
/// `/`, `Secure`: a sibling subdomain cannot plant or overwrite it).
pub fn cookie_name(state: &AppState, base: &str) -> String {
    if state.secure_cookies {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// A `Set-Cookie` for one of our cookies: `HttpOnly`, `SameSite=Lax`, the whole site,
/// `Secure` over https; with `Max-Age` when given, else it ends with the browser.
pub fn set_named(state: &AppState, base: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        cookie_name(state, base)
    );
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if state.secure_cookies {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("cookie values are base64url")
}

/// The value of our cookie `base`, if the request carries one that looks like a token.
pub fn named(state: &AppState, headers: &HeaderMap, base: &str) -> Option<String> {
    let name = cookie_name(state, base);
    crate::request::cookies(headers)
        .find(|(k, v)| *k == name && fk_api::account::is_token(v))
        .map(|(_, v)| v.to_string())
}

const COOKIE: &str = "fk_session";

pub fn set_cookie(state: &AppState, token: &str, remember: bool) -> HeaderValue {
    set_named(state, COOKIE, token, remember.then_some(IDLE_REMEMBERED))
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    set_named(state, COOKIE, "", Some(0))
}

pub fn token_from(state: &AppState, headers: &HeaderMap) -> Option<String> {
    named(state, headers, COOKIE)
}

/// A new session (sign-in, verification, reset): a fresh token every time, so a token planted
/// before sign-in (session fixation) is worthless.
pub async fn create(
    conn: &mut AnyConnection,
    account_id: i64,
    remember: bool,
    client: &Client,
    now: i64,
) -> Result<(String, Session), sqlx::Error> {
    let token = tokens::new_token();
    let row = sqlx::query(
        "INSERT INTO sessions (account_id, token_hash, remember, created_at, last_used_at, authenticated_at, idle_expires_at, absolute_expires_at, ip, user_agent, browser, os, device) \
         VALUES ($1, $2, $3, $4, $4, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(account_id)
    .bind(tokens::hash(&token))
    .bind(i32::from(remember))
    .bind(now)
    .bind(now + idle(remember))
    .bind(now + ABSOLUTE)
    .bind(&client.ip)
    .bind(&client.user_agent)
    .bind(&client.agent.browser)
    .bind(&client.agent.os)
    .bind(client.agent.device.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok((
        token,
        Session {
            id: row.try_get("id")?,
            account_id,
            remember,
            created_at: now,
            authenticated_at: now,
        },
    ))
}

/// After the password was given again: a new token and a fresh authentication time.
pub async fn reauthenticate(
    db: &crate::Db,
    session: &Session,
    now: i64,
) -> Result<(String, Session), sqlx::Error> {
    let token = tokens::new_token();
    sqlx::query("UPDATE sessions SET token_hash = $1, authenticated_at = $2, last_used_at = $2, idle_expires_at = $3 WHERE id = $4")
        .bind(tokens::hash(&token))
        .bind(now)
        .bind(now + idle(session.remember))
        .bind(session.id)
        .execute(db)
        .await?;
    Ok((
        token,
        Session {
            authenticated_at: now,
            ..session.clone()
        },
    ))
}

/// The live session a token belongs to; an expired one is deleted on sight.
pub async fn find(state: &AppState, token: &str) -> Result<Option<(Session, bool)>, sqlx::Error> {
    let now = state.clock.now();
    let row = sqlx::query(
        "SELECT id, account_id, remember, created_at, authenticated_at, last_used_at, idle_expires_at, absolute_expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(tokens::hash(token))
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let idle_expires: i64 = row.try_get("idle_expires_at")?;
    let absolute_expires: i64 = row.try_get("absolute_expires_at")?;
    if now >= idle_expires || now >= absolute_expires {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&state.db)
            .await?;
        return Ok(None);
    }
    let remember = row.try_get::<i32, _>("remember")? != 0;
    let last_used: i64 = row.try_get("last_used_at")?;
    let touched = now - last_used >= TOUCH_EVERY;
    if touched {
        sqlx::query("UPDATE sessions SET last_used_at = $1, idle_expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind((now + idle(remember)).min(absolute_expires))
            .bind(id)
            .execute(&state.db)
            .await?;
    }
    let session = Session {
        id,
        account_id: row.try_get("account_id")?,
        remember,
        created_at: row.try_get("created_at")?,
        authenticated_at: row.try_get("authenticated_at")?,
    };
    Ok(Some((session, touched)))
}

pub async fn end(db: &crate::Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of the account, and every sign-in still waiting for its second step
/// (whoever gave the password there is to sign in again too).
pub async fn end_all(conn: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    end_waiting_sign_ins(conn, account_id).await
}

/// Sign-ins whose password was right and that wait for the second step: void once the
/// password changes, whoever gave the old one.
pub async fn end_waiting_sign_ins(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM second_steps WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What [`layer`] leaves in a request that carries a session cookie: the token, the session it
/// belongs to once an extractor asked (looked up at most once per request), and whether the
/// cookie's expiry should move forward.
struct Lookup {
    token: String,
    found: tokio::sync::OnceCell<Option<Session>>,
    refresh: std::sync::atomic::AtomicBool,
}

/// Puts a request's session cookie where the [`Session`] extractors find it and, for a
/// remembered session in use, moves the cookie's expiry forward with the server's (sliding 30
/// days). A request without the cookie costs nothing more; one with it is looked up only when a
/// handler asks for its session.
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(token) = token_from(&state, request.headers()) else {
        return next.run(request).await;
    };
    let lookup = Arc::new(Lookup {
        token,
        found: tokio::sync::OnceCell::new(),
        refresh: false.into(),
    });
    request.extensions_mut().insert(lookup.clone());
    let mut response = next.run(request).await;
    if lookup.refresh.load(Ordering::Relaxed)
        && !response.headers().contains_key(header::SET_COOKIE)
    {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, set_cookie(&state, &lookup.token, true));
    }
    response
}

/// Whether a page request comes with a live session (`None`: it could not be checked just
/// now), and the cookie that moves a remembered session's expiry forward, as [`layer`] does.
pub async fn of_page(state: &AppState, headers: &HeaderMap) -> (Option<bool>, Option<HeaderValue>) {
    let Some(token) = token_from(state, headers) else {
        return (Some(false), None);
    };
    match find(state, &token).await {
        Ok(Some((session, touched))) => {
            let slide = (touched && session.remember).then(|| set_cookie(state, &token, true));
            (Some(true), slide)
        }
        Ok(None) => (Some(false), None),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check the session of a page request");
            (None, None)
        }
    }
}

/// The session of a request behind [`layer`], if it has one: `Option<Session>` in a handler.
impl OptionalFromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Session>, AppError> {
        let Some(lookup) = parts.extensions.get::<Arc<Lookup>>() else {
            return Ok(None);
        };
        let found = lookup
            .found
            .get_or_try_init(|| async {
                let found = find(state, &lookup.token).await?;
                if found
                    .as_ref()
                    .is_some_and(|(s, touched)| *touched && s.remember)
                {
                    lookup.refresh.store(true, Ordering::Relaxed);
                }
                Ok::<_, sqlx::Error>(found.map(|(s, _)| s))
            })
            .await?;
        Ok(found.clone())
    }
}

/// The session of a signed-in request; 401 `unauthenticated` without one.
impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, AppError> {
        <Session as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or_else(|| {
                AppError::Client(ApiError::new(ErrorCode::Unauthenticated, "sign in first"))
            })
    }
}

/// The signed-in account and its session; 401 when the session's account no longer exists.
pub struct CurrentAccount {
    pub session: Session,
    pub account: Account,
}

impl FromRequestParts<AppState> for CurrentAccount {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session =
            <Session as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let account = account_of(state, &session).await?;
        Ok(CurrentAccount { session, account })
    }
}

/// The account a session belongs to, read again (after a change to it, say).
pub async fn account_of(state: &AppState, session: &Session) -> Result<Account, AppError> {
    crate::account::store::by_id(&mut *state.db.acquire().await?, session.account_id)
        .await?
        .ok_or_else(account_gone)
}

/// The session outlived its account (deleted meanwhile, from another tab or device).
pub fn account_gone() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::Unauthenticated,
        "the account no longer exists",
    ))
}
