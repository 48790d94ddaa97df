//! Orders and promotions against a real SQLite file: the commerce system's pushes (service
//! token, idempotency, conflicts, bad input), the user's paginated list and detail, and
//! joining and leaving promotions. Time moves by the state's clock, never by sleeping.
mod common;

use std::sync::Arc;

use common::account::*;
use common::*;
use fk_api::account::commerce::{OrderPush, OrderStatus};
use fk_api::Lang;
use fk_server::commerce::orders;
use fk_server::commerce::promotions::{self, NewPromotion};
use serde_json::{json, Value};
use sqlx::Row;

const TOKEN: &str = "s3rvice-token-for-tests-0123456789abcdefghij";
const DAY: i64 = 86_400;

/// The app with `FK_SERVICE_TOKEN` set.
async fn with_token() -> T {
    let mut t = setup().await;
    t.state.service_token = Arc::new(Some(TOKEN.into()));
    t.router = fk_server::app(t.state.clone());
    t
}

async fn push_as(t: &T, number: &str, body: &Value, authorization: &str) -> Reply {
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization),
    ];
    send(
        &t.router,
        "PUT",
        &format!("/api/internal/orders/{number}"),
        &headers,
        body.to_string(),
    )
    .await
}

async fn push(t: &T, number: &str, body: &Value) -> Reply {
    push_as(t, number, body, &format!("Bearer {TOKEN}")).await
}

fn ago(t: &T, seconds: i64) -> String {
    fk_server::clock::rfc3339(t.state.clock.now() - seconds)
}

fn order(login: &str, placed_at: &str, status: &str) -> Value {
    json!({
        "login": login, "placed_at": placed_at, "status": status,
        "items": [
            { "name": "Капучино 300 мл", "quantity": 2, "unit_price_tiyn": 120_000 },
            { "name": "Самса с говядиной", "quantity": 1, "unit_price_tiyn": 80_000 }
        ]
    })
}

async fn account_id(t: &T, login: &str) -> i64 {
    sqlx::query("SELECT id FROM accounts WHERE login_key = $1")
        .bind(login)
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("id")
}

#[tokio::test]
async fn the_internal_api_needs_the_service_token() {
    let t = setup().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let body = order("aigerim", &ago(&t, 60), "paid");
    let off = push_as(&t, "A-1", &body, &format!("Bearer {TOKEN}")).await;
    assert_eq!(off.status, 403);
    assert_eq!(off.error().0, "forbidden");
    assert!(off.json()["message"]
        .as_str()
        .unwrap()
        .contains("FK_SERVICE_TOKEN"));
    assert_eq!(off.header("cache-control"), "no-store");

    let t = with_token().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let cookie = t.verified_account("bolat@example.kz", "bolat").await;
    let missing = send(
        &t.router,
        "PUT",
        "/api/internal/orders/A-1",
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error().0, "unauthenticated");
    assert!(missing.header("www-authenticate").starts_with("Bearer"));
    assert_eq!(missing.header("cache-control"), "no-store");
    let wrong_token = format!("Bearer {TOKEN}x");
    let basic = format!("Basic {TOKEN}");
    let session = format!("fk_session={cookie}");
    for authorization in [
        wrong_token.as_str(),
        "Bearer ",
        "Bearer",
        basic.as_str(),
        &TOKEN[..TOKEN.len() - 1],
    ] {
        let reply = push_as(&t, "A-1", &body, authorization).await;
        assert_eq!(reply.status, 401, "{authorization}");
        assert!(
            reply.header("www-authenticate").starts_with("Bearer"),
            "{authorization}"
        );
    }
    // A user's session (even a same-origin one) is not a service token.
    let headers = [
        ("content-type", "application/json"),
        ("cookie", session.as_str()),
        ("origin", ORIGIN),
        ("sec-fetch-site", "same-origin"),
    ];
    let user = send(
        &t.router,
        "PUT",
        "/api/internal/orders/A-1",
        &headers,
        body.to_string(),
    )
    .await;
    assert_eq!(user.status, 401);
    assert_eq!(t.count("orders").await, 0);
    // The scheme's case does not matter (RFC 9110), and no CSRF check applies here.
    let lower = format!("bearer {TOKEN}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", lower.as_str()),
        ("origin", "https://evil.example"),
    ];
    let ok = send(
        &t.router,
        "PUT",
        "/api/internal/orders/A-1",
        &headers,
        body.to_string(),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.header("cache-control"), "no-store");
}

