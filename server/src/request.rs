//! What handlers read from a request besides its route and client: a JSON body with our
//! error shape, and whether it comes from this site.
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use fk_api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::AppState;

/// A JSON request body, read by hand so that every kind of bad input gets our error shape:
/// wrong media type (415), too large (413), too slow (408), malformed, wrong type, unknown
/// field (400, the field named in `field`).
pub struct ApiJson<T>(pub T);

/// What a request body is called in the errors about it ("the body is not a valid sign-in").
pub trait Named {
    const NAME: &'static str;
}

macro_rules! named {
    ($($type:path => $name:literal,)*) => {
        $(impl Named for $type { const NAME: &'static str = $name; })*
    };
}

named! {
    fk_api::account::SignInRequest => "sign-in",
    fk_api::account::two_step::SecondStepRequest => "second step",
    fk_api::account::two_step::TwoStepEnableRequest => "code",
    fk_api::account::passkeys::AddPasskeyRequest => "new passkey",
    fk_api::account::passkeys::PasskeySignInRequest => "passkey sign-in",
    fk_api::account::passkeys::RenamePasskeyRequest => "passkey name",
    fk_api::account::passkeys::PasskeyConfirmRequest => "passkey confirmation",
    fk_api::account::ReauthRequest => "password confirmation",
    fk_api::account::RecoverRequest => "recovery request",
    fk_api::account::ResetRequest => "password reset",
    fk_api::account::VerifyRequest => "link",
    fk_api::account::RegisterRequest => "registration",
    fk_api::account::VerifyAddressRequest => "verification",
    fk_api::account::profile::ProfileUpdate => "profile",
    fk_api::account::profile::EmailChangeRequest => "new e-mail address",
    fk_api::account::profile::PasswordChangeRequest => "password change",
    fk_api::account::data::DeleteRequest => "deletion request",
    fk_api::account::data::AcknowledgeRequest => "acknowledgement",
    fk_api::account::commerce::OrderPush => "order",
    fk_api::account::choices::ChoiceUpdate => "choice",
    fk_api::account::choices::UnsubscribeRequest => "unsubscribe request",
    fk_api::consent::ConsentRequest => "consent choice",
}

impl<T: DeserializeOwned + Named> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, _: &AppState) -> Result<Self, AppError> {
        let (parts, body) = request.into_parts();
        decode(&parts.headers, &bytes(body).await?, T::NAME).map(ApiJson)
    }
}

/// The whole body, at most `MAX_BODY`: 413 when larger, 408 past the body deadline of
/// `serve`, 400 when the client cut it off or garbled it (chunked encoding).
pub async fn bytes(body: Body) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, crate::MAX_BODY)
        .await
        .map_err(|error| {
            let cause = error.into_inner();
            if caused_by::<crate::serve::BodyTimeout>(&*cause) {
                AppError::Client(ApiError::new(
                    ErrorCode::RequestTimeout,
                    "the body did not arrive in time; send it again",
                ))
            } else if caused_by::<http_body_util::LengthLimitError>(&*cause) {
                AppError::Client(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "the body is too large",
                ))
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
        return Err(AppError::unsupported_media_type(ApiError::new(
            ErrorCode::InvalidJson,
            format!("send the {what} as application/json"),
        )));
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

/// The cookies a request carries, as (name, value) pairs in the order sent.
pub fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
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
            Err(AppError::Placed(status, e)) => assert_eq!(
                (status, e.field.as_deref()),
                (axum::http::StatusCode::BAD_REQUEST, Some("version"))
            ),
            other => panic!("{other:?}"),
        }
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
