//! Accounts against a real SQLite file and a real outbox folder: registration and its
//! rules, enumeration safety, verification, sign-in, throttling, sessions, re-authentication,
//! recovery, CSRF. Time moves by the state's clock, never by sleeping.
mod common;

use common::account::*;
use common::*;
use serde_json::{json, Value};
use sqlx::Row;

#[tokio::test]
async fn register_verify_sign_out_and_sign_in() {
    let t = setup().await;
    let (reply, browser) = t
        .register(registration("Aigerim@Example.kz", "aigerim.k"))
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "email": "Aigerim@Example.kz" }));
    let set = reply.header("set-cookie");
    assert!(
        set.starts_with("fk_registration=") && !set.contains("fk_session"),
        "registration alone signs nobody in: {set}"
    );
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Max-Age=604800"),
        "{set}"
    );
    let row = sqlx::query("SELECT password_hash, login_key, email_key FROM accounts")
        .fetch_one(&t.state.db)
        .await
        .unwrap();
    assert!(row
        .get::<String, _>("password_hash")
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_eq!(row.get::<String, _>("login_key"), "aigerim.k");
    let acceptance = sqlx::query("SELECT version, accepted_at FROM policy_acceptances")
        .fetch_one(&t.state.db)
        .await
        .unwrap();
    assert_eq!(acceptance.get::<i64, _>("version"), 1);

    let mails = t.mails().await;
    assert_eq!(mails.len(), 1);
    let verify = &mails[0];
    assert_eq!(verify.to, "Aigerim@Example.kz");
    assert!(
        verify.text.contains("http://fk.test/account/verify#token="),
        "{}",
        verify.text
    );
    assert!(verify.html.contains("http://fk.test/account/verify#token="));
    assert!(
        !verify.text.contains(PASSWORD) && !verify.html.contains(PASSWORD),
        "never the password"
    );
    let token = token_in(&verify.text);
    let stored: String = sqlx::query("SELECT token_hash FROM email_tokens")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("token_hash");
    assert_ne!(stored, token, "links are stored hashed");

    let verified = t.verify_here(&token, &browser).await;
    assert_eq!(verified.status, 200, "{}", verified.text());
    let cookie_header = verified.header("set-cookie").to_string();
    let cleared: Vec<&str> = verified
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("fk_registration=;") && c.contains("Max-Age=0")),
        "its work done: {cleared:?}"
    );
    assert!(
        cookie_header.contains("HttpOnly")
            && cookie_header.contains("SameSite=Lax")
            && cookie_header.contains("Path=/")
    );
    assert!(
        !cookie_header.contains("Max-Age"),
        "without 'remember me' the cookie ends with the browser"
    );
    let cookie = session_cookie(&verified);
    assert_eq!(verified.json()["account"]["email_verified"], true);
    let welcome = t.mails().await.pop().unwrap();
    assert!(
        welcome.text.contains("aigerim.k"),
        "the welcome letter states the login: {}",
        welcome.text
    );
    let again = t
        .post("/api/account/verify", json!({ "token": token }), None)
        .await;
    assert_eq!(
        again.error(),
        ("link_invalid".into(), Some("token".into())),
        "single use"
    );

    let me = t.session(&cookie).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["account"]["login"], "aigerim.k");
    assert_eq!(me.header("cache-control"), "no-store");
    let stored: String = sqlx::query("SELECT token_hash FROM sessions")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("token_hash");
    assert_ne!(stored, cookie, "sessions are stored hashed");

    let out = t
        .post("/api/account/sign-out", json!({}), Some(&cookie))
        .await;
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(t.session(&cookie).await.error().0, "unauthenticated");

    for identifier in ["aigerim@example.KZ", "AIGERIM.K"] {
        let reply = t.sign_in(identifier, PASSWORD).await;
        assert_eq!(reply.status, 200, "{identifier}: {}", reply.text());
        assert_ne!(
            session_cookie(&reply),
            cookie,
            "a new token on every sign-in"
        );
    }
    let remembered = t
        .post(
            "/api/account/sign-in",
            json!({ "login": "aigerim.k", "password": PASSWORD, "remember": true }),
            None,
        )
        .await;
    assert!(remembered.header("set-cookie").contains("Max-Age=2592000"));
    assert_eq!(
        t.mails().await.len(),
        2,
        "the same browser again sends no 'new sign-in' letter"
    );
}

