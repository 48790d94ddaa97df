//! The overview's summary, the policy-change notice, the consent history, the download and
//! deleting the account, against a real SQLite file and outbox.
mod common;

use common::account::*;
use common::*;
use serde_json::{json, Value};
use sqlx::Row;

async fn record_cookie_choice(t: &T, cookie: &str) {
    let revision = get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let choice = json!({
        "consent_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "categories": ["necessary", "statistics"],
        "config_revision": revision, "policy_version": 1, "gpc": false
    });
    assert_eq!(
        t.post("/api/consent", choice, Some(cookie)).await.status,
        201
    );
}

async fn publish_second_edition(t: &T) {
    let text = format!("{}\n\nНовый пункт.\n", RU.trim_end());
    fk_server::policy::publish(&t.state.db, fk_api::Lang::Ru, text.as_bytes())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_new_policy_edition_is_noticed_and_acknowledged() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let status = t.get("/api/account/policy", &cookie).await.json();
    assert_eq!(
        (
            status["accepted_version"].as_u64(),
            status["current_version"].as_u64()
        ),
        (Some(1), Some(1))
    );

    publish_second_edition(&t).await;
    let status = t.get("/api/account/policy", &cookie).await.json();
    assert_eq!(
        (
            status["accepted_version"].as_u64(),
            status["current_version"].as_u64()
        ),
        (Some(1), Some(2)),
        "{status}"
    );
    assert!(!status["current_published_at"].as_str().unwrap().is_empty());

    let stale = t
        .post(
            "/api/account/policy/acknowledge",
            json!({ "version": 1 }),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        stale.error(),
        ("unknown_version".into(), Some("version".into()))
    );
    let done = t
        .post(
            "/api/account/policy/acknowledge",
            json!({ "version": 2 }),
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["accepted_version"], 2);
    let again = t
        .post(
            "/api/account/policy/acknowledge",
            json!({ "version": 2 }),
            Some(&cookie),
        )
        .await;
    assert_eq!(again.status, 200, "idempotent");
    let history = t.get("/api/account/history", &cookie).await.json();
    let policies: Vec<&Value> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "policy")
        .collect();
    assert_eq!(
        policies.len(),
        2,
        "one registration, one acknowledgement: {history}"
    );
    assert_eq!(policies[0]["how"], "acknowledged");
    assert_eq!(policies[0]["version"], 2);
    assert_eq!(policies[1]["how"], "registration");
    assert_eq!(
        t.call("GET", "/api/account/policy", None, None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_history_holds_policies_and_cookie_receipts_newest_first() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    t.state.clock.advance(60);
    record_cookie_choice(&t, &cookie).await;
    let entries = t.get("/api/account/history", &cookie).await.json()["entries"].clone();
    assert_eq!(entries[0]["kind"], "cookies", "{entries}");
    assert_eq!(entries[0]["categories"], json!(["necessary", "statistics"]));
    assert_eq!(entries[1]["kind"], "policy");
    let summary = t.get("/api/account/summary", &cookie).await.json();
    assert_eq!(summary["history_entries"], 2);
    assert_eq!(summary["sessions"], 1);
    assert_eq!(summary["next_export_at"], Value::Null);
}

#[tokio::test]
async fn the_download_has_every_section_and_is_limited_to_one_an_hour() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    record_cookie_choice(&t, &cookie).await;
    let reply = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("content-disposition")
            .starts_with("attachment; filename=\"fortekassa-data-"),
        "{}",
        reply.header("content-disposition")
    );
    assert_eq!(reply.header("cache-control"), "no-store");
    // The browser saved the file: the hour starts.
    let received = t
        .post("/api/account/export/received", json!({}), Some(&cookie))
        .await;
    assert_eq!(received.status, 204, "{}", received.text());
    let data = reply.json();
    for section in [
        "profile",
        "orders",
        "promotions",
        "choices",
        "consents",
        "cookie_receipts",
        "sessions",
        "security_log",
        "letters",
    ] {
        assert!(!data[section].is_null(), "no {section}: {data}");
    }
    // The receipts whole, as stored: the browser, the shortened address, the configuration.
    let receipt = &data["cookie_receipts"][0];
    assert_eq!(receipt["user_agent"], UA, "{receipt}");
    assert_eq!(receipt["ip_truncated"], "203.0.113.0");
    assert!(
        receipt["config_revision"]
            .as_str()
            .is_some_and(|r| r.len() == 16),
        "{receipt}"
    );
    // The letters the service keeps a record of: to whom, what, when; never their text.
    let letters = data["letters"].as_array().unwrap();
    assert!(
        letters.iter().any(|l| l["to"] == "aigerim@example.kz"
            && l["sent_at"].is_string()
            && l["subject"].as_str().is_some_and(|s| !s.is_empty())),
        "{letters:?}"
    );
    assert!(
        letters
            .iter()
            .all(|l| l.get("text").is_none() && !l.to_string().contains("token=")),
        "{letters:?}"
    );
    assert_eq!(data["profile"]["login"], "aigerim");
    assert_eq!(data["profile"]["email"], "aigerim@example.kz");
    assert_eq!(data["sessions"][0]["current"], true);
    assert_eq!(
        data["sessions"][0]["ip"], "203.0.113.77",
        "the download has the whole address, as stored"
    );
    assert_eq!(data["sessions"][0]["user_agent"], UA);
    assert!(data["profile"]["email_verified_at"].is_string());
    assert_eq!(
        data["security_log"][0]["event"], "data_exported",
        "the download is in the security log"
    );
    assert!(data["consents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "cookies"));

    t.state.clock.advance(20 * 60);
    // Everything held goes out only with a recent password, like any sensitive operation.
    let stale = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(
        stale.error(),
        ("reauth_required".into(), Some("password".into()))
    );
    let cookie = session_cookie(
        &t.post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await,
    );
    let soon = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(soon.status, 429);
    // 40 minutes left, less the moments the re-authentication took (the clock runs on).
    let wait: u64 = soon.header("retry-after").parse().unwrap();
    assert!((2390..=2400).contains(&wait), "{wait}");
    assert_eq!(soon.json()["retry_after"], wait);
    let summary = t.get("/api/account/summary", &cookie).await.json();
    assert!(
        summary["next_export_at"].is_string(),
        "the overview says when: {summary}"
    );
    t.state.clock.advance(40 * 60);
    let cookie = session_cookie(
        &t.post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await,
    );
    assert_eq!(
        t.post("/api/account/export", json!({}), Some(&cookie))
            .await
            .status,
        200,
        "an hour later it works again"
    );
}

/// Every column of every table as text, for the deletion test: the catalogue is read, so a
/// table added later is searched too.
async fn everything_stored(t: &T) -> String {
    let db = &t.state.db;
    let catalogue = if is_postgres(db) {
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns WHERE table_schema = 'public' \
         AND data_type <> 'bytea'"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.type <> 'BLOB'"
    };
    let columns: Vec<(String, String)> = sqlx::query(catalogue)
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("t"), r.get("c")))
        .collect();
    assert!(
        columns.len() > 40,
        "the catalogue lists the tables: {columns:?}"
    );
    let mut all = String::new();
    for (table, column) in columns {
        // Run-time SQL: the names come from the database's own catalogue.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST({column} AS TEXT) AS v FROM {table}"
        )))
        .fetch_all(db)
        .await
        .unwrap();
        for r in rows {
            if let Ok(Some(v)) = r.try_get::<Option<String>, _>("v") {
                all.push_str(&format!("{table}.{column}={v}\n"));
            }
        }
    }
    all
}

