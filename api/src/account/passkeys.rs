//! Passkeys (WebAuthn): what the requests carry, what the server answers, and the rule for a
//! passkey's name. The ceremonies' options and the browser's responses cross the API as the
//! JSON of the WebAuthn Level 3 spec (binary fields in base64url), which `webauthn-rs` reads
//! and writes on the server; the app only turns them into the browser's objects and back.
use serde::{Deserialize, Serialize};

use crate::{ApiError, ErrorCode};

/// Longest name of a passkey, in characters.
pub const NAME_MAX_CHARS: usize = 64;
/// Seconds a ceremony (adding a passkey, or signing in with one) may take before it must start
/// again; each is finished once.
pub const CHALLENGE_SECONDS: i64 = 5 * 60;

/// A passkey's name as stored: trimmed, 1 to 64 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(
            ApiError::new(ErrorCode::PasskeyNameRequired, "give the passkey a name")
                .with_field("name"),
        );
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::new(
            ErrorCode::PasskeyNameInvalid,
            format!("a passkey's name is at most {NAME_MAX_CHARS} characters, without control characters"),
        )
        .with_field("name"));
    }
    Ok(name.to_string())
}

/// The start of a ceremony: `options` for the browser (`{"publicKey": …}`, and `mediation`
/// when signing in), and the ID that finishes it within five minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PasskeyChallenge {
    pub challenge_id: String,
    /// `PublicKeyCredentialCreationOptionsJSON` or `…RequestOptionsJSON`, under `publicKey`.
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// `POST /api/account/passkeys`: the browser's new credential (`PublicKeyCredential.toJSON()`)
/// for the ceremony `challenge_id`, and the name the person gave it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddPasskeyRequest {
    pub challenge_id: String,
    pub name: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// `POST /api/account/sign-in/passkey`: the browser's assertion for the ceremony
/// `challenge_id`; no login is typed, the passkey says whose it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeySignInRequest {
    pub challenge_id: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// Keep the session after the browser closes, as with the password.
    #[serde(default)]
    pub remember: bool,
}

/// `POST /api/account/reauth/passkey`: the browser's assertion, in place of the password for a
/// sensitive operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyConfirmRequest {
    pub challenge_id: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// `PATCH /api/account/passkeys/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenamePasskeyRequest {
    pub name: String,
}

/// A passkey of the account as the page lists it (never its key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; none until it is first used to sign in.
    #[serde(default)]
    pub last_used_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(parse_name("  Телефон  ").unwrap(), "Телефон");
        assert_eq!(parse_name(&"я".repeat(64)).unwrap().chars().count(), 64);
        for (raw, code) in [
            ("", ErrorCode::PasskeyNameRequired),
            ("   ", ErrorCode::PasskeyNameRequired),
            (&"я".repeat(65) as &str, ErrorCode::PasskeyNameInvalid),
            ("a\u{0}b", ErrorCode::PasskeyNameInvalid),
            ("a\nb", ErrorCode::PasskeyNameInvalid),
        ] {
            let e = parse_name(raw).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (code, Some("name")),
                "{raw:?}"
            );
        }
    }
}
