//! Registration and the confirmation of its address. Three rules keep a stranger from learning
//! or claiming anything through them:
//! - Whether the address already has an account, the answer, its timing, the login it
//!   reserves and the cookie it sets are the same; only the letter differs (a verification
//!   link, or "someone tried to register with your address" to its owner).
//! - An account whose address is not confirmed cannot be signed into (`auth::sign_in` answers
//!   as for a wrong password), so someone who registers another person's address gets no
//!   session to keep once the owner confirms it.
//! - Opening the verification link needs the password chosen at registration unless it is
//!   opened in the browser that registered (its `fk_registration` cookie): the owner of an
//!   address someone else registered cannot be signed into an account whose password a
//!   stranger knows. Confirming ends every other session of the account.
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::{rules, CheckEmail, RegisterRequest, SessionView, VerifyAddressRequest};
use fk_api::{ApiError, ErrorCode, Lang};
use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::holds::{self, Hold};
use super::store::{self, Event, NewAccount};
use super::UNVERIFIED_KEPT;
use crate::auth::credentials::confirm_password;
use crate::auth::throttle::{self, window, Bucket, Window};
use crate::auth::tokens::{self, link_invalid, Purpose};
use crate::auth::{session, signed_in};
use crate::client::Client;
use crate::error::AppError;
use crate::mail::{render, Mail};
use crate::request::ApiJson;
use crate::AppState;

/// Registration attempts per address: also what keeps "this login is taken" from being a probe.
const REGISTER_IP: [Window; 1] = [window(3600, 20)];
/// "Someone tried to register with your address" letters per address.
const REGISTER_NOTICE: [Window; 1] = [window(86_400, 3)];
/// "Send the link again", per registering browser.
const VERIFY_RESEND: [Window; 2] = [
    window(fk_api::account::VERIFY_RESEND_GAP as i64, 1),
    window(3600, 5),
];

/// The cookie of the browser that registered.
const COOKIE: &str = "fk_registration";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(verify))
        .routes(routes!(resend_verification))
}

/// A new verification link for the account's address, in a letter queued in `tx`.
async fn send_link(
    state: &AppState,
    tx: &mut AnyConnection,
    id: i64,
    email: &str,
    first_name: &str,
    lang: Lang,
    now: i64,
) -> Result<(), AppError> {
    let token = tokens::issue(tx, id, Purpose::Verify, email, now).await?;
    let mail = Mail::Verify {
        first_name,
        link: &state.link(&format!("/account/verify#token={token}")),
    };
    state
        .mailer
        .queue(tx, Some(id), email, render(&mail, lang), now)
        .await?;
    Ok(())
}

fn login_taken_error() -> AppError {
    AppError::Client(
        ApiError::new(ErrorCode::LoginTaken, "this login is taken; choose another")
            .with_field("login"),
    )
}

/// The letter to the owner of an address someone tried to register, at most three a day.
async fn tell_owner(
    state: &AppState,
    tx: &mut AnyConnection,
    email_key: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(owner) = store::by_email_key(tx, email_key).await? else {
        return Ok(());
    };
    let bucket = Bucket::RegisterNotice.name(owner.id);
    if throttle::check(tx, &bucket, now, &REGISTER_NOTICE, None)
        .await?
        .is_ok()
    {
        let mail = Mail::RegistrationAttempt {
            first_name: &owner.first_name,
            sign_in_link: &state.link("/account/login"),
            recover_link: &state.link("/account/recover"),
        };
        state.mailer.queue_to(tx, &owner, &mail, now).await?;
        throttle::record(tx, &bucket, now).await?;
    }
    Ok(())
}

/// Registration. Whether the address already has an account, the answer is the same 202
/// "check your e-mail" with the same cookie, taking as long (the password is hashed either
/// way), and the login is reserved for as long either way; the owner of a taken address gets a
/// letter saying someone tried. Nothing is written unless all is valid.
#[utoipa::path(post, path = "/api/account/register", tag = "account", request_body = RegisterRequest,
    responses(
        (status = 202, description = "A verification link was sent (the same answer whether or not the address has an account); \
            the `fk_registration` cookie marks this browser as the one that registered", body = CheckEmail,
            headers(("set-cookie" = String, description = "fk_registration=…; HttpOnly; SameSite=Lax"))),
        (status = 409, description = "`login_taken`, or `policy_outdated`: a newer policy must be read first", body = ApiError),
        (status = 429, description = "Too many registrations from this address; `retry_after` says when", body = ApiError),
    ))]