#[tokio::test]
async fn deleting_erases_the_person_and_keeps_only_unlinked_records() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let other = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    let version = t.session(&cookie).await.json()["account"]["version"]
        .as_i64()
        .unwrap();
    let profile = json!({ "first_name": "Айгерим", "birth_year": 1990, "gender": "female", "phone": "+7 701 234 56 78", "lang": "ru", "version": version });
    assert_eq!(
        t.put("/api/account/profile", profile, &cookie).await.status,
        200
    );
    record_cookie_choice(&t, &cookie).await;
    sqlx::query("INSERT INTO orders (number, account_id, placed_at, status, total_tiyn, received_at, updated_at) SELECT 'A-1', id, 1, 'paid', 100, 1, 1 FROM accounts")
        .execute(&t.state.db)
        .await
        .unwrap();
    assert_eq!(
        t.post(
            "/api/account/email",
            json!({ "email": "pending@example.kz" }),
            Some(&cookie)
        )
        .await
        .status,
        202
    );
    t.sign_in("aigerim@example.kz", "wrong password again")
        .await;
    t.mails().await;

    let unsubscribe_token = {
        let mut conn = t.state.db.acquire().await.unwrap();
        let id: i64 = sqlx::query("SELECT id FROM accounts")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get("id");
        fk_server::choices::unsubscribe::issue(
            &mut conn,
            id,
            fk_api::account::choices::Choice::NewsEmail,
            t.state.clock.now(),
        )
        .await
        .unwrap()
    };
    assert_eq!(
        t.post(
            "/api/unsubscribe/preview",
            json!({ "token": unsubscribe_token }),
            None
        )
        .await
        .status,
        200
    );
    let wrong = t
        .post(
            "/api/account/delete",
            json!({ "password": "not my password" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.error(),
        ("invalid_credentials".into(), Some("password".into()))
    );
    assert_eq!(
        t.count("accounts").await,
        1,
        "nothing erased on a wrong password"
    );

    let done = t
        .post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.text());
    assert!(
        done.header("set-cookie").contains("Max-Age=0"),
        "signed out"
    );
    assert_eq!(t.session(&cookie).await.status, 401);
    assert_eq!(t.session(&other).await.status, 401, "every session ended");
    let goodbye = t.mails().await.pop().unwrap();
    assert_eq!(goodbye.to, "aigerim@example.kz");
    assert!(goodbye.subject.contains("удалена"), "{}", goodbye.subject);

    assert_eq!(
        t.count("mail_queue").await,
        0,
        "no letter to or about the person is kept, the goodbye included"
    );
    let stored = everything_stored(&t).await;
    for needle in [
        "aigerim@example.kz",
        "pending@example.kz",
        "aigerim",
        "Айгерим",
        "+77012345678",
        "7012345678",
    ] {
        let found: Vec<&str> = stored
            .lines()
            .filter(|l| l.to_lowercase().contains(&needle.to_lowercase()))
            .collect();
        assert!(found.is_empty(), "{needle} is still stored: {found:?}");
    }
    assert_eq!(
        t.sign_in("aigerim", PASSWORD).await.status,
        401,
        "the account is gone"
    );
    let dead = t
        .post(
            "/api/unsubscribe/preview",
            json!({ "token": unsubscribe_token }),
            None,
        )
        .await;
    assert_eq!(dead.status, 404, "unsubscribe links stop working");
    let order = sqlx::query("SELECT account_id, total_tiyn FROM orders WHERE number = 'A-1'")
        .fetch_one(&t.state.db)
        .await
        .unwrap();
    assert_eq!(
        order.get::<Option<i64>, _>("account_id"),
        None,
        "the order stays, unlinked"
    );
    assert_eq!(t.count("consent_receipts").await, 1, "the receipt stays");
    let linked: Option<i64> = sqlx::query("SELECT account_id FROM consent_receipts")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("account_id");
    assert_eq!(linked, None);

    assert_eq!(
        t.post(
            "/api/account/register",
            registration("aigerim@example.kz", "aigerim"),
            None
        )
        .await
        .status,
        202
    );
    let welcome_back = t
        .mails()
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "aigerim@example.kz")
        .unwrap();
    assert!(
        welcome_back.text.contains("/account/verify#token="),
        "the login and address are free again: {}",
        welcome_back.subject
    );
}

