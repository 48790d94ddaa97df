//! Subscriptions and privacy choices, the newsletter and its unsubscribe links (the page's
//! API and RFC 8058 one-click), against a real SQLite file and a real outbox folder.
mod common;

use common::account::*;
use common::*;
use fk_api::account::activity::HistoryEvent;
use fk_api::account::choices::{Choice, ChoiceSource};
use fk_server::choices::{newsletter, store};
use serde_json::{json, Value};
use sqlx::Row;

const FORM: &str = "application/x-www-form-urlencoded";
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

async fn account_id(t: &T, email: &str) -> i64 {
    sqlx::query("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("id")
}

async fn enabled(t: &T, id: i64, choice: &str) -> Option<bool> {
    sqlx::query("SELECT enabled FROM account_choices WHERE account_id = $1 AND choice = $2")
        .bind(id)
        .bind(choice)
        .fetch_optional(&t.state.db)
        .await
        .unwrap()
        .map(|r| r.get::<i32, _>("enabled") != 0)
}

/// The (enabled, source) of every choice event of the account, oldest first.
async fn events(t: &T, id: i64) -> Vec<(String, bool, String)> {
    sqlx::query(
        "SELECT choice, enabled, source FROM choice_events WHERE account_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&t.state.db)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("choice"),
            r.get::<i32, _>("enabled") != 0,
            r.get("source"),
        )
    })
    .collect()
}

