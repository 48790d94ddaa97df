//! What an outside review did to take accounts over or learn who has one, each replayed
//! against a real database: a reset link outliving a change of address, links readable in the
//! mail queue, registration telling taken addresses through the login, pre-claiming an address
//! before its owner confirms it, look-alike logins, IPv6 networks as unlimited addresses.
mod common;

use common::account::*;
use common::*;
use serde_json::json;
use sqlx::Row;

/// The owner moves to a new address; a reset link someone got at the old one must not set the
/// account's password.
#[tokio::test]
async fn a_reset_link_dies_when_the_address_changes() {
    let t = setup().await;
    let owner = t.verified_account("old@example.kz", "aigerim").await;
    // Whoever still reads the old mailbox asks for a reset, and keeps the link.
    assert_eq!(
        t.post(
            "/api/account/recover",
            json!({ "email": "old@example.kz" }),
            None
        )
        .await
        .status,
        202
    );
    let stolen = token_in(
        &t.mails()
            .await
            .iter()
            .rev()
            .find(|m| m.text.contains("/account/reset#token="))
            .unwrap()
            .text,
    );
    // The owner moves to a new address and confirms it.
    assert_eq!(
        t.post(
            "/api/account/email",
            json!({ "email": "new@example.kz" }),
            Some(&owner)
        )
        .await
        .status,
        202
    );
    let confirm = t
        .mails()
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "new@example.kz")
        .unwrap();
    let done = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token_in(&confirm.text) })),
            None,
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());

    let check = t
        .post("/api/account/reset/check", json!({ "token": stolen }), None)
        .await;
    assert_eq!(
        check.status, 404,
        "the link still works after the address changed"
    );
    assert_eq!(check.error().0, "link_invalid");
    let taken = t
        .post(
            "/api/account/reset",
            json!({ "token": stolen, "password": "пароль захватчика 2026" }),
            None,
        )
        .await;
    assert_eq!(
        taken.status, 404,
        "the link set the password of the account at its new address"
    );
    assert_eq!(taken.error(), ("link_invalid".into(), Some("token".into())));
    assert_eq!(
        t.sign_in("new@example.kz", PASSWORD).await.status,
        200,
        "the owner's password stands"
    );
}

/// Even a link that was not revoked (issued by any path) works only for the address it was
/// sent to: the reset compares it with the account's address now.
#[tokio::test]
async fn a_reset_link_sent_to_a_former_address_is_refused() {
    let t = setup().await;
    t.verified_account("now@example.kz", "aigerim").await;
    let mut conn = t.state.db.acquire().await.unwrap();
    let id: i64 = sqlx::query("SELECT id FROM accounts")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get("id");
    let now = t.state.clock.now();
    let stale = fk_server::auth::tokens::issue(
        &mut conn,
        id,
        fk_server::auth::tokens::Purpose::Reset,
        "before@example.kz",
        now,
    )
    .await
    .unwrap();
    drop(conn);
    let check = t
        .post("/api/account/reset/check", json!({ "token": stale }), None)
        .await;
    assert_eq!(
        check.status, 404,
        "a link sent to a former address still works"
    );
    let reply = t
        .post(
            "/api/account/reset",
            json!({ "token": stale, "password": "пароль захватчика 2026" }),
            None,
        )
        .await;
    assert_eq!(
        reply.status, 404,
        "a link sent to a former address set the password"
    );
    assert_eq!(reply.error().0, "link_invalid");
}

