//! The consent API against a real SQLite file: configuration, proof of consent (append-only,
//! truncated IP), CORS for listed origins only, bad input, and the generated loader.
mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use fk_server::consent::config::CookieConfigFile;
use fk_server::{app, AppState};
use serde_json::{json, Value};
use sqlx::Row;

const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const JSON: (&str, &str) = ("content-type", "application/json");

async fn revision(t: &TestApp) -> String {
    get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string()
}

fn choice(revision: &str, categories: &[&str]) -> Value {
    json!({ "consent_id": ID, "categories": categories, "config_revision": revision, "policy_version": 1, "gpc": false })
}

async fn rows(t: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM consent_receipts")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn configuration_lists_the_four_categories_with_a_revision() {
    let t = seeded().await;
    let v = get(&t.router, "/api/consent/config").await.json();
    assert_eq!(v["revision"].as_str().unwrap().len(), 16);
    assert_eq!(v["policy_version"], 1);
    let ids: Vec<&str> = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["necessary", "preferences", "statistics", "marketing"]);
    assert!(v["categories"][2]["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "_ga_*"));
}

#[tokio::test]
async fn a_choice_is_recorded_with_a_truncated_address_and_can_be_read_back() {
    let t = seeded().await;
    let rev = revision(&t).await;
    let body = choice(&rev, &["statistics", "necessary"]).to_string();
    let r = send(
        &t.router,
        "POST",
        "/api/consent",
        &[JSON, ("user-agent", "TestBrowser/1.0"), ("sec-gpc", "1")],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json();
    assert_eq!(receipt["categories"], json!(["necessary", "statistics"]));
    assert_eq!(receipt["ip_truncated"], "203.0.113.0");
    assert_eq!(receipt["user_agent"], "TestBrowser/1.0");
    assert_eq!(receipt["gpc"], true, "Sec-GPC is recorded");
    // Withdrawal is a new receipt; the first one stays.
    send(
        &t.router,
        "POST",
        "/api/consent",
        &[JSON],
        choice(&rev, &["necessary"]).to_string(),
    )
    .await;
    let history = get(&t.router, &format!("/api/consent/{ID}")).await.json();
    let receipts = history["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(
        receipts[0]["categories"],
        json!(["necessary"]),
        "newest first"
    );
    // The whole address is stored nowhere.
    let dump: Vec<String> = sqlx::query("SELECT * FROM consent_receipts")
        .fetch_all(&t.db)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}|{}",
                r.get::<String, _>("ip_truncated"),
                r.get::<String, _>("user_agent")
            )
        })
        .collect();
    assert!(
        dump.iter().all(|row| !row.contains("203.0.113.77")),
        "{dump:?}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_truncated() {
    let t = seeded().await;
    let mut state = AppState::new(t.db.clone(), None);
    state.trust_proxy = true;
    let router = app(state);
    let rev = revision(&t).await;
    let r = send(
        &router,
        "POST",
        "/api/consent",
        &[JSON, ("x-forwarded-for", "10.9.8.7, 198.51.100.23")],
        choice(&rev, &["necessary"]).to_string(),
    )
    .await;
    assert_eq!(
        r.json()["ip_truncated"],
        "198.51.100.0",
        "the address the proxy appended, not one the client claimed"
    );
    // Without FK_TRUST_PROXY the header is ignored.
    let plain = send(
        &t.router,
        "POST",
        "/api/consent",
        &[JSON, ("x-forwarded-for", "198.51.100.23")],
        choice(&rev, &["necessary"]).to_string(),
    )
    .await;
    assert_eq!(plain.json()["ip_truncated"], "203.0.113.0");
}

