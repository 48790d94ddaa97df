//! Two-step sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes: what the
//! requests carry, what the server answers, and how a typed code is read. The browser checks
//! a code's form with these rules before sending it; the server with the same ones.
use serde::{Deserialize, Serialize};

use super::SessionView;
use crate::{ApiError, ErrorCode};

/// Digits of an authenticator app's code.
pub const CODE_DIGITS: usize = 6;
/// Seconds one code is shown for (RFC 6238's time step).
pub const CODE_STEP: u64 = 30;
/// Recovery codes made at a time; each works once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code, without the hyphen in its middle.
pub const RECOVERY_CODE_CHARS: usize = 10;
/// What a recovery code is written with: lower-case letters and digits that cannot be taken for
/// one another when read from paper (no 0/o, 1/l/i): 31 symbols, so a code holds 49 bits.
pub const RECOVERY_ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Seconds between the password and the code before the sign-in must start again.
pub const SECOND_STEP_SECONDS: i64 = 5 * 60;

/// The code from an authenticator app: six digits; spaces (apps show "123 456") are ignored.
pub fn parse_code(raw: &str) -> Result<String, ApiError> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(ApiError::new(ErrorCode::CodeRequired, "enter the code").with_field("code"));
    }
    if code.len() != CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            ApiError::new(ErrorCode::CodeInvalid, "the code is 6 digits").with_field("code"),
        );
    }
    Ok(code)
}

/// A recovery code as it is stored and compared: ten characters of [`RECOVERY_ALPHABET`], in
/// lower case. It is accepted however it was typed: in capitals, with or without the hyphen
/// or spaces.
pub fn parse_recovery_code(raw: &str) -> Result<String, ApiError> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if code.is_empty() {
        return Err(
            ApiError::new(ErrorCode::CodeRequired, "enter a recovery code")
                .with_field("recovery_code"),
        );
    }
    if code.len() != RECOVERY_CODE_CHARS || !code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return Err(ApiError::new(
            ErrorCode::RecoveryCodeInvalid,
            "a recovery code is 10 letters and digits, as xxxxx-xxxxx",
        )
        .with_field("recovery_code"));
    }
    Ok(code)
}

/// A stored recovery code as it is shown: `abcde-fghjk`.
pub fn show_recovery_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// What the sign-in form (or a reset link) leads to: the session, or the second step.
/// `{"next": "session", …the session's fields}` or `{"next": "second_step"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum SignInOutcome {
    /// Signed in: the session cookie is set.
    Session(SessionView),
    /// The password was right and two-step sign-in is on: a code is needed
    /// (`POST /api/account/sign-in/second-step`) within five minutes, in this browser.
    SecondStep,
}

/// `POST /api/account/sign-in/second-step`: the authenticator app's code, or one recovery
/// code in its place (exactly one of the two).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecondStepRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// What a second step proves, read from a [`SecondStepRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    Code(String),
    RecoveryCode(String),
}

impl SecondStepRequest {
    pub fn factor(&self) -> Result<SecondFactor, ApiError> {
        match (&self.code, &self.recovery_code) {
            (Some(code), None) => parse_code(code).map(SecondFactor::Code),
            (None, Some(code)) => parse_recovery_code(code).map(SecondFactor::RecoveryCode),
            (Some(_), Some(_)) => Err(ApiError::new(
                ErrorCode::CodeInvalid,
                "send the code or a recovery code, not both",
            )
            .with_field("recovery_code")),
            (None, None) => {
                Err(ApiError::new(ErrorCode::CodeRequired, "enter the code").with_field("code"))
            }
        }
    }
}

/// `POST /api/account/two-step/setup`: a new secret for the authenticator app, not in use until
/// a code from it is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct TwoStepSetup {
    /// The secret in base32, in groups of four, for typing into the app by hand.
    pub secret: String,
    /// `otpauth://totp/…`: what the QR code holds.
    pub uri: String,
    pub qr: QrCode,
}

/// A QR code drawn by the server: `size` modules a side, and an SVG path that fills the dark
/// ones (one unit a module, no quiet zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct QrCode {
    pub size: u32,
    pub path: String,
}

/// `POST /api/account/two-step/enable`: a code from the app, proving it has the secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TwoStepEnableRequest {
    pub code: String,
}

/// New recovery codes, shown this once (only their hashes are kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    /// `xxxxx-xxxxx`, ten of them.
    pub codes: Vec<String>,
}

/// `GET /api/account/security`: how the account is signed into, besides the password.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SecurityView {
    /// Two-step sign-in is on since this time (RFC 3339).
    #[serde(default)]
    pub two_step_since: Option<String>,
    /// Unused recovery codes (0 while two-step sign-in is off).
    #[serde(default)]
    pub recovery_codes_left: u32,
    /// The account's passkeys, oldest first.
    #[serde(default)]
    pub passkeys: Vec<super::passkeys::PasskeyView>,
    /// The address passkeys work at (`FK_PUBLIC_URL`'s origin; `http://localhost:…` when that
    /// is a loopback IP address, which WebAuthn does not accept as a site's name). A page
    /// opened elsewhere offers a link there instead of the browser's dialog.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub passkey_origin: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_and_spaces_are_ignored() {
        assert_eq!(parse_code("123 456").unwrap(), "123456");
        assert_eq!(parse_code(" 000000 ").unwrap(), "000000");
        for (raw, code) in [
            ("", ErrorCode::CodeRequired),
            ("   ", ErrorCode::CodeRequired),
            ("12345", ErrorCode::CodeInvalid),
            ("1234567", ErrorCode::CodeInvalid),
            ("12345a", ErrorCode::CodeInvalid),
            ("١٢٣٤٥٦", ErrorCode::CodeInvalid),
        ] {
            let e = parse_code(raw).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (code, Some("code")),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn a_recovery_code_is_read_however_it_was_typed() {
        assert_eq!(parse_recovery_code("abcde-fghjk").unwrap(), "abcdefghjk");
        assert_eq!(parse_recovery_code("ABCDE FGHJK").unwrap(), "abcdefghjk");
        assert_eq!(show_recovery_code("abcdefghjk"), "abcde-fghjk");
        for raw in [
            "abcde-fghj",
            "abcde-fghjkm",
            "abcde-fghj0",
            "abcde-fghjl",
            "abcde_fghjk",
        ] {
            let e = parse_recovery_code(raw).unwrap_err();
            assert_eq!(e.code, ErrorCode::RecoveryCodeInvalid, "{raw:?}");
            assert_eq!(e.field.as_deref(), Some("recovery_code"));
        }
        assert_eq!(
            parse_recovery_code(" - ").unwrap_err().code,
            ErrorCode::CodeRequired
        );
    }

    #[test]
    fn a_second_step_names_exactly_one_factor() {
        let both = SecondStepRequest {
            code: Some("123456".into()),
            recovery_code: Some("abcde-fghjk".into()),
        };
        assert_eq!(both.factor().unwrap_err().code, ErrorCode::CodeInvalid);
        assert_eq!(
            SecondStepRequest::default().factor().unwrap_err().code,
            ErrorCode::CodeRequired
        );
        let recovery = SecondStepRequest {
            recovery_code: Some("abcde-fghjk".into()),
            ..Default::default()
        };
        assert_eq!(
            recovery.factor().unwrap(),
            SecondFactor::RecoveryCode("abcdefghjk".into())
        );
    }

    #[test]
    fn the_outcome_of_a_sign_in_keeps_the_session_fields_at_the_top() {
        let json = serde_json::to_value(SignInOutcome::SecondStep).unwrap();
        assert_eq!(json, serde_json::json!({"next": "second_step"}));
    }
}
