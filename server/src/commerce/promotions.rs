//! Promotions (managed with `fk-server promotion …`) and the users who take part. Leaving
//! keeps the row with `left_at`, so the user's past participation stays visible; joining
//! again starts a new row.
use fk_api::account::commerce::{ParticipationView, PromotionView, Promotions};
use fk_api::Lang;
use sqlx::{AnyConnection, Row};

use crate::clock::rfc3339;
use crate::db::Db;

pub const SLUG_MAX: usize = 64;
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// A slug: 1–64 of `a-z`, `0-9` and `-` (it is a URL segment).
pub fn check_slug(slug: &str) -> Result<(), String> {
    if (1..=SLUG_MAX).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(())
    } else {
        Err(format!(
            "invalid slug {slug:?}: use 1 to 64 of a-z, 0-9 and '-'"
        ))
    }
}

/// A promotion's texts in ru, kk, en (the order of [`Lang::ALL`]).
#[derive(Clone, Debug)]
pub struct NewPromotion {
    pub slug: String,
    pub titles: [String; 3],
    pub descriptions: [String; 3],
    pub starts_at: i64,
    pub ends_at: i64,
}

impl NewPromotion {
    /// What the CLI refuses before writing anything.
    pub fn check(&self) -> Result<(), String> {
        check_slug(&self.slug)?;
        for (lang, (title, description)) in Lang::ALL
            .iter()
            .zip(self.titles.iter().zip(&self.descriptions))
        {
            if title.trim().is_empty() || title.chars().count() > TITLE_MAX {
                return Err(format!(
                    "the {} title has 1 to {TITLE_MAX} characters",
                    lang.code()
                ));
            }
            if description.trim().is_empty() || description.chars().count() > DESCRIPTION_MAX {
                return Err(format!(
                    "the {} description has 1 to {DESCRIPTION_MAX} characters",
                    lang.code()
                ));
            }
        }
        if self.ends_at <= self.starts_at {
            return Err("a promotion ends after it starts".into());
        }
        Ok(())
    }
}

/// Adds a promotion; `false` when the slug is taken (nothing is written then).
pub async fn add(
    conn: &mut AnyConnection,
    p: &NewPromotion,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO promotions (slug, title_ru, title_kk, title_en, description_ru, description_kk, description_en, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&p.slug)
    .bind(p.titles[0].trim())
    .bind(p.titles[1].trim())
    .bind(p.titles[2].trim())
    .bind(p.descriptions[0].trim())
    .bind(p.descriptions[1].trim())
    .bind(p.descriptions[2].trim())
    .bind(p.starts_at)
    .bind(p.ends_at)
    .bind(now)
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// A promotion as `promotion list` shows it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub slug: String,
    pub title_ru: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// Open participations.
    pub taking_part: i64,
}

pub async fn list_all(conn: &mut AnyConnection) -> Result<Vec<Listed>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.slug, p.title_ru, p.starts_at, p.ends_at, \
         (SELECT COUNT(*) FROM promotion_participations pp WHERE pp.promotion_id = p.id AND pp.left_at IS NULL) AS taking_part \
         FROM promotions p ORDER BY p.starts_at, p.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                slug: r.try_get("slug")?,
                title_ru: r.try_get("title_ru")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                taking_part: r.try_get("taking_part")?,
            })
        })
        .collect()
}

