//! Passkeys through the API, answered by a software authenticator (`common::passkey`): adding
//! one, signing in with it with no login typed, renaming and removing, and every refusal:
//! malformed, replayed or foreign answers, ceremonies expired or of another session, a
//! credential of another account. Time moves by the state's clock.
mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use common::account::*;
use common::passkey::SoftPasskey;
use common::*;
use serde_json::{json, Value};

/// The origin the tests' public address gives passkeys (`common::account::ORIGIN`).
const SITE: &str = "http://fk.test";

async fn add_options(t: &T, cookie: &str) -> (String, Value) {
    let reply = t
        .post("/api/account/passkeys/options", json!({}), Some(cookie))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    (
        body["challenge_id"].as_str().unwrap().to_string(),
        body["options"].clone(),
    )
}

async fn add(t: &T, cookie: &str, challenge: &str, name: &str, credential: &Value) -> Reply {
    t.post(
        "/api/account/passkeys",
        json!({ "challenge_id": challenge, "name": name, "credential": credential }),
        Some(cookie),
    )
    .await
}

/// A verified account with one passkey: its session, and the passkey.
async fn with_passkey(t: &T, email: &str, login: &str) -> (String, SoftPasskey) {
    let cookie = t.verified_account(email, login).await;
    let (challenge, options) = add_options(t, &cookie).await;
    let (passkey, credential) = SoftPasskey::create(&options, SITE);
    let added = add(t, &cookie, &challenge, "Телефон", &credential).await;
    assert_eq!(added.status, 201, "{}", added.text());
    (cookie, passkey)
}

async fn sign_in_options(t: &T) -> (String, Value) {
    let reply = t
        .post("/api/account/sign-in/passkey/options", json!({}), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    (
        body["challenge_id"].as_str().unwrap().to_string(),
        body["options"].clone(),
    )
}

async fn sign_in(t: &T, challenge: &str, credential: &Value) -> Reply {
    t.post(
        "/api/account/sign-in/passkey",
        json!({ "challenge_id": challenge, "credential": credential }),
        None,
    )
    .await
}

fn status_and_code(reply: &Reply) -> (u16, String) {
    (reply.status.as_u16(), reply.error().0)
}

#[tokio::test]
async fn adding_a_passkey_checks_the_browsers_answer_and_tells_the_owner() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let security = t.get("/api/account/security", &cookie).await.json();
    assert_eq!(security["passkeys"], json!([]));
    assert_eq!(security["passkey_origin"], SITE);

    let (challenge, options) = add_options(&t, &cookie).await;
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "fk.test");
    assert_eq!(public_key["user"]["name"], "aigerim");
    let selection = &public_key["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "required", "{options}");

    let (passkey, credential) = SoftPasskey::create(&options, SITE);
    // A bad name is refused without using up the request: mended, the same answer is taken.
    for (name, code) in [
        ("  ", "passkey_name_required"),
        (&"я".repeat(65) as &str, "passkey_name_invalid"),
    ] {
        let reply = add(&t, &cookie, &challenge, name, &credential).await;
        assert_eq!(
            (reply.status.as_u16(), reply.error()),
            (422, (code.into(), Some("name".into())))
        );
    }
    assert_eq!(t.count("passkeys").await, 0);
    let added = add(&t, &cookie, &challenge, " Телефон ", &credential).await;
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(added.json()["name"], "Телефон");
    assert!(added.json()["last_used_at"].is_null());

    // The request is used up: the same answer again is refused, and nothing more is stored.
    let again = add(&t, &cookie, &challenge, "Телефон", &credential).await;
    assert_eq!(
        status_and_code(&again),
        (409, "passkey_challenge_expired".into())
    );
    assert_eq!(t.count("passkeys").await, 1);

    let security = t.get("/api/account/security", &cookie).await.json();
    assert_eq!(security["passkeys"][0]["name"], "Телефон");
    let letter = t.mails().await.pop().unwrap();
    assert_eq!(letter.subject, "Добавлен ключ доступа");
    assert!(letter.text.contains("Телефон"), "{}", letter.text);
    let history = t.get("/api/account/devices", &cookie).await.text();
    assert!(history.contains("passkey_added"), "{history}");

    // The passkey already added is excluded from the next request, so the browser does not
    // make a second one on the same authenticator.
    let (_, options) = add_options(&t, &cookie).await;
    let excluded = &options["publicKey"]["excludeCredentials"][0]["id"];
    assert_eq!(excluded, &json!(B64.encode(&passkey.credential_id)));
}

