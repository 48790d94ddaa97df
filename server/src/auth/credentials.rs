//! Checking a password: at sign-in, and whenever a sensitive operation asks for it again. Both
//! go through the same throttle, the same verification and the same record of failures.
use fk_api::account::rules::Identifier;
use fk_api::{ApiError, ErrorCode};

use super::throttle::{self, window, Backoff, Bucket, Window};
use crate::account::store::{self, Account, Event};
use crate::client::Client;
use crate::error::AppError;
use crate::AppState;

/// Failed sign-ins per account: 5 free in 15 minutes, then 30 s, 1 min, 2 min … up to 15 min
/// between attempts; and never more than 100 in an hour.
pub const SIGN_IN_BACKOFF: Backoff = Backoff {
    seconds: 900,
    free: 5,
    base: 30,
    cap: 900,
};
pub const SIGN_IN_ACCOUNT: [Window; 1] = [window(3600, 100)];
/// Longest password looked at; a longer one is wrong without hashing it.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The throttle bucket of an account's password: sign-in and every password confirmation.
pub fn password_bucket(account: &Account) -> String {
    Bucket::SignInAccount.name(account.id)
}

/// The throttle bucket of a sign-in: the account when there is one, else the identifier in the
/// form the lookup compares (so probing unknown logins is throttled exactly like real ones,
/// whatever their spelling).
pub fn sign_in_bucket(account: Option<&Account>, identifier: &Identifier) -> String {
    match account.filter(|a| a.email_verified_at.is_some()) {
        Some(a) => password_bucket(a),
        // No account, or one whose address is not confirmed (which cannot be signed into):
        // counted as an unknown identifier, by login or address as typed, so that the counts
        // cannot tell whether a registration found its address free.
        None => Bucket::SignInUnknown.name(identifier.key()),
    }
}

pub fn invalid_credentials() -> AppError {
    AppError::Client(ApiError::new(
        ErrorCode::InvalidCredentials,
        "wrong login or password",
    ))
}

/// What a password check found.
pub enum Checked {
    /// The password is the account's; the caller forgets its failures once what the password
    /// was for is done ([`forget_failures`]).
    Right(Account),
    /// Wrong, or no account (or one that cannot be signed into): the failure is counted.
    Wrong(Option<Account>),
}

/// Whose password may pass a check.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// Any account's: confirming the password of the account in hand.
    Any,
    /// Only an account whose address is confirmed: signing in.
    Confirmed,
}

/// Throttle, verify, and record and log a failure: one password attempt on
/// `account` (`None`: nobody has the identifier, and the same work is done against a dummy
/// hash, so the time taken does not tell). `bucket` is where the attempt counts.
pub async fn check_password(
    state: &AppState,
    account: Option<Account>,
    holder: Holder,
    bucket: &str,
    password: String,
    client: &Client,
) -> Result<Checked, AppError> {
    throttle::enforce(state, bucket, &SIGN_IN_ACCOUNT, Some(SIGN_IN_BACKOFF)).await?;
    let right = password.chars().count() <= MAX_PASSWORD_CHARS
        && state
            .hasher
            .verify(password, account.as_ref().map(|a| a.password_hash.clone()))
            .await?;
    let now = state.clock.now();
    match account {
        Some(account)
            if right && (holder == Holder::Any || account.email_verified_at.is_some()) =>
        {
            Ok(Checked::Right(account))
        }
        account => {
            let mut conn = state.db.acquire().await?;
            throttle::record(&mut conn, bucket, now).await?;
            if let Some(account) = &account {
                store::log(&mut conn, account.id, Event::SignInFailed, client, now).await?;
            }
            Ok(Checked::Wrong(account))
        }
    }
}

/// After the right password: its earlier failures no longer count.
pub async fn forget_failures(state: &AppState, bucket: &str) -> Result<(), AppError> {
    throttle::clear(&mut *state.db.acquire().await?, bucket).await?;
    Ok(())
}

/// The account's password given again for a sensitive operation: throttled like sign-in, a
/// failure counted and written to the security log, and reported on `field`.
pub async fn confirm_password(
    state: &AppState,
    account: &Account,
    password: String,
    client: &Client,
    field: &str,
) -> Result<(), AppError> {
    let bucket = password_bucket(account);
    let account = Some(account.clone());
    match check_password(state, account, Holder::Any, &bucket, password, client).await? {
        Checked::Right(_) => forget_failures(state, &bucket).await,
        Checked::Wrong(_) => Err(AppError::Client(
            ApiError::new(ErrorCode::InvalidCredentials, "wrong password").with_field(field),
        )),
    }
}
