//! `/api/policy/…`: the current version, the list, one version, and the diff of two.
//! Every answer has an `ETag` and honours `If-None-Match`; numbered versions never change,
//! so they are cached for a year, while "current" and lists are revalidated each time.
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::policy::{parse_version, DiffRequest, PolicyDiff, PolicyVersion, PolicyVersionList};
use fk_api::{ApiError, ErrorCode, Lang};
use serde::Serialize;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, VersionRow};
use super::{diff, LoadError};
use crate::error::AppError;
use crate::precompressed::not_modified;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current))
        .routes(routes!(versions))
        .routes(routes!(one))
        .routes(routes!(compare))
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Database(e) => AppError::Database(e),
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn path_error(_: PathRejection) -> AppError {
    AppError::bad_request(
        ApiError::new(ErrorCode::NotFound, "the path is not valid UTF-8").with_field("path"),
    )
}

/// The `{lang}` path segment, validated by the shared rule.
fn requested_lang(path: Result<Path<String>, PathRejection>) -> Result<Lang, AppError> {
    Lang::parse(&path.map_err(path_error)?.0).map_err(AppError::not_found)
}

/// The language whose versions answer a request for `requested`: itself once it has any,
/// else Russian (the prevailing text), with the response saying so.
async fn served(state: &AppState, requested: Lang) -> Result<VersionRow, AppError> {
    if let Some(row) = super::latest_for(&state.db, requested).await? {
        return Ok(row);
    }
    Err(AppError::not_found(ApiError::new(
        ErrorCode::UnknownVersion,
        "no policy has been published yet",
    )))
}

fn unknown_version(version: u32, field: &str) -> AppError {
    AppError::not_found(
        ApiError::new(
            ErrorCode::UnknownVersion,
            format!("there is no version {version} of the policy"),
        )
        .with_field(field),
    )
}

/// Answers 304 when the client has `etag`; only otherwise loads and sends the body.
async fn conditional<T: Serialize>(
    headers: &HeaderMap,
    etag: String,
    cache: &'static str,
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<Response, AppError> {
    if not_modified(headers, &etag) {
        return Ok(unchanged(&etag, cache));
    }
    Ok(respond(&etag, cache, &body.await?))
}

fn respond<T: Serialize>(etag: &str, cache: &'static str, body: &T) -> Response {
    let mut response = Json(body).into_response();
    set_validators(response.headers_mut(), etag, cache);
    response
}

fn unchanged(etag: &str, cache: &'static str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set_validators(response.headers_mut(), etag, cache);
    response
}

fn set_validators(headers: &mut HeaderMap, etag: &str, cache: &'static str) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}

fn tag(row: &VersionRow) -> String {
    format!(
        "{}-{}-{}",
        row.lang.code(),
        row.version,
        &row.content_hash[..16]
    )
}

/// Which version answers "current" for `requested`, and its ETag (language, version, content,
/// the requested language and whether the Russian original is newer).
pub(super) struct Resolved {
    pub row: VersionRow,
    pub original_newer: bool,
    pub etag: String,
}

pub(super) async fn resolve(state: &AppState, requested: Lang) -> Result<Resolved, AppError> {
    let row = served(state, requested).await?;
    let original_newer = if row.lang != super::PREVAILING {
        super::prevailing(&state.db)
            .await?
            .is_some_and(|ru| ru.effective_at > row.effective_at)
    } else {
        false
    };
    let etag = format!(
        "\"{}-{}-{}\"",
        tag(&row),
        requested.code(),
        u8::from(original_newer)
    );
    Ok(Resolved {
        row,
        original_newer,
        etag,
    })
}

/// From memory (see `current.rs` for how fresh that is). The request's headers are read in
/// place: the `HeaderMap` extractor would copy them, on the hottest route there is.
#[utoipa::path(get, path = "/api/policy/{lang}", tag = "policy",
    params(("lang" = Lang, Path, description = "The language asked for; Russian's text answers until it has its own"),
        ("if-none-match" = Option<String>, Header, description = "An `ETag` from an earlier answer")),
    responses(
        (status = 200, description = "The version in force", body = PolicyVersion, headers(("etag" = String), ("cache-control" = String))),
        (status = 304, description = "Unchanged since the `ETag` given", headers(("etag" = String))),
        (status = 404, description = "An unknown language, or nothing published yet", body = ApiError),
    ))]
async fn current(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Result<Response, AppError> {
    let requested = requested_lang(path)?;
    let entry = state.current_policies.get(&state, requested).await?;
    Ok(entry.respond(request.headers(), REVALIDATE))
}

#[utoipa::path(get, path = "/api/policy/{lang}/versions", tag = "policy",
    params(("lang" = Lang, Path), ("if-none-match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Every published version, newest first", body = PolicyVersionList, headers(("etag" = String))),
        (status = 304, description = "Unchanged since the `ETag` given", headers(("etag" = String))),
        (status = 404, description = "An unknown language, or nothing published yet", body = ApiError),
    ))]
async fn versions(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let requested = requested_lang(path)?;
    let latest = served(&state, requested).await?;
    let etag = format!("\"list-{}-{}\"", tag(&latest), requested.code());
    conditional(&headers, etag, REVALIDATE, list(&state, &latest, requested)).await
}