#[tokio::test]
async fn adding_a_passkey_needs_a_recent_password_and_this_sessions_request() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let (challenge, options) = add_options(&t, &cookie).await;
    let (_, credential) = SoftPasskey::create(&options, SITE);

    // Another account cannot finish this session's request.
    let other = t.verified_account("b@example.kz", "bolat").await;
    let stolen = add(&t, &other, &challenge, "Мой", &credential).await;
    assert_eq!(
        status_and_code(&stolen),
        (409, "passkey_challenge_expired".into())
    );

    // Five minutes, then it is over.
    let (challenge, options) = add_options(&t, &cookie).await;
    let (_, credential) = SoftPasskey::create(&options, SITE);
    t.state.clock.advance(5 * 60 + 1);
    let late = add(&t, &cookie, &challenge, "Телефон", &credential).await;
    assert_eq!(
        status_and_code(&late),
        (409, "passkey_challenge_expired".into())
    );

    // A password given over ten minutes ago must be given again before a new request.
    t.state.clock.advance(6 * 60);
    let stale = t
        .post("/api/account/passkeys/options", json!({}), Some(&cookie))
        .await;
    assert_eq!(status_and_code(&stale), (403, "reauth_required".into()));
    assert_eq!(t.count("passkeys").await, 0);
}

#[tokio::test]
async fn a_browsers_answer_that_does_not_hold_up_is_refused_and_stores_nothing() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    let (challenge, options) = add_options(&t, &cookie).await;
    // Not a WebAuthn response at all: refused before the request is used.
    for credential in [
        json!({}),
        json!("x"),
        json!({"id": "AA", "rawId": "!!", "type": "public-key", "response": {}}),
    ] {
        let reply = add(&t, &cookie, &challenge, "Телефон", &credential).await;
        assert_eq!(
            (reply.status.as_u16(), reply.error()),
            (422, ("passkey_invalid".into(), Some("credential".into()))),
            "{credential}"
        );
    }
    // Made on another site (a phishing page's origin): refused.
    let (_, phished) = SoftPasskey::create(&options, "http://fk.test.evil.kz");
    let reply = add(&t, &cookie, &challenge, "Телефон", &phished).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));
    // Answering another request's challenge: refused.
    let (challenge, _) = add_options(&t, &cookie).await;
    let (_, other_options) = add_options(&t, &cookie).await;
    let (_, wrong_challenge) = SoftPasskey::create(&other_options, SITE);
    let reply = add(&t, &cookie, &challenge, "Телефон", &wrong_challenge).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));
    assert_eq!(t.count("passkeys").await, 0);
}

#[tokio::test]
async fn a_passkey_signs_in_with_no_login_and_counts_as_a_password_just_given() {
    let t = setup().await;
    let (_, mut passkey) = with_passkey(&t, "a@example.kz", "aigerim").await;
    t.state.clock.advance(60);

    let (challenge, options) = sign_in_options(&t).await;
    assert_eq!(options["mediation"], "conditional", "{options}");
    assert_eq!(options["publicKey"]["rpId"], "fk.test");
    assert!(options["publicKey"]["allowCredentials"]
        .as_array()
        .is_none_or(|a| a.is_empty()));
    let answer = passkey.get(&options, SITE);
    let reply = sign_in(&t, &challenge, &answer).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["next"], "session");
    assert_eq!(reply.json()["account"]["login"], "aigerim");
    let cookie = session_cookie(&reply);

    // Replayed: the sign-in it answered is over.
    let replayed = sign_in(&t, &challenge, &answer).await;
    assert_eq!(
        status_and_code(&replayed),
        (409, "passkey_challenge_expired".into())
    );
    // An old answer to a new sign-in: its challenge is not this one.
    let (challenge, _) = sign_in_options(&t).await;
    let reply = sign_in(&t, &challenge, &answer).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));

    // The session may do what needs a recent password, and the passkey shows its use.
    let security = t.get("/api/account/security", &cookie).await.json();
    assert!(security["passkeys"][0]["last_used_at"].is_string());
    let id = security["passkeys"][0]["id"].as_str().unwrap().to_string();
    let removed = t
        .call(
            "DELETE",
            &format!("/api/account/passkeys/{id}"),
            None,
            Some(&cookie),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text());

    // Removed, it signs in no more.
    let (challenge, options) = sign_in_options(&t).await;
    let reply = sign_in(&t, &challenge, &passkey.get(&options, SITE)).await;
    assert_eq!(
        (reply.status.as_u16(), reply.error()),
        (401, ("passkey_unknown".into(), Some("credential".into())))
    );
}

