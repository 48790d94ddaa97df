//! Headers every response carries. HTML gets the app's strict CSP and the document headers;
//! everything else may not load anything at all.
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use fk_api::{ApiError, ErrorCode};
use serde_json::Value;

use crate::error::AppError;
use crate::AppState;

/// Violation reports logged per minute at most.
const REPORTS_PER_MINUTE: u64 = 60;

/// How many violation reports were logged in which minute: shared by every request.
#[derive(Clone, Debug, Default)]
pub struct ReportsLogged(std::sync::Arc<std::sync::Mutex<(i64, u64)>>);

/// CSRF protection: a state-changing request must come from this site's own pages
/// (`Sec-Fetch-Site: same-origin`, or an `Origin` naming this server). A form or script on
/// another site, or a client that says nothing about where it comes from, is refused. What
/// it answers is personal, so it is never kept in a shared or browser cache.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !crate::request::is_same_origin(&state, request.headers()) {
        let err = ApiError::new(
            ErrorCode::Forbidden,
            "cross-site request refused: send it from this site's pages",
        );
        return AppError::Client(err).into_response();
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// `POST /api/csp-report`: a browser saying the CSP blocked something on one of our pages:
/// `report-uri` posts one `{"csp-report": {…}}` as `application/csp-report`, the Reporting
/// API a list of reports as `application/reports+json`. Logged as warnings, with what was
/// blocked and where.
#[utoipa::path(post, path = "/api/csp-report", tag = "meta",
    request_body(description = "What the browser blocked",
        content((Object = "application/csp-report"), (Vec<Object> = "application/reports+json"))),
    responses(
        (status = 204, description = "Noted (logged, at most 60 a minute)"),
        (status = 400, description = "Not a JSON report of the media type sent", body = ApiError),
        (status = 408, description = "The body did not arrive within 30 s", body = ApiError),
        (status = 413, description = "Larger than 64 KiB", body = ApiError),
        (status = 415, description = "Neither `application/csp-report` nor `application/reports+json`", body = ApiError),
    ),
    extensions(("x-no-database" = json!(true))))]
pub async fn csp_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<StatusCode, AppError> {
    let body = crate::request::bytes(body).await?;
    let not_a_report = || {
        AppError::bad_request(ApiError::new(
            ErrorCode::InvalidJson,
            "the body is not a report of this media type",
        ))
    };
    let reports: Vec<Value> = match crate::request::media_type(&headers).as_str() {
        "application/csp-report" => match serde_json::from_slice(&body) {
            Ok(Value::Object(report)) => {
                vec![report.get("csp-report").cloned().unwrap_or_default()]
            }
            _ => return Err(not_a_report()),
        },
        "application/reports+json" => match serde_json::from_slice::<Vec<Value>>(&body) {
            Ok(list) if list.iter().all(Value::is_object) => {
                list.into_iter().map(|r| r["body"].clone()).collect()
            }
            _ => return Err(not_a_report()),
        },
        _ => {
            return Err(AppError::unsupported_media_type(ApiError::new(
                ErrorCode::InvalidJson,
                "send application/csp-report or application/reports+json",
            )))
        }
    };
    for report in reports {
        log_violation(&state.csp_reports, &report);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// One violation, as a warning, unless this minute's allowance is spent: a page in a loop, or
/// someone posting reports, must not flood the log. (`report-uri` names fields in kebab-case,
/// the Reporting API in camelCase.)
fn log_violation(reports: &ReportsLogged, report: &Value) {
    let minute = crate::clock::now() / 60;
    let logged = {
        let mut window = reports.0.lock().unwrap_or_else(|e| e.into_inner());
        if window.0 != minute {
            *window = (minute, 0);
        }
        window.1 += 1;
        window.1 <= REPORTS_PER_MINUTE
    };
    if !logged {
        return;
    }
    // Every field is the client's text: a line break or an escape sequence in it must not
    // forge a log line or drive the operator's terminal. Addresses lose their query and
    // fragment, which may carry a token (`/unsubscribe?token=…`).
    let field = |names: [&str; 2]| {
        let text = names.iter().find_map(|n| report[*n].as_str()).unwrap_or("");
        let text: String = text
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        crate::request::loggable(&text)
    };
    tracing::warn!(
        directive = %field(["violated-directive", "effectiveDirective"]),
        blocked = %field(["blocked-uri", "blockedURL"]),
        page = %field(["document-uri", "documentURL"]),
        "content security policy violation"
    );
}

const NOTHING: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let csp = match (&*state.spa, is_html) {
        (Some(spa), true) => {
            HeaderValue::from_str(&spa.csp).unwrap_or(HeaderValue::from_static(NOTHING))
        }
        _ => HeaderValue::from_static(NOTHING),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Served over https (`FK_PUBLIC_URL`): browsers must never come back over plain http.
    if state.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    // The rest only mean something for documents; a script, a style or JSON would just carry
    // them (every returning visitor of every embedding page pays for /consent.js's headers).
    if is_html {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
        h.insert(
            "permissions-policy",
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        );
    }
    response
}