#[tokio::test]
async fn a_taken_address_gets_the_same_answer_and_its_owner_a_letter() {
    let t = setup().await;
    let first = t
        .post(
            "/api/account/register",
            registration("owner@example.kz", "owner"),
            None,
        )
        .await;
    let taken = t
        .post(
            "/api/account/register",
            registration("OWNER@example.kz", "someone.else"),
            None,
        )
        .await;
    let fresh = t
        .post(
            "/api/account/register",
            registration("OWNER2@example.kz", "someone.new"),
            None,
        )
        .await;
    assert_eq!(
        (first.status, taken.status, fresh.status),
        (
            axum::http::StatusCode::ACCEPTED,
            axum::http::StatusCode::ACCEPTED,
            axum::http::StatusCode::ACCEPTED
        )
    );
    assert_eq!(taken.body, br#"{"email":"OWNER@example.kz"}"#.to_vec());
    assert_eq!(
        fresh.body,
        br#"{"email":"OWNER2@example.kz"}"#.to_vec(),
        "same shape for a free address"
    );
    assert_eq!(taken.headers.len(), fresh.headers.len());
    assert_eq!(t.count("accounts").await, 2);
    let mails = t.mails().await;
    let to_owner: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.to == "owner@example.kz")
        .collect();
    assert_eq!(to_owner.len(), 2, "verification, then the attempt notice");
    assert!(
        !to_owner[1].text.contains("token="),
        "the notice carries no verification link"
    );
    assert!(to_owner[1].text.contains("http://fk.test/account/recover"));
}