async fn register(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<RegisterRequest>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    if let Some(first) = form
        .validate(state.clock.year(), &state.common_passwords)
        .into_iter()
        .next()
    {
        return Err(first.into());
    }
    let current = crate::policy::prevailing_version(&state).await?;
    if form.policy_version != current {
        return Err(AppError::Client(
            ApiError::new(
                ErrorCode::PolicyOutdated,
                format!("the policy is now at version {current}; read it and accept again"),
            )
            .with_field("accept_policy"),
        ));
    }
    let ip_bucket = Bucket::RegisterIp.name(&client.address_key);
    throttle::enforce(&state, &ip_bucket, &REGISTER_IP, None).await?;
    throttle::record(&mut *state.db.acquire().await?, &ip_bucket, now).await?;
    let password_hash = state.hasher.hash(form.password.clone()).await?;
    let email = form.email.trim();
    let login = form.login.trim();
    let (email_key, login_key) = (rules::email_key(email), rules::login_key(login));
    let browser = tokens::new_token();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // An unconfirmed account past its week is as good as gone (housekeeping erases it within
    // minutes): gone now, so that its login and address are free exactly when a reservation
    // made with a taken address would end, and timing tells nothing.
    for id in super::data::stale_unconfirmed(
        &mut tx,
        now - UNVERIFIED_KEPT,
        Some((&login_key, &email_key)),
    )
    .await?
    {
        super::data::erase_unconfirmed(&mut tx, id).await?;
    }
    if holds::login_taken(&mut tx, &login_key, now).await? {
        return Err(login_taken_error());
    }
    let account_id = if store::by_email_key(&mut tx, &email_key).await?.is_some() {
        tell_owner(&state, &mut tx, &email_key, now).await?;
        None
    } else {
        let new = NewAccount {
            login,
            email,
            first_name: form.first_name.trim(),
            birth_year: form.birth_year.unwrap_or_default(),
            gender: form.gender,
            lang: form.lang,
            password_hash: &password_hash,
            guardian_consent: form.guardian_consent,
            policy_version: form.policy_version,
        };
        let id = match store::insert(&mut tx, &new, now).await {
            Ok(id) => id,
            // Another registration took the login or address between our check and insert.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(login_taken_error())
            }
            Err(e) => return Err(e.into()),
        };
        send_link(&state, &mut tx, id, email, new.first_name, form.lang, now).await?;
        Some(id)
    };
    let hold = Hold {
        browser_hash: tokens::hash(&browser),
        account_id,
        login_key,
        email: email.to_string(),
        email_key,
    };
    match holds::insert(&mut tx, &hold, now, now + UNVERIFIED_KEPT).await {
        // Another registration reserved the login between our check and this.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(login_taken_error()),
        other => other?,
    }
    tx.commit().await?;
    state.mailer.wake();
    let cookie = session::set_named(&state, COOKIE, &browser, Some(UNVERIFIED_KEPT));
    Ok((
        StatusCode::ACCEPTED,
        [(header::SET_COOKIE, cookie)],
        Json(CheckEmail {
            email: email.to_string(),
        }),
    )
        .into_response())
}

fn password_required() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::PasswordRequired,
            "this link was opened in another browser: enter the password chosen at registration",
        )
        .with_field("password"),
    )
}

/// Opening the verification link confirms the address and signs in on that browser, ending
/// every other session of the account; the welcome letter then states the login (clause 5.2).
/// In a browser other than the one that registered, the password chosen then is asked first.
#[utoipa::path(post, path = "/api/account/verify", tag = "account", request_body = VerifyAddressRequest,
    responses(
        (status = 200, description = "The address is confirmed and the user signed in (the session cookie is set)", body = SessionView),
        (status = 404, description = "`link_invalid`: the link is unknown, used or expired", body = ApiError),
        (status = 401, description = "`password_required`: opened in another browser, send the password too; \
            `invalid_credentials`: it is not the password (the link still works)", body = ApiError),
        (status = 429, description = "Too many wrong passwords; `retry_after` says when", body = ApiError),
    ))]
