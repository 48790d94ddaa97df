//! Throttling counted in the database (so every server instance sees the same counts), never a
//! permanent lockout: every limit is a sliding window, and the answer says when to come back.
use sqlx::{AnyConnection, Row};

/// At most `max` events in any `seconds`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub seconds: i64,
    pub max: i64,
}

pub const fn window(seconds: i64, max: i64) -> Window {
    Window { seconds, max }
}

/// After `free` events within `seconds`, each further attempt waits `base` seconds after the
/// last event, doubling with every event, up to `cap`.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub seconds: i64,
    pub free: i64,
    pub base: i64,
    pub cap: i64,
}

/// `Err(seconds to wait)` when any window is full or the backoff has not passed.
pub async fn check(
    db: &mut AnyConnection,
    bucket: &str,
    now: i64,
    windows: &[Window],
    backoff: Option<Backoff>,
) -> Result<Result<(), u64>, sqlx::Error> {
    let mut wait = 0i64;
    for w in windows {
        let since = now - w.seconds;
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM throttle_events WHERE bucket = $1 AND at > $2")
                .bind(bucket)
                .bind(since)
                .fetch_one(&mut *db)
                .await?
                .try_get("n")?;
        if count >= w.max {
            // The window frees up when the oldest event that keeps it full leaves it.
            let at: i64 = sqlx::query("SELECT at FROM throttle_events WHERE bucket = $1 AND at > $2 ORDER BY at LIMIT 1 OFFSET $3")
                .bind(bucket)
                .bind(since)
                .bind(count - w.max)
                .fetch_one(&mut *db)
                .await?
                .try_get("at")?;
            wait = wait.max(at + w.seconds - now);
        }
    }
    if let Some(b) = backoff {
        let row = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM throttle_events WHERE bucket = $1 AND at > $2")
            .bind(bucket)
            .bind(now - b.seconds)
            .fetch_one(&mut *db)
            .await?;
        let count: i64 = row.try_get("n")?;
        if count >= b.free {
            let last: i64 = row.try_get::<Option<i64>, _>("last")?.unwrap_or(now);
            let delay = (b.base << (count - b.free).min(20)).min(b.cap);
            wait = wait.max(last + delay - now);
        }
    }
    Ok(if wait > 0 { Err(wait as u64) } else { Ok(()) })
}

pub async fn record(db: &mut AnyConnection, bucket: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO throttle_events (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Several events at once (one statement), each in its bucket at its time.
pub async fn record_many(
    db: &mut AnyConnection,
    events: &[(&str, i64)],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..events.len())
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let sql = format!(
        "INSERT INTO throttle_events (bucket, at) VALUES {}",
        values.join(", ")
    );
    // Run-time SQL: the text holds only generated `$n` placeholders; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (bucket, at) in events {
        query = query.bind(*bucket).bind(*at);
    }
    query.execute(&mut *db).await?;
    Ok(())
}

/// For each of `buckets` with events after `since`: how many, and the time of the oldest.
pub async fn counts(
    db: &mut AnyConnection,
    buckets: &[&str],
    since: i64,
) -> Result<std::collections::HashMap<String, (i64, i64)>, sqlx::Error> {
    if buckets.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = (0..buckets.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT bucket, COUNT(*) AS n, MIN(at) AS oldest FROM throttle_events WHERE at > $1 AND bucket IN ({}) GROUP BY bucket",
        list.join(", ")
    );
    // Run-time SQL: the text holds only generated `$n` placeholders; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
    for bucket in buckets {
        query = query.bind(*bucket);
    }
    query
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("bucket")?,
                (r.try_get("n")?, r.try_get("oldest")?),
            ))
        })
        .collect()
}

pub async fn clear(db: &mut AnyConnection, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle_events WHERE bucket = $1")
        .bind(bucket)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Forgets events no window looks at any more.
pub async fn prune(db: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle_events WHERE at < $1")
        .bind(now - 2 * 86_400)
        .execute(&mut *db)
        .await?;
    Ok(())
}
