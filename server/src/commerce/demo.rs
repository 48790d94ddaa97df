//! The demonstration data `cargo xtask run` loads so a fresh install has orders and promotions
//! to show: a dozen orders of one account, and promotions past, running and coming.
use std::process::ExitCode;

use fk_api::account::commerce::OrderStatus::{self, Cancelled, Completed, Placed, Refunded};
use fk_api::account::commerce::{OrderItem, OrderPush};
use fk_api::account::rules::login_key;
use sqlx::Row;

use super::orders::{self, Pushed};
use super::promotions::{self, NewPromotion};
use super::{fail, BAD_INPUT};
use crate::clock::{self, rfc3339};
use crate::db::Db;
use crate::error::AppError;

const DAY: i64 = 86_400;

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

pub async fn load_orders(db: &Db, login: &str) -> ExitCode {
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
    let now = clock::now();
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
            Err(AppError::Client(e) | AppError::Placed(_, e)) => {
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

pub async fn load_promotions(db: &Db) -> ExitCode {
    let mut conn = match db.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail(format!("database: {e}"), 1),
    };
    let now = clock::now();
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
