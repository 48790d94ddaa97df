//! The one error type of the HTTP layer: every failure becomes `{code, message, field}` JSON.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fk_api::{ApiError, ErrorCode};

use crate::db::Failure;

#[derive(Debug)]
pub enum AppError {
    /// A client mistake, told to the client as it is.
    Client(StatusCode, ApiError),
    /// The database failed or is out of reach: the client may retry.
    Database(sqlx::Error),
    /// A database failure already classified, with its cause for the log: one failed write
    /// that answers several requests (the consent receipts' group commit) gives each its own.
    Unavailable(Failure, String),
    /// A bug or an unexpected state: logged, never shown.
    Internal(String),
}

impl AppError {
    pub fn bad_request(err: ApiError) -> Self {
        AppError::Client(StatusCode::BAD_REQUEST, err)
    }

    /// A value that fits the documented shape but breaks a rule the API document cannot
    /// state (a name's letters, a common password, an unpublished version): 422. Breaking what
    /// the document states (types, patterns, ranges) is 400.
    pub fn unprocessable(err: ApiError) -> Self {
        AppError::Client(StatusCode::UNPROCESSABLE_ENTITY, err)
    }

    pub fn not_found(err: ApiError) -> Self {
        AppError::Client(StatusCode::NOT_FOUND, err)
    }

    /// Throttled: 429 with `retry_after` (and the `Retry-After` header) in seconds.
    pub fn too_many(wait: u64) -> Self {
        let mut err = ApiError::new(
            ErrorCode::TooManyRequests,
            format!("too many attempts; try again in {wait} s"),
        );
        err.retry_after = Some(wait);
        AppError::Client(StatusCode::TOO_MANY_REQUESTS, err)
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
            AppError::Client(status, err) => (status, err),
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
