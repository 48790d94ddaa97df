//! The profile (5.1), the e-mail change, the password change and the devices page, against a
//! real SQLite file and outbox. Time moves by the state's clock.
mod common;

use common::account::*;
use serde_json::{json, Value};

async fn me(t: &T, cookie: &str) -> Value {
    let reply = t.session(cookie).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["account"].clone()
}

fn profile(version: i64) -> Value {
    json!({
        "first_name": "Жанар", "birth_year": 1985, "gender": "female", "phone": "8 (701) 234-56-78",
        "lang": "kk", "version": version
    })
}

#[tokio::test]
async fn the_profile_is_edited_and_kept() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let version = me(&t, &cookie).await["version"].as_i64().unwrap();
    let reply = t
        .put("/api/account/profile", profile(version), &cookie)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let account = reply.json();
    assert_eq!(account["first_name"], "Жанар");
    assert_eq!(account["phone"], "+77012345678", "stored in E.164");
    assert_eq!(account["lang"], "kk");
    assert_eq!(account["version"], version + 1);
    assert_eq!(
        me(&t, &cookie).await,
        account,
        "what was saved is what the session shows"
    );
    assert_eq!(reply.header("cache-control"), "no-store");

    let sms = t
        .put(
            "/api/account/choices/news_sms",
            json!({ "enabled": true }),
            &cookie,
        )
        .await;
    assert_eq!(
        sms.status,
        200,
        "with a phone, SMS can be turned on: {}",
        sms.text()
    );
    let mut body = profile(version + 1);
    body["phone"] = "".into();
    let cleared = t.put("/api/account/profile", body, &cookie).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text());
    assert_eq!(
        cleared.json()["phone"],
        Value::Null,
        "an empty phone removes the number"
    );
    let choices = t.get("/api/account/choices", &cookie).await.json();
    let sms = choices["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["choice"] == "news_sms")
        .unwrap()
        .clone();
    assert_eq!(sms["enabled"], false, "no phone, no SMS: {choices}");
}

#[tokio::test]
async fn a_second_tab_saving_stale_data_gets_a_conflict() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let version = me(&t, &cookie).await["version"].as_i64().unwrap();
    assert_eq!(
        t.put("/api/account/profile", profile(version), &cookie)
            .await
            .status,
        200
    );
    let mut other_tab = profile(version);
    other_tab["first_name"] = "Ерлан".into();
    let reply = t.put("/api/account/profile", other_tab, &cookie).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error(), ("stale_data".into(), Some("version".into())));
    assert_eq!(
        me(&t, &cookie).await["first_name"],
        "Жанар",
        "nothing silently overwritten"
    );
}

#[tokio::test]
async fn every_bad_profile_field_is_named_and_nothing_changes() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let before = me(&t, &cookie).await;
    let version = before["version"].as_i64().unwrap();
    let cases: [(&str, Value, &str); 7] = [
        ("phone", "+7 912 345 67 89".into(), "phone_invalid"),
        ("phone", "call me".into(), "phone_invalid"),
        ("birth_year", 1800.into(), "birth_year_invalid"),
        ("birth_year", 2999.into(), "birth_year_invalid"),
        ("lang", "de".into(), "unknown_language"),
        (
            "first_name",
            "Жанар Ахметова".into(),
            "first_name_two_words",
        ),
        ("birth_year", 2016.into(), "guardian_consent_required"),
    ];
    for (field, value, code) in cases {
        let mut body = profile(version);
        body[field] = value.clone();
        let reply = t.put("/api/account/profile", body, &cookie).await;
        assert_eq!(reply.status, 422, "{field}={value}: {}", reply.text());
        let (got, _) = reply.error();
        assert_eq!(got, code, "{field}={value}");
    }
    let mut body = profile(version);
    body["email"] = "x@y.kz".into();
    assert_eq!(
        t.put("/api/account/profile", body, &cookie).await.status,
        400,
        "unknown fields are refused"
    );
    let mut body = profile(version);
    body["birth_year"] = "nineteen".into();
    let reply = t.put("/api/account/profile", body, &cookie).await;
    assert_eq!(reply.error().1.as_deref(), Some("birth_year"));
    assert_eq!(me(&t, &cookie).await, before, "nothing changed");

    let signed_out = t
        .call("PUT", "/api/account/profile", Some(profile(version)), None)
        .await;
    assert_eq!(signed_out.status, 401);
    assert_eq!(signed_out.error().0, "unauthenticated");
    let mut cross_site = T {
        origin: "https://evil.test".into(),
        ..t
    };
    let reply = cross_site
        .put("/api/account/profile", profile(version), &cookie)
        .await;
    assert_eq!(reply.status, 403);
    cross_site.origin = ORIGIN.into();
    assert_eq!(me(&cross_site, &cookie).await, before);
}

