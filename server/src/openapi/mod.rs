//! The API contract, `GET /api/openapi.json` (OpenAPI 3.1). Each handler describes itself with
//! `#[utoipa::path]` and is routed through `utoipa_axum::routes!`, so a route and its
//! description are one piece of code; the schemas are the `fk-api` types themselves.
//!
//! The answers every endpoint of a kind can give (a malformed body, no session, a cross-site
//! write, the database down) are added here by rule, in [`complete`], instead of being repeated
//! on every handler; the rules on values that a schema can state are added from the constants
//! the checks use (`rules.rs`).
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response as DocResponse, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts; `app()` adds every routed handler's path to it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ForteKassa Privacy Center API",
        description = "The privacy policy and its versions, cookie consent receipts, and the personal section. \
            Errors are always `ApiError`: a stable `code`, an English `message`, and the `field` it is about.",
        license(name = "Proprietary")
    ),
    components(schemas(fk_api::ApiError, fk_api::ErrorCode)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Is the server and its database up"),
        (name = "policy", description = "The privacy policy: current text, versions, differences"),
        (name = "consent", description = "Cookie consent: the banner's configuration and receipts"),
        (name = "account", description = "Registration, sign-in, sessions, recovery"),
        (name = "profile", description = "The personal data of clause 2.1 and how to change it"),
        (name = "devices", description = "Open sessions and the security log"),
        (name = "data", description = "Overview, policy acceptance, history, export, deletion"),
        (name = "commerce", description = "Orders and promotions"),
        (name = "choices", description = "Subscriptions and privacy choices, and unsubscribing"),
        (name = "internal", description = "For the commerce system, with a service token"),
        (name = "meta", description = "This document and browser reports"),
    )
)]
pub struct ApiDoc;

/// The session cookie (`fk_session`, `__Host-fk_session` over https) the sign-in sets.
pub const SESSION: &str = "session";
/// The commerce system's bearer token (`FK_SERVICE_TOKEN`).
pub const SERVICE_TOKEN: &str = "service_token";
/// The cookie of the browser that registered (`fk_registration`, `__Host-fk_registration`
/// over https), set by the registration: it may ask for the verification link again.
pub const REGISTRATION: &str = "registration";

/// Adds the security schemes the operations name.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("fk_session"))),
        );
        components.add_security_scheme(
            REGISTRATION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("fk_registration"))),
        );
        components.add_security_scheme(
            SERVICE_TOKEN,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

mod rules;

/// The served document: [`complete`]d, with every rule a schema can state (`rules.rs`).
pub fn finish(doc: Document) -> String {
    let mut json = serde_json::to_value(complete(doc)).expect("the API document serializes");
    rules::state(&mut json);
    serde_json::to_string(&json).expect("the API document serializes")
}

/// Completes the document once every route is in: the rule-based error answers.
pub fn complete(mut doc: Document) -> Document {
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (HttpMethod::Get, &mut item.get),
            (HttpMethod::Put, &mut item.put),
            (HttpMethod::Post, &mut item.post),
            (HttpMethod::Delete, &mut item.delete),
            (HttpMethod::Options, &mut item.options),
            (HttpMethod::Patch, &mut item.patch),
        ];
        for (method, op) in operations {
            if let Some(op) = op {
                add_standard_errors(path, &method, op);
            }
        }
    }
    doc
}

fn error(description: &str) -> DocResponse {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiError")))
                .build(),
        )
        .build()
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| error(description).into());
}

/// Whether the operation asks for `scheme` (its requirements are opaque but serialize as
/// `[{"session": []}]`).
fn requires(op: &Operation, scheme: &str) -> bool {
    let requirements = serde_json::to_value(&op.security).unwrap_or_default();
    requirements
        .as_array()
        .is_some_and(|all| all.iter().any(|r| r.get(scheme).is_some()))
}

fn add_standard_errors(path: &str, method: &HttpMethod, op: &mut Operation) {
    let unsafe_method = matches!(
        method,
        HttpMethod::Post | HttpMethod::Put | HttpMethod::Delete | HttpMethod::Patch
    );
    if op
        .request_body
        .as_ref()
        // The handlers' bodies are written inline, never as a `$ref` to a shared one.
        .is_some_and(|b| matches!(b, RefOr::T(b) if b.content.contains_key("application/json")))
    {
        add(op, "400", "The body is not valid JSON of this shape, or a field breaks its rule (`field` names it)");
        add(op, "408", "The body did not arrive within 30 s");
        add(op, "413", "The body is larger than 64 KiB");
        add(op, "415", "The body is not `application/json`");
        add(op, "422", "A value fits this document but breaks a rule it cannot state (a name's letters, a common password, \
            an unpublished version): `code` says which, `field` names it");
    }
    if requires(op, SESSION) {
        add(op, "401", "Not signed in, or the session has ended");
    }
    if requires(op, SERVICE_TOKEN) {
        add(op, "401", "No service token, or a wrong one");
    }
    if requires(op, REGISTRATION) {
        add(
            op,
            "401",
            "This browser has no registration waiting for its address to be confirmed",
        );
    }
    // The personal section and the unsubscribe page take writes from this site's pages only
    // (`security::same_origin_only`); the consent API from listed origins only.
    let same_origin = path.starts_with("/api/account/") || path.starts_with("/api/unsubscribe");
    if unsafe_method && (same_origin || path.starts_with("/api/consent")) {
        add(op, "403", "A cross-site request: writes are taken from this site's pages (or a listed origin) only");
    }
    if !op
        .extensions
        .as_ref()
        .is_some_and(|e| e.contains_key("x-no-database"))
    {
        add(op, "503", "The database is unavailable; try again shortly");
    }
}

/// `GET /api/openapi.json`: this document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)),
    extensions(("x-no-database" = json!(true))))]
pub async fn document(Extension(doc): Extension<Arc<String>>) -> Response {
    let mut response = doc.as_str().to_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
