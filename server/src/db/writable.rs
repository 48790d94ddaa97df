//! Whether the database can be written, for `/api/health`, for the errors clients get, and
//! for the pool to recover by itself.
//!
//! What happens to a running server when its SQLite file, or the disk under it, stops being
//! writable (`chmod a-w` for the service user, `chattr +i`, a disk remounted read-only after
//! errors), as seen with SQLite itself:
//! - an open connection reads as before; its writes fail with SQLITE_IOERR when the WAL file
//!   cannot be written, and work again once it can;
//! - a connection opened meanwhile is opened read-only, silently (SQLite falls back when the
//!   file cannot be opened for writing): its writes fail with SQLITE_READONLY, and keep
//!   failing after the file is writable again, for as long as the connection lives.
//!
//! So every new connection is probed, and while they come up read-only, connections are
//! renewed [`RECHECK`] after they were opened; when the probes see the file writable again,
//! every connection opened before is renewed. The health check writes for real.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fk_api::health::DatabaseHealth;
use sqlx::AnyConnection;

use super::Db;

/// How long a connection opened while the file was read-only is used before it is reopened
/// to look again.
pub const RECHECK: Duration = Duration::from_secs(1);

const SQLITE_BUSY: i32 = 5;
const SQLITE_READONLY: i32 = 8;
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;
/// PostgreSQL's `read_only_sql_transaction`: a write on a standby or a read-only session.
const PG_READ_ONLY: &str = "25006";

/// What the probes of one SQLite database saw last.
#[derive(Default)]
pub(super) struct Seen {
    read_only: AtomicBool,
    /// When `read_only` last flipped: connections opened before then are renewed.
    changed_at: Mutex<Option<Instant>>,
}

impl Seen {
    pub(super) fn observe(&self, writable: bool) {
        let was_read_only = self.read_only.swap(!writable, Ordering::SeqCst);
        if was_read_only == writable {
            *self.changed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            if writable {
                tracing::warn!("the database file is writable again");
            } else {
                tracing::error!("the database file is read-only: nothing can be saved until it is writable again");
            }
        }
    }

    /// Whether a pool connection `age` old is to be closed rather than used.
    pub(super) fn renew(&self, age: Duration) -> bool {
        let changed_at = *self.changed_at.lock().unwrap_or_else(|e| e.into_inner());
        let opened_before_change = match (Instant::now().checked_sub(age), changed_at) {
            (Some(opened), Some(changed)) => opened < changed,
            _ => false,
        };
        opened_before_change || (self.read_only.load(Ordering::SeqCst) && age > RECHECK)
    }
}

/// Whether `conn` (SQLite) can write: a table created in a transaction that is rolled back,
/// so nothing reaches the file. `None` when another writer held the lock past busy_timeout.
pub(super) async fn probe(conn: &mut AnyConnection) -> Result<Option<bool>, sqlx::Error> {
    let result = match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        Ok(_) => {
            let created = sqlx::query("CREATE TABLE fk_write_probe (x INTEGER)")
                .execute(&mut *conn)
                .await;
            sqlx::query("ROLLBACK").execute(&mut *conn).await?;
            created
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Some(true)),
        Err(e) if sqlite_code(&e) == Some(SQLITE_READONLY) => Ok(Some(false)),
        Err(e) if sqlite_code(&e) == Some(SQLITE_BUSY) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The health of the database: it answers, and it can be written. On SQLite, a write that
/// reaches the disk (`user_version` set to what it is: one page appended to the WAL), since a
/// write that is rolled back never touches the files and would miss a disk gone read-only.
pub async fn check(db: &Db) -> DatabaseHealth {
    let written = if db.connect_options().database_url.scheme() == "sqlite" {
        write_probe(db).await
    } else {
        // A standby, or a database set to `default_transaction_read_only`.
        let read_only =
            sqlx::query_scalar::<_, String>("SELECT current_setting('transaction_read_only')")
                .fetch_one(db)
                .await;
        match read_only {
            Ok(on) if on == "on" => return DatabaseHealth::ReadOnly,
            other => other.map(drop),
        }
    };
    let Err(error) = written else {
        return DatabaseHealth::Ok;
    };
    tracing::warn!(%error, "health check: the database fails");
    let reads = sqlx::query("SELECT 1").execute(db).await.is_ok();
    match failure(&error) {
        Failure::ReadOnly | Failure::Storage if reads => DatabaseHealth::ReadOnly,
        _ => DatabaseHealth::Down,
    }
}

async fn write_probe(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = super::begin_write(db).await?;
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await?;
    // Run-time SQL: an integer read just above (PRAGMA takes no bound value).
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA user_version = {version}"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// What a database error means for the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Reads work, writes do not.
    ReadOnly,
    /// The disk failed the database: I/O error, disk full, a file that cannot be opened.
    Storage,
    /// Anything else: out of reach, pool exhausted, a lock held too long.
    Unavailable,
}

pub fn failure(error: &sqlx::Error) -> Failure {
    if let sqlx::Error::Database(e) = error {
        if e.code().as_deref() == Some(PG_READ_ONLY) {
            return Failure::ReadOnly;
        }
    }
    match sqlite_code(error) {
        Some(SQLITE_READONLY) => Failure::ReadOnly,
        Some(SQLITE_IOERR | SQLITE_FULL | SQLITE_CANTOPEN) => Failure::Storage,
        _ => Failure::Unavailable,
    }
}

/// The primary result code of a SQLite error (its extended code carries it in the low byte).
fn sqlite_code(error: &sqlx::Error) -> Option<i32> {
    let sqlx::Error::Database(e) = error else {
        return None;
    };
    let sqlite = e.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    let code: i32 = sqlx::error::DatabaseError::code(sqlite)?.parse().ok()?;
    Some(code & 0xff)
}
