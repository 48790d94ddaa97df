//! Passkeys end to end, in the real UI of headless Chromium with a virtual authenticator (the
//! W3C WebDriver extension, through chromedriver) standing in for the phone's fingerprint
//! reader: a passkey added from "Sign-in and security" with the keyboard alone, a second one
//! from the same device refused, renamed, then signing in with "Sign in with a passkey" without
//! typing a login, and from the login field's suggestions; two-step sign-in turned on, which a
//! passkey stands in for whole, while the password still takes the code (a code used twice is
//! refused, a recovery code works); the passkey removed, after which it signs in no more. The
//! security page with a passkey listed and the sign-in page are checked with axe-core. And a
//! browser holding no passkey for the site: "Sign in with a passkey" says calmly that it was
//! cancelled, and nothing else happens.
//!
//! The pages are opened at `http://localhost:PORT`: the server's public URL is its loopback
//! address, and WebAuthn takes no IP address as a site's name, so passkeys are registered for
//! `localhost` on the same port.
use fk_e2e::keys::{ENTER, SPACE};
use fk_e2e::ui::{api, click, fill, focused, no_axe_violations, tab_to, typed};
use fk_e2e::{Browser, Server, TotpApp, VirtualAuthenticator};
use serde_json::{json, Value};

const PASSWORD: &str = "тёплый ветер над степью";
const EMAIL: &str = "aigerim@example.kz";
const NAME: &str = "Телефон Айгерим";
const RENAMED: &str = "Рабочий ноутбук";

