//! Throttling counted in the database (so every server instance sees the same counts), never a
//! permanent lockout: every limit is a sliding window, and the answer says when to come back.
use sqlx::{AnyConnection, Row};

use crate::error::AppError;
use crate::AppState;

/// Declares the buckets: each kind's name prefix, once, and the list of them all.
macro_rules! buckets {
    ($($(#[$doc:meta])* $kind:ident => $prefix:literal,)*) => {
        /// What a throttle counts. A bucket's name is the kind's prefix and its subject, as
        /// [`Bucket::name`] writes it; nothing else writes one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Bucket {
            $($(#[$doc])* $kind,)*
        }

        impl Bucket {
            /// Every kind: what erasing a person walks through.
            pub const ALL: &[Bucket] = &[$(Bucket::$kind,)*];

            fn prefix(self) -> &'static str {
                match self {
                    $(Bucket::$kind => $prefix,)*
                }
            }
        }
    };
}

buckets! {
    /// Failed sign-ins and password confirmations of one account (its ID).
    SignInAccount => "sign-in:account",
    /// Failed sign-ins naming no account, or an unconfirmed one (the identifier's key).
    SignInUnknown => "sign-in:unknown",
    /// Failed sign-ins from one client address.
    SignInIp => "sign-in:ip",
    /// Reset links sent to one address (its key).
    Recover => "recover",
    /// Reset links asked from one client address.
    RecoverIp => "recover-ip",
    /// Registrations from one client address.
    RegisterIp => "register-ip",
    /// "Someone tried to register with your address" letters to one account (its ID).
    RegisterNotice => "register-notice",
    /// Verification letters sent again to one browser's held registration.
    VerifyMail => "verify-mail",
    /// Changes of address asked by one account (its ID).
    EmailChange => "email-change",
    /// Consent receipts from one client address.
    ConsentIp => "consent-ip",
    /// Wrong codes of one account's authenticator app or recovery codes (its ID).
    SecondStepAccount => "second-step:account",
    /// Passkey sign-ins begun from one client address (each holds a row for five minutes).
    PasskeyIp => "passkey-ip",
    /// Wrong second steps from one client address.
    SecondStepIp => "second-step:ip",
}

/// What names a person in a bucket: erasing an account deletes every bucket these name.
pub struct Person<'a> {
    pub account_id: i64,
    pub email_key: &'a str,
    pub login_key: &'a str,
}

impl Bucket {
    /// The bucket of `subject` (an account ID, an address key, a client address).
    pub fn name(self, subject: impl std::fmt::Display) -> String {
        format!("{}:{subject}", self.prefix())
    }

    /// The buckets of this kind that name `person`. A kind counted by something that is not
    /// a person's (a client address, a browser's hold) names nobody: its counts age out.
    fn of(self, person: &Person) -> Vec<String> {
        match self {
            Bucket::SignInAccount
            | Bucket::RegisterNotice
            | Bucket::EmailChange
            | Bucket::SecondStepAccount => {
                vec![self.name(person.account_id)]
            }
            Bucket::Recover => vec![self.name(person.email_key)],
            Bucket::SignInUnknown => vec![self.name(person.email_key), self.name(person.login_key)],
            Bucket::SignInIp
            | Bucket::RecoverIp
            | Bucket::RegisterIp
            | Bucket::VerifyMail
            | Bucket::ConsentIp
            | Bucket::SecondStepIp
            | Bucket::PasskeyIp => Vec::new(),
        }
    }
}

/// Deletes every count that names `person` (erasure: nothing of theirs stays).
pub async fn forget(db: &mut AnyConnection, person: &Person<'_>) -> Result<(), sqlx::Error> {
    for bucket in Bucket::ALL.iter().flat_map(|kind| kind.of(person)) {
        clear(db, &bucket).await?;
    }
    Ok(())
}

/// Holds the account's row until the transaction ends, so that attempts at one account are
/// counted, checked and recorded one at a time: requests sent all at once cannot each pass a
/// count read before any of them was recorded. (SQLite's write transaction, `BEGIN
/// IMMEDIATE`, already holds the whole database.)
pub async fn hold_account(tx: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    }
    Ok(())
}

/// [`enforce`] inside the caller's transaction, after [`hold_account`].
pub async fn enforce_in(
    tx: &mut AnyConnection,
    bucket: &str,
    now: i64,
    windows: &[Window],
    backoff: Option<Backoff>,
) -> Result<(), AppError> {
    check(tx, bucket, now, windows, backoff)
        .await?
        .map_err(AppError::too_many)
}

/// Refuses with 429 (and when to come back) while `bucket` is over a limit.
pub async fn enforce(
    state: &AppState,
    bucket: &str,
    windows: &[Window],
    backoff: Option<Backoff>,
) -> Result<(), AppError> {
    check(
        &mut *state.db.acquire().await?,
        bucket,
        state.clock.now(),
        windows,
        backoff,
    )
    .await?
    .map_err(AppError::too_many)
}

