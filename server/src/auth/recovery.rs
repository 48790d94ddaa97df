//! "Forgot password": a reset link by e-mail, checked before use, and the new password it sets.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::{is_token, rules, CheckEmail, RecoverRequest, ResetRequest, VerifyRequest};
use fk_api::ApiError;
use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::credentials::password_bucket;
use super::session::{self, account_of};
use super::signed_in;
use super::throttle::{self, window, Bucket, Window};
use super::tokens::{self, link_invalid, Purpose};
use super::{second_step, two_step};
use crate::account::store::{self, Account, Event};
use crate::client::Client;
use crate::clock::mail_time;
use crate::error::AppError;
use crate::mail::{render, Mail};
use crate::request::ApiJson;
use crate::AppState;

/// Reset links per address and per requesting IP.
const RECOVER_ADDRESS: [Window; 2] = [window(900, 3), window(86_400, 10)];
const RECOVER_IP: [Window; 1] = [window(3600, 30)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(recover))
        .routes(routes!(reset))
        .routes(routes!(check_reset_link))
}

/// "Forgot password": the same 202 whether or not an account has the address, after the same
/// work: a letter is rendered and queued either way (a reset link, or "there is no account
/// with this address" to whoever owns it), so not even the time taken tells them apart.
#[utoipa::path(post, path = "/api/account/recover", tag = "account", request_body = RecoverRequest,
    responses(
        (status = 202, description = "A letter went to the address: a reset link if an account has it (the same answer either way)", body = CheckEmail),
        (status = 429, description = "Too many requests; `retry_after` says when", body = ApiError),
    ))]
async fn recover(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<RecoverRequest>,
) -> Result<Response, AppError> {
    rules::email(&form.email)?;
    let key = rules::email_key(&form.email);
    let address_bucket = Bucket::Recover.name(&key);
    let ip_bucket = Bucket::RecoverIp.name(&client.address_key);
    throttle::enforce(&state, &address_bucket, &RECOVER_ADDRESS, None).await?;
    throttle::enforce(&state, &ip_bucket, &RECOVER_IP, None).await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    match store::by_email_key(&mut tx, &key).await? {
        Some(account) => {
            let token =
                tokens::issue(&mut tx, account.id, Purpose::Reset, &account.email, now).await?;
            let mail = Mail::Reset {
                first_name: &account.first_name,
                link: &state.link(&format!("/account/reset#token={token}")),
            };
            state.mailer.queue_to(&mut tx, &account, &mail, now).await?;
        }
        None => {
            // To someone who is not a user: no record of it is kept once it is sent.
            let mail = Mail::ResetNoAccount {
                register_link: &state.link("/account/register"),
            };
            state
                .mailer
                .queue_then_forget(&mut tx, form.email.trim(), render(&mail, form.lang), now)
                .await?;
        }
    }
    throttle::record(&mut tx, &address_bucket, now).await?;
    throttle::record(&mut tx, &ip_bucket, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(CheckEmail {
            email: form.email.trim().to_string(),
        }),
    )
        .into_response())
}

/// The account a reset link opens, if the link is unused, unexpired, and was sent to the
/// address the account has now: a link mailed to an address the account has since left must
/// not set its password.
async fn reset_target(
    conn: &mut AnyConnection,
    token: &str,
    now: i64,
) -> Result<Option<Account>, sqlx::Error> {
    let Some((account_id, sent_to)) = tokens::peek(&mut *conn, token, Purpose::Reset, now).await?
    else {
        return Ok(None);
    };
    let account = store::by_id(conn, account_id).await?;
    Ok(account.filter(|a| a.email == sent_to))
}

/// Whether a reset link still works, so the page can say so before a password is typed.
#[utoipa::path(post, path = "/api/account/reset/check", tag = "account", request_body = VerifyRequest,
    responses(
        (status = 204, description = "The reset link is valid"),
        (status = 404, description = "`link_invalid`: the link is unknown, used, expired, or was sent to an address the account has left", body = ApiError),
    ))]
