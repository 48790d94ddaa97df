//! Group commit of consent receipts. A receipt is proof of consent, so its 201 goes out only
//! after it is committed; committing each one alone costs a disk flush per receipt (SQLite with
//! `synchronous = FULL`, PostgreSQL likewise), which capped the endpoint near 2 000 a second.
//! One writer task per server takes every receipt waiting on the channel (up to `BATCH`),
//! writes them as one transaction (a single multi-row INSERT: one round trip, one flush), and
//! only then answers each waiter. No timer: while one batch commits the next one gathers, so a
//! lone receipt is written at once.
//!
//! Failure is per waiter and never a false success. A batch a constraint rejects is retried one
//! receipt per statement, so one bad receipt cannot fail the others; any other failure (the
//! database unreachable, locked, broken) is every waiter's error (503); a writer that is gone
//! (a panic, shutdown) drops the answer channels, which waiters also see as an error. A commit
//! whose outcome is unknown (the connection broke during it) is reported as a failure, so a
//! retry may record the same choice twice: a duplicate receipt, never a lost one.
//!
//! Receipts per client address are limited (an IPv4 address or an IPv6 /64, counted in the
//! database like every throttle, so all instances share the count): one address cannot grow
//! the table without bound. The writer counts a batch's addresses in one query and answers
//! the receipts over the limit with 429 and `Retry-After`; the loader keeps such a receipt and
//! sends it again then, so a visitor behind a busy shared address loses no choice.
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use fk_api::consent::Choice;
use sqlx::error::ErrorKind;
use tokio::sync::{mpsc, oneshot};

use super::store::{self, Context};
use crate::auth::throttle::{self, Bucket};
use crate::db::{self, Db, Failure};
use crate::error::AppError;

/// The most receipts one transaction carries.
pub const BATCH: usize = 256;
/// Receipts waiting for the writer before senders wait too (backpressure, bounded memory).
const QUEUE: usize = 4096;

/// Receipts an address may record in an hour unless `FK_CONSENT_LIMIT` says otherwise: far
/// more than the people behind one home or office router choose, few enough that flooding
/// the table from one address takes a very long time.
pub const DEFAULT_PER_HOUR: i64 = 300;
const LIMIT_WINDOW: i64 = 3600;

struct Job {
    choice: Choice,
    ctx: Context,
    /// The throttle bucket of the client's address.
    bucket: String,
    done: oneshot::Sender<Result<(), AppError>>,
}

/// The handle handlers use; the writer task starts with the first receipt, on the runtime that
/// serves it, and ends when the last handle is dropped.
#[derive(Clone)]
pub struct Receipts {
    db: Db,
    /// Receipts per address per hour; none: unlimited (load tests).
    per_hour: Option<i64>,
    queue: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl Receipts {
    pub fn new(db: Db, per_hour: Option<i64>) -> Self {
        Receipts {
            db,
            per_hour,
            queue: Arc::default(),
        }
    }

    /// Records one receipt from the client at `address` (`client::address_key`); `Ok` only
    /// once it is committed.
    pub async fn record(
        &self,
        choice: Choice,
        ctx: Context,
        address: &str,
    ) -> Result<(), AppError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(run(self.db.clone(), self.per_hour, rx));
            tx
        });
        let (done, answer) = oneshot::channel();
        let bucket = Bucket::ConsentIp.name(address);
        queue
            .send(Job {
                choice,
                ctx,
                bucket,
                done,
            })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// `FK_CONSENT_LIMIT`: receipts per address per hour, or `off`.
pub fn parse_limit(value: Option<&str>) -> Result<Option<i64>, String> {
    match value.map(str::trim) {
        None => Ok(Some(DEFAULT_PER_HOUR)),
        Some(v) if v.eq_ignore_ascii_case("off") => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(format!("FK_CONSENT_LIMIT must be a number of receipts per address per hour (at least 1) or `off`, not {v:?}")),
        },
    }
}

fn gone() -> AppError {
    AppError::Unavailable(
        Failure::Unavailable,
        "the consent receipt writer stopped before committing".into(),
    )
}

