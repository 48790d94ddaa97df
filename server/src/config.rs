//! Server settings, from the environment (see the README's configuration table).
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    /// `FK_ADDR`: where to listen; port 0 picks a free one (tests).
    pub addr: String,
    /// `FK_DATABASE_URL`: `sqlite://…` (default, a file under `./data`) or `postgres://…`.
    pub database_url: String,
    /// `FK_DIST_DIR`: the built SPA (Trunk's output).
    pub dist_dir: PathBuf,
    /// `FK_OUTBOX_DIR`: where e-mails are written as `.eml` files when no SMTP server is set.
    pub outbox_dir: PathBuf,
    /// `FK_SMTP_URL`: send e-mail by SMTP instead of the outbox.
    pub smtp_url: Option<String>,
    /// `FK_ALLOWED_ORIGINS`: comma-separated origins allowed to embed the consent banner.
    pub allowed_origins: Vec<String>,
    /// `FK_CONSENT_CONFIG`: the cookie categories and tables the operator edits.
    pub consent_config: PathBuf,
    /// `FK_TRUST_PROXY=1`: behind a reverse proxy, the client's address is the last one the
    /// proxy appended to `X-Forwarded-For` (never trust that header otherwise).
    pub trust_proxy: bool,
    /// `FK_PUBLIC_URL`: where users reach the app, for links in e-mails (default: the
    /// listening address over http). `https://…` makes session cookies `Secure`.
    pub public_url: Option<String>,
    /// `FK_MAIL_FROM`: the sender of service e-mail.
    pub mail_from: String,
    /// `FK_SERVICE_TOKEN`: the bearer token the commerce system sends to push orders
    /// (`PUT /api/internal/orders/{number}`); unset, that API answers 403.
    pub service_token: Option<String>,
    /// `FK_CONSENT_LIMIT`: consent receipts per client address per hour, or `off`.
    pub consent_limit: Option<String>,
    /// `FK_SECRET_KEY`: seals the authenticator apps' secrets at rest. Required with
    /// PostgreSQL (every instance needs the same one); with the embedded SQLite default it is
    /// made on first start into `secret.key` beside the database file.
    pub secret_key: Option<String>,
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MAIL_FROM: &str = "ForteKassa <no-reply@fortekassa.kz>";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/fortekassa.db";

impl Config {
    pub fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Config {
            addr: var("FK_ADDR").unwrap_or_else(|| DEFAULT_ADDR.into()),
            database_url: var("FK_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            dist_dir: var("FK_DIST_DIR").map_or_else(|| PathBuf::from("dist"), PathBuf::from),
            outbox_dir: var("FK_OUTBOX_DIR")
                .map_or_else(|| PathBuf::from("data/outbox"), PathBuf::from),
            smtp_url: var("FK_SMTP_URL"),
            allowed_origins: var("FK_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            consent_config: var("FK_CONSENT_CONFIG")
                .map_or_else(|| PathBuf::from("config/cookies.json"), PathBuf::from),
            public_url: var("FK_PUBLIC_URL"),
            mail_from: var("FK_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.into()),
            service_token: var("FK_SERVICE_TOKEN").map(|v| v.trim().to_string()),
            consent_limit: var("FK_CONSENT_LIMIT"),
            secret_key: var("FK_SECRET_KEY"),
            trust_proxy: var("FK_TRUST_PROXY")
                .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true")),
        }
    }
}