#[tokio::test]
async fn an_address_never_confirmed_is_erased_after_a_week() {
    let t = setup().await;
    assert_eq!(
        t.post(
            "/api/account/register",
            registration("never@example.kz", "never"),
            None
        )
        .await
        .status,
        202
    );
    t.verified_account("aigerim@example.kz", "aigerim").await;
    t.state.clock.advance(6 * 86_400);
    fk_server::account::housekeeping(&t.state.db, t.state.clock.now())
        .await
        .unwrap();
    assert_eq!(t.count("accounts").await, 2, "kept for a week");
    t.state.clock.advance(2 * 86_400);
    fk_server::account::housekeeping(&t.state.db, t.state.clock.now())
        .await
        .unwrap();
    let left: Vec<String> = sqlx::query("SELECT login FROM accounts")
        .fetch_all(&t.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("login"))
        .collect();
    assert_eq!(left, ["aigerim"], "the confirmed account stays");
    assert_eq!(
        t.post(
            "/api/account/register",
            registration("never@example.kz", "never"),
            None
        )
        .await
        .status,
        202
    );
    assert_eq!(
        t.count("accounts").await,
        2,
        "the address and login are free again"
    );
}

/// Every byte of the database's files: the database, its write-ahead log and its index.
fn database_files(t: &T) -> Vec<(String, Vec<u8>)> {
    ["test.db", "test.db-wal", "test.db-shm"]
        .iter()
        .filter_map(|name| {
            std::fs::read(t.dir.path().join(name))
                .ok()
                .map(|bytes| (name.to_string(), bytes))
        })
        .collect()
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// SQL finding nothing is not enough: a deleted row stays readable in the file's free space and
/// in the write-ahead log until something overwrites it. After "delete account" the person's
/// address, login, name and phone must be in no byte of the database's files.
#[tokio::test]
async fn erased_data_is_gone_from_the_database_files() {
    let t = setup().await;
    if is_postgres(&t.state.db) {
        eprintln!(
            "PostgreSQL: erasure from its files is the operator's vacuum and backups (README)"
        );
        return;
    }
    let (email, login, name, phone) = (
        "zarina.erase@example.kz",
        "zarina_erase",
        "Заринагүл",
        "+77019876543",
    );
    let mut body = registration(email, login);
    body["first_name"] = json!(name);
    let (registered, browser) = t.register(body).await;
    assert_eq!(registered.status, 202);
    let token = token_in(&t.mails().await.pop().unwrap().text);
    let cookie = session_cookie(&t.verify_here(&token, &browser).await);
    let me = t.get("/api/account/session", &cookie).await.json()["account"].clone();
    let profile = json!({ "first_name": name, "birth_year": 1990, "gender": "female", "phone": phone, "lang": "ru",
        "guardian_consent": false, "version": me["version"] });
    assert_eq!(
        t.put("/api/account/profile", profile, &cookie).await.status,
        200
    );
    record_cookie_choice(&t, &cookie).await;
    t.sign_in(login, "a wrong password here").await;
    t.mails().await;
    let before: Vec<(String, Vec<u8>)> = database_files(&t);
    assert!(
        before.iter().any(|(_, bytes)| holds(bytes, email)),
        "the test looks where the data is"
    );

    assert_eq!(
        t.post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&cookie)
        )
        .await
        .status,
        204
    );
    let goodbye = t.mails().await.pop().unwrap();
    assert_eq!(
        goodbye.to, email,
        "the last letter went out (and its row is gone)"
    );
    for (file, bytes) in database_files(&t) {
        for needle in [email, login, name, phone, "7019876543"] {
            assert!(
                !holds(&bytes, needle),
                "{needle} is still readable in {file} ({} bytes)",
                bytes.len()
            );
        }
    }
    // And the database works on: a new account with other data.
    t.verified_account("after@example.kz", "after").await;
}

