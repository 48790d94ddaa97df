//! Passkeys (WebAuthn, by `webauthn-rs`): the site's name for them (the relying party, from
//! `FK_PUBLIC_URL`), the first halves of ceremonies waiting in the database, and an account's
//! passkeys: adding one, renaming, removing, and what the page lists. Signing in with one is
//! `passkey_sign_in.rs`.
//!
//! A passkey is discoverable (it holds the account's random user handle), so signing in needs
//! no login typed, and needs user verification (the device's PIN or biometrics): it stands for
//! two steps at once.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use fk_api::account::passkeys::{
    parse_name, AddPasskeyRequest, PasskeyChallenge, PasskeyView, RenamePasskeyRequest,
    CHALLENGE_SECONDS,
};
use fk_api::{ApiError, ErrorCode};
use sqlx::{AnyConnection, Row};
use utoipa_axum::{router::OpenApiRouter, routes};
use webauthn_rs::prelude::{
    CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use super::changes::record;
use super::session::CurrentAccount;
use super::tokens;
use crate::account::store::Event;
use crate::client::Client;
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::mail::SecurityChange;
use crate::request::ApiJson;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_options))
        .routes(routes!(add))
        .routes(routes!(rename, remove))
}

/// Where passkeys work: the relying party ID (a host name) and the page origin the browser
/// reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
}

impl RelyingParty {
    /// The site's name for passkeys, from its public address. WebAuthn takes no IP address as a
    /// site's name, so a loopback address (the development default, `http://127.0.0.1:8080`)
    /// becomes `localhost` on the same port; another IP address has no passkeys.
    pub fn of(public_url: &str) -> Option<RelyingParty> {
        let url = Url::parse(public_url).ok()?;
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let host = match url.host()? {
            url::Host::Domain(name) => name.to_string(),
            url::Host::Ipv4(ip) if ip.is_loopback() => "localhost".into(),
            url::Host::Ipv6(ip) if ip.is_loopback() => "localhost".into(),
            _ => return None,
        };
        Some(RelyingParty {
            origin: format!("{}://{host}{port}", url.scheme()),
            id: host,
        })
    }

    /// This server's relying party, or the error that says passkeys are not available.
    pub fn of_state(state: &AppState) -> Result<RelyingParty, AppError> {
        RelyingParty::of(&state.public_url).ok_or_else(|| {
            AppError::Client(ApiError::new(
                ErrorCode::NotFound,
                "passkeys are not available here: FK_PUBLIC_URL names an IP address",
            ))
        })
    }

    pub fn webauthn(&self) -> Result<Webauthn, AppError> {
        let origin = Url::parse(&self.origin).map_err(|e| AppError::Internal(e.to_string()))?;
        WebauthnBuilder::new(&self.id, &origin)
            .and_then(|b| {
                b.rp_name("ForteKassa")
                    .timeout(std::time::Duration::from_secs(CHALLENGE_SECONDS as u64))
                    .build()
            })
            .map_err(|e| AppError::Internal(format!("WebAuthn relying party: {e}")))
    }
}

/// What a waiting ceremony is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    /// Adding a passkey, in the session that began it.
    Add { session_id: i64 },
    /// Confirming who is there for a sensitive operation, in place of the password.
    Confirm { session_id: i64 },
    /// Signing in, by whoever holds the ID.
    SignIn,
}

impl Ceremony {
    /// Its `purpose` and `session_id` columns.
    fn stored(self) -> (&'static str, Option<i64>) {
        match self {
            Ceremony::Add { session_id } => ("add", Some(session_id)),
            Ceremony::Confirm { session_id } => ("confirm", Some(session_id)),
            Ceremony::SignIn => ("sign_in", None),
        }
    }
}

