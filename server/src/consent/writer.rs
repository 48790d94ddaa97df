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
use std::sync::{Arc, OnceLock};

use fk_api::consent::Choice;
use sqlx::error::ErrorKind;
use tokio::sync::{mpsc, oneshot};

use super::store::{self, Context};
use crate::db::{self, Db, Failure};
use crate::error::AppError;

/// The most receipts one transaction carries.
pub const BATCH: usize = 256;
/// Receipts waiting for the writer before senders wait too (backpressure, bounded memory).
const QUEUE: usize = 4096;

struct Job {
    choice: Choice,
    ctx: Context,
    done: oneshot::Sender<Result<(), AppError>>,
}

/// The handle handlers use; the writer task starts with the first receipt, on the runtime that
/// serves it, and ends when the last handle is dropped.
#[derive(Clone)]
pub struct Receipts {
    db: Db,
    queue: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl Receipts {
    pub fn new(db: Db) -> Self {
        Receipts { db, queue: Arc::default() }
    }

    /// Records one receipt; `Ok` only once it is committed.
    pub async fn record(&self, choice: Choice, ctx: Context) -> Result<(), AppError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(run(self.db.clone(), rx));
            tx
        });
        let (done, answer) = oneshot::channel();
        queue.send(Job { choice, ctx, done }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

fn gone() -> AppError {
    AppError::Unavailable(Failure::Unavailable, "the consent receipt writer stopped before committing".into())
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        match write(&db, batch.iter()).await {
            Ok(()) => answer_all(&mut batch, || Ok(())),
            // A constraint refused a row: find out whose, one receipt per statement. Only then:
            // after a lock timeout or an outage, retrying each alone would only multiply the wait.
            Err(sqlx::Error::Database(e)) if batch.len() > 1 && e.kind() != ErrorKind::Other => {
                tracing::warn!(error = %e, receipts = batch.len(), "a batch of consent receipts was refused; writing them one by one");
                for job in batch.drain(..) {
                    let result = write(&db, std::iter::once(&job)).await;
                    let _ = job.done.send(result.map_err(AppError::from));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, receipts = batch.len(), "a batch of consent receipts was not committed");
                // Each waiter gets the failure as it was (read-only, disk, out of reach), so the
                // client reads the same message as from any other write.
                let (failure, cause) = (db::failure(&e), format!("not committed: {e}"));
                answer_all(&mut batch, || Err(AppError::Unavailable(failure, cause.clone())));
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

/// One statement, so one transaction without BEGIN and COMMIT round trips: it is committed
/// (and flushed, per `synchronous = FULL` on SQLite) when `execute` returns, all rows or none.
async fn write<'a>(db: &Db, jobs: impl Iterator<Item = &'a Job>) -> Result<(), sqlx::Error> {
    let rows: Vec<(&Choice, &Context)> = jobs.map(|j| (&j.choice, &j.ctx)).collect();
    let mut conn = db.acquire().await?;
    store::insert(&mut conn, &rows).await
}
