//! Unsubscribe links (clause 7.2). Every newsletter carries an opaque per-account token for
//! its list, in `List-Unsubscribe` (RFC 2369) with `List-Unsubscribe-Post` (RFC 8058) and as
//! a visible link. Only the token's hash is stored. A token stays valid, and using it again
//! changes nothing, until the account is deleted (its rows go with it) or its address changes
//! (a letter sent to the old one no longer acts on the account).
//!
//! Three ways in:
//! - `POST /unsubscribe?token=…` with `List-Unsubscribe=One-Click`: what a mail program
//!   (Gmail, Yandex, Mail.ru) sends from its own servers. No cookie, no Origin: the token is
//!   the authority, so there is no CSRF check. It can only turn a list off, answers 200 in
//!   plain text, never redirects.
//! - `GET /unsubscribe?token=…` is the SPA's page (see `spa.rs`): opening a link, which mail
//!   scanners also do, changes nothing. The page calls the two JSON endpoints below.
//! - `POST /api/unsubscribe/preview` and `POST /api/unsubscribe` (same-origin only): what
//!   would change, and the change itself, with "undo" (`subscribed: true`).
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use fk_api::account::choices::{
    mask_email, Choice, ChoiceSource, UnsubscribeRequest, UnsubscribeView,
};
use fk_api::account::{is_token, VerifyRequest};
use fk_api::{ApiError, ErrorCode, Lang};
use sqlx::{AnyConnection, Row};

use super::store;
use crate::auth::tokens::{hash, new_token};
use crate::error::AppError;
use crate::request::ApiJson;
use crate::AppState;

/// A new token for `choice` (an e-mail list: [`Choice::is_email_list`]) of the account; the
/// caller puts it in a letter and commits.
pub async fn issue(
    conn: &mut AnyConnection,
    account_id: i64,
    choice: Choice,
    now: i64,
) -> Result<String, sqlx::Error> {
    if !choice.is_email_list() {
        return Err(sqlx::Error::InvalidArgument(format!(
            "{} is not an e-mail list",
            choice.code()
        )));
    }
    let token = new_token();
    sqlx::query("INSERT INTO unsubscribe_tokens (token_hash, account_id, choice, created_at) VALUES ($1, $2, $3, $4)")
        .bind(hash(&token))
        .bind(account_id)
        .bind(choice.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// The account's address changed: unsubscribe links of letters sent to the old one (which
/// someone else may read) stop acting on the account, and showing its new address.
pub async fn revoke_all(conn: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM unsubscribe_tokens WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The link of a letter: the same URL for the header and the text (GET shows the page).
pub fn link(state: &AppState, token: &str) -> String {
    format!(
        "{}/unsubscribe?token={token}",
        state.public_url.trim_end_matches('/')
    )
}

/// Whom and which list a token is for.
struct Holder {
    account_id: i64,
    choice: Choice,
    email: String,
    lang: Lang,
}

/// Malformed, unknown and a deleted account's tokens all come out as `None`.
async fn find(conn: &mut AnyConnection, token: &str) -> Result<Option<Holder>, sqlx::Error> {
    if !is_token(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT t.account_id, t.choice, a.email, a.lang FROM unsubscribe_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1",
    )
    .bind(hash(token))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(choice) =
        Choice::from_code(&row.try_get::<String, _>("choice")?).filter(|c| c.is_email_list())
    else {
        return Ok(None);
    };
    Ok(Some(Holder {
        account_id: row.try_get("account_id")?,
        choice,
        email: row.try_get("email")?,
        lang: Lang::from_code(&row.try_get::<String, _>("lang")?).unwrap_or_default(),
    }))
}

fn link_invalid() -> AppError {
    AppError::not_found(
        ApiError::new(ErrorCode::LinkInvalid, "this unsubscribe link is not valid")
            .with_field("token"),
    )
}

async fn view(conn: &mut AnyConnection, holder: &Holder) -> Result<UnsubscribeView, sqlx::Error> {
    let subscribed = store::current(conn, holder.account_id)
        .await?
        .enabled(holder.choice);
    Ok(UnsubscribeView {
        choice: holder.choice,
        email: mask_email(&holder.email),
        subscribed,
    })
}

/// `POST /api/unsubscribe/preview`: what the page shows before anything changes.
#[utoipa::path(post, path = "/api/unsubscribe/preview", tag = "choices", request_body = VerifyRequest,
    responses(
        (status = 200, description = "Which list the letter's link is for, to which (masked) address, and whether it is on", body = UnsubscribeView),
        (status = 404, description = "`link_invalid`", body = ApiError),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    ApiJson(form): ApiJson<VerifyRequest>,
) -> Result<Json<UnsubscribeView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let holder = find(&mut conn, &form.token)
        .await?
        .ok_or_else(link_invalid)?;
    Ok(Json(view(&mut conn, &holder).await?))
}

/// `POST /api/unsubscribe`: the page's "unsubscribe", or its "undo" (`subscribed: true`).
#[utoipa::path(post, path = "/api/unsubscribe", tag = "choices", request_body = UnsubscribeRequest,
    responses(
        (status = 200, description = "Done; the list as it is now", body = UnsubscribeView),
        (status = 404, description = "`link_invalid`", body = ApiError),
    ))]
