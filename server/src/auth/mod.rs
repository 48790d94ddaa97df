//! Proving who someone is: sign-in and out, sessions and their cookie, the password (hashing,
//! checking, throttling), two-step sign-in, passkeys, single-use links, and recovery. The pages about
//! the account itself are `account/`.
pub mod changes;
pub mod cli;
pub mod credentials;
pub mod methods;
pub mod passkey_sign_in;
pub mod passkeys;
pub mod password;
pub mod qr;
pub mod recovery;
pub mod sealing;
pub mod second_step;
pub mod session;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod two_step;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// `/api/account/…` routes that sign in, out and back.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(sign_in::routes())
        .merge(second_step::routes())
        .merge(recovery::routes())
        .merge(two_step::routes())
        .merge(methods::routes())
        .merge(passkeys::routes())
        .merge(passkey_sign_in::routes())
}

/// A response that opens a session in this browser: `body` with the session cookie.
pub fn signed_in(
    state: &AppState,
    status: StatusCode,
    token: &str,
    remember: bool,
    body: impl serde::Serialize,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(state, token, remember),
    );
    response
}