/// Verification links of the old address die with the change too.
#[tokio::test]
async fn confirming_a_new_address_ends_every_open_link() {
    let t = setup().await;
    let owner = t.verified_account("old@example.kz", "aigerim").await;
    let mut conn = t.state.db.acquire().await.unwrap();
    let id: i64 = sqlx::query("SELECT id FROM accounts")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get("id");
    let now = t.state.clock.now();
    fk_server::auth::tokens::issue(
        &mut conn,
        id,
        fk_server::auth::tokens::Purpose::Verify,
        "old@example.kz",
        now,
    )
    .await
    .unwrap();
    // A newsletter's unsubscribe link, mailed to the old address.
    let unsubscribe = fk_server::choices::unsubscribe::issue(
        &mut conn,
        id,
        fk_api::account::choices::Choice::NewsEmail,
        now,
    )
    .await
    .unwrap();
    drop(conn);
    assert_eq!(
        t.post(
            "/api/unsubscribe/preview",
            json!({ "token": unsubscribe }),
            None
        )
        .await
        .status,
        200
    );
    t.post(
        "/api/account/recover",
        json!({ "email": "old@example.kz" }),
        None,
    )
    .await;
    t.post(
        "/api/account/email",
        json!({ "email": "new@example.kz" }),
        Some(&owner),
    )
    .await;
    let confirm = t
        .mails()
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "new@example.kz")
        .unwrap();
    t.call(
        "POST",
        "/api/account/email/confirm",
        Some(json!({ "token": token_in(&confirm.text) })),
        None,
    )
    .await;
    let open: i64 = sqlx::query("SELECT COUNT(*) AS n FROM email_tokens WHERE used_at IS NULL")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("n");
    assert_eq!(
        open, 0,
        "no link of any kind works after the address changed"
    );
    let old_letter = t
        .post(
            "/api/unsubscribe/preview",
            json!({ "token": unsubscribe }),
            None,
        )
        .await;
    assert_eq!(
        old_letter.status, 404,
        "an old letter's unsubscribe link shows nothing of the account at its new address"
    );
}

/// A copy of the database opens nothing: once a letter is delivered, no table and no byte of
/// the database's files holds the link it carried, though the link still works.
#[tokio::test]
async fn a_delivered_link_is_nowhere_in_the_database() {
    let t = setup().await;
    t.verified_account("a@example.kz", "aigerim").await;
    assert_eq!(
        t.post(
            "/api/account/recover",
            json!({ "email": "a@example.kz" }),
            None
        )
        .await
        .status,
        202
    );
    let token = token_in(&t.mails().await.pop().unwrap().text);
    assert_eq!(
        t.post("/api/account/reset/check", json!({ "token": token }), None)
            .await
            .status,
        204,
        "the link works"
    );
    let texts: Vec<String> = sqlx::query("SELECT message FROM mail_queue")
        .fetch_all(&t.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("message"))
        .collect();
    assert!(
        texts.iter().all(String::is_empty),
        "delivered letters keep no text"
    );
    let subjects: i64 = sqlx::query("SELECT COUNT(*) AS n FROM mail_queue WHERE subject <> ''")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("n");
    assert_eq!(
        subjects as usize,
        texts.len(),
        "what stays is who, what and when"
    );
    if !is_postgres(&t.state.db) {
        for name in ["test.db", "test.db-wal"] {
            let bytes = std::fs::read(t.dir.path().join(name)).unwrap_or_default();
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "the working link is readable in {name}"
            );
        }
    }
}