/// Keeps the first half of a ceremony for five minutes; the ID returned finishes it.
pub async fn begin(
    conn: &mut AnyConnection,
    ceremony: Ceremony,
    state: &impl serde::Serialize,
    now: i64,
) -> Result<String, AppError> {
    let id = tokens::new_token();
    let state = serde_json::to_string(state).map_err(|e| AppError::Internal(e.to_string()))?;
    let (purpose, session_id) = ceremony.stored();
    sqlx::query("INSERT INTO passkey_challenges (id_hash, purpose, session_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(tokens::hash(&id))
        .bind(purpose)
        .bind(session_id)
        .bind(state)
        .bind(now + CHALLENGE_SECONDS)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The waiting half of a ceremony, used up by this call whatever comes of it: an answer is
/// checked once. None when it is unknown, over, or another session's.
pub async fn take<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &str,
    ceremony: Ceremony,
    now: i64,
) -> Result<T, AppError> {
    let query = match ceremony.stored() {
        (purpose, Some(session_id)) => sqlx::query("DELETE FROM passkey_challenges WHERE id_hash = $1 AND expires_at > $2 AND purpose = $3 AND session_id = $4 RETURNING state")
            .bind(tokens::hash(id))
            .bind(now)
            .bind(purpose)
            .bind(session_id),
        (purpose, None) => sqlx::query("DELETE FROM passkey_challenges WHERE id_hash = $1 AND expires_at > $2 AND purpose = $3 AND session_id IS NULL RETURNING state")
            .bind(tokens::hash(id))
            .bind(now)
            .bind(purpose),
    };
    let row = query
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(challenge_expired)?;
    let state: String = row.try_get("state")?;
    serde_json::from_str(&state).map_err(|e| AppError::Internal(format!("a stored ceremony: {e}")))
}

fn challenge_expired() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::PasskeyChallengeExpired,
        "start again: this passkey request is over 5 minutes old, already answered, or from another session",
    ))
}

/// The browser's answer could not be read or does not pass the checks.
pub fn passkey_invalid(why: impl std::fmt::Display) -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::PasskeyInvalid,
            format!("the browser's passkey response is not valid: {why}"),
        )
        .with_field("credential"),
    )
}

/// A credential ID as stored and compared: base64url without padding.
pub fn credential_key(id: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// Adding a passkey between its two requests: the user handle it is made for, and
/// webauthn-rs' state.
#[derive(serde::Serialize, serde::Deserialize)]
struct Adding {
    handle: Uuid,
    registration: PasskeyRegistration,
}

/// A passkey as stored: its ID here, the user handle it carries, webauthn-rs' credential.
pub struct Stored {
    pub id: String,
    pub handle: String,
    pub passkey: Passkey,
}

/// webauthn-rs' credential from its stored JSON.
pub fn parse_stored(json: &str) -> Result<Passkey, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("a stored passkey: {e}")))
}

/// The account's passkeys as stored.
pub async fn stored(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<Stored>, AppError> {
    let rows = sqlx::query("SELECT id, user_handle, passkey FROM passkeys WHERE account_id = $1")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Stored {
                id: row.try_get("id")?,
                handle: row.try_get("user_handle")?,
                passkey: parse_stored(&row.try_get::<String, _>("passkey")?)?,
            })
        })
        .collect()
}

/// The user handle of the account's passkeys and their credential IDs. A first passkey gets
/// a new random handle; it says nothing about the account.
async fn existing(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<(Uuid, Vec<CredentialID>), AppError> {
    let passkeys = stored(conn, account_id).await?;
    let handle = passkeys
        .iter()
        .find_map(|p| Uuid::parse_str(&p.handle).ok())
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 16];
            getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
            uuid_v4(bytes)
        });
    let credentials = passkeys
        .iter()
        .map(|p| p.passkey.cred_id().clone())
        .collect();
    Ok((handle, credentials))
}

/// A version 4 UUID from random bytes.
fn uuid_v4(mut bytes: [u8; 16]) -> Uuid {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// The browser is to make a passkey that it can offer without a login typed.
fn discoverable(options: &mut serde_json::Value) {
    if let Some(selection) = options
        .pointer_mut("/publicKey/authenticatorSelection")
        .and_then(|s| s.as_object_mut())
    {
        selection.insert("residentKey".into(), "required".into());
        selection.insert("requireResidentKey".into(), true.into());
    }
}

/// The first half of adding a passkey: the options for the browser's dialog.
#[utoipa::path(post, path = "/api/account/passkeys/options", tag = "account", security(("session" = [])),
    responses(
        (status = 200, description = "`options.publicKey` for `navigator.credentials.create()` (WebAuthn JSON, binary fields in base64url); \
            `challenge_id` finishes it at `POST /api/account/passkeys` within 5 minutes, in this session. The passkeys already added are excluded", body = PasskeyChallenge),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 404, description = "`not_found`: no passkeys on this server (`FK_PUBLIC_URL` is an IP address other than loopback)", body = ApiError),
    ))]