#[tokio::test]
async fn a_new_address_is_confirmed_by_link_and_the_old_one_told() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    t.state.clock.advance(11 * 60);
    let stale = t
        .post(
            "/api/account/email",
            json!({ "email": "new@example.kz" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, 403, "needs the password again");
    assert_eq!(stale.error().0, "reauth_required");
    let reauth = t
        .post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    assert_eq!(reauth.status, 200);
    let cookie = session_cookie(&reauth);

    let same = t
        .post(
            "/api/account/email",
            json!({ "email": "AIGERIM@example.kz" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        same.error(),
        ("email_unchanged".into(), Some("email".into()))
    );
    let bad = t
        .post(
            "/api/account/email",
            json!({ "email": "not an address" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.error(), ("email_invalid".into(), Some("email".into())));

    let reply = t
        .post(
            "/api/account/email",
            json!({ "email": "New@Example.kz" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let mails = t.mails().await;
    let confirm = mails
        .iter()
        .find(|m| m.to == "New@Example.kz")
        .expect("a link to the new address");
    assert!(
        confirm.text.contains("/account/email/confirm#token="),
        "{}",
        confirm.text
    );
    let notice = mails
        .iter()
        .rev()
        .find(|m| m.to == "aigerim@example.kz")
        .expect("a notice to the old address");
    assert!(notice.text.contains("New@Example.kz"), "{}", notice.text);
    // When, in Kazakhstan's time and the reader's words, as the app writes dates.
    let year = fk_api::dates::year(fk_server::clock::now()).to_string();
    let told = ["Дата и время: ", &year, " г., ", " (UTC+5)"];
    assert!(
        told.iter()
            .all(|part| notice.text.replace('\u{a0}', " ").contains(part)),
        "{}",
        notice.text
    );
    assert_eq!(
        me(&t, &cookie).await["email"],
        "aigerim@example.kz",
        "the old address stays until confirmed"
    );

    let token = token_in(&confirm.text);
    let done = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token })),
            None,
        )
        .await;
    assert_eq!(done.status, 200, "works signed out too: {}", done.text());
    assert_eq!(
        done.json(),
        json!({ "email": "New@Example.kz" }),
        "whoever holds the link learns only the address"
    );
    assert_eq!(me(&t, &cookie).await["email_verified"], true);
    let again = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token })),
            None,
        )
        .await;
    assert_eq!(again.error(), ("link_invalid".into(), Some("token".into())));
    assert_eq!(t.sign_in("new@example.kz", PASSWORD).await.status, 200);
    assert_eq!(t.sign_in("aigerim@example.kz", PASSWORD).await.status, 401);
    let forged = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": "x".repeat(43) })),
            None,
        )
        .await;
    assert_eq!(forged.error().0, "link_invalid");
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_refused_at_confirmation() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    assert_eq!(
        t.post(
            "/api/account/email",
            json!({ "email": "erlan@example.kz" }),
            Some(&cookie)
        )
        .await
        .status,
        202
    );
    let link = t
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "erlan@example.kz")
        .unwrap();
    t.verified_account("erlan@example.kz", "erlan").await;
    let reply = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token_in(&link.text) })),
            None,
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error(), ("email_taken".into(), Some("email".into())));
    assert_eq!(me(&t, &cookie).await["email"], "aigerim@example.kz");
}

#[tokio::test]
async fn the_password_is_changed_given_the_current_one() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let other = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    let new = "жаңа құпия сөз тізбегі";
    let wrong = t
        .post(
            "/api/account/password",
            json!({ "current_password": "wrong password here", "new_password": new }),
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.error(),
        (
            "invalid_credentials".into(),
            Some("current_password".into())
        )
    );
    let weak = t
        .post(
            "/api/account/password",
            json!({ "current_password": PASSWORD, "new_password": "short" }),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        weak.error(),
        ("password_too_short".into(), Some("new_password".into()))
    );
    assert_eq!(
        t.sign_in("aigerim", PASSWORD).await.status,
        200,
        "nothing changed yet"
    );

    let body =
        json!({ "current_password": PASSWORD, "new_password": new, "end_other_sessions": true });
    let done = t.post("/api/account/password", body, Some(&cookie)).await;
    assert_eq!(done.status, 204, "{}", done.text());
    assert_eq!(t.session(&cookie).await.status, 200, "this session stays");
    assert_eq!(t.session(&other).await.status, 401, "the others ended");
    assert_eq!(t.sign_in("aigerim", PASSWORD).await.status, 401);
    assert_eq!(t.sign_in("aigerim", new).await.status, 200);
    let mail = t
        .mails()
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "aigerim@example.kz")
        .unwrap();
    assert!(mail.subject.contains("Пароль"), "{}", mail.subject);
}

