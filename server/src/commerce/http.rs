//! `/api/account/orders…` and `/api/account/promotions…` for the signed-in user, and
//! `PUT /api/internal/orders/{number}` for the commerce system (a bearer service token).
use std::collections::HashMap;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::account::commerce::{parse_page, OrderPage, OrderPush, OrderView, Promotions};
use fk_api::{ApiError, ErrorCode, Lang};
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::orders::{self, Pushed};
use super::promotions::{self, Change};
use crate::auth::session::{CurrentAccount, Session};
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

/// The signed-in user's orders and promotions (same-origin, a session).
pub fn personal_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders))
        .routes(routes!(one_order))
        .routes(routes!(list_promotions))
        .routes(routes!(join))
        .routes(routes!(leave))
}

/// Not browser-facing: no same-origin check, only the service token.
pub fn internal_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push_order))
        .route_layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

fn invalid_query(field: &str, message: &str) -> AppError {
    AppError::bad_request(ApiError::new(ErrorCode::InvalidQuery, message).with_field(field))
}

fn not_found(what: &str) -> AppError {
    AppError::not_found(ApiError::new(
        ErrorCode::NotFound,
        format!("no such {what}"),
    ))
}

type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// `?page=N`: missing is 1; anything but a positive integer is refused.
fn page_of(query: QueryMap) -> Result<u32, AppError> {
    let message = "page is a positive whole number";
    let Query(query) = query.map_err(|_| invalid_query("page", message))?;
    match query.get("page") {
        None => Ok(1),
        Some(p) => parse_page(p).ok_or_else(|| invalid_query("page", message)),
    }
}

#[utoipa::path(get, path = "/api/account/orders", tag = "commerce", security(("session" = [])),
    params(("page" = Option<u32>, Query, minimum = 1, description = "The page, from 1")),
    responses(
        (status = 200, description = "One page of the user's orders, newest first", body = OrderPage),
        (status = 400, description = "`invalid_query`: `page` is not a whole number from 1", body = ApiError),
    ))]
async fn list_orders(
    State(state): State<AppState>,
    session: Session,
    query: QueryMap,
) -> Result<Response, AppError> {
    let page = page_of(query)?;
    let page = orders::page_for(&mut *state.db.acquire().await?, session.account_id, page).await?;
    Ok(Json(page).into_response())
}

/// Another user's order and a missing one get the same 404.
#[utoipa::path(get, path = "/api/account/orders/{id}", tag = "commerce", security(("session" = [])),
    params(("id" = String, Path, example = "1", description = "The order's `id`")),
    responses(
        (status = 200, description = "The order with its items", body = OrderView),
        (status = 404, description = "No such order of this user", body = ApiError),
    ))]
async fn one_order(
    State(state): State<AppState>,
    session: Session,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let id = path
        .ok()
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .ok_or_else(|| not_found("order"))?;
    let order = orders::one_for(&mut *state.db.acquire().await?, session.account_id, id)
        .await?
        .ok_or_else(|| not_found("order"))?;
    Ok(Json(order).into_response())
}

/// `?lang=`: missing is the account's language.
fn lang_of(current: &CurrentAccount, query: QueryMap) -> Result<Lang, AppError> {
    let Query(query) = query.map_err(|_| invalid_query("lang", "the query string is malformed"))?;
    match query.get("lang") {
        Some(code) => Lang::parse(code).map_err(AppError::bad_request),
        None => Ok(current.account.lang),
    }
}

async fn promotions_of(
    state: &AppState,
    session: &Session,
    lang: Lang,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let view = promotions::for_account(
        &mut *state.db.acquire().await?,
        session.account_id,
        lang,
        now,
    )
    .await?;
    Ok(Json(view).into_response())
}

#[utoipa::path(get, path = "/api/account/promotions", tag = "commerce", security(("session" = [])),
    params(("lang" = Option<Lang>, Query, description = "The language of the texts; the account's language when absent")),
    responses(
        (status = 200, description = "Current promotions and the user's past ones", body = Promotions),
        (status = 400, description = "`invalid_query`: an unknown language", body = ApiError),
    ))]
async fn list_promotions(
    State(state): State<AppState>,
    current: CurrentAccount,
    query: QueryMap,
) -> Result<Response, AppError> {
    let lang = lang_of(&current, query)?;
    promotions_of(&state, &current.session, lang).await
}

#[utoipa::path(post, path = "/api/account/promotions/{slug}/join", tag = "commerce", security(("session" = [])),
    params(("slug" = String, Path), ("lang" = Option<Lang>, Query, description = "The language of the answer's texts")),
    responses(
        (status = 200, description = "Taking part (again is a no-op); the promotions as they are now", body = Promotions),
        (status = 400, description = "`invalid_query`: an unknown language", body = ApiError),
        (status = 404, description = "No such promotion", body = ApiError),
        (status = 409, description = "`promotion_closed`: not running now", body = ApiError),
    ))]
