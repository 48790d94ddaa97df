//! Editing what registration gave (clause 5.1): the profile, the e-mail address (re-checked
//! by a link to the new one, announced to the old one) and the password.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::activity::GuardianConfirmed;
use fk_api::account::choices::{Choice, ChoiceSource};
use fk_api::account::profile::{EmailChangeRequest, PasswordChangeRequest, ProfileUpdate};
use fk_api::account::{is_token, rules, AccountView, CheckEmail, VerifyRequest};
use fk_api::{ApiError, ErrorCode, Lang};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, Event};
use crate::auth::credentials::confirm_password;
use crate::auth::session::{CurrentAccount, Session};
use crate::auth::throttle::{self, window, Bucket, Window};
use crate::auth::tokens::{self, link_invalid, Purpose};
use crate::client::Client;
use crate::clock::mail_time;
use crate::error::AppError;
use crate::mail::{render, Mail};
use crate::request::ApiJson;
use crate::AppState;

/// Change-of-address letters per account: each sends two letters, one to a stranger's box
/// if the address is mistyped.
const EMAIL_CHANGE: [Window; 2] = [window(600, 3), window(86_400, 10)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_profile))
        .routes(routes!(request_email_change))
        .routes(routes!(confirm_email_change))
        .routes(routes!(change_password))
}

fn stale() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::StaleData,
            "the profile was changed elsewhere since this form was loaded; reload it",
        )
        .with_field("version"),
    )
}

/// Saves the profile if nobody saved it since the form was loaded (`version`): two tabs never
/// silently overwrite each other. Removing the phone also ends the SMS subscription it fed.
#[utoipa::path(put, path = "/api/account/profile", tag = "profile", security(("session" = [])), request_body = ProfileUpdate,
    responses(
        (status = 200, description = "Saved; the account as it is now, with its new `version`", body = AccountView),
        (status = 409, description = "`stale_data`: the profile changed elsewhere since `version` was read", body = ApiError),
    ))]
async fn update_profile(
    State(state): State<AppState>,
    session: Session,
    ApiJson(form): ApiJson<ProfileUpdate>,
) -> Result<Response, AppError> {
    if let Some(first) = form.validate(state.clock.year()).into_iter().next() {
        return Err(first.into());
    }
    let phone = rules::phone(&form.phone)?;
    let lang = Lang::parse(&form.lang).map_err(AppError::bad_request)?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Whether the permission is given now for the first time: the consent history records it.
    let given_before = sqlx::query("SELECT guardian_consent FROM accounts WHERE id = $1")
        .bind(session.account_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<i32, _>("guardian_consent"))
        .transpose()?
        .is_some_and(|given| given != 0);
    let saved = sqlx::query(
        "UPDATE accounts SET first_name = $1, birth_year = $2, gender = $3, phone = $4, lang = $5, guardian_consent = $6, version = version + 1 \
         WHERE id = $7 AND version = $8",
    )
    .bind(form.first_name.trim())
    .bind(form.birth_year.unwrap_or_default())
    .bind(form.gender.code())
    .bind(phone.as_deref())
    .bind(lang.code())
    .bind(i32::from(form.guardian_consent))
    .bind(session.account_id)
    .bind(form.version)
    .execute(&mut *tx)
    .await?;
    if saved.rows_affected() != 1 {
        return Err(stale());
    }
    if form.guardian_consent && !given_before {
        store::record_guardian(&mut tx, session.account_id, GuardianConfirmed::Profile, now)
            .await?;
    }
    if phone.is_none() {
        crate::choices::store::set(
            &mut tx,
            session.account_id,
            Choice::NewsSms,
            false,
            ChoiceSource::Account,
            now,
        )
        .await?;
    }
    let account = store::by_id(&mut tx, session.account_id)
        .await?
        .ok_or_else(stale)?;
    tx.commit().await?;
    Ok(Json(account.view()).into_response())
}

/// A new address: needs the password within the last minutes. The link goes to the new
/// address; the old one is told, and stays in force until the link is opened. The answer is
/// the same whether or not another account has the new address (that is told only to whoever
/// opens the link, that is, the owner of that address).
#[utoipa::path(post, path = "/api/account/email", tag = "profile", security(("session" = [])), request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "A confirmation link went to the new address; the old one stays until it is opened", body = CheckEmail),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 429, description = "Too many requests; `retry_after` says when", body = ApiError),
    ))]
