//! Accounts in the database.
use fk_api::account::activity::GuardianConfirmed;
use fk_api::account::rules::Identifier;
use fk_api::account::{AccountView, Gender};
use fk_api::Lang;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::client::Client;
use crate::clock::rfc3339;
use crate::db::Db;

#[derive(Clone, Debug)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub first_name: String,
    pub birth_year: i32,
    pub gender: Gender,
    pub lang: Lang,
    pub password_hash: String,
    pub created_at: i64,
    pub phone: Option<String>,
    pub version: i64,
    pub guardian_consent: bool,
    pub last_export_at: Option<i64>,
}

const COLUMNS: &str =
    "id, login, email, email_verified_at, first_name, birth_year, gender, lang, password_hash, created_at, phone, version, guardian_consent, last_export_at";

fn from_row(r: &AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: r.try_get("id")?,
        login: r.try_get("login")?,
        email: r.try_get("email")?,
        email_verified_at: r.try_get("email_verified_at")?,
        first_name: r.try_get("first_name")?,
        birth_year: r.try_get::<i32, _>("birth_year")?,
        gender: Gender::from_code(&r.try_get::<String, _>("gender")?).unwrap_or_default(),
        lang: Lang::from_code(&r.try_get::<String, _>("lang")?).unwrap_or_default(),
        password_hash: r.try_get("password_hash")?,
        created_at: r.try_get("created_at")?,
        phone: r.try_get("phone")?,
        version: r.try_get("version")?,
        guardian_consent: r.try_get::<i32, _>("guardian_consent")? != 0,
        last_export_at: r.try_get("last_export_at")?,
    })
}

impl Account {
    pub fn view(&self) -> AccountView {
        AccountView {
            login: self.login.clone(),
            first_name: self.first_name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified_at.is_some(),
            birth_year: self.birth_year,
            gender: self.gender,
            lang: self.lang,
            created_at: rfc3339(self.created_at),
            phone: self.phone.clone(),
            version: self.version,
            guardian_consent: self.guardian_consent,
        }
    }
}

/// On the pool or inside a transaction (`&mut *tx`).
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Account>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// By login, or by e-mail address when the identifier has an `@` (logins cannot).
pub async fn by_identifier(
    db: &Db,
    identifier: &Identifier,
) -> Result<Option<Account>, sqlx::Error> {
    let column = match identifier {
        Identifier::Email(_) => "email_key",
        Identifier::Login(_) => "login_key",
    };
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE {column} = $1"
    )))
    .bind(identifier.key())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn login_taken(tx: &mut AnyConnection, login_key: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT id FROM accounts WHERE login_key = $1")
        .bind(login_key)
        .fetch_optional(&mut *tx)
        .await?
        .is_some())
}

pub async fn by_email_key(
    tx: &mut AnyConnection,
    email_key: &str,
) -> Result<Option<Account>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE email_key = $1"
    )))
    .bind(email_key)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub struct NewAccount<'a> {
    pub login: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub birth_year: i32,
    pub gender: Gender,
    pub lang: Lang,
    pub password_hash: &'a str,
    pub guardian_consent: bool,
    pub policy_version: u32,
}

/// Inserts the account and its acceptance of the policy (registration is consent, 1.3).
pub async fn insert(
    tx: &mut AnyConnection,
    new: &NewAccount<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO accounts (login, login_key, email, email_key, first_name, birth_year, gender, lang, password_hash, guardian_consent, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.login)
    .bind(fk_api::account::rules::login_key(new.login))
    .bind(new.email)
    .bind(fk_api::account::rules::email_key(new.email))
    .bind(new.first_name)
    .bind(new.birth_year)
    .bind(new.gender.code())
    .bind(new.lang.code())
    .bind(new.password_hash)
    .bind(i32::from(new.guardian_consent))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    sqlx::query("INSERT INTO policy_acceptances (account_id, version, lang, accepted_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(i64::from(new.policy_version))
        .bind(new.lang.code())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if new.guardian_consent {
        record_guardian(&mut *tx, id, GuardianConfirmed::Registration, now).await?;
    }
    Ok(id)
}

/// Records that a parent's or guardian's permission was confirmed, for the consent history.
pub async fn record_guardian(
    conn: &mut AnyConnection,
    account_id: i64,
    place: GuardianConfirmed,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO guardian_confirmations (account_id, place, confirmed_at) VALUES ($1, $2, $3)",
    )
    .bind(account_id)
    .bind(place.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn mark_verified(
    tx: &mut AnyConnection,
    id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE accounts SET email_verified_at = $1 WHERE id = $2 AND email = $3 AND email_verified_at IS NULL")
        .bind(now)
        .bind(id)
        .bind(email)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(tx: &mut AnyConnection, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// What the security log records (clause 2.1's automatic data, shown to the user in the
/// personal section): the shared list of events.
pub use fk_api::account::activity::SecurityEvent as Event;

pub async fn log(
    conn: &mut AnyConnection,
    account_id: i64,
    event: Event,
    client: &Client,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO security_events (account_id, kind, at, ip, browser, os, device) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(account_id)
        .bind(event.code())
        .bind(now)
        .bind(&client.ip)
        .bind(&client.agent.browser)
        .bind(&client.agent.os)
        .bind(client.agent.device.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether this account signed in before, but never from this browser (its name without the
/// version) on this OS and kind of device: then the owner gets a "new sign-in" e-mail. Two
/// indexed lookups, however long the log is.
pub async fn is_new_device(
    conn: &mut AnyConnection,
    account_id: i64,
    client: &Client,
) -> Result<bool, sqlx::Error> {
    let signed_in_before = sqlx::query(
        "SELECT 1 AS seen FROM security_events WHERE account_id = $1 AND kind = 'sign_in' LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    if !signed_in_before {
        return Ok(false);
    }
    let family = client.agent.browser.split(' ').next().unwrap_or_default();
    let seen = sqlx::query(
        "SELECT 1 AS seen FROM security_events WHERE account_id = $1 AND kind = 'sign_in' AND os = $2 AND device = $3 \
         AND (browser = $4 OR browser LIKE $5) LIMIT 1",
    )
    .bind(account_id)
    .bind(&client.agent.os)
    .bind(client.agent.device.as_str())
    .bind(family)
    .bind(format!("{family} %"))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(seen.is_none())
}
