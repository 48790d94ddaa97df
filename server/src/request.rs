//! What handlers read from a request besides its route: a JSON body with our error shape,
//! the client's address and browser, and whether it comes from this site.
use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use fk_api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

use crate::account::agent::{self, Agent};
use crate::error::AppError;
use crate::AppState;

/// Reads and decodes a JSON body by hand, so every kind of bad input gets our error shape:
/// wrong media type, too large, too slow, malformed, wrong type, unknown field (named in `field`).
pub async fn json<T: DeserializeOwned>(headers: &HeaderMap, body: Body, what: &str) -> Result<T, AppError> {
    decode(headers, &bytes(body).await?, what)
}

/// The whole body, at most `MAX_BODY`: 413 when larger, 408 past the body deadline of
/// `serve`, 400 when the client cut it off or garbled it (chunked encoding).
pub async fn bytes(body: Body) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, crate::MAX_BODY).await.map_err(|error| {
        let cause = error.into_inner();
        if caused_by::<crate::serve::BodyTimeout>(&*cause) {
            let err = ApiError::new(ErrorCode::RequestTimeout, "the body did not arrive in time; send it again");
            AppError::Client(StatusCode::REQUEST_TIMEOUT, err)
        } else if caused_by::<http_body_util::LengthLimitError>(&*cause) {
            AppError::Client(StatusCode::PAYLOAD_TOO_LARGE, ApiError::new(ErrorCode::PayloadTooLarge, "the body is too large"))
        } else {
            AppError::bad_request(ApiError::new(ErrorCode::InvalidJson, "the body could not be read"))
        }
    })
}

/// Whether `error`, or an error it wraps, is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |e| e.source()).any(|e| e.is::<E>())
}

/// The media type of the body, lower-case, without parameters (`charset`, `boundary`);
/// empty when not given.
pub fn media_type(headers: &HeaderMap) -> String {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

pub fn decode<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8], what: &str) -> Result<T, AppError> {
    if media_type(headers) != "application/json" {
        return Err(AppError::Client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::new(ErrorCode::InvalidJson, format!("send the {what} as application/json")),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        // The path names the field whose value is wrong; an unknown or missing field is
        // named only in the message ("unknown field `role`", "missing field `email`").
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let named = ["unknown field `", "missing field `"].iter().find_map(|p| message.strip_prefix(p));
        let field = match named {
            Some(rest) => rest.split('`').next().map(String::from),
            None => Some(path).filter(|p| p != "."),
        };
        let err = ApiError::new(ErrorCode::InvalidJson, format!("the body is not a valid {what}: {message}"));
        AppError::bad_request(match field {
            Some(f) if !f.is_empty() => err.with_field(f),
            _ => err,
        })
    })
}

/// The visitor's address: the peer, or behind a trusted proxy the last address it appended.
pub fn client_ip(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    let forwarded = state
        .trust_proxy
        .then(|| parts.headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse().ok())
        .flatten();
    forwarded.or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
}

pub fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().chars().take(400).collect()
}

/// Who is asking: address, user agent and what it says about the browser and device
/// (clause 2.1's automatically collected data), for sessions and the security log.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
    pub agent: Agent,
}

impl Client {
    pub fn from_parts(state: &AppState, parts: &Parts) -> Client {
        let user_agent = user_agent(&parts.headers);
        Client {
            ip: client_ip(state, parts).map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            agent: agent::parse(&user_agent),
            user_agent,
        }
    }
}

/// Whether the request comes from a page of this very site: the browser's
/// `Sec-Fetch-Site: same-origin` (right even behind a proxy that rewrites `Host`), or an
/// `Origin` equal to the `Host` it was sent to or to the configured public URL.
pub fn is_same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let own = headers.get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(|host| {
        origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
    });
    own || origin == state.public_url.trim_end_matches('/')
}
