//! Registration holds: what a registration reserves (its login, for as long as an unconfirmed
//! account is kept) and what the browser that registered may do (open the verification link
//! without the password, ask for it again). One per registration, whether or not its address
//! already had an account, so the two cases leave the same traces.
use sqlx::{AnyConnection, Row};

use super::store;
use crate::auth::tokens;

pub struct Hold {
    /// The SHA-256 of the registering browser's `fk_registration` cookie.
    pub browser_hash: String,
    /// The account the registration created; none when the address had one already.
    pub account_id: Option<i64>,
    pub login_key: String,
    pub email: String,
    pub email_key: String,
}

pub async fn insert(
    tx: &mut AnyConnection,
    hold: &Hold,
    now: i64,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO registration_holds (browser_hash, account_id, login_key, email, email_key, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&hold.browser_hash)
    .bind(hold.account_id)
    .bind(&hold.login_key)
    .bind(&hold.email)
    .bind(&hold.email_key)
    .bind(now)
    .bind(until)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether a login is taken: by an account, or reserved by a registration still open. An
/// expired reservation of it is deleted here, so that the new one can be written.
pub async fn login_taken(
    tx: &mut AnyConnection,
    login_key: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM registration_holds WHERE login_key = $1 AND expires_at <= $2")
        .bind(login_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let held = sqlx::query(
        "SELECT 1 AS held FROM registration_holds WHERE login_key = $1 AND expires_at > $2",
    )
    .bind(login_key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    Ok(held || store::login_taken(tx, login_key).await?)
}

/// The open registration of the browser whose `fk_registration` cookie is `browser`.
pub async fn of_browser(
    conn: &mut AnyConnection,
    browser: &str,
    now: i64,
) -> Result<Option<Hold>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT browser_hash, account_id, login_key, email, email_key FROM registration_holds WHERE browser_hash = $1 AND expires_at > $2",
    )
    .bind(tokens::hash(browser))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Hold {
            browser_hash: r.try_get("browser_hash")?,
            account_id: r.try_get("account_id")?,
            login_key: r.try_get("login_key")?,
            email: r.try_get("email")?,
            email_key: r.try_get("email_key")?,
        })
    })
    .transpose()
}

pub async fn delete(conn: &mut AnyConnection, hold: &Hold) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM registration_holds WHERE browser_hash = $1")
        .bind(&hold.browser_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An account's registration is over (its address is confirmed): the login is the account's
/// own now.
pub async fn release(conn: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM registration_holds WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Erasing a person: registrations others made with their address forget it. Their logins
/// stay reserved until they expire, as they would have anyway: ending them early would tell
/// whoever made them that the address had an account.
pub async fn forget_address(conn: &mut AnyConnection, email_key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE registration_holds SET email = '', email_key = '' WHERE email_key = $1")
        .bind(email_key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn prune(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM registration_holds WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
