//! Signing in with a passkey, no login typed: the browser offers the passkeys it holds for this
//! site (in the login field's suggestions where it can, or in its dialog), and the one chosen
//! says whose it is. A passkey verifies its user (PIN or biometrics), so it opens a session
//! without the second step, and counts as a password just given. In a session, one of the
//! account's passkeys confirms a sensitive operation in place of the password.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use fk_api::account::passkeys::{PasskeyChallenge, PasskeyConfirmRequest, PasskeySignInRequest};
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::SessionView;
use fk_api::{ApiError, ErrorCode};
use sqlx::AnyConnection;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PublicKeyCredential,
};

use super::passkeys::{
    begin, credential_key, parse_stored, passkey_invalid, stored, take, Ceremony, RelyingParty,
};
use super::session::{self, CurrentAccount};
use super::sign_in::open_session;
use super::signed_in;
use super::throttle::{self, window, Bucket, Window};
use crate::account::store;
use crate::client::Client;
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

/// Passkey sign-ins begun from one address: each keeps a row for five minutes, and every
/// visit of the sign-in page begins one (for the login field's suggestions), so the limit
/// leaves room for an office behind one address.
const BEGUN_PER_IP: [Window; 1] = [window(900, 300)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in_options))
        .routes(routes!(sign_in))
        .routes(routes!(confirm_options))
        .routes(routes!(confirm))
}

fn unknown() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::PasskeyUnknown,
            "this passkey is not registered here: it may have been removed",
        )
        .with_field("credential"),
    )
}

#[utoipa::path(post, path = "/api/account/sign-in/passkey/options", tag = "account",
    responses(
        (status = 200, description = "`options.publicKey` for `navigator.credentials.get()` (WebAuthn JSON, binary fields in base64url, no credentials listed: \
            the browser offers the ones it holds), with `options.mediation` `conditional` for the login field's suggestions; `challenge_id` finishes it at \
            `POST /api/account/sign-in/passkey` within 5 minutes", body = PasskeyChallenge),
        (status = 429, description = "Too many begun from this address; `retry_after` says when", body = ApiError),
    ))]
async fn sign_in_options(
    State(state): State<AppState>,
    client: Client,
) -> Result<Json<PasskeyChallenge>, AppError> {
    let bucket = Bucket::PasskeyIp.name(&client.address_key);
    throttle::enforce(&state, &bucket, &BEGUN_PER_IP, None).await?;
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let (options, authentication) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| AppError::Internal(format!("WebAuthn authentication: {e}")))?;
    let options = serde_json::to_value(&options).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    throttle::record(&mut tx, &bucket, now).await?;
    let challenge_id = begin(&mut tx, Ceremony::SignIn, &authentication, now).await?;
    tx.commit().await?;
    Ok(Json(PasskeyChallenge {
        challenge_id,
        options,
    }))
}

#[utoipa::path(post, path = "/api/account/sign-in/passkey", tag = "account", request_body = PasskeySignInRequest,
    responses(
        (status = 200, description = "Signed in (the session cookie is set; the password counts as just given): `next` is `session`", body = SignInOutcome),
        (status = 401, description = "`passkey_unknown` (field `credential`): no account here holds this passkey", body = ApiError),
        (status = 409, description = "`passkey_challenge_expired`: no such sign-in begun in the last 5 minutes, or it was answered already", body = ApiError),
        (status = 422, description = "`passkey_invalid` (field `credential`): not a WebAuthn assertion, or one that fails its checks (origin, challenge, signature, user verification)", body = ApiError),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    ApiJson(form): ApiJson<PasskeySignInRequest>,
) -> Result<Response, AppError> {
    let credential: PublicKeyCredential =
        serde_json::from_value(form.credential).map_err(passkey_invalid)?;
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let authentication: DiscoverableAuthentication =
        take(&mut conn, &form.challenge_id, Ceremony::SignIn, now).await?;
    let (handle, credential_id) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(passkey_invalid)?;
    let row = sqlx::query(
        "SELECT id, account_id, user_handle, passkey FROM passkeys WHERE credential_id = $1",
    )
    .bind(credential_key(credential_id))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(unknown)?;
    // The handle the authenticator keeps must be the one the passkey was made with: a
    // credential ID of one account shown with another's handle is not that passkey.
    if row.try_get::<String, _>("user_handle")? != handle.to_string() {
        return Err(unknown());
    }
    let passkey_id: String = row.try_get("id")?;
    let mut passkey = parse_stored(&row.try_get::<String, _>("passkey")?)?;
    let result = webauthn
        .finish_discoverable_authentication_v2(&credential, authentication, &passkey)
        .map_err(passkey_invalid)?;
    let account = store::by_id(&mut conn, row.try_get("account_id")?)
        .await?
        .filter(|a| a.email_verified_at.is_some())
        .ok_or_else(unknown)?;
    drop(conn);
    let mut tx = crate::db::begin_write(&state.db).await?;
    mark_used(&mut tx, &passkey_id, &mut passkey, &result, now).await?;
    let (token, session) = open_session(
        &state,
        tx,
        &account,
        form.remember,
        Some(&passkey_id),
        &client,
        now,
    )
    .await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        form.remember,
        SignInOutcome::Session(session.view(&account)),
    ))
}

