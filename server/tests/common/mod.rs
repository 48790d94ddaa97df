//! Shared set-up for server tests: a real SQLite file in a temporary folder, or a new database
//! on a real PostgreSQL server when `FK_TEST_POSTGRES` names one (`cargo xtask test` runs every
//! server test both ways).
#![allow(dead_code)]
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use fk_server::{app, db, policy, AppState, Db};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub mod account;
pub mod passkey;

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub db: Db,
    pub state: AppState,
    pub router: Router,
}

impl TestApp {
    /// The app on an opened database whose files are in `dir`.
    pub fn on(db: Db, dir: tempfile::TempDir) -> TestApp {
        let state = AppState::new(db.clone(), None);
        TestApp {
            router: app(state.clone()),
            state,
            db,
            dir,
        }
    }
}

impl TestApp {
    /// Moves the server clock past the current policy's staleness bound (`policy/current.rs`),
    /// as if that time had passed: a version published since must now be served.
    pub fn after_staleness_bound(&self) {
        self.state
            .clock
            .advance(fk_server::policy::current::TTL_SECONDS);
    }
}

/// The database URL of a test whose files live in `dir`: a new SQLite file there, or a new,
/// empty PostgreSQL database named after the folder. The same `dir` gives the same URL, so a
/// test can hand it to the CLI too.
pub fn database_url(dir: &std::path::Path) -> String {
    let Some(server) = std::env::var("FK_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return format!("sqlite://{}/test.db", dir.display());
    };
    let folder = dir.file_name().unwrap().to_string_lossy().to_lowercase();
    let name = format!(
        "fk_{}",
        folder
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    let server = server.trim_end_matches('/').to_string();
    let create = format!("CREATE DATABASE {name}");
    let admin = format!("{server}/postgres");
    // Its own thread and runtime: callable from sync helpers and from inside async tests alike.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                sqlx::any::install_default_drivers();
                let mut conn = sqlx::AnyConnection::connect(&admin)
                    .await
                    .expect("the test PostgreSQL server");
                // Run-time SQL: the database's name is made by the test run itself.
                match sqlx::query(sqlx::AssertSqlSafe(create.clone()))
                    .execute(&mut conn)
                    .await
                {
                    Ok(_) => {}
                    Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {} // exists already
                    Err(e) => panic!("{create}: {e}"),
                }
            })
    })
    .join()
    .unwrap();
    format!("{server}/{name}")
}

pub fn is_postgres(db: &Db) -> bool {
    db.connect_options()
        .database_url
        .scheme()
        .starts_with("postgres")
}

pub async fn fresh() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&database_url(dir.path())).await.unwrap();
    TestApp::on(db, dir)
}

pub async fn seeded() -> TestApp {
    let t = fresh().await;
    policy::seed(&t.db).await.unwrap();
    t
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the `{code, message, field}` error shape and returns (code, field).
    pub fn error(&self) -> (String, Option<String>) {
        let v = self.json();
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error has a message: {v}"
        );
        (
            v["code"].as_str().unwrap().to_string(),
            v["field"].as_str().map(String::from),
        )
    }
}

pub async fn request(router: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// The address test requests come from, unless they say otherwise.
pub const PEER: &str = "203.0.113.77";

/// A request with a body and the peer address the real server would see.
pub async fn send(
    router: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Reply {
    send_from(router, PEER.parse().unwrap(), method, uri, headers, body).await
}

/// A request from the client at `ip`.
pub async fn send_from(
    router: &Router,
    ip: std::net::IpAddr,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(body.into()).unwrap();
    let peer = std::net::SocketAddr::new(ip, 50000);
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let response = router.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str) -> Reply {
    request(router, "GET", uri, &[]).await
}

pub const RU: &str = include_str!("../../../policy/ru.md");
