//! `/account/orders` and `/account/orders/:id` (clause 2.1: "the quantity, cost, time and order
//! of orders"): the user's orders, newest first, a page at a time, and one order in full.
use fk_api::account::commerce::{format_tenge, OrderItem, OrderPage, OrderStatus, OrderView};
use fk_api::dates::format_date_time;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode, Lang};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::widgets::LoadFailed;
use crate::dom::{after_render, focus_id, set_title};
use crate::i18n::use_i18n;
use crate::widgets::Loading;

/// "24 ноября 2026 г., 14:05" from an RFC 3339 time, in the interface language.
pub fn format_when(rfc3339: &str, lang: Lang) -> String {
    let ms = js_sys::Date::parse(rfc3339);
    if ms.is_nan() {
        return rfc3339.to_string();
    }
    format_date_time((ms / 1000.0) as i64, lang)
}

pub fn status_label(a: &'static AccountMessages, status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Placed => a.ord_status_placed,
        OrderStatus::Paid => a.ord_status_paid,
        OrderStatus::Completed => a.ord_status_completed,
        OrderStatus::Cancelled => a.ord_status_cancelled,
        OrderStatus::Refunded => a.ord_status_refunded,
    }
}

/// The page of the address's `?page=`: anything that is not a page number is the first page.
fn page_of(query: Option<String>) -> u32 {
    query
        .and_then(|p| fk_api::account::commerce::parse_page(&p))
        .unwrap_or(1)
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().ord_title, i18n.t().app_name));
    let query = use_query_map();
    let page = Memo::new(move |_| page_of(query.with(|q| q.get("page"))));
    let orders = LocalResource::new(move || crate::api::orders(page.get()));
    // Another page replaces the list, and with it the link that had focus: the page's heading
    // takes focus instead, so the keyboard and the screen reader start at the top of the new list.
    let moved = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        page.track();
        if first.is_some() {
            moved.set_value(true);
        }
    });
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1 id="orders-title" tabindex="-1">{a(|a| a.ord_title)}</h1>
            <p class="lead">{a(|a| a.ord_lead)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let result = orders.await;
                    if moved.get_value() {
                        moved.set_value(false);
                        after_render(|| focus_id("orders-title"));
                    }
                    match result {
                        Ok(page) => view! { <OrderList page/> }.into_any(),
                        Err(error) => view! { <LoadFailed error retry=move |_| orders.refetch()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn OrderList(page: OrderPage) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    if page.total == 0 {
        return view! { <p class="notice orders-empty">{a(|a| a.ord_empty)}</p> }.into_any();
    }
    let total = page.total;
    let count = move || {
        fill(
            i18n.lang.get().account().ord_count,
            &[("n", &total.to_string())],
        )
    };
    let list = if page.orders.is_empty() {
        view! {
            <p class="notice orders-empty">
                {a(|a| a.ord_page_empty)} " "
                <a href="/account/orders">{a(|a| a.ord_first_page)}</a>
            </p>
        }
        .into_any()
    } else {
        let orders = page
            .orders
            .into_iter()
            .map(|order| view! { <li><OrderCard order/></li> })
            .collect_view();
        view! { <ol class="orders">{orders}</ol> }.into_any()
    };
    view! {
        <p class="orders-count">{count}</p>
        {list}
        <Pager page=page.page pages=page.pages/>
    }
    .into_any()
}

#[component]
fn OrderCard(order: OrderView) -> impl IntoView {
    let i18n = use_i18n();
    let id = order.id;
    let number = order.number.clone();
    let title = move || fill(i18n.lang.get().account().ord_number, &[("number", &number)]);
    let placed_at = order.placed_at.clone();
    let when = move || format_when(&placed_at, i18n.lang.get());
    let status = order.status;
    let total = order.total_tiyn;
    let items = order
        .items
        .into_iter()
        .map(|item| view! { <li>{item_line(item)}</li> })
        .collect_view();
    view! {
        <article class="order" id=format!("order-{id}") aria-labelledby=format!("order-{id}-title")>
            <h2 class="order-title" id=format!("order-{id}-title")>
                <a href=format!("/account/orders/{id}")>{title}</a>
            </h2>
            <p class="order-meta">
                <time datetime=order.placed_at>{when}</time>
                <span class="order-status" data-status=status.code()>{move || status_label(i18n.lang.get().account(), status)}</span>
            </p>
            <ul class="order-items" aria-label=i18n.account(|a| a.ord_items_label)>{items}</ul>
            <p class="order-sum">
                {i18n.account(|a| a.ord_total)} ": "
                <strong class="order-total">{move || format_tenge(total, i18n.lang.get())}</strong>
            </p>
        </article>
    }
}

/// "Кофе — 2 шт." in the interface language. The name goes in last: `fill` would otherwise
/// replace a `{quantity}` typed into it.
fn item_line(item: OrderItem) -> impl IntoView {
    let i18n = use_i18n();
    let quantity = item.quantity.to_string();
    move || {
        fill(
            i18n.lang.get().account().ord_item_quantity,
            &[("quantity", &quantity), ("name", &item.name)],
        )
    }
}

/// Previous and next as links with the page in the address, so reload and Back keep the place.
#[component]
fn Pager(page: u32, pages: u32) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let position = move || {
        fill(
            i18n.lang.get().account().ord_page_of,
            &[
                ("page", &page.to_string()),
                ("pages", &pages.max(1).to_string()),
            ],
        )
    };
    let link = |to: u32| {
        if to <= 1 {
            "/account/orders".to_string()
        } else {
            format!("/account/orders?page={to}")
        }
    };
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=a(|a| a.ord_pages_label)>
                {(page > 1).then(|| view! {
                    <a id="orders-prev" rel="prev" href=link(page.min(pages + 1) - 1)>{a(|a| a.ord_prev)}</a>
                })}
                <span class="pager__position">{position}</span>
                {(page < pages).then(|| view! {
                    <a id="orders-next" rel="next" href=link(page + 1)>{a(|a| a.ord_next)}</a>
                })}
            </nav>
        }
    })
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let order = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => crate::api::order(id).await,
                None => Err(ApiError::new(ErrorCode::NotFound, "not an order id")),
            }
        }
    });
    // The number is the title once the order has arrived.
    let number = move || order.get().and_then(|r| r.ok()).map(|o| o.number);
    Effect::new(move |_| {
        let a = i18n.lang.get().account();
        let title = number().map_or_else(
            || a.ord_detail_title.to_string(),
            |n| fill(a.ord_number, &[("number", &n)]),
        );
        set_title(&title, i18n.t().app_name);
    });
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <Transition fallback=move || view! { <h1>{a(|a| a.ord_detail_title)}</h1><Loading/> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Ok(order) => view! { <OrderDetail order/> }.into_any(),
                        Err(e) if e.code == ErrorCode::NotFound => view! {
                            <h1>{a(|a| a.ord_not_found)}</h1>
                            <p class="notice notice--warn" id="order-not-found">{a(|a| a.ord_not_found_text)}</p>
                            <p><a href="/account/orders">{a(|a| a.ord_back)}</a></p>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <h1>{a(|a| a.ord_detail_title)}</h1>
                            <LoadFailed error retry=move |_| order.refetch()/>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn OrderDetail(order: OrderView) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let number = order.number.clone();
    let title = move || fill(i18n.lang.get().account().ord_number, &[("number", &number)]);
    let number = order.number.clone();
    let caption = move || {
        fill(
            i18n.lang.get().account().ord_items_caption,
            &[("number", &number)],
        )
    };
    let placed_at = order.placed_at.clone();
    let when = move || format_when(&placed_at, i18n.lang.get());
    let status = order.status;
    let total = order.total_tiyn;
    let money = move |tiyn: i64| move || format_tenge(tiyn, i18n.lang.get());
    let rows = order
        .items
        .into_iter()
        .map(|item| {
            let line = item.total_tiyn();
            view! {
                <tr>
                    <th scope="row">{item.name}</th>
                    <td class="num">{item.quantity}</td>
                    <td class="num">{money(item.unit_price_tiyn)}</td>
                    <td class="num">{money(line)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1 class="order-title">{title}</h1>
        <article class="order order--full" id=format!("order-{}", order.id)>
            <dl class="facts">
                <dt>{a(|a| a.ord_placed)}</dt>
                <dd><time datetime=order.placed_at>{when}</time></dd>
                <dt>{a(|a| a.ord_status_label)}</dt>
                <dd><span class="order-status" data-status=status.code()>{move || status_label(i18n.lang.get().account(), status)}</span></dd>
            </dl>
            // Scrolls sideways at 320 px rather than squeezing the numbers; focusable so the
            // keyboard can scroll it too.
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby="order-items-caption">
                <table class="order-table">
                    <caption id="order-items-caption">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{a(|a| a.ord_col_item)}</th>
                            <th scope="col" class="num">{a(|a| a.ord_col_quantity)}</th>
                            <th scope="col" class="num">{a(|a| a.ord_col_price)}</th>
                            <th scope="col" class="num">{a(|a| a.ord_col_sum)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="3">{a(|a| a.ord_total)}</th>
                            <td class="num"><strong class="order-total">{money(total)}</strong></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </article>
        <p><a href="/account/orders" id="orders-back">{a(|a| a.ord_back)}</a></p>
    }
}
