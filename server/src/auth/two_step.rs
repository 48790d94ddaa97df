//! Two-step sign-in with an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s, one step of
//! drift either way) and its recovery codes: turning it on, off, new codes, and what the
//! second step of a sign-in checks. The app's secret is stored sealed (`sealing.rs`); a code is
//! accepted once (the newest accepted time step is kept, and only a later one passes); a
//! recovery code is stored as its SHA-256 and deleted when used.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::two_step::{
    parse_code, show_recovery_code, RecoveryCodes, TwoStepEnableRequest, TwoStepSetup, CODE_DIGITS,
    CODE_STEP, RECOVERY_ALPHABET, RECOVERY_CODES, RECOVERY_CODE_CHARS,
};
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use totp_rs::{Algorithm, TOTP};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::changes;
use super::session::CurrentAccount;
use super::throttle::{self, window, Backoff, Bucket, Window};
use super::tokens;
use crate::account::store::{Account, Event};
use crate::client::Client;
use crate::error::AppError;
use crate::mail::SecurityChange;
use crate::request::ApiJson;
use crate::AppState;

/// Bytes of a new secret: 160 bits, what RFC 4226 recommends for HMAC-SHA-1.
const SECRET_BYTES: usize = 20;
/// The issuer an authenticator app lists the account under.
const ISSUER: &str = "ForteKassa";
/// Wrong codes per account (at sign-in and when turning it on): like passwords, 5 free in 15
/// minutes, then a growing wait up to 15 minutes between attempts; never more than 100 in an
/// hour. The counts are read, the code checked and a wrong one counted in one transaction
/// that holds the account (`throttle::hold_account`), so requests sent all at once are
/// counted one after another.
pub const CODE_BACKOFF: Backoff = Backoff {
    seconds: 900,
    free: 5,
    base: 30,
    cap: 900,
};
pub const CODE_ACCOUNT: [Window; 1] = [window(3600, 100)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(renew_recovery_codes))
}

/// The throttle bucket of an account's second factor.
pub fn code_bucket(account_id: i64) -> String {
    Bucket::SecondStepAccount.name(account_id)
}

/// An account's authenticator app as stored: the opened secret, whether it is on, and the
/// newest time step whose code was accepted.
struct App {
    secret: Vec<u8>,
    enabled_at: Option<i64>,
    last_step: i64,
}

