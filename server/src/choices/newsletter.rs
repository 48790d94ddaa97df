//! The newsletter (clauses 7.1–7.2): one letter per account that turned the list on and has
//! a confirmed address, each with its own unsubscribe link, through the mail queue like any
//! other letter. `fk-server newsletter send` is its operator command.
use std::path::PathBuf;
use std::process::ExitCode;

use fk_api::account::choices::Choice;
use fk_api::{ApiError, ErrorCode, Lang};
use sqlx::Row;

use super::unsubscribe;
use crate::error::AppError;
use crate::mail::{render, Mail};
use crate::{AppState, Config};

/// Letters queued per transaction: a long list does not hold the database's write lock for
/// long, and the site keeps answering while it is sent.
const BATCH: i64 = 200;
const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 50_000;

fn bad(field: &str, message: &str) -> AppError {
    AppError::Client(ApiError::new(ErrorCode::InvalidQuery, message).with_field(field))
}

/// Queues one letter of `choice` (an e-mail list) per subscribed account with a confirmed
/// address and wakes the mailer; returns how many were queued.
pub async fn send(
    state: &AppState,
    choice: Choice,
    subject: &str,
    body: &str,
) -> Result<usize, AppError> {
    if !choice.is_email_list() {
        return Err(bad(
            "list",
            &format!("{} is not an e-mail list", choice.code()),
        ));
    }
    let subject = subject.trim();
    if subject.is_empty()
        || subject.chars().count() > SUBJECT_MAX
        || subject.chars().any(char::is_control)
    {
        return Err(bad(
            "subject",
            &format!("the subject must be one line of 1 to {SUBJECT_MAX} characters"),
        ));
    }
    if body.trim().is_empty() || body.len() > BODY_MAX {
        return Err(bad(
            "body",
            &format!("the text must not be empty nor longer than {BODY_MAX} bytes"),
        ));
    }
    let mut queued = 0;
    let mut after = 0i64;
    loop {
        let now = state.clock.now();
        let mut tx = crate::db::begin_write(&state.db).await?;
        // Read in the transaction that queues: whoever unsubscribes meanwhile gets nothing.
        let rows = sqlx::query(
            "SELECT a.id, a.email, a.first_name, a.lang FROM accounts a JOIN account_choices c ON c.account_id = a.id \
             WHERE c.choice = $1 AND c.enabled = 1 AND a.email_verified_at IS NOT NULL AND a.id > $2 ORDER BY a.id LIMIT $3",
        )
        .bind(choice.code())
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let email: String = row.try_get("email")?;
            let first_name: String = row.try_get("first_name")?;
            let lang = Lang::from_code(&row.try_get::<String, _>("lang")?).unwrap_or_default();
            let token = unsubscribe::issue(&mut tx, id, choice, now).await?;
            let link = unsubscribe::link(state, &token);
            let mail = Mail::Newsletter {
                first_name: &first_name,
                subject,
                body,
                unsubscribe_link: &link,
                list: choice,
            };
            state
                .mailer
                .queue(&mut tx, Some(id), &email, render(&mail, lang), now)
                .await?;
            after = id;
            queued += 1;
        }
        tx.commit().await?;
        state.mailer.wake();
    }
    Ok(queued)
}

/// `fk-server newsletter …`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Send the text of BODY_FILE to every subscriber of LIST with a confirmed address, now.
    Send {
        /// `news` (news and offers by e-mail) or `support` (support materials).
        #[arg(long, value_parser = parse_list)]
        list: Choice,
        /// One line, in the language of the letter.
        #[arg(long)]
        subject: String,
        /// Plain text (UTF-8); paragraphs separated by blank lines.
        #[arg(long)]
        body_file: PathBuf,
    },
}

fn parse_list(name: &str) -> Result<Choice, String> {
    match name {
        "news" | "news_email" => Ok(Choice::NewsEmail),
        "support" | "support_materials" => Ok(Choice::SupportMaterials),
        "sms" | "news_sms" => {
            Err("SMS is not an e-mail list; the e-mail lists are news and support".into())
        }
        _ => Err("the e-mail lists are news and support".into()),
    }
}

/// Bad input from the operator: exit 2, as clap does.
const BAD_INPUT: u8 = 2;

pub async fn run(config: Config, command: Command) -> ExitCode {
    let Command::Send {
        list,
        subject,
        body_file,
    } = command;
    let body = match std::fs::read_to_string(&body_file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!(
                "error: cannot read {} as UTF-8 text: {e}",
                body_file.display()
            );
            return ExitCode::from(BAD_INPUT);
        }
    };
    let db = match crate::db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.addr));
    if !public_url.starts_with("https://") {
        eprintln!("warning: FK_PUBLIC_URL ({public_url}) is not https: mail programs offer one-click unsubscribe only for https links");
    }
    let state = match AppState::for_letters(db.clone(), &config, &public_url) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match send(&state, list, &subject, &body).await {
        Ok(queued) => {
            let delivered = deliver(&state).await;
            println!(
                "sent {queued} letters to the subscribers of {}",
                list.code()
            );
            if delivered < queued {
                eprintln!(
                    "note: {} letters wait in the mail queue; the server retries them",
                    queued - delivered
                );
            }
            ExitCode::SUCCESS
        }
        Err(AppError::Client(err) | AppError::Placed(_, err)) => {
            eprintln!("error: {err}");
            ExitCode::from(BAD_INPUT)
        }
        Err(AppError::Database(e)) => {
            eprintln!("error: database: {e}");
            ExitCode::FAILURE
        }
        Err(AppError::Unavailable(_, e)) => {
            eprintln!("error: database: {e}");
            ExitCode::FAILURE
        }
        Err(AppError::Internal(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    };
    db.close().await;
    code
}

/// Delivers the queue until nothing more goes out (a failing SMTP server is left to the
/// server's worker and its growing pauses); returns how many messages were delivered.
async fn deliver(state: &AppState) -> usize {
    let mut delivered = 0;
    loop {
        match state
            .mailer
            .deliver_pending(&state.db, state.clock.now())
            .await
        {
            Ok(0) => return delivered,
            Ok(n) => delivered += n,
            Err(e) => {
                eprintln!("warning: cannot read the mail queue: {e}");
                return delivered;
            }
        }
    }
}