async fn request_email_change(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<EmailChangeRequest>,
) -> Result<Response, AppError> {
    session.require_recent_auth(state.clock.now())?;
    rules::email(&form.email)?;
    let new_email = form.email.trim();
    if rules::email_key(new_email) == rules::email_key(&account.email) {
        return Err(AppError::Client(
            ApiError::new(
                ErrorCode::EmailUnchanged,
                "this is already the account's address",
            )
            .with_field("email"),
        ));
    }
    let bucket = Bucket::EmailChange.name(account.id);
    throttle::enforce(&state, &bucket, &EMAIL_CHANGE, None).await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Only the newest request's link works: an older one may point to a mistyped address.
    tokens::revoke_all(&mut tx, account.id, Purpose::ChangeEmail, now).await?;
    let token = tokens::issue(&mut tx, account.id, Purpose::ChangeEmail, new_email, now).await?;
    let confirm = Mail::EmailChangeConfirm {
        first_name: &account.first_name,
        new_email,
        link: &state.link(&format!("/account/email/confirm#token={token}")),
    };
    state
        .mailer
        .queue(
            &mut tx,
            Some(account.id),
            new_email,
            render(&confirm, account.lang),
            now,
        )
        .await?;
    let notice = Mail::EmailChangeNotice {
        first_name: &account.first_name,
        new_email,
        when: &mail_time(now, account.lang),
        recover_link: &state.link("/account/recover"),
    };
    state
        .mailer
        .queue_to(&mut tx, &account, &notice, now)
        .await?;
    store::log(
        &mut tx,
        account.id,
        Event::EmailChangeRequested,
        &client,
        now,
    )
    .await?;
    throttle::record(&mut tx, &bucket, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(CheckEmail {
            email: new_email.to_string(),
        }),
    )
        .into_response())
}

fn email_taken() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::EmailTaken,
            "another account uses this address now",
        )
        .with_field("email"),
    )
}

/// The link from the new address: it proves the address, so it works in any browser, signed
/// in or not. The new address becomes the account's, confirmed. A password change, a reset or
/// ending the other sessions cancels a pending change.
#[utoipa::path(post, path = "/api/account/email/confirm", tag = "profile", request_body = VerifyRequest,
    responses(
        (status = 200, description = "The new address is in force", body = CheckEmail),
        (status = 404, description = "`link_invalid`: the link is unknown, used or expired", body = ApiError),
        (status = 409, description = "`email_taken`: another account took the address meanwhile", body = ApiError),
    ))]
async fn confirm_email_change(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<VerifyRequest>,
) -> Result<Response, AppError> {
    if !is_token(&form.token) {
        return Err(link_invalid());
    }
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let Some((account_id, new_email)) =
        tokens::redeem(&mut tx, &form.token, Purpose::ChangeEmail, now).await?
    else {
        return Err(link_invalid());
    };
    let key = rules::email_key(&new_email);
    if store::by_email_key(&mut tx, &key)
        .await?
        .is_some_and(|other| other.id != account_id)
    {
        return Err(email_taken());
    }
    let changed = sqlx::query("UPDATE accounts SET email = $1, email_key = $2, email_verified_at = $3, version = version + 1 WHERE id = $4")
        .bind(&new_email)
        .bind(&key)
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await;
    match changed {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(email_taken()),
        Err(e) => return Err(e.into()),
        Ok(done) if done.rows_affected() != 1 => return Err(link_invalid()),
        Ok(_) => {}
    }
    // A reset or verification link mailed to the old address (which someone else may read)
    // must not act on the account at its new one.
    tokens::revoke_every(&mut tx, account_id, now).await?;
    crate::choices::unsubscribe::revoke_all(&mut tx, account_id).await?;
    store::log(&mut tx, account_id, Event::EmailChanged, &client, now).await?;
    tx.commit().await?;
    // Only the address: whoever holds the link (a mistyped address reaches a stranger) learns
    // nothing else about the account.
    Ok(Json(CheckEmail { email: new_email }).into_response())
}

/// A new password given the current one (throttled like sign-in). Other sessions end if the
/// user asks; the owner is told by e-mail either way.
#[utoipa::path(post, path = "/api/account/password", tag = "profile", security(("session" = [])), request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "The password is changed"),
        (status = 429, description = "Too many wrong passwords; `retry_after` says when", body = ApiError),
    ))]
async fn change_password(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<PasswordChangeRequest>,
) -> Result<Response, AppError> {
    confirm_password(
        &state,
        &account,
        form.current_password,
        &client,
        "current_password",
    )
    .await?;
    let now = state.clock.now();
    fk_api::account::password::check(
        &form.new_password,
        &account.login,
        &account.email,
        &state.common_passwords,
    )
    .map_err(|e| e.with_field("new_password"))?;
    let hash = state.hasher.hash(form.new_password).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    store::set_password(&mut tx, account.id, &hash).await?;
    // A reset link mailed before the change must not undo it, nor a pending change of address
    // or a sign-in waiting for its second step, begun by whoever knew the old password.
    tokens::revoke_all(&mut tx, account.id, Purpose::Reset, now).await?;
    tokens::revoke_all(&mut tx, account.id, Purpose::ChangeEmail, now).await?;
    crate::auth::session::end_waiting_sign_ins(&mut tx, account.id).await?;
    if form.end_other_sessions {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
            .bind(account.id)
            .bind(session.id)
            .execute(&mut *tx)
            .await?;
    }
    store::log(&mut tx, account.id, Event::PasswordChanged, &client, now).await?;
    let mail = Mail::PasswordChanged {
        first_name: &account.first_name,
        when: &mail_time(now, account.lang),
        others_ended: form.end_other_sessions,
        recover_link: &state.link("/account/recover"),
    };
    state.mailer.queue_to(&mut tx, &account, &mail, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok(StatusCode::NO_CONTENT.into_response())
}
