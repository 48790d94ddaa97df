//! The current policy served from memory (`policy/current.rs`): every encoding carries the same
//! JSON, a fresh entry needs no database, an expired one is re-checked (an error when the
//! database is gone, never a stale answer), and a version published elsewhere is served within
//! the staleness bound.
mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use fk_api::Lang;
use fk_server::policy::current::CurrentPolicies;
use fk_server::{app, policy, AppState};

#[tokio::test]
async fn each_encoding_carries_the_same_json() {
    let t = seeded().await;
    let plain = get(&t.router, "/api/policy/ru").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), "");
    assert_eq!(plain.header("vary"), "accept-encoding");
    assert_eq!(plain.header("content-length"), plain.body.len().to_string());
    let json = plain.json();
    assert_eq!(json["version"], 1);

    let br = request(
        &t.router,
        "GET",
        "/api/policy/ru",
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(br.header("content-encoding"), "br");
    let mut back = Vec::new();
    brotli::BrotliDecompress(&mut &br.body[..], &mut back).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&back).unwrap(),
        json
    );
    assert!(
        br.body.len() * 3 < plain.body.len(),
        "compressed: {} of {}",
        br.body.len(),
        plain.body.len()
    );

    let gz = request(
        &t.router,
        "GET",
        "/api/policy/ru",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&back).unwrap(),
        json
    );
    assert_eq!(
        (br.header("etag"), gz.header("etag")),
        (plain.header("etag"), plain.header("etag"))
    );

    let again = request(
        &t.router,
        "GET",
        "/api/policy/ru",
        &[
            ("if-none-match", plain.header("etag")),
            ("accept-encoding", "br"),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(
        (again.header("etag"), again.header("vary")),
        (plain.header("etag"), "accept-encoding")
    );
}

#[tokio::test]
async fn a_fresh_entry_needs_no_database_and_an_expired_one_is_rechecked() {
    let t = seeded().await;
    let mut state = AppState::new(t.db.clone(), None);
    state.current_policies = CurrentPolicies::with_ttl(3600);
    let router = app(state.clone());
    let first = get(&router, "/api/policy/kk").await;
    assert_eq!(first.status, StatusCode::OK);
    t.db.close().await;
    let cached = get(&router, "/api/policy/kk").await;
    assert_eq!(
        (cached.status, &cached.body),
        (StatusCode::OK, &first.body),
        "served from memory"
    );
    let unchanged = request(
        &router,
        "GET",
        "/api/policy/kk",
        &[("if-none-match", first.header("etag"))],
    )
    .await;
    assert_eq!(
        unchanged.status,
        StatusCode::NOT_MODIFIED,
        "304 from the cached ETag alone"
    );
    // Past the bound the entry must be confirmed, and a database that cannot confirm it is a 503.
    state.clock.advance(3600);
    let expired = get(&router, "/api/policy/kk").await;
    assert_eq!(expired.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(expired.error().0, "database_unavailable");
}

/// Two instances on one database; the CLI's publishing (the same `policy::publish`) happens
/// beside them. Real time, no clock tricks: the other instance serves the new version within
/// the bound.
#[tokio::test]
async fn a_version_published_elsewhere_is_served_within_the_staleness_bound() {
    let t = seeded().await;
    let other = app(AppState::new(t.db.clone(), None));
    let before = get(&other, "/api/policy/ru").await;
    assert_eq!(before.json()["version"], 1);
    let etag = before.header("etag").to_string();

    policy::publish(
        &t.db,
        Lang::Ru,
        format!("{RU}\n\n9.3. Новый пункт.\n").as_bytes(),
    )
    .await
    .unwrap();
    let published = Instant::now();
    let seen = loop {
        let r = request(&other, "GET", "/api/policy/ru", &[("if-none-match", &etag)]).await;
        if r.status == StatusCode::OK {
            break r;
        }
        assert_eq!(r.status, StatusCode::NOT_MODIFIED);
        assert!(
            published.elapsed() < Duration::from_secs(10),
            "version 2 never served"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let waited = published.elapsed();
    assert_eq!(seen.json()["version"], 2);
    assert_ne!(seen.header("etag"), etag);
    // The bound is one second of the server clock after the last check; allow for a slow machine.
    assert!(
        waited < Duration::from_millis(1000 * policy::current::TTL_SECONDS as u64 + 1500),
        "took {waited:?}"
    );
}
