use serde::{Deserialize, Serialize};

/// Machine-readable reason of an [`ApiError`]. The UI shows a localized message per code;
/// `message` is the English text for operators, logs and API clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnknownLanguage,
    UnknownVersion,
    InvalidVersion,
    InvalidDiff,
    InvalidConsent,
    InvalidJson,
    UnknownConsent,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    DatabaseUnavailable,
    Internal,
    /// Produced by the client when the server could not be reached or answered garbage.
    Network,
}

/// The one error shape of the API: `{code, message, field}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
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
