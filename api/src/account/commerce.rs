//! Orders and promotions (clause 2.1: "the quantity, cost, time and order of orders", "taking
//! part in promotions"). Money is an integer count of tiyn (1 ₸ = 100 tiyn): never a float.
use serde::{Deserialize, Serialize};

use crate::{ApiError, ErrorCode, Lang};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Paid,
    Completed,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn from_code(code: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    pub name: String,
    pub quantity: u32,
    pub unit_price_tiyn: i64,
}

impl OrderItem {
    pub fn total_tiyn(&self) -> i64 {
        self.unit_price_tiyn
            .saturating_mul(i64::from(self.quantity))
    }
}

/// One order as the personal section shows it, newest first in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: i64,
    /// The commerce system's own order number.
    pub number: String,
    /// RFC 3339.
    pub placed_at: String,
    pub status: OrderStatus,
    pub items: Vec<OrderItem>,
    pub total_tiyn: i64,
}

/// `GET /api/account/orders?page=N` (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub page: u32,
    pub pages: u32,
    pub total: u64,
}

pub const ORDERS_PER_PAGE: u32 = 10;

/// The page of `?page=N`: a positive whole number in plain digits, at most `i32::MAX` (the
/// API document's int32). `None` for anything else; the server refuses it, the web app shows
/// the first page.
pub fn parse_page(raw: &str) -> Option<u32> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .map(i32::unsigned_abs)
}
pub const ORDER_ITEMS_MAX: usize = 200;
pub const ORDER_ITEM_NAME_MAX: usize = 200;
pub const ORDER_QUANTITY_MAX: u32 = 100_000;
/// A billion tenge per line: far above any real till, far below overflow.
pub const ORDER_PRICE_MAX_TIYN: i64 = 100_000_000_000;
pub const ORDER_NUMBER_MAX: usize = 64;

/// `PUT /api/internal/orders/{number}` from the commerce system (service token, never a user
/// session). The same number again is a no-op, or a status change of that order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderPush {
    /// Whose order: the account's login.
    pub login: String,
    /// RFC 3339.
    pub placed_at: String,
    pub status: OrderStatus,
    pub items: Vec<OrderItem>,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidOrder, message).with_field(field)
}

/// An order number: 1–64 characters of Latin letters, digits, `-` and `_` (it is a URL segment).
/// [`check_order_number`] as the API document states it.
pub const ORDER_NUMBER_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";

pub fn check_order_number(number: &str) -> Result<(), ApiError> {
    let ok = (1..=ORDER_NUMBER_MAX).contains(&number.len())
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "number",
            "an order number has 1 to 64 Latin letters, digits, '-' or '_'",
        ))
    }
}

impl OrderPush {
    /// What the server checks before storing (the time's format is checked by the server,
    /// which has a calendar).
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.items.is_empty() || self.items.len() > ORDER_ITEMS_MAX {
            return Err(invalid("items", "an order has 1 to 200 items"));
        }
        for (i, item) in self.items.iter().enumerate() {
            let name = item.name.trim();
            if name.is_empty()
                || name.chars().count() > ORDER_ITEM_NAME_MAX
                || name.chars().any(char::is_control)
            {
                return Err(invalid(
                    &format!("items[{i}].name"),
                    "an item name has 1 to 200 printable characters",
                ));
            }
            if !(1..=ORDER_QUANTITY_MAX).contains(&item.quantity) {
                return Err(invalid(
                    &format!("items[{i}].quantity"),
                    "a quantity is between 1 and 100000",
                ));
            }
            if !(0..=ORDER_PRICE_MAX_TIYN).contains(&item.unit_price_tiyn) {
                return Err(invalid(
                    &format!("items[{i}].unit_price_tiyn"),
                    "a unit price is between 0 and 10^11 tiyn",
                ));
            }
        }
        Ok(())
    }

    pub fn total_tiyn(&self) -> i64 {
        self.items
            .iter()
            .map(OrderItem::total_tiyn)
            .fold(0, i64::saturating_add)
    }
}

