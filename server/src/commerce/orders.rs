//! Orders as the commerce system pushed them. Its own number identifies an order: pushing the
//! same number again changes nothing, or only the status; the items and the time never change.
use std::collections::HashMap;

use fk_api::account::commerce::{
    check_order_number, OrderItem, OrderPage, OrderPush, OrderStatus, OrderView, ORDERS_PER_PAGE,
};
use fk_api::account::rules::login_key;
use fk_api::{ApiError, ErrorCode};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::format_description::well_known::Rfc3339;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::AppError;

/// What a push did (201 for a new order, 200 otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    Created,
    StatusChanged,
    Unchanged,
}

/// 2000-01-01: no till of this service sold anything before.
const EARLIEST: i64 = 946_684_800;
/// How far ahead of our clock the commerce system's may be.
const CLOCK_SKEW: i64 = 86_400;

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Client(ApiError::new(ErrorCode::InvalidOrder, message).with_field(field))
}

fn conflict(field: &str, message: &str) -> AppError {
    AppError::Client(ApiError::new(ErrorCode::OrderConflict, message).with_field(field))
}

fn decode_error(message: String) -> sqlx::Error {
    sqlx::Error::Decode(message.into())
}

/// The time an order was placed, as Unix seconds.
fn placed_at(value: &str, now: i64) -> Result<i64, AppError> {
    let time = time::OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
        invalid(
            "placed_at",
            "placed_at is a date and time in RFC 3339, e.g. 2026-11-20T10:15:00+05:00",
        )
    })?;
    let unix = time.unix_timestamp();
    if !(EARLIEST..=now + CLOCK_SKEW).contains(&unix) {
        return Err(invalid(
            "placed_at",
            "placed_at is before 2000 or in the future",
        ));
    }
    Ok(unix)
}

/// Stores a pushed order: what `PUT /api/internal/orders/{number}` and the demo CLI both call.
/// Every check is here, so both refuse the same things with the same errors.
pub async fn push(
    db: &Db,
    number: &str,
    order: &OrderPush,
    now: i64,
) -> Result<(Pushed, OrderView), AppError> {
    check_order_number(number).map_err(AppError::bad_request)?;
    order.validate()?;
    let placed_at = placed_at(&order.placed_at, now)?;
    let items: Vec<OrderItem> = order
        .items
        .iter()
        .map(|i| OrderItem {
            name: i.name.trim().to_string(),
            ..i.clone()
        })
        .collect();
    match try_push(db, number, order, placed_at, &items, now).await {
        // A concurrent push of the same new number inserted it first (PostgreSQL; SQLite's
        // write lock serialises pushes): now it exists, and this one is a replay.
        Err(AppError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            match try_push(db, number, order, placed_at, &items, now).await {
                Err(AppError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                    Err(conflict(
                        "number",
                        "another push of this order is under way; try again",
                    ))
                }
                other => other,
            }
        }
        other => other,
    }
}