/// Registers through the API from the page at `localhost` and opens the verification link
/// there, which signs this browser in (the password was just given).
async fn signed_up(server: &Server, b: &Browser) {
    b.goto(&server.localhost_url("/account/login")).await;
    b.answer_banner("reject").await;
    let form = json!({
        "first_name": "Айгерим", "email": EMAIL, "birth_year": 1990, "gender": "female", "login": "aigerim",
        "password": PASSWORD, "accept_policy": true, "policy_version": 1, "lang": "ru"
    });
    let (status, body) = api(b, "POST", "/api/account/register", form).await;
    assert_eq!(status, 202, "{body}");
    let token = server.mail(EMAIL, "/account/verify#token=").await.token();
    b.goto(&server.localhost_url(&format!("/account/verify#token={token}")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
}

/// Signs out; the sign-in page follows.
async fn sign_out(server: &Server, b: &Browser) {
    b.goto(&server.localhost_url("/account")).await;
    click(b, "section[aria-labelledby='session-heading'] button").await;
    b.until("location.pathname === '/account/login'").await;
    // The personal section's app routes there, then the browser loads the signed-out page
    // anew: opened here once more, the page the test goes on with is that one, settled (else
    // `ready` may wake the page being left, and wait on the new one for ever).
    b.goto(&server.localhost_url("/account/login")).await;
}

/// Signed out with the passkey out of reach (the browser would otherwise pick it from the login
/// field's suggestions at once): the sign-in page, waiting. Gives the credentials back to the
/// caller, to put back when it means to use the passkey.
async fn signed_out_without_passkey(
    server: &Server,
    b: &Browser,
    key: &VirtualAuthenticator,
) -> Vec<Value> {
    let held = key.take_away().await;
    sign_out(server, b).await;
    b.ready().await;
    quiet_request_over(b).await;
    held
}

/// Waits until the sign-in page's quiet request (the passkeys among the login field's
/// suggestions, `mediation: 'conditional'`) has been made and has settled: with no passkey at
/// hand the browser refuses it at once, and the page says nothing.
async fn quiet_request_over(b: &Browser) {
    b.until("(window.fkWebauthn || []).some(r => r.kind === 'get' && r.mediation === 'conditional' && r.outcome)")
        .await;
    let records = b.js("return window.fkWebauthn").await;
    assert_eq!(
        records,
        json!([{ "kind": "get", "mediation": "conditional", "outcome": "rejected: NotAllowedError" }]),
        "one quiet request, refused for want of a passkey"
    );
}

/// Signed in: the personal section's overview.
async fn signed_in(b: &Browser) {
    b.ready().await;
    b.text_until("main .lead", |t| t == "Здравствуйте, Айгерим!")
        .await;
    b.until("location.pathname === '/account'").await;
}

/// The password step; two-step sign-in is on, so the second step follows on the same page.
async fn password_step(server: &Server, b: &Browser) {
    b.goto(&server.localhost_url("/account/login")).await;
    fill(b, "#login", "aigerim").await;
    fill(b, "#password", PASSWORD).await;
    click(b, "form.account-form button[type='submit']").await;
    b.text_until("#second-step-title", |t| t == "Двухэтапный вход")
        .await;
    focused(b, "second-step-code").await;
}

/// The names of the passkeys the security page lists.
async fn listed(b: &Browser) -> Vec<String> {
    let names = b
        .js("return [...document.querySelectorAll('li.passkey .passkey-name')].map(e => e.textContent.trim())")
        .await;
    names
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

async fn session_cookie(b: &Browser) -> Option<String> {
    b.client
        .get_named_cookie("fk_session")
        .await
        .ok()
        .map(|c| c.value().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn passkeys_add_sign_in_and_remove() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let key = b.add_virtual_authenticator().await;
    b.watch_webauthn().await;
    signed_up(&server, &b).await;

    // "Passkeys" on "Sign-in and security": none yet; the name offered is the device's kind.
    b.goto(&server.localhost_url("/account/security")).await;
    b.text_until("#passkeys-heading", |t| t == "Ключи доступа")
        .await;
    b.text_until(".passkeys-none", |t| t == "Ключей доступа пока нет.")
        .await;
    let offered = b
        .js("return document.getElementById('passkey-name').value")
        .await;
    assert_eq!(offered, "Linux", "headless Chromium on Linux");
    let (status, security) = api(&b, "GET", "/api/account/security", Value::Null).await;
    assert_eq!(status, 200, "{security}");
    assert_eq!(
        security["passkey_origin"],
        Value::from(server.localhost_url("")),
        "the page is where passkeys work"
    );

    // Added with the keyboard alone: Tab to the name, a name of one's own in place of the one
    // offered, Tab to "Add a passkey", Space. The password was given minutes ago (on
    // verifying), so no prompt for it; the authenticator confirms at once.
    tab_to(&b, "passkey-name").await;
    typed(&b, "\u{E009}a\u{E000}").await;
    typed(&b, NAME).await;
    tab_to(&b, "passkey-add").await;
    b.press(SPACE, false).await;
    b.text_until("#passkey-status", |t| {
        t == format!("Ключ доступа «{NAME}» добавлен.")
    })
    .await;
    assert_eq!(listed(&b).await, vec![NAME.to_string()]);
    focused(&b, "passkey-add").await;
    assert_eq!(
        b.js("return document.getElementById('passkey-name').value")
            .await,
        "Linux",
        "the next one is offered the device's name again"
    );
    let held = key.credentials().await;
    assert_eq!(held.len(), 1, "{held:#?}");
    assert_eq!(held[0]["rpId"], "localhost");
    assert_eq!(
        held[0]["isResidentCredential"], true,
        "discoverable: it signs in without a login typed"
    );
    let dates = b.text_until("li.passkey .passkey-dates", |_| true).await;
    assert!(dates.contains("ещё не использовался"), "{dates}");
    let letter = server.mail(EMAIL, NAME).await;
    assert_eq!(letter.subject, "Добавлен ключ доступа");

    // The same device again: it already holds a passkey of the account, and says so; nothing
    // is added.
    click(&b, "#passkey-add").await;
    b.text_until(".passkeys .form-alert", |t| {
        t == "На этом устройстве или ключе безопасности уже есть ключ доступа к вашей учётной записи."
    })
    .await;
    focused(&b, "passkey-add").await;
    assert_eq!(listed(&b).await, vec![NAME.to_string()]);
    assert_eq!(key.credentials().await.len(), 1);

    // Renamed in place; the focus goes back to "Rename".
    click(&b, "li.passkey .passkey-rename").await;
    b.until("document.activeElement.classList.contains('passkey-rename-input')")
        .await;
    fill(&b, "li.passkey .passkey-rename-input", RENAMED).await;
    click(&b, "li.passkey .passkey-rename-save").await;
    b.text_until("#passkey-status", |t| {
        t == format!("Ключ доступа переименован: «{RENAMED}».")
    })
    .await;
    assert_eq!(listed(&b).await, vec![RENAMED.to_string()]);
    b.until("document.activeElement.classList.contains('passkey-rename')")
        .await;
    no_axe_violations(&b, "/account/security, a passkey listed").await;

    // Signed out, the passkey out of reach: the sign-in page waits, its login field offering
    // passkeys among its suggestions.
    let held = signed_out_without_passkey(&server, &b, &key).await;
    let login = b
        .js("return document.getElementById('login').getAttribute('autocomplete')")
        .await;
    assert_eq!(login, "username webauthn");
    b.text_until("#passkey-sign-in", |t| t == "Войти с ключом доступа")
        .await;
    no_axe_violations(&b, "/account/login, with a passkey button").await;

    // "Sign in with a passkey", no login typed: signed in, in the personal section.
    key.put_back(&held).await;
    click(&b, "#passkey-sign-in").await;
    signed_in(&b).await;
    b.goto(&server.localhost_url("/account/security")).await;
    let dates = b
        .text_until("li.passkey .passkey-dates", |t| {
            t.contains("последний вход")
        })
        .await;
    assert!(!dates.contains("ещё не использовался"), "{dates}");

    // With the passkey at hand, the sign-in page's quiet request (the login field's
    // suggestions, offered once the person comes to the field and the app has arrived) is
    // answered by itself: Chromium's automation picks the passkey as a person would from the
    // suggestions. A new session, nothing pressed.
    let before = session_cookie(&b).await.expect("signed in");
    sign_out(&server, &b).await;
    b.ready().await;
    let after =
        fk_e2e::wait_for(|| async { session_cookie(&b).await.filter(|c| *c != before) }).await;
    assert!(
        after.is_some(),
        "signed in again from the login field's suggestions"
    );
    signed_in(&b).await;

    // Two-step sign-in on, the authenticator app played here.
    b.goto(&server.localhost_url("/account/security")).await;
    click(&b, "#two-step-on").await;
    focused(&b, "setup-heading").await;
    let secret = b.find("#two-step-secret").await.text().await.unwrap();
    let mut app = TotpApp::from_key(&secret);
    let (_, code) = app.fresh_code().await;
    fill(&b, "#two-step-code", &code).await;
    b.press(ENTER, false).await;
    focused(&b, "recovery-heading").await;
    let codes = b
        .js("return [...document.querySelectorAll('.recovery-codes code')].map(e => e.textContent)")
        .await;
    let codes: Vec<String> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    click(&b, "#recovery-done").await;
    b.text_until("#two-step-heading", |t| t.ends_with("включён"))
        .await;
    assert_eq!(listed(&b).await, vec![RENAMED.to_string()]);

    // A passkey is both steps at once: no code asked for.
    let held = signed_out_without_passkey(&server, &b, &key).await;
    key.put_back(&held).await;
    click(&b, "#passkey-sign-in").await;
    signed_in(&b).await;

    // The password still takes a code; the same code again is refused; a recovery code works.
    let held = signed_out_without_passkey(&server, &b, &key).await;
    password_step(&server, &b).await;
    let (used_step, used_code) = app.fresh_code().await;
    fill(&b, "#second-step-code", &used_code).await;
    click(&b, "#second-step-submit").await;
    signed_in(&b).await;
    sign_out(&server, &b).await;
    password_step(&server, &b).await;
    fill(&b, "#second-step-code", &used_code).await;
    click(&b, "#second-step-submit").await;
    b.text_until("#second-step-code-error", |t| {
        t.starts_with("Код не подошёл.")
    })
    .await;
    assert!(
        TotpApp::now_step() <= used_step + 1,
        "the code was refused as used, not as late"
    );
    click(&b, "#second-step-switch").await;
    focused(&b, "second-step-recovery").await;
    fill(&b, "#second-step-recovery", &codes[0]).await;
    click(&b, "#second-step-submit").await;
    signed_in(&b).await;

    // Removed, after a confirmation (the password was given minutes ago).
    key.put_back(&held).await;
    b.goto(&server.localhost_url("/account/security")).await;
    click(&b, "li.passkey .passkey-remove").await;
    b.text_until(".passkey-confirm h3", |t| {
        t == format!("Удалить ключ доступа «{RENAMED}»?")
    })
    .await;
    b.until("document.activeElement.matches('.passkey-confirm h3')")
        .await;
    no_axe_violations(&b, "/account/security, removing a passkey").await;
    click(&b, "#passkey-remove-confirm").await;
    b.text_until("#passkey-status", |t| {
        t == format!("Ключ доступа «{RENAMED}» удалён.")
    })
    .await;
    b.text_until(".passkeys-none", |t| t == "Ключей доступа пока нет.")
        .await;
    focused(&b, "passkeys-heading").await;
    let letter = server.mail(EMAIL, "удалён ключ доступа").await;
    assert_eq!(letter.subject, "Ключ доступа удалён");
    b.goto(&server.localhost_url("/account/devices")).await;
    let log = b
        .text_until(".log-table", |t| t.contains("Удалён ключ доступа"))
        .await;
    assert!(log.contains("Добавлен ключ доступа"), "{log}");

    // The device still holds it, but it signs in no more: the page says so and stays.
    let held = signed_out_without_passkey(&server, &b, &key).await;
    assert_eq!(held.len(), 1, "the device keeps its copy");
    key.put_back(&held).await;
    click(&b, "#passkey-sign-in").await;
    b.text_until(".account-form .form-alert", |t| {
        t.starts_with("Этот ключ доступа здесь не зарегистрирован")
    })
    .await;
    assert_eq!(
        b.js("return location.pathname").await,
        "/account/login",
        "still on the sign-in page"
    );
    assert_eq!(session_cookie(&b).await, None, "no session");

    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

/// A browser holding no passkey for the site: the authenticator refuses at once, as when the
/// person closes the browser's dialog. The page says so calmly, under the button, and stays.
#[tokio::test(flavor = "multi_thread")]
async fn passkey_sign_in_without_a_passkey_is_calm() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let key = b.add_virtual_authenticator().await;
    b.watch_webauthn().await;
    b.goto(&server.localhost_url("/account/login")).await;
    b.answer_banner("reject").await;
    quiet_request_over(&b).await;
    click(&b, "#passkey-sign-in").await;
    b.text_until("#passkey-sign-in-status", |t| {
        t == "Вход с ключом доступа отменён: окно закрыто."
    })
    .await;
    // The browser's dialog was asked for (no mediation given), and refused.
    b.until("window.fkWebauthn.some(r => r.kind === 'get' && r.mediation === 'optional' && r.outcome === 'rejected: NotAllowedError')")
        .await;
    b.text_until("#passkey-sign-in", |t| t == "Войти с ключом доступа")
        .await;
    let alert = b
        .js("return document.querySelector('.account-form .form-alert').textContent")
        .await;
    assert_eq!(alert, "", "no error: nothing went wrong");
    assert_eq!(b.js("return location.pathname").await, "/account/login");
    assert_eq!(session_cookie(&b).await, None);
    assert!(key.credentials().await.is_empty(), "nothing was created");
    // The password form is as it was, and works.
    fill(&b, "#login", "nobody").await;
    assert_eq!(
        b.js("return document.getElementById('login').value").await,
        "nobody"
    );
    no_axe_violations(&b, "/account/login, passkey cancelled").await;
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}
