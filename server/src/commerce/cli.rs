//! `fk-server orders demo` and `fk-server promotion add|list|demo`: what an operator (or
//! `cargo xtask run`) uses so a fresh install has orders and promotions to show. Bad input
//! exits with 2, like clap's own errors; a failing database with 1.
use std::process::ExitCode;

use clap::Subcommand;
use fk_api::account::commerce::OrderStatus::{self, Cancelled, Completed, Placed, Refunded};
use fk_api::account::commerce::{OrderItem, OrderPush};
use fk_api::account::rules::login_key;
use sqlx::Row;
use time::macros::{format_description, offset};

use super::orders::{self, Pushed};
use super::promotions::{self, NewPromotion};
use crate::db::{self, rfc3339, Db};
use crate::error::AppError;
use crate::Config;

const BAD_INPUT: u8 = 2;
const DAY: i64 = 86_400;

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

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

async fn open(config: &Config) -> Result<Db, ExitCode> {
    db::open(&config.database_url).await.map_err(|e| fail(e, 1))
}

pub async fn orders(config: &Config, cmd: OrdersCommand) -> ExitCode {
    let OrdersCommand::Demo { login } = cmd;
    let db = match open(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let code = demo_orders(&db, &login).await;
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
        PromotionCommand::Demo => demo_promotions(&db).await,
    };
    db.close().await;
    code
}

/// One demonstration order: how long ago (minutes), its status, items (name, quantity, tenge).
struct DemoOrder {
    minutes_ago: i64,
    status: OrderStatus,
    items: &'static [(&'static str, u32, i64)],
}

const fn demo(
    days: i64,
    minutes: i64,
    status: OrderStatus,
    items: &'static [(&'static str, u32, i64)],
) -> DemoOrder {
    DemoOrder {
        minutes_ago: days * 1440 + minutes,
        status,
        items,
    }
}

const DEMO_ORDERS: [DemoOrder; 12] = [
    demo(
        0,
        10,
        Placed,
        &[("Капучино 300 мл", 1, 1200), ("Самса с говядиной", 2, 800)],
    ),
    demo(
        2,
        95,
        Completed,
        &[("Латте 400 мл", 2, 1400), ("Баурсаки, 10 шт.", 1, 1000)],
    ),
    demo(
        5,
        340,
        Completed,
        &[
            ("Бешбармак", 4, 3500),
            ("Кумыс 0,5 л", 2, 1600),
            ("Баурсаки, 10 шт.", 2, 1000),
        ],
    ),
    demo(
        9,
        200,
        Completed,
        &[("Лагман", 1, 2900), ("Чай чёрный с молоком", 1, 600)],
    ),
    demo(13, 45, Cancelled, &[("Манты, 5 шт.", 2, 2500)]),
    demo(
        18,
        610,
        Completed,
        &[
            ("Торт «Наполеон», целый", 1, 9500),
            ("Капучино 300 мл", 2, 1200),
            ("Чай чёрный с молоком", 1, 600),
        ],
    ),
    demo(
        24,
        130,
        Completed,
        &[("Американо 250 мл", 1, 900), ("Самса с говядиной", 1, 800)],
    ),
    demo(
        31,
        400,
        Refunded,
        &[("Казы, 500 г", 1, 6500), ("Курт, 200 г", 1, 1800)],
    ),
    demo(
        38,
        75,
        Completed,
        &[("Плов", 2, 2800), ("Шубат 0,5 л", 1, 1700)],
    ),
    demo(
        45,
        520,
        Completed,
        &[("Чак-чак", 1, 1500), ("Чай чёрный с молоком", 2, 600)],
    ),
    demo(
        52,
        260,
        Completed,
        &[
            ("Подарочный набор чая", 1, 7500),
            ("Баурсаки, 10 шт.", 1, 1000),
        ],
    ),
    demo(
        59,
        180,
        Completed,
        &[("Капучино 300 мл", 1, 1200), ("Медовик", 1, 1100)],
    ),
];

/// `DEMO-<login>-<account id>-NN`: the same numbers every time for the same account (so a
/// second run adds nothing), and never another account's (logins differing only in `.` and
/// `_` map to the same text, their ids do not).
fn demo_number(login: &str, account_id: i64, n: usize) -> String {
    format!(
        "DEMO-{}-{account_id}-{n:02}",
        login_key(login).replace('.', "_")
    )
}

