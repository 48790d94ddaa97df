//! Signing in and out, the current session, and the password given again for a sensitive
//! operation.
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::rules::Identifier;
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::{ReauthRequest, SessionView, SignInRequest};
use fk_api::ApiError;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::credentials::{
    check_password, confirm_password, forget_failures, invalid_credentials, sign_in_bucket,
    Checked, Holder, MAX_PASSWORD_CHARS,
};
use super::session::{self, CurrentAccount, Session};
use super::signed_in;
use super::throttle::{self, window, Bucket, Window};
use super::tokens::{self, Purpose};
use super::{second_step, two_step};
use crate::account::store::{self, Account, Event};
use crate::client::{shown_ip, Client};
use crate::clock::mail_time;
use crate::error::AppError;
use crate::mail::Mail;
use crate::request::ApiJson;
use crate::AppState;

/// Failed sign-ins from one address, whatever the account.
const SIGN_IN_IP: [Window; 1] = [window(900, 50)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(common_passwords))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(current_session))
        .routes(routes!(reauth))
}

/// The list the forms check passwords against, for the SPA to download once (cacheable).
#[utoipa::path(get, path = "/api/account/common-passwords", tag = "account",
    responses((status = 200, description = "The common-password list the SPA checks new passwords against, one a line", content_type = "text/plain", body = String)),
    extensions(("x-no-database" = json!(true))))]
async fn common_passwords() -> Response {
    let mut response = fk_api::account::password::COMMON_PASSWORDS_TXT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

#[utoipa::path(post, path = "/api/account/sign-in", tag = "account", request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in (the session cookie is set): `next` is `session`", body = SignInOutcome),
        (status = 202, description = "The password is right and two-step sign-in is on: `next` is `second_step`; the code goes to `/api/account/sign-in/second-step` from this browser within 5 minutes", body = SignInOutcome),
        (status = 401, description = "`invalid_credentials`: wrong login or password; the same for an unknown login, and for an \
            account whose address is not confirmed yet", body = ApiError),
        (status = 429, description = "Too many failed attempts; `retry_after` says when", body = ApiError),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<SignInRequest>,
) -> Result<Response, AppError> {
    if form.login.trim().is_empty()
        || form.password.is_empty()
        || form.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(invalid_credentials());
    }
    let ip_bucket = Bucket::SignInIp.name(&client.address_key);
    throttle::enforce(&state, &ip_bucket, &SIGN_IN_IP, None).await?;
    let identifier = Identifier::parse(&form.login);
    let account = store::by_identifier(&state.db, &identifier).await?;
    let bucket = sign_in_bucket(account.as_ref(), &identifier);
    // An account whose address is not confirmed cannot be signed into, and says so exactly as a
    // wrong password does: whoever registered someone else's address gets no session to keep,
    // and signing in cannot tell whether a registration found the address free.
    let checked = check_password(
        &state,
        account,
        Holder::Confirmed,
        &bucket,
        form.password,
        &client,
    );
    let account = match checked.await? {
        Checked::Right(account) => account,
        Checked::Wrong(_) => {
            let now = state.clock.now();
            throttle::record(&mut *state.db.acquire().await?, &ip_bucket, now).await?;
            return Err(invalid_credentials());
        }
    };
    forget_failures(&state, &bucket).await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    if two_step::is_on(&mut tx, account.id).await? {
        let response =
            second_step::ask(&state, &mut tx, account.id, form.remember, None, now).await?;
        tx.commit().await?;
        return Ok(response);
    }
    let (token, session) =
        open_session(&state, tx, &account, form.remember, None, &client, now).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        form.remember,
        SignInOutcome::Session(session.view(&account)),
    ))
}

/// The end of every sign-in, once each of its steps is done: the session (marked with the
/// passkey that opened it, if one did), the security log, and a letter when the browser is new
/// to the account. Commits `tx`.
pub async fn open_session(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    account: &Account,
    remember: bool,
    passkey: Option<&str>,
    client: &Client,
    now: i64,
) -> Result<(String, Session), AppError> {
    let new_device = store::is_new_device(&mut tx, account.id, client).await?;
    store::log(&mut tx, account.id, Event::SignIn, client, now).await?;
    let (token, session) = session::create(&mut tx, account.id, remember, client, now).await?;
    if let Some(passkey) = passkey {
        sqlx::query("UPDATE sessions SET passkey_id = $1 WHERE id = $2")
            .bind(passkey)
            .bind(session.id)
            .execute(&mut *tx)
            .await?;
    }
    if new_device {
        let ip = shown_ip(&client.ip);
        let device = [client.agent.os.as_str(), client.agent.device.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let mail = Mail::NewSignIn {
            first_name: &account.first_name,
            when: &mail_time(now, account.lang),
            browser: &client.agent.browser,
            device: &device,
            ip: &ip,
            sessions_link: &state.link("/account"),
            recover_link: &state.link("/account/recover"),
        };
        state.mailer.queue_to(&mut tx, account, &mail, now).await?;
    }
    tx.commit().await?;
    state.mailer.wake();
    Ok((token, session))
}

#[utoipa::path(post, path = "/api/account/sign-out", tag = "account",
    responses((status = 204, description = "Signed out (also when no session was open); the cookie is cleared")))]
async fn sign_out(
    State(state): State<AppState>,
    session: Option<Session>,
) -> Result<Response, AppError> {
    if let Some(session) = session {
        session::end(&state.db, session.id).await?;
    }
    Ok((
        [(header::SET_COOKIE, session::clear_cookie(&state))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// Ends every session of the account, this one included. Sensitive: needs a recent password.
#[utoipa::path(post, path = "/api/account/sign-out-everywhere", tag = "account", security(("session" = [])),
    responses(
        (status = 204, description = "Every session of the account has ended; the cookie is cleared"),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
    ))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    session: Session,
    client: Client,
) -> Result<Response, AppError> {
    session.require_recent_auth(state.clock.now())?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    session::end_all(&mut tx, session.account_id).await?;
    // Whoever is being thrown out may have asked to move the address to their own mailbox.
    tokens::revoke_all(
        &mut tx,
        session.account_id,
        Purpose::ChangeEmail,
        state.clock.now(),
    )
    .await?;
    store::log(
        &mut tx,
        session.account_id,
        Event::SignedOutEverywhere,
        &client,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok((
        [(header::SET_COOKIE, session::clear_cookie(&state))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/account/session", tag = "account", security(("session" = [])),
    responses((status = 200, description = "The signed-in account", body = SessionView)))]
async fn current_session(current: CurrentAccount) -> Json<SessionView> {
    Json(current.session.view(&current.account))
}

/// The password again, for a sensitive operation: throttled like sign-in, and a new token.
#[utoipa::path(post, path = "/api/account/reauth", tag = "account", security(("session" = [])), request_body = ReauthRequest,
    responses(
        (status = 200, description = "The password is confirmed for the next 10 minutes", body = SessionView),
        (status = 429, description = "Too many wrong passwords; `retry_after` says when", body = ApiError),
    ))]
async fn reauth(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<ReauthRequest>,
) -> Result<Response, AppError> {
    confirm_password(&state, &account, form.password, &client, "password").await?;
    let now = state.clock.now();
    let (token, session) = session::reauthenticate(&state.db, &session, now).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        session.remember,
        session.view(&account),
    ))
}