#[tokio::test]
async fn a_taken_login_is_reported_on_its_field() {
    let t = setup().await;
    t.post(
        "/api/account/register",
        registration("a@example.kz", "Aigerim"),
        None,
    )
    .await;
    let reply = t
        .post(
            "/api/account/register",
            registration("b@example.kz", "aigerim"),
            None,
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error(), ("login_taken".into(), Some("login".into())));
    assert_eq!(t.count("accounts").await, 1);
    assert_eq!(t.mails().await.len(), 1);
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_written() {
    let t = setup().await;
    let year = t.state.clock.year();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({ "first_name": "Айгерим Касымова" }),
            "first_name_two_words",
            "first_name",
        ),
        (
            json!({ "first_name": "" }),
            "first_name_required",
            "first_name",
        ),
        (
            json!({ "first_name": "R2-D2" }),
            "first_name_invalid",
            "first_name",
        ),
        (
            json!({ "email": "not-an-address" }),
            "email_invalid",
            "email",
        ),
        (
            json!({ "birth_year": 1899 }),
            "birth_year_invalid",
            "birth_year",
        ),
        (
            json!({ "birth_year": year + 1 }),
            "birth_year_invalid",
            "birth_year",
        ),
        (
            json!({ "birth_year": null }),
            "birth_year_required",
            "birth_year",
        ),
        (json!({ "login": "ab" }), "login_length", "login"),
        (json!({ "login": "айгерим" }), "login_invalid", "login"),
        (
            json!({ "password": "short" }),
            "password_too_short",
            "password",
        ),
        (
            json!({ "password": "x".repeat(129) }),
            "password_too_long",
            "password",
        ),
        (
            json!({ "password": "qwerty123456" }),
            "password_too_common",
            "password",
        ),
        (
            json!({ "password": "aigerim.kassymova", "login": "aigerim.kassymova" }),
            "password_is_login",
            "password",
        ),
        (
            json!({ "accept_policy": false }),
            "policy_not_accepted",
            "accept_policy",
        ),
        (
            json!({ "birth_year": year - 15 }),
            "guardian_consent_required",
            "guardian_consent",
        ),
        (json!({ "gender": "other" }), "invalid_json", "gender"),
        (json!({ "role": "admin" }), "invalid_json", "role"),
        (
            json!({ "birth_year": "1990" }),
            "invalid_json",
            "birth_year",
        ),
    ];
    for (patch, code, field) in cases {
        let mut body = registration("x@example.kz", "xlogin");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = t.post("/api/account/register", body, None).await;
        // The shape (types, fields) is the document's: 400; a rule it cannot state: 422.
        let status = if code == "invalid_json" { 400 } else { 422 };
        assert_eq!(reply.status, status, "{patch}: {}", reply.text());
        let (got_code, got_field) = reply.error();
        assert_eq!(got_code, code, "{patch}");
        if !field.is_empty() {
            assert_eq!(got_field.as_deref(), Some(field), "{patch}");
        }
    }
    let outdated = t
        .post(
            "/api/account/register",
            json!({ "policy_version": 7 })
                .as_object()
                .map(|p| {
                    let mut b = registration("x@example.kz", "xlogin");
                    b["policy_version"] = p["policy_version"].clone();
                    b
                })
                .unwrap(),
            None,
        )
        .await;
    assert_eq!(outdated.status, 409);
    assert_eq!(outdated.error().0, "policy_outdated");
    let text = send(
        &t.router,
        "POST",
        "/api/account/register",
        &[("origin", ORIGIN)],
        "first_name=x",
    )
    .await;
    assert_eq!(text.status, 415);
    let huge = send(
        &t.router,
        "POST",
        "/api/account/register",
        &[("origin", ORIGIN), ("content-type", "application/json")],
        vec![b' '; 70_000],
    )
    .await;
    assert_eq!(huge.status, 413);
    assert_eq!(huge.error().0, "payload_too_large");
    assert_eq!(t.count("accounts").await, 0);
    assert_eq!(
        t.count("mail_queue").await,
        0,
        "a failed registration sends nothing"
    );

    let mut minor = registration("teen@example.kz", "teen");
    minor["birth_year"] = json!(year - 15);
    minor["guardian_consent"] = json!(true);
    assert_eq!(
        t.post("/api/account/register", minor, None).await.status,
        202
    );
}

#[tokio::test]
async fn wrong_passwords_are_throttled_with_a_growing_wait_that_releases() {
    let t = setup().await;
    t.verified_account("a@example.kz", "aigerim").await;
    for attempt in 1..=5 {
        let reply = t.sign_in("aigerim", "wrong password here").await;
        assert_eq!(reply.status, 401, "attempt {attempt}");
        assert_eq!(reply.error(), ("invalid_credentials".into(), None));
    }
    let blocked = t.sign_in("aigerim", PASSWORD).await;
    assert_eq!(blocked.status, 429, "even the right password waits");
    assert_eq!(blocked.header("retry-after"), "30");
    assert_eq!(blocked.json()["retry_after"], 30);
    t.state.clock.advance(31);
    assert_eq!(t.sign_in("aigerim", "wrong again").await.status, 401);
    assert_eq!(
        t.sign_in("aigerim", PASSWORD).await.header("retry-after"),
        "60",
        "the wait doubles"
    );
    t.state.clock.advance(61);
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 200, "released");
    assert_eq!(
        t.sign_in("aigerim", "wrong").await.status,
        401,
        "success starts the count again"
    );

    // An unknown login is throttled exactly like a real one: no way to tell them apart.
    for _ in 1..=5 {
        assert_eq!(
            t.sign_in("nobody-here", "whatever password").await.status,
            401
        );
    }
    assert_eq!(
        t.sign_in("nobody-here", "whatever password").await.status,
        429
    );
    let failures: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM security_events WHERE kind = 'sign_in_failed'")
            .fetch_one(&t.state.db)
            .await
            .unwrap()
            .get("n");
    assert_eq!(
        failures, 7,
        "failed sign-ins go to the owner's security log"
    );
}