/// Registering a taken address and a free one must leave the same traces: the answer, the
/// login reserved, what the login then answers to registration and to sign-in.
#[tokio::test]
async fn registration_does_not_tell_a_taken_address_through_the_login() {
    let t = setup().await;
    t.verified_account("owner@example.kz", "owner").await;
    let (taken, taken_browser) = t
        .register(registration("owner@example.kz", "probe.one"))
        .await;
    let (free, free_browser) = t
        .register(registration("free@example.kz", "probe.two"))
        .await;
    assert_eq!(
        (taken.status, free.status),
        (free.status, axum::http::StatusCode::ACCEPTED)
    );
    let names = |r: &Reply| r.headers.keys().map(|k| k.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&taken), names(&free));

    // The same login again, with another address: the same answer either way.
    let again_taken = t
        .post(
            "/api/account/register",
            registration("other1@example.kz", "probe.one"),
            None,
        )
        .await;
    let again_free = t
        .post(
            "/api/account/register",
            registration("other2@example.kz", "probe.two"),
            None,
        )
        .await;
    assert_eq!(
        again_taken.status, again_free.status,
        "the login tells whether the first address had an account"
    );
    assert_eq!(
        again_taken.error(),
        ("login_taken".into(), Some("login".into()))
    );
    assert_eq!(again_taken.body, again_free.body);
    assert!(
        !taken_browser.is_empty() && !free_browser.is_empty(),
        "both browsers get the registration cookie"
    );
    // Signing in with what was registered: the same answer either way.
    let sign_taken = t.sign_in("probe.one", PASSWORD).await;
    let sign_free = t.sign_in("probe.two", PASSWORD).await;
    assert_eq!(
        (sign_taken.status, sign_taken.body.clone()),
        (sign_free.status, sign_free.body.clone())
    );
    assert_eq!(sign_free.error().0, "invalid_credentials");
    // Asking for the link again from each registering browser: the same answer either way.
    let resend = "/api/account/verify/resend";
    let r_taken = t
        .post_with_cookies(
            resend,
            json!({}),
            &format!("fk_registration={taken_browser}"),
        )
        .await;
    let r_free = t
        .post_with_cookies(
            resend,
            json!({}),
            &format!("fk_registration={free_browser}"),
        )
        .await;
    assert_eq!(
        (r_taken.status.as_u16(), r_free.status.as_u16()),
        (202, 202)
    );
    assert_eq!(names(&r_taken), names(&r_free));
    // Failures by login, then one by address: the throttle counts them alike either way (an
    // unconfirmed account is counted as no account).
    let mut by_address = Vec::new();
    for (login, email) in [
        ("probe.one", "owner@example.kz"),
        ("probe.two", "free@example.kz"),
    ] {
        for _ in 0..4 {
            assert_eq!(t.sign_in(login, "wrong password").await.status, 401);
        }
        by_address.push(t.sign_in(email, "wrong password").await.status.as_u16());
    }
    assert_eq!(
        by_address[0], by_address[1],
        "the throttle tells whether the address was free"
    );
    // A week later both logins are free again, at the same moment (before housekeeping has
    // erased the unconfirmed account).
    t.state.clock.advance(7 * 86_400);
    for (email, login) in [
        ("later1@example.kz", "probe.one"),
        ("later2@example.kz", "probe.two"),
    ] {
        assert_eq!(
            t.post("/api/account/register", registration(email, login), None)
                .await
                .status,
            202,
            "{login}"
        );
    }
}

/// The owner of an address erases their account: reservations others made with that address
/// forget it but keep their logins until they expire (ending them early would tell those
/// others that the address had an account).
#[tokio::test]
async fn erasing_an_account_leaves_others_reservations_to_expire() {
    let t = setup().await;
    let owner = t.verified_account("owner@example.kz", "owner").await;
    let (_, squatter) = t
        .register(registration("owner@example.kz", "squatter"))
        .await;
    assert_eq!(
        t.post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&owner)
        )
        .await
        .status,
        204
    );
    let again = t
        .post(
            "/api/account/register",
            registration("else@example.kz", "squatter"),
            None,
        )
        .await;
    assert_eq!(again.error().0, "login_taken", "still reserved");
    let held: Vec<String> = sqlx::query("SELECT email FROM registration_holds")
        .fetch_all(&t.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("email"))
        .collect();
    assert!(
        held.iter().all(|e| !e.contains("owner@")),
        "the erased address is forgotten: {held:?}"
    );
    let resend = t
        .post_with_cookies(
            "/api/account/verify/resend",
            json!({}),
            &format!("fk_registration={squatter}"),
        )
        .await;
    assert_eq!(resend.status, 202);
}

