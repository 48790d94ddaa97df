//! `/api/account/…`: sign-in and out, re-authentication, recovery (registration and
//! verification are `registration.rs`). Every state change passes the same-origin check in [`super::same_origin_only`].
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use fk_api::account::rules::Identifier;
use fk_api::account::{
    is_token, rules, CheckEmail, ReauthRequest, RecoverRequest, ResetRequest, SessionView,
    SignInRequest, VerifyRequest,
};
use fk_api::{ApiError, ErrorCode};
use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::session::{self, MaybeSession, Session};
use super::store::{self, Account, Event};
use super::throttle::{self, window, Backoff, Window};
use super::tokens::{self, Purpose};
use super::COMMON_PASSWORDS;
use crate::error::AppError;
use crate::mail::templates::{render, Mail};
use crate::request::{self, Client};
use crate::AppState;

/// Failed sign-ins per account: 5 free in 15 minutes, then 30 s, 1 min, 2 min … up to 15 min
/// between attempts; and never more than 100 in an hour.
pub(super) const SIGN_IN_BACKOFF: Backoff = Backoff {
    seconds: 900,
    free: 5,
    base: 30,
    cap: 900,
};
pub(super) const SIGN_IN_ACCOUNT: [Window; 1] = [window(3600, 100)];
/// Failed sign-ins from one address, whatever the account.
const SIGN_IN_IP: [Window; 1] = [window(900, 50)];
/// Reset links per address and per requesting IP.
const RECOVER_ADDRESS: [Window; 2] = [window(900, 3), window(86_400, 10)];
const RECOVER_IP: [Window; 1] = [window(3600, 30)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(common_passwords))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(current_session))
        .routes(routes!(reauth))
        .routes(routes!(recover))
        .routes(routes!(reset))
        .routes(routes!(check_reset_link))
}

pub(super) async fn throttled(
    state: &AppState,
    bucket: &str,
    windows: &[Window],
    backoff: Option<Backoff>,
) -> Result<(), AppError> {
    throttle::check(
        &mut *state.db.acquire().await?,
        bucket,
        state.clock.now(),
        windows,
        backoff,
    )
    .await?
    .map_err(AppError::too_many)
}

pub(super) fn signed_in(
    state: &AppState,
    status: StatusCode,
    token: &str,
    remember: bool,
    body: impl serde::Serialize,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(state, token, remember),
    );
    response
}

pub(super) fn link(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.public_url.trim_end_matches('/'))
}

/// "24.11.2026 14:05 UTC": e-mails state times in UTC, the one zone every reader can convert.
pub(super) fn mail_time(unix: i64) -> String {
    let format = time::macros::format_description!("[day].[month].[year] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

pub(super) async fn account_of(state: &AppState, session: &Session) -> Result<Account, AppError> {
    store::by_id(&mut *state.db.acquire().await?, session.account_id)
        .await?
        .ok_or_else(|| {
            AppError::Client(
                StatusCode::UNAUTHORIZED,
                ApiError::new(ErrorCode::Unauthenticated, "the account no longer exists"),
            )
        })
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

pub(super) fn link_invalid() -> AppError {
    // 404: the link names nothing that works (any more); the same for a malformed one.
    AppError::not_found(
        ApiError::new(
            ErrorCode::LinkInvalid,
            "this link has expired or was already used",
        )
        .with_field("token"),
    )
}

/// The throttle bucket of an account's password: sign-in and every password confirmation.
pub(super) fn password_bucket(account: &Account) -> String {
    format!("sign-in:account:{}", account.id)
}

/// The throttle bucket of a sign-in: the account when there is one, else the identifier in the
/// form the lookup compares (so probing unknown logins is throttled exactly like real ones,
/// whatever their spelling).
pub(super) fn sign_in_bucket(account: Option<&Account>, identifier: &Identifier) -> String {
    match account.filter(|a| a.email_verified_at.is_some()) {
        Some(a) => password_bucket(a),
        // No account, or one whose address is not confirmed (which cannot be signed into):
        // counted as an unknown identifier, by login or address as typed, so that the counts
        // cannot tell whether a registration found its address free.
        None => format!("sign-in:unknown:{}", identifier.key()),
    }
}

pub(super) fn invalid_credentials() -> AppError {
    AppError::Client(
        StatusCode::UNAUTHORIZED,
        ApiError::new(ErrorCode::InvalidCredentials, "wrong login or password"),
    )
}

#[utoipa::path(post, path = "/api/account/sign-in", tag = "account", request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in (the session cookie is set)", body = SessionView),
        (status = 401, description = "`invalid_credentials`: wrong login or password; the same for an unknown login, and for an \
            account whose address is not confirmed yet", body = ApiError),
        (status = 429, description = "Too many failed attempts; `retry_after` says when", body = ApiError),
    ))]