async fn app_of(
    state: &AppState,
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Option<App>, AppError> {
    let row =
        sqlx::query("SELECT secret, enabled_at, last_step FROM two_step WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let sealed: String = row.try_get("secret")?;
    let secret = state.secret_key.open(&sealed, account_id).ok_or_else(|| {
        // Another FK_SECRET_KEY than the one that sealed it: an operator's mistake that no
        // user can mend; said in the log, and the request fails.
        AppError::Internal(format!(
            "the authenticator secret of account {account_id} does not open with FK_SECRET_KEY"
        ))
    })?;
    Ok(Some(App {
        secret,
        enabled_at: row.try_get("enabled_at")?,
        last_step: row.try_get("last_step")?,
    }))
}

/// Whether the account signs in in two steps.
pub async fn is_on(conn: &mut AnyConnection, account_id: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS on_ FROM two_step WHERE account_id = $1 AND enabled_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

fn authenticator(secret: Vec<u8>, login: &str) -> TOTP {
    let step = CODE_STEP;
    let digits = CODE_DIGITS;
    TOTP::new(
        Algorithm::SHA1,
        digits,
        1,
        step,
        secret.clone(),
        Some(ISSUER.into()),
        login.into(),
    )
    // A login never holds ':' (the only thing `new` refuses besides a short secret).
    .unwrap_or_else(|_| {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            digits,
            1,
            step,
            secret,
            Some(ISSUER.into()),
            String::new(),
        )
    })
}

/// The time step whose code `code` is, among the one of `now` and its two neighbours, if it
/// is later than `after` (a code is good once).
pub fn matching_step(secret: &[u8], code: &str, now: i64, after: i64) -> Option<i64> {
    let totp = authenticator(secret.to_vec(), "");
    let current = now.max(0) / CODE_STEP as i64;
    let mut found = None;
    // Every candidate is computed and compared in constant time, whichever matches.
    for step in [current - 1, current, current + 1] {
        let candidate = totp.generate((step.max(0) as u64) * CODE_STEP);
        let same = constant_time_eq(candidate.as_bytes(), code.as_bytes());
        if same && step > after && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a code of the account's app that is on, and uses it up: `false` when it is wrong,
/// already used, or two-step sign-in is off. Two requests with the same code: one passes.
pub async fn use_code(
    state: &AppState,
    tx: &mut AnyConnection,
    account_id: i64,
    code: &str,
    now: i64,
) -> Result<bool, AppError> {
    let Some(app) = app_of(state, tx, account_id).await? else {
        return Ok(false);
    };
    if app.enabled_at.is_none() {
        return Ok(false);
    }
    let Some(step) = matching_step(&app.secret, code, now, app.last_step) else {
        return Ok(false);
    };
    let taken =
        sqlx::query("UPDATE two_step SET last_step = $1 WHERE account_id = $2 AND last_step < $1")
            .bind(step)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    Ok(taken.rows_affected() == 1)
}

/// Uses up one of the account's recovery codes (as [`fk_api::account::two_step::parse_recovery_code`]
/// reads it): `Some(codes left)` when it was one, else `None`.
pub async fn use_recovery_code(
    tx: &mut AnyConnection,
    account_id: i64,
    code: &str,
) -> Result<Option<u32>, sqlx::Error> {
    let deleted =
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1 AND code_hash = $2")
            .bind(account_id)
            .bind(tokens::hash(code))
            .execute(&mut *tx)
            .await?;
    if deleted.rows_affected() != 1 {
        return Ok(None);
    }
    Ok(Some(recovery_codes_left(tx, account_id).await?))
}

async fn recovery_codes_left(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<u32, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

/// Ten new recovery codes in place of the account's earlier ones; only their hashes are kept.
async fn new_recovery_codes(
    tx: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let code = recovery_code();
        if codes.contains(&code) {
            continue;
        }
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(tokens::hash(&code))
            .execute(&mut *tx)
            .await?;
        codes.push(code);
    }
    Ok(codes.iter().map(|c| show_recovery_code(c)).collect())
}

/// Ten characters drawn evenly from [`RECOVERY_ALPHABET`] (bytes at or over the largest
/// multiple of its length are drawn again, so no character is likelier than another).
fn recovery_code() -> String {
    let n = RECOVERY_ALPHABET.len();
    let limit = (256 / n * n) as u8;
    let mut code = String::with_capacity(RECOVERY_CODE_CHARS);
    while code.len() < RECOVERY_CODE_CHARS {
        let mut byte = [0u8; 1];
        getrandom::getrandom(&mut byte).expect("the operating system's random source works");
        if byte[0] < limit {
            code.push(RECOVERY_ALPHABET[usize::from(byte[0]) % n] as char);
        }
    }
    code
}

fn two_step_on() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::TwoStepOn,
        "two-step sign-in is already on",
    ))
}

fn two_step_off() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::TwoStepOff,
        "two-step sign-in is off",
    ))
}

pub fn code_wrong() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::CodeWrong,
            "this code is wrong or was already used",
        )
        .with_field("code"),
    )
}

pub fn recovery_code_wrong() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::RecoveryCodeWrong,
            "this is not an unused recovery code of the account",
        )
        .with_field("recovery_code"),
    )
}

/// Since when two-step sign-in is on (none: off), and how many recovery codes are left.
pub async fn status(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<(Option<i64>, u32), sqlx::Error> {
    let row = sqlx::query("SELECT enabled_at FROM two_step WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
    let since: Option<i64> = match row {
        Some(row) => row.try_get("enabled_at")?,
        None => None,
    };
    let left = match since {
        Some(_) => recovery_codes_left(conn, account_id).await?,
        None => 0,
    };
    Ok((since, left))
}

/// A new secret for the authenticator app, replacing a setup not confirmed yet. Nothing
/// changes at sign-in until a code from the app confirms it (`/two-step/enable`).
#[utoipa::path(post, path = "/api/account/two-step/setup", tag = "account", security(("session" = [])),
    responses(
        (status = 200, description = "The secret as text, as an `otpauth://` address and as a QR code", body = TwoStepSetup),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 409, description = "`two_step_on`: two-step sign-in is already on", body = ApiError),
    ))]