#[tokio::test]
async fn a_sign_in_refuses_passkeys_that_are_not_the_accounts() {
    let t = setup().await;
    let (_, mut aigerim) = with_passkey(&t, "a@example.kz", "aigerim").await;
    let (_, mut bolat) = with_passkey(&t, "b@example.kz", "bolat").await;

    // Never registered here.
    let (challenge, options) = sign_in_options(&t).await;
    let (_, create_options) = {
        let cookie = t.verified_account("c@example.kz", "chingis").await;
        add_options(&t, &cookie).await
    };
    let (mut stranger, _) = SoftPasskey::create(&create_options, SITE);
    let reply = sign_in(&t, &challenge, &stranger.get(&options, SITE)).await;
    assert_eq!(status_and_code(&reply), (401, "passkey_unknown".into()));

    // Aigerim's credential shown with Bolat's user handle.
    aigerim.user_handle = bolat.user_handle.clone();
    let (challenge, options) = sign_in_options(&t).await;
    let reply = sign_in(&t, &challenge, &aigerim.get(&options, SITE)).await;
    assert_eq!(status_and_code(&reply), (401, "passkey_unknown".into()));

    // Signed on another site.
    let (challenge, options) = sign_in_options(&t).await;
    let reply = sign_in(
        &t,
        &challenge,
        &bolat.get(&options, "http://fk.test.evil.kz"),
    )
    .await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));

    // Over five minutes.
    let (challenge, options) = sign_in_options(&t).await;
    t.state.clock.advance(5 * 60 + 1);
    let reply = sign_in(&t, &challenge, &bolat.get(&options, SITE)).await;
    assert_eq!(
        status_and_code(&reply),
        (409, "passkey_challenge_expired".into())
    );
    // Malformed.
    let (challenge, _) = sign_in_options(&t).await;
    let reply = sign_in(&t, &challenge, &json!({"id": 1})).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));
}

#[tokio::test]
async fn a_credential_of_another_account_cannot_be_added_again() {
    let t = setup().await;
    let (_, aigerim) = with_passkey(&t, "a@example.kz", "aigerim").await;
    let bolat = t.verified_account("b@example.kz", "bolat").await;
    let (challenge, options) = add_options(&t, &bolat).await;
    let (_, credential) = SoftPasskey::create_with_id(&options, SITE, &aigerim.credential_id);
    let reply = add(&t, &bolat, &challenge, "Чужой", &credential).await;
    assert_eq!(status_and_code(&reply), (409, "passkey_taken".into()));
    assert_eq!(t.count("passkeys").await, 1);
}

