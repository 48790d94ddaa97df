//! A signed-in user's world for API tests: an app on a real SQLite file with a real outbox
//! folder, requests with the same-origin headers the SPA sends, and the mail it received.
use axum::Router;
use fk_server::mail::Mailer;
use fk_server::{app, policy, AppState};
use serde_json::{json, Value};
use sqlx::Row;

use super::{request, send, Reply};

pub const ORIGIN: &str = "http://fk.test";
pub const PASSWORD: &str = "тёплый ветер над степью";

pub struct T {
    pub origin: String,
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub router: Router,
}

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub async fn setup() -> T {
    setup_at(ORIGIN).await
}

pub async fn setup_at(public_url: &str) -> T {
    let dir = tempfile::tempdir().unwrap();
    let db = fk_server::db::open(&super::database_url(dir.path()))
        .await
        .unwrap();
    policy::seed(&db).await.unwrap();
    let mut state = AppState::new(db, None).with_public_url(public_url);
    state.mailer = Mailer::new(
        None,
        dir.path().join("outbox"),
        fk_server::config::DEFAULT_MAIL_FROM,
    )
    .unwrap();
    let router = app(state.clone());
    T {
        origin: public_url.to_string(),
        dir,
        state,
        router,
    }
}

pub fn registration(email: &str, login: &str) -> Value {
    json!({
        "first_name": "Айгерим", "email": email, "birth_year": 1990, "gender": "female",
        "login": login, "password": PASSWORD, "accept_policy": true, "policy_version": 1, "lang": "ru"
    })
}

impl T {
    pub async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> Reply {
        let cookie = cookie
            .map(|c| format!("fk_session={c}"))
            .unwrap_or_default();
        let mut headers = vec![
            ("content-type", "application/json"),
            ("origin", self.origin.as_str()),
            ("user-agent", UA),
        ];
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        send(&self.router, "POST", path, &headers, body.to_string()).await
    }

    /// Any method, with the SPA's headers and (optionally) a session.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
    ) -> Reply {
        let cookie = cookie
            .map(|c| format!("fk_session={c}"))
            .unwrap_or_default();
        let mut headers = vec![("origin", self.origin.as_str()), ("user-agent", UA)];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        send(
            &self.router,
            method,
            path,
            &headers,
            body.map(|b| b.to_string()).unwrap_or_default(),
        )
        .await
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.call("GET", path, None, Some(cookie)).await
    }

    pub async fn put(&self, path: &str, body: Value, cookie: &str) -> Reply {
        self.call("PUT", path, Some(body), Some(cookie)).await
    }

    pub async fn session(&self, cookie: &str) -> Reply {
        let cookie = format!("fk_session={cookie}");
        request(
            &self.router,
            "GET",
            "/api/account/session",
            &[("cookie", &cookie)],
        )
        .await
    }

    /// Delivers the queue and reads every message in the outbox, oldest first.
    pub async fn mails(&self) -> Vec<Mail> {
        self.state
            .mailer
            .deliver_pending(&self.state.db, self.state.clock.now())
            .await
            .unwrap();
        let Ok(dir) = std::fs::read_dir(self.dir.path().join("outbox")) else {
            return Vec::new();
        };
        let mut names: Vec<_> = dir
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort_by_key(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .split('-')
                .nth(1)
                .map(str::to_string)
        });
        names
            .iter()
            .map(|p| {
                let raw = std::fs::read(p).unwrap();
                let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
                Mail {
                    to: m
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_string(),
                    subject: m.subject().unwrap_or_default().to_string(),
                    text: m.body_text(0).unwrap_or_default().to_string(),
                    html: m.body_html(0).unwrap_or_default().to_string(),
                }
            })
            .collect()
    }

    pub async fn count(&self, table: &str) -> i64 {
        // Run-time SQL: the tests name the table.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(&self.state.db)
        .await
        .unwrap()
        .get("n")
    }

    /// A POST with the SPA's headers and a whole `Cookie` header.
    pub async fn post_with_cookies(&self, path: &str, body: Value, cookies: &str) -> Reply {
        let headers = [
            ("content-type", "application/json"),
            ("origin", self.origin.as_str()),
            ("user-agent", UA),
            ("cookie", cookies),
        ];
        send(&self.router, "POST", path, &headers, body.to_string()).await
    }

    /// Registers: the answer, and the `fk_registration` cookie it gives the registering browser.
    pub async fn register(&self, body: Value) -> (Reply, String) {
        let reply = self.post("/api/account/register", body, None).await;
        let cookie = reply
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("fk_registration="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap_or_default();
        (reply, cookie)
    }

    /// Opens a verification link in the browser that registered (its `fk_registration` cookie).
    pub async fn verify_here(&self, token: &str, registration: &str) -> Reply {
        self.post_with_cookies(
            "/api/account/verify",
            json!({ "token": token }),
            &format!("fk_registration={registration}"),
        )
        .await
    }

    /// Registers and verifies in the same browser; returns the session token the verification set.
    pub async fn verified_account(&self, email: &str, login: &str) -> String {
        let (registered, browser) = self.register(registration(email, login)).await;
        assert_eq!(registered.status, 202, "{}", registered.text());
        let mail = self
            .mails()
            .await
            .into_iter()
            .rev()
            .find(|m| m.to == email)
            .unwrap();
        let reply = self.verify_here(&token_in(&mail.text), &browser).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        session_cookie(&reply)
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> Reply {
        self.post(
            "/api/account/sign-in",
            json!({ "login": login, "password": password }),
            None,
        )
        .await
    }
}

pub const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

pub fn token_in(text: &str) -> String {
    let at = text
        .find("token=")
        .unwrap_or_else(|| panic!("no link in {text}"))
        + 6;
    text[at..at + 43].to_string()
}

pub fn session_cookie(reply: &Reply) -> String {
    let cookies: Vec<&str> = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let value = cookies
        .iter()
        .find_map(|c| c.strip_prefix("fk_session="))
        .unwrap_or_else(|| panic!("no session cookie: {cookies:?}"));
    value.split(';').next().unwrap().to_string()
}