async fn try_push(
    db: &Db,
    number: &str,
    order: &OrderPush,
    placed_at: i64,
    items: &[OrderItem],
    now: i64,
) -> Result<(Pushed, OrderView), AppError> {
    let mut tx = crate::db::begin_write(db).await?;
    let account = sqlx::query("SELECT id FROM accounts WHERE login_key = $1")
        .bind(login_key(&order.login))
        .fetch_optional(&mut *tx)
        .await?;
    let Some(account) = account else {
        return Err(invalid("login", "no account has this login"));
    };
    let account_id: i64 = account.try_get("id")?;
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {HEADER} FROM orders WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(existing) = existing else {
        let total = order.total_tiyn();
        let row = sqlx::query(
            "INSERT INTO orders (number, account_id, placed_at, status, total_tiyn, received_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(number)
        .bind(account_id)
        .bind(placed_at)
        .bind(order.status.code())
        .bind(total)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for (line, item) in items.iter().enumerate() {
            sqlx::query("INSERT INTO order_items (order_id, line, name, quantity, unit_price_tiyn) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(i32::try_from(line).unwrap_or(i32::MAX))
                .bind(&item.name)
                .bind(i32::try_from(item.quantity).unwrap_or(i32::MAX))
                .bind(item.unit_price_tiyn)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let view = OrderView {
            id,
            number: number.to_string(),
            placed_at: rfc3339(placed_at),
            status: order.status,
            items: items.to_vec(),
            total_tiyn: total,
        };
        return Ok((Pushed::Created, view));
    };
    let header = Header::from_row(&existing)?;
    // An anonymised order (its account was deleted) belongs to nobody, and never again to anyone.
    if header.account_id != Some(account_id) {
        return Err(conflict(
            "login",
            "this order number belongs to another account",
        ));
    }
    let stored = items_of(&mut tx, &[header.id])
        .await?
        .remove(&header.id)
        .unwrap_or_default();
    if stored != items || header.placed_at != placed_at {
        let field = if header.placed_at != placed_at {
            "placed_at"
        } else {
            "items"
        };
        return Err(conflict(
            field,
            "an order's items never change; a new order needs a new number",
        ));
    }
    if header.status == order.status {
        return Ok((Pushed::Unchanged, header.view(stored)));
    }
    sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(order.status.code())
        .bind(now)
        .bind(header.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((
        Pushed::StatusChanged,
        Header {
            status: order.status,
            ..header
        }
        .view(stored),
    ))
}

const HEADER: &str = "id, number, account_id, placed_at, status, total_tiyn";

/// An order without its items.
struct Header {
    id: i64,
    number: String,
    account_id: Option<i64>,
    placed_at: i64,
    status: OrderStatus,
    total_tiyn: i64,
}

impl Header {
    fn from_row(r: &AnyRow) -> Result<Header, sqlx::Error> {
        let status: String = r.try_get("status")?;
        Ok(Header {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
            account_id: r.try_get("account_id")?,
            placed_at: r.try_get("placed_at")?,
            status: OrderStatus::from_code(&status)
                .ok_or_else(|| decode_error(format!("unknown order status {status:?}")))?,
            total_tiyn: r.try_get("total_tiyn")?,
        })
    }

    fn view(self, items: Vec<OrderItem>) -> OrderView {
        OrderView {
            id: self.id,
            number: self.number,
            placed_at: rfc3339(self.placed_at),
            status: self.status,
            items,
            total_tiyn: self.total_tiyn,
        }
    }
}

/// Item rows (`order_id, line, name, quantity, unit_price_tiyn`, in line order) by order.
fn group(rows: &[AnyRow]) -> Result<HashMap<i64, Vec<OrderItem>>, sqlx::Error> {
    let mut items: HashMap<i64, Vec<OrderItem>> = HashMap::new();
    for r in rows {
        let quantity: i64 = r.try_get("quantity")?;
        let item = OrderItem {
            name: r.try_get("name")?,
            quantity: u32::try_from(quantity)
                .map_err(|_| decode_error(format!("quantity {quantity} out of range")))?,
            unit_price_tiyn: r.try_get("unit_price_tiyn")?,
        };
        items.entry(r.try_get("order_id")?).or_default().push(item);
    }
    Ok(items)
}

async fn items_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<OrderItem>>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = (1..=ids.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT order_id, line, name, quantity, unit_price_tiyn FROM order_items WHERE order_id IN ({placeholders}) ORDER BY order_id, line"
    );
    // Run-time SQL: the text holds only generated `$n` placeholders; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    group(&query.fetch_all(&mut *conn).await?)
}

async fn with_items(
    conn: &mut AnyConnection,
    rows: &[AnyRow],
) -> Result<Vec<OrderView>, sqlx::Error> {
    let headers = rows
        .iter()
        .map(Header::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let items = items_of(conn, &headers.iter().map(|h| h.id).collect::<Vec<_>>()).await?;
    Ok(assemble(headers, items))
}

fn assemble(headers: Vec<Header>, mut items: HashMap<i64, Vec<OrderItem>>) -> Vec<OrderView> {
    headers
        .into_iter()
        .map(|h| {
            let own = items.remove(&h.id).unwrap_or_default();
            h.view(own)
        })
        .collect()
}

/// Every order of the account, newest first, with its items (the data export).
pub async fn all_for(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<OrderView>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {HEADER} FROM orders WHERE account_id = $1 ORDER BY placed_at DESC, id DESC"
    )))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let headers = rows
        .iter()
        .map(Header::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let item_rows = sqlx::query(
        "SELECT i.order_id, i.line, i.name, i.quantity, i.unit_price_tiyn FROM order_items i JOIN orders o ON o.id = i.order_id \
         WHERE o.account_id = $1 ORDER BY i.order_id, i.line",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(assemble(headers, group(&item_rows)?))
}

pub async fn count_for(conn: &mut AnyConnection, account_id: i64) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM orders WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Page `page` (from 1) of the account's orders, newest first; past the end, no orders.
pub async fn page_for(
    conn: &mut AnyConnection,
    account_id: i64,
    page: u32,
) -> Result<OrderPage, sqlx::Error> {
    let total = count_for(conn, account_id).await?;
    let per = u64::from(ORDERS_PER_PAGE);
    let pages = u32::try_from(total.div_ceil(per).max(1)).unwrap_or(u32::MAX);
    let offset = i64::from(page.max(1) - 1) * i64::from(ORDERS_PER_PAGE);
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {HEADER} FROM orders WHERE account_id = $1 ORDER BY placed_at DESC, id DESC LIMIT $2 OFFSET $3")))
        .bind(account_id)
        .bind(i64::from(ORDERS_PER_PAGE))
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    Ok(OrderPage {
        orders: with_items(conn, &rows).await?,
        page,
        pages,
        total,
    })
}

/// One order of the account; `None` for a missing order and for someone else's alike.
pub async fn one_for(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
) -> Result<Option<OrderView>, sqlx::Error> {
    // Run-time SQL: only the constant column list is spliced in; values are bound.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {HEADER} FROM orders WHERE id = $1 AND account_id = $2"
    )))
    .bind(id)
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(with_items(conn, &rows).await?.pop())
}

/// Whether an order with this number exists, whoever it belongs to.
pub async fn number_taken(conn: &mut AnyConnection, number: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT id FROM orders WHERE number = $1")
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}