#[tokio::test]
async fn a_push_is_stored_once_and_replays_are_idempotent() {
    let t = with_token().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let cookie_b = t.verified_account("bolat@example.kz", "bolat").await;
    let when = t.state.clock.now() - 3 * 3600;
    let utc = fk_server::clock::rfc3339(when);
    let body = order("Aigerim", &utc, "paid");
    let created = push(&t, "FK-2026-000123", &body).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let view = created.json();
    assert_eq!(view["number"], "FK-2026-000123");
    assert_eq!(view["placed_at"], utc.as_str());
    assert_eq!(view["status"], "paid");
    assert_eq!(view["total_tiyn"], 320_000);
    assert_eq!(
        view["items"][1],
        json!({ "name": "Самса с говядиной", "quantity": 1, "unit_price_tiyn": 80_000 })
    );
    assert_eq!(
        (t.count("orders").await, t.count("order_items").await),
        (1, 2)
    );
    let updated_at = |t: &T| {
        let db = t.state.db.clone();
        async move {
            sqlx::query("SELECT updated_at FROM orders")
                .fetch_one(&db)
                .await
                .unwrap()
                .get::<i64, _>("updated_at")
        }
    };
    let first_update = updated_at(&t).await;

    // The same push again, and the same moment written in Kazakhstan time: nothing written.
    t.state.clock.advance(60);
    let local = time::OffsetDateTime::from_unix_timestamp(when)
        .unwrap()
        .to_offset(time::macros::offset!(+5))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for placed_at in [utc.as_str(), local.as_str()] {
        let replay = push(&t, "FK-2026-000123", &order("aigerim", placed_at, "paid")).await;
        assert_eq!(replay.status, 200, "{}", replay.text());
        assert_eq!(replay.json(), view);
    }
    assert_eq!(
        (t.count("orders").await, t.count("order_items").await),
        (1, 2)
    );
    assert_eq!(
        updated_at(&t).await,
        first_update,
        "a replay writes nothing"
    );

    // Only the status changes.
    let done = push(&t, "FK-2026-000123", &order("aigerim", &utc, "completed")).await;
    assert_eq!(done.status, 200);
    assert_eq!(done.json()["status"], "completed");
    assert_eq!(done.json()["id"], view["id"]);
    assert!(updated_at(&t).await > first_update);
    assert_eq!(
        (t.count("orders").await, t.count("order_items").await),
        (1, 2)
    );

    // Anything else about an order never changes.
    let mut changed = order("aigerim", &utc, "completed");
    changed["items"][0]["quantity"] = json!(3);
    let reply = push(&t, "FK-2026-000123", &changed).await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.error(),
        ("order_conflict".into(), Some("items".into()))
    );
    let mut renamed = order("aigerim", &utc, "completed");
    renamed["items"][1]["name"] = json!("Самса с курицей");
    assert_eq!(push(&t, "FK-2026-000123", &renamed).await.status, 409);
    let mut fewer = order("aigerim", &utc, "completed");
    fewer["items"].as_array_mut().unwrap().pop();
    assert_eq!(push(&t, "FK-2026-000123", &fewer).await.status, 409);
    let moved = push(
        &t,
        "FK-2026-000123",
        &order("aigerim", &ago(&t, 60), "completed"),
    )
    .await;
    assert_eq!(moved.status, 409);
    assert_eq!(
        moved.error(),
        ("order_conflict".into(), Some("placed_at".into()))
    );
    let theirs = push(&t, "FK-2026-000123", &order("bolat", &utc, "completed")).await;
    assert_eq!(theirs.status, 409);
    assert_eq!(theirs.error().0, "order_conflict");
    assert_eq!(
        (t.count("orders").await, t.count("order_items").await),
        (1, 2)
    );
    let page = t.get("/api/account/orders", &cookie_b).await.json();
    assert_eq!(page["total"], 0, "the other account never sees it");

    // Its account deleted, the order is kept without an owner, and nobody can claim it.
    sqlx::query("UPDATE orders SET account_id = NULL")
        .execute(&t.state.db)
        .await
        .unwrap();
    let orphan = push(&t, "FK-2026-000123", &order("aigerim", &utc, "completed")).await;
    assert_eq!(orphan.status, 409);
    assert_eq!(orphan.error().0, "order_conflict");
}