/// A POST to the export with the SPA's headers; the response as it comes, its body unread.
async fn export_response(t: &T, cookie: &str, query: &str) -> axum::response::Response {
    let request = axum::http::Request::post(format!("/api/account/export{query}"))
        .header("content-type", "application/json")
        .header("origin", t.origin.as_str())
        .header("user-agent", UA)
        .header("cookie", format!("fk_session={cookie}"))
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            PEER.parse().unwrap(),
            50000,
        )))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    tower::ServiceExt::oneshot(t.router.clone(), request)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_readable_download_is_one_inert_page_in_the_accounts_language() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    record_cookie_choice(&t, &cookie).await;
    // Whatever the forms allow, the file must not trust what it writes: markup in a stored
    // first name, and in an order's item that came from elsewhere, comes out as text.
    let evil = "<img src=x onerror=alert(1)>";
    sqlx::query("UPDATE accounts SET first_name = $1")
        .bind(evil)
        .execute(&t.state.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO orders (number, account_id, placed_at, status, total_tiyn, received_at, updated_at) SELECT 'A-1\"><script>alert(2)</script>', id, 1764000000, 'paid', 150000, 1, 1 FROM accounts")
        .execute(&t.state.db)
        .await
        .unwrap();
    let reply = t
        .post("/api/account/export?format=html", json!({}), Some(&cookie))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), "text/html; charset=utf-8");
    let disposition = reply.header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"fortekassa-data-")
            && disposition.ends_with(".html\""),
        "{disposition}"
    );
    assert_eq!(reply.header("cache-control"), "no-store");
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    let csp = reply.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "opened from the server, it may run nothing: {csp}"
    );
    let html = reply.text();
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..80.min(html.len())]
    );
    // In the account's language (Russian here), dates by the shared code in Almaty time.
    assert!(html.contains("<html lang=\"ru\""), "{}", &html[..200]);
    if let Ok(path) = std::env::var("FK_SAVE_EXPORT") {
        std::fs::write(path, &html).unwrap();
    }
    assert!(html.contains("Ваши данные в ForteKassa"));
    assert!(html.contains("aigerim@example.kz"));
    assert!(html.contains("Заказ №"));
    // 1764000000 is 2025-11-24T16:00:00Z: 21:00 in Almaty.
    assert!(
        html.contains("24\u{a0}ноября\u{a0}2025\u{a0}г., 21:00"),
        "the order's time in Almaty, as the shared date code writes it"
    );
    assert!(html.contains("1\u{a0}500\u{a0}₸"), "the total in tenge");
    // The cookie category by its name in the dialog's words, not its code.
    assert!(!html.contains(">statistics<"));
    // Escaped, never markup: the name and the order number come out as text.
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the name is escaped"
    );
    assert!(!html.contains("<img"), "no image element from the name");
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script of any origin"
    );
    assert!(!html.contains("onerror=alert(1)>"));
    // Self-contained: its own strict policy, its style inline, nothing loaded from anywhere.
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'"
    ));
    assert!(html.contains("<style>"));
    assert!(html.contains("prefers-color-scheme:dark"), "a dark palette");
    assert!(html.contains("name=\"viewport\""), "laid out for a phone");
    for external in ["<link", "src=\"", "url(", "@import", "http://", "https://"] {
        assert!(!html.contains(external), "nothing external: {external}");
    }
    // In English when the account is.
    sqlx::query("UPDATE accounts SET lang = 'en'")
        .execute(&t.state.db)
        .await
        .unwrap();
    t.state.clock.advance(3601);
    let cookie = session_cookie(
        &t.post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await,
    );
    let english = t
        .post("/api/account/export?format=html", json!({}), Some(&cookie))
        .await
        .text();
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Your data at ForteKassa"));
    assert!(english.contains("24\u{a0}November\u{a0}2025, 21:00"));
}

