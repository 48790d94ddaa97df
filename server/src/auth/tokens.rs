//! Secrets: session tokens and the one-time links sent by e-mail. Each is 32 random bytes (256
//! bits); only its SHA-256 is stored, so a copy of the database opens nothing.
use base64::Engine as _;
use fk_api::{ApiError, ErrorCode};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::error::AppError;

/// A link that names nothing that works (any more): unknown, used, expired or malformed alike.
pub fn link_invalid() -> AppError {
    AppError::Client(
        ApiError::new(
            ErrorCode::LinkInvalid,
            "this link has expired or was already used",
        )
        .with_field("token"),
    )
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
    /// Confirms a new address: the token's `email` is the new one.
    ChangeEmail,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
            Purpose::ChangeEmail => "change_email",
        }
    }

    /// Verification links (of a new account or a new address) last a day, reset links half
    /// an hour.
    pub fn lifetime(self) -> i64 {
        match self {
            Purpose::Verify | Purpose::ChangeEmail => 24 * 3600,
            Purpose::Reset => 30 * 60,
        }
    }
}

/// A new link token for `email` of the account; the caller mails it and commits.
pub async fn issue(
    tx: &mut AnyConnection,
    account_id: i64,
    purpose: Purpose,
    email: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query("INSERT INTO email_tokens (token_hash, account_id, purpose, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(hash(&token))
        .bind(account_id)
        .bind(purpose.code())
        .bind(email)
        .bind(now)
        .bind(now + purpose.lifetime())
        .execute(&mut *tx)
        .await?;
    Ok(token)
}

/// The account and address a token is for, if it is unused and unexpired (nothing changes).
pub async fn peek(
    conn: &mut AnyConnection,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT account_id, email FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(hash(token))
    .bind(purpose.code())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("account_id")?, r.try_get("email")?)))
        .transpose()
}

/// Uses the token up: of two requests racing with one link, exactly one gets `Some`.
pub async fn redeem(
    tx: &mut AnyConnection,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let used = sqlx::query(
        "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(hash(token))
    .bind(purpose.code())
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT account_id, email FROM email_tokens WHERE token_hash = $1")
        .bind(hash(token))
        .fetch_one(&mut *tx)
        .await?;
    Ok(Some((row.try_get("account_id")?, row.try_get("email")?)))
}

/// Ends every open link of the account, whatever it is for: its address changed, so links
/// mailed to the old one (a reset, a verification) must not act on it any more.
pub async fn revoke_every(
    tx: &mut AnyConnection,
    account_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Ends every open link of a kind (after a reset, older reset links must not work).
pub async fn revoke_all(
    tx: &mut AnyConnection,
    account_id: i64,
    purpose: Purpose,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(account_id)
        .bind(purpose.code())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_differ() {
        let a = new_token();
        assert!(fk_api::account::is_token(&a), "{a}");
        assert_ne!(a, new_token());
        assert_eq!(hash(&a).len(), 64);
    }
}
