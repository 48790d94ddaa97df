//! Service e-mail (clause 3.1). A message is rendered and queued in the database inside the
//! transaction of what caused it, then delivered after commit by a worker: by SMTP when
//! `FK_SMTP_URL` is set, else as an `.eml` file in `FK_OUTBOX_DIR`. A rolled-back registration
//! sends nothing; a crash between commit and delivery loses nothing; a failing SMTP server is
//! retried with growing pauses.
mod layout;
mod letters;
mod render;
pub mod templates;

pub use render::{render, Rendered};
pub use templates::{Mail, SecurityChange};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{AnyConnection, Row};
use tokio::sync::Notify;

use crate::db::Db;
use crate::error::AppError;

/// How long a worker owns a message it is delivering; another instance may retry after that.
const LOCK_SECONDS: i64 = 120;
pub const MAX_ATTEMPTS: i64 = 20;

#[derive(Clone)]
pub enum Transport {
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    wake: Arc<Notify>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("FK_SMTP_URL is not a valid SMTP URL (smtp://user:pass@host:587?tls=required or smtps://…): {0}")]
    Url(String),
    #[error("FK_MAIL_FROM is not a mailbox like \"ForteKassa <no-reply@fortekassa.kz>\": {0}")]
    From(String),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, outbox: PathBuf, from: &str) -> Result<Mailer, MailerError> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailerError::Url(e.to_string()))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => Transport::Outbox(outbox),
        };
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Mailer {
            transport,
            from,
            wake: Arc::default(),
        })
    }

    /// Queues a message about `account` in the caller's transaction; call [`Mailer::wake`]
    /// after commit. Returns the queue row's id.
    /// A letter to an account at its current address, in its language.
    pub async fn queue_to(
        &self,
        tx: &mut AnyConnection,
        account: &crate::account::store::Account,
        mail: &Mail<'_>,
        now: i64,
    ) -> Result<i64, AppError> {
        let letter = render(mail, account.lang);
        self.queue(tx, Some(account.id), &account.email, letter, now)
            .await
    }

    pub async fn queue(
        &self,
        tx: &mut AnyConnection,
        account: Option<i64>,
        to: &str,
        mail: Rendered,
        now: i64,
    ) -> Result<i64, AppError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| AppError::Internal(format!("bad recipient {to:?}: {e}")))?;
        let subject = mail.subject;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject.clone());
        // Stored in the formatted message below, so a queued letter keeps them. The value is
        // encoded by lettre: a line break in it could not start a header of its own.
        for (name, value) in mail.extra_headers {
            let name = HeaderName::new_from_ascii(name)
                .map_err(|e| AppError::Internal(format!("bad header name: {e}")))?;
            builder = builder.raw_header(HeaderValue::new(name, value));
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html),
                    ),
            )
            .map_err(|e| AppError::Internal(format!("cannot build an e-mail: {e}")))?;
        let formatted = String::from_utf8(message.formatted())
            .map_err(|e| AppError::Internal(format!("an e-mail is not UTF-8: {e}")))?;
        let row = sqlx::query(
            "INSERT INTO mail_queue (recipient, subject, message, created_at, next_attempt, account_id) VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
        )
            .bind(to.email.to_string())
            .bind(&subject)
            .bind(formatted)
            .bind(now)
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Queues the last letter to someone whose data is being erased: linked to no account,
    /// and its row is deleted as soon as it is delivered instead of being kept a week.
    pub async fn queue_then_forget(
        &self,
        tx: &mut AnyConnection,
        to: &str,
        mail: Rendered,
        now: i64,
    ) -> Result<(), AppError> {
        let id = self.queue(tx, None, to, mail, now).await?;
        sqlx::query("UPDATE mail_queue SET erase_after_send = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// Tells the worker there is mail.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers what is due; returns how many messages went out. A delivered letter keeps its
    /// recipient, subject and times (the user's data download lists them) but not its text:
    /// the text may carry a link that still works, and a copy of the database must open
    /// nothing. Once texts are dropped, the database is scrubbed so they are gone from disk.
    pub async fn deliver_pending(&self, db: &Db, now: i64) -> Result<usize, sqlx::Error> {
        let (sent, dropped) = self.deliver_due(db, now).await?;
        if dropped > 0 {
            crate::db::scrub(db).await;
        }
        Ok(sent)
    }

    /// (letters sent, letter texts dropped).
    async fn deliver_due(&self, db: &Db, now: i64) -> Result<(usize, usize), sqlx::Error> {
        let due = sqlx::query(
            "SELECT id FROM mail_queue WHERE sent_at IS NULL AND next_attempt <= $1 AND attempts < $2 \
             AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT 50",
        )
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_all(db)
        .await?;
        let (mut sent, mut dropped) = (0, 0);
        for row in due {
            let id: i64 = row.try_get("id")?;
            // Claim it: with several instances, only the one whose update lands delivers.
            let claimed = sqlx::query(
                "UPDATE mail_queue SET locked_until = $1 WHERE id = $2 AND sent_at IS NULL AND (locked_until IS NULL OR locked_until < $3)",
            )
            .bind(now + LOCK_SECONDS)
            .bind(id)
            .bind(now)
            .execute(db)
            .await?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            let row = sqlx::query("SELECT recipient, message, attempts, erase_after_send FROM mail_queue WHERE id = $1").bind(id).fetch_one(db).await?;
            let recipient: String = row.try_get("recipient")?;
            let message: String = row.try_get("message")?;
            let attempts: i64 = row.try_get("attempts")?;
            let forget = row.try_get::<i32, _>("erase_after_send")? != 0;
            let delivered = self.send(id, &recipient, message.as_bytes(), now).await;
            if delivered.is_ok() {
                dropped += 1;
            }
            match delivered {
                Ok(()) if forget => {
                    sqlx::query("DELETE FROM mail_queue WHERE id = $1")
                        .bind(id)
                        .execute(db)
                        .await?;
                    sent += 1;
                }
                Ok(()) => {
                    sqlx::query("UPDATE mail_queue SET sent_at = $1, locked_until = NULL, attempts = attempts + 1, message = '' WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(db)
                        .await?;
                    sent += 1;
                }
                Err(error) => {
                    let given_up = attempts + 1 >= MAX_ATTEMPTS;
                    tracing::warn!(id, %error, given_up, "e-mail delivery failed");
                    let pause = 30i64 << attempts.clamp(0, 8);
                    // The last failure drops the text too: nobody will send it any more.
                    sqlx::query(
                        "UPDATE mail_queue SET attempts = attempts + 1, next_attempt = $1, locked_until = NULL, last_error = $2, \
                         message = CASE WHEN $3 = 1 THEN '' ELSE message END WHERE id = $4",
                    )
                    .bind(now + pause)
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(i32::from(given_up))
                    .bind(id)
                    .execute(db)
                    .await?;
                    if given_up {
                        dropped += 1;
                    }
                }
            }
        }
        Ok((sent, dropped))
    }

    async fn send(&self, id: i64, recipient: &str, message: &[u8], now: i64) -> Result<(), String> {
        match &self.transport {
            Transport::Outbox(dir) => write_eml(dir, &format!("{now}-{id:06}.eml"), message).await,
            Transport::Smtp(smtp) => {
                let envelope = lettre::address::Envelope::new(
                    Some(self.from.email.clone()),
                    vec![recipient
                        .parse()
                        .map_err(|e| format!("bad recipient: {e}"))?],
                )
                .map_err(|e| e.to_string())?;
                smtp.send_raw(&envelope, message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// Delivers in the background until the process ends: right after a [`Mailer::wake`], and
    /// every few seconds for retries and for mail queued by another instance.
    pub fn spawn_worker(&self, db: Db, clock: crate::clock::Clock) {
        let mailer = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = mailer.deliver_pending(&db, clock.now()).await {
                    tracing::warn!(%error, "cannot read the mail queue");
                }
                let _ = tokio::time::timeout(Duration::from_secs(5), mailer.wake.notified()).await;
            }
        });
    }
}

/// What the mail queue keeps of the letters to an account, newest first (the data download).
pub async fn letters_of(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<fk_api::account::data::LetterRecord>, sqlx::Error> {
    let rows = sqlx::query("SELECT recipient, subject, created_at, sent_at FROM mail_queue WHERE account_id = $1 ORDER BY id DESC")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(fk_api::account::data::LetterRecord {
                to: r.try_get("recipient")?,
                subject: r
                    .try_get::<Option<String>, _>("subject")?
                    .unwrap_or_default(),
                queued_at: crate::clock::rfc3339(r.try_get("created_at")?),
                sent_at: r
                    .try_get::<Option<i64>, _>("sent_at")?
                    .map(crate::clock::rfc3339),
            })
        })
        .collect()
}

/// Writes the file under a temporary name, flushes it to disk, then renames it: a reader of
/// the outbox never sees half a message.
async fn write_eml(dir: &std::path::Path, name: &str, message: &[u8]) -> Result<(), String> {
    use tokio::io::AsyncWriteExt as _;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = tokio::fs::File::create(&tmp)
        .await
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    file.write_all(message).await.map_err(|e| e.to_string())?;
    file.sync_all().await.map_err(|e| e.to_string())?;
    drop(file);
    tokio::fs::rename(&tmp, dir.join(name))
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use lettre::message::Mailbox;

    /// Every address the shared rule accepts must be one the mail library can send to:
    /// otherwise a valid form would fail at queueing time.
    #[test]
    fn addresses_the_rule_accepts_are_mailboxes() {
        for address in [
            "a@b.kz",
            "first.last+tag@mail.example.com",
            "ерлан@пример.қаз",
            "o'brien@example.kz",
            "a#b@example.kz",
        ] {
            assert!(fk_api::account::rules::email(address).is_ok(), "{address}");
            assert!(
                address.parse::<Mailbox>().is_ok(),
                "{address} is not a mailbox"
            );
        }
    }
}