async fn add_options(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
) -> Result<Json<PasskeyChallenge>, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (handle, exclude) = existing(&mut tx, account.id).await?;
    let (options, registration) = webauthn
        .start_passkey_registration(handle, &account.login, &account.first_name, Some(exclude))
        .map_err(|e| AppError::Internal(format!("WebAuthn registration: {e}")))?;
    let mut options =
        serde_json::to_value(&options).map_err(|e| AppError::Internal(e.to_string()))?;
    discoverable(&mut options);
    let adding = Adding {
        handle,
        registration,
    };
    let ceremony = Ceremony::Add {
        session_id: session.id,
    };
    let challenge_id = begin(&mut tx, ceremony, &adding, now).await?;
    tx.commit().await?;
    Ok(Json(PasskeyChallenge {
        challenge_id,
        options,
    }))
}

/// The second half: the browser's new credential, checked and kept under the name given.
#[utoipa::path(post, path = "/api/account/passkeys", tag = "account", security(("session" = [])), request_body = AddPasskeyRequest,
    responses(
        (status = 201, description = "The passkey is added; the owner gets a letter", body = PasskeyView),
        (status = 409, description = "`passkey_challenge_expired`: no such request of this session in the last 5 minutes, or it was answered already; \
            `passkey_taken`: this passkey is already registered here", body = ApiError),
        (status = 422, description = "`passkey_name_required`, `passkey_name_invalid` (field `name`: 1 to 64 characters, no control characters); \
            `passkey_invalid` (field `credential`): not a WebAuthn registration response, or one that fails its checks (origin, challenge, user verification)", body = ApiError),
    ))]
async fn add(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    ApiJson(form): ApiJson<AddPasskeyRequest>,
) -> Result<Response, AppError> {
    // Whatever can be refused without using up the request is refused first, so it can be sent
    // again once mended.
    let name = parse_name(&form.name)?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(form.credential).map_err(passkey_invalid)?;
    let now = state.clock.now();
    let webauthn = RelyingParty::of_state(&state)?.webauthn()?;
    let ceremony = Ceremony::Add {
        session_id: session.id,
    };
    let adding: Adding = {
        let mut conn = state.db.acquire().await?;
        take(&mut conn, &form.challenge_id, ceremony, now).await?
    };
    let passkey = webauthn
        .finish_passkey_registration(&credential, &adding.registration)
        .map_err(passkey_invalid)?;
    let stored = serde_json::to_string(&passkey).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = tokens::new_token();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let inserted = sqlx::query("INSERT INTO passkeys (id, account_id, credential_id, user_handle, name, passkey, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(account.id)
        .bind(credential_key(passkey.cred_id()))
        .bind(adding.handle.to_string())
        .bind(&name)
        .bind(stored)
        .bind(now)
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::Client(ApiError::new(
                ErrorCode::PasskeyTaken,
                "this passkey is already registered here",
            )))
        }
        Err(e) => return Err(e.into()),
    }
    let change = SecurityChange::PasskeyAdded { name: &name };
    let event = Event::PasskeyAdded;
    record(&state, &mut tx, &account, event, change, &client, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    let view = PasskeyView {
        id,
        name,
        created_at: rfc3339(now),
        last_used_at: None,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

fn no_such_passkey() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::NotFound,
        "no such passkey of this account",
    ))
}

#[utoipa::path(patch, path = "/api/account/passkeys/{id}", tag = "account", security(("session" = [])), request_body = RenamePasskeyRequest,
    params(("id" = String, Path, description = "The passkey's `id` from the list")),
    responses(
        (status = 200, description = "Renamed", body = PasskeyView),
        (status = 404, description = "`not_found`: no such passkey of this account", body = ApiError),
        (status = 422, description = "`passkey_name_required`, `passkey_name_invalid` (field `name`: 1 to 64 characters, no control characters)", body = ApiError),
    ))]
