//! The second step of a sign-in: after the right password (or a password reset) of an account
//! with two-step sign-in on, no session yet: the browser holds a five-minute token in an
//! HttpOnly cookie, and the session is opened only once a code of the account's app, or one of
//! its recovery codes, is given with it. Throttled per account and per address like the
//! password; a wrong code says only that the code is wrong.
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::two_step::{
    SecondFactor, SecondStepRequest, SignInOutcome, SECOND_STEP_SECONDS,
};
use fk_api::account::SessionView;
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::session;
use super::sign_in::open_session;
use super::signed_in;
use super::throttle::{self, window, Bucket, Window};
use super::tokens;
use super::two_step::{
    self, code_bucket, code_wrong, recovery_code_wrong, CODE_ACCOUNT, CODE_BACKOFF,
};
use crate::account::store::{self, Event};
use crate::client::Client;
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

const COOKIE: &str = "fk_second_step";
/// Wrong second steps from one address, whatever the account.
const SECOND_STEP_IP: [Window; 1] = [window(900, 50)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(second_step))
}

/// Instead of a session: the answer that asks this browser for the second step (202, and the
/// cookie that holds it). Part of the caller's transaction, which commits it.
pub async fn ask(
    state: &AppState,
    tx: &mut AnyConnection,
    account_id: i64,
    remember: bool,
    now: i64,
) -> Result<Response, AppError> {
    let token = tokens::new_token();
    // One waiting step per account: a newer sign-in replaces an older one. (Expired steps of
    // other accounts are housekeeping's, not every sign-in's.)
    session::end_waiting_sign_ins(tx, account_id).await?;
    sqlx::query("INSERT INTO second_steps (token_hash, account_id, remember, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(tokens::hash(&token))
        .bind(account_id)
        .bind(i32::from(remember))
        .bind(now)
        .bind(now + SECOND_STEP_SECONDS)
        .execute(&mut *tx)
        .await?;
    let cookie = session::set_named(state, COOKIE, &token, Some(SECOND_STEP_SECONDS));
    Ok((
        StatusCode::ACCEPTED,
        [(header::SET_COOKIE, cookie)],
        Json(SignInOutcome::SecondStep),
    )
        .into_response())
}

fn expired() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::SecondStepExpired,
        "sign in again: the password was given too long ago or in another browser",
    ))
}

/// The waiting step this browser's cookie names: its account and "remember me".
async fn waiting(
    state: &AppState,
    headers: &HeaderMap,
    now: i64,
) -> Result<Option<(String, i64, bool)>, sqlx::Error> {
    let Some(token) = session::named(state, headers, COOKIE) else {
        return Ok(None);
    };
    let hash = tokens::hash(&token);
    let row = sqlx::query(
        "SELECT account_id, remember FROM second_steps WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let remember: i32 = row.try_get("remember")?;
    Ok(Some((hash, row.try_get("account_id")?, remember != 0)))
}

#[utoipa::path(post, path = "/api/account/sign-in/second-step", tag = "account", request_body = SecondStepRequest,
    responses(
        (status = 200, description = "Signed in (the session cookie is set)", body = SessionView),
        (status = 401, description = "`code_wrong` (field `code`): not the app's code now, or already used; `recovery_code_wrong` (field `recovery_code`): not an unused recovery code of the account; \
            `second_step_expired`: no password was given in this browser in the last 5 minutes", body = ApiError),
        (status = 422, description = "`code_required`, `code_invalid` (field `code`: six digits) or `recovery_code_invalid` (field `recovery_code`: `xxxxx-xxxxx`); exactly one of the two is sent", body = ApiError),
        (status = 429, description = "Too many wrong codes; `retry_after` says when", body = ApiError),
    ))]
async fn second_step(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(form): ApiJson<SecondStepRequest>,
) -> Result<Response, AppError> {
    let factor = form.factor()?;
    let now = state.clock.now();
    let (hash, account_id, remember) = waiting(&state, &headers, now).await?.ok_or_else(expired)?;
    let ip_bucket = Bucket::SecondStepIp.name(&client.address_key);
    let bucket = code_bucket(account_id);
    throttle::enforce(&state, &ip_bucket, &SECOND_STEP_IP, None).await?;
    throttle::enforce(&state, &bucket, &CODE_ACCOUNT, Some(CODE_BACKOFF)).await?;
    let account = store::by_id(&mut *state.db.acquire().await?, account_id)
        .await?
        .ok_or_else(expired)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    // The step is used up by whichever request gets here first with a right code.
    let right = match &factor {
        SecondFactor::Code(code) => two_step::use_code(&state, &mut tx, account_id, code, now)
            .await?
            .then_some(None),
        SecondFactor::RecoveryCode(code) => two_step::use_recovery_code(&mut tx, account_id, code)
            .await?
            .map(Some),
    };
    let Some(recovery_left) = right else {
        drop(tx);
        let mut conn = state.db.acquire().await?;
        throttle::record(&mut conn, &bucket, now).await?;
        throttle::record(&mut conn, &ip_bucket, now).await?;
        store::log(&mut conn, account_id, Event::SecondStepFailed, &client, now).await?;
        return Err(match factor {
            SecondFactor::Code(_) => code_wrong(),
            SecondFactor::RecoveryCode(_) => recovery_code_wrong(),
        });
    };
    let used = sqlx::query("DELETE FROM second_steps WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Err(expired());
    }
    if let Some(left) = recovery_left {
        two_step::record_recovery_code_used(&state, &mut tx, &account, left, &client, now).await?;
    }
    throttle::clear(&mut tx, &bucket).await?;
    let (token, session) = open_session(&state, tx, &account, remember, &client, now).await?;
    let mut response = signed_in(
        &state,
        StatusCode::OK,
        &token,
        remember,
        session.view(&account),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_named(&state, COOKIE, "", Some(0)),
    );
    Ok(response)
}
