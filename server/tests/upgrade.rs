//! A database from before erased data was scrubbed from disk: the first start after the upgrade
//! rewrites it once, so what was deleted before is gone from its files too.
mod common;

use common::*;

#[tokio::test]
async fn an_upgraded_database_is_rewritten_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    if url.starts_with("postgres") {
        eprintln!("PostgreSQL: erasure from its files is the operator's vacuum (README)");
        return;
    }
    let secret = "old-erased-person@example.kz";
    {
        let db = fk_server::db::open(&url).await.unwrap();
        // The database as it was before migration 5: erased rows were left in free space.
        let mut conn = db.acquire().await.unwrap();
        for sql in [
            "PRAGMA secure_delete = OFF".to_string(),
            "CREATE TABLE scratch (v TEXT)".into(),
            format!("INSERT INTO scratch (v) SELECT '{secret}' || hex(randomblob(200)) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)"),
            "DROP TABLE scratch".into(),
            "PRAGMA wal_checkpoint(TRUNCATE)".into(),
            "DROP TABLE registration_holds".into(),
            // Migration 6 and later came after it too.
            "DROP TABLE guardian_confirmations".into(),
            "DROP TABLE passkey_challenges".into(),
            "DROP TABLE passkeys".into(),
            "ALTER TABLE sessions DROP COLUMN passkey_id".into(),
            "DROP TABLE second_steps".into(),
            "DROP TABLE recovery_codes".into(),
            "DROP TABLE two_step".into(),
            "ALTER TABLE mail_queue DROP COLUMN subject".into(),
            "DELETE FROM _sqlx_migrations WHERE version >= 5".into(),
        ] {
            // Run-time SQL: the statements above, the secret a constant of this test.
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        drop(conn);
        db.close().await;
    }
    let file = || std::fs::read(dir.path().join("test.db")).unwrap();
    let holds = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(
        holds(&file()),
        "the deleted rows are still in the file before the upgrade"
    );
    let db = fk_server::db::open(&url).await.unwrap();
    assert!(
        !holds(&file()),
        "the first start after the upgrade rewrote the file"
    );
    db.close().await;
    // Later starts leave it be (nothing to rewrite, and no VACUUM on every start).
    let before = std::fs::metadata(dir.path().join("test.db"))
        .unwrap()
        .modified()
        .unwrap();
    let db = fk_server::db::open(&url).await.unwrap();
    db.close().await;
    assert_eq!(
        std::fs::metadata(dir.path().join("test.db"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
}