/// An amount as people of that language write it: `12 500 ₸`, `12 500,50 ₸` in Russian and
/// Kazakh (no-break spaces between groups), `12,500.50 ₸` in English.
pub fn format_tenge(tiyn: i64, lang: Lang) -> String {
    let (group, decimal) = match lang {
        Lang::Ru | Lang::Kk => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let sign = if tiyn < 0 { "−" } else { "" };
    let abs = tiyn.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let cents = abs % 100;
    let fraction = if cents == 0 {
        String::new()
    } else {
        format!("{decimal}{cents:02}")
    };
    format!("{sign}{grouped}{fraction}\u{a0}₸")
}

/// A current promotion, in the language asked for, and whether the user takes part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PromotionView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    /// When the user joined, if they take part now.
    pub joined_at: Option<String>,
}

/// The user's past part in a promotion: left, or the promotion ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ParticipationView {
    pub slug: String,
    pub title: String,
    pub joined_at: String,
    pub left_at: Option<String>,
    pub ends_at: String,
}

/// `GET /api/account/promotions?lang=xx`; join and leave answer the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Promotions {
    pub current: Vec<PromotionView>,
    pub past: Vec<ParticipationView>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_is_a_positive_int32_in_digits() {
        assert_eq!(parse_page("1"), Some(1));
        assert_eq!(parse_page("007"), Some(7));
        assert_eq!(parse_page("2147483647"), Some(2_147_483_647));
        for bad in [
            "",
            "0",
            "-1",
            "+2",
            " 2",
            "2.0",
            "1e3",
            "2147483648",
            "99999999999999999999",
        ] {
            assert_eq!(parse_page(bad), None, "{bad:?}");
        }
    }

    use super::*;

    fn push() -> OrderPush {
        OrderPush {
            login: "aigerim".into(),
            placed_at: "2026-11-20T10:15:00Z".into(),
            status: OrderStatus::Paid,
            items: vec![
                OrderItem {
                    name: "Кофе".into(),
                    quantity: 2,
                    unit_price_tiyn: 120_000,
                },
                OrderItem {
                    name: "Круассан".into(),
                    quantity: 1,
                    unit_price_tiyn: 1_010_000,
                },
            ],
        }
    }

    #[test]
    fn tenge_is_written_per_language() {
        assert_eq!(format_tenge(1_250_000, Lang::Ru), "12\u{a0}500\u{a0}₸");
        assert_eq!(format_tenge(1_250_050, Lang::Kk), "12\u{a0}500,50\u{a0}₸");
        assert_eq!(
            format_tenge(123_456_789 * 100, Lang::En),
            "123,456,789\u{a0}₸"
        );
        assert_eq!(format_tenge(5, Lang::En), "0.05\u{a0}₸");
        assert_eq!(format_tenge(99_900, Lang::Ru), "999\u{a0}₸");
        assert_eq!(format_tenge(-100_000, Lang::Ru), "−1\u{a0}000\u{a0}₸");
    }

    #[test]
    fn orders_add_up_and_are_checked() {
        assert_eq!(push().total_tiyn(), 1_250_000);
        assert!(push().validate().is_ok());
        let field = |p: OrderPush| p.validate().unwrap_err().field.unwrap();
        assert_eq!(
            field(OrderPush {
                items: vec![],
                ..push()
            }),
            "items"
        );
        let mut p = push();
        p.items[1].quantity = 0;
        assert_eq!(field(p), "items[1].quantity");
        let mut p = push();
        p.items[0].unit_price_tiyn = -1;
        assert_eq!(field(p), "items[0].unit_price_tiyn");
        let mut p = push();
        p.items[0].name = " ".into();
        assert_eq!(field(p), "items[0].name");
        assert!(check_order_number("A-1009_x").is_ok());
        for bad in ["", "a/b", "../x", &"1".repeat(65)] {
            assert!(check_order_number(bad).is_err(), "{bad}");
        }
    }
}
