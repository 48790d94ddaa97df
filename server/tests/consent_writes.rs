//! Durable consent receipts under concurrency (group commit, `consent/writer.rs`): every
//! acknowledged receipt is already in the database, concurrent ones all land, a receipt a
//! constraint refuses fails alone, and a failing database fails every waiter (503, never 201).
mod common;

use axum::http::StatusCode;
use common::*;
use sqlx::Row;

const JSON: (&str, &str) = ("content-type", "application/json");

fn consent_id(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

async fn revision(t: &TestApp) -> String {
    get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn stored(t: &TestApp, id: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM consent_receipts WHERE consent_id = $1")
        .bind(id)
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("n")
}

/// Posts one choice per ID, all at once; returns each ID with its status, as answered.
async fn post_all(t: &TestApp, rev: &str, ids: Vec<String>) -> Vec<(String, StatusCode)> {
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let router = t.router.clone();
            let body = serde_json::json!({ "consent_id": id, "categories": ["necessary"], "config_revision": rev, "policy_version": 1, "gpc": false });
            tokio::spawn(async move {
                let r = send(&router, "POST", "/api/consent", &[JSON], body.to_string()).await;
                if r.status != StatusCode::CREATED {
                    assert_eq!(r.error().0, "database_unavailable", "{}", r.text());
                }
                (id, r.status)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_receipts_all_land_and_each_is_committed_when_acknowledged() {
    let t = seeded().await;
    let rev = revision(&t).await;
    let tasks: Vec<_> = (0..300)
        .map(|n| {
            let (router, db, rev) = (t.router.clone(), t.db.clone(), rev.clone());
            tokio::spawn(async move {
                let id = consent_id(n);
                let body = serde_json::json!({ "consent_id": id, "categories": ["necessary"], "config_revision": rev, "policy_version": 1, "gpc": false });
                let r = send(&router, "POST", "/api/consent", &[JSON], body.to_string()).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                // Read at once, through another connection: a 201 means committed.
                let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM consent_receipts WHERE consent_id = $1")
                    .bind(&id)
                    .fetch_one(&db)
                    .await
                    .unwrap()
                    .get("n");
                assert_eq!(n, 1, "{id} acknowledged but not in the database");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM consent_receipts")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("n");
    assert_eq!(total, 300);
}

#[tokio::test]
async fn a_receipt_a_constraint_refuses_fails_alone() {
    let t = seeded().await;
    let rev = revision(&t).await;
    let bad = consent_id(999);
    // A partial unique index (same syntax on both databases): a second receipt under `bad` is refused.
    // Run-time SQL: `bad` is made by the test (an index's condition takes no bound value).
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE UNIQUE INDEX only_once ON consent_receipts (consent_id) WHERE consent_id = '{bad}'"
    )))
    .execute(&t.db)
    .await
    .unwrap();
    assert_eq!(
        post_all(&t, &rev, vec![bad.clone()]).await[0].1,
        StatusCode::CREATED
    );
    let mut ids: Vec<String> = (0..60).map(consent_id).collect();
    for at in [0, 20, 40, 59] {
        ids.insert(at, bad.clone());
    }
    for (id, status) in post_all(&t, &rev, ids).await {
        if id == bad {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        } else {
            assert_eq!(
                status,
                StatusCode::CREATED,
                "{id} failed with the refused one"
            );
            assert_eq!(stored(&t, &id).await, 1);
        }
    }
    assert_eq!(stored(&t, &bad).await, 1);
}

#[tokio::test]
async fn a_failing_database_fails_every_waiter() {
    let t = seeded().await;
    let rev = revision(&t).await;
    assert_eq!(
        post_all(&t, &rev, vec![consent_id(1)]).await[0].1,
        StatusCode::CREATED
    );
    sqlx::query("ALTER TABLE consent_receipts RENAME TO consent_receipts_away")
        .execute(&t.db)
        .await
        .unwrap();
    let answers = post_all(&t, &rev, (100..150).map(consent_id).collect()).await;
    assert!(
        answers
            .iter()
            .all(|(_, s)| *s == StatusCode::SERVICE_UNAVAILABLE),
        "{answers:?}"
    );
    sqlx::query("ALTER TABLE consent_receipts_away RENAME TO consent_receipts")
        .execute(&t.db)
        .await
        .unwrap();
    let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM consent_receipts")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("n");
    assert_eq!(total, 1, "nothing of the failed batches was written");
    assert_eq!(
        post_all(&t, &rev, vec![consent_id(2)]).await[0].1,
        StatusCode::CREATED,
        "the writer carries on"
    );
    // A database that is gone altogether.
    t.db.close().await;
    let answers = post_all(&t, &rev, (200..220).map(consent_id).collect()).await;
    assert!(
        answers
            .iter()
            .all(|(_, s)| *s == StatusCode::SERVICE_UNAVAILABLE),
        "{answers:?}"
    );
}