#[tokio::test]
async fn concurrent_pushes_of_one_new_order_store_it_once() {
    let t = with_token().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let body = order("aigerim", &ago(&t, 60), "placed");
    let replies = futures_join(&t, &body).await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 200, 200, 201],
        "one creates, the others replay"
    );
    assert_eq!(
        (t.count("orders").await, t.count("order_items").await),
        (1, 2)
    );
}

async fn futures_join(t: &T, body: &Value) -> Vec<Reply> {
    let (a, b, c, d) = tokio::join!(
        push(t, "RACE-1", body),
        push(t, "RACE-1", body),
        push(t, "RACE-1", body),
        push(t, "RACE-1", body)
    );
    vec![a, b, c, d]
}

#[tokio::test]
async fn bad_pushes_are_refused_with_their_field() {
    let t = with_token().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let good = order("aigerim", &ago(&t, 60), "paid");
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let long = "7".repeat(65);
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "A-1",
            with(&["items", "0", "quantity"], json!(0)),
            422,
            "invalid_order",
            "items[0].quantity",
        ),
        (
            "A-1",
            with(&["items", "1", "unit_price_tiyn"], json!(-100)),
            422,
            "invalid_order",
            "items[1].unit_price_tiyn",
        ),
        (
            "A-1",
            with(&["items", "0", "name"], json!("  ")),
            422,
            "invalid_order",
            "items[0].name",
        ),
        (
            "A-1",
            with(&["items"], json!([])),
            422,
            "invalid_order",
            "items",
        ),
        (
            "A-1",
            with(&["placed_at"], json!("yesterday")),
            422,
            "invalid_order",
            "placed_at",
        ),
        (
            "A-1",
            with(&["placed_at"], json!("2026-11-20 10:15")),
            422,
            "invalid_order",
            "placed_at",
        ),
        (
            "A-1",
            with(&["placed_at"], json!(ago(&t, -7 * DAY))),
            422,
            "invalid_order",
            "placed_at",
        ),
        (
            "A-1",
            with(&["placed_at"], json!("1999-12-31T23:59:59Z")),
            422,
            "invalid_order",
            "placed_at",
        ),
        ("a.b", good.clone(), 400, "invalid_order", "number"),
        (&long, good.clone(), 400, "invalid_order", "number"),
        (
            "A-1",
            with(&["coupon"], json!("FREE")),
            400,
            "invalid_json",
            "coupon",
        ),
        (
            "A-1",
            with(&["status"], json!("shipped")),
            400,
            "invalid_json",
            "status",
        ),
        (
            "A-1",
            with(&["items", "0", "quantity"], json!(-1)),
            400,
            "invalid_json",
            "items[0].quantity",
        ),
        (
            "A-1",
            with(&["login"], json!("nobody")),
            422,
            "invalid_order",
            "login",
        ),
    ];
    for (number, body, status, code, field) in cases {
        let reply = push(&t, number, &body).await;
        assert_eq!(reply.status, status, "{field}: {}", reply.text());
        assert_eq!(
            reply.error(),
            (code.to_string(), Some(field.to_string())),
            "{field}"
        );
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("items");
    assert_eq!(
        push(&t, "A-1", &missing).await.error(),
        ("invalid_json".into(), Some("items".into()))
    );
    let bearer = format!("Bearer {TOKEN}");
    let headers = [
        ("content-type", "text/plain"),
        ("authorization", bearer.as_str()),
    ];
    let plain = send(
        &t.router,
        "PUT",
        "/api/internal/orders/A-1",
        &headers,
        good.to_string(),
    )
    .await;
    assert_eq!(plain.status, 415);
    assert_eq!(plain.error().0, "invalid_json");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    let broken = send(
        &t.router,
        "PUT",
        "/api/internal/orders/A-1",
        &headers,
        "{\"login\":",
    )
    .await;
    assert_eq!(broken.status, 400);
    assert_eq!(t.count("orders").await, 0, "nothing was written");
}