fn state_of(choices: &Value, choice: &str) -> Value {
    choices["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["choice"] == choice)
        .cloned()
        .unwrap()
}

/// A raw message of the outbox: its headers (unfolded) and the parsed parts.
struct Raw {
    headers: Vec<(String, String)>,
    to: String,
    subject: String,
    text: String,
    html: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Delivers the queue and reads every message, oldest first.
async fn raw_mails(t: &T) -> Vec<Raw> {
    t.state
        .mailer
        .deliver_pending(&t.state.db, t.state.clock.now())
        .await
        .unwrap();
    let Ok(dir) = std::fs::read_dir(t.dir.path().join("outbox")) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = dir
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    paths.sort_by_key(|p| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .split('-')
            .nth(1)
            .map(str::to_string)
    });
    paths
        .iter()
        .map(|p| {
            let raw = std::fs::read_to_string(p).unwrap();
            let head = raw
                .split("\r\n\r\n")
                .next()
                .unwrap()
                .replace("\r\n ", " ")
                .replace("\r\n\t", " ");
            let headers = head
                .split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .collect();
            let m = mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .unwrap();
            Raw {
                headers,
                to: m
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap_or_default()
                    .to_string(),
                subject: m.subject().unwrap_or_default().to_string(),
                text: m.body_text(0).unwrap_or_default().to_string(),
                html: m.body_html(0).unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// What a mail program's server sends: nothing but the form body.
async fn one_click(t: &T, path: &str, content_type: &str, body: &str) -> Reply {
    send(
        &t.router,
        "POST",
        path,
        &[("content-type", content_type)],
        body.to_string(),
    )
    .await
}

/// A verified account subscribed to news by e-mail; returns (cookie, account id).
async fn subscriber(t: &T, email: &str, login: &str) -> (String, i64) {
    let cookie = t.verified_account(email, login).await;
    assert_eq!(
        t.put(
            "/api/account/choices/news_email",
            json!({ "enabled": true }),
            &cookie
        )
        .await
        .status,
        200
    );
    (cookie, account_id(t, email).await)
}

/// Sends a newsletter and returns the unsubscribe token of the letter to `email`.
async fn newsletter_token(t: &T, email: &str) -> String {
    assert!(
        newsletter::send(&t.state, Choice::NewsEmail, "Новости", "Текст.")
            .await
            .unwrap()
            >= 1
    );
    let mail = raw_mails(t)
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == email && m.subject == "Новости")
        .unwrap();
    token_in(&mail.text)
}

#[tokio::test]
async fn every_choice_is_off_until_turned_on() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let reply = t.get("/api/account/choices", &cookie).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), "no-store");
    let body = reply.json();
    let codes: Vec<_> = body["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["choice"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, Choice::ALL.map(|c| c.code().to_string()));
    for c in body["choices"].as_array().unwrap() {
        assert_eq!(c["enabled"], false, "{c}");
        assert_eq!(c["updated_at"], Value::Null, "{c}");
    }
    assert_eq!(body["has_phone"], false);
    assert_eq!(
        t.count("account_choices").await + t.count("choice_events").await,
        0,
        "defaults are not stored"
    );
}

#[tokio::test]
async fn a_choice_turns_on_and_off_and_every_change_is_recorded() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let id = account_id(&t, "aigerim@example.kz").await;

    let on = t
        .put(
            "/api/account/choices/analytics",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    assert_eq!(on.header("cache-control"), "no-store");
    let state = state_of(&on.json(), "analytics");
    assert_eq!(state["enabled"], true);
    assert!(
        state["updated_at"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z')),
        "{state}"
    );
    assert_eq!(
        state_of(&on.json(), "recommendations")["enabled"],
        false,
        "one choice at a time"
    );

    let same = t
        .put(
            "/api/account/choices/analytics",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(same.status, 200);
    assert_eq!(
        events(&t, id).await.len(),
        1,
        "the same value writes nothing"
    );

    t.state.clock.advance(60);
    let off = t
        .put(
            "/api/account/choices/analytics",
            json!({ "enabled": false }),
            &cookie,
        )
        .await;
    assert_eq!(state_of(&off.json(), "analytics")["enabled"], false);
    assert_ne!(
        state_of(&off.json(), "analytics")["updated_at"],
        state["updated_at"]
    );
    assert_eq!(
        events(&t, id).await,
        vec![
            ("analytics".into(), true, "account".into()),
            ("analytics".into(), false, "account".into())
        ]
    );
    assert_eq!(enabled(&t, id, "analytics").await, Some(false));
    assert_eq!(
        t.get("/api/account/choices", &cookie).await.json(),
        off.json(),
        "GET shows what PUT answered"
    );

    let history = store::history(&mut t.state.db.acquire().await.unwrap(), id)
        .await
        .unwrap();
    let events: Vec<_> = history.iter().map(|e| e.event.clone()).collect();
    assert_eq!(
        events,
        vec![
            HistoryEvent::Choice {
                choice: Choice::Analytics,
                enabled: false,
                source: ChoiceSource::Account
            },
            HistoryEvent::Choice {
                choice: Choice::Analytics,
                enabled: true,
                source: ChoiceSource::Account
            },
        ],
        "newest first"
    );
    assert!(history[0].at > history[1].at);

    let off_again = t
        .put(
            "/api/account/choices/news_email",
            json!({ "enabled": false }),
            &cookie,
        )
        .await;
    assert_eq!(off_again.status, 200);
    assert_eq!(
        enabled(&t, id, "news_email").await,
        None,
        "turning off what was never on writes nothing"
    );
}

#[tokio::test]
async fn sms_needs_a_phone() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let id = account_id(&t, "aigerim@example.kz").await;
    let refused = t
        .put(
            "/api/account/choices/news_sms",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        refused.error(),
        ("phone_required".into(), Some("phone".into()))
    );
    assert_eq!(t.count("choice_events").await, 0);
    assert_eq!(
        t.put(
            "/api/account/choices/news_sms",
            json!({ "enabled": false }),
            &cookie
        )
        .await
        .status,
        200,
        "off is always allowed"
    );

    sqlx::query("UPDATE accounts SET phone = '+77012345678' WHERE id = $1")
        .bind(id)
        .execute(&t.state.db)
        .await
        .unwrap();
    let on = t
        .put(
            "/api/account/choices/news_sms",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    assert_eq!(on.json()["has_phone"], true);
    assert_eq!(state_of(&on.json(), "news_sms")["enabled"], true);
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let unknown = t
        .put(
            "/api/account/choices/everything",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error(), ("not_found".into(), Some("choice".into())));

    let anonymous = t.call("GET", "/api/account/choices", None, None).await;
    assert_eq!(
        (anonymous.status.as_u16(), anonymous.error().0),
        (401, "unauthenticated".into())
    );
    let anonymous = t
        .call(
            "PUT",
            "/api/account/choices/analytics",
            Some(json!({ "enabled": true })),
            None,
        )
        .await;
    assert_eq!(
        (anonymous.status.as_u16(), anonymous.error().0),
        (401, "unauthenticated".into())
    );

    let session = format!("fk_session={cookie}");
    let body = json!({ "enabled": true }).to_string();
    for headers in [
        vec![
            ("content-type", "application/json"),
            ("cookie", session.as_str()),
            ("origin", "https://evil.test"),
        ],
        vec![
            ("content-type", "application/json"),
            ("cookie", session.as_str()),
            ("sec-fetch-site", "cross-site"),
        ],
        vec![
            ("content-type", "application/json"),
            ("cookie", session.as_str()),
        ],
    ] {
        let reply = send(
            &t.router,
            "PUT",
            "/api/account/choices/analytics",
            &headers,
            body.clone(),
        )
        .await;
        assert_eq!(
            (reply.status.as_u16(), reply.error().0),
            (403, "forbidden".into()),
            "{headers:?}"
        );
    }
    assert_eq!(t.count("choice_events").await, 0);

    let wrong = t
        .put(
            "/api/account/choices/analytics",
            json!({ "enabled": "yes" }),
            &cookie,
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.error(),
        ("invalid_json".into(), Some("enabled".into()))
    );
    let extra = t
        .put(
            "/api/account/choices/analytics",
            json!({ "enabled": true, "source": "one_click" }),
            &cookie,
        )
        .await;
    assert_eq!(
        extra.error(),
        ("invalid_json".into(), Some("source".into()))
    );
}

#[tokio::test]
async fn the_newsletter_goes_to_confirmed_subscribers_with_unsubscribe_headers() {
    let t = setup().await;
    let (_, subscribed) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    t.verified_account("bolat@example.kz", "bolat").await;
    let support = t.verified_account("dana@example.kz", "dana").await;
    t.put(
        "/api/account/choices/support_materials",
        json!({ "enabled": true }),
        &support,
    )
    .await;
    // Subscribed, but the address was never confirmed.
    assert_eq!(
        t.post(
            "/api/account/register",
            registration("erlan@example.kz", "erlan"),
            None
        )
        .await
        .status,
        202
    );
    let unconfirmed = account_id(&t, "erlan@example.kz").await;
    store::set(
        &mut t.state.db.acquire().await.unwrap(),
        unconfirmed,
        Choice::NewsEmail,
        true,
        ChoiceSource::Account,
        1,
    )
    .await
    .unwrap();
    raw_mails(&t).await;

    let body = "Новая касса уже в продаже.\n\nПодробности на сайте <ForteKassa> & в приложении.";
    assert_eq!(
        newsletter::send(&t.state, Choice::NewsEmail, "Новости ForteKassa", body)
            .await
            .unwrap(),
        1
    );
    let letters: Vec<_> = raw_mails(&t)
        .await
        .into_iter()
        .filter(|m| m.subject == "Новости ForteKassa")
        .collect();
    assert_eq!(letters.len(), 1, "only the confirmed subscriber");
    let letter = &letters[0];
    assert_eq!(letter.to, "aigerim@example.kz");
    let token = token_in(&letter.text);
    let link = format!("http://fk.test/unsubscribe?token={token}");
    assert_eq!(
        letter.header("List-Unsubscribe"),
        Some(format!("<{link}>").as_str())
    );
    assert_eq!(letter.header("List-Unsubscribe-Post"), Some(ONE_CLICK));
    assert!(
        letter.text.lines().any(|l| l == link),
        "a visible link: {}",
        letter.text
    );
    assert!(
        letter.html.contains(&format!("href=\"{link}\"")),
        "{}",
        letter.html
    );
    assert!(
        letter.text.contains("Здравствуйте, Айгерим!")
            && letter.text.contains("Новая касса уже в продаже.")
    );
    assert!(letter
        .html
        .contains("&lt;ForteKassa&gt; &amp; в приложении"));
    assert!(
        letter.text.contains("info@fortekassa.kz"),
        "the other way out (7.2)"
    );
    let stored: String = sqlx::query("SELECT token_hash FROM unsubscribe_tokens")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("token_hash");
    assert_ne!(stored, token, "tokens are stored hashed");
    let owner: i64 = sqlx::query("SELECT account_id FROM unsubscribe_tokens")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("account_id");
    assert_eq!(owner, subscribed);

    assert_eq!(
        newsletter::send(&t.state, Choice::SupportMaterials, "Поддержка", "Советы.")
            .await
            .unwrap(),
        1
    );
    let sms = newsletter::send(&t.state, Choice::NewsSms, "SMS", "Текст.")
        .await
        .unwrap_err();
    assert!(
        matches!(sms, fk_server::error::AppError::Client(..)),
        "SMS is not an e-mail list"
    );
    let empty = newsletter::send(&t.state, Choice::NewsEmail, " ", "Текст.")
        .await
        .unwrap_err();
    assert!(matches!(empty, fk_server::error::AppError::Client(..)));
}

#[tokio::test]
async fn service_mail_has_no_list_headers() {
    let t = setup().await;
    t.verified_account("aigerim@example.kz", "aigerim").await;
    let mails = raw_mails(&t).await;
    assert_eq!(mails.len(), 2, "confirmation and welcome");
    for mail in &mails {
        assert_eq!(mail.header("List-Unsubscribe"), None, "{}", mail.subject);
        assert_eq!(mail.header("List-Unsubscribe-Post"), None);
        assert!(
            mail.text.contains("отписаться от таких сообщений нельзя"),
            "still a service message"
        );
    }
}

#[tokio::test]
async fn one_click_unsubscribes_at_once_without_cookie_or_origin() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    let path = format!("/unsubscribe?token={token}");

    let reply = one_click(&t, &path, FORM, ONE_CLICK).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.headers.get("location").is_none(), "never a redirect");
    assert!(reply.header("content-type").starts_with("text/plain"));
    assert_eq!(reply.header("cache-control"), "no-store");
    assert!(reply.text().contains("отписались"), "{}", reply.text());
    assert_eq!(enabled(&t, id, "news_email").await, Some(false));
    let after = events(&t, id).await;
    assert_eq!(
        after.last().unwrap(),
        &("news_email".to_string(), false, "one_click".to_string())
    );

    let replay = one_click(&t, &path, FORM, ONE_CLICK).await;
    assert_eq!(replay.status, 200);
    assert_eq!(events(&t, id).await, after, "a replay changes nothing");

    let boundary = "----fk";
    let multipart = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n");
    let reply = one_click(
        &t,
        &path,
        &format!("multipart/form-data; boundary={boundary}"),
        &multipart,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "RFC 8058 also allows multipart/form-data: {}",
        reply.text()
    );
}

#[tokio::test]
async fn one_click_refuses_what_is_not_a_one_click_request_or_a_valid_token() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    let path = format!("/unsubscribe?token={token}");
    for (content_type, body) in [
        (FORM, ""),
        (FORM, "List-Unsubscribe=Yes"),
        ("application/json", "{\"List-Unsubscribe\":\"One-Click\"}"),
        ("text/plain", ONE_CLICK),
    ] {
        let reply = one_click(&t, &path, content_type, body).await;
        assert_eq!(reply.status, 400, "{content_type} {body}");
        assert_eq!(reply.error().1.as_deref(), Some("List-Unsubscribe"));
        assert_eq!(reply.header("cache-control"), "no-store");
    }
    assert_eq!(
        enabled(&t, id, "news_email").await,
        Some(true),
        "nothing changed"
    );

    let forged = format!("/unsubscribe?token={}", "A".repeat(43));
    for path in [
        forged.as_str(),
        "/unsubscribe?token=abc",
        "/unsubscribe",
        "/unsubscribe?token=%ZZ",
    ] {
        let reply = one_click(&t, path, FORM, ONE_CLICK).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.error(),
            ("link_invalid".into(), Some("token".into())),
            "{path}"
        );
        assert_eq!(reply.header("cache-control"), "no-store");
    }
    assert_eq!(enabled(&t, id, "news_email").await, Some(true));
}