#[tokio::test]
async fn bad_choices_are_refused_and_nothing_is_stored() {
    let t = seeded().await;
    let rev = revision(&t).await;
    let mut unknown_field = choice(&rev, &["necessary"]);
    unknown_field["admin"] = json!(true);
    let mut missing = choice(&rev, &["necessary"]);
    missing.as_object_mut().unwrap().remove("consent_id");
    let mut bad_id = choice(&rev, &["necessary"]);
    bad_id["consent_id"] = json!("1234");
    let mut future_policy = choice(&rev, &["necessary"]);
    future_policy["policy_version"] = json!(99);
    let mut wrong_type = choice(&rev, &["necessary"]);
    wrong_type["policy_version"] = json!("one");
    let cases: Vec<(String, StatusCode, &str, Option<&str>)> = vec![
        (
            "{not json".into(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        (
            unknown_field.to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            Some("admin"),
        ),
        (
            missing.to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            Some("consent_id"),
        ),
        (
            wrong_type.to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        (
            choice(&rev, &["necessary", "everything"]).to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_consent",
            Some("categories"),
        ),
        (
            choice(&rev, &["statistics"]).to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_consent",
            Some("categories"),
        ),
        (
            bad_id.to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_consent",
            Some("consent_id"),
        ),
        (
            choice("nothex", &["necessary"]).to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_consent",
            Some("config_revision"),
        ),
        (
            future_policy.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_consent",
            Some("policy_version"),
        ),
    ];
    for (body, status, code, field) in cases {
        let r = send(&t.router, "POST", "/api/consent", &[JSON], body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        let (c, f) = r.error();
        assert_eq!(c, code, "{body}");
        if field.is_some() {
            assert_eq!(f.as_deref(), field, "{body}");
        }
    }
    let plain = send(
        &t.router,
        "POST",
        "/api/consent",
        &[("content-type", "text/plain")],
        choice(&rev, &["necessary"]).to_string(),
    )
    .await;
    assert_eq!(plain.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = send(
        &t.router,
        "POST",
        "/api/consent",
        &[JSON],
        format!("{{\"consent_id\":\"{}\"}}", "x".repeat(200_000)),
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(huge.error().0, "payload_too_large");
    assert_eq!(rows(&t).await, 0);
    let bad = get(&t.router, "/api/consent/not-a-uuid").await;
    assert_eq!(
        (bad.status, bad.error().0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_consent")
    );
    let unknown = get(&t.router, &format!("/api/consent/{ID}")).await;
    assert_eq!(
        (unknown.status, unknown.error().0.as_str()),
        (StatusCode::NOT_FOUND, "unknown_consent")
    );
}

#[tokio::test]
async fn only_listed_origins_may_call_the_consent_api() {
    let t = seeded().await;
    let mut state = AppState::new(t.db.clone(), None);
    state.allowed_origins = Arc::new(vec!["http://shop.example".into()]);
    let router = app(state);
    let rev = revision(&t).await;
    let body = choice(&rev, &["necessary"]).to_string();
    let pre = send(
        &router,
        "OPTIONS",
        "/api/consent",
        &[
            ("origin", "http://shop.example"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        "http://shop.example"
    );
    assert!(pre.header("access-control-allow-methods").contains("POST"));
    let ok = send(
        &router,
        "POST",
        "/api/consent",
        &[JSON, ("origin", "http://shop.example")],
        body.clone(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        "http://shop.example"
    );
    let own = send(
        &router,
        "POST",
        "/api/consent",
        &[
            JSON,
            ("origin", "http://privacy.local"),
            ("host", "privacy.local"),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(
        own.status,
        StatusCode::CREATED,
        "the server's own pages may always record"
    );
    let proxied = send(
        &router,
        "POST",
        "/api/consent",
        &[
            JSON,
            ("origin", "https://privacy.fortekassa.kz"),
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(
        proxied.status,
        StatusCode::CREATED,
        "behind a proxy that rewrites Host, the browser's same-origin word counts"
    );
    let evil = send(
        &router,
        "POST",
        "/api/consent",
        &[JSON, ("origin", "http://evil.example")],
        body,
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    assert_eq!(evil.error().0, "forbidden");
    assert_eq!(
        evil.header("access-control-allow-origin"),
        "http://evil.example",
        "readable, so the loader stops retrying"
    );
    assert_eq!(rows(&t).await, 3);
}

#[tokio::test]
async fn an_edited_configuration_is_a_new_revision_and_a_broken_one_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cookies.json");
    std::fs::write(&path, fk_server::consent::config::DEFAULT).unwrap();
    let file = CookieConfigFile::open(path.clone()).unwrap();
    let first = file.current().revision.clone();
    let edited = fk_server::consent::config::DEFAULT.replacen("\"_fbp\"", "\"_fbp_new\"", 1);
    std::fs::write(&path, &edited).unwrap();
    let second = file.current();
    assert_ne!(second.revision, first, "an edit asks again");
    assert!(second.config.categories[3]
        .cookies
        .iter()
        .any(|c| c.name == "_fbp_new"));
    std::fs::write(&path, "{ broken").unwrap();
    assert_eq!(
        file.current().revision,
        second.revision,
        "the last good configuration stays"
    );
    assert!(
        CookieConfigFile::open(path).is_err(),
        "but a broken file stops a start"
    );
}

#[tokio::test]
async fn the_loader_carries_the_current_setup() {
    let t = seeded().await;
    let r = get(&t.router, "/consent.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/javascript"));
    assert_eq!(r.header("cross-origin-resource-policy"), "cross-origin");
    let js = r.text();
    assert!(
        !js.contains("/*FK_SETUP*/null"),
        "the placeholder is filled"
    );
    let rev = revision(&t).await;
    assert!(
        js.contains(&format!("\"revision\":\"{rev}\"")) && js.contains("\"policyVersion\":1"),
        "{}",
        &js[..400.min(js.len())]
    );
    assert!(js.contains("\"_ga_*\""));
    let again = request(
        &t.router,
        "GET",
        "/consent.js",
        &[("if-none-match", r.header("etag"))],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

/// The banner's first view travels inside the loader: its HTML in each language (rendered from
/// the app's components), its stylesheet, what "accept all" means, and the frame providers.
#[tokio::test]
async fn the_loader_carries_the_banner_in_every_language() {
    let t = seeded().await;
    let js = get(&t.router, "/consent.js").await.text();
    // The setup stands where the built loader has its placeholder (the text before it is the
    // same), and is one JSON value.
    let start = fk_server::consent::loader::SOURCE
        .find("/*FK_SETUP*/null")
        .expect("the placeholder");
    assert_eq!(js[..start], fk_server::consent::loader::SOURCE[..start]);
    let mut values = serde_json::Deserializer::from_str(&js[start..]).into_iter();
    let setup: serde_json::Value = values
        .next()
        .expect("the setup")
        .expect("the setup is JSON");
    let end = start + values.byte_offset();
    for lang in fk_api::Lang::ALL {
        let view = &setup["views"][lang.code()];
        let banner = view["banner"].as_str().unwrap();
        assert!(
            banner.contains(lang.messages().consent_banner_title),
            "{lang:?}: {banner}"
        );
        assert!(
            banner.contains(r#"data-action="accept""#)
                && view["notice"].as_str().unwrap().contains("6.4")
        );
        assert!(view["frame"]
            .as_str()
            .unwrap()
            .contains(r#"data-action="allow""#));
        assert!(!setup["names"][lang.code()]["marketing"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    assert!(setup["css"].as_str().unwrap().contains(".fk-banner"));
    assert_eq!(
        setup["acceptAll"],
        json!([
            ["necessary", "preferences", "statistics", "marketing"],
            ["necessary", "preferences", "statistics"]
        ])
    );
    assert_eq!(setup["frames"][0]["provider"], "YouTube");
    // Markup in a script's text: never an end tag or a comment opener as such.
    assert!(!js[start..end].contains("</") && !js[start..end].contains("<!--"));
}

/// Right after a change, the requests that find the loader stale wait for one rendering
/// instead of each compressing it.
#[tokio::test]
async fn the_loader_is_rendered_once_for_many_requests() {
    let t = seeded().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let router = t.router.clone();
        requests.spawn(async move { get(&router, "/consent.js").await });
    }
    let replies = requests.join_all().await;
    assert!(replies
        .iter()
        .all(|r| r.status == StatusCode::OK && r.header("etag") == replies[0].header("etag")));
    assert_eq!(t.state.consent_loader.renders(), 1);
    get(&t.router, "/consent.js").await;
    assert_eq!(
        t.state.consent_loader.renders(),
        1,
        "and not again while the setup holds"
    );
}

/// Every page view of every embedding site asks for the loader: it is compressed once per
/// setup, at the best level, and sent in the encoding the browser takes.
#[tokio::test]
async fn the_loader_is_sent_precompressed() {
    use std::io::Read;
    let t = seeded().await;
    let plain = get(&t.router, "/consent.js").await;
    let br = request(
        &t.router,
        "GET",
        "/consent.js",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(br.header("vary"), "accept-encoding");
    assert_eq!(br.header("etag"), plain.header("etag"));
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &br.body[..], &mut decoded).unwrap();
    assert_eq!(decoded, plain.body);
    assert!(
        br.body.len() * 3 < plain.body.len(),
        "{} of {} bytes",
        br.body.len(),
        plain.body.len()
    );
    let gz = request(
        &t.router,
        "GET",
        "/consent.js",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
}

/// A visitor's receipts are personal: never kept by a shared or browser cache.
#[tokio::test]
async fn receipts_are_never_cached() {
    let t = seeded().await;
    let rev = revision(&t).await;
    send(
        &t.router,
        "POST",
        "/api/consent",
        &[JSON],
        choice(&rev, &["necessary"]).to_string(),
    )
    .await;
    let history = get(&t.router, &format!("/api/consent/{ID}")).await;
    assert_eq!(history.status, 200);
    assert_eq!(history.header("cache-control"), "no-store");
}

/// One address cannot grow the receipts table without bound: past its hourly number, 429 with
/// the wait, nothing written. Other addresses are unaffected, an IPv6 /64 counts as one
/// address, and the hour frees up again.
#[tokio::test]
async fn receipts_per_address_are_limited() {
    let mut t = seeded().await;
    t.state.receipts = fk_server::consent::writer::Receipts::new(t.db.clone(), Some(5));
    t.router = app(t.state.clone());
    let rev = revision(&t).await;
    let post = |ip: &str, n: usize| {
        let body = json!({ "consent_id": format!("0f8fad5b-d9cb-469f-a165-{n:012x}"), "categories": ["necessary"],
            "config_revision": rev, "policy_version": 1, "gpc": false }).to_string();
        let (router, ip) = (t.router.clone(), ip.parse().unwrap());
        async move { send_from(&router, ip, "POST", "/api/consent", &[JSON], body).await }
    };
    for n in 0..5 {
        assert_eq!(post("198.51.100.7", n).await.status, 201, "receipt {n}");
    }
    let refused = post("198.51.100.7", 5).await;
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert_eq!(refused.error().0, "too_many_requests");
    let wait: u64 = refused.header("retry-after").parse().unwrap();
    assert!(
        (3590..=3600).contains(&wait),
        "the hour frees up when its first receipt leaves it: {wait}"
    );
    assert_eq!(rows(&t).await, 5, "nothing written past the limit");
    assert_eq!(
        post("198.51.100.8", 6).await.status,
        201,
        "another address has its own count"
    );
    for n in 0..5 {
        assert_eq!(
            post(&format!("2001:db8:5:5::{n:x}"), 10 + n).await.status,
            201
        );
    }
    assert_eq!(
        post("2001:db8:5:5:ffff::1", 20).await.status,
        429,
        "one /64, one count"
    );
    t.state.clock.advance(3601);
    assert_eq!(
        post("198.51.100.7", 21).await.status,
        201,
        "an hour later the address may record again"
    );

    // Concurrent receipts of one address in one batch: exactly the limit gets through.
    let batch: Vec<_> = (0..12).map(|n| post("192.0.2.44", 100 + n)).collect();
    let statuses: Vec<u16> = all_at_once(batch)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        7,
        "{statuses:?}"
    );
}

/// Runs the requests at once (one task each) and returns their replies in order.
async fn all_at_once<F: std::future::Future<Output = Reply> + Send + 'static>(
    requests: Vec<F>,
) -> Vec<Reply> {
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

#[test]
fn the_limit_is_configured_or_off() {
    use fk_server::consent::writer::{parse_limit, DEFAULT_PER_HOUR};
    assert_eq!(parse_limit(None), Ok(Some(DEFAULT_PER_HOUR)));
    assert_eq!(parse_limit(Some("50")), Ok(Some(50)));
    assert_eq!(parse_limit(Some("off")), Ok(None));
    assert!(parse_limit(Some("0")).is_err() && parse_limit(Some("lots")).is_err());
}