async fn check_reset_link(
    State(state): State<AppState>,
    ApiJson(form): ApiJson<VerifyRequest>,
) -> Result<Response, AppError> {
    if !is_token(&form.token)
        || reset_target(
            &mut *state.db.acquire().await?,
            &form.token,
            state.clock.now(),
        )
        .await?
        .is_none()
    {
        return Err(link_invalid());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A new password from a reset link: every session ends, this browser gets a new one, the
/// owner is told by e-mail. The link also proves the address, so it counts as verified.
#[utoipa::path(post, path = "/api/account/reset", tag = "account", request_body = ResetRequest,
    responses(
        (status = 200, description = "The password is changed, every other session ended, and the user signed in: `next` is `session`", body = SignInOutcome),
        (status = 202, description = "Two-step sign-in is on, so `next` is `second_step`: the link is used up, and the new password takes effect (every session ending) only once the code goes to `/api/account/sign-in/second-step` from this browser within 5 minutes", body = SignInOutcome),
        (status = 404, description = "`link_invalid`: the link is unknown, used, expired, or was sent to an address the account has left", body = ApiError),
    ))]
async fn reset(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<ResetRequest>,
) -> Result<Response, AppError> {
    if !is_token(&form.token) {
        return Err(link_invalid());
    }
    let now = state.clock.now();
    // Check the password before using the link up, so a refused password can be corrected.
    let account = reset_target(&mut *state.db.acquire().await?, &form.token, now)
        .await?
        .ok_or_else(link_invalid)?;
    fk_api::account::password::check(
        &form.password,
        &account.login,
        &account.email,
        &state.common_passwords,
    )?;
    let hash = state.hasher.hash(form.password).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Again inside the transaction: the address may have changed since the check above.
    if reset_target(&mut tx, &form.token, now)
        .await?
        .is_none_or(|a| a.id != account.id)
    {
        return Err(link_invalid());
    }
    let Some((_, email)) = tokens::redeem(&mut tx, &form.token, Purpose::Reset, now).await? else {
        return Err(link_invalid());
    };
    // A reset proves the mailbox, not the second factor: with two-step sign-in on, the new
    // password waits in the second step and nothing changes until the code (or a recovery
    // code) is given. Whoever holds only the mailbox locks nobody out.
    if two_step::is_on(&mut tx, account.id).await? {
        let held = second_step::HeldReset {
            password_hash: &hash,
            email: &email,
        };
        let response =
            second_step::ask(&state, &mut tx, account.id, false, Some(held), now).await?;
        tx.commit().await?;
        return Ok(response);
    }
    apply(&state, &mut tx, &account, &hash, &email, &client, now).await?;
    store::log(&mut tx, account.id, Event::SignIn, &client, now).await?;
    let opened = session::create(&mut tx, account.id, false, &client, now).await?;
    tx.commit().await?;
    throttle::clear(&mut *state.db.acquire().await?, &password_bucket(&account)).await?;
    state.mailer.wake();
    let (token, session) = opened;
    let account = account_of(&state, &session).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        false,
        SignInOutcome::Session(session.view(&account)),
    ))
}

/// What a reset does once every step of it is done: the new password (its hash), the address
/// the link went to counted as confirmed, every other link and every session void, the log
/// and a letter. Part of the caller's transaction; the caller wakes the mailer.
pub async fn apply(
    state: &AppState,
    tx: &mut AnyConnection,
    account: &Account,
    password_hash: &str,
    email: &str,
    client: &Client,
    now: i64,
) -> Result<(), AppError> {
    store::set_password(&mut *tx, account.id, password_hash).await?;
    store::mark_verified(&mut *tx, account.id, email, now).await?;
    crate::account::holds::release(&mut *tx, account.id).await?;
    // Every other link (older resets, a pending change of address, an unconfirmed account's
    // verification) is void: this one proved the address and set the password.
    tokens::revoke_every(&mut *tx, account.id, now).await?;
    session::end_all(&mut *tx, account.id).await?;
    store::log(&mut *tx, account.id, Event::PasswordChanged, client, now).await?;
    let mail = Mail::PasswordChanged {
        first_name: &account.first_name,
        when: &mail_time(now, account.lang),
        others_ended: true,
        recover_link: &state.link("/account/recover"),
    };
    state.mailer.queue_to(&mut *tx, account, &mail, now).await?;
    Ok(())
}
