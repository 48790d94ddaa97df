//! What the user agreed to: the policy editions they accepted (and the notice of a newer one,
//! clauses 8.2–8.4), and the consent history — editions, cookie receipts recorded while
//! signed in, subscription and privacy changes — newest first.
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::activity::{
    AcceptedHow, GuardianConfirmed, History, HistoryEntry, HistoryEvent,
};
use fk_api::account::data::{AcknowledgeRequest, PolicyStatus};
use fk_api::{ApiError, ErrorCode, Lang};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::session::{CurrentAccount, Session};
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(policy_status))
        .routes(routes!(acknowledge))
        .routes(routes!(history))
}

/// The edition last accepted against the current (Russian, prevailing) one.
#[utoipa::path(get, path = "/api/account/policy", tag = "data", security(("session" = [])),
    responses((status = 200, description = "The version the user last accepted, and the current one", body = PolicyStatus)))]
pub async fn policy_status(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    Ok(Json(status(&state, session.account_id).await?).into_response())
}

async fn status(state: &AppState, account_id: i64) -> Result<PolicyStatus, AppError> {
    let accepted = sqlx::query("SELECT version, accepted_at FROM policy_acceptances WHERE account_id = $1 ORDER BY version DESC, id DESC LIMIT 1")
        .bind(account_id)
        .fetch_optional(&state.db)
        .await?;
    let (accepted_version, accepted_at) = match accepted {
        Some(r) => (
            r.try_get::<i64, _>("version")?,
            r.try_get::<i64, _>("accepted_at")?,
        ),
        None => (0, 0),
    };
    let current = crate::policy::prevailing(&state.db).await?;
    Ok(PolicyStatus {
        accepted_version: u32::try_from(accepted_version).unwrap_or_default(),
        accepted_at: rfc3339(accepted_at),
        current_version: current.as_ref().map_or(0, |c| c.version),
        current_published_at: current.map(|c| rfc3339(c.effective_at)).unwrap_or_default(),
    })
}

/// "I have read it": recorded like the acceptance at registration, with how it was given.
/// Only the current edition can be acknowledged (a stale page gets told to reload).
#[utoipa::path(post, path = "/api/account/policy/acknowledge", tag = "data", security(("session" = [])), request_body = AcknowledgeRequest,
    responses(
        (status = 200, description = "Recorded (again is a no-op)", body = PolicyStatus),
        (status = 409, description = "`unknown_version`: not the current version", body = ApiError),
    ))]
async fn acknowledge(
    State(state): State<AppState>,
    CurrentAccount { account, .. }: CurrentAccount,
    ApiJson(form): ApiJson<AcknowledgeRequest>,
) -> Result<Response, AppError> {
    let current = crate::policy::prevailing_version(&state).await?;
    if form.version != current {
        return Err(AppError::conflict(
            ApiError::new(
                ErrorCode::UnknownVersion,
                format!("the current version is {current}"),
            )
            .with_field("version"),
        ));
    }
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let already = sqlx::query(
        "SELECT 1 AS seen FROM policy_acceptances WHERE account_id = $1 AND version = $2",
    )
    .bind(account.id)
    .bind(i64::from(current))
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !already {
        sqlx::query("INSERT INTO policy_acceptances (account_id, version, lang, accepted_at, how) VALUES ($1, $2, $3, $4, $5)")
            .bind(account.id)
            .bind(i64::from(current))
            .bind(account.lang.code())
            .bind(now)
            .bind(AcceptedHow::Acknowledged.code())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(status(&state, account.id).await?).into_response())
}

#[utoipa::path(get, path = "/api/account/history", tag = "data", security(("session" = [])),
    responses((status = 200, description = "The consent history, newest first", body = History)))]
async fn history(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(History {
        entries: entries(&mut conn, session.account_id).await?,
    })
    .into_response())
}

/// How many entries the history has (the overview's card): counted, not read.
pub async fn count(conn: &mut AnyConnection, account_id: i64) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    for table in [
        "policy_acceptances",
        "consent_receipts",
        "choice_events",
        "guardian_confirmations",
    ] {
        // Run-time SQL: the table names come from the list above; the id is bound.
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE account_id = $1"
        )))
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
        total += u64::try_from(n).unwrap_or_default();
    }
    Ok(total)
}

/// Every entry of the consent history, newest first.
pub async fn entries(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    // Choice changes first, then cookie receipts, then policy editions: within one second,
    // that is the likelier order of events (acceptance at registration comes before all else).
    let mut entries: Vec<HistoryEntry> =
        crate::choices::store::history(&mut *conn, account_id).await?;
    let receipts = sqlx::query("SELECT consent_id, categories, policy_version, gpc, recorded_at FROM consent_receipts WHERE account_id = $1 ORDER BY id DESC")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in &receipts {
        let at: i64 = r.try_get("recorded_at")?;
        let categories: String = r.try_get("categories")?;
        let event = HistoryEvent::Cookies {
            consent_id: r.try_get("consent_id")?,
            categories: categories
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            policy_version: u32::try_from(r.try_get::<i64, _>("policy_version")?)
                .unwrap_or_default(),
            gpc: r.try_get::<i64, _>("gpc")? != 0,
        };
        entries.push(HistoryEntry {
            at: rfc3339(at),
            event,
        });
    }
    let policies = sqlx::query("SELECT version, lang, accepted_at, how FROM policy_acceptances WHERE account_id = $1 ORDER BY id DESC")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in &policies {
        let at: i64 = r.try_get("accepted_at")?;
        let event = HistoryEvent::Policy {
            version: u32::try_from(r.try_get::<i64, _>("version")?).unwrap_or_default(),
            lang: Lang::from_code(&r.try_get::<String, _>("lang")?).unwrap_or_default(),
            how: AcceptedHow::from_code(&r.try_get::<String, _>("how")?)
                .unwrap_or(AcceptedHow::Registration),
        };
        entries.push(HistoryEntry {
            at: rfc3339(at),
            event,
        });
    }
    let guardians = sqlx::query("SELECT place, confirmed_at FROM guardian_confirmations WHERE account_id = $1 ORDER BY id DESC")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in &guardians {
        let at: i64 = r.try_get("confirmed_at")?;
        let place = GuardianConfirmed::from_code(&r.try_get::<String, _>("place")?)
            .unwrap_or(GuardianConfirmed::Registration);
        entries.push(HistoryEntry {
            at: rfc3339(at),
            event: HistoryEvent::Guardian { place },
        });
    }
    // Newest first. Every `at` is UTC RFC 3339 of one fixed shape, so text order is time
    // order; the sort is stable and each source is read newest first, so entries of the same
    // second stay newest first within their source.
    entries.sort_by(|a, b| b.at.cmp(&a.at));
    Ok(entries)
}
