//! `/api/account/choices` (signed in, same-origin), the unsubscribe page's two endpoints
//! (same-origin, the token instead of a session) and RFC 8058's one-click `POST /unsubscribe`
//! (neither: a mail program's server sends it).
use axum::extract::{Path, State};
use axum::Json;
use fk_api::account::choices::{Choice, ChoiceSource, ChoiceUpdate, Choices};
use fk_api::{ApiError, ErrorCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{store, unsubscribe};
use crate::auth::session::Session;
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

/// The routes a page of this site calls: the choices (with a session) and the unsubscribe
/// page's two endpoints (the token instead of a session).
pub fn same_site_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(update))
        .routes(routes!(unsubscribe::preview))
        .routes(routes!(unsubscribe::from_page))
}

/// RFC 8058's one-click unsubscribe, which a mail program's server posts (no site, no
/// session); GET is the link opened in a browser: the SPA's page.
pub fn one_click_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(unsubscribe::one_click, unsubscribe::page))
}

#[utoipa::path(get, path = "/api/account/choices", tag = "choices", security(("session" = [])),
    responses((status = 200, description = "Every subscription and privacy choice, on or off", body = Choices)))]
async fn list(State(state): State<AppState>, session: Session) -> Result<Json<Choices>, AppError> {
    Ok(Json(
        store::current(&mut *state.db.acquire().await?, session.account_id).await?,
    ))
}

#[utoipa::path(put, path = "/api/account/choices/{choice}", tag = "choices", security(("session" = [])),
    params(("choice" = Choice, Path)),
    request_body = ChoiceUpdate,
    responses(
        (status = 200, description = "Changed (or already so); every choice as it is now", body = Choices),
        (status = 404, description = "No such choice", body = ApiError),
        (status = 409, description = "`phone_required`: SMS needs a phone number in the profile", body = ApiError),
    ))]
async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    ApiJson(update): ApiJson<ChoiceUpdate>,
) -> Result<Json<Choices>, AppError> {
    let choice = Choice::from_code(&code).ok_or_else(|| {
        AppError::not_found(
            ApiError::new(ErrorCode::NotFound, format!("no choice {code:?}")).with_field("choice"),
        )
    })?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    if update.enabled && choice.needs_phone() {
        let phone: Option<String> = sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1")
            .bind(session.account_id)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
        if phone.is_none() {
            return Err(AppError::Client(
                ApiError::new(
                    ErrorCode::PhoneRequired,
                    "add a phone number to the profile first",
                )
                .with_field("phone"),
            ));
        }
    }
    store::set(
        &mut tx,
        session.account_id,
        choice,
        update.enabled,
        ChoiceSource::Account,
        state.clock.now(),
    )
    .await?;
    let choices = store::current(&mut tx, session.account_id).await?;
    tx.commit().await?;
    Ok(Json(choices))
}
