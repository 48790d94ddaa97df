//! Two-step sign-in with an authenticator app, and recovery codes, through the API: turning it
//! on, the second step of a sign-in and of a password reset, codes used once, throttling,
//! turning it off, and what is stored. Time moves by the state's clock.
mod common;

use common::account::*;
use common::*;
use serde_json::{json, Value};
use sqlx::Row;
use totp_rs::{Algorithm, Secret, TOTP};

/// The code an authenticator app shows at `now` for the secret the setup gave.
fn code_at(secret: &str, now: i64) -> String {
    let bytes = Secret::Encoded(secret.replace(' ', "")).to_bytes().unwrap();
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).generate(now as u64)
}

fn cookie_named(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// A verified account with two-step sign-in on: its session, the app's secret, the recovery
/// codes, and when the code that turned it on was read from the app.
async fn with_two_step(t: &T) -> (String, String, Vec<String>, i64) {
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let setup = t
        .post("/api/account/two-step/setup", json!({}), Some(&cookie))
        .await;
    assert_eq!(setup.status, 200, "{}", setup.text());
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    let read_at = t.state.clock.now();
    let code = code_at(&secret, read_at);
    let on = t
        .post(
            "/api/account/two-step/enable",
            json!({ "code": code }),
            Some(&cookie),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    let codes = on.json()["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (cookie, secret, codes, read_at)
}

/// Password sign-in that stops at the second step: its cookie.
async fn first_step(t: &T) -> String {
    let reply = t.sign_in("aigerim", PASSWORD).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "next": "second_step" }));
    assert!(
        cookie_named(&reply, "fk_session").is_none(),
        "no session before the second step"
    );
    cookie_named(&reply, "fk_second_step").expect("the browser holds the waiting step")
}

async fn second_step(t: &T, step: &str, body: Value) -> Reply {
    t.post_with_cookies(
        "/api/account/sign-in/second-step",
        body,
        &format!("fk_second_step={step}"),
    )
    .await
}

#[tokio::test]
async fn turning_it_on_takes_a_code_from_the_app_and_gives_ten_recovery_codes() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let off = t.get("/api/account/security", &cookie).await;
    assert_eq!(
        off.json(),
        json!({ "two_step_since": null, "recovery_codes_left": 0, "passkeys": [], "passkey_origin": "http://fk.test" })
    );
    // Nothing to confirm before a setup.
    let early = t
        .post(
            "/api/account/two-step/enable",
            json!({ "code": "123456" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(early.error().0, "two_step_off");

    let setup = t
        .post("/api/account/two-step/setup", json!({}), Some(&cookie))
        .await;
    let body = setup.json();
    let secret = body["secret"].as_str().unwrap();
    assert_eq!(
        secret.replace(' ', "").len(),
        32,
        "160 bits in base32: {secret}"
    );
    let uri = body["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/ForteKassa:aigerim?") && uri.contains("issuer=ForteKassa"),
        "{uri}"
    );
    assert!(body["qr"]["size"].as_u64().unwrap() >= 21);
    assert!(body["qr"]["path"].as_str().unwrap().starts_with('M'));

    for (code, error) in [
        ("", ("code_required", 422)),
        ("12a456", ("code_invalid", 422)),
        ("1234567", ("code_invalid", 422)),
        ("000000", ("code_wrong", 401)),
    ] {
        let reply = t
            .post(
                "/api/account/two-step/enable",
                json!({ "code": code }),
                Some(&cookie),
            )
            .await;
        assert_eq!(
            (reply.error(), reply.status.as_u16()),
            ((error.0.into(), Some("code".into())), error.1),
            "{code:?}"
        );
    }
    assert_eq!(
        t.count("recovery_codes").await,
        0,
        "a refused code changed nothing"
    );

    let code = code_at(secret, t.state.clock.now());
    let on = t
        .post(
            "/api/account/two-step/enable",
            json!({ "code": code }),
            Some(&cookie),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    let codes = on.json()["codes"].as_array().unwrap().clone();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.as_str().unwrap().len() == 11));
    let view = t.get("/api/account/security", &cookie).await.json();
    assert!(view["two_step_since"].is_string());
    assert_eq!(view["recovery_codes_left"], 10);
    let again = t
        .post("/api/account/two-step/setup", json!({}), Some(&cookie))
        .await;
    assert_eq!(
        (again.status.as_u16(), again.error().0),
        (409, "two_step_on".into())
    );

    let letter = t.mails().await.pop().unwrap();
    assert_eq!(letter.subject, "Двухэтапный вход включён");
    let history = t.get("/api/account/devices", &cookie).await.text();
    assert!(history.contains("two_step_on"), "{history}");

    // What is stored: the secret sealed, the codes hashed.
    let row = sqlx::query("SELECT secret FROM two_step")
        .fetch_one(&t.state.db)
        .await
        .unwrap();
    let sealed: String = row.get("secret");
    assert!(!sealed.contains(&secret.replace(' ', "")[..8]));
    let stored: Vec<String> = sqlx::query("SELECT code_hash FROM recovery_codes")
        .fetch_all(&t.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("code_hash"))
        .collect();
    for code in &codes {
        let plain = code.as_str().unwrap().replace('-', "");
        assert!(stored.iter().all(|h| !h.contains(&plain)));
    }
}

