//! `GET /consent.js`: the loader with the current setup written into it (configuration
//! revision, policy version, cookie names, where the banner is). Revalidated on every load,
//! so a changed configuration reaches returning visitors at once.
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

pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let loaded = state.cookie_config.current();
    let cookies: Map<String, Value> = loaded
        .config
        .categories
        .iter()
        .map(|c| (c.id.code().to_string(), json!(c.cookies.iter().map(|k| k.name.clone()).collect::<Vec<_>>())))
        .collect();
    let setup = json!({
        "revision": loaded.revision,
        "policyVersion": policy_version(&state).await?,
        "categories": loaded.config.categories.iter().map(|c| c.id.code()).collect::<Vec<_>>(),
        "cookies": cookies,
        "banner": state.banner.as_ref(),
    });
    let body = SOURCE.replacen(PLACEHOLDER, &setup.to_string(), 1);
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(body.as_bytes())[..8]));
    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex is a valid header"));
    // Loaded by pages on other origins: allow exactly that.
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    Ok(response)
}
