//! Headers every response carries. HTML gets the app's strict CSP and the document headers;
//! everything else may not load anything at all.
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Violation reports logged per minute at most: a page in a loop, or someone posting reports,
/// must not flood the log.
const REPORTS_PER_MINUTE: u64 = 60;
static REPORTS: std::sync::Mutex<(i64, u64)> = std::sync::Mutex::new((0, 0));

/// `POST /api/csp-report`: a browser saying the CSP blocked something on one of our pages
/// (`report-uri`). Logged as a warning, with what was blocked and where; always 204.
pub async fn csp_report(body: axum::body::Bytes) -> axum::http::StatusCode {
    let minute = crate::db::now() / 60;
    let logged = {
        let mut window = REPORTS.lock().unwrap_or_else(|e| e.into_inner());
        if window.0 != minute {
            *window = (minute, 0);
        }
        window.1 += 1;
        window.1 <= REPORTS_PER_MINUTE
    };
    if logged {
        let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let field = |name: &str| report["csp-report"][name].as_str().unwrap_or("").chars().take(200).collect::<String>();
        tracing::warn!(
            directive = %field("violated-directive"),
            blocked = %field("blocked-uri"),
            page = %field("document-uri"),
            "content security policy violation"
        );
    }
    axum::http::StatusCode::NO_CONTENT
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
        (Some(spa), true) => HeaderValue::from_str(&spa.csp).unwrap_or(HeaderValue::from_static(NOTHING)),
        _ => HeaderValue::from_static(NOTHING),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Served over https (`FK_PUBLIC_URL`): browsers must never come back over plain http.
    if state.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    // The rest only mean something for documents; a script, a style or JSON would just carry
    // them (every returning visitor of every embedding page pays for /consent.js's headers).
    if is_html {
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
        h.insert(
            "permissions-policy",
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
        );
    }
    response
}