#[tokio::test]
async fn a_sign_in_opens_a_session_only_after_a_code_that_was_not_used_before() {
    let t = setup().await;
    let (_, secret, _, turned_on_at) = with_two_step(&t).await;
    let step = first_step(&t).await;
    // The code that turned it on was used: sent again (within its 30 s, or the next ones as
    // drift allows), it is refused.
    let replay = code_at(&secret, turned_on_at);
    let refused = second_step(&t, &step, json!({ "code": replay })).await;
    assert_eq!(
        (refused.status.as_u16(), refused.error()),
        (401, ("code_wrong".into(), Some("code".into())))
    );
    assert!(cookie_named(&refused, "fk_session").is_none());

    // Without the browser's waiting step, a right code opens nothing.
    t.state.clock.advance(30);
    let code = code_at(&secret, t.state.clock.now());
    let elsewhere = t
        .post(
            "/api/account/sign-in/second-step",
            json!({ "code": code }),
            None,
        )
        .await;
    assert_eq!(
        (elsewhere.status.as_u16(), elsewhere.error().0),
        (401, "second_step_expired".into())
    );

    let signed_in = second_step(&t, &step, json!({ "code": code })).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text());
    assert_eq!(signed_in.json()["account"]["login"], "aigerim");
    let session = session_cookie(&signed_in);
    assert_eq!(t.session(&session).await.status, 200);
    let cleared = cookie_named(&signed_in, "fk_second_step");
    assert_eq!(
        cleared.as_deref(),
        Some(""),
        "the waiting step's cookie is cleared"
    );
    // The step is used up.
    t.state.clock.advance(30);
    let again = second_step(
        &t,
        &step,
        json!({ "code": code_at(&secret, t.state.clock.now()) }),
    )
    .await;
    assert_eq!(again.error().0, "second_step_expired");
}

