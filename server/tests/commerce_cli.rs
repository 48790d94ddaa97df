//! `fk-server orders demo` and `fk-server promotion …` through the real binary.
mod common;

use std::path::Path;
use std::process::{Command, Output};

use fk_api::account::Gender;
use fk_api::Lang;
use fk_server::account::store::{self, NewAccount};
use sqlx::Row;

fn fk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(args)
        .env("FK_DATABASE_URL", url(dir))
        .env("FK_DIST_DIR", dir.join("no-dist"))
        .output()
        .unwrap()
}

fn url(dir: &Path) -> String {
    common::database_url(dir)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An account made directly in the database the CLI will use.
fn account(dir: &Path, login: &str) {
    runtime().block_on(async {
        let db = fk_server::db::open(&url(dir)).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let new = NewAccount {
            login,
            email: &format!("{login}@example.kz"),
            first_name: "Айгерим",
            birth_year: 1990,
            gender: Gender::Female,
            lang: Lang::Ru,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y",
            guardian_consent: false,
            policy_version: 1,
        };
        store::insert(&mut tx, &new, fk_server::clock::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        db.close().await;
    });
}

/// (number, status, total_tiyn, placed_at) of every order.
fn orders(dir: &Path) -> Vec<(String, String, i64, i64)> {
    runtime().block_on(async {
        let db = fk_server::db::open(&url(dir)).await.unwrap();
        let rows =
            sqlx::query("SELECT number, status, total_tiyn, placed_at FROM orders ORDER BY number")
                .fetch_all(&db)
                .await
                .unwrap();
        db.close().await;
        rows.iter()
            .map(|r| {
                (
                    r.get("number"),
                    r.get("status"),
                    r.get("total_tiyn"),
                    r.get("placed_at"),
                )
            })
            .collect()
    })
}

#[test]
fn demo_orders_load_once() {
    let dir = tempfile::tempdir().unwrap();
    account(dir.path(), "Aigerim.K");
    let first = fk(dir.path(), &["orders", "demo", "--login", "aigerim.k"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("added 12 demonstration orders for Aigerim.K"),
        "{}",
        stdout(&first)
    );
    let loaded = orders(dir.path());
    assert_eq!(loaded.len(), 12);
    assert!(
        loaded
            .iter()
            .all(|(number, ..)| number.starts_with("DEMO-aigerim_k-")),
        "{loaded:?}"
    );
    let count = |status: &str| loaded.iter().filter(|(_, s, ..)| s == status).count();
    assert_eq!(
        (count("placed"), count("cancelled"), count("refunded")),
        (1, 1, 1)
    );
    assert!(count("completed") >= 8);
    assert!(
        loaded.iter().any(|(_, _, total, _)| *total == 1_250_000),
        "an order of 12 500 ₸"
    );
    assert!(loaded.iter().any(|(_, _, total, _)| *total >= 1_000_000));
    let now = fk_server::clock::now();
    assert!(loaded
        .iter()
        .all(|(.., at)| (now - 61 * 86_400..=now).contains(at)));
    assert!(
        loaded.iter().any(|(.., at)| now - at < 3600),
        "one placed today"
    );

    let second = fk(dir.path(), &["orders", "demo", "--login", "Aigerim.K"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second)
            .contains("added 0 demonstration orders for Aigerim.K (12 were there already)"),
        "{}",
        stdout(&second)
    );
    assert_eq!(orders(dir.path()), loaded, "a second run changes nothing");

    let unknown = fk(dir.path(), &["orders", "demo", "--login", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no account has the login \"nobody\""),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(
        fk(dir.path(), &["orders", "demo"]).status.code(),
        Some(2),
        "--login is required"
    );
    assert_eq!(orders(dir.path()).len(), 12);
}

#[test]
fn promotions_are_added_listed_and_demo_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let demo = fk(dir.path(), &["promotion", "demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    assert!(
        stdout(&demo).contains("added 4 demonstration promotions"),
        "{}",
        stdout(&demo)
    );
    let again = fk(dir.path(), &["promotion", "demo"]);
    assert!(
        stdout(&again).contains("added 0 demonstration promotions (4 were there already)"),
        "{}",
        stdout(&again)
    );
    let list = stdout(&fk(dir.path(), &["promotion", "list"]));
    assert_eq!(
        list.lines().count(),
        5,
        "a header and four promotions: {list}"
    );
    assert_eq!(
        list.lines().filter(|l| l.contains(" current ")).count(),
        3,
        "{list}"
    );
    assert_eq!(
        list.lines().filter(|l| l.contains(" ended ")).count(),
        1,
        "{list}"
    );

    let add = |slug: &str, title_ru: &str, starts: &str, ends: &str| {
        fk(
            dir.path(),
            &[
                "promotion",
                "add",
                "--slug",
                slug,
                "--title-ru",
                title_ru,
                "--title-kk",
                "Жаңа жыл",
                "--title-en",
                "New Year",
                "--description-ru",
                "Подарки",
                "--description-kk",
                "Сыйлықтар",
                "--description-en",
                "Gifts",
                "--starts",
                starts,
                "--ends",
                ends,
            ],
        )
    };
    let ok = add("new-year", "Новый год", "2026-12-25", "2027-01-08");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok)
            .contains("added promotion new-year (2026-12-24T19:00:00Z – 2027-01-07T19:00:00Z)"),
        "{}",
        stdout(&ok)
    );
    let list = stdout(&fk(dir.path(), &["promotion", "list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("new-year") && l.contains("Новый год")),
        "{list}"
    );
    for (slug, title, starts, ends, message) in [
        (
            "new-year",
            "Новый год",
            "2026-12-25",
            "2027-01-08",
            "exists already",
        ),
        (
            "New Year",
            "Новый год",
            "2026-12-25",
            "2027-01-08",
            "invalid slug",
        ),
        (
            "spring",
            "Весна",
            "2027-03-01",
            "2027-03-01",
            "ends after it starts",
        ),
        (
            "spring",
            "Весна",
            "2027-03-01",
            "2027-02-01",
            "ends after it starts",
        ),
        ("spring", "Весна", "01.03.2027", "2027-04-01", "YYYY-MM-DD"),
        ("spring", "Весна", "2027-02-30", "2027-04-01", "YYYY-MM-DD"),
        ("spring", " ", "2027-03-01", "2027-04-01", "the ru title"),
    ] {
        let out = add(slug, title, starts, ends);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{slug} {starts} {ends}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(message),
            "{message}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        stdout(&fk(dir.path(), &["promotion", "list"]))
            .lines()
            .count(),
        6,
        "nothing more was added"
    );
}