/// The current promotions in `lang`, with whether the user takes part, and the user's past
/// participation (left, or the promotion ended), newest first.
pub async fn for_account(
    conn: &mut AnyConnection,
    account_id: i64,
    lang: Lang,
    now: i64,
) -> Result<Promotions, sqlx::Error> {
    let code = lang.code();
    // Run-time SQL: the column suffix is a `Lang` code (ru, kk, en); values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.slug, p.title_{code} AS title, p.description_{code} AS description, p.starts_at, p.ends_at, \
         (SELECT MAX(pp.joined_at) FROM promotion_participations pp WHERE pp.promotion_id = p.id AND pp.account_id = $1 AND pp.left_at IS NULL) AS joined_at \
         FROM promotions p WHERE p.starts_at <= $2 AND p.ends_at > $2 ORDER BY p.ends_at, p.id"
    )))
    .bind(account_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let current = rows
        .iter()
        .map(|r| {
            Ok(PromotionView {
                slug: r.try_get("slug")?,
                title: r.try_get("title")?,
                description: r.try_get("description")?,
                starts_at: rfc3339(r.try_get("starts_at")?),
                ends_at: rfc3339(r.try_get("ends_at")?),
                joined_at: r.try_get::<Option<i64>, _>("joined_at")?.map(rfc3339),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // Run-time SQL: the column suffix is a `Lang` code (ru, kk, en); values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.slug, p.title_{code} AS title, pp.joined_at, pp.left_at, p.ends_at \
         FROM promotion_participations pp JOIN promotions p ON p.id = pp.promotion_id \
         WHERE pp.account_id = $1 AND (pp.left_at IS NOT NULL OR p.ends_at <= $2) \
         ORDER BY COALESCE(pp.left_at, p.ends_at) DESC, pp.id DESC"
    )))
    .bind(account_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let past = rows
        .iter()
        .map(|r| {
            Ok(ParticipationView {
                slug: r.try_get("slug")?,
                title: r.try_get("title")?,
                joined_at: rfc3339(r.try_get("joined_at")?),
                left_at: r.try_get::<Option<i64>, _>("left_at")?.map(rfc3339),
                ends_at: rfc3339(r.try_get("ends_at")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Promotions { current, past })
}

/// How many current promotions the user takes part in now.
pub async fn joined_count(
    conn: &mut AnyConnection,
    account_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT pp.promotion_id) AS n FROM promotion_participations pp JOIN promotions p ON p.id = pp.promotion_id \
         WHERE pp.account_id = $1 AND pp.left_at IS NULL AND p.starts_at <= $2 AND p.ends_at > $2",
    )
    .bind(account_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// What a join or leave did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Done, or nothing to do (already in, or not in).
    Done,
    UnknownSlug,
    /// The promotion has not started or has ended.
    Closed,
}

/// The promotion `slug` as (id, starts_at, ends_at).
async fn find(
    conn: &mut AnyConnection,
    slug: &str,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, starts_at, ends_at FROM promotions WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("starts_at")?,
            r.try_get("ends_at")?,
        ))
    })
    .transpose()
}

/// Joins a current promotion; already in, nothing changes.
pub async fn join(db: &Db, account_id: i64, slug: &str, now: i64) -> Result<Change, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some((id, starts_at, ends_at)) = find(&mut tx, slug).await? else {
        return Ok(Change::UnknownSlug);
    };
    if !(starts_at..ends_at).contains(&now) {
        return Ok(Change::Closed);
    }
    let open = sqlx::query("SELECT id FROM promotion_participations WHERE promotion_id = $1 AND account_id = $2 AND left_at IS NULL")
        .bind(id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
    if open.is_none() {
        let inserted = sqlx::query("INSERT INTO promotion_participations (promotion_id, account_id, joined_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(account_id)
            .bind(now)
            .execute(&mut *tx)
            .await;
        match inserted {
            // A concurrent join won (the unique index on open participations): already in.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Change::Done),
            Err(e) => return Err(e),
            Ok(_) => tx.commit().await?,
        }
    }
    Ok(Change::Done)
}

/// Leaves a promotion; not in it, nothing changes. After its end the participation is already
/// over (it shows as past with the end date), so leaving then changes nothing either.
pub async fn leave(db: &Db, account_id: i64, slug: &str, now: i64) -> Result<Change, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some((id, _, ends_at)) = find(&mut tx, slug).await? else {
        return Ok(Change::UnknownSlug);
    };
    if now < ends_at {
        sqlx::query("UPDATE promotion_participations SET left_at = $1 WHERE promotion_id = $2 AND account_id = $3 AND left_at IS NULL")
            .bind(now)
            .bind(id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Change::Done)
}