#[tokio::test]
async fn recovery_resets_the_password_and_ends_every_session() {
    let t = setup().await;
    let old_session = t.verified_account("a@example.kz", "aigerim").await;
    let before = t.mails().await.len();
    let unknown = t
        .post(
            "/api/account/recover",
            json!({ "email": "nobody@example.kz" }),
            None,
        )
        .await;
    let known = t
        .post(
            "/api/account/recover",
            json!({ "email": "A@example.kz" }),
            None,
        )
        .await;
    assert_eq!((unknown.status.as_u16(), known.status.as_u16()), (202, 202));
    assert_eq!(unknown.json()["email"], "nobody@example.kz");
    let mails = t.mails().await;
    assert_eq!(
        mails.len(),
        before + 2,
        "a letter either way: the same work whether or not the address has an account"
    );
    let nobody = mails.iter().find(|m| m.to == "nobody@example.kz").unwrap();
    assert!(
        !nobody.text.contains("token=") && nobody.text.contains("http://fk.test/account/register"),
        "{}",
        nobody.text
    );
    assert_eq!(
        nobody.subject,
        mails.last().unwrap().subject,
        "the same subject too"
    );
    let token = token_in(&mails.last().unwrap().text);
    assert!(mails
        .last()
        .unwrap()
        .text
        .contains("http://fk.test/account/reset#token="));

    assert_eq!(
        t.post("/api/account/reset/check", json!({ "token": token }), None)
            .await
            .status,
        204
    );
    let weak = t
        .post(
            "/api/account/reset",
            json!({ "token": token, "password": "qwertyuiop123" }),
            None,
        )
        .await;
    assert_eq!(
        weak.error(),
        ("password_too_common".into(), Some("password".into()))
    );
    let same_as_login = t
        .post(
            "/api/account/reset",
            json!({ "token": token, "password": "aigerim" }),
            None,
        )
        .await;
    assert_eq!(same_as_login.error().0, "password_too_short");
    let new_password = "совсем другой пароль 2026";
    let reset = t
        .post(
            "/api/account/reset",
            json!({ "token": token, "password": new_password }),
            None,
        )
        .await;
    assert_eq!(
        reset.status,
        200,
        "a refused password did not use the link up: {}",
        reset.text()
    );
    let new_session = session_cookie(&reset);
    assert_eq!(
        t.session(&old_session).await.status,
        401,
        "the old session is gone"
    );
    assert_eq!(t.session(&new_session).await.status, 200);
    assert_eq!(
        t.post(
            "/api/account/reset",
            json!({ "token": token, "password": "ещё один новый пароль" }),
            None
        )
        .await
        .error()
        .0,
        "link_invalid"
    );
    assert_eq!(
        t.post("/api/account/reset/check", json!({ "token": token }), None)
            .await
            .error()
            .0,
        "link_invalid"
    );
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 401);
    assert_eq!(t.sign_in("aigerim", new_password).await.status, 200);
    let changed = t.mails().await.pop().unwrap();
    assert!(!changed.text.contains(new_password));
    assert!(
        changed.subject.to_lowercase().contains("пароль"),
        "{}",
        changed.subject
    );

    t.post(
        "/api/account/recover",
        json!({ "email": "a@example.kz" }),
        None,
    )
    .await;
    let late = token_in(&t.mails().await.pop().unwrap().text);
    t.state.clock.advance(31 * 60);
    let expired = t
        .post(
            "/api/account/reset",
            json!({ "token": late, "password": "и снова новый пароль" }),
            None,
        )
        .await;
    assert_eq!(
        expired.error(),
        ("link_invalid".into(), Some("token".into())),
        "reset links last 30 minutes"
    );
}

