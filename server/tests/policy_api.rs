//! The policy API against a real SQLite file: seeding, publishing, versions, ETag/304, diff,
//! fallback, and every bad input.
mod common;

use axum::http::StatusCode;
use common::*;
use fk_api::Lang;
use fk_server::policy::{self, store, PublishError};

#[tokio::test]
async fn seeding_publishes_version_one_of_each_language_once() {
    let t = seeded().await;
    policy::seed(&t.db).await.unwrap();
    let rows = store::list_all(&t.db).await.unwrap();
    assert_eq!(rows.len(), 3, "a second start seeds nothing");
    assert!(rows.iter().all(|r| r.version == 1));
    let ru = get(&t.router, "/api/policy/ru").await;
    assert_eq!(ru.status, StatusCode::OK);
    let v = ru.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["lang"], "ru");
    assert_eq!(v["document"]["sections"].as_array().unwrap().len(), 9);
    assert!(v["effective_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["content_hash"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn current_version_honours_if_none_match() {
    let t = seeded().await;
    let first = get(&t.router, "/api/policy/en").await;
    let etag = first.header("etag").to_string();
    assert!(etag.starts_with('"'));
    assert_eq!(first.header("cache-control"), "no-cache");
    let again = request(
        &t.router,
        "GET",
        "/api/policy/en",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);
    // A new version changes the tag, so the old one no longer matches, once the staleness
    // bound has passed; until then the cached version is what every request gets.
    policy::publish(
        &t.db,
        Lang::En,
        format!("{}\n\n9.3. New.\n", include_str!("../../policy/en.md")).as_bytes(),
    )
    .await
    .unwrap();
    t.after_staleness_bound();
    let after = request(
        &t.router,
        "GET",
        "/api/policy/en",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.json()["version"], 2);
}

#[tokio::test]
async fn numbered_versions_are_immutable_and_cacheable() {
    let t = seeded().await;
    let v1 = get(&t.router, "/api/policy/ru/versions/1").await;
    assert_eq!(v1.status, StatusCode::OK);
    assert_eq!(
        v1.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let etag = v1.header("etag").to_string();
    let again = request(
        &t.router,
        "GET",
        "/api/policy/ru/versions/1",
        &[("if-none-match", &format!("W/{etag}"))],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn versions_are_listed_newest_first() {
    let t = seeded().await;
    policy::publish(
        &t.db,
        Lang::Ru,
        format!("{RU}\n\n9.3. Новый пункт.\n").as_bytes(),
    )
    .await
    .unwrap();
    let list = get(&t.router, "/api/policy/ru/versions").await.json();
    let versions: Vec<i64> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(get(&t.router, "/api/policy/ru").await.json()["version"], 2);
}

#[tokio::test]
async fn a_language_without_versions_falls_back_to_russian() {
    let t = fresh().await;
    policy::publish(&t.db, Lang::Ru, RU.as_bytes())
        .await
        .unwrap();
    let kk = get(&t.router, "/api/policy/kk").await;
    assert_eq!(kk.status, StatusCode::OK);
    let v = kk.json();
    assert_eq!(
        (v["lang"].as_str(), v["requested_lang"].as_str()),
        (Some("ru"), Some("kk"))
    );
    assert_eq!(
        get(&t.router, "/api/policy/kk/versions").await.json()["lang"],
        "ru"
    );
    let one = get(&t.router, "/api/policy/kk/versions/1").await;
    assert_eq!(
        one.header("cache-control"),
        "no-cache",
        "a fallback answer changes once kk is published"
    );
}

#[tokio::test]
async fn an_outdated_translation_says_so() {
    let t = seeded().await;
    assert_eq!(
        get(&t.router, "/api/policy/kk").await.json()["original_newer"],
        false
    );
    // Publication times are whole seconds; make the Russian text strictly newer.
    sqlx::query("UPDATE policy_versions SET effective_at = effective_at - 10 WHERE lang = 'kk'")
        .execute(&t.db)
        .await
        .unwrap();
    policy::publish(
        &t.db,
        Lang::Ru,
        format!("{RU}\n\n9.3. Новый пункт.\n").as_bytes(),
    )
    .await
    .unwrap();
    t.after_staleness_bound();
    assert_eq!(
        get(&t.router, "/api/policy/kk").await.json()["original_newer"],
        true
    );
    assert_eq!(
        get(&t.router, "/api/policy/ru").await.json()["original_newer"],
        false
    );
}

#[tokio::test]
async fn diff_reports_changed_and_added_clauses_word_by_word() {
    let t = seeded().await;
    let changed =
        RU.replace("без исключения.", "без каких-либо исключений.") + "\n9.3. Новый пункт.\n";
    policy::publish(&t.db, Lang::Ru, changed.as_bytes())
        .await
        .unwrap();
    let d = get(&t.router, "/api/policy/ru/diff?from=1&to=2").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(
        d.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let v = d.json();
    let units = v["units"].as_array().unwrap();
    let changed: Vec<(&str, &str)> = units
        .iter()
        .filter(|u| u["status"] != "unchanged")
        .map(|u| (u["id"].as_str().unwrap(), u["status"].as_str().unwrap()))
        .collect();
    assert_eq!(changed, vec![("9.2", "changed"), ("9.3", "added")]);
    let c92 = units.iter().find(|u| u["id"] == "9.2").unwrap();
    let inserted: String = c92["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "insert")
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    let deleted: String = c92["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "delete")
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(
        inserted.contains("каких-либо") && inserted.contains("исключений."),
        "{inserted}"
    );
    assert!(deleted.contains("исключения."), "{deleted}");
    // Without `to`: since version 1 up to the current one.
    let since = get(&t.router, "/api/policy/ru/diff?from=1").await;
    assert_eq!(since.json()["to"]["version"], 2);
    assert_eq!(since.header("cache-control"), "no-cache");
}

#[tokio::test]
async fn bad_requests_get_specific_errors() {
    let t = seeded().await;
    policy::publish(&t.db, Lang::Ru, format!("{RU}\n\n9.3. x\n").as_bytes())
        .await
        .unwrap();
    let cases: &[(&str, StatusCode, &str, Option<&str>)] = &[
        (
            "/api/policy/de",
            StatusCode::NOT_FOUND,
            "unknown_language",
            Some("lang"),
        ),
        (
            "/api/policy/RU/versions",
            StatusCode::NOT_FOUND,
            "unknown_language",
            Some("lang"),
        ),
        (
            "/api/policy/ru/versions/9",
            StatusCode::NOT_FOUND,
            "unknown_version",
            Some("version"),
        ),
        (
            "/api/policy/ru/versions/abc",
            StatusCode::BAD_REQUEST,
            "invalid_version",
            Some("version"),
        ),
        (
            "/api/policy/ru/versions/0",
            StatusCode::BAD_REQUEST,
            "invalid_version",
            Some("version"),
        ),
        (
            "/api/policy/ru/versions/-1",
            StatusCode::BAD_REQUEST,
            "invalid_version",
            Some("version"),
        ),
        (
            "/api/policy/ru/versions/99999999999999999999",
            StatusCode::BAD_REQUEST,
            "invalid_version",
            Some("version"),
        ),
        (
            "/api/policy/ru/diff",
            StatusCode::BAD_REQUEST,
            "invalid_diff",
            Some("from"),
        ),
        (
            "/api/policy/ru/diff?to=2",
            StatusCode::BAD_REQUEST,
            "invalid_diff",
            Some("from"),
        ),
        (
            "/api/policy/ru/diff?from=x",
            StatusCode::BAD_REQUEST,
            "invalid_diff",
            Some("from"),
        ),
        (
            "/api/policy/ru/diff?from=1000001",
            StatusCode::BAD_REQUEST,
            "invalid_diff",
            Some("from"),
        ),
        (
            "/api/policy/ru/diff?from=7&to=2",
            StatusCode::NOT_FOUND,
            "unknown_version",
            Some("from"),
        ),
        (
            "/api/policy/ru/diff?from=1&to=7",
            StatusCode::NOT_FOUND,
            "unknown_version",
            Some("to"),
        ),
        (
            "/api/policy/ru/diff?from=%FF",
            StatusCode::BAD_REQUEST,
            "invalid_diff",
            Some("from"),
        ),
        (
            "/api/policy/%FF",
            StatusCode::BAD_REQUEST,
            "not_found",
            Some("path"),
        ),
        ("/api/nothing", StatusCode::NOT_FOUND, "not_found", None),
    ];
    for (uri, status, code, field) in cases {
        let r = get(&t.router, uri).await;
        assert_eq!(r.status, *status, "{uri}: {}", r.text());
        assert_eq!(r.header("content-type"), "application/json", "{uri}");
        let (c, f) = r.error();
        assert_eq!((c.as_str(), f.as_deref()), (*code, *field), "{uri}");
    }
    // A version compared with itself (as `from` alone, or both): nothing changed, not an error.
    for uri in [
        "/api/policy/ru/diff?from=1&to=1",
        "/api/policy/ru/diff?from=2",
    ] {
        let same = get(&t.router, uri).await;
        assert_eq!(same.status, StatusCode::OK, "{uri}: {}", same.text());
        let units = same.json()["units"].as_array().unwrap().clone();
        assert!(
            !units.is_empty() && units.iter().all(|u| u["status"] == "unchanged"),
            "{uri}"
        );
    }
    let post = request(&t.router, "POST", "/api/policy/ru", &[]).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.error().0, "method_not_allowed");
}

#[tokio::test]
async fn bad_policy_files_are_refused_and_nothing_is_written() {
    let t = seeded().await;
    let before = store::list_all(&t.db).await.unwrap();
    let bad: &[&[u8]] = &[
        b"",
        b"   \n\n",
        b"\xff\xfe not utf-8",
        b"# Title only\n\nno sections here",
        b"## 1. No title\n\n1.1. x\n",
    ];
    for body in bad {
        let err = policy::publish(&t.db, Lang::Ru, body).await.unwrap_err();
        assert!(
            matches!(err, PublishError::NotUtf8 | PublishError::Invalid(_)),
            "{err}"
        );
    }
    let identical = policy::publish(&t.db, Lang::Ru, RU.replace('\n', "\r\n").as_bytes())
        .await
        .unwrap_err();
    assert!(
        matches!(identical, PublishError::Identical(1, "ru")),
        "line endings do not make a new text: {identical}"
    );
    assert_eq!(store::list_all(&t.db).await.unwrap(), before);
}

#[tokio::test]
async fn health_reports_the_database() {
    let t = seeded().await;
    let ok = get(&t.router, "/api/health").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["database"], "ok");
    t.db.close().await;
    let down = get(&t.router, "/api/health").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.json()["database"], "down");
    let policy = get(&t.router, "/api/policy/ru").await;
    assert_eq!(
        policy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a database failure is a 503, never a 500"
    );
    assert_eq!(policy.error().0, "database_unavailable");
}
