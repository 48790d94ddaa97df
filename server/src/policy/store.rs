//! Policy versions in the database.
use fk_api::policy::VersionSummary;
use fk_api::Lang;
use sqlx::Row;

use crate::clock::rfc3339;
use crate::db::Db;

/// A version's metadata, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    pub id: i64,
    pub lang: Lang,
    pub version: u32,
    pub effective_at: i64,
    pub content_hash: String,
}

impl VersionRow {
    pub fn summary(&self) -> VersionSummary {
        VersionSummary {
            lang: self.lang,
            version: self.version,
            effective_at: rfc3339(self.effective_at),
            content_hash: self.content_hash.clone(),
        }
    }
}

const COLUMNS: &str = "id, lang, version, effective_at, content_hash";

fn row(r: &sqlx::any::AnyRow) -> Result<VersionRow, sqlx::Error> {
    let lang: String = r.try_get("lang")?;
    Ok(VersionRow {
        id: r.try_get("id")?,
        lang: Lang::from_code(&lang)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown language {lang:?}").into()))?,
        version: u32::try_from(r.try_get::<i64, _>("version")?)
            .map_err(|e| sqlx::Error::Decode(e.into()))?,
        effective_at: r.try_get("effective_at")?,
        content_hash: r.try_get("content_hash")?,
    })
}

pub async fn latest(db: &Db, lang: Lang) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM policy_versions WHERE lang = $1 ORDER BY version DESC LIMIT 1"
    );
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lang.code())
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

pub async fn find(db: &Db, lang: Lang, version: u32) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policy_versions WHERE lang = $1 AND version = $2");
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lang.code())
        .bind(i64::from(version))
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

pub async fn list(db: &Db, lang: Lang) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM policy_versions WHERE lang = $1 ORDER BY version DESC");
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lang.code())
        .fetch_all(db)
        .await?
        .iter()
        .map(row)
        .collect()
}

pub async fn list_all(db: &Db) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policy_versions ORDER BY lang, version");
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?
        .iter()
        .map(row)
        .collect()
}

pub async fn body(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT body FROM policy_versions WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("body"))
        .transpose()
}

/// Appends the next version of `lang`. The `(lang, version)` key makes two concurrent
/// publishers collide instead of both becoming "version N".
pub async fn insert(
    db: &Db,
    lang: Lang,
    body: &str,
    content_hash: &str,
    now: i64,
) -> Result<VersionRow, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM policy_versions WHERE lang = $1",
    )
    .bind(lang.code())
    .fetch_one(&mut *tx)
    .await?
    .try_get("next")?;
    let id: i64 = sqlx::query(
        "INSERT INTO policy_versions (lang, version, effective_at, body, content_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(lang.code())
    .bind(next)
    .bind(now)
    .bind(body)
    .bind(content_hash)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    tx.commit().await?;
    Ok(VersionRow {
        id,
        lang,
        version: next as u32,
        effective_at: now,
        content_hash: content_hash.to_string(),
    })
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM policy_versions")
        .fetch_one(db)
        .await?
        .try_get("n")
}