async fn join(
    State(state): State<AppState>,
    current: CurrentAccount,
    path: Result<Path<String>, PathRejection>,
    query: QueryMap,
) -> Result<Response, AppError> {
    change(state, current, path, query, true).await
}

#[utoipa::path(post, path = "/api/account/promotions/{slug}/leave", tag = "commerce", security(("session" = [])),
    params(("slug" = String, Path), ("lang" = Option<Lang>, Query, description = "The language of the answer's texts")),
    responses(
        (status = 200, description = "Left (again is a no-op); the promotions as they are now", body = Promotions),
        (status = 400, description = "`invalid_query`: an unknown language", body = ApiError),
        (status = 404, description = "No such promotion", body = ApiError),
        (status = 409, description = "`promotion_closed`: not running now", body = ApiError),
    ))]
async fn leave(
    State(state): State<AppState>,
    current: CurrentAccount,
    path: Result<Path<String>, PathRejection>,
    query: QueryMap,
) -> Result<Response, AppError> {
    change(state, current, path, query, false).await
}

/// Join or leave, then the promotions as `GET` shows them (in `?lang=` or the account's).
async fn change(
    state: AppState,
    current: CurrentAccount,
    path: Result<Path<String>, PathRejection>,
    query: QueryMap,
    join: bool,
) -> Result<Response, AppError> {
    let lang = lang_of(&current, query)?;
    let session = &current.session;
    let Ok(Path(slug)) = path else {
        return Err(not_found("promotion"));
    };
    let now = state.clock.now();
    let change = if join {
        promotions::join(&state.db, session.account_id, &slug, now).await?
    } else {
        promotions::leave(&state.db, session.account_id, &slug, now).await?
    };
    match change {
        Change::Done => promotions_of(&state, session, lang).await,
        Change::UnknownSlug => Err(not_found("promotion")),
        Change::Closed => Err(AppError::Client(ApiError::new(
            ErrorCode::PromotionClosed,
            "this promotion is not running now",
        ))),
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares the digests byte by byte without stopping early: how long it takes says nothing
/// about how much of the token was right (and hashing first hides its length).
fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (digest(given.as_bytes()), digest(expected.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn unauthorized(challenge: &'static str, message: &str) -> Response {
    let err = ApiError::new(ErrorCode::Unauthenticated, message);
    let mut response = (StatusCode::UNAUTHORIZED, Json(err)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// A request of the commerce system: it sent `Authorization: Bearer <FK_SERVICE_TOKEN>`.
/// Anything else is refused before its body is read.
struct ServiceToken;

impl FromRequestParts<AppState> for ServiceToken {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match refusal(state, parts) {
            Some(response) => Err(response),
            None => Ok(ServiceToken),
        }
    }
}

/// The answer to give instead when the request lacks `Authorization: Bearer <FK_SERVICE_TOKEN>`.
fn refusal(state: &AppState, parts: &Parts) -> Option<Response> {
    let Some(expected) = state.service_token.as_deref() else {
        let err = ApiError::new(
            ErrorCode::Forbidden,
            "the internal API is off: set FK_SERVICE_TOKEN",
        );
        return Some(AppError::Client(err).into_response());
    };
    let given = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        None => Some(unauthorized(
            "Bearer",
            "send the service token as Authorization: Bearer …",
        )),
        Some(token) if !same_token(token, expected) => Some(unauthorized(
            "Bearer error=\"invalid_token\"",
            "wrong service token",
        )),
        Some(_) => None,
    }
}

/// An order from the commerce system: 201 when new, 200 for a replay or a status change.
#[utoipa::path(put, path = "/api/internal/orders/{number}", tag = "internal", security(("service_token" = [])),
    params(("number" = String, Path, description = "The commerce system's order number")),
    request_body = OrderPush,
    responses(
        (status = 201, description = "A new order", body = OrderView),
        (status = 200, description = "The order existed: unchanged, or its status changed", body = OrderView),
        (status = 403, description = "The internal API is off (no `FK_SERVICE_TOKEN`)", body = ApiError),
        (status = 409, description = "`order_conflict`: the number belongs to another order", body = ApiError),
    ))]
async fn push_order(
    State(state): State<AppState>,
    _: ServiceToken,
    path: Result<Path<String>, PathRejection>,
    ApiJson(push): ApiJson<OrderPush>,
) -> Result<Response, AppError> {
    let number = path.map(|Path(n)| n).unwrap_or_default();
    fk_api::account::commerce::check_order_number(&number).map_err(AppError::bad_request)?;
    let (pushed, view) = orders::push(&state.db, &number, &push, state.clock.now()).await?;
    let status = if pushed == Pushed::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}
