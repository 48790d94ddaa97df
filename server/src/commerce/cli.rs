//! `fk-server orders demo` and `fk-server promotion add|list|demo`: what an operator (or
//! `cargo xtask run`) uses so a fresh install has orders and promotions to show. Bad input
//! exits with 2, like clap's own errors; a failing database with 1.
use std::process::ExitCode;

use clap::Subcommand;
use time::macros::{format_description, offset};

use super::promotions::{self, NewPromotion};
use super::{fail, BAD_INPUT};
use crate::clock::{self, rfc3339};
use crate::db::Db;
use crate::Config;

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Load about a dozen demonstration orders (a café and shop, last 60 days) for the
    /// account LOGIN. Running it again adds nothing.
    Demo {
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
pub enum PromotionCommand {
    /// Add a promotion. Dates are days in Kazakhstan time (UTC+5): it runs from the start of
    /// --starts until the start of --ends.
    Add {
        #[arg(long, value_parser = parse_slug)]
        slug: String,
        #[arg(long)]
        title_ru: String,
        #[arg(long)]
        title_kk: String,
        #[arg(long)]
        title_en: String,
        #[arg(long)]
        description_ru: String,
        #[arg(long)]
        description_kk: String,
        #[arg(long)]
        description_en: String,
        /// YYYY-MM-DD
        #[arg(long, value_parser = parse_day)]
        starts: i64,
        /// YYYY-MM-DD, after --starts
        #[arg(long, value_parser = parse_day)]
        ends: i64,
    },
    /// List every promotion with its state and how many take part now.
    List,
    /// Add demonstration promotions: three running for the next 30 days and one that ended
    /// last month. Running it again adds nothing.
    Demo,
}

fn parse_slug(slug: &str) -> Result<String, String> {
    promotions::check_slug(slug).map(|()| slug.to_string())
}

/// The start of the day in Kazakhstan time (UTC+5 throughout the country), as Unix seconds.
fn parse_day(value: &str) -> Result<i64, String> {
    let date = time::Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{value:?} is not a date: use YYYY-MM-DD"))?;
    Ok(date.midnight().assume_offset(offset!(+5)).unix_timestamp())
}

async fn open(config: &Config) -> Result<Db, ExitCode> {
    crate::db::open(&config.database_url)
        .await
        .map_err(|e| fail(e, 1))
}

pub async fn orders(config: &Config, cmd: OrdersCommand) -> ExitCode {
    let OrdersCommand::Demo { login } = cmd;
    let db = match open(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let code = super::demo::load_orders(&db, &login).await;
    db.close().await;
    code
}

pub async fn promotion(config: &Config, cmd: PromotionCommand) -> ExitCode {
    let db = match open(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let code = match cmd {
        PromotionCommand::Add {
            slug,
            title_ru,
            title_kk,
            title_en,
            description_ru,
            description_kk,
            description_en,
            starts,
            ends,
        } => {
            let new = NewPromotion {
                slug,
                titles: [title_ru, title_kk, title_en],
                descriptions: [description_ru, description_kk, description_en],
                starts_at: starts,
                ends_at: ends,
            };
            add_promotion(&db, &new).await
        }
        PromotionCommand::List => list_promotions(&db).await,
        PromotionCommand::Demo => super::demo::load_promotions(&db).await,
    };
    db.close().await;
    code
}

async fn add_promotion(db: &Db, new: &NewPromotion) -> ExitCode {
    if let Err(message) = new.check() {
        return fail(message, BAD_INPUT);
    }
    let mut conn = match db.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    match promotions::add(&mut conn, new, clock::now()).await {
        Ok(true) => {
            println!(
                "added promotion {} ({} – {})",
                new.slug,
                rfc3339(new.starts_at),
                rfc3339(new.ends_at)
            );
            ExitCode::SUCCESS
        }
        Ok(false) => fail(
            format!("a promotion with the slug {:?} exists already", new.slug),
            BAD_INPUT,
        ),
        Err(e) => fail(format!("database: {e}"), 1),
    }
}

async fn list_promotions(db: &Db) -> ExitCode {
    let rows = match db.acquire().await {
        Ok(mut conn) => promotions::list_all(&mut conn).await,
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    let now = clock::now();
    println!(
        "{:<24} {:<20} {:<20} {:<8} {:>6}  title",
        "slug", "starts", "ends", "state", "in"
    );
    for p in rows {
        let state = if now < p.starts_at {
            "upcoming"
        } else if now < p.ends_at {
            "current"
        } else {
            "ended"
        };
        println!(
            "{:<24} {:<20} {:<20} {:<8} {:>6}  {}",
            p.slug,
            rfc3339(p.starts_at),
            rfc3339(p.ends_at),
            state,
            p.taking_part,
            p.title_ru
        );
    }
    ExitCode::SUCCESS
}
