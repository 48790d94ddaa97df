//! A database that goes away: requests get 503 with a clear error and `/api/health` says the
//! database is down; when it is back, the server recovers by itself, with no restart. The outage
//! is made on PostgreSQL (connections refused and the open ones cut), so this runs in the
//! PostgreSQL pass of `cargo xtask test`; on SQLite a file cannot be taken away from an open
//! connection.
mod common;

use common::*;
use sqlx::{Connection, Row};

#[tokio::test]
async fn a_database_outage_is_a_503_and_the_server_recovers_by_itself() {
    let t = seeded().await;
    if !is_postgres(&t.db) {
        return;
    }
    let name: String = sqlx::query("SELECT CAST(current_database() AS TEXT) AS name")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("name");
    let server = std::env::var("FK_TEST_POSTGRES").unwrap();
    let mut admin =
        sqlx::AnyConnection::connect(&format!("{}/postgres", server.trim_end_matches('/')))
            .await
            .unwrap();
    // Run-time SQL: the test's own database, by the name it was created with.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();

    let health = get(&t.router, "/api/health").await;
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["database"], "down");
    let policy = get(&t.router, "/api/policy/ru").await;
    assert_eq!(policy.status, 503);
    assert_eq!(policy.error().0, "database_unavailable");

    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS true"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let back = wait_for_status(&t, 200).await;
    assert!(back, "the server reconnected by itself");
    assert_eq!(get(&t.router, "/api/policy/ru").await.status, 200);
}

/// Polls the health check until it answers `status` (the pool reconnects on its own).
async fn wait_for_status(t: &TestApp, status: u16) -> bool {
    for _ in 0..100 {
        if get(&t.router, "/api/health").await.status.as_u16() == status {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
