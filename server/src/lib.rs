//! The ForteKassa Privacy Center server: JSON API under `/api`, the built SPA, operator CLI.
pub mod account;
pub mod auth;
pub mod choices;
pub mod client;
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
    /// Violation reports logged this minute (`security::csp_report`).
    pub csp_reports: security::ReportsLogged,
    pub hasher: auth::password::Hasher,
    /// The passwords nobody may choose (`fk_api::account::password`), parsed once.
    pub common_passwords: Arc<fk_api::account::password::CommonPasswords>,
    pub mailer: mail::Mailer,
    /// Where users reach the app (`FK_PUBLIC_URL`): the base of links in e-mails, and https
    /// there turns on `Secure` `__Host-` cookies.
    pub public_url: Arc<String>,
    pub secure_cookies: bool,
    /// The commerce system's bearer token for `/api/internal/…` (`FK_SERVICE_TOKEN`); without
    /// one the internal API is off.
    pub service_token: Arc<Option<String>>,
    /// Seals the authenticator apps' secrets (`FK_SECRET_KEY`, `auth/sealing.rs`).
    pub secret_key: auth::sealing::SecretKey,
}

/// What differs between a configured server and the state tests start from.
struct Settings {
    spa: Option<spa::Spa>,
    cookie_config: consent::config::CookieConfigFile,
    consent_limit: Option<i64>,
    allowed_origins: Vec<String>,
    trust_proxy: bool,
    banner: Option<serde_json::Value>,
    mailer: mail::Mailer,
    public_url: String,
    service_token: Option<String>,
    secret_key: auth::sealing::SecretKey,
}

impl Settings {
    /// The built-in cookie configuration, no other origins, no web app, an outbox in the
    /// temporary directory.
    fn tests() -> Settings {
        Settings {
            spa: None,
            cookie_config: consent::config::CookieConfigFile::built_in(),
            consent_limit: Some(consent::writer::DEFAULT_PER_HOUR),
            allowed_origins: Vec::new(),
            trust_proxy: false,
            banner: None,
            mailer: mail::Mailer::new(
                None,
                std::env::temp_dir().join("fk-test-outbox"),
                config::DEFAULT_MAIL_FROM,
            )
            .expect("the default sender is a valid mailbox"),
            public_url: "http://127.0.0.1:8080".into(),
            service_token: None,
            secret_key: auth::sealing::SecretKey::random(),
        }
    }
}

/// A service token shorter than this could be guessed: the endpoint it opens writes orders
/// for anyone.
pub const MIN_SERVICE_TOKEN: usize = 32;

impl AppState {
    /// The state of a server run with `config`, reached at `public_url`; every setting is
    /// checked here, and a wrong one is said in the error.
    pub fn from_config(db: Db, config: &Config, public_url: &str) -> Result<AppState, String> {
        let spa = spa::Spa::load(&config.dist_dir).map_err(|e| e.to_string())?;
        if spa.is_none() {
            tracing::warn!(dir = %config.dist_dir.display(), "no built web app; serving the API only (run `cargo xtask run`)");
        }
        let cookie_config = consent::config::CookieConfigFile::open(config.consent_config.clone())
            .map_err(|e| format!("cookie configuration: {e}"))?;
        if config
            .service_token
            .as_ref()
            .is_some_and(|t| t.chars().count() < MIN_SERVICE_TOKEN)
        {
            return Err(format!("FK_SERVICE_TOKEN is shorter than {MIN_SERVICE_TOKEN} characters; use e.g. `openssl rand -hex 32`"));
        }
        let secret_key = match (&config.secret_key, auth::sealing::key_dir(&config.database_url)) {
            (Some(setting), _) => auth::sealing::SecretKey::from_setting(setting)?,
            (None, Some(dir)) => auth::sealing::SecretKey::in_dir(&dir)?,
            (None, None) => return Err("FK_SECRET_KEY is required with PostgreSQL: every instance seals and opens the authenticator apps' secrets with it; use e.g. `openssl rand -base64 32`".into()),
        };
        let settings = Settings {
            spa,
            cookie_config,
            consent_limit: consent::writer::parse_limit(config.consent_limit.as_deref())?,
            allowed_origins: config.allowed_origins.clone(),
            trust_proxy: config.trust_proxy,
            banner: consent::loader::banner_manifest(&config.dist_dir),
            mailer: mail::Mailer::new(
                config.smtp_url.as_deref(),
                config.outbox_dir.clone(),
                &config.mail_from,
            )
            .map_err(|e| e.to_string())?,
            public_url: public_url.to_string(),
            service_token: config.service_token.clone(),
            secret_key,
        };
        Ok(AppState::assemble(db, settings))
    }

    /// State with the built-in cookie configuration, no other origins and an outbox in the
    /// temporary directory: what tests start from.
    pub fn new(db: Db, spa: Option<spa::Spa>) -> AppState {
        AppState::assemble(
            db,
            Settings {
                spa,
                ..Settings::tests()
            },
        )
    }

    /// The state a command that only sends letters needs: the database, the mailer and where
    /// links in letters lead; nothing of the web app is read or checked.
    pub fn for_letters(db: Db, config: &Config, public_url: &str) -> Result<AppState, String> {
        let mailer = mail::Mailer::new(
            config.smtp_url.as_deref(),
            config.outbox_dir.clone(),
            &config.mail_from,
        )
        .map_err(|e| e.to_string())?;
        let mut settings = Settings::tests();
        settings.mailer = mailer;
        settings.public_url = public_url.to_string();
        Ok(AppState::assemble(db, settings))
    }

    fn assemble(db: Db, settings: Settings) -> AppState {
        let secure_cookies = settings.public_url.starts_with("https://");
        let public_url = settings.public_url.trim_end_matches('/').to_string();
        AppState(Arc::new(Shared {
            receipts: consent::writer::Receipts::new(db.clone(), settings.consent_limit),
            db,
            documents: policy::Documents::default(),
            current_policies: policy::current::CurrentPolicies::default(),
            spa: Arc::new(settings.spa),
            cookie_config: settings.cookie_config,
            allowed_origins: Arc::new(settings.allowed_origins),
            banner: Arc::new(settings.banner),
            trust_proxy: settings.trust_proxy,
            consent_loader: consent::loader::Rendered::default(),
            clock: clock::Clock::default(),
            csp_reports: security::ReportsLogged::default(),
            hasher: auth::password::Hasher::default(),
            common_passwords: Arc::new(fk_api::account::password::CommonPasswords::parse(
                fk_api::account::password::COMMON_PASSWORDS_TXT,
            )),
            mailer: settings.mailer,
            secure_cookies,
            public_url: Arc::new(public_url),
            service_token: Arc::new(settings.service_token),
            secret_key: settings.secret_key,
        }))
    }

    /// The address of one of the app's pages, for a link in an e-mail.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
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
    // What only this site's own pages may change (CSRF), and whose answers are never cached.
    let same_site = OpenApiRouter::new()
        .merge(account::routes())
        .merge(commerce::http::personal_routes())
        .merge(choices::http::same_site_routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_only,
        ));
    // Only the routes that may ask for the session carry its layer: the policy, the busiest
    // route, pays nothing for it (a `from_fn` layer costs a boxed future per request).
    let with_session = OpenApiRouter::new()
        .merge(same_site)
        .merge(consent::http::router(state.clone()))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::layer,
        ));
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(policy::http::router())
        .merge(with_session)
        .merge(commerce::http::internal_routes())
        .merge(choices::http::one_click_routes())
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