async fn rename(
    State(state): State<AppState>,
    CurrentAccount { account, .. }: CurrentAccount,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<RenamePasskeyRequest>,
) -> Result<Json<PasskeyView>, AppError> {
    let name = parse_name(&form.name)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let renamed = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND account_id = $3")
        .bind(&name)
        .bind(&id)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    if renamed.rows_affected() != 1 {
        return Err(no_such_passkey());
    }
    let view = list(&mut tx, account.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(no_such_passkey)?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Every account has a password, so removing a passkey never leaves it without a way in. The
/// sessions it opened end with it, but for this one.
#[utoipa::path(delete, path = "/api/account/passkeys/{id}", tag = "account", security(("session" = [])),
    params(("id" = String, Path, description = "The passkey's `id` from the list")),
    responses(
        (status = 204, description = "Removed: it signs in no more, and the other sessions it opened have ended; the owner gets a letter"),
        (status = 403, description = "`reauth_required`: confirm the password first", body = ApiError),
        (status = 404, description = "`not_found`: no such passkey of this account", body = ApiError),
    ))]
async fn remove(
    State(state): State<AppState>,
    CurrentAccount { session, account }: CurrentAccount,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    session.require_recent_auth(now)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING name")
        .bind(&id)
        .bind(account.id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(no_such_passkey)?;
    let name: String = row.try_get("name")?;
    // What it opened closes with it (not this session, from which it is being removed).
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND passkey_id = $2 AND id <> $3")
        .bind(account.id)
        .bind(&id)
        .bind(session.id)
        .execute(&mut *tx)
        .await?;
    let change = SecurityChange::PasskeyRemoved { name: &name };
    let event = Event::PasskeyRemoved;
    record(&state, &mut tx, &account, event, change, &client, now).await?;
    tx.commit().await?;
    state.mailer.wake();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The account's passkeys, oldest first.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<PasskeyView>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name, created_at, last_used_at FROM passkeys WHERE account_id = $1 ORDER BY created_at, id")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(PasskeyView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at: rfc3339(row.try_get("created_at")?),
                last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(rfc3339),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_name_for_passkeys_comes_from_the_public_address() {
        let rp = |url: &str| RelyingParty::of(url).map(|rp| (rp.id, rp.origin));
        assert_eq!(
            rp("https://privacy.fortekassa.kz"),
            Some((
                "privacy.fortekassa.kz".into(),
                "https://privacy.fortekassa.kz".into()
            ))
        );
        assert_eq!(
            rp("https://privacy.fortekassa.kz:8443/"),
            Some((
                "privacy.fortekassa.kz".into(),
                "https://privacy.fortekassa.kz:8443".into()
            ))
        );
        // WebAuthn takes no IP address as a site's name: loopback is reached as localhost.
        assert_eq!(
            rp("http://127.0.0.1:8080"),
            Some(("localhost".into(), "http://localhost:8080".into()))
        );
        assert_eq!(
            rp("http://[::1]:8080"),
            Some(("localhost".into(), "http://localhost:8080".into()))
        );
        assert_eq!(rp("http://10.0.0.5:8080"), None);
        assert_eq!(rp("not a url"), None);
    }

    #[test]
    fn a_user_handle_is_a_version_4_uuid() {
        let handle = uuid_v4([0xff; 16]);
        assert_eq!(handle.get_version_num(), 4);
        assert_eq!(handle.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn a_new_passkey_is_discoverable() {
        let mut options = serde_json::json!({"publicKey": {"authenticatorSelection": {"residentKey": "discouraged", "requireResidentKey": false, "userVerification": "required"}}});
        discoverable(&mut options);
        assert_eq!(
            options["publicKey"]["authenticatorSelection"],
            serde_json::json!({"residentKey": "required", "requireResidentKey": true, "userVerification": "required"})
        );
    }
}