#[tokio::test]
async fn one_click_never_subscribes() {
    let t = setup().await;
    let (cookie, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    t.put(
        "/api/account/choices/news_email",
        json!({ "enabled": false }),
        &cookie,
    )
    .await;
    let before = events(&t, id).await;
    let path = format!("/unsubscribe?token={token}&subscribed=true");
    let reply = one_click(
        &t,
        &path,
        FORM,
        "List-Unsubscribe=One-Click&subscribed=true",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(enabled(&t, id, "news_email").await, Some(false));
    assert_eq!(events(&t, id).await, before);
}

#[tokio::test]
async fn the_page_previews_unsubscribes_and_undoes() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;

    let preview = t
        .post("/api/unsubscribe/preview", json!({ "token": token }), None)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert_eq!(preview.header("cache-control"), "no-store");
    assert_eq!(
        preview.json(),
        json!({ "choice": "news_email", "email": "a•••@example.kz", "subscribed": true })
    );
    assert_eq!(events(&t, id).await.len(), 1, "a preview changes nothing");

    let off = t
        .post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": false }),
            None,
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text());
    assert_eq!(off.json()["subscribed"], false);
    let again = t
        .post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": false }),
            None,
        )
        .await;
    assert_eq!(again.json()["subscribed"], false);
    assert_eq!(events(&t, id).await.len(), 2, "idempotent");
    let undo = t
        .post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": true }),
            None,
        )
        .await;
    assert_eq!(undo.json()["subscribed"], true);
    let events = events(&t, id).await;
    assert_eq!(
        events[1..],
        [
            ("news_email".into(), false, "unsubscribe_page".into()),
            ("news_email".into(), true, "unsubscribe_page".into())
        ]
    );

    // The page's calls need this site's origin, like every state change of the API.
    let body = json!({ "token": token, "subscribed": false }).to_string();
    for headers in [
        vec![
            ("content-type", "application/json"),
            ("origin", "https://evil.test"),
        ],
        vec![("content-type", "application/json")],
    ] {
        let reply = send(
            &t.router,
            "POST",
            "/api/unsubscribe",
            &headers,
            body.clone(),
        )
        .await;
        assert_eq!(reply.status, 403, "{headers:?}");
    }
    assert_eq!(enabled(&t, id, "news_email").await, Some(true));

    for bad in ["abc".to_string(), "A".repeat(43)] {
        for (path, body) in [
            ("/api/unsubscribe/preview", json!({ "token": bad })),
            (
                "/api/unsubscribe",
                json!({ "token": bad, "subscribed": false }),
            ),
        ] {
            let reply = t.post(path, body, None).await;
            assert_eq!(reply.status, 404, "{path} {bad}");
            assert_eq!(reply.error(), ("link_invalid".into(), Some("token".into())));
        }
    }
    let missing = t
        .post("/api/unsubscribe", json!({ "token": token }), None)
        .await;
    assert_eq!(
        missing.error(),
        ("invalid_json".into(), Some("subscribed".into()))
    );
}