/// At most `max` events in any `seconds`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub seconds: i64,
    pub max: i64,
}

pub const fn window(seconds: i64, max: i64) -> Window {
    Window { seconds, max }
}

/// After `free` events within `seconds`, each further attempt waits `base` seconds after the
/// last event, doubling with every event, up to `cap`.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub seconds: i64,
    pub free: i64,
    pub base: i64,
    pub cap: i64,
}

/// `Err(seconds to wait)` when any window is full or the backoff has not passed.
pub async fn check(
    db: &mut AnyConnection,
    bucket: &str,
    now: i64,
    windows: &[Window],
    backoff: Option<Backoff>,
) -> Result<Result<(), u64>, sqlx::Error> {
    let mut wait = 0i64;
    for w in windows {
        let since = now - w.seconds;
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM throttle_events WHERE bucket = $1 AND at > $2")
                .bind(bucket)
                .bind(since)
                .fetch_one(&mut *db)
                .await?
                .try_get("n")?;
        if count >= w.max {
            // The window frees up when the oldest event that keeps it full leaves it.
            let at: i64 = sqlx::query("SELECT at FROM throttle_events WHERE bucket = $1 AND at > $2 ORDER BY at LIMIT 1 OFFSET $3")
                .bind(bucket)
                .bind(since)
                .bind(count - w.max)
                .fetch_one(&mut *db)
                .await?
                .try_get("at")?;
            wait = wait.max(at + w.seconds - now);
        }
    }
    if let Some(b) = backoff {
        let row = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM throttle_events WHERE bucket = $1 AND at > $2")
            .bind(bucket)
            .bind(now - b.seconds)
            .fetch_one(&mut *db)
            .await?;
        let count: i64 = row.try_get("n")?;
        if count >= b.free {
            let last: i64 = row.try_get::<Option<i64>, _>("last")?.unwrap_or(now);
            let delay = (b.base << (count - b.free).min(20)).min(b.cap);
            wait = wait.max(last + delay - now);
        }
    }
    Ok(if wait > 0 { Err(wait as u64) } else { Ok(()) })
}

pub async fn record(db: &mut AnyConnection, bucket: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO throttle_events (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Several events at once (one statement), each in its bucket at its time.
pub async fn record_many(
    db: &mut AnyConnection,
    events: &[(&str, i64)],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..events.len())
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let sql = format!(
        "INSERT INTO throttle_events (bucket, at) VALUES {}",
        values.join(", ")
    );
    // Run-time SQL: the text holds only generated `$n` placeholders; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (bucket, at) in events {
        query = query.bind(*bucket).bind(*at);
    }
    query.execute(&mut *db).await?;
    Ok(())
}

/// For each of `buckets` with events after `since`: how many, and the time of the oldest.
pub async fn counts(
    db: &mut AnyConnection,
    buckets: &[&str],
    since: i64,
) -> Result<std::collections::HashMap<String, (i64, i64)>, sqlx::Error> {
    if buckets.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = (0..buckets.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT bucket, COUNT(*) AS n, MIN(at) AS oldest FROM throttle_events WHERE at > $1 AND bucket IN ({}) GROUP BY bucket",
        list.join(", ")
    );
    // Run-time SQL: the text holds only generated `$n` placeholders; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
    for bucket in buckets {
        query = query.bind(*bucket);
    }
    query
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("bucket")?,
                (r.try_get("n")?, r.try_get("oldest")?),
            ))
        })
        .collect()
}

pub async fn clear(db: &mut AnyConnection, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle_events WHERE bucket = $1")
        .bind(bucket)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Forgets events no window looks at any more.
pub async fn prune(db: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle_events WHERE at < $1")
        .bind(now - 2 * 86_400)
        .execute(&mut *db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erasing_a_person_reaches_every_bucket_that_names_them() {
        let person = Person {
            account_id: 7,
            email_key: "aigerim@example.kz",
            login_key: "aigerim",
        };
        let named: Vec<String> = Bucket::ALL.iter().flat_map(|b| b.of(&person)).collect();
        for bucket in [
            Bucket::SignInAccount.name(7),
            Bucket::RegisterNotice.name(7),
            Bucket::EmailChange.name(7),
            Bucket::SecondStepAccount.name(7),
            Bucket::Recover.name("aigerim@example.kz"),
            Bucket::SignInUnknown.name("aigerim@example.kz"),
            Bucket::SignInUnknown.name("aigerim"),
        ] {
            assert!(named.contains(&bucket), "{bucket} is not erased: {named:?}");
        }
        assert_eq!(named.len(), 7, "{named:?}");
        assert_eq!(Bucket::SignInAccount.name(7), "sign-in:account:7");
    }
}