async fn sign_in(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let form: SignInRequest = request::json(&parts.headers, body, "sign-in").await?;
    if form.login.trim().is_empty()
        || form.password.is_empty()
        || form.password.chars().count() > 1024
    {
        return Err(invalid_credentials());
    }
    let client = Client::from_parts(&state, &parts);
    let ip_bucket = format!("sign-in:ip:{}", client.address_key);
    throttled(&state, &ip_bucket, &SIGN_IN_IP, None).await?;
    let identifier = Identifier::parse(&form.login);
    let account = store::by_identifier(&state.db, &identifier).await?;
    let bucket = sign_in_bucket(account.as_ref(), &identifier);
    throttled(&state, &bucket, &SIGN_IN_ACCOUNT, Some(SIGN_IN_BACKOFF)).await?;
    let ok = state
        .hasher
        .verify(
            form.password,
            account.as_ref().map(|a| a.password_hash.clone()),
        )
        .await?;
    let now = state.clock.now();
    // An account whose address is not confirmed cannot be signed into, and says so exactly as a
    // wrong password does: whoever registered someone else's address gets no session to keep,
    // and signing in cannot tell whether a registration found the address free.
    let account = match (ok, account) {
        (true, Some(account)) if account.email_verified_at.is_some() => account,
        (_, account) => {
            throttle::record(&mut *state.db.acquire().await?, &bucket, now).await?;
            throttle::record(&mut *state.db.acquire().await?, &ip_bucket, now).await?;
            if let Some(account) = account {
                let mut conn = state.db.acquire().await?;
                store::log(&mut conn, account.id, Event::SignInFailed, &client, now).await?;
            }
            return Err(invalid_credentials());
        }
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    let new_device = store::is_new_device(&mut tx, account.id, &client).await?;
    store::log(&mut tx, account.id, Event::SignIn, &client, now).await?;
    let (token, session) =
        session::create(&mut tx, account.id, form.remember, &client, now).await?;
    if new_device {
        let ip = super::devices::shown_ip(&client.ip);
        let device = [client.agent.os.as_str(), client.agent.device.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let mail = Mail::NewSignIn {
            first_name: &account.first_name,
            when: &mail_time(now),
            browser: &client.agent.browser,
            device: &device,
            ip: &ip,
            sessions_link: &link(&state, "/account"),
            recover_link: &link(&state, "/account/recover"),
        };
        state
            .mailer
            .queue(
                &mut tx,
                Some(account.id),
                &account.email,
                render(&mail, account.lang),
                now,
            )
            .await?;
    }
    tx.commit().await?;
    throttle::clear(&mut *state.db.acquire().await?, &bucket).await?;
    state.mailer.wake();
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        form.remember,
        session.view(&account),
    ))
}

#[utoipa::path(post, path = "/api/account/sign-out", tag = "account",
    responses((status = 204, description = "Signed out (also when no session was open); the cookie is cleared")))]
async fn sign_out(
    State(state): State<AppState>,
    Extension(session): Extension<MaybeSession>,
) -> Result<Response, AppError> {
    if let Some(session) = session.0 {
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
    Extension(session): Extension<MaybeSession>,
    request: Request,
) -> Result<Response, AppError> {
    let session = session.required()?;
    session.require_recent_auth(state.clock.now())?;
    let (parts, _) = request.into_parts();
    let client = Client::from_parts(&state, &parts);
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
async fn current_session(
    State(state): State<AppState>,
    Extension(session): Extension<MaybeSession>,
) -> Result<Response, AppError> {
    let session = session.required()?;
    let account = account_of(&state, &session).await?;
    Ok(Json(session.view(&account)).into_response())
}

/// The password again, for a sensitive operation: throttled like sign-in, and a new token.
#[utoipa::path(post, path = "/api/account/reauth", tag = "account", security(("session" = [])), request_body = ReauthRequest,
    responses(
        (status = 200, description = "The password is confirmed for the next 10 minutes", body = SessionView),
        (status = 429, description = "Too many wrong passwords; `retry_after` says when", body = ApiError),
    ))]