pub async fn from_page(
    State(state): State<AppState>,
    ApiJson(form): ApiJson<UnsubscribeRequest>,
) -> Result<Json<UnsubscribeView>, AppError> {
    if !is_token(&form.token) {
        return Err(link_invalid());
    }
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let holder = find(&mut tx, &form.token).await?.ok_or_else(link_invalid)?;
    if form.subscribed && !may_undo(&mut tx, &holder, now).await? {
        return Err(AppError::Client(
            ApiError::new(
                ErrorCode::Forbidden,
                "to subscribe again, sign in and turn it on in the personal section",
            )
            .with_field("subscribed"),
        ));
    }
    store::set(
        &mut tx,
        holder.account_id,
        holder.choice,
        form.subscribed,
        ChoiceSource::UnsubscribePage,
        now,
    )
    .await?;
    let view = view(&mut tx, &holder).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// How long after leaving a list from a letter the page's "undo" may subscribe again.
pub const UNDO_WINDOW: i64 = 3600;

/// Subscribing with a letter's token is only the page's "undo": shortly after the list was left
/// from a letter, or while it is still on (nothing changes). Otherwise it takes signing in: a
/// forwarded or years-old letter must not give consent in someone's name.
async fn may_undo(
    conn: &mut AnyConnection,
    holder: &Holder,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let last = sqlx::query("SELECT enabled, source, at FROM choice_events WHERE account_id = $1 AND choice = $2 ORDER BY id DESC LIMIT 1")
        .bind(holder.account_id)
        .bind(holder.choice.code())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(last) = last else { return Ok(false) };
    let enabled = last.try_get::<i32, _>("enabled")? != 0;
    let from_letter = matches!(
        ChoiceSource::from_code(&last.try_get::<String, _>("source")?),
        Some(ChoiceSource::UnsubscribePage | ChoiceSource::OneClick)
    );
    Ok(enabled || (from_letter && now - last.try_get::<i64, _>("at")? <= UNDO_WINDOW))
}

/// `GET /unsubscribe?token=…`: the letter's link opened in a browser, the SPA's page that asks
/// before it unsubscribes (a mail scanner following links must not unsubscribe anyone).
#[utoipa::path(get, path = "/unsubscribe", tag = "choices",
    params(("token" = Option<String>, Query, description = "The token of the letter's link")),
    responses((status = 200, description = "The web app's unsubscribe page", content_type = "text/html", body = String)),
    extensions(("x-no-database" = json!(true))))]
pub async fn page(state: State<AppState>, request: Request) -> Response {
    crate::spa::fallback(state, request).await
}

/// The one-click form of RFC 8058, as the API document describes it (the handler reads the
/// body itself: it may also come as multipart/form-data).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct OneClick {
    #[schema(rename = "List-Unsubscribe", pattern = "^One-Click$")]
    list_unsubscribe: String,
}

/// `POST /unsubscribe?token=…`, RFC 8058. Every answer, errors included, is `no-store`.
#[utoipa::path(post, path = "/unsubscribe", tag = "choices",
    params(("token" = String, Query, description = "The token of the letter's `List-Unsubscribe` address")),
    request_body(content = OneClick, content_type = "application/x-www-form-urlencoded",
        description = "RFC 8058: `List-Unsubscribe=One-Click`, form-urlencoded or multipart/form-data"),
    responses(
        (status = 200, description = "The list is off; a sentence saying so", content_type = "text/plain", body = String),
        (status = 400, description = "The body is not `List-Unsubscribe=One-Click`", body = ApiError),
        (status = 404, description = "`link_invalid`", body = ApiError),
    ))]
