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
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::credentials::password_bucket;
use super::recovery;
use super::session;
use super::sign_in::open_session;
use super::signed_in;
use super::throttle::{self, window, Bucket, Window};
use super::tokens;
use super::two_step::{
    self, code_bucket, code_wrong, recovery_code_wrong, CODE_ACCOUNT, CODE_BACKOFF,
};
use crate::account::store::{self, Account, Event};
use crate::client::Client;
use crate::clock::mail_time;
use crate::error::AppError;
use crate::mail::{Mail, SecurityChange};
use crate::request::ApiJson;
use crate::AppState;

const COOKIE: &str = "fk_second_step";
/// Wrong second steps from one address, whatever the account.
const SECOND_STEP_IP: [Window; 1] = [window(900, 50)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(second_step))
}

/// Wrong codes one waiting step takes; then the password must be given again.
pub const STEP_ATTEMPTS: i32 = 5;

/// A password reset waiting for the second step: the new password's hash and the address the
/// link was sent to, applied once the code is given.
pub struct HeldReset<'a> {
    pub password_hash: &'a str,
    pub email: &'a str,
}

/// Instead of a session: the answer that asks this browser for the second step (202, and the
/// cookie that holds it). Part of the caller's transaction, which commits it.
pub async fn ask(
    state: &AppState,
    tx: &mut AnyConnection,
    account_id: i64,
    remember: bool,
    reset: Option<HeldReset<'_>>,
    now: i64,
) -> Result<Response, AppError> {
    let token = tokens::new_token();
    // One waiting sign-in per account: a newer one replaces an older one. A held password
    // reset is not a sign-in: whoever knows the old password must not be able to cancel it
    // by signing in; only a newer reset replaces it. (Expired steps of other accounts are
    // housekeeping's, not every sign-in's.)
    let replaced = match reset {
        Some(_) => "DELETE FROM second_steps WHERE account_id = $1",
        None => "DELETE FROM second_steps WHERE account_id = $1 AND new_password_hash IS NULL",
    };
    sqlx::query(replaced)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO second_steps (token_hash, account_id, remember, created_at, expires_at, new_password_hash, reset_email) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(tokens::hash(&token))
        .bind(account_id)
        .bind(i32::from(remember))
        .bind(now)
        .bind(now + SECOND_STEP_SECONDS)
        .bind(reset.as_ref().map(|r| r.password_hash.to_string()))
        .bind(reset.as_ref().map(|r| r.email.to_string()))
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

/// A sign-in waiting for its second step, as stored.
struct Waiting {
    token_hash: String,
    account_id: i64,
    remember: bool,
    /// A password reset held until the code: the new password's hash and the address.
    reset: Option<(String, String)>,
}

/// The waiting step this browser's cookie names.
async fn waiting(
    state: &AppState,
    headers: &HeaderMap,
    now: i64,
) -> Result<Option<Waiting>, sqlx::Error> {
    let Some(token) = session::named(state, headers, COOKIE) else {
        return Ok(None);
    };
    let token_hash = tokens::hash(&token);
    let row = sqlx::query(
        "SELECT account_id, remember, new_password_hash, reset_email FROM second_steps WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&token_hash)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let held: Option<String> = row.try_get("new_password_hash")?;
    let email: Option<String> = row.try_get("reset_email")?;
    Ok(Some(Waiting {
        token_hash,
        account_id: row.try_get("account_id")?,
        remember: row.try_get::<i32, _>("remember")? != 0,
        reset: held.zip(email),
    }))
}

/// A wrong code: counted for the account, the address and the waiting step (which ends after
/// [`STEP_ATTEMPTS`]), logged, and at the first one the owner is told: whoever typed it knew
/// the password.
async fn count_wrong(
    state: &AppState,
    tx: &mut AnyConnection,
    step: &Waiting,
    attempts: i32,
    account: &Account,
    client: &Client,
    now: i64,
) -> Result<(), AppError> {
    let ip_bucket = Bucket::SecondStepIp.name(&client.address_key);
    for bucket in [code_bucket(account.id), ip_bucket] {
        throttle::record(&mut *tx, &bucket, now).await?;
    }
    store::log(&mut *tx, account.id, Event::SecondStepFailed, client, now).await?;
    let query = if attempts + 1 >= STEP_ATTEMPTS {
        "DELETE FROM second_steps WHERE token_hash = $1"
    } else {
        "UPDATE second_steps SET attempts = attempts + 1 WHERE token_hash = $1"
    };
    sqlx::query(query)
        .bind(&step.token_hash)
        .execute(&mut *tx)
        .await?;
    if attempts == 0 && step.reset.is_none() {
        let mail = Mail::SignInSecurity {
            first_name: &account.first_name,
            change: SecurityChange::SecondStepFailed,
            when: &mail_time(now, account.lang),
            recover_link: &state.link("/account/recover"),
        };
        state.mailer.queue_to(&mut *tx, account, &mail, now).await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/account/sign-in/second-step", tag = "account", request_body = SecondStepRequest,
    responses(
        (status = 200, description = "Signed in (the session cookie is set): `next` is `session`. After a password reset, the new password takes effect now and every other session ends", body = SignInOutcome),
        (status = 401, description = "`code_wrong` (field `code`): not the app's code now, or already used; `recovery_code_wrong` (field `recovery_code`): not an unused recovery code of the account; \
            `second_step_expired`: no password was given in this browser in the last 5 minutes, or 5 wrong codes were given since", body = ApiError),
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
    let step = waiting(&state, &headers, now).await?.ok_or_else(expired)?;
    let ip_bucket = Bucket::SecondStepIp.name(&client.address_key);
    let bucket = code_bucket(step.account_id);
    throttle::enforce(&state, &ip_bucket, &SECOND_STEP_IP, None).await?;
    let account = store::by_id(&mut *state.db.acquire().await?, step.account_id)
        .await?
        .ok_or_else(expired)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    // The account's attempts are counted and checked one at a time (see `hold_account`).
    throttle::hold_account(&mut tx, account.id).await?;
    throttle::enforce_in(&mut tx, &bucket, now, &CODE_ACCOUNT, Some(CODE_BACKOFF)).await?;
    // Its wrong codes so far, read under the hold: codes sent at once are counted one after
    // another, and a step they used up takes no more.
    let attempts: i32 =
        sqlx::query("SELECT attempts FROM second_steps WHERE token_hash = $1 AND expires_at > $2")
            .bind(&step.token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(expired)?
            .try_get("attempts")?;
    // The step is used up by whichever request gets here first with a right code.
    let right = match &factor {
        SecondFactor::Code(code) => two_step::use_code(&state, &mut tx, account.id, code, now)
            .await?
            .then_some(None),
        SecondFactor::RecoveryCode(code) => two_step::use_recovery_code(&mut tx, account.id, code)
            .await?
            .map(Some),
    };
    let Some(recovery_left) = right else {
        count_wrong(&state, &mut tx, &step, attempts, &account, &client, now).await?;
        tx.commit().await?;
        state.mailer.wake();
        return Err(match factor {
            SecondFactor::Code(_) => code_wrong(),
            SecondFactor::RecoveryCode(_) => recovery_code_wrong(),
        });
    };
    let used = sqlx::query("DELETE FROM second_steps WHERE token_hash = $1")
        .bind(&step.token_hash)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Err(expired());
    }
    if let Some(left) = recovery_left {
        two_step::record_recovery_code_used(&state, &mut tx, &account, left, &client, now).await?;
    }
    if let Some((password_hash, email)) = &step.reset {
        recovery::apply(
            &state,
            &mut tx,
            &account,
            password_hash,
            email,
            &client,
            now,
        )
        .await?;
        throttle::clear(&mut tx, &password_bucket(&account)).await?;
    }
    throttle::clear(&mut tx, &bucket).await?;
    let (token, session) =
        open_session(&state, tx, &account, step.remember, None, &client, now).await?;
    let mut response = signed_in(
        &state,
        StatusCode::OK,
        &token,
        step.remember,
        SignInOutcome::Session(session.view(&account)),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_named(&state, COOKIE, "", Some(0)),
    );
    Ok(response)
}