#[tokio::test]
async fn recovery_mail_is_throttled_per_address_whether_or_not_it_exists() {
    let t = setup().await;
    for email in ["a@example.kz", "ghost@example.kz"] {
        for _ in 0..3 {
            assert_eq!(
                t.post("/api/account/recover", json!({ "email": email }), None)
                    .await
                    .status,
                202
            );
        }
        let blocked = t
            .post("/api/account/recover", json!({ "email": email }), None)
            .await;
        assert_eq!(blocked.status, 429, "{email}");
        assert!(blocked.json()["retry_after"].as_u64().unwrap() > 0);
    }
    let bad = t
        .post("/api/account/recover", json!({ "email": "nope" }), None)
        .await;
    assert_eq!(bad.error(), ("email_invalid".into(), Some("email".into())));
}

#[tokio::test]
async fn verification_links_expire_after_a_day_and_the_registering_browser_can_ask_again() {
    let t = setup().await;
    let (_, browser) = t.register(registration("a@example.kz", "aigerim")).await;
    let token = token_in(&t.mails().await[0].text);
    t.state.clock.advance(24 * 3600 + 1);
    assert_eq!(
        t.verify_here(&token, &browser).await.error().0,
        "link_invalid"
    );
    assert_eq!(
        t.verify_here("short", &browser).await.error().0,
        "link_invalid"
    );
    // Unconfirmed, the account cannot be signed into: the same answer as a wrong password.
    let refused = t.sign_in("aigerim", PASSWORD).await;
    assert_eq!(refused.error(), ("invalid_credentials".into(), None));
    assert!(refused.header("set-cookie").is_empty());
    // The browser that registered asks again, once a minute.
    let here = format!("fk_registration={browser}");
    let again = t
        .post_with_cookies("/api/account/verify/resend", json!({}), &here)
        .await;
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(again.json(), json!({ "email": "a@example.kz" }));
    assert_eq!(
        t.post_with_cookies("/api/account/verify/resend", json!({}), &here)
            .await
            .status,
        429,
        "once a minute"
    );
    let fresh = token_in(&t.mails().await.pop().unwrap().text);
    assert_eq!(t.verify_here(&fresh, &browser).await.status, 200);
    assert_eq!(
        t.sign_in("aigerim", PASSWORD).await.status,
        200,
        "confirmed, the password signs in"
    );
    // Any other browser, or this one once confirmed, has nothing to ask for.
    assert_eq!(
        t.post("/api/account/verify/resend", json!({}), None)
            .await
            .status,
        401
    );
    t.state.clock.advance(61);
    assert_eq!(
        t.post_with_cookies("/api/account/verify/resend", json!({}), &here)
            .await
            .status,
        401
    );
}

/// "Wrong address?": the browser that registered registers again with the address corrected.
/// The browser that registered, registering again (another address typed), replaces nothing:
/// erasing its first registration would clear that address's limits only when the address was
/// free, which would tell whether it was. The login stays taken until the first is confirmed
/// or erased.
#[tokio::test]
async fn registering_again_from_the_same_browser_replaces_nothing() {
    let t = setup().await;
    let (_, browser) = t.register(registration("tpyo@example.kz", "aigerim")).await;
    let here = format!("fk_registration={browser}");
    let again = t
        .post_with_cookies(
            "/api/account/register",
            registration("right@example.kz", "aigerim"),
            &here,
        )
        .await;
    assert_eq!(again.error().0, "login_taken");
    let other = t
        .post_with_cookies(
            "/api/account/register",
            registration("right@example.kz", "aigerim2"),
            &here,
        )
        .await;
    assert_eq!(other.status, 202, "{}", other.text());
    assert_eq!(t.count("accounts").await, 2, "the first registration stays");
}