async fn list(
    state: &AppState,
    latest: &VersionRow,
    requested: Lang,
) -> Result<PolicyVersionList, AppError> {
    let rows = store::list(&state.db, latest.lang).await?;
    Ok(PolicyVersionList {
        lang: latest.lang,
        requested_lang: requested,
        versions: rows.iter().map(VersionRow::summary).collect(),
    })
}

/// What a page of the policy viewer shows: the current version, or version `number` when
/// given, with the newest number; `None` when there is no such version (or none at all).
pub async fn shown(
    state: &AppState,
    requested: Lang,
    number: Option<u32>,
) -> Result<Option<(PolicyVersion, u32)>, AppError> {
    let Some(latest) = super::latest_for(&state.db, requested).await? else {
        return Ok(None);
    };
    let (row, original_newer) = match number {
        None => {
            let resolved = resolve(state, requested).await?;
            (resolved.row, resolved.original_newer)
        }
        Some(n) => match store::find(&state.db, latest.lang, n).await? {
            Some(row) => (row, false),
            None => return Ok(None),
        },
    };
    let document = state.documents.get(&state.db, &row).await?;
    let version = PolicyVersion {
        summary: row.summary(),
        requested_lang: requested,
        original_newer,
        document: (*document).clone(),
    };
    Ok(Some((version, latest.version)))
}

/// Every published version, as `/policy/versions` shows them; `None` before the first.
pub async fn listed(
    state: &AppState,
    requested: Lang,
) -> Result<Option<PolicyVersionList>, AppError> {
    match super::latest_for(&state.db, requested).await? {
        Some(latest) => Ok(Some(list(state, &latest, requested).await?)),
        None => Ok(None),
    }
}

#[utoipa::path(get, path = "/api/policy/{lang}/versions/{version}", tag = "policy",
    params(("lang" = Lang, Path), ("version" = u32, Path, minimum = 1), ("if-none-match" = Option<String>, Header)),
    responses(
        (status = 200, description = "That version (numbered versions never change)", body = PolicyVersion, headers(("etag" = String))),
        (status = 304, description = "Unchanged since the `ETag` given", headers(("etag" = String))),
        (status = 400, description = "`invalid_version`: not a version number", body = ApiError),
        (status = 404, description = "An unknown language or version", body = ApiError),
    ))]
async fn one(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Path((lang, version)) = path.map_err(path_error)?;
    let requested = Lang::parse(&lang).map_err(AppError::not_found)?;
    let version = parse_version(&version, "version").map_err(AppError::bad_request)?;
    let lang = served(&state, requested).await?.lang;
    let row = store::find(&state.db, lang, version)
        .await?
        .ok_or_else(|| unknown_version(version, "version"))?;
    // A fallback answer changes once the language gets its own text: revalidate it.
    let cache = if lang == requested {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let etag = format!("\"{}-{}\"", tag(&row), requested.code());
    conditional(&headers, etag, cache, async {
        let document = state.documents.get(&state.db, &row).await?;
        Ok(PolicyVersion {
            summary: row.summary(),
            requested_lang: requested,
            original_newer: false,
            document: (*document).clone(),
        })
    })
    .await
}

#[utoipa::path(get, path = "/api/policy/{lang}/diff", tag = "policy",
    params(("lang" = Lang, Path), ("from" = u32, Query, minimum = 1), ("to" = Option<u32>, Query, minimum = 1, description = "The current version when absent"),
        ("if-none-match" = Option<String>, Header)),
    responses(
        (status = 200, description = "What changed, clause by clause", body = PolicyDiff, headers(("etag" = String))),
        (status = 304, description = "Unchanged since the `ETag` given", headers(("etag" = String))),
        (status = 400, description = "`invalid_diff`: `from` missing or not a version number", body = ApiError),
        (status = 404, description = "An unknown language or version", body = ApiError),
    ))]
async fn compare(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let requested = requested_lang(path)?;
    let Query(query) = query.map_err(|_| {
        AppError::bad_request(
            ApiError::new(ErrorCode::InvalidDiff, "the query string is malformed")
                .with_field("from"),
        )
    })?;
    let request = DiffRequest::parse(
        query.get("from").map(String::as_str),
        query.get("to").map(String::as_str),
    )
    .map_err(AppError::bad_request)?;
    let latest = served(&state, requested).await?;
    let lang = latest.lang;
    let from = store::find(&state.db, lang, request.from)
        .await?
        .ok_or_else(|| unknown_version(request.from, "from"))?;
    let to = match request.to {
        Some(n) => store::find(&state.db, lang, n)
            .await?
            .ok_or_else(|| unknown_version(n, "to"))?,
        None => latest,
    };
    // A version compared with itself is a valid question with a plain answer: nothing changed.
    let cache = if request.to.is_some() && lang == requested {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let etag = format!("\"diff-{}-{}-{}\"", tag(&from), tag(&to), requested.code());
    conditional(&headers, etag, cache, async {
        let (old, new) = (
            state.documents.get(&state.db, &from).await?,
            state.documents.get(&state.db, &to).await?,
        );
        Ok(PolicyDiff {
            lang,
            from: from.summary(),
            to: to.summary(),
            units: diff::diff(&old, &new),
        })
    })
    .await
}