/// Someone registers the victim's address with their own password before the victim does.
#[tokio::test]
async fn an_address_registered_by_someone_else_gives_them_nothing() {
    let t = setup().await;
    let mut claim = registration("victim@example.kz", "squatter");
    claim["password"] = json!("пароль захватчика 2026");
    let (_, squatter_browser) = t.register(claim).await;
    // Before the owner confirms, the password signs nobody in: no session to keep afterwards.
    let early = t
        .sign_in("victim@example.kz", "пароль захватчика 2026")
        .await;
    assert_eq!(early.status, 401, "an unconfirmed account was signed into");
    assert_eq!(early.error().0, "invalid_credentials");
    assert!(early.header("set-cookie").is_empty());

    // The owner opens the link in their own browser: it asks for the password chosen at
    // registration, which the owner does not know, and the link keeps working.
    let link = token_in(&t.mails().await.pop().unwrap().text);
    let asked = t
        .post("/api/account/verify", json!({ "token": link }), None)
        .await;
    assert_eq!(asked.status, 401);
    assert_eq!(
        asked.error(),
        ("password_required".into(), Some("password".into()))
    );
    let guessed = t
        .post(
            "/api/account/verify",
            json!({ "token": link, "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(
        guessed.error(),
        ("invalid_credentials".into(), Some("password".into()))
    );
    let unverified: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE email_verified_at IS NULL")
            .fetch_one(&t.state.db)
            .await
            .unwrap()
            .get("n");
    assert_eq!(unverified, 1, "nothing was confirmed");
    // A stranger's browser cookie does not stand in for the registering browser either.
    let (_, other_browser) = t
        .register(registration("someone@example.kz", "someone"))
        .await;
    let borrowed = t.verify_here(&link, &other_browser).await;
    assert_eq!(borrowed.error().0, "password_required");
    assert!(!squatter_browser.is_empty());
}

/// A session that exists for an unconfirmed account (however it came to be) ends when the
/// address is confirmed: only the browser that confirmed is signed in.
#[tokio::test]
async fn confirming_the_address_ends_every_other_session() {
    let t = setup().await;
    let (_, browser) = t.register(registration("a@example.kz", "aigerim")).await;
    let link = token_in(&t.mails().await.pop().unwrap().text);
    let (planted, _) = {
        let mut conn = t.state.db.acquire().await.unwrap();
        let id: i64 = sqlx::query("SELECT id FROM accounts")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get("id");
        let client = fk_server::client::Client {
            ip: PEER.into(),
            address_key: PEER.into(),
            user_agent: UA.into(),
            agent: fk_server::client::agent::parse(UA),
        };
        fk_server::auth::session::create(&mut conn, id, true, &client, t.state.clock.now())
            .await
            .unwrap()
    };
    assert_eq!(t.session(&planted).await.status, 200);
    let confirmed = t.verify_here(&link, &browser).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(
        t.session(&planted).await.status,
        401,
        "the earlier session ended"
    );
    assert_eq!(t.session(&session_cookie(&confirmed)).await.status, 200);
}

/// The link opened elsewhere, by the person who registered: their password, then signed in.
#[tokio::test]
async fn the_link_works_in_another_browser_with_the_password() {
    let t = setup().await;
    t.register(registration("a@example.kz", "aigerim")).await;
    let link = token_in(&t.mails().await.pop().unwrap().text);
    let reply = t
        .post(
            "/api/account/verify",
            json!({ "token": link, "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["account"]["email_verified"], true);
}

/// Five failures with a look-alike spelling (the Kelvin sign `K` lowercases to `k`), then the
/// plain login: whether or not the login has an account, the answer is the same.
#[tokio::test]
async fn look_alike_logins_are_throttled_like_the_lookup_sees_them() {
    let t = setup().await;
    t.verified_account("k@example.kz", "kairat").await;
    let mut answers = Vec::new();
    for login in ["kairat", "kuanysh"] {
        let look_alike = login.replacen('k', "\u{212A}", 1).to_uppercase();
        for _ in 0..5 {
            assert_eq!(t.sign_in(&look_alike, "wrong password").await.status, 401);
        }
        answers.push(t.sign_in(login, "wrong password").await.status.as_u16());
    }
    assert_eq!(
        answers,
        [401, 401],
        "a real login and an unknown one answer alike"
    );
}

/// Per-address limits count an IPv6 /64 as one address: its 2^64 addresses are one subscriber.
#[tokio::test]
async fn an_ipv6_network_is_one_address_for_the_throttles() {
    let t = setup().await;
    let headers = [("content-type", "application/json"), ("origin", ORIGIN)];
    for i in 0..30u16 {
        let ip = format!("2001:db8:7:9:{i:x}::1").parse().unwrap();
        let body = json!({ "email": format!("probe{i}@example.kz") }).to_string();
        assert_eq!(
            send_from(
                &t.router,
                ip,
                "POST",
                "/api/account/recover",
                &headers,
                body
            )
            .await
            .status,
            202,
            "{i}"
        );
    }
    let body = json!({ "email": "probe-last@example.kz" }).to_string();
    let same_network = send_from(
        &t.router,
        "2001:db8:7:9:ffff::2".parse().unwrap(),
        "POST",
        "/api/account/recover",
        &headers,
        body.clone(),
    )
    .await;
    assert_eq!(
        same_network.status, 429,
        "the 31st request from the /64 in an hour"
    );
    let next_network = send_from(
        &t.router,
        "2001:db8:7:a::1".parse().unwrap(),
        "POST",
        "/api/account/recover",
        &headers,
        body,
    )
    .await;
    assert_eq!(next_network.status, 202, "another /64 is another address");
}
