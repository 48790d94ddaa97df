//! Two-step sign-in end to end: turned on from "Sign-in and security" with the keyboard alone,
//! the authenticator app played by this test (the key read off the page, RFC 6238 codes
//! computed here), then signing in with the password and a code, with a recovery code, a code
//! used twice refused, a used recovery code refused, a lost second step sent back to the
//! password, a password reset that still asks for the code, new recovery codes, and turning it
//! off. The security page and the second step are checked with axe-core.
use std::time::{SystemTime, UNIX_EPOCH};

use fk_e2e::keys::{BACKSPACE, ENTER, TAB};
use fk_e2e::{Browser, Server};
use serde_json::Value;
use totp_rs::{Rfc6238, Secret, TOTP};

const PASSWORD: &str = "тёплый ветер над степью";
const NEW_PASSWORD: &str = "совсем другой пароль 2026";
const EMAIL: &str = "aigerim@example.kz";

/// The authenticator app: the key from the page, and the last time step whose code the server
/// has taken (it takes each step's code once, and one step either side of now).
struct App {
    totp: TOTP,
    used_step: u64,
}

impl App {
    fn from_key(key: &str) -> App {
        let key: String = key.chars().filter(|c| !c.is_whitespace()).collect();
        let secret = Secret::Encoded(key).to_bytes().expect("the key is base32");
        let rfc = Rfc6238::with_defaults(secret).expect("SHA-1, 6 digits, 30 s");
        App {
            totp: TOTP::from_rfc6238(rfc).expect("a valid key"),
            used_step: 0,
        }
    }

    fn now_step() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 30
    }

    /// A code the server has not seen yet: this step's, or the next one's when this one's was
    /// used (as a real app shows it half a minute later); waits when both were.
    async fn fresh_code(&mut self) -> (u64, String) {
        while self.used_step > App::now_step() {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        let step = App::now_step().max(self.used_step + 1);
        self.used_step = step;
        (step, self.totp.generate(step * 30))
    }
}

async fn no_axe_violations(b: &Browser, page: &str) {
    let violations = b.axe().await;
    assert!(violations.is_empty(), "axe-core on {page}: {violations:#?}");
}

async fn fill(b: &Browser, css: &str, text: &str) {
    b.ready().await;
    let field = exists(b, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The element `css` once it exists; what the page shows when it never does.
async fn exists(b: &Browser, css: &str) -> fantoccini::elements::Element {
    let found =
        fk_e2e::wait_for(|| async { b.client.find(fantoccini::Locator::Css(css)).await.ok() })
            .await;
    match found {
        Some(el) => el,
        None => {
            let main = b
                .js("return document.querySelector('main').innerText")
                .await;
            panic!("no {css} on the page: {main}");
        }
    }
}

async fn click(b: &Browser, css: &str) {
    b.ready().await;
    exists(b, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn focused(b: &Browser, id: &str) {
    let here = || async {
        b.js("const e = document.activeElement; return e ? e.id || e.outerHTML.slice(0, 80) : ''")
            .await
    };
    let found =
        fk_e2e::wait_for(|| async { (here().await == Value::String(id.into())).then_some(()) })
            .await;
    if found.is_none() {
        let main = b
            .js("return document.querySelector('main').innerText")
            .await;
        panic!(
            "#{id} never had the focus; {:?} has it; the page: {main}",
            here().await
        );
    }
}

/// Presses Tab until the element with `id` has the focus, as a keyboard user would.
async fn tab_to(b: &Browser, id: &str) {
    for _ in 0..80 {
        let here = b
            .js("return document.activeElement ? document.activeElement.id : ''")
            .await;
        if here == Value::String(id.into()) {
            return;
        }
        b.press(TAB, false).await;
    }
    panic!("Tab never reached #{id}");
}

/// Types into whatever has the keyboard focus.
async fn typed(b: &Browser, text: &str) {
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// A call to the API from the page, as the SPA makes it (same origin, the session cookie).
async fn api(b: &Browser, method: &str, path: &str, body: Value) -> (u16, Value) {
    let script = "const [method, path, body, done] = arguments;
        fetch(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : body })
            .then(async r => done([r.status, await r.text()]))
            .catch(e => done([0, String(e)]));";
    let reply = b
        .client
        .execute_async(
            script,
            vec![method.into(), path.into(), body.to_string().into()],
        )
        .await
        .expect("fetch");
    let status = reply[0].as_u64().unwrap_or_default() as u16;
    let text = reply[1].as_str().unwrap_or_default();
    (status, serde_json::from_str(text).unwrap_or(Value::Null))
}

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
    // the focus; Tab past "Copy the key" to the code; the code; Enter.
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
    click(&b, "#recovery-codes-new").await;
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