async fn demo_orders(db: &Db, login: &str) -> ExitCode {
    let account = match sqlx::query("SELECT id, login FROM accounts WHERE login_key = $1")
        .bind(login_key(login))
        .fetch_optional(db)
        .await
    {
        Ok(Some(row)) => row,
        Ok(None) => return fail(format!("no account has the login {login:?}"), BAD_INPUT),
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    let (Ok(account_id), Ok(login)) = (
        account.try_get::<i64, _>("id"),
        account.try_get::<String, _>("login"),
    ) else {
        return fail("database: cannot read the account", 1);
    };
    let now = db::now();
    let (mut added, mut there) = (0, 0);
    for (i, order) in DEMO_ORDERS.iter().enumerate() {
        let number = demo_number(&login, account_id, i + 1);
        match db.acquire().await {
            Ok(mut conn) => match orders::number_taken(&mut conn, &number).await {
                Ok(true) => {
                    there += 1;
                    continue;
                }
                Ok(false) => {}
                Err(e) => return fail(format!("database: {e}"), 1),
            },
            Err(e) => return fail(format!("database: {e}"), 1),
        }
        let push = OrderPush {
            login: login.clone(),
            placed_at: rfc3339(now - order.minutes_ago * 60),
            status: order.status,
            items: order
                .items
                .iter()
                .map(|&(name, quantity, tenge)| OrderItem {
                    name: name.into(),
                    quantity,
                    unit_price_tiyn: tenge * 100,
                })
                .collect(),
        };
        match orders::push(db, &number, &push, now).await {
            Ok((Pushed::Created, _)) => added += 1,
            Ok(_) => there += 1,
            Err(AppError::Client(_, e)) => {
                return fail(format!("order {number}: {}", e.message), BAD_INPUT)
            }
            Err(AppError::Database(e)) => return fail(format!("database: {e}"), 1),
            Err(AppError::Unavailable(_, e)) => return fail(format!("database: {e}"), 1),
            Err(AppError::Internal(e)) => return fail(e, 1),
        }
    }
    println!("added {added} demonstration orders for {login} ({there} were there already)");
    ExitCode::SUCCESS
}

async fn add_promotion(db: &Db, new: &NewPromotion) -> ExitCode {
    if let Err(message) = new.check() {
        return fail(message, BAD_INPUT);
    }
    let mut conn = match db.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    match promotions::add(&mut conn, new, db::now()).await {
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
    let now = db::now();
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

/// (slug, [titles ru, kk, en], [descriptions ru, kk, en], starts and ends relative to now).
type DemoPromotion = (&'static str, [&'static str; 3], [&'static str; 3], i64, i64);

const DEMO_PROMOTIONS: [DemoPromotion; 4] = [
    (
        "coffee-week",
        ["Неделя кофе", "Кофе апталығы", "Coffee week"],
        [
            "Каждый второй капучино — в подарок.",
            "Әрбір екінші капучино — сыйлыққа.",
            "Every second cappuccino is on us.",
        ],
        -DAY,
        30 * DAY,
    ),
    (
        "baursaks-with-tea",
        ["Баурсаки к чаю", "Шайға бауырсақ", "Baursaks with tea"],
        [
            "Бесплатная порция баурсаков к каждому чайнику чая.",
            "Әр шәйнек шайға бір порция бауырсақ тегін.",
            "A free portion of baursaks with every pot of tea.",
        ],
        -DAY,
        30 * DAY,
    ),
    (
        "cashback-5",
        [
            "Кэшбэк 5 % бонусами",
            "Бонуспен 5 % кэшбэк",
            "5% cashback in bonuses",
        ],
        [
            "Возвращаем 5 % от суммы заказа бонусами на следующую покупку.",
            "Тапсырыс сомасының 5 %-ын келесі сатып алуға бонус ретінде қайтарамыз.",
            "We return 5% of each order as bonuses for your next purchase.",
        ],
        -DAY,
        30 * DAY,
    ),
    (
        "welcome-bonus",
        [
            "Приветственный бонус",
            "Қош келдіңіз бонусы",
            "Welcome bonus",
        ],
        [
            "1 000 бонусов за первый заказ в приложении.",
            "Қосымшадағы алғашқы тапсырыс үшін 1 000 бонус.",
            "1,000 bonus points for your first order in the app.",
        ],
        -60 * DAY,
        -20 * DAY,
    ),
];

async fn demo_promotions(db: &Db) -> ExitCode {
    let mut conn = match db.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    let now = db::now();
    let (mut added, mut there) = (0, 0);
    for (slug, titles, descriptions, starts, ends) in DEMO_PROMOTIONS {
        let new = NewPromotion {
            slug: slug.into(),
            titles: titles.map(String::from),
            descriptions: descriptions.map(String::from),
            starts_at: now + starts,
            ends_at: now + ends,
        };
        match promotions::add(&mut conn, &new, now).await {
            Ok(true) => added += 1,
            Ok(false) => there += 1,
            Err(e) => return fail(format!("database: {e}"), 1),
        }
    }
    println!("added {added} demonstration promotions ({there} were there already)");
    ExitCode::SUCCESS
}
