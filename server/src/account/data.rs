//! Everything held about the user, at a glance (the overview's cards), as one file (the
//! download, at most once an hour), and gone (deleting the account, clause 5.2).
use std::collections::HashMap;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::choices::Choice;
use fk_api::account::data::{
    DataExport, DeleteRequest, ExportFormat, ExportProfile, ExportPromotions, Summary,
    EXPORT_EVERY_SECONDS, EXPORT_TRIES_PER_HOUR,
};
use fk_api::account::rules;
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::devices::Detail;
use super::store::{self, Account, Event};
use crate::auth::credentials::confirm_password;
use crate::auth::session::{self, account_gone, CurrentAccount};
use crate::auth::throttle::{self, Person};
use crate::client::Client;
use crate::clock::{mail_time, rfc3339};
use crate::commerce::{orders, promotions};
use crate::error::AppError;
use crate::mail::{render, Mail};
use crate::request::ApiJson;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(export))
        .routes(routes!(export_received))
        .routes(routes!(delete_account))
}

/// When the next download may be made, if not now.
fn next_export_at(account: &Account, now: i64) -> Option<i64> {
    account
        .last_export_at
        .map(|last| last + EXPORT_EVERY_SECONDS)
        .filter(|next| *next > now)
}

#[utoipa::path(get, path = "/api/account/summary", tag = "data", security(("session" = [])),
    responses((status = 200, description = "One number per card of the overview", body = Summary)))]
async fn summary(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let choices = crate::choices::store::current(&mut conn, account.id).await?;
    let summary = Summary {
        orders: orders::count_for(&mut conn, account.id).await?,
        promotions_joined: promotions::joined_count(&mut conn, account.id, now).await?,
        subscriptions_on: choices.count_on(&Choice::SUBSCRIPTIONS) as u32,
        privacy_on: choices.count_on(&Choice::PRIVACY) as u32,
        sessions: super::devices::sessions(&mut conn, account.id, session.id, now, Detail::Page)
            .await?
            .len() as u32,
        history_entries: super::consents::count(&mut conn, account.id).await?,
        next_export_at: next_export_at(&account, now).map(rfc3339),
    };
    Ok(Json(summary).into_response())
}

/// A new address waiting for its link to be opened.
async fn pending_email(
    conn: &mut AnyConnection,
    account_id: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT email FROM email_tokens WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(crate::auth::tokens::Purpose::ChangeEmail.code())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("email")).transpose()
}

/// Everything held about the account, gathered on the connection given.
pub async fn gather(
    conn: &mut AnyConnection,
    account: &Account,
    current_session: i64,
    policy_version: u32,
    now: i64,
) -> Result<DataExport, sqlx::Error> {
    let promotions = promotions::for_account(&mut *conn, account.id, account.lang, now).await?;
    Ok(DataExport {
        generated_at: rfc3339(now),
        policy_version,
        profile: ExportProfile {
            account: account.view(),
            email_verified_at: account.email_verified_at.map(rfc3339),
            pending_email: pending_email(&mut *conn, account.id, now).await?,
            last_export_at: account.last_export_at.map(rfc3339),
        },
        orders: orders::all_for(&mut *conn, account.id).await?,
        promotions: ExportPromotions {
            current: promotions.current,
            past: promotions.past,
        },
        choices: crate::choices::store::current(&mut *conn, account.id)
            .await?
            .choices,
        consents: super::consents::entries(&mut *conn, account.id).await?,
        cookie_receipts: crate::consent::store::for_account(&mut *conn, account.id).await?,
        sessions: super::devices::sessions(
            &mut *conn,
            account.id,
            current_session,
            now,
            Detail::Whole,
        )
        .await?,
        security_log: super::devices::security_log(&mut *conn, account.id, None, Detail::Whole)
            .await?,
        letters: crate::mail::letters_of(&mut *conn, account.id).await?,
        sign_in: crate::auth::methods::view(&mut *conn, account.id).await?,
    })
}

type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// `?format=json|html`; `json` when absent.
fn format_of(query: QueryMap) -> Result<ExportFormat, AppError> {
    let refused = || {
        AppError::bad_request(
            ApiError::new(ErrorCode::InvalidQuery, "format is json or html").with_field("format"),
        )
    };
    let Query(query) = query.map_err(|_| refused())?;
    match query.get("format") {
        None => Ok(ExportFormat::Json),
        Some(f) => ExportFormat::parse(f).ok_or_else(refused),
    }
}

