//! The database: SQLite by default, PostgreSQL when `FK_DATABASE_URL` says so. Queries use
//! `$n` parameters, which both understand, through sqlx's `Any` driver.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection as _};

mod writable;
pub use writable::{check, failure, Failure};

pub type Db = AnyPool;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot migrate the database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    Scheme(String),
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Opens (creating if needed) and migrates the database.
pub async fn open(url: &str) -> Result<Db, OpenError> {
    sqlx::any::install_default_drivers();
    let sqlite = is_sqlite(url);
    if !sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(OpenError::Scheme(url.to_string()));
    }
    let mut connect_url = url.to_string();
    if sqlite {
        let path = sqlite_path(url);
        if let Some(parent) = Path::new(&path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| OpenError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        if !url.contains("mode=") {
            connect_url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
    }
    let seen = Arc::new(writable::Seen::default());
    let (on_connect, on_acquire) = (seen.clone(), seen.clone());
    let mut options = AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _| {
            let seen = on_connect.clone();
            Box::pin(async move {
                if sqlite {
                    // WAL lets readers work while one writer commits, FULL makes every
                    // acknowledged commit survive a power cut, and busy_timeout makes a second
                    // process (the CLI) wait for the lock instead of failing.
                    // secure_delete zeroes what a DELETE or UPDATE frees (cells, pages), so
                    // erased personal data does not linger in free space (see `scrub`).
                    let pragmas = [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA secure_delete = ON",
                    ];
                    for pragma in pragmas {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    // A file SQLite cannot open for writing is opened read-only, silently:
                    // note it, so the pool renews its connections when that changes.
                    if let Some(can) = writable::probe(conn).await? {
                        seen.observe(can);
                    }
                }
                Ok(())
            })
        });
    if sqlite {
        options = options.before_acquire(move |conn, meta| {
            // A connection whose COMMIT failed (a disk error) can be left counting an open
            // transaction its ROLLBACK could not end (SQLite had already ended it), and sqlx
            // would refuse every `BEGIN IMMEDIATE` on it from then on: renewed instead.
            let renew = on_acquire.renew(meta.age) || conn.is_in_transaction();
            Box::pin(async move { Ok(!renew) })
        });
    }
    let pool = options
        .connect(&connect_url)
        .await
        .map_err(|source| OpenError::Connect {
            url: redact(url),
            source,
        })?;
    let migrator = if sqlite {
        sqlx::migrate!("migrations/sqlite")
    } else {
        sqlx::migrate!("migrations/postgres")
    };
    let before = schema_version(&pool).await;
    migrator
        .run(&pool)
        .await
        .map_err(|source| OpenError::Migrate {
            url: redact(url),
            source,
        })?;
    if sqlite && (1..SECURE_DELETE_SINCE).contains(&before) {
        // Space freed before `secure_delete` was on may still hold deleted data: rewritten
        // once, on the first start after the upgrade.
        sqlx::query("VACUUM")
            .execute(&pool)
            .await
            .map_err(|source| OpenError::Connect {
                url: redact(url),
                source,
            })?;
        scrub(&pool).await;
    }
    Ok(pool)
}

pub(crate) fn sqlite_path(url: &str) -> String {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.split('?').next().unwrap_or_default().to_string()
}

/// A URL fit for logs: the password, if any, replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A transaction that writes. On SQLite it takes the write lock at `BEGIN IMMEDIATE`: a
/// deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when
/// another connection committed in between, which `busy_timeout` cannot wait out; seen as a
/// 503 under a flood of sign-ins. PostgreSQL's row locks need no such thing.
pub async fn begin_write(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if db.connect_options().database_url.scheme() == "sqlite" {
        db.begin_with("BEGIN IMMEDIATE").await
    } else {
        db.begin().await
    }
}

/// Makes what was just deleted unreadable on disk, not only to SQL. SQLite with
/// `secure_delete` zeroes freed space in the database file, but the write-ahead log still
/// holds the pages as they were before (and as they were after every earlier change) until a
/// checkpoint copies the current pages back and the log is truncated to nothing. Called after
/// an account is erased, after a delivered letter's text is dropped, and by housekeeping.
/// Best effort: what was asked has already been done and committed, so a failure here is
/// logged, not answered; the next call catches up. PostgreSQL has no such switch: its
/// operators vacuum and expire backups (README).
pub async fn scrub(db: &Db) {
    if db.connect_options().database_url.scheme() != "sqlite" {
        return;
    }
    // A reader still looking at an older snapshot makes the checkpoint stop short (`busy`):
    // readers here are short, so a second try usually sees it through.
    for attempt in 0..3 {
        match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(db)
            .await
            .and_then(|row| sqlx::Row::try_get::<i64, _>(&row, 0))
        {
            Ok(0) => return,
            Ok(_) => tokio::time::sleep(Duration::from_millis(20 << attempt)).await,
            Err(error) => {
                tracing::warn!(%error, "cannot truncate the write-ahead log now; housekeeping tries again");
                return;
            }
        }
    }
    tracing::warn!("the write-ahead log is busy; housekeeping truncates it later");
}

/// The newest migration applied to the database, 0 for a new one.
async fn schema_version(pool: &Db) -> i64 {
    let row = sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await;
    row.ok()
        .and_then(|r| sqlx::Row::try_get::<Option<i64>, _>(&r, "v").ok().flatten())
        .unwrap_or(0)
}

/// The migration that turned `secure_delete` on.
const SECURE_DELETE_SINCE: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://fk:secret@db/fk"),
            "postgres://fk:***@db/fk"
        );
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_path("sqlite://data/fk.db?mode=rwc"), "data/fk.db");
        assert_eq!(sqlite_path("sqlite:///tmp/fk.db"), "/tmp/fk.db");
    }
}