#[tokio::test]
async fn a_passkey_is_renamed_and_removed_by_its_owner_only() {
    let t = setup().await;
    let (cookie, _) = with_passkey(&t, "a@example.kz", "aigerim").await;
    let other = t.verified_account("b@example.kz", "bolat").await;
    let security = t.get("/api/account/security", &cookie).await.json();
    let id = security["passkeys"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/account/passkeys/{id}");

    let renamed = t
        .call(
            "PATCH",
            &path,
            Some(json!({"name": "Рабочий ноутбук"})),
            Some(&cookie),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    assert_eq!(renamed.json()["name"], "Рабочий ноутбук");
    let empty = t
        .call("PATCH", &path, Some(json!({"name": ""})), Some(&cookie))
        .await;
    assert_eq!(
        (empty.status.as_u16(), empty.error()),
        (422, ("passkey_name_required".into(), Some("name".into())))
    );
    for (method, body) in [("PATCH", Some(json!({"name": "Мой"}))), ("DELETE", None)] {
        let foreign = t.call(method, &path, body, Some(&other)).await;
        assert_eq!(
            status_and_code(&foreign),
            (404, "not_found".into()),
            "{method}"
        );
    }

    // Removing needs a recent password.
    t.state.clock.advance(11 * 60);
    let stale = t.call("DELETE", &path, None, Some(&cookie)).await;
    assert_eq!(status_and_code(&stale), (403, "reauth_required".into()));
    let reauth = t
        .post(
            "/api/account/reauth",
            json!({"password": PASSWORD}),
            Some(&cookie),
        )
        .await;
    let cookie = session_cookie(&reauth);
    let removed = t.call("DELETE", &path, None, Some(&cookie)).await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    assert_eq!(t.count("passkeys").await, 0);
    let letter = t.mails().await.pop().unwrap();
    assert_eq!(letter.subject, "Ключ доступа удалён");
    assert!(letter.text.contains("Рабочий ноутбук"), "{}", letter.text);
    let history = t.get("/api/account/devices", &cookie).await.text();
    assert!(history.contains("passkey_removed"), "{history}");
    let gone = t.call("DELETE", &path, None, Some(&cookie)).await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn the_data_download_lists_passkeys_and_deletion_erases_them() {
    let t = setup().await;
    let (cookie, _) = with_passkey(&t, "a@example.kz", "aigerim").await;
    add_options(&t, &cookie).await;
    let export = t
        .post("/api/account/export", json!({}), Some(&cookie))
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let passkeys = &export.json()["sign_in"]["passkeys"];
    assert_eq!(passkeys[0]["name"], "Телефон", "{passkeys}");
    assert!(passkeys[0]["created_at"].is_string());
    assert!(!export.text().contains("\"passkey_origin\""));

    let deleted = t
        .post(
            "/api/account/delete",
            json!({ "password": PASSWORD }),
            Some(&cookie),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    for table in ["passkeys", "passkey_challenges"] {
        assert_eq!(t.count(table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn passkey_sign_ins_begun_from_one_address_are_throttled() {
    let t = setup().await;
    for _ in 0..300 {
        sign_in_options(&t).await;
    }
    let reply = t
        .post("/api/account/sign-in/passkey/options", json!({}), None)
        .await;
    assert_eq!(status_and_code(&reply), (429, "too_many_requests".into()));
    // Housekeeping deletes the requests nobody answered.
    t.state.clock.advance(5 * 60 + 1);
    fk_server::account::housekeeping(&t.state.db, t.state.clock.now())
        .await
        .unwrap();
    assert_eq!(t.count("passkey_challenges").await, 0);
}

#[tokio::test]
async fn a_passkey_confirms_a_sensitive_operation_in_place_of_the_password() {
    let t = setup().await;
    let (cookie, mut passkey) = with_passkey(&t, "a@example.kz", "aigerim").await;
    let (_, mut other) = with_passkey(&t, "b@example.kz", "bolat").await;
    let without = t.verified_account("c@example.kz", "chingis").await;
    let none = t
        .post(
            "/api/account/reauth/passkey/options",
            json!({}),
            Some(&without),
        )
        .await;
    assert_eq!(status_and_code(&none), (404, "not_found".into()));

    t.state.clock.advance(11 * 60);
    let id = t.get("/api/account/security", &cookie).await.json()["passkeys"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/account/passkeys/{id}");
    assert_eq!(
        t.call("DELETE", &path, None, Some(&cookie)).await.error().0,
        "reauth_required"
    );
    let options = |cookie: String| {
        let t = &t;
        async move {
            let reply = t
                .post(
                    "/api/account/reauth/passkey/options",
                    json!({}),
                    Some(&cookie),
                )
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            let body = reply.json();
            (
                body["challenge_id"].as_str().unwrap().to_string(),
                body["options"].clone(),
            )
        }
    };
    let confirm = |challenge: String, credential: Value, cookie: String| {
        let t = &t;
        async move {
            t.post(
                "/api/account/reauth/passkey",
                json!({ "challenge_id": challenge, "credential": credential }),
                Some(&cookie),
            )
            .await
        }
    };
    // Another account's passkey confirms nothing here.
    let (challenge, request) = options(cookie.clone()).await;
    assert_eq!(
        request["publicKey"]["allowCredentials"][0]["id"],
        json!(B64.encode(&passkey.credential_id))
    );
    let foreign = confirm(challenge, other.get(&request, SITE), cookie.clone()).await;
    assert_eq!(status_and_code(&foreign), (422, "passkey_invalid".into()));
    // The account's own does, once.
    let (challenge, request) = options(cookie.clone()).await;
    let answer = passkey.get(&request, SITE);
    let confirmed = confirm(challenge.clone(), answer.clone(), cookie.clone()).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let cookie = session_cookie(&confirmed);
    let replayed = confirm(challenge, answer, cookie.clone()).await;
    assert_eq!(
        status_and_code(&replayed),
        (409, "passkey_challenge_expired".into())
    );
    let removed = t.call("DELETE", &path, None, Some(&cookie)).await;
    assert_eq!(removed.status, 204, "{}", removed.text());
}

#[tokio::test]
async fn a_passkey_without_user_verification_or_for_another_ceremony_is_refused() {
    let t = setup().await;
    let cookie = t.verified_account("a@example.kz", "aigerim").await;
    // Presence alone (no PIN or biometrics) neither adds a passkey nor signs in: a passkey
    // stands for both steps of a sign-in only because the device verified its owner.
    let (challenge, options) = add_options(&t, &cookie).await;
    let (_, unverified) = SoftPasskey::create_presence_only(&options, SITE);
    let reply = add(&t, &cookie, &challenge, "Ключ", &unverified).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));
    let (challenge, options) = add_options(&t, &cookie).await;
    let (mut passkey, credential) = SoftPasskey::create(&options, SITE);
    assert_eq!(
        add(&t, &cookie, &challenge, "Ключ", &credential)
            .await
            .status,
        201
    );
    let (challenge, options) = sign_in_options(&t).await;
    passkey.user_verified = false;
    let reply = sign_in(&t, &challenge, &passkey.get(&options, SITE)).await;
    assert_eq!(status_and_code(&reply), (422, "passkey_invalid".into()));
    passkey.user_verified = true;

    // A request begun to add a passkey does not finish a sign-in, nor the other way round.
    let (add_challenge, _) = add_options(&t, &cookie).await;
    let (_, options) = sign_in_options(&t).await;
    let reply = sign_in(&t, &add_challenge, &passkey.get(&options, SITE)).await;
    assert_eq!(
        status_and_code(&reply),
        (409, "passkey_challenge_expired".into())
    );
    let (sign_in_challenge, options) = sign_in_options(&t).await;
    let (_, credential) = SoftPasskey::create(&add_options(&t, &cookie).await.1, SITE);
    let reply = add(&t, &cookie, &sign_in_challenge, "Ключ", &credential).await;
    assert_eq!(
        status_and_code(&reply),
        (409, "passkey_challenge_expired".into())
    );
    let _ = options;
}

#[tokio::test]
async fn removing_a_passkey_ends_the_sessions_it_opened_but_this_one() {
    let t = setup().await;
    let (owner, mut passkey) = with_passkey(&t, "a@example.kz", "aigerim").await;
    // Someone signs in with it elsewhere (twice), and the owner with it here too.
    let mut opened = Vec::new();
    for _ in 0..3 {
        let (challenge, options) = sign_in_options(&t).await;
        let reply = sign_in(&t, &challenge, &passkey.get(&options, SITE)).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        opened.push(session_cookie(&reply));
    }
    let here = opened.pop().unwrap();
    let id = t.get("/api/account/security", &here).await.json()["passkeys"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let removed = t
        .call(
            "DELETE",
            &format!("/api/account/passkeys/{id}"),
            None,
            Some(&here),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    for elsewhere in &opened {
        assert_eq!(
            t.session(elsewhere).await.status,
            401,
            "what it opened ends"
        );
    }
    assert_eq!(
        t.session(&here).await.status,
        200,
        "not the one removing it"
    );
    assert_eq!(
        t.session(&owner).await.status,
        200,
        "nor one it did not open"
    );
    // The letter leads to the page where a passkey is taken back.
    let letter = t.mails().await.pop().unwrap();
    assert!(
        letter.text.contains("http://fk.test/account/security"),
        "{}",
        letter.text
    );
}
