//! Two-step sign-in end to end: turned on from "Sign-in and security" with the keyboard alone,
//! the authenticator app played by this test (the key read off the page, RFC 6238 codes
//! computed here), then signing in with the password and a code, with a recovery code, a code
//! used twice refused, a used recovery code refused, a lost second step sent back to the
//! password, a password reset that still asks for the code, new recovery codes, and turning it
//! off. The security page and the second step are checked with axe-core.
use fk_e2e::keys::{BACKSPACE, ENTER, TAB};
use fk_e2e::ui::{api, click, fill, focused, no_axe_violations, tab_to, typed};
use fk_e2e::{Browser, Server, TotpApp as App};
use serde_json::Value;

const PASSWORD: &str = "тёплый ветер над степью";
const NEW_PASSWORD: &str = "совсем другой пароль 2026";
const EMAIL: &str = "aigerim@example.kz";

/// Registers through the API and opens the verification link, which signs this browser in.
async fn signed_up(server: &Server, b: &Browser) {
    b.goto(&server.url("/account/login")).await;
    b.answer_banner("reject").await;
    let form = serde_json::json!({
        "first_name": "Айгерим", "email": EMAIL, "birth_year": 1990, "gender": "female", "login": "aigerim",
        "password": PASSWORD, "accept_policy": true, "policy_version": 1, "lang": "ru"
    });
    let (status, body) = api(b, "POST", "/api/account/register", form).await;
    assert_eq!(status, 202, "{body}");
    let mail = server.mail(EMAIL, "/account/verify#token=").await;
    b.goto(&mail.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
}

async fn sign_out(server: &Server, b: &Browser) {
    b.goto(&server.url("/account")).await;
    click(b, "section[aria-labelledby='session-heading'] button").await;
    b.until("location.pathname === '/account/login'").await;
}

/// The password step; two-step sign-in is on, so the second step follows on the same page,
/// the cursor in the code field.
async fn password_step(server: &Server, b: &Browser, password: &str) {
    b.goto(&server.url("/account/login")).await;
    fill(b, "#login", "aigerim").await;
    fill(b, "#password", password).await;
    click(b, "form.account-form button[type='submit']").await;
    b.text_until("#second-step-title", |t| t == "Двухэтапный вход")
        .await;
    focused(b, "second-step-code").await;
}

async fn signed_in(b: &Browser) {
    b.ready().await;
    b.text_until("main .lead", |t| t == "Здравствуйте, Айгерим!")
        .await;
}

async fn codes_on_page(b: &Browser) -> Vec<String> {
    let codes = b
        .js("return [...document.querySelectorAll('.recovery-codes code')].map(e => e.textContent)")
        .await;
    codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn is_recovery_code(code: &str) -> bool {
    let alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    code.len() == 11
        && code.as_bytes()[5] == b'-'
        && code
            .chars()
            .enumerate()
            .all(|(i, c)| i == 5 || alphabet.contains(c))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_step_sign_in() {
    let server = Server::start().await;
    let b = Browser::start().await;
    signed_up(&server, &b).await;

    // "Sign-in and security" is in the section's navigation, before the devices.
    b.goto(&server.url("/account/security")).await;
    b.text_until("h1", |t| t == "Вход и безопасность").await;
    b.text_until("#two-step-heading", |t| t.ends_with("выключен"))
        .await;
    let nav = b
        .js("return [...document.querySelectorAll('.section-nav__list a')].map(a => a.getAttribute('href'))")
        .await;
    let nav: Vec<&str> = nav
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let security = nav.iter().position(|h| *h == "/account/security").unwrap();
    assert_eq!(nav[security + 1], "/account/devices", "{nav:?}");
    no_axe_violations(&b, "/account/security, off").await;

    // Turned on with the keyboard alone: Tab to "Turn on", Enter; the panel's heading takes
    // the focus; Tab past "Open in the app" and "Copy the key" to the code; the code; Enter.
    tab_to(&b, "two-step-on").await;
    b.press(ENTER, false).await;
    focused(&b, "setup-heading").await;
    let qr = b
        .js("const s = document.querySelector('svg.qr'); return [s.getAttribute('viewBox'), s.getAttribute('role'), s.getAttribute('aria-label'), s.querySelector('rect').getAttribute('fill'), s.querySelector('path').getAttribute('fill')]")
        .await;
    assert!(
        qr[0].as_str().unwrap().starts_with("0 0 "),
        "a viewBox: {qr}"
    );
    assert_eq!(qr[1], "img");
    assert_eq!(qr[2], "QR-код для приложения-аутентификатора");
    assert_eq!(
        (&qr[3], &qr[4]),
        (&Value::from("#fff"), &Value::from("#000"))
    );
    no_axe_violations(&b, "/account/security, setting up").await;
    let key = b.find("#two-step-secret").await.text().await.unwrap();
    let mut app = App::from_key(&key);
    // On a phone the link opens the authenticator app with the key filled in.
    let link = b
        .find("#two-step-open-app")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(link.starts_with("otpauth://totp/ForteKassa:"), "{link}");
    b.press(TAB, false).await;
    focused(&b, "two-step-open-app").await;
    b.press(TAB, false).await;
    focused(&b, "two-step-copy").await;
    b.press(TAB, false).await;
    focused(&b, "two-step-code").await;
    typed(&b, "12345").await;
    b.press(ENTER, false).await;
    b.text_until("#two-step-code-error", |t| {
        t == "Код из приложения — это 6 цифр."
    })
    .await;
    focused(&b, "two-step-code").await;
    for _ in 0..5 {
        b.press(BACKSPACE, false).await;
    }
    let (_, code) = app.fresh_code().await;
    typed(&b, &code).await;
    b.press(ENTER, false).await;

    // The recovery codes, once: ten, each xxxxx-xxxxx; as a file too; then "saved".
    focused(&b, "recovery-heading").await;
    let codes = codes_on_page(&b).await;
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert!(codes.iter().all(|c| is_recovery_code(c)), "{codes:?}");
    b.text_until("#security-status", |t| t == "Двухэтапный вход включён.")
        .await;
    no_axe_violations(&b, "/account/security, recovery codes").await;
    click(&b, "#recovery-download").await;
    let (name, file) = b.downloaded("fortekassa-recovery-codes").await;
    assert_eq!(name, "fortekassa-recovery-codes.txt");
    let file = String::from_utf8(file).unwrap();
    assert!(file.contains("aigerim"), "{file}");
    assert!(codes.iter().all(|c| file.contains(c.as_str())), "{file}");
    tab_to(&b, "recovery-done").await;
    b.press(ENTER, false).await;
    focused(&b, "security-status").await;
    b.text_until("#two-step-heading", |t| t.ends_with("включён"))
        .await;
    b.text_until("#recovery-codes-left", |t| {
        t == "Осталось 10 резервных кодов."
    })
    .await;
    b.text_until("#two-step-since", |t| t.starts_with("Включён с "))
        .await;
    assert_eq!(b.count(".recovery-codes").await, 0, "shown only once");
    no_axe_violations(&b, "/account/security, on").await;

    // Signing in: the password, then a code from the app.
    sign_out(&server, &b).await;
    password_step(&server, &b, PASSWORD).await;
    let code_field = b
        .js("const f = document.getElementById('second-step-code'); return [f.getAttribute('inputmode'), f.getAttribute('autocomplete')]")
        .await;
    assert_eq!(code_field, serde_json::json!(["numeric", "one-time-code"]));
    no_axe_violations(&b, "the second step").await;
    let (used_step, used_code) = app.fresh_code().await;
    fill(&b, "#second-step-code", &used_code).await;
    click(&b, "#second-step-submit").await;
    signed_in(&b).await;

    // Another sign-in with the same code: refused, though its time has not passed.
    sign_out(&server, &b).await;
    password_step(&server, &b, PASSWORD).await;
    fill(&b, "#second-step-code", &used_code).await;
    click(&b, "#second-step-submit").await;
    b.text_until("#second-step-code-error", |t| {
        t.starts_with("Код не подошёл.")
    })
    .await;
    assert!(
        App::now_step() <= used_step + 1,
        "the code was refused as used, not as late"
    );
    focused(&b, "second-step-code").await;

    // A recovery code instead, typed however: in capitals, without the hyphen.
    click(&b, "#second-step-switch").await;
    focused(&b, "second-step-recovery").await;
    no_axe_violations(&b, "the second step, recovery code").await;
    fill(
        &b,
        "#second-step-recovery",
        &codes[0].replace('-', " ").to_uppercase(),
    )
    .await;
    click(&b, "#second-step-submit").await;
    signed_in(&b).await;
    b.goto(&server.url("/account/security")).await;
    b.text_until("#recovery-codes-left", |t| {
        t == "Осталось 9 резервных кодов."
    })
    .await;

    // A used recovery code is refused; a second step whose cookie is gone goes back to the
    // password, saying why.
    sign_out(&server, &b).await;
    password_step(&server, &b, PASSWORD).await;
    click(&b, "#second-step-switch").await;
    fill(&b, "#second-step-recovery", &codes[0]).await;
    click(&b, "#second-step-submit").await;
    b.text_until("#second-step-recovery-error", |t| {
        t == "Такого резервного кода нет, или он уже использован."
    })
    .await;
    b.client.delete_cookie("fk_second_step").await.unwrap();
    fill(&b, "#second-step-recovery", &codes[1]).await;
    click(&b, "#second-step-submit").await;
    b.text_until(".form-alert", |t| {
        t.starts_with("Время на ввод кода истекло")
    })
    .await;
    focused(&b, "password").await;
    assert_eq!(b.count("#second-step-title").await, 0);

    // A password reset changes the password, and signing in still takes the code.
    click(&b, "a[href='/account/recover']").await;
    fill(&b, "#email", EMAIL).await;
    click(&b, "form.account-form button[type='submit']").await;
    b.text_until("main h2", |t| t == "Проверьте почту").await;
    let reset = server.mail(EMAIL, "/account/reset#token=").await;
    b.goto(&reset.link(&server.url("/account/reset#token=")))
        .await;
    fill(&b, "#password", NEW_PASSWORD).await;
    click(&b, "form.account-form button[type='submit']").await;
    b.text_until("main .notice--info", |t| {
        t.starts_with("Новый пароль сохранён.")
    })
    .await;
    focused(&b, "second-step-code").await;
    assert!(
        b.client.get_named_cookie("fk_session").await.is_err(),
        "no session before the code"
    );
    no_axe_violations(&b, "/account/reset, second step").await;
    let (_, code) = app.fresh_code().await;
    fill(&b, "#second-step-code", &code).await;
    click(&b, "#second-step-submit").await;
    b.text_until("main h2", |t| t.starts_with("Пароль изменён"))
        .await;

    // New recovery codes replace the old ones.
    b.goto(&server.url("/account/security")).await;
    // They void the old ones, so the page asks first.
    click(&b, "#recovery-codes-new").await;
    focused(&b, "recovery-codes-new-title").await;
    click(&b, "#recovery-codes-new-confirm").await;
    focused(&b, "recovery-heading").await;
    let renewed = codes_on_page(&b).await;
    assert_eq!(renewed.len(), 10);
    assert!(renewed.iter().all(|c| !codes.contains(c)), "all new");
    b.text_until("#security-status", |t| {
        t.starts_with("Созданы новые резервные коды.")
    })
    .await;
    click(&b, "#recovery-done").await;
    b.text_until("#recovery-codes-left", |t| {
        t == "Осталось 10 резервных кодов."
    })
    .await;

    // The security log names what happened.
    b.goto(&server.url("/account/devices")).await;
    let log = b
        .text_until(".log-table", |t| t.contains("Вход с резервным кодом"))
        .await;
    for event in [
        "Двухэтапный вход включён",
        "Неверный код при входе",
        "Созданы новые резервные коды",
    ] {
        assert!(log.contains(event), "{event} in {log}");
    }

    // Turned off, after being asked once more; signing in then takes the password alone.
    b.goto(&server.url("/account/security")).await;
    click(&b, "#two-step-off").await;
    focused(&b, "off-confirm-title").await;
    no_axe_violations(&b, "/account/security, turning off").await;
    click(&b, "#two-step-off-confirm").await;
    b.text_until("#security-status", |t| t == "Двухэтапный вход выключен.")
        .await;
    b.text_until("#two-step-heading", |t| t.ends_with("выключен"))
        .await;
    sign_out(&server, &b).await;
    b.goto(&server.url("/account/login")).await;
    fill(&b, "#login", "aigerim").await;
    fill(&b, "#password", NEW_PASSWORD).await;
    click(&b, "form.account-form button[type='submit']").await;
    signed_in(&b).await;

    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}