/// Downloads begun (delivered or not) in the last hour: each is in the security log.
async fn recent_tries(
    conn: &mut AnyConnection,
    account_id: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(at) AS first FROM security_events WHERE account_id = $1 AND kind = $2 AND at > $3",
    )
    .bind(account_id)
    .bind(Event::DataExported.code())
    .bind(now - EXPORT_EVERY_SECONDS)
    .fetch_one(&mut *conn)
    .await?;
    let n: i64 = row.try_get("n")?;
    if n < EXPORT_TRIES_PER_HOUR {
        return Ok(0);
    }
    let first: Option<i64> = row.try_get("first")?;
    Ok(first
        .map_or(1, |first| first + EXPORT_EVERY_SECONDS - now)
        .max(1))
}

/// The download: everything held, as one JSON file or one page to read (`?format=html`),
/// made on request. It hands over everything held, so it needs a recent password like any
/// sensitive operation: a session left open on a shared computer is not enough; each one
/// begun is written to the security log.
///
/// One an hour, counted from a file that arrived: the browser says so once it holds the whole
/// file ([`export_received`]). Only the browser can know: the server's last byte leaves it
/// for buffers, a proxy and a phone's radio long before it is anywhere. So a download lost on
/// the way (the connection broke, the tab closed) does not lock the button, and the person can
/// simply try again. A download begun but never received still costs the server a full read
/// of the account, so at most [`EXPORT_TRIES_PER_HOUR`] may be begun in an hour, received or
/// not.
#[utoipa::path(post, path = "/api/account/export", tag = "data", security(("session" = [])),
    params(("format" = inline(Option<ExportFormat>), Query,
        description = "`json` (the default): for programs; `html`: one self-contained page to read in any browser, \
            in the account's language, with no script and nothing loaded from elsewhere")),
    responses(
        (status = 200, description = "Everything held about the user, as a file to save: `application/json` \
            (the schema below) or `text/html` (the same data, readable). The hourly limit counts the download once \
            the browser reports it received (`POST /api/account/export/received`)",
            content((DataExport = "application/json"), (String = "text/html")),
            headers(("content-disposition" = String, description = "attachment; filename=\"fortekassa-data-YYYY-MM-DD.json\" (or .html)"),
                ("cache-control" = String, description = "no-store"))),
        (status = 400, description = "`invalid_query`: `format` is neither `json` nor `html`", body = ApiError),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 429, description = "A file was delivered within the hour, or five downloads were begun in it; \
            `retry_after` says when the next may be made", body = ApiError),
    ))]
async fn export(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    query: QueryMap,
) -> Result<Response, AppError> {
    let format = format_of(query)?;
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let too_soon = |next: i64| AppError::too_many(u64::try_from(next - now).unwrap_or(1).max(1));
    if let Some(next) = next_export_at(&account, now) {
        return Err(too_soon(next));
    }
    let policy_version = crate::policy::prevailing_version(&state).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    throttle::hold_account(&mut tx, account.id).await?;
    // Read again under the lock: another tab's download may have been delivered meanwhile.
    let account = store::by_id(&mut tx, account.id).await?.unwrap_or(account);
    if let Some(next) = next_export_at(&account, now) {
        return Err(too_soon(next));
    }
    let wait = recent_tries(&mut tx, account.id, now).await?;
    if wait > 0 {
        return Err(too_soon(now + wait));
    }
    store::log(&mut tx, account.id, Event::DataExported, &client, now).await?;
    let data = gather(&mut tx, &account, session.id, policy_version, now).await?;
    tx.commit().await?;
    let body = match format {
        ExportFormat::Json => serde_json::to_vec_pretty(&data)
            .map_err(|e| AppError::Internal(format!("cannot write the export: {e}")))?,
        ExportFormat::Html => {
            let categories = state.cookie_config.current().config.categories.clone();
            fk_app::account::data::file::export_html(&data, account.lang, &categories).into_bytes()
        }
    };
    let date = rfc3339(now).get(..10).unwrap_or("export").to_string();
    let mut response = Body::from(body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    let disposition = format!("attachment; filename=\"{}\"", format.file_name(&date));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).expect("ASCII"),
    );
    if format == ExportFormat::Html {
        // Opened from this address rather than saved, the page may still run nothing.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(fk_app::account::data::file::CSP),
        );
    }
    Ok(response)
}

/// The browser holds the whole file of a download begun within the hour: the hour until the
/// next one starts now. Said by the page after saving the file; said with no download begun,
/// it changes nothing.
#[utoipa::path(post, path = "/api/account/export/received", tag = "data", security(("session" = [])),
    responses(
        (status = 204, description = "Counted: the next download may be made an hour from now \
            (if a download was begun within the last hour; otherwise nothing changes)"),
    ))]