#[tokio::test]
async fn the_list_is_paginated_newest_first() {
    let t = with_token().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let other = t.verified_account("bolat@example.kz", "bolat").await;
    // Pushed in a mixed order: the list sorts by when they were placed, not pushed.
    for i in [
        7, 3, 24, 0, 12, 19, 1, 5, 9, 2, 4, 6, 8, 10, 11, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23,
    ] {
        let reply = push(
            &t,
            &format!("N-{i:02}"),
            &order("aigerim", &ago(&t, i * 3600), "completed"),
        )
        .await;
        assert_eq!(reply.status, 201);
    }
    assert_eq!(
        push(&t, "B-1", &order("bolat", &ago(&t, 60), "paid"))
            .await
            .status,
        201
    );

    let first = t.get("/api/account/orders", &cookie).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), "no-store");
    let first = first.json();
    assert_eq!(
        (
            first["page"].as_u64(),
            first["pages"].as_u64(),
            first["total"].as_u64()
        ),
        (Some(1), Some(3), Some(25))
    );
    let numbers = |page: &Value| {
        page["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["number"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        numbers(&first),
        (0..10).map(|i| format!("N-{i:02}")).collect::<Vec<_>>()
    );
    assert_eq!(first["orders"][0]["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.get("/api/account/orders?page=1", &cookie).await.json(),
        first
    );
    let third = t.get("/api/account/orders?page=3", &cookie).await.json();
    assert_eq!(
        numbers(&third),
        (20..25).map(|i| format!("N-{i:02}")).collect::<Vec<_>>()
    );
    let past = t.get("/api/account/orders?page=4", &cookie).await;
    assert_eq!(past.status, 200);
    assert_eq!(
        past.json(),
        json!({ "orders": [], "page": 4, "pages": 3, "total": 25 })
    );
    for bad in ["0", "x", "-1", "", "1.5", "99999999999", "%FF"] {
        let reply = t
            .get(&format!("/api/account/orders?page={bad}"), &cookie)
            .await;
        assert_eq!(reply.status, 400, "page={bad}");
        assert_eq!(
            reply.error(),
            ("invalid_query".into(), Some("page".into())),
            "page={bad}"
        );
    }
    let theirs = t.get("/api/account/orders", &other).await.json();
    assert_eq!(
        (theirs["total"].as_u64(), theirs["pages"].as_u64()),
        (Some(1), Some(1))
    );
    let fresh = t.verified_account("cholpan@example.kz", "cholpan").await;
    assert_eq!(
        t.get("/api/account/orders", &fresh).await.json(),
        json!({ "orders": [], "page": 1, "pages": 1, "total": 0 })
    );

    // Two orders placed in the same second: the later-received one first.
    let same = ago(&t, 30);
    push(&t, "TIE-1", &order("bolat", &same, "paid")).await;
    push(&t, "TIE-2", &order("bolat", &same, "paid")).await;
    assert_eq!(
        numbers(&t.get("/api/account/orders", &other).await.json())[..2],
        ["TIE-2", "TIE-1"]
    );

    // What the data export and the overview call.
    let id = account_id(&t, "aigerim").await;
    let mut conn = t.state.db.acquire().await.unwrap();
    let all = orders::all_for(&mut conn, id).await.unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[0].number, "N-00");
    assert_eq!(all[24].number, "N-24");
    assert!(all
        .iter()
        .all(|o| o.items.len() == 2 && o.total_tiyn == 320_000));
    assert_eq!(orders::count_for(&mut conn, id).await.unwrap(), 25);
}

#[tokio::test]
async fn an_order_is_shown_only_to_its_owner() {
    let t = with_token().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let other = t.verified_account("bolat@example.kz", "bolat").await;
    let mine = push(&t, "A-1", &order("aigerim", &ago(&t, 60), "paid"))
        .await
        .json();
    let id = mine["id"].as_i64().unwrap();
    let reply = t.get(&format!("/api/account/orders/{id}"), &cookie).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), mine);
    assert_eq!(reply.header("cache-control"), "no-store");
    let not_found = t.get(&format!("/api/account/orders/{id}"), &other).await;
    assert_eq!(not_found.status, 404);
    assert_eq!(not_found.error().0, "not_found");
    for path in [
        format!("{}", id + 1000),
        "abc".into(),
        "-1".into(),
        "99999999999999999999999".into(),
    ] {
        let reply = t.get(&format!("/api/account/orders/{path}"), &cookie).await;
        assert_eq!(
            (reply.status.as_u16(), reply.error().0),
            (404, "not_found".to_string()),
            "{path}"
        );
    }
    for path in [
        "/api/account/orders".to_string(),
        format!("/api/account/orders/{id}"),
        "/api/account/promotions".into(),
    ] {
        let reply = request(&t.router, "GET", &path, &[]).await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.error().0, "unauthenticated");
    }
}