#[tokio::test]
async fn an_unknown_format_is_refused() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let reply = t
        .post("/api/account/export?format=pdf", json!({}), Some(&cookie))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error(),
        ("invalid_query".into(), Some("format".into()))
    );
}

#[tokio::test]
async fn only_a_received_download_starts_the_hour() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let next_export =
        || async { t.get("/api/account/summary", &cookie).await.json()["next_export_at"].clone() };
    // Said with no download begun, "received" changes nothing.
    let early = t
        .post("/api/account/export/received", json!({}), Some(&cookie))
        .await;
    assert_eq!(early.status, 204, "{}", early.text());
    assert_eq!(next_export().await, Value::Null);
    // Sent whole, but the browser never said it holds the file (the connection broke, the tab
    // closed): it does not count.
    let lost = t
        .post("/api/account/export?format=html", json!({}), Some(&cookie))
        .await;
    assert_eq!(lost.status, 200);
    assert_eq!(next_export().await, Value::Null);
    let whole = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.json()["profile"]["last_export_at"],
        Value::Null,
        "no earlier download was received"
    );
    // Received: now the hour starts, in either format.
    let received = t
        .post("/api/account/export/received", json!({}), Some(&cookie))
        .await;
    assert_eq!(received.status, 204);
    assert!(next_export().await.is_string());
    for format in ["", "?format=html"] {
        let again = t
            .post(
                &format!("/api/account/export{format}"),
                json!({}),
                Some(&cookie),
            )
            .await;
        assert_eq!(again.status, 429, "{format}");
        let wait: u64 = again.header("retry-after").parse().unwrap();
        assert!((3590..=3600).contains(&wait), "{wait}");
    }
}

#[tokio::test]
async fn downloads_that_never_arrive_are_still_limited() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let tries = fk_api::account::data::EXPORT_TRIES_PER_HOUR;
    for _ in 0..tries {
        let lost = export_response(&t, &cookie, "").await;
        assert_eq!(lost.status(), 200);
        t.state.clock.advance(60);
    }
    // Each read the whole account: more are refused until the first of them is an hour old.
    let refused = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").parse().unwrap();
    let expected = (3600 - 60 * tries) as u64;
    assert!((expected - 5..=expected).contains(&wait), "{wait}");
    assert_eq!(
        t.get("/api/account/summary", &cookie).await.json()["next_export_at"],
        Value::Null,
        "the page is not told that a file was delivered"
    );
    t.state.clock.advance(wait as i64);
    let cookie = session_cookie(
        &t.post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await,
    );
    assert_eq!(
        t.post("/api/account/export", json!({}), Some(&cookie))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn an_empty_password_is_missing_not_wrong() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    for _ in 0..12 {
        let empty = t
            .post(
                "/api/account/delete",
                json!({ "password": "" }),
                Some(&cookie),
            )
            .await;
        assert_eq!(empty.status, 422);
        assert_eq!(
            empty.error(),
            ("password_missing".into(), Some("password".into()))
        );
    }
    // Not counted as failed attempts: the right password still goes through at once.
    assert_eq!(
        t.post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&cookie)
        )
        .await
        .status,
        204
    );
}
