//! Two server processes on two ports sharing one PostgreSQL database behave as one: a session
//! made through one works through the other, a sign-in's second step begun on one finishes on
//! the other, and failed sign-ins spread over both reach the same throttle; a passkey sign-in
//! begun on one finishes on the other, once. `cargo xtask test` provides the PostgreSQL server
//! (`FK_TEST_POSTGRES`).
use fk_e2e::ui::{click, fill};
use fk_e2e::{call, http, registration, session_cookie, wait_for, Browser, Mail, Server, PASSWORD};
use serde_json::{json, Value};

/// A new, empty database on the test PostgreSQL server.
async fn new_database(name: &str) -> String {
    let server = std::env::var("FK_TEST_POSTGRES")
        .expect("FK_TEST_POSTGRES names the test PostgreSQL server: run these tests with `cargo xtask test`");
    let server = server.trim_end_matches('/');
    let created = tokio::process::Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args([
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .await
        .expect("run psql");
    assert!(
        created.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    format!("{server}/{name}")
}

/// The authenticator app of the key a setup showed.
fn authenticator(key: &str) -> totp_rs::TOTP {
    let bytes = totp_rs::Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::from_rfc6238(totp_rs::Rfc6238::with_defaults(bytes).unwrap()).unwrap()
}

/// The value of the cookie `name` a response sets.
fn cookie_value(head: &str, name: &str) -> String {
    let prefix = format!("set-cookie: {name}=");
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {name} cookie in {head}"));
    line[prefix.len()..].split(';').next().unwrap().to_string()
}

/// Either instance's mail worker may deliver a letter: look in both outboxes.
async fn mail(servers: [&Server; 2], to: &str, needle: &str) -> Mail {
    wait_for(|| async {
        servers
            .iter()
            .flat_map(|s| s.mails())
            .find(|m| m.to == to && m.text.contains(needle))
    })
    .await
    .unwrap_or_else(|| panic!("no e-mail to {to} containing {needle:?}"))
}

/// Aigerim registers through `a` and confirms her address through `b`.
async fn registered_through_one_confirmed_through_the_other(a: &Server, b: &Server) {
    assert_eq!(
        call(
            a,
            "POST",
            "/api/account/register",
            registration("aigerim", "a@example.kz"),
            None
        )
        .await
        .0,
        202
    );
    let token = mail([a, b], "a@example.kz", "/account/verify#token=")
        .await
        .token();
    let (status, _, _) = call(
        b,
        "POST",
        "/api/account/verify",
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_database_behave_as_one() {
    let url = new_database("fk_e2e_instances").await;
    // PostgreSQL needs the key that seals secrets set, the same on every instance.
    let key = (
        "FK_SECRET_KEY",
        "the key every instance of this test shares, 32+",
    );
    let a = Server::start_with(&[("FK_DATABASE_URL", url.as_str()), key]).await;
    let b = Server::start_with(&[("FK_DATABASE_URL", url.as_str()), key]).await;
    assert_ne!(a.addr, b.addr);

    // Registered through one, confirmed through the other.
    registered_through_one_confirmed_through_the_other(&a, &b).await;

    // Signed in through one, the session works through the other, and ends through either.
    let (status, head, _) = call(
        &a,
        "POST",
        "/api/account/sign-in",
        json!({ "login": "aigerim", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let cookie = session_cookie(&head);
    let (status, _, me) = call(
        &b,
        "GET",
        "/api/account/session",
        Value::Null,
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["account"]["login"], "aigerim");
    let version = me["account"]["version"].as_i64().unwrap();
    let profile = json!({ "first_name": "Жанар", "birth_year": 1990, "gender": "female", "phone": "", "lang": "ru", "version": version });
    assert_eq!(
        call(
            &b,
            "PUT",
            "/api/account/profile",
            profile.clone(),
            Some(&cookie)
        )
        .await
        .0,
        200
    );
    let (status, _, stale) = call(&a, "PUT", "/api/account/profile", profile, Some(&cookie)).await;
    assert_eq!(
        (status, stale["code"].as_str()),
        (409, Some("stale_data")),
        "one version, whichever instance saved"
    );
    assert_eq!(
        call(
            &b,
            "POST",
            "/api/account/sign-out",
            json!({}),
            Some(&cookie)
        )
        .await
        .0,
        204
    );
    assert_eq!(
        call(
            &a,
            "GET",
            "/api/account/session",
            Value::Null,
            Some(&cookie)
        )
        .await
        .0,
        401
    );

    // Two-step sign-in: turned on through one, the password given to one and the code to
    // the other (the waiting step lives in the database).
    let (status, head, _) = call(
        &a,
        "POST",
        "/api/account/sign-in",
        json!({ "login": "aigerim", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let cookie = session_cookie(&head);
    let (status, _, setup) = call(
        &b,
        "POST",
        "/api/account/two-step/setup",
        json!({}),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{setup}");
    let app = authenticator(setup["secret"].as_str().unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (status, _, codes) = call(
        &a,
        "POST",
        "/api/account/two-step/enable",
        json!({ "code": app.generate(now) }),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{codes}");
    let (status, head, _) = call(
        &a,
        "POST",
        "/api/account/sign-in",
        json!({ "login": "aigerim", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 202);
    let waiting = cookie_value(&head, "fk_second_step");
    let origin = b.url("");
    let (status, head, body) = http(
        &b.addr,
        "POST",
        "/api/account/sign-in/second-step",
        &[
            ("Content-Type", "application/json"),
            ("Origin", origin.as_str()),
            ("Cookie", &format!("fk_second_step={waiting}")),
        ],
        json!({ "recovery_code": codes["codes"][0] })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let cookie = session_cookie(&head);
    assert_eq!(
        call(
            &a,
            "GET",
            "/api/account/session",
            Value::Null,
            Some(&cookie)
        )
        .await
        .0,
        200
    );

    // Five wrong passwords, alternating between the instances, reach one throttle: the sixth
    // attempt waits, whichever instance it goes to.
    for i in 0..5 {
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, _, _) = call(
            server,
            "POST",
            "/api/account/sign-in",
            json!({ "login": "aigerim", "password": "не тот пароль совсем" }),
            None,
        )
        .await;
        assert_eq!(status, 401, "attempt {i}");
    }
    for server in [&a, &b] {
        let (status, head, body) = call(
            server,
            "POST",
            "/api/account/sign-in",
            json!({ "login": "aigerim", "password": PASSWORD }),
            None,
        )
        .await;
        assert_eq!(status, 429, "{body}");
        assert!(head.to_ascii_lowercase().contains("retry-after:"), "{head}");
    }

    a.stop().await;
    b.stop().await;
}

/// What a page of `localhost:PORT` gets from `navigator.credentials.get()` for a passkey
/// sign-in it begins at that site's `/api/account/sign-in/passkey/options`: the ceremony's
/// `challenge_id`, and the assertion as WebAuthn's JSON (binary fields in base64url without
/// padding), as the web app sends it.
const PASSKEY_ASSERTION: &str = r#"
    const bytes = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), c => c.charCodeAt(0)).buffer;
    const text = b => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    (async () => {
        const r = await fetch('/api/account/sign-in/passkey/options', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        if (r.status !== 200) return done({ error: 'options: ' + r.status + ' ' + await r.text() });
        const { challenge_id, options } = await r.json();
        const publicKey = options.publicKey;
        publicKey.challenge = bytes(publicKey.challenge);
        for (const c of publicKey.allowCredentials || []) c.id = bytes(c.id);
        const c = await navigator.credentials.get({ publicKey });
        done({ challenge_id, mediation: options.mediation, credential: {
            id: c.id, rawId: text(c.rawId), type: c.type, extensions: {},
            response: {
                clientDataJSON: text(c.response.clientDataJSON),
                authenticatorData: text(c.response.authenticatorData),
                signature: text(c.response.signature),
                userHandle: c.response.userHandle ? text(c.response.userHandle) : null,
            },
        } });
    })().catch(e => done({ error: e.name + ': ' + e.message }));
"#;

/// A passkey sign-in is two requests, and a balancer may send them to two instances: the
/// ceremony begun on one (its challenge in the shared database) finishes on the other, once.
/// Both instances have A's public URL, so both name the site `localhost` on A's port.
#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_sign_in_begun_on_one_instance_finishes_on_the_other() {
    let url = new_database("fk_e2e_passkeys").await;
    let key = (
        "FK_SECRET_KEY",
        "the key every instance of this test shares, 32+",
    );
    let a = Server::start_with(&[("FK_DATABASE_URL", url.as_str()), key]).await;
    let public = a.url("");
    let b = Server::start_with(&[
        ("FK_DATABASE_URL", url.as_str()),
        key,
        ("FK_PUBLIC_URL", public.as_str()),
    ])
    .await;
    let site = a.localhost_url("");

    registered_through_one_confirmed_through_the_other(&a, &b).await;

    // A passkey added through A, in the browser, at `localhost` on A's port.
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;
    browser.goto(&a.localhost_url("/account/login")).await;
    browser.answer_banner("reject").await;
    fill(&browser, "#login", "aigerim").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "form.account-form button[type='submit']").await;
    browser.ready().await;
    browser.until("location.pathname === '/account'").await;
    browser.goto(&a.localhost_url("/account/security")).await;
    fill(&browser, "#passkey-name", "Телефон").await;
    click(&browser, "#passkey-add").await;
    browser
        .text_until("li.passkey .passkey-name", |t| t == "Телефон")
        .await;
    assert_eq!(authenticator.credentials().await.len(), 1);

    // Begun on A (the page's own requests go there) ...
    let answer = browser.js_async(PASSKEY_ASSERTION).await;
    assert!(answer.get("error").is_none(), "{answer}");
    let challenge_id = answer["challenge_id"].as_str().expect("a challenge id");
    let form = json!({ "challenge_id": challenge_id, "credential": answer["credential"] });
    let host = site.trim_start_matches("http://");
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", host),
        ("Origin", site.as_str()),
    ];

    // ... finished on B, as a balancer in front of both would send it: signed in, and the
    // session works on A too.
    let (status, head, body) = http(
        &b.addr,
        "POST",
        "/api/account/sign-in/passkey",
        &headers,
        form.to_string().as_bytes(),
    )
    .await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["next"], "session", "{body}");
    let cookie = session_cookie(&head);
    let (status, _, me) = call(
        &a,
        "GET",
        "/api/account/session",
        Value::Null,
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["account"]["login"], "aigerim");

    // The same answer again, to A: the ceremony was used up on B.
    let (status, _, body) = http(
        &a.addr,
        "POST",
        "/api/account/sign-in/passkey",
        &headers,
        form.to_string().as_bytes(),
    )
    .await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("passkey_challenge_expired")),
        "{body}"
    );

    browser.stop().await;
    a.stop().await;
    b.stop().await;
}
