//! Consent receipts in the database: appended, never changed.
use fk_api::consent::{Category, Choice, ConsentReceipt};
use sqlx::Row;

use crate::clock::rfc3339;
use crate::db::Db;

pub struct Context {
    pub user_agent: String,
    pub ip_truncated: String,
    pub recorded_at: i64,
    /// The signed-in account, so the personal section can list the account's receipts.
    pub account_id: Option<i64>,
}

/// Columns of a receipt row, in the order `insert` binds them.
const COLUMNS: usize = 9;

/// Receipts in one statement, which is atomic by itself: all rows or none. One statement
/// rather than one per row, since each is a round trip to the database.
/// At most `writer::BATCH` rows: 256 × 9 parameters stay far below SQLite's and PostgreSQL's limits.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    receipts: &[(&Choice, &Context)],
) -> Result<(), sqlx::Error> {
    if receipts.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..receipts.len())
        .map(|r| {
            let params: Vec<String> = (1..=COLUMNS)
                .map(|c| format!("${}", r * COLUMNS + c))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO consent_receipts (consent_id, categories, config_revision, policy_version, gpc, user_agent, ip_truncated, recorded_at, account_id) VALUES {}",
        rows.join(", ")
    );
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (choice, ctx) in receipts {
        let categories: Vec<&str> = choice.categories.iter().map(|c| c.code()).collect();
        query = query
            .bind(&choice.consent_id)
            .bind(categories.join(","))
            .bind(&choice.config_revision)
            .bind(i64::from(choice.policy_version))
            .bind(i64::from(choice.gpc))
            .bind(&ctx.user_agent)
            .bind(&ctx.ip_truncated)
            .bind(ctx.recorded_at)
            .bind(ctx.account_id);
    }
    query.execute(conn).await?;
    Ok(())
}

/// The most receipts one answer carries: a person's history, not a bulk export.
pub const HISTORY_LIMIT: i64 = 100;

pub async fn history(db: &Db, consent_id: &str) -> Result<Vec<ConsentReceipt>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT} FROM consent_receipts WHERE consent_id = $1 ORDER BY id DESC LIMIT $2"
    )))
    .bind(consent_id)
    .bind(HISTORY_LIMIT)
    .fetch_all(db)
    .await?;
    rows.iter().map(receipt).collect()
}

/// Every receipt recorded while the account was signed in, newest first, whole.
pub async fn for_account(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
) -> Result<Vec<ConsentReceipt>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT} FROM consent_receipts WHERE account_id = $1 ORDER BY id DESC"
    )))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(receipt).collect()
}

const RECEIPT: &str = "consent_id, categories, config_revision, policy_version, gpc, user_agent, ip_truncated, recorded_at";

fn receipt(r: &sqlx::any::AnyRow) -> Result<ConsentReceipt, sqlx::Error> {
    let categories: String = r.try_get("categories")?;
    Ok(ConsentReceipt {
        consent_id: r.try_get("consent_id")?,
        categories: categories
            .split(',')
            .filter_map(Category::from_code)
            .collect(),
        config_revision: r.try_get("config_revision")?,
        policy_version: r.try_get::<i64, _>("policy_version")? as u32,
        recorded_at: rfc3339(r.try_get("recorded_at")?),
        gpc: r.try_get::<i64, _>("gpc")? != 0,
        user_agent: r.try_get("user_agent")?,
        ip_truncated: r.try_get("ip_truncated")?,
    })
}