#[tokio::test]
async fn sensitive_operations_need_a_recent_password() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let other = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    t.state.clock.advance(11 * 60);
    let refused = t
        .post("/api/account/sign-out-everywhere", json!({}), Some(&cookie))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error().0, "reauth_required");
    let wrong = t
        .post(
            "/api/account/reauth",
            json!({ "password": "not my password" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        wrong.error(),
        ("invalid_credentials".into(), Some("password".into()))
    );
    let ok = t
        .post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, 200);
    let renewed = session_cookie(&ok);
    assert_ne!(renewed, cookie, "re-authentication issues a new token");
    assert_eq!(t.session(&cookie).await.status, 401);
    assert_eq!(
        t.post(
            "/api/account/sign-out-everywhere",
            json!({}),
            Some(&renewed)
        )
        .await
        .status,
        204
    );
    assert_eq!(t.session(&renewed).await.status, 401);
    assert_eq!(t.session(&other).await.status, 401, "every session ended");
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_ninety_days() {
    let t = setup().await;
    let browser = t.verified_account("a@example.kz", "aigerim").await;
    let remembered = session_cookie(
        &t.post(
            "/api/account/sign-in",
            json!({ "login": "aigerim", "password": PASSWORD, "remember": true }),
            None,
        )
        .await,
    );
    t.state.clock.advance(11 * 3600);
    assert_eq!(
        t.session(&browser).await.status,
        200,
        "used within 12 hours"
    );
    t.state.clock.advance(12 * 3600 + 1);
    assert_eq!(
        t.session(&browser).await.status,
        401,
        "idle for more than 12 hours"
    );
    let touched = t.session(&remembered).await;
    assert_eq!(touched.status, 200);
    assert!(
        touched.header("set-cookie").contains("Max-Age=2592000"),
        "a remembered cookie slides forward"
    );
    for _ in 0..3 {
        t.state.clock.advance(29 * 86_400);
        assert_eq!(t.session(&remembered).await.status, 200);
    }
    t.state.clock.advance(5 * 86_400);
    assert_eq!(
        t.session(&remembered).await.status,
        401,
        "no session outlives 90 days"
    );
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let t = setup().await;
    let body = json!({ "login": "a", "password": "b" }).to_string();
    for headers in [
        vec![("content-type", "application/json")],
        vec![
            ("content-type", "application/json"),
            ("origin", "http://evil.test"),
        ],
        vec![
            ("content-type", "application/json"),
            ("origin", ORIGIN),
            ("sec-fetch-site", "cross-site"),
        ],
    ] {
        let reply = send(
            &t.router,
            "POST",
            "/api/account/sign-in",
            &headers,
            body.clone(),
        )
        .await;
        assert_eq!(reply.status, 403, "{headers:?}");
        assert_eq!(reply.error().0, "forbidden");
    }
    let same = send(
        &t.router,
        "POST",
        "/api/account/sign-in",
        &[
            ("content-type", "application/json"),
            ("sec-fetch-site", "same-origin"),
        ],
        body,
    )
    .await;
    assert_eq!(
        same.status, 401,
        "a same-origin request gets through to the password check"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let t = setup_at("https://privacy.fortekassa.kz").await;
    let registered = t
        .post(
            "/api/account/register",
            registration("a@example.kz", "aigerim"),
            None,
        )
        .await;
    let browser = registered.header("set-cookie");
    assert!(
        browser.starts_with("__Host-fk_registration=")
            && browser.contains("; Secure")
            && browser.contains("Path=/"),
        "{browser}"
    );
    let browser = browser.split(';').next().unwrap().to_string();
    let body = json!({ "token": token_in(&t.mails().await[0].text) }).to_string();
    let headers = [
        ("content-type", "application/json"),
        ("origin", "https://privacy.fortekassa.kz"),
        ("cookie", browser.as_str()),
    ];
    let reply = send(&t.router, "POST", "/api/account/verify", &headers, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let cookie = reply.header("set-cookie");
    assert!(
        cookie.starts_with("__Host-fk_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
}

#[tokio::test]
async fn mail_is_multipart_in_the_users_language() {
    let t = setup().await;
    let mut kk = registration("kk@example.kz", "kazakh");
    kk["lang"] = json!("kk");
    let mut en = registration("en@example.kz", "english");
    en["lang"] = json!("en");
    t.post("/api/account/register", kk, None).await;
    t.post("/api/account/register", en, None).await;
    let mails = t.mails().await;
    assert_eq!(mails.len(), 2);
    assert_ne!(mails[0].subject, mails[1].subject);
    assert!(mails[0].html.contains("lang=\"kk\"") && mails[1].html.contains("lang=\"en\""));
    let raw = std::fs::read_dir(t.dir.path().join("outbox"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let raw = std::fs::read_to_string(raw).unwrap();
    assert!(
        raw.contains("multipart/alternative")
            && raw.contains("text/plain")
            && raw.contains("text/html")
    );
}

#[tokio::test]
async fn the_common_password_list_is_served_for_the_forms() {
    let t = setup().await;
    let reply = get(&t.router, "/api/account/common-passwords").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text().lines().count(), 10_000);
    assert!(reply.header("cache-control").contains("max-age"));
}

#[tokio::test]
async fn a_signed_in_cookie_choice_is_linked_to_the_account() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let revision = get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let choice = json!({
        "consent_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "categories": ["necessary"],
        "config_revision": revision, "policy_version": 1, "gpc": false
    });
    assert_eq!(
        t.post("/api/consent", choice.clone(), Some(&cookie))
            .await
            .status,
        201
    );
    assert_eq!(t.post("/api/consent", choice, None).await.status, 201);
    let linked: Vec<Option<i64>> =
        sqlx::query("SELECT account_id FROM consent_receipts ORDER BY id")
            .fetch_all(&t.state.db)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("account_id"))
            .collect();
    let id: i64 = sqlx::query("SELECT id FROM accounts")
        .fetch_one(&t.state.db)
        .await
        .unwrap()
        .get("id");
    assert_eq!(
        linked,
        vec![Some(id), None],
        "only the signed-in choice names the account"
    );
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_and_device_is_reported_by_mail() {
    let t = setup().await;
    t.verified_account("a@example.kz", "aigerim").await;
    let before = t.mails().await.len();
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    let body = json!({ "login": "aigerim", "password": PASSWORD }).to_string();
    let headers = [
        ("content-type", "application/json"),
        ("origin", ORIGIN),
        ("user-agent", iphone),
    ];
    assert_eq!(
        send(
            &t.router,
            "POST",
            "/api/account/sign-in",
            &headers,
            body.clone()
        )
        .await
        .status,
        200
    );
    let mails = t.mails().await;
    assert_eq!(mails.len(), before + 1);
    let notice = mails.last().unwrap();
    assert!(
        notice.text.contains("Safari 17") && notice.text.contains("iOS"),
        "{}",
        notice.text
    );
    assert!(
        notice.text.contains("203.0.113.0"),
        "the address is shown truncated: {}",
        notice.text
    );
    assert!(!notice.text.contains("203.0.113.77"));
    assert_eq!(
        send(&t.router, "POST", "/api/account/sign-in", &headers, body)
            .await
            .status,
        200
    );
    assert_eq!(
        t.mails().await.len(),
        before + 1,
        "the same phone again is not news"
    );
}

/// Every sign-in writes (session, security log) after reading (new device?): on SQLite a
/// deferred transaction doing that fails when another commits in between. A flood must not.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_sign_ins_all_succeed() {
    let t = setup().await;
    t.verified_account("a@example.kz", "aigerim").await;
    let body = json!({ "login": "aigerim", "password": PASSWORD }).to_string();
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let (router, body) = (t.router.clone(), body.clone());
            tokio::spawn(async move {
                let headers = [
                    ("content-type", "application/json"),
                    ("origin", ORIGIN),
                    ("user-agent", UA),
                ];
                send(&router, "POST", "/api/account/sign-in", &headers, body)
                    .await
                    .status
                    .as_u16()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(t.count("sessions").await, 25);
}
