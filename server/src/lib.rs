//! The ForteKassa Privacy Center server: JSON API under `/api`, the built SPA, operator CLI.
pub mod account;
pub mod choices;
pub mod clock;
pub mod commerce;
pub mod config;
pub mod consent;
pub mod db;
pub mod error;
pub mod health;
pub mod mail;
pub mod openapi;
pub mod policy;
pub mod precompressed;
pub mod request;
pub mod security;
pub mod serve;
pub mod spa;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{middleware, Json, Router};
use fk_api::{ApiError, ErrorCode};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use config::Config;
pub use db::Db;

/// Largest request body the API reads; anything bigger is refused before it is read.
pub const MAX_BODY: usize = 64 * 1024;

/// What every handler reads, behind one `Arc`: axum clones the state several times per request
/// (each `from_fn_with_state` layer, the route, every `State` extractor), and cloning a struct of
/// a dozen `Arc`s cost about 5% of the CPU of the busiest route. Reads go through `Deref`; a
/// write (set-up, tests) copies the fields first if they are shared, as a clone's would.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    pub documents: policy::Documents,
    /// The current policy per language, ready to send (`policy/current.rs`).
    pub current_policies: policy::current::CurrentPolicies,
    pub spa: Arc<Option<spa::Spa>>,
    /// The one writer of consent receipts, committing them in groups (`consent/writer.rs`).
    pub receipts: consent::writer::Receipts,
    pub cookie_config: consent::config::CookieConfigFile,
    /// Origins that may embed the banner and call the consent API (`FK_ALLOWED_ORIGINS`).
    pub allowed_origins: Arc<Vec<String>>,
    /// Where the built banner is (`dist/consent/manifest.json`), for `/consent.js`.
    pub banner: Arc<Option<serde_json::Value>>,
    /// Take the client address from `X-Forwarded-For` (`FK_TRUST_PROXY`).
    pub trust_proxy: bool,
    pub consent_loader: consent::loader::Rendered,
    pub clock: clock::Clock,
    pub hasher: account::password::Hasher,
    pub mailer: mail::Mailer,
    /// Where users reach the app (`FK_PUBLIC_URL`): the base of links in e-mails, and https
    /// there turns on `Secure` `__Host-` cookies.
    pub public_url: Arc<String>,
    pub secure_cookies: bool,
    /// The commerce system's bearer token for `/api/internal/…` (`FK_SERVICE_TOKEN`); without
    /// one the internal API is off.
    pub service_token: Arc<Option<String>>,
}

impl AppState {
    /// State with the built-in cookie configuration and no other origins: what tests start from.
    pub fn new(db: Db, spa: Option<spa::Spa>) -> AppState {
        AppState(Arc::new(Shared {
            receipts: consent::writer::Receipts::new(
                db.clone(),
                Some(consent::writer::DEFAULT_PER_HOUR),
            ),
            db,
            documents: policy::Documents::default(),
            current_policies: policy::current::CurrentPolicies::default(),
            spa: Arc::new(spa),
            cookie_config: consent::config::CookieConfigFile::built_in(),
            allowed_origins: Arc::new(Vec::new()),
            banner: Arc::new(None),
            trust_proxy: false,
            consent_loader: consent::loader::Rendered::default(),
            clock: clock::Clock::default(),
            hasher: account::password::Hasher::default(),
            mailer: mail::Mailer::new(
                None,
                std::env::temp_dir().join("fk-test-outbox"),
                config::DEFAULT_MAIL_FROM,
            )
            .expect("the default sender is a valid mailbox"),
            public_url: Arc::new("http://127.0.0.1:8080".into()),
            secure_cookies: false,
            service_token: Arc::new(None),
        }))
    }

    /// Sets where users reach the app, and with it whether cookies are `Secure`.
    pub fn with_public_url(mut self, url: &str) -> AppState {
        self.secure_cookies = url.starts_with("https://");
        self.public_url = Arc::new(url.trim_end_matches('/').to_string());
        self
    }
}

/// What the compression layer compresses. Not bodies under 1 KiB: a brotli encoder sets up
/// (and zeroes) hundreds of kilobytes of tables per response, which under load cost a fifth of
/// the CPU of a consent receipt (about 300 bytes) to save a hundred bytes inside one packet.
/// Not images and streams (tower-http's defaults), and not what a handler already serves in
/// the client's encoding (the current policy).
fn compressible() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(
            |_: StatusCode,
             _: axum::http::Version,
             _: &axum::http::HeaderMap,
             ext: &axum::http::Extensions| {
                ext.get::<precompressed::Precompressed>().is_none()
            },
        )
}

/// A request's path as the log shows it, written only when the line is (`FK_LOG=warn` pays
/// nothing): the route, or an app page's first two segments, made inert.
struct LoggedPath<'a, B>(&'a axum::http::Request<B>);

impl<B> std::fmt::Display for LoggedPath<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.extensions().get::<axum::extract::MatchedPath>() {
            Some(route) => f.write_str(route.as_str()),
            None => f.write_str(&request::loggable(&spa::logged_path(self.0.uri().path()))),
        }
    }
}

/// Every route of the server. Features bring their own routers; they are merged here only.
pub fn app(state: AppState) -> Router {
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(policy::http::router())
        .merge(consent::http::router(state.clone()))
        .merge(account::router(state.clone()))
        .merge(commerce::http::router(state.clone()))
        .merge(choices::router(state.clone()))
        .routes(routes!(consent::loader::serve))
        .routes(routes!(security::csp_report))
        .routes(routes!(openapi::document))
        .split_for_parts();
    let document = Arc::new(openapi::finish(document));
    api.layer(axum::Extension(document))
        .fallback(spa::fallback)
        .method_not_allowed_fallback(|| async {
            let err = ApiError::new(ErrorCode::MethodNotAllowed, "this method is not allowed here");
            (StatusCode::METHOD_NOT_ALLOWED, Json(err)).into_response()
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(5)).compress_when(compressible()))
        // One INFO line per request: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                // The route, not the path: a path parameter may identify a person (a consent
                // ID, an order number), and a query may carry a token (`/unsubscribe?token=…`);
                // logs are read by more people than the database. Unrouted paths (the app's
                // pages and files) keep two segments: `/account/orders/…`, `/policy/versions/…`.
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %LoggedPath(request))
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