async fn export_received(
    State(state): State<AppState>,
    CurrentAccount { account, .. }: CurrentAccount,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    throttle::hold_account(&mut tx, account.id).await?;
    sqlx::query(
        "UPDATE accounts SET last_export_at = $1 WHERE id = $2 AND EXISTS \
         (SELECT 1 FROM security_events WHERE account_id = $3 AND kind = $4 AND at > $5)",
    )
    .bind(now)
    .bind(account.id)
    .bind(account.id)
    .bind(Event::DataExported.code())
    .bind(now - EXPORT_EVERY_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Erases the account. Personal data goes from every table; orders and consent receipts,
/// which the service must keep, stay with no link to the person. The login and the address
/// become free again; every session and link stops working at once.
pub async fn erase(conn: &mut AnyConnection, account: &Account) -> Result<(), sqlx::Error> {
    let id = account.id;
    for table in ["orders", "consent_receipts"] {
        // Run-time SQL: the table names come from the list above; the id is bound.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET account_id = NULL WHERE account_id = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    // Letters waiting for (or kept a week after) delivery name the person, whatever address
    // they went to.
    sqlx::query("DELETE FROM mail_queue WHERE account_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for table in [
        "sessions",
        "email_tokens",
        "unsubscribe_tokens",
        "account_choices",
        "choice_events",
        "promotion_participations",
        "security_events",
        "policy_acceptances",
        "guardian_confirmations",
    ] {
        // Run-time SQL: the table names come from the list above; the id is bound.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE account_id = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    // Throttling counts whose names carry the account, its address or its login.
    let email_key = rules::email_key(&account.email);
    let person = Person {
        account_id: id,
        email_key: &email_key,
        login_key: &rules::login_key(&account.login),
    };
    throttle::forget(&mut *conn, &person).await?;
    super::holds::forget_address(&mut *conn, &email_key).await?;
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Unconfirmed accounts registered at or before `cutoff` (a week ago): all of them, or those
/// with this login or address.
pub async fn stale_unconfirmed(
    conn: &mut AnyConnection,
    cutoff: i64,
    keys: Option<(&str, &str)>,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = match keys {
        None => sqlx::query("SELECT id FROM accounts WHERE email_verified_at IS NULL AND created_at <= $1").bind(cutoff).fetch_all(&mut *conn).await?,
        Some((login_key, email_key)) => {
            sqlx::query("SELECT id FROM accounts WHERE email_verified_at IS NULL AND created_at <= $1 AND (login_key = $2 OR email_key = $3)")
                .bind(cutoff)
                .bind(login_key)
                .bind(email_key)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// Erases an account whose address was never confirmed, if it still is not. The row is locked
/// first, so a confirmation racing with this waits and then finds nothing: a confirmed account
/// is never erased this way. `true` when it was erased.
pub async fn erase_unconfirmed(tx: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query(
        "UPDATE accounts SET version = version WHERE id = $1 AND email_verified_at IS NULL",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if locked.rows_affected() != 1 {
        return Ok(false);
    }
    let Some(account) = store::by_id(tx, id).await? else {
        return Ok(false);
    };
    erase(tx, &account).await?;
    Ok(true)
}

/// "Удалить аккаунт" (5.2): the password on the page itself, throttled like sign-in; then
/// erased, signed out, and a last letter to the old address that is forgotten once sent.
#[utoipa::path(post, path = "/api/account/delete", tag = "data", security(("session" = [])), request_body = DeleteRequest,
    responses(
        (status = 204, description = "The account and its data are erased; the cookie is cleared"),
        (status = 401, description = "`invalid_credentials` (`field`: `password`): the password is wrong", body = ApiError),
        (status = 422, description = "`password_missing` (`field`: `password`): no password was sent", body = ApiError),
        (status = 429, description = "Too many wrong passwords; `retry_after` says when", body = ApiError),
    ))]
async fn delete_account(
    State(state): State<AppState>,
    CurrentAccount { account, .. }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<DeleteRequest>,
) -> Result<Response, AppError> {
    // Nothing typed is not a wrong password: said as such, and not counted as a failed attempt.
    fk_api::account::password::entered(&form.password, "password")?;
    confirm_password(&state, &account, form.password, &client, "password").await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Read again inside the transaction: the address may have changed since.
    let Some(account) = store::by_id(&mut tx, account.id).await? else {
        return Err(account_gone());
    };
    erase(&mut tx, &account).await?;
    let goodbye = Mail::AccountDeleted {
        first_name: &account.first_name,
        when: &mail_time(now, account.lang),
        policy_link: &state.link("/policy"),
    };
    state
        .mailer
        .queue_then_forget(&mut tx, &account.email, render(&goodbye, account.lang), now)
        .await?;
    tx.commit().await?;
    // Gone from disk too, not only from SQL; the goodbye letter's row goes once it is sent.
    crate::db::scrub(&state.db).await;
    state.mailer.wake();
    Ok((
        [(header::SET_COOKIE, session::clear_cookie(&state))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}