#[tokio::test]
async fn the_second_step_waits_five_minutes_and_checks_the_form_of_what_is_sent() {
    let t = setup().await;
    let (_, secret, _, _) = with_two_step(&t).await;
    let step = first_step(&t).await;
    for (body, expected) in [
        (json!({}), ("code_required", "code")),
        (json!({ "code": "12345" }), ("code_invalid", "code")),
        (
            json!({ "recovery_code": "abc" }),
            ("recovery_code_invalid", "recovery_code"),
        ),
        (
            json!({ "code": "123456", "recovery_code": "abcde-fghjk" }),
            ("code_invalid", "recovery_code"),
        ),
    ] {
        let reply = second_step(&t, &step, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(
            reply.error(),
            (expected.0.into(), Some(expected.1.into())),
            "{body}"
        );
    }
    t.state.clock.advance(5 * 60 + 1);
    let late = second_step(
        &t,
        &step,
        json!({ "code": code_at(&secret, t.state.clock.now()) }),
    )
    .await;
    assert_eq!(late.error().0, "second_step_expired");
}

#[tokio::test]
async fn a_recovery_code_works_once_in_place_of_a_code() {
    let t = setup().await;
    let (_, _, codes, _) = with_two_step(&t).await;
    let step = first_step(&t).await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let signed_in = second_step(&t, &step, json!({ "recovery_code": typed })).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text());
    let session = session_cookie(&signed_in);
    assert_eq!(
        t.get("/api/account/security", &session).await.json()["recovery_codes_left"],
        9
    );
    let letter = t
        .mails()
        .await
        .into_iter()
        .find(|m| m.subject == "Вход с резервным кодом")
        .expect("the owner is told");
    assert!(letter.text.contains('9'), "{}", letter.text);

    let step = first_step(&t).await;
    let used = second_step(&t, &step, json!({ "recovery_code": codes[3] })).await;
    assert_eq!(
        (used.status.as_u16(), used.error()),
        (
            401,
            ("recovery_code_wrong".into(), Some("recovery_code".into()))
        )
    );
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_account_and_logged() {
    let t = setup().await;
    let (cookie, secret, _, _) = with_two_step(&t).await;
    let step = first_step(&t).await;
    t.state.clock.advance(30);
    let right = code_at(&secret, t.state.clock.now());
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        let reply = second_step(&t, &step, json!({ "code": wrong })).await;
        assert_eq!(reply.error().0, "code_wrong");
    }
    // The owner is told once, at the first wrong code, that someone knew the password.
    let letters = t.mails().await;
    let told: Vec<_> = letters
        .iter()
        .filter(|m| m.subject == "Ваш пароль введён, но код — нет")
        .collect();
    assert_eq!(
        told.len(),
        1,
        "{:?}",
        letters.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    // A waiting step takes five wrong codes; then the password must be given again.
    let fifth = second_step(&t, &step, json!({ "code": wrong })).await;
    assert_eq!(fifth.error().0, "code_wrong");
    let gone = second_step(&t, &step, json!({ "code": right })).await;
    assert_eq!(gone.error().0, "second_step_expired");
    let step = first_step(&t).await;
    // The account's count goes on across waiting steps: even the right code waits now.
    let throttled = second_step(&t, &step, json!({ "code": right })).await;
    assert_eq!(
        throttled.status,
        429,
        "even the right code waits: {}",
        throttled.text()
    );
    assert!(throttled.json()["retry_after"].as_u64().unwrap() > 0);
    let history = t.get("/api/account/devices", &cookie).await.text();
    assert!(history.contains("second_step_failed"), "{history}");
}

#[tokio::test]
async fn a_password_reset_does_not_skip_the_second_step() {
    let t = setup().await;
    let (old_session, secret, _, _) = with_two_step(&t).await;
    t.post(
        "/api/account/recover",
        json!({ "email": "a@example.kz" }),
        None,
    )
    .await;
    let token = token_in(&t.mails().await.pop().unwrap().text);
    let reset = t
        .post(
            "/api/account/reset",
            json!({ "token": token, "password": "совсем другой пароль 2026" }),
            None,
        )
        .await;
    assert_eq!(reset.status, 202, "{}", reset.text());
    assert_eq!(reset.json(), json!({ "next": "second_step" }));
    assert!(cookie_named(&reset, "fk_session").is_none());
    // The mailbox alone changes nothing: the old password and sessions hold until the code.
    assert_eq!(t.session(&old_session).await.status, 200);
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 202);
    let reset_step = t
        .post(
            "/api/account/reset",
            json!({ "token": token, "password": "совсем другой пароль 2026" }),
            None,
        )
        .await;
    assert_eq!(reset_step.error().0, "link_invalid", "the link is used up");
    // Whoever knows the old password cannot cancel the held reset by signing in.
    let step = cookie_named(&reset, "fk_second_step").unwrap();
    t.state.clock.advance(30);
    let code = code_at(&secret, t.state.clock.now());
    let signed_in = second_step(&t, &step, json!({ "code": code })).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text());
    assert_eq!(signed_in.json()["next"], "session");
    // Now the new password holds, and every other session has ended.
    assert_eq!(
        t.session(&old_session).await.status,
        401,
        "every session ended"
    );
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 401);
    assert_eq!(
        t.sign_in("aigerim", "совсем другой пароль 2026")
            .await
            .status,
        202
    );
    let letter = t.mails().await.pop().unwrap();
    assert!(letter.text.contains("парол"), "{}", letter.subject);
}

#[tokio::test]
async fn turning_it_off_and_new_codes_need_a_recent_password() {
    let t = setup().await;
    let (cookie, _, old_codes, _) = with_two_step(&t).await;
    t.state.clock.advance(11 * 60);
    for path in [
        "/api/account/two-step/disable",
        "/api/account/recovery-codes",
    ] {
        let late = t.post(path, json!({}), Some(&cookie)).await;
        assert_eq!(
            (late.status.as_u16(), late.error().0),
            (403, "reauth_required".into()),
            "{path}"
        );
    }
    let reauth = t
        .post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    let cookie = session_cookie(&reauth);
    let renewed = t
        .post("/api/account/recovery-codes", json!({}), Some(&cookie))
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    let new_codes = renewed.json()["codes"].as_array().unwrap().clone();
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes
        .iter()
        .all(|c| !old_codes.contains(&c.as_str().unwrap().to_string())));
    assert_eq!(
        t.mails().await.pop().unwrap().subject,
        "Новые резервные коды"
    );

    let off = t
        .post("/api/account/two-step/disable", json!({}), Some(&cookie))
        .await;
    assert_eq!(off.status, 204, "{}", off.text());
    assert_eq!(
        t.mails().await.pop().unwrap().subject,
        "Двухэтапный вход выключен"
    );
    assert_eq!(
        (t.count("two_step").await, t.count("recovery_codes").await),
        (0, 0)
    );
    let again = t
        .post("/api/account/two-step/disable", json!({}), Some(&cookie))
        .await;
    assert_eq!(
        (again.status.as_u16(), again.error().0),
        (409, "two_step_off".into())
    );
    let password_only = t.sign_in("aigerim", PASSWORD).await;
    assert_eq!(password_only.status, 200);
    assert_eq!(password_only.json()["next"], "session");
}

