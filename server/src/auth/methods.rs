//! "Sign-in and security": how an account is signed into besides the password (two-step
//! sign-in, recovery codes, passkeys), for its page and for the data download.
use axum::extract::State;
use axum::Json;
use fk_api::account::two_step::SecurityView;
use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::passkeys::{self, RelyingParty};
use super::session::CurrentAccount;
use super::two_step;
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(security))
}

/// The account's sign-in methods (never a secret): what the page and the data download show.
pub async fn view(conn: &mut AnyConnection, account_id: i64) -> Result<SecurityView, sqlx::Error> {
    let (since, recovery_codes_left) = two_step::status(conn, account_id).await?;
    Ok(SecurityView {
        two_step_since: since.map(rfc3339),
        recovery_codes_left,
        passkeys: passkeys::list(conn, account_id).await?,
        passkey_origin: String::new(),
    })
}

#[utoipa::path(get, path = "/api/account/security", tag = "account", security(("session" = [])),
    responses((status = 200, description = "How the account is signed into besides the password, and the address passkeys work at", body = SecurityView)))]
async fn security(
    State(state): State<AppState>,
    current: CurrentAccount,
) -> Result<Json<SecurityView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let mut view = view(&mut conn, current.account.id).await?;
    view.passkey_origin = RelyingParty::of(&state.public_url)
        .map(|rp| rp.origin)
        .unwrap_or_default();
    Ok(Json(view))
}
