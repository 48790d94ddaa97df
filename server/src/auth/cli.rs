//! `fk-server two-step off --login LOGIN`: what support runs for someone who has lost both
//! their authenticator app and every recovery code, once they have proved who they are in
//! the way the README describes. The owner is told by e-mail, and the security log says so,
//! as when they turn it off themselves.
use std::process::ExitCode;

use clap::Subcommand;
use fk_api::account::rules::Identifier;

use super::{changes, two_step};
use crate::account::store::{self, Event};
use crate::client::agent::DeviceKind;
use crate::client::{Agent, Client};
use crate::mail::SecurityChange;
use crate::{AppState, Config};

#[derive(Subcommand)]
pub enum TwoStepCommand {
    /// Turn two-step sign-in off for the account LOGIN (a login or an e-mail address): its
    /// app's secret and recovery codes are deleted; the password alone signs in again.
    Off {
        #[arg(long)]
        login: String,
    },
}

/// Bad input from the operator: the process exits with 2, as clap does for bad arguments.
const BAD_INPUT: u8 = 2;

pub async fn run(config: Config, command: TwoStepCommand) -> ExitCode {
    let TwoStepCommand::Off { login } = command;
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
    let code = match AppState::for_letters(db.clone(), &config, &public_url) {
        Ok(state) => match turn_off(&state, &login).await {
            Ok(message) => {
                println!("{message}");
                ExitCode::SUCCESS
            }
            Err(Refusal::NoAccount) => {
                eprintln!("error: no account has the login or address {login:?}");
                ExitCode::from(BAD_INPUT)
            }
            Err(Refusal::Failed(e)) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    };
    db.close().await;
    code
}

enum Refusal {
    NoAccount,
    Failed(String),
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Refusal {
        Refusal::Failed(e.to_string())
    }
}

async fn turn_off(state: &AppState, login: &str) -> Result<String, Refusal> {
    let account = store::by_identifier(&state.db, &Identifier::parse(login))
        .await?
        .ok_or(Refusal::NoAccount)?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    if !two_step::is_on(&mut tx, account.id).await? {
        return Ok(format!(
            "two-step sign-in was already off for {}",
            account.login
        ));
    }
    two_step::erase(&mut tx, account.id).await?;
    // The security log shows who did it: support, not a browser.
    let support = Client {
        ip: "support".into(),
        address_key: "support".into(),
        user_agent: String::new(),
        agent: Agent {
            browser: String::new(),
            os: String::new(),
            device: DeviceKind::Unknown,
        },
    };
    changes::record(
        state,
        &mut tx,
        &account,
        Event::TwoStepOff,
        SecurityChange::TwoStepOff,
        &support,
        now,
    )
    .await
    .map_err(|e| Refusal::Failed(format!("{e:?}")))?;
    tx.commit().await?;
    let _ = state.mailer.deliver_pending(&state.db, now).await;
    Ok(format!(
        "two-step sign-in is off for {}; they were told at their e-mail address",
        account.login
    ))
}
