//! Two server processes on two ports sharing one PostgreSQL database behave as one: a session
//! made through one works through the other, a sign-in's second step begun on one finishes on
//! the other, and failed sign-ins spread over both reach the same throttle. `cargo xtask test` provides the PostgreSQL server (`FK_TEST_POSTGRES`).
use fk_e2e::{call, http, registration, session_cookie, wait_for, Mail, Server, PASSWORD};
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
    assert_eq!(
        call(
            &a,
            "POST",
            "/api/account/register",
            registration("aigerim", "a@example.kz"),
            None
        )
        .await
        .0,
        202
    );
    let token = mail([&a, &b], "a@example.kz", "/account/verify#token=")
        .await
        .token();
    let (status, _, _) = call(
        &b,
        "POST",
        "/api/account/verify",
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 200);

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