#[tokio::test]
async fn a_letter_subscribes_again_only_as_a_prompt_undo() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    assert_eq!(
        t.post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": false }),
            None
        )
        .await
        .status,
        200
    );
    t.state
        .clock
        .advance(fk_server::choices::unsubscribe::UNDO_WINDOW + 1);
    let late = t
        .post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": true }),
            None,
        )
        .await;
    assert_eq!(
        late.status,
        403,
        "an old or forwarded letter gives no consent: {}",
        late.text()
    );
    assert_eq!(
        late.error(),
        ("forbidden".into(), Some("subscribed".into()))
    );
    assert_eq!(enabled(&t, id, "news_email").await, Some(false));
    let still_off = t
        .post(
            "/api/unsubscribe",
            json!({ "token": token, "subscribed": false }),
            None,
        )
        .await;
    assert_eq!(still_off.status, 200, "leaving stays possible");
}

#[tokio::test]
async fn a_deleted_accounts_links_stop_working() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&t.state.db)
        .await
        .unwrap();
    assert_eq!(
        t.count("unsubscribe_tokens").await,
        0,
        "the tokens went with the account"
    );
    let preview = t
        .post("/api/unsubscribe/preview", json!({ "token": token }), None)
        .await;
    assert_eq!(
        (preview.status.as_u16(), preview.error().0),
        (404, "link_invalid".into())
    );
    let reply = one_click(&t, &format!("/unsubscribe?token={token}"), FORM, ONE_CLICK).await;
    assert_eq!(reply.status, 404);
    assert_eq!(t.count("choice_events").await, 0);
}

