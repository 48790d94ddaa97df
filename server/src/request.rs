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
pub async fn json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    what: &str,
) -> Result<T, AppError> {
    decode(headers, &bytes(body).await?, what)
}

/// The whole body, at most `MAX_BODY`: 413 when larger, 408 past the body deadline of
/// `serve`, 400 when the client cut it off or garbled it (chunked encoding).
pub async fn bytes(body: Body) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, crate::MAX_BODY)
        .await
        .map_err(|error| {
            let cause = error.into_inner();
            if caused_by::<crate::serve::BodyTimeout>(&*cause) {
                let err = ApiError::new(
                    ErrorCode::RequestTimeout,
                    "the body did not arrive in time; send it again",
                );
                AppError::Client(StatusCode::REQUEST_TIMEOUT, err)
            } else if caused_by::<http_body_util::LengthLimitError>(&*cause) {
                AppError::Client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ApiError::new(ErrorCode::PayloadTooLarge, "the body is too large"),
                )
            } else {
                AppError::bad_request(ApiError::new(
                    ErrorCode::InvalidJson,
                    "the body could not be read",
                ))
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
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub fn decode<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, AppError> {
    if media_type(headers) != "application/json" {
        return Err(AppError::Client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::new(
                ErrorCode::InvalidJson,
                format!("send the {what} as application/json"),
            ),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let error = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    // JSON has one kind of number, and `1.0` is the integer 1 (JSON Schema agrees); serde
    // does not take it for an integer field. A body refused for any reason is read once more
    // with its whole-valued floats written as integers (so the common case pays nothing);
    // if that fails too, the first error stands.
    if let Some(retried) =
        whole_numbers_as_integers(body).and_then(|v| serde_path_to_error::deserialize(v).ok())
    {
        return Ok(retried);
    }
    Err(error).map_err(|e| {
        // The path names the field whose value is wrong; an unknown or missing field is
        // named only in the message ("unknown field `role`", "missing field `email`").
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let named = ["unknown field `", "missing field `"]
            .iter()
            .find_map(|p| message.strip_prefix(p));
        let field = match named {
            Some(rest) => rest.split('`').next().map(String::from),
            None => Some(path).filter(|p| p != "."),
        };
        let err = ApiError::new(
            ErrorCode::InvalidJson,
            format!("the body is not a valid {what}: {message}"),
        );
        AppError::bad_request(match field {
            Some(f) if !f.is_empty() => err.with_field(f),
            _ => err,
        })
    })
}

/// The body as JSON with every float that is a whole number (within ±2^53, where a float is
/// exact) made an integer; `None` when it is not JSON or has no such float.
fn whole_numbers_as_integers(body: &[u8]) -> Option<serde_json::Value> {
    use serde_json::Value;
    fn walk(value: &mut Value) -> bool {
        match value {
            Value::Number(n) if n.is_f64() => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                let exact = x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0;
                if exact {
                    *value = Value::from(x as i64);
                }
                exact
            }
            Value::Array(items) => items.iter_mut().map(walk).fold(false, |a, b| a | b),
            Value::Object(fields) => fields.values_mut().map(walk).fold(false, |a, b| a | b),
            _ => false,
        }
    }
    let mut value: Value = serde_json::from_slice(body).ok()?;
    walk(&mut value).then_some(value)
}

/// The visitor's address: the peer, or behind a trusted proxy the last address it appended.
pub fn client_ip(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    let forwarded = state
        .trust_proxy
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    forwarded.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    })
}

pub fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(400)
        .collect()
}

/// What per-address throttles count: an IPv4 address, or the /64 an IPv6 address is in (one
/// subscriber's network, which hands its devices any address of it: counting whole IPv6
/// addresses would give one visitor 2^64 buckets). An IPv4-mapped IPv6 address is its IPv4.
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
    }
}

/// Who is asking: address, user agent and what it says about the browser and device
/// (clause 2.1's automatically collected data), for sessions and the security log.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: String,
    /// The address as per-address throttles count it ([`address_key`]).
    pub address_key: String,
    pub user_agent: String,
    pub agent: Agent,
}

impl Client {
    pub fn from_parts(state: &AppState, parts: &Parts) -> Client {
        let user_agent = user_agent(&parts.headers);
        let ip = client_ip(state, parts);
        Client {
            ip: ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            address_key: address_key(ip),
            agent: agent::parse(&user_agent),
            user_agent,
        }
    }
}

/// Text a client sent, made safe to write into a log line: control characters (a line break
/// that would forge a line of its own, a terminal escape sequence) and the invisible
/// formatting characters that reorder text are escaped as `\n`, `\u{1b}`, `\u{202e}`.
pub fn loggable(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}');
        if c.is_control() || invisible {
            safe.extend(c.escape_default());
        } else {
            safe.push(c);
        }
    }
    safe
}

/// Whether the request comes from a page of this very site: the browser's
/// `Sec-Fetch-Site: same-origin` (right even behind a proxy that rewrites `Host`), or an
/// `Origin` equal to the `Host` it was sent to or to the configured public URL.
pub fn is_same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        });
    own || origin == state.public_url.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_float_is_an_integer_and_nothing_else_is() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Form {
            version: u32,
            price: i64,
            ratio: f64,
        }
        let headers = {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            h
        };
        let read = |body: &str| decode::<Form>(&headers, body.as_bytes(), "form");
        assert_eq!(
            read(r#"{"version": 5503.0, "price": -2e3, "ratio": 2.0}"#).unwrap(),
            Form {
                version: 5503,
                price: -2000,
                ratio: 2.0
            }
        );
        assert!(
            read(r#"{"version": 1.5, "price": 1, "ratio": 1}"#).is_err(),
            "a fraction is no integer"
        );
        assert!(
            read(r#"{"version": -1.0, "price": 1, "ratio": 1}"#).is_err(),
            "nor a negative one a u32"
        );
        assert!(read(r#"{"version": 1e300, "price": 1, "ratio": 1}"#).is_err());
        match read(r#"{"version": "7", "price": 1, "ratio": 1}"#) {
            Err(AppError::Client(status, e)) => assert_eq!(
                (status, e.field.as_deref()),
                (StatusCode::BAD_REQUEST, Some("version"))
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn throttles_count_ipv4_addresses_and_ipv6_networks() {
        let key = |s: &str| address_key(Some(s.parse().unwrap()));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(
            key("::ffff:203.0.113.7"),
            "203.0.113.7",
            "an IPv4-mapped address is its IPv4"
        );
        assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff::9"),
            "one /64, one bucket"
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(address_key(None), "unknown");
    }

    #[test]
    fn logged_client_text_cannot_break_the_line_or_the_terminal() {
        let forged = "a\n2026-12-06T00:00:00Z  INFO forged line\r\u{1b}[31mred\u{202e}txt\u{7f}";
        let safe = loggable(forged);
        assert!(
            !safe.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{safe}"
        );
        assert_eq!(
            safe,
            "a\\n2026-12-06T00:00:00Z  INFO forged line\\r\\u{1b}[31mred\\u{202e}txt\\u{7f}"
        );
        assert_eq!(loggable("Қазақша, ordinary text"), "Қазақша, ordinary text");
    }
}