#[tokio::test]
async fn devices_list_sessions_and_end_them_with_a_recent_password() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let other = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    let _ = t.sign_in("aigerim", "wrong password again").await;
    let devices = t.get("/api/account/devices", &cookie).await.json();
    let sessions = devices["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["current"], true, "this device first");
    assert_eq!(sessions[1]["current"], false);
    assert_eq!(
        sessions[0]["ip"], "203.0.113.0",
        "addresses are shown truncated"
    );
    assert_eq!(sessions[0]["browser"], "Chrome 131");
    let kinds: Vec<&str> = devices["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[..2],
        ["sign_in_failed", "sign_in"],
        "newest first: {kinds:?}"
    );

    let other_id = sessions[1]["id"].as_i64().unwrap();
    let own_id = sessions[0]["id"].as_i64().unwrap();
    for id in [own_id.to_string(), "999999".into(), "abc".into()] {
        let reply = t
            .post(
                &format!("/api/account/devices/{id}/end"),
                json!({}),
                Some(&cookie),
            )
            .await;
        assert_eq!(reply.status, 404, "{id}");
    }
    let reply = t
        .post(
            &format!("/api/account/devices/{other_id}/end"),
            json!({}),
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.session(&other).await.status,
        401,
        "the other device is signed out"
    );

    let third = session_cookie(&t.sign_in("aigerim", PASSWORD).await);
    t.state.clock.advance(11 * 60);
    let stale = t
        .post("/api/account/devices/end-others", json!({}), Some(&cookie))
        .await;
    assert_eq!(stale.error().0, "reauth_required");
    let cookie = session_cookie(
        &t.post(
            "/api/account/reauth",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await,
    );
    let reply = t
        .post("/api/account/devices/end-others", json!({}), Some(&cookie))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(t.session(&third).await.status, 401);
    assert_eq!(t.session(&cookie).await.status, 200);
    let log = t.get("/api/account/devices", &cookie).await.json()["log"].clone();
    assert_eq!(log[0]["event"], "other_sessions_ended");
}

#[tokio::test]
async fn a_pending_address_change_dies_with_a_password_change_or_the_other_sessions() {
    let t = setup().await;
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    let new = "жаңа құпия сөз тізбегі";
    let ask = |email: &'static str| {
        t.post(
            "/api/account/email",
            json!({ "email": email }),
            Some(&cookie),
        )
    };
    assert_eq!(ask("thief@example.kz").await.status, 202);
    let link = t
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "thief@example.kz")
        .unwrap();
    let body =
        json!({ "current_password": PASSWORD, "new_password": new, "end_other_sessions": true });
    assert_eq!(
        t.post("/api/account/password", body, Some(&cookie))
            .await
            .status,
        204
    );
    let reply = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token_in(&link.text) })),
            None,
        )
        .await;
    assert_eq!(
        reply.error().0,
        "link_invalid",
        "the owner's new password cancels the change"
    );

    assert_eq!(ask("thief2@example.kz").await.status, 202);
    let link = t
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "thief2@example.kz")
        .unwrap();
    assert_eq!(
        t.post("/api/account/devices/end-others", json!({}), Some(&cookie))
            .await
            .status,
        200
    );
    let reply = t
        .call(
            "POST",
            "/api/account/email/confirm",
            Some(json!({ "token": token_in(&link.text) })),
            None,
        )
        .await;
    assert_eq!(
        reply.error().0,
        "link_invalid",
        "ending the other sessions cancels it too"
    );
    assert_eq!(me(&t, &cookie).await["email"], "aigerim@example.kz");
}

/// The consent history's entries of a parent's or guardian's permission.
async fn guardian_entries(t: &T, cookie: &str) -> Vec<Value> {
    let history = t.get("/api/account/history", cookie).await.json();
    history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "guardian")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_guardians_permission_is_in_the_consent_history_once() {
    let t = setup().await;
    let year = t.state.clock.year();
    // Given when registering.
    let mut young = registration("dana@example.kz", "dana");
    young["birth_year"] = (year - 15).into();
    young["guardian_consent"] = true.into();
    let (registered, browser) = t.register(young).await;
    assert_eq!(registered.status, 202, "{}", registered.text());
    let mail = t
        .mails()
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "dana@example.kz")
        .unwrap();
    let verified = t.verify_here(&token_in(&mail.text), &browser).await;
    let dana = session_cookie(&verified);
    let entries = guardian_entries(&t, &dana).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["place"], "registration");
    // Given in the profile, when the year of birth given there says under 18; saving the
    // profile again does not record it again.
    let cookie = t.verified_account("aigerim@example.kz", "aigerim").await;
    assert!(guardian_entries(&t, &cookie).await.is_empty());
    let version = me(&t, &cookie).await["version"].as_i64().unwrap();
    let mut body = profile(version);
    body["birth_year"] = (year - 16).into();
    let refused = t.put("/api/account/profile", body.clone(), &cookie).await;
    assert_eq!(refused.error().0, "guardian_consent_required");
    assert!(guardian_entries(&t, &cookie).await.is_empty());
    body["guardian_consent"] = true.into();
    let saved = t.put("/api/account/profile", body.clone(), &cookie).await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    body["version"] = saved.json()["version"].clone();
    body["first_name"] = "Дана".into();
    let again = t.put("/api/account/profile", body, &cookie).await;
    assert_eq!(again.status, 200, "{}", again.text());
    let entries = guardian_entries(&t, &cookie).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["place"], "profile");
    assert_eq!(t.count("guardian_confirmations").await, 2);
}