async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    ApiJson(form): ApiJson<VerifyAddressRequest>,
) -> Result<Response, AppError> {
    if !fk_api::account::is_token(&form.token) {
        return Err(link_invalid());
    }
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let Some((account_id, _)) = tokens::peek(&mut conn, &form.token, Purpose::Verify, now).await?
    else {
        return Err(link_invalid());
    };
    let browser = session::named(&state, &headers, COOKIE);
    let registered_here = match &browser {
        Some(browser) => holds::of_browser(&mut conn, browser, now)
            .await?
            .is_some_and(|h| h.account_id == Some(account_id)),
        None => false,
    };
    let account = store::by_id(&mut conn, account_id)
        .await?
        .ok_or_else(link_invalid)?;
    drop(conn);
    if !registered_here {
        // Checked before the link is used up, so a mistyped password can be corrected.
        let password = form.password.ok_or_else(password_required)?;
        confirm_password(&state, &account, password, &client, "password").await?;
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let Some((_, email)) = tokens::redeem(&mut tx, &form.token, Purpose::Verify, now).await? else {
        return Err(link_invalid());
    };
    if !store::mark_verified(&mut tx, account_id, &email, now).await? {
        return Err(link_invalid());
    }
    holds::release(&mut tx, account_id).await?;
    session::end_all(&mut tx, account_id).await?;
    store::log(&mut tx, account_id, Event::EmailVerified, &client, now).await?;
    store::log(&mut tx, account_id, Event::SignIn, &client, now).await?;
    let (token, session) = session::create(&mut tx, account_id, false, &client, now).await?;
    let account = store::by_id(&mut tx, account_id)
        .await?
        .ok_or_else(link_invalid)?;
    let mail = Mail::Welcome {
        first_name: &account.first_name,
        login: &account.login,
        account_link: &state.link("/account"),
    };
    state
        .mailer
        .queue(
            &mut tx,
            Some(account.id),
            &email,
            render(&mail, account.lang),
            now,
        )
        .await?;
    tx.commit().await?;
    state.mailer.wake();
    let mut response = signed_in(
        &state,
        StatusCode::OK,
        &token,
        false,
        session.view(&account),
    );
    // Its work is done; a cookie of another registration in this browser stays.
    if registered_here {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_named(&state, COOKIE, "", Some(0)),
        );
    }
    Ok(response)
}

fn no_registration() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::Unauthenticated,
        "this browser has no registration waiting for its address to be confirmed",
    ))
}

/// "Send the link again", from the page that says "check your e-mail": only the browser that
/// registered may ask (its `fk_registration` cookie), and it gets the same answer whether the
/// address was free (a new link) or had an account (its owner may be told again).
#[utoipa::path(post, path = "/api/account/verify/resend", tag = "account", security(("registration" = [])),
    responses(
        (status = 202, description = "The verification link was sent again", body = CheckEmail),
        (status = 429, description = "Sent too recently; `retry_after` says when", body = ApiError),
    ))]
async fn resend_verification(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let browser = session::named(&state, &headers, COOKIE).ok_or_else(no_registration)?;
    let now = state.clock.now();
    let hold = holds::of_browser(&mut *state.db.acquire().await?, &browser, now)
        .await?
        .ok_or_else(no_registration)?;
    let bucket = Bucket::VerifyMail.name(&hold.browser_hash[..32]);
    throttle::enforce(&state, &bucket, &VERIFY_RESEND, None).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    match hold.account_id {
        Some(id) => {
            let account = store::by_id(&mut tx, id)
                .await?
                .ok_or_else(no_registration)?;
            send_link(
                &state,
                &mut tx,
                account.id,
                &account.email,
                &account.first_name,
                account.lang,
                now,
            )
            .await?;
        }
        None => tell_owner(&state, &mut tx, &hold.email_key, now).await?,
    }
    throttle::record(&mut tx, &bucket, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok((StatusCode::ACCEPTED, Json(CheckEmail { email: hold.email })).into_response())
}
