//! `GET /consent.js`: the loader with the current setup written into it (configuration
//! revision, policy version, cookie names, where the banner is). Revalidated on every load,
//! so a changed configuration reaches returning visitors at once.
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::http::policy_version;
use crate::error::AppError;
use crate::AppState;

pub const SOURCE: &str = include_str!("../../../consent/loader.js");
const PLACEHOLDER: &str = "/*FK_SETUP*/null";

/// The built banner's files, from `dist/consent/manifest.json` (written by xtask).
pub fn banner_manifest(dist: &std::path::Path) -> Option<Value> {
    let text = std::fs::read_to_string(dist.join("consent/manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The last loader served, with its ETag. Every page view of every embedding site asks for
/// `/consent.js`, while its setup changes only on a configuration edit or a publication.
#[derive(Clone, Default)]
pub struct Rendered(Arc<Mutex<Option<Cached>>>);

/// The setup (configuration revision and policy version) the loader was rendered for, and
/// what was rendered.
type Cached = (String, Arc<(String, String)>);

#[utoipa::path(get, path = "/consent.js", tag = "consent",
    params(("if-none-match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The banner's loader script, for any site's pages (`<script src defer>`)", content_type = "text/javascript", body = String,
            headers(("etag" = String), ("cross-origin-resource-policy" = String))),
        (status = 304, description = "Unchanged since the `ETag` given"),
    ))]
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let (body, etag) = &*rendered(&state).await?;
    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body.clone()).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::ETAG, HeaderValue::from_str(etag).expect("hex is a valid header"));
    // Loaded by pages on other origins: allow exactly that.
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    Ok(response)
}

/// The loader for the current setup: rebuilt only when the revision or policy version moves.
async fn rendered(state: &AppState) -> Result<Arc<(String, String)>, AppError> {
    let loaded = state.cookie_config.current();
    let policy_version = policy_version(state).await?;
    let key = format!("{}/{policy_version}", loaded.revision);
    if let Some((held, rendered)) = &*state.consent_loader.0.lock().unwrap_or_else(|e| e.into_inner()) {
        if *held == key {
            return Ok(rendered.clone());
        }
    }
    let cookies: Map<String, Value> = loaded
        .config
        .categories
        .iter()
        .map(|c| (c.id.code().to_string(), json!(c.cookies.iter().map(|k| k.name.clone()).collect::<Vec<_>>())))
        .collect();
    let setup = json!({
        "revision": loaded.revision,
        "policyVersion": policy_version,
        "categories": loaded.config.categories.iter().map(|c| c.id.code()).collect::<Vec<_>>(),
        "cookies": cookies,
        "banner": state.banner.as_ref(),
    });
    let body = SOURCE.replacen(PLACEHOLDER, &setup.to_string(), 1);
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(body.as_bytes())[..8]));
    let rendered = Arc::new((body, etag));
    *state.consent_loader.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, rendered.clone()));
    Ok(rendered)
}