async fn setup(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
) -> Result<Json<TwoStepSetup>, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let mut secret = vec![0u8; SECRET_BYTES];
    getrandom::getrandom(&mut secret).expect("the operating system's random source works");
    let totp = authenticator(secret.clone(), &account.login);
    let mut tx = crate::db::begin_write(&state.db).await?;
    throttle::hold_account(&mut tx, account.id).await?;
    if is_on(&mut tx, account.id).await? {
        return Err(two_step_on());
    }
    sqlx::query("DELETE FROM two_step WHERE account_id = $1 AND enabled_at IS NULL")
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO two_step (account_id, secret, created_at, last_step) VALUES ($1, $2, $3, 0)",
    )
    .bind(account.id)
    .bind(state.secret_key.seal(&secret, account.id))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let base32 = totp.get_secret_base32();
    let uri = totp.get_url();
    Ok(Json(TwoStepSetup {
        secret: grouped(&base32),
        qr: super::qr::draw(&uri),
        uri,
    }))
}

/// `JBSW Y3DP …`: the secret in fours, as people copy it by hand.
fn grouped(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A code from the app confirms its setup: two-step sign-in is on, and ten recovery codes are
/// made and shown this once.
#[utoipa::path(post, path = "/api/account/two-step/enable", tag = "account", security(("session" = [])), request_body = TwoStepEnableRequest,
    responses(
        (status = 200, description = "Two-step sign-in is on; the recovery codes, shown this once", body = RecoveryCodes),
        (status = 401, description = "`code_wrong` (field `code`): not the app's code now", body = ApiError),
        (status = 409, description = "`two_step_off`: no setup was started; `two_step_on`: it is already on", body = ApiError),
        (status = 422, description = "`code_required` or `code_invalid` (field `code`): not six digits", body = ApiError),
        (status = 429, description = "Too many wrong codes; `retry_after` says when", body = ApiError),
    ))]
async fn enable(
    State(state): State<AppState>,
    CurrentAccount { account, .. }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<TwoStepEnableRequest>,
) -> Result<Json<RecoveryCodes>, AppError> {
    let code = parse_code(&form.code)?;
    let now = state.clock.now();
    // No recent password here: the setup asked for one, and the code proves that whoever
    // confirms has the secret it showed. Someone who takes longer than ten minutes to install
    // an app must not have to start over with a new secret.
    let bucket = code_bucket(account.id);
    let mut tx = crate::db::begin_write(&state.db).await?;
    throttle::hold_account(&mut tx, account.id).await?;
    throttle::enforce_in(&mut tx, &bucket, now, &CODE_ACCOUNT, Some(CODE_BACKOFF)).await?;
    let app = app_of(&state, &mut tx, account.id)
        .await?
        .ok_or_else(two_step_off)?;
    if app.enabled_at.is_some() {
        return Err(two_step_on());
    }
    let Some(step) = matching_step(&app.secret, &code, now, app.last_step) else {
        throttle::record(&mut tx, &bucket, now).await?;
        tx.commit().await?;
        return Err(code_wrong());
    };
    // Only a setup still waiting is turned on: never one made anew meanwhile elsewhere.
    let turned_on = sqlx::query("UPDATE two_step SET enabled_at = $1, last_step = $2 WHERE account_id = $3 AND enabled_at IS NULL")
        .bind(now)
        .bind(step)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    if turned_on.rows_affected() != 1 {
        return Err(two_step_on());
    }
    let codes = new_recovery_codes(&mut tx, account.id).await?;
    changes::record(
        &state,
        &mut tx,
        &account,
        Event::TwoStepOn,
        SecurityChange::TwoStepOn,
        &client,
        now,
    )
    .await?;
    throttle::clear(&mut tx, &bucket).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok(Json(RecoveryCodes { codes }))
}