#[tokio::test]
async fn get_unsubscribe_is_the_page_not_the_action() {
    let t = setup().await;
    let (_, id) = subscriber(&t, "aigerim@example.kz", "aigerim").await;
    let token = newsletter_token(&t, "aigerim@example.kz").await;
    // A mail scanner opening the link changes nothing (no SPA is built here: 503).
    let reply = request(
        &t.router,
        "GET",
        &format!("/unsubscribe?token={token}"),
        &[],
    )
    .await;
    assert_ne!(reply.status, 200);
    assert_eq!(enabled(&t, id, "news_email").await, Some(true));
    let put = request(
        &t.router,
        "PUT",
        &format!("/unsubscribe?token={token}"),
        &[],
    )
    .await;
    assert_ne!(put.status, 200);
    assert_eq!(enabled(&t, id, "news_email").await, Some(true));
}

fn fk(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(args)
        .env("FK_DATABASE_URL", database_url(dir))
        .env("FK_OUTBOX_DIR", dir.join("cli-outbox"))
        .env("FK_PUBLIC_URL", "https://privacy.fortekassa.kz")
        .env_remove("FK_SMTP_URL")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_cli_sends_and_delivers_a_newsletter() {
    let t = setup().await;
    subscriber(&t, "aigerim@example.kz", "aigerim").await;
    raw_mails(&t).await; // the welcome letter, so that the CLI's outbox holds only the newsletter
    let file = t.dir.path().join("letter.txt");
    std::fs::write(&file, "Первый абзац.\n\nВторой абзац.\n").unwrap();
    let file = file.to_str().unwrap();

    let out = fk(
        t.dir.path(),
        &[
            "newsletter",
            "send",
            "--list",
            "news",
            "--subject",
            "Новости",
            "--body-file",
            file,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("sent 1 letters"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let emls: Vec<_> = std::fs::read_dir(t.dir.path().join("cli-outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(emls.len(), 1, "delivered before the command ends");
    let raw = std::fs::read_to_string(&emls[0]).unwrap();
    assert!(
        raw.contains("List-Unsubscribe: <https://privacy.fortekassa.kz/unsubscribe?token="),
        "{raw}"
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    let support = fk(
        t.dir.path(),
        &[
            "newsletter",
            "send",
            "--list",
            "support",
            "--subject",
            "S",
            "--body-file",
            file,
        ],
    );
    assert!(String::from_utf8_lossy(&support.stdout).contains("sent 0 letters"));
    for (args, message) in [
        (
            vec!["--list", "sms", "--subject", "S", "--body-file", file],
            "not an e-mail list",
        ),
        (
            vec!["--list", "analytics", "--subject", "S", "--body-file", file],
            "news and support",
        ),
        (
            vec![
                "--list",
                "news",
                "--subject",
                "S",
                "--body-file",
                "/nonexistent/letter.txt",
            ],
            "cannot read",
        ),
        (
            vec!["--list", "news", "--subject", " ", "--body-file", file],
            "subject",
        ),
    ] {
        let out = fk(t.dir.path(), &[&["newsletter", "send"][..], &args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        std::fs::read_dir(t.dir.path().join("cli-outbox"))
            .unwrap()
            .count(),
        1
    );
}