async fn reauth(
    State(state): State<AppState>,
    Extension(session): Extension<MaybeSession>,
    request: Request,
) -> Result<Response, AppError> {
    let session = session.required()?;
    let (parts, body) = request.into_parts();
    let form: ReauthRequest = request::json(&parts.headers, body, "password confirmation").await?;
    let account = account_of(&state, &session).await?;
    confirm_password(&state, &account, form.password, &parts, "password").await?;
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

/// The account's password given again for a sensitive operation: throttled like sign-in, a
/// failure counted and written to the security log, and reported on `field`.
pub(super) async fn confirm_password(
    state: &AppState,
    account: &Account,
    password: String,
    parts: &Parts,
    field: &str,
) -> Result<(), AppError> {
    let bucket = password_bucket(account);
    throttled(state, &bucket, &SIGN_IN_ACCOUNT, Some(SIGN_IN_BACKOFF)).await?;
    let now = state.clock.now();
    if password.chars().count() > 1024
        || !state
            .hasher
            .verify(password, Some(account.password_hash.clone()))
            .await?
    {
        let client = Client::from_parts(state, parts);
        let mut conn = state.db.acquire().await?;
        throttle::record(&mut conn, &bucket, now).await?;
        store::log(&mut conn, account.id, Event::SignInFailed, &client, now).await?;
        return Err(AppError::Client(
            StatusCode::UNAUTHORIZED,
            ApiError::new(ErrorCode::InvalidCredentials, "wrong password").with_field(field),
        ));
    }
    throttle::clear(&mut *state.db.acquire().await?, &bucket).await?;
    Ok(())
}

/// "Forgot password": the same 202 whether or not an account has the address, after the same
/// work: a letter is rendered and queued either way (a reset link, or "there is no account
/// with this address" to whoever owns it), so not even the time taken tells them apart.
#[utoipa::path(post, path = "/api/account/recover", tag = "account", request_body = RecoverRequest,
    responses(
        (status = 202, description = "A letter went to the address: a reset link if an account has it (the same answer either way)", body = CheckEmail),
        (status = 429, description = "Too many requests; `retry_after` says when", body = ApiError),
    ))]
async fn recover(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let form: RecoverRequest = request::json(&parts.headers, body, "recovery request").await?;
    rules::email(&form.email).map_err(AppError::unprocessable)?;
    let client = Client::from_parts(&state, &parts);
    let key = rules::email_key(&form.email);
    let address_bucket = format!("recover:{key}");
    let ip_bucket = format!("recover-ip:{}", client.address_key);
    throttled(&state, &address_bucket, &RECOVER_ADDRESS, None).await?;
    throttled(&state, &ip_bucket, &RECOVER_IP, None).await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    match store::by_email_key(&mut tx, &key).await? {
        Some(account) => {
            let token =
                tokens::issue(&mut tx, account.id, Purpose::Reset, &account.email, now).await?;
            let mail = Mail::Reset {
                first_name: &account.first_name,
                link: &link(&state, &format!("/account/reset#token={token}")),
            };
            state
                .mailer
                .queue(
                    &mut tx,
                    Some(account.id),
                    &account.email,
                    render(&mail, account.lang),
                    now,
                )
                .await?;
        }
        None => {
            // To someone who is not a user: no record of it is kept once it is sent.
            let mail = Mail::ResetNoAccount {
                register_link: &link(&state, "/account/register"),
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
    request: Request,
) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let form: VerifyRequest = request::json(&parts.headers, body, "reset link").await?;
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
        (status = 200, description = "The password is changed, every other session ended, and the user signed in", body = SessionView),
        (status = 404, description = "`link_invalid`: the link is unknown, used, expired, or was sent to an address the account has left", body = ApiError),
    ))]
async fn reset(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let form: ResetRequest = request::json(&parts.headers, body, "password reset").await?;
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
        &COMMON_PASSWORDS,
    )
    .map_err(AppError::unprocessable)?;
    let hash = state.hasher.hash(form.password).await?;
    let client = Client::from_parts(&state, &parts);
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
    store::set_password(&mut tx, account.id, &hash).await?;
    store::mark_verified(&mut tx, account.id, &email, now).await?;
    super::holds::release(&mut tx, account.id).await?;
    // Every other link (older resets, a pending change of address, an unconfirmed account's
    // verification) is void: this one proved the address and set the password.
    tokens::revoke_every(&mut tx, account.id, now).await?;
    session::end_all(&mut tx, account.id).await?;
    store::log(&mut tx, account.id, Event::PasswordChanged, &client, now).await?;
    store::log(&mut tx, account.id, Event::SignIn, &client, now).await?;
    let (token, session) = session::create(&mut tx, account.id, false, &client, now).await?;
    let mail = Mail::PasswordChanged {
        first_name: &account.first_name,
        when: &mail_time(now),
        others_ended: true,
        recover_link: &link(&state, "/account/recover"),
    };
    state
        .mailer
        .queue(
            &mut tx,
            Some(account.id),
            &account.email,
            render(&mail, account.lang),
            now,
        )
        .await?;
    tx.commit().await?;
    throttle::clear(&mut *state.db.acquire().await?, &password_bucket(&account)).await?;
    state.mailer.wake();
    let account = account_of(&state, &session).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        false,
        session.view(&account),
    ))
}
