use serde::{Deserialize, Serialize};

/// Machine-readable reason of an [`ApiError`]. The UI shows a localized message per code;
/// `message` is the English text for operators, logs and API clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnknownLanguage,
    UnknownVersion,
    InvalidVersion,
    InvalidDiff,
    InvalidConsent,
    InvalidJson,
    /// A query parameter (`?page=`, `?lang=`) that is not valid; `field` names it.
    InvalidQuery,
    UnknownConsent,
    Forbidden,
    // Account fields: one code per problem, so the form can say exactly what to fix.
    FirstNameRequired,
    FirstNameTwoWords,
    FirstNameInvalid,
    FirstNameTooLong,
    EmailRequired,
    EmailInvalid,
    LoginLength,
    LoginInvalid,
    LoginTaken,
    BirthYearRequired,
    BirthYearInvalid,
    PasswordTooShort,
    PasswordTooLong,
    PasswordTooCommon,
    PasswordIsLogin,
    PasswordIsEmail,
    PolicyNotAccepted,
    PolicyOutdated,
    GuardianConsentRequired,
    /// Wrong login, e-mail or password: never says which.
    InvalidCredentials,
    /// A verification or reset link that is unknown, used or expired.
    LinkInvalid,
    /// Not signed in (or the session ended).
    Unauthenticated,
    /// A sensitive operation needs the password again (the last sign-in is too old).
    ReauthRequired,
    /// The verification link was opened in a browser other than the one that registered:
    /// the password chosen at registration is needed too.
    PasswordRequired,
    /// A password was asked for (to confirm a deletion, say) and none was typed: "enter your
    /// password", not "wrong password"; `field` names the field.
    PasswordMissing,
    /// Throttled: `retry_after` says how many seconds to wait.
    TooManyRequests,
    // The personal section.
    /// Not a Kazakh phone number (+7 7XX XXX XX XX).
    PhoneInvalid,
    /// SMS needs a phone number in the profile first.
    PhoneRequired,
    /// Someone (another tab) saved newer data first: reload, then change again.
    StaleData,
    /// The new e-mail address is the current one.
    EmailUnchanged,
    /// Another account has confirmed this address meanwhile.
    EmailTaken,
    /// The promotion is over (or has not started): it cannot be joined.
    PromotionClosed,
    /// An order from the commerce system that is not well formed.
    InvalidOrder,
    /// An order ID already used for another account's order.
    OrderConflict,
    // Two-step sign-in.
    /// No code was typed (`field`: `code` or `recovery_code`).
    CodeRequired,
    /// Not six digits (or both a code and a recovery code were sent).
    CodeInvalid,
    /// Not a code of this account's app now, or one already used.
    CodeWrong,
    /// Not of the form of a recovery code (`xxxxx-xxxxx`).
    RecoveryCodeInvalid,
    /// Not one of this account's unused recovery codes.
    RecoveryCodeWrong,
    /// The password was given too long ago (5 minutes), or in another browser: sign in again.
    SecondStepExpired,
    /// Two-step sign-in is already on.
    TwoStepOn,
    /// Two-step sign-in is off (or its setup was not started): nothing to confirm or renew.
    TwoStepOff,
    // Passkeys.
    /// A passkey's name is empty (`field`: `name`).
    PasskeyNameRequired,
    /// A passkey's name is longer than 64 characters, or holds control characters.
    PasskeyNameInvalid,
    /// The ceremony this response answers is unknown here: over 5 minutes old, already
    /// finished, or begun in another session. Start again.
    PasskeyChallengeExpired,
    /// Not a passkey response that can be read, or one that fails the checks (origin,
    /// challenge, signature, user verification); `field`: `credential`.
    PasskeyInvalid,
    /// Signing in with a passkey this site does not know (removed, or of a deleted account).
    PasskeyUnknown,
    /// This passkey is already registered here.
    PasskeyTaken,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    /// The request body arrived too slowly (the server's deadline for a body).
    RequestTimeout,
    DatabaseUnavailable,
    Internal,
    /// Produced by the client when the server could not be reached or answered garbage.
    Network,
}

/// The one error shape of the API: `{code, message, field}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `TooManyRequests`: seconds until the next attempt may succeed (also `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}
