//! A change to how an account is signed into (two-step sign-in on or off, recovery codes used
//! or renewed, a passkey added or removed): written to the security log and told to the owner
//! by e-mail, whoever made it.
use sqlx::AnyConnection;

use crate::account::store::{self, Account, Event};
use crate::client::Client;
use crate::clock::mail_time;
use crate::error::AppError;
use crate::mail::{Mail, SecurityChange};
use crate::AppState;

/// Logs `event`, and tells the owner by e-mail what changed: part of the caller's transaction.
pub async fn record(
    state: &AppState,
    tx: &mut AnyConnection,
    account: &Account,
    event: Event,
    change: SecurityChange<'_>,
    client: &Client,
    now: i64,
) -> Result<(), AppError> {
    store::log(&mut *tx, account.id, event, client, now).await?;
    // "Not you?": a passkey is taken back on the page of sign-in methods (a new password
    // would not remove it); anything else, by a new password.
    let not_you = match change {
        SecurityChange::PasskeyAdded { .. } | SecurityChange::PasskeyRemoved { .. } => {
            "/account/security"
        }
        _ => "/account/recover",
    };
    let mail = Mail::SignInSecurity {
        first_name: &account.first_name,
        change,
        when: &mail_time(now, account.lang),
        recover_link: &state.link(not_you),
    };
    state.mailer.queue_to(tx, account, &mail, now).await?;
    Ok(())
}