/// Back to the password alone: the secret and the recovery codes are deleted.
#[utoipa::path(post, path = "/api/account/two-step/disable", tag = "account", security(("session" = [])),
    responses(
        (status = 204, description = "Two-step sign-in is off; its secret and recovery codes are deleted"),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 409, description = "`two_step_off`: it was not on", body = ApiError),
    ))]
async fn disable(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    if !is_on(&mut tx, account.id).await? {
        return Err(two_step_off());
    }
    erase(&mut tx, account.id).await?;
    changes::record(
        &state,
        &mut tx,
        &account,
        Event::TwoStepOff,
        SecurityChange::TwoStepOff,
        &client,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes the account's app secret, recovery codes and waiting second steps.
pub async fn erase(tx: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    for delete in [
        "DELETE FROM two_step WHERE account_id = $1",
        "DELETE FROM recovery_codes WHERE account_id = $1",
        "DELETE FROM second_steps WHERE account_id = $1",
    ] {
        sqlx::query(delete)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Ten new recovery codes; the earlier ones stop working.
#[utoipa::path(post, path = "/api/account/recovery-codes", tag = "account", security(("session" = [])),
    responses(
        (status = 200, description = "The new recovery codes, shown this once; the earlier ones no longer work", body = RecoveryCodes),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 409, description = "`two_step_off`: two-step sign-in is off", body = ApiError),
    ))]
async fn renew_recovery_codes(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
) -> Result<Json<RecoveryCodes>, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    if !is_on(&mut tx, account.id).await? {
        return Err(two_step_off());
    }
    let codes = new_recovery_codes(&mut tx, account.id).await?;
    let change = SecurityChange::RecoveryCodesRenewed;
    changes::record(
        &state,
        &mut tx,
        &account,
        Event::RecoveryCodesRenewed,
        change,
        &client,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok(Json(RecoveryCodes { codes }))
}

/// A recovery code was used at sign-in: logged, and the owner told how many remain.
pub async fn record_recovery_code_used(
    state: &AppState,
    tx: &mut AnyConnection,
    account: &Account,
    left: u32,
    client: &Client,
    now: i64,
) -> Result<(), AppError> {
    let change = SecurityChange::RecoveryCodeUsed { left };
    changes::record(
        state,
        tx,
        account,
        Event::RecoveryCodeUsed,
        change,
        client,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_rfc_6238_and_allow_one_step_of_drift() {
        // RFC 6238, appendix B (SHA-1, the last 6 of 8 digits): T = 59 gives 94287082.
        assert_eq!(matching_step(SECRET, "287082", 59, 0), Some(1));
        // 1111111109 gives 07081804: accepted 30 s early or late, not 60.
        assert_eq!(
            matching_step(SECRET, "081804", 1_111_111_109, 0),
            Some(37_037_036)
        );
        assert!(matching_step(SECRET, "081804", 1_111_111_109 + 30, 0).is_some());
        assert!(matching_step(SECRET, "081804", 1_111_111_109 - 30, 0).is_some());
        assert_eq!(matching_step(SECRET, "081804", 1_111_111_109 + 60, 0), None);
        assert_eq!(matching_step(SECRET, "081805", 1_111_111_109, 0), None);
    }

    #[test]
    fn a_code_is_good_once() {
        let step = matching_step(SECRET, "081804", 1_111_111_109, 0).unwrap();
        assert_eq!(matching_step(SECRET, "081804", 1_111_111_109, step), None);
        assert_eq!(
            matching_step(SECRET, "081804", 1_111_111_109, step - 1),
            Some(step)
        );
    }

    #[test]
    fn recovery_codes_are_ten_characters_of_the_alphabet() {
        for _ in 0..50 {
            let code = recovery_code();
            assert_eq!(code.len(), RECOVERY_CODE_CHARS);
            assert_eq!(
                fk_api::account::two_step::parse_recovery_code(&show_recovery_code(&code)).unwrap(),
                code
            );
        }
        assert_ne!(recovery_code(), recovery_code());
    }

    #[test]
    fn the_secret_is_shown_in_fours() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
    }
}