async fn run(db: Db, per_hour: Option<i64>, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if let Some(max) = per_hour {
            if let Err(e) = refuse_over_limit(&db, max, &mut batch).await {
                let (failure, cause) = (
                    db::failure(&e),
                    format!("cannot count receipts per address: {e}"),
                );
                answer_all(&mut batch, || {
                    Err(AppError::Unavailable(failure, cause.clone()))
                });
                continue;
            }
            if batch.is_empty() {
                continue;
            }
        }
        match write(&db, per_hour.is_some(), batch.iter()).await {
            Ok(()) => answer_all(&mut batch, || Ok(())),
            // A constraint refused a row: find out whose, one receipt per statement. Only then:
            // after a lock timeout or an outage, retrying each alone would only multiply the wait.
            Err(sqlx::Error::Database(e)) if batch.len() > 1 && e.kind() != ErrorKind::Other => {
                tracing::warn!(error = %e, receipts = batch.len(), "a batch of consent receipts was refused; writing them one by one");
                for job in batch.drain(..) {
                    let result = write(&db, per_hour.is_some(), std::iter::once(&job)).await;
                    let _ = job.done.send(result.map_err(AppError::from));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, receipts = batch.len(), "a batch of consent receipts was not committed");
                // Each waiter gets the failure as it was (read-only, disk, out of reach), so the
                // client reads the same message as from any other write.
                let (failure, cause) = (db::failure(&e), format!("not committed: {e}"));
                answer_all(&mut batch, || {
                    Err(AppError::Unavailable(failure, cause.clone()))
                });
            }
        }
    }
}

/// Answers every waiter (one that gave up meanwhile is simply skipped).
fn answer_all(batch: &mut Vec<Job>, result: impl Fn() -> Result<(), AppError>) {
    for job in batch.drain(..) {
        let _ = job.done.send(result());
    }
}

/// Answers the receipts of addresses that are at their limit with 429, leaving the others in
/// `batch`. The count for the whole batch is one query.
async fn refuse_over_limit(db: &Db, max: i64, batch: &mut Vec<Job>) -> Result<(), sqlx::Error> {
    let now = batch
        .iter()
        .map(|j| j.ctx.recorded_at)
        .max()
        .unwrap_or_default();
    let mut buckets: Vec<&str> = batch.iter().map(|j| j.bucket.as_str()).collect();
    buckets.sort_unstable();
    buckets.dedup();
    let mut seen: HashMap<String, (i64, i64)> =
        throttle::counts(&mut *db.acquire().await?, &buckets, now - LIMIT_WINDOW).await?;
    for job in std::mem::take(batch) {
        let (count, oldest) = seen.entry(job.bucket.clone()).or_insert((0, now));
        if *count < max {
            *count += 1;
            batch.push(job);
        } else {
            // The window frees up when its oldest receipt leaves it.
            let wait = u64::try_from(*oldest + LIMIT_WINDOW - now)
                .unwrap_or(1)
                .max(1);
            let _ = job.done.send(Err(AppError::too_many(wait)));
        }
    }
    Ok(())
}

/// The receipts and, when addresses are counted, their throttle events: one transaction, so
/// a receipt is counted exactly when it is stored. Without counting it is one statement,
/// which needs no BEGIN and COMMIT round trips. Either way it is committed (and flushed, per
/// `synchronous = FULL` on SQLite) before this returns, all rows or none.
async fn write<'a>(
    db: &Db,
    counted: bool,
    jobs: impl Iterator<Item = &'a Job>,
) -> Result<(), sqlx::Error> {
    let jobs: Vec<&Job> = jobs.collect();
    let rows: Vec<(&Choice, &Context)> = jobs.iter().map(|j| (&j.choice, &j.ctx)).collect();
    if !counted {
        return store::insert(&mut *db.acquire().await?, &rows).await;
    }
    let mut tx = db::begin_write(db).await?;
    store::insert(&mut tx, &rows).await?;
    let events: Vec<(&str, i64)> = jobs
        .iter()
        .map(|j| (j.bucket.as_str(), j.ctx.recorded_at))
        .collect();
    throttle::record_many(&mut tx, &events).await?;
    tx.commit().await
}