/// After a passkey was used: its counter as the authenticator reported it, and when.
async fn mark_used(
    conn: &mut AnyConnection,
    id: &str,
    passkey: &mut Passkey,
    result: &AuthenticationResult,
    now: i64,
) -> Result<(), AppError> {
    passkey.update_credential(result);
    let stored = serde_json::to_string(&passkey).map_err(|e| AppError::Internal(e.to_string()))?;
    let updated = sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(stored)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // Removed while its answer was being checked: it signs in no more.
    if updated.rows_affected() != 1 {
        return Err(unknown());
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/account/reauth/passkey/options", tag = "account", security(("session" = [])),
    responses(
        (status = 200, description = "`options.publicKey` for `navigator.credentials.get()`, listing the account's passkeys; `challenge_id` finishes it at \
            `POST /api/account/reauth/passkey` within 5 minutes, in this session", body = PasskeyChallenge),
        (status = 404, description = "`not_found`: the account has no passkeys", body = ApiError),
    ))]
async fn confirm_options(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
) -> Result<Json<PasskeyChallenge>, AppError> {
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let passkeys: Vec<Passkey> = stored(&mut tx, account.id)
        .await?
        .into_iter()
        .map(|p| p.passkey)
        .collect();
    if passkeys.is_empty() {
        return Err(AppError::Client(ApiError::new(
            ErrorCode::NotFound,
            "the account has no passkeys",
        )));
    }
    let (options, authentication) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|e| AppError::Internal(format!("WebAuthn authentication: {e}")))?;
    let options = serde_json::to_value(&options).map_err(|e| AppError::Internal(e.to_string()))?;
    let ceremony = Ceremony::Confirm {
        session_id: session.id,
    };
    let challenge_id = begin(&mut tx, ceremony, &authentication, now).await?;
    tx.commit().await?;
    Ok(Json(PasskeyChallenge {
        challenge_id,
        options,
    }))
}

/// A passkey of the account in place of the password: the next 10 minutes' sensitive
/// operations go through, as after `POST /api/account/reauth`.
#[utoipa::path(post, path = "/api/account/reauth/passkey", tag = "account", security(("session" = [])), request_body = PasskeyConfirmRequest,
    responses(
        (status = 200, description = "Confirmed for the next 10 minutes (a new session cookie is set)", body = SessionView),
        (status = 409, description = "`passkey_challenge_expired`: no such request of this session in the last 5 minutes, or it was answered already", body = ApiError),
        (status = 422, description = "`passkey_invalid` (field `credential`): not a WebAuthn assertion by one of the account's passkeys, or one that fails its checks", body = ApiError),
    ))]
async fn confirm(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    ApiJson(form): ApiJson<PasskeyConfirmRequest>,
) -> Result<Response, AppError> {
    let credential: PublicKeyCredential =
        serde_json::from_value(form.credential).map_err(passkey_invalid)?;
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let now = state.clock.now();
    let ceremony = Ceremony::Confirm {
        session_id: session.id,
    };
    let mut conn = state.db.acquire().await?;
    let authentication: PasskeyAuthentication =
        take(&mut conn, &form.challenge_id, ceremony, now).await?;
    let result = webauthn
        .finish_passkey_authentication(&credential, &authentication)
        .map_err(passkey_invalid)?;
    let mut used = stored(&mut conn, account.id)
        .await?
        .into_iter()
        .find(|p| p.passkey.cred_id() == result.cred_id())
        .ok_or_else(|| passkey_invalid("not a passkey of this account"))?;
    mark_used(&mut conn, &used.id, &mut used.passkey, &result, now).await?;
    drop(conn);
    let (token, session) = session::reauthenticate(&state.db, &session, now).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        &token,
        session.remember,
        session.view(&account),
    ))
}