fn promotion(slug: &str, starts_at: i64, ends_at: i64) -> NewPromotion {
    NewPromotion {
        slug: slug.into(),
        titles: [
            format!("Акция {slug}"),
            format!("Науқан {slug}"),
            format!("Promotion {slug}"),
        ],
        descriptions: ["Описание".into(), "Сипаттама".into(), "Description".into()],
        starts_at,
        ends_at,
    }
}

#[tokio::test]
async fn promotions_can_be_joined_left_and_joined_again() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let now = t.state.clock.now();
    {
        let mut conn = t.state.db.acquire().await.unwrap();
        for p in [
            promotion("long", now - DAY, now + 10 * DAY),
            promotion("short", now - DAY, now + 5 * DAY),
            promotion("soon", now + 2 * DAY, now + 9 * DAY),
            promotion("over", now - 9 * DAY, now - DAY),
        ] {
            assert!(promotions::add(&mut conn, &p, now).await.unwrap());
        }
        assert!(
            !promotions::add(&mut conn, &promotion("long", now, now + DAY), now)
                .await
                .unwrap(),
            "slugs are unique"
        );
    }
    let slugs = |v: &Value, list: &str| {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };

    let en = t.get("/api/account/promotions?lang=en", &cookie).await;
    assert_eq!(en.status, 200);
    assert_eq!(en.header("cache-control"), "no-store");
    let en = en.json();
    assert_eq!(
        slugs(&en, "current"),
        ["short", "long"],
        "current ones, the soonest to end first"
    );
    assert_eq!(en["current"][0]["title"], "Promotion short");
    assert_eq!(en["current"][0]["description"], "Description");
    assert_eq!(en["current"][0]["joined_at"], Value::Null);
    assert_eq!(en["past"], json!([]));
    let ru = t.get("/api/account/promotions", &cookie).await.json();
    assert_eq!(
        ru["current"][0]["title"], "Акция short",
        "the account's language by default"
    );
    assert_eq!(
        t.get("/api/account/promotions?lang=kk", &cookie)
            .await
            .json()["current"][1]["title"],
        "Науқан long"
    );
    let de = t.get("/api/account/promotions?lang=de", &cookie).await;
    assert_eq!(de.status, 400);
    assert_eq!(de.error(), ("unknown_language".into(), Some("lang".into())));

    let joined = t
        .post(
            "/api/account/promotions/long/join?lang=en",
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    let joined = joined.json();
    let joined_at = joined["current"][1]["joined_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(joined["current"][1]["title"], "Promotion long");
    t.state.clock.advance(60);
    let again = t
        .post(
            "/api/account/promotions/long/join?lang=en",
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), joined, "joining twice is joining once");
    assert_eq!(t.count("promotion_participations").await, 1);

    for (slug, status, code) in [
        ("over", 409, "promotion_closed"),
        ("soon", 409, "promotion_closed"),
        ("nope", 404, "not_found"),
    ] {
        let reply = t
            .post(
                &format!("/api/account/promotions/{slug}/join"),
                json!({}),
                Some(&cookie),
            )
            .await;
        assert_eq!(
            (reply.status.as_u16(), reply.error().0),
            (status, code.to_string()),
            "{slug}"
        );
    }
    assert_eq!(
        t.post(
            "/api/account/promotions/nope/leave",
            json!({}),
            Some(&cookie)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        t.post(
            "/api/account/promotions/long/join?lang=xx",
            json!({}),
            Some(&cookie)
        )
        .await
        .status,
        400
    );
    assert_eq!(t.count("promotion_participations").await, 1);

    let id = account_id(&t, "aigerim").await;
    let mut conn = t.state.db.acquire().await.unwrap();
    assert_eq!(
        promotions::joined_count(&mut conn, id, t.state.clock.now())
            .await
            .unwrap(),
        1
    );

    t.state.clock.advance(60);
    let left = t
        .post(
            "/api/account/promotions/long/leave",
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(left.status, 200);
    let left = left.json();
    assert_eq!(left["current"][1]["joined_at"], Value::Null);
    assert_eq!(slugs(&left, "past"), ["long"]);
    assert_eq!(left["past"][0]["joined_at"], joined_at.as_str());
    assert!(left["past"][0]["left_at"].is_string());
    assert_eq!(left["past"][0]["title"], "Акция long");
    let idle = t
        .post(
            "/api/account/promotions/long/leave",
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(idle.status, 200);
    assert_eq!(idle.json(), left, "leaving when not in changes nothing");
    assert_eq!(
        t.post(
            "/api/account/promotions/short/leave",
            json!({}),
            Some(&cookie)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        promotions::joined_count(&mut conn, id, t.state.clock.now())
            .await
            .unwrap(),
        0
    );

    t.state.clock.advance(60);
    let rejoined = t
        .post(
            "/api/account/promotions/long/join",
            json!({}),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(
        t.count("promotion_participations").await,
        2,
        "rejoining is a new participation"
    );
    assert!(rejoined["current"][1]["joined_at"].as_str().unwrap() > joined_at.as_str());
    assert_eq!(
        slugs(&rejoined, "past"),
        ["long"],
        "the earlier one stays in the past"
    );

    // When a promotion ends, the participation becomes past without having been left.
    t.post(
        "/api/account/promotions/short/join",
        json!({}),
        Some(&cookie),
    )
    .await;
    t.state.clock.advance(6 * DAY);
    let later = promotions::for_account(&mut conn, id, Lang::En, t.state.clock.now())
        .await
        .unwrap();
    assert_eq!(
        later
            .current
            .iter()
            .map(|p| p.slug.as_str())
            .collect::<Vec<_>>(),
        ["soon", "long"]
    );
    assert_eq!(
        later
            .past
            .iter()
            .map(|p| p.slug.as_str())
            .collect::<Vec<_>>(),
        ["short", "long"]
    );
    assert_eq!(later.past[0].left_at, None);
    assert_eq!(
        promotions::joined_count(&mut conn, id, t.state.clock.now())
            .await
            .unwrap(),
        1
    );
    let cookie = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    let after_end = t
        .post(
            "/api/account/promotions/short/leave",
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(after_end.status, 200);
    assert_eq!(
        after_end.json()["past"][0]["left_at"],
        Value::Null,
        "an ended participation is not rewritten"
    );
}

#[tokio::test]
async fn promotion_changes_need_a_session_and_the_same_origin() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let now = t.state.clock.now();
    promotions::add(
        &mut t.state.db.acquire().await.unwrap(),
        &promotion("long", now - DAY, now + DAY),
        now,
    )
    .await
    .unwrap();
    let session = format!("fk_session={cookie}");
    for headers in [
        vec![
            ("cookie", session.as_str()),
            ("origin", "https://evil.example"),
        ],
        vec![
            ("cookie", session.as_str()),
            ("origin", ORIGIN),
            ("sec-fetch-site", "cross-site"),
        ],
        vec![("cookie", session.as_str())],
    ] {
        let reply = send(
            &t.router,
            "POST",
            "/api/account/promotions/long/join",
            &headers,
            "",
        )
        .await;
        assert_eq!(reply.status, 403, "{headers:?}");
        assert_eq!(reply.error().0, "forbidden");
    }
    assert_eq!(t.count("promotion_participations").await, 0);
    let anonymous = t
        .post("/api/account/promotions/long/join", json!({}), None)
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.error().0, "unauthenticated");
    assert_eq!(
        t.post(
            "/api/account/promotions/long/join",
            json!({}),
            Some(&cookie)
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn the_store_function_refuses_what_the_endpoint_refuses() {
    let t = setup().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let push = |status| OrderPush {
        login: "aigerim".into(),
        placed_at: ago(&t, 60),
        status,
        items: vec![fk_api::account::commerce::OrderItem {
            name: " Баурсаки ".into(),
            quantity: 3,
            unit_price_tiyn: 100_000,
        }],
    };
    let now = t.state.clock.now();
    let (pushed, view) = orders::push(&t.state.db, "CLI-1", &push(OrderStatus::Placed), now)
        .await
        .unwrap();
    assert_eq!(pushed, orders::Pushed::Created);
    assert_eq!(view.items[0].name, "Баурсаки", "names are stored trimmed");
    let (pushed, _) = orders::push(&t.state.db, "CLI-1", &push(OrderStatus::Placed), now)
        .await
        .unwrap();
    assert_eq!(pushed, orders::Pushed::Unchanged);
    let (pushed, view) = orders::push(&t.state.db, "CLI-1", &push(OrderStatus::Cancelled), now)
        .await
        .unwrap();
    assert_eq!(
        (pushed, view.status),
        (orders::Pushed::StatusChanged, OrderStatus::Cancelled)
    );
    assert!(
        orders::push(&t.state.db, "CLI/1", &push(OrderStatus::Placed), now)
            .await
            .is_err()
    );
}
