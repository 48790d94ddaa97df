//! The one error type of the HTTP layer: every failure becomes `{code, message, field}` JSON.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::{ApiError, ErrorCode};

use crate::db::Failure;

#[derive(Debug)]
pub enum AppError {
    /// A client mistake, told to the client as it is, with the status its code has ([`status`]).
    Client(ApiError),
    /// A client mistake whose status depends on where the rule is stated, not on the rule: see
    /// the constructors below. Nothing else picks a status.
    Placed(StatusCode, ApiError),
    /// The database failed or is out of reach: the client may retry.
    Database(sqlx::Error),
    /// A database failure already classified, with its cause for the log: one failed write
    /// that answers several requests (the consent receipts' group commit) gives each its own.
    Unavailable(Failure, String),
    /// A bug or an unexpected state: logged, never shown.
    Internal(String),
}

/// The status of each error code: the one place a status is chosen for a client's mistake.
/// A rule the API document cannot state (a name's letters, a common password) is 422; a
/// conflict with what is stored is 409; a link or thing that names nothing is 404.
pub fn status(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        InvalidJson | InvalidQuery | InvalidDiff | InvalidVersion => StatusCode::BAD_REQUEST,
        FirstNameRequired
        | FirstNameTwoWords
        | FirstNameInvalid
        | FirstNameTooLong
        | EmailRequired
        | EmailInvalid
        | LoginLength
        | LoginInvalid
        | BirthYearRequired
        | BirthYearInvalid
        | PasswordTooShort
        | PasswordTooLong
        | PasswordTooCommon
        | PasswordIsLogin
        | PasswordIsEmail
        | PolicyNotAccepted
        | GuardianConsentRequired
        | PasswordMissing
        | PhoneInvalid
        | EmailUnchanged
        | InvalidConsent
        | InvalidOrder
        | CodeRequired
        | CodeInvalid
        | RecoveryCodeInvalid
        | PasskeyNameRequired
        | PasskeyNameInvalid
        | PasskeyInvalid
        | UnknownLanguage => StatusCode::UNPROCESSABLE_ENTITY,
        LoginTaken
        | PolicyOutdated
        | StaleData
        | EmailTaken
        | PromotionClosed
        | OrderConflict
        | PhoneRequired
        | TwoStepOn
        | TwoStepOff
        | PasskeyChallengeExpired
        | PasskeyTaken => StatusCode::CONFLICT,
        InvalidCredentials | Unauthenticated | PasswordRequired | CodeWrong | RecoveryCodeWrong
        | SecondStepExpired | PasskeyUnknown => StatusCode::UNAUTHORIZED,
        Forbidden | ReauthRequired => StatusCode::FORBIDDEN,
        NotFound | LinkInvalid | UnknownConsent | UnknownVersion => StatusCode::NOT_FOUND,
        TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        Internal | Network => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ApiError> for AppError {
    fn from(err: ApiError) -> Self {
        AppError::Client(err)
    }
}

impl AppError {
    /// A value that breaks what the API document states (a type, a pattern, a range): 400,
    /// whatever its code says when the same rule is checked where the document cannot state it.
    pub fn bad_request(err: ApiError) -> Self {
        AppError::Placed(StatusCode::BAD_REQUEST, err)
    }

    /// A path that names nothing (an unknown language or version in the URL): 404, where the
    /// same value in a body or query is a mistake in the request.
    pub fn not_found(err: ApiError) -> Self {
        AppError::Placed(StatusCode::NOT_FOUND, err)
    }

    /// A body sent as something other than JSON: 415 (its code is still `invalid_json`).
    pub fn unsupported_media_type(err: ApiError) -> Self {
        AppError::Placed(StatusCode::UNSUPPORTED_MEDIA_TYPE, err)
    }

    /// A reference to something that exists but may not be used here (an outdated policy
    /// version acknowledged): 409.
    pub fn conflict(err: ApiError) -> Self {
        AppError::Placed(StatusCode::CONFLICT, err)
    }

    /// Throttled: 429 with `retry_after` (and the `Retry-After` header) in seconds.
    pub fn too_many(wait: u64) -> Self {
        let mut err = ApiError::new(
            ErrorCode::TooManyRequests,
            format!("too many attempts; try again in {wait} s"),
        );
        err.retry_after = Some(wait);
        AppError::Client(err)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Database(e)
    }
}

/// Every database failure is the server's state, not the request's fault: 503, with what an
/// operator or API client needs to know in the message.
fn unavailable(failure: Failure, cause: &str) -> (StatusCode, ApiError) {
    tracing::error!(error = %cause, "database error");
    let message = match failure {
        Failure::ReadOnly => {
            "the database is read-only for now: nothing can be saved, try again later"
        }
        Failure::Storage => {
            "the database cannot use its disk for now: nothing can be saved, try again later"
        }
        Failure::Unavailable => "the database is unavailable, try again shortly",
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        ApiError::new(ErrorCode::DatabaseUnavailable, message),
    )
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            AppError::Client(err) => (status(err.code), err),
            AppError::Placed(status, err) => (status, err),
            AppError::Database(cause) => {
                unavailable(crate::db::failure(&cause), &cause.to_string())
            }
            AppError::Unavailable(failure, cause) => unavailable(failure, &cause),
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiError::new(ErrorCode::Internal, "internal server error"),
                )
            }
        };
        let retry_after = body.retry_after;
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