#[tokio::test]
async fn deleting_the_account_erases_its_second_factor() {
    let t = setup().await;
    let (cookie, _, _, _) = with_two_step(&t).await;
    first_step(&t).await;
    let deleted = t
        .post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    for table in ["two_step", "recovery_codes", "second_steps"] {
        assert_eq!(t.count(table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn the_data_download_says_whether_two_step_sign_in_is_on_and_no_secret() {
    let t = setup().await;
    let (cookie, secret, codes, _) = with_two_step(&t).await;
    let export = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let json = export.json();
    assert!(
        json["sign_in"]["two_step_since"].is_string(),
        "{}",
        json["sign_in"]
    );
    assert_eq!(json["sign_in"]["recovery_codes_left"], 10);
    let text = export.text();
    assert!(!text.contains(&secret.replace(' ', "")[..8]));
    assert!(!text.contains(&codes[0]));
}

#[tokio::test]
async fn support_can_turn_it_off_for_someone_who_lost_the_app_and_the_codes() {
    let t = setup().await;
    let _ = with_two_step(&t).await;
    let run = |login: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_fk-server"))
            .args(["two-step", "off", "--login", login])
            .env("FK_DATABASE_URL", database_url(t.dir.path()))
            .env("FK_OUTBOX_DIR", t.dir.path().join("outbox"))
            .output()
            .unwrap()
    };
    let unknown = run("nobody");
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "bad input from the operator"
    );
    let off = run("a@example.kz");
    let said = String::from_utf8_lossy(&off.stdout).into_owned();
    assert!(
        off.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&off.stderr)
    );
    assert!(said.contains("off for aigerim"), "{said}");
    assert_eq!(
        (t.count("two_step").await, t.count("recovery_codes").await),
        (0, 0)
    );
    let subjects: Vec<String> = t.mails().await.into_iter().map(|m| m.subject).collect();
    assert!(
        subjects.contains(&"Двухэтапный вход выключен".to_string()),
        "{subjects:?}"
    );
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 200);
    let again = run("aigerim");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already off"));
}

#[tokio::test]
async fn a_new_password_voids_a_sign_in_waiting_for_its_code() {
    let t = setup().await;
    let (cookie, secret, _, _) = with_two_step(&t).await;
    // Someone who knew the old password, waiting for a code.
    let step = first_step(&t).await;
    let changed = t
        .post(
            "/api/account/password",
            json!({ "current_password": PASSWORD, "new_password": "совсем другой пароль 2026" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text());
    t.state.clock.advance(30);
    let code = code_at(&secret, t.state.clock.now());
    let late = second_step(&t, &step, json!({ "code": code })).await;
    assert_eq!(late.error().0, "second_step_expired");
}

#[tokio::test]
async fn a_code_confirms_the_setup_after_the_password_s_ten_minutes_too() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let setup = t
        .post("/api/account/two-step/setup", json!({}), Some(&cookie))
        .await;
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    // Installing an app took a while.
    t.state.clock.advance(11 * 60);
    let code = code_at(&secret, t.state.clock.now());
    let on = t
        .post(
            "/api/account/two-step/enable",
            json!({ "code": code }),
            Some(&cookie),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
}

#[tokio::test]
async fn a_server_started_with_another_secret_key_refuses_to_start() {
    let t = setup().await;
    let other = fk_server::auth::sealing::SecretKey::random();
    // Nothing sealed yet: any key will do.
    other.check_opens(&t.state.db).await.unwrap();
    let _ = with_two_step(&t).await;
    t.state.secret_key.check_opens(&t.state.db).await.unwrap();
    let refused = other.check_opens(&t.state.db).await.unwrap_err();
    assert!(refused.contains("restore the key"), "{refused}");
}