pub async fn one_click(State(state): State<AppState>, request: Request) -> Response {
    // A query that does not parse (or has no token) is just a link that does not work.
    let token = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(pairs)| {
            pairs
                .into_iter()
                .find_map(|(k, v)| (k == "token").then_some(v))
        })
        .unwrap_or_default();
    let mut response = match one_click_inner(&state, token, request).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn one_click_inner(
    state: &AppState,
    token: String,
    request: Request,
) -> Result<Response, AppError> {
    if !asks_one_click(state, request).await {
        return Err(AppError::bad_request(
            ApiError::new(
                ErrorCode::InvalidQuery,
                "send the form field List-Unsubscribe=One-Click (RFC 8058)",
            )
            .with_field("List-Unsubscribe"),
        ));
    }
    if !is_token(&token) {
        return Err(link_invalid());
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let holder = find(&mut tx, &token).await?.ok_or_else(link_invalid)?;
    // Off only: a replay finds it off already and writes nothing.
    store::set(
        &mut tx,
        holder.account_id,
        holder.choice,
        false,
        ChoiceSource::OneClick,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    let mut response = (StatusCode::OK, done_sentence(holder.lang, holder.choice)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// Whether the body is `List-Unsubscribe=One-Click`: form-urlencoded, as Gmail sends it, or
/// multipart/form-data, which RFC 8058 names first.
async fn asks_one_click(state: &AppState, request: Request) -> bool {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match crate::request::media_type(request.headers()).as_str() {
        "application/x-www-form-urlencoded" => {
            match Form::<Vec<(String, String)>>::from_request(request, state).await {
                Ok(Form(fields)) => fields
                    .iter()
                    .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click"),
                Err(_) => false,
            }
        }
        "multipart/form-data" => {
            let Some(boundary) = multipart_boundary(&content_type) else {
                return false;
            };
            let Ok(body) = axum::body::to_bytes(request.into_body(), crate::MAX_BODY).await else {
                return false;
            };
            multipart_asks_one_click(&body, &boundary)
        }
        _ => false,
    }
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// A part named `List-Unsubscribe` whose content is `One-Click` (RFC 7578).
fn multipart_asks_one_click(body: &[u8], boundary: &str) -> bool {
    let Ok(body) = std::str::from_utf8(body) else {
        return false;
    };
    body.split(&format!("--{boundary}")).any(|part| {
        let Some((headers, content)) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))
        else {
            return false;
        };
        let named = headers.lines().any(|line| {
            let lower = line.to_ascii_lowercase();
            lower.starts_with("content-disposition:")
                && lower.contains("form-data")
                && line.contains("name=\"List-Unsubscribe\"")
        });
        named && content.trim_end_matches(['\r', '\n']) == "One-Click"
    })
}

/// The one-click answer: nobody may ever read it (a mail program asks), but a person trying
/// the link with a tool should understand it, in their language.
fn done_sentence(lang: Lang, choice: Choice) -> &'static str {
    match (lang, choice) {
        (Lang::Ru, Choice::SupportMaterials) => {
            "Вы отписались от материалов службы поддержки ForteKassa.\n"
        }
        (Lang::Ru, _) => "Вы отписались от новостей и предложений ForteKassa.\n",
        (Lang::Kk, Choice::SupportMaterials) => {
            "Сіз ForteKassa қолдау қызметінің материалдарынан бас тарттыңыз.\n"
        }
        (Lang::Kk, _) => "Сіз ForteKassa жаңалықтары мен ұсыныстарынан бас тарттыңыз.\n",
        (Lang::En, Choice::SupportMaterials) => {
            "You have unsubscribed from ForteKassa support materials.\n"
        }
        (Lang::En, _) => "You have unsubscribed from ForteKassa news and offers.\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multipart_one_click() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
        assert!(multipart_asks_one_click(body.as_bytes(), "XyZ"));
        assert!(!multipart_asks_one_click(
            body.replace("One-Click", "Yes").as_bytes(),
            "XyZ"
        ));
        assert!(!multipart_asks_one_click(
            body.replace("List-Unsubscribe", "Other").as_bytes(),
            "XyZ"
        ));
        assert_eq!(multipart_boundary("multipart/form-data"), None);
    }

    #[test]
    fn the_answer_speaks_every_language() {
        for choice in [Choice::NewsEmail, Choice::SupportMaterials] {
            let [ru, kk, en] = Lang::ALL.map(|lang| done_sentence(lang, choice));
            assert!(ru != kk && kk != en && ru != en);
        }
    }
}
