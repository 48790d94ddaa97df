//! The personal section end to end: the release server writing real e-mails into its outbox,
//! the release SPA, headless Chromium. Every link a user would click comes from an e-mail.
use fk_e2e::keys::{ENTER, SPACE, TAB};
use fk_e2e::ui::{click, exists, fill, no_axe_violations, tab_to, typed};
use fk_e2e::{http_get, Browser, Server};

const PASSWORD: &str = "тёплый ветер над степью";
const NEW_PASSWORD: &str = "совсем другой пароль 2026";

async fn submit(b: &Browser) {
    b.ready().await;
    b.find("form.account-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
}

async fn session_cookie(b: &Browser) -> String {
    b.client
        .get_named_cookie("fk_session")
        .await
        .expect("a session cookie")
        .value()
        .to_string()
}

/// What the server says about a session token, as another client holding it would ask.
async fn session_status(server: &Server, token: &str) -> u16 {
    http_get(
        &server.addr,
        "/api/account/session",
        &[("Cookie", &format!("fk_session={token}"))],
    )
    .await
    .0
}

async fn sign_in(b: &Browser, login: &str, password: &str) {
    fill(b, "#login", login).await;
    fill(b, "#password", password).await;
    submit(b).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn register_verify_sign_in_throttle_recover_reset() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let email = "aigerim@example.kz";

    // Signed out, the personal section sends to sign-in and remembers where to come back.
    b.goto(&server.url("/account")).await;
    b.answer_banner("reject").await;
    b.until("location.pathname === '/account/login' && location.search === '?next=%2Faccount'")
        .await;
    b.find("a[href='/account/register']")
        .await
        .click()
        .await
        .unwrap();
    b.text_until("h1", |t| t == "Регистрация").await;
    no_axe_violations(&b, "/account/register").await;

    fill(&b, "#first_name", "Айгерим").await;
    fill(&b, "#email", email).await;
    fill(&b, "#birth_year", "1990").await;
    fill(&b, "#login", "aigerim").await;
    fill(&b, "#password", PASSWORD).await;
    b.text_until("#password-strength", |t| t.starts_with("Надёжность:"))
        .await;
    b.text_until("label[for='accept_policy']", |t| t.contains("(редакция 1)"))
        .await;
    b.find("#accept_policy").await.click().await.unwrap();
    submit(&b).await;
    b.text_until("main h2", |t| t == "Проверьте почту").await;
    b.until("document.activeElement.tagName === 'H2'").await;
    assert!(
        b.client.get_named_cookie("fk_session").await.is_err(),
        "registering alone signs nobody in"
    );

    // The verification link from the e-mail confirms the address and signs in.
    let verification = server.mail(email, "/account/verify#token=").await;
    assert!(!verification.text.contains(PASSWORD) && !verification.html.contains(PASSWORD));
    b.goto(&verification.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
    b.until("location.hash === ''").await;
    let welcome = server.mail(email, "aigerim").await;
    assert!(
        welcome.subject.to_lowercase().contains("добро пожаловать"),
        "{}",
        welcome.subject
    );
    b.find("a.button[href='/account']")
        .await
        .click()
        .await
        .unwrap();
    b.text_until("main .lead", |t| t == "Здравствуйте, Айгерим!")
        .await;
    assert_eq!(b.count(".notice--warn").await, 0, "verified: no reminder");
    no_axe_violations(&b, "/account").await;

    // Sign out, then sign in again and come back to the section.
    b.find("button.button").await.click().await.unwrap();
    b.until("location.pathname === '/account/login'").await;
    sign_in(&b, "AIGERIM", PASSWORD).await;
    b.text_until("main .lead", |t| t == "Здравствуйте, Айгерим!")
        .await;
    let old_session = session_cookie(&b).await;
    assert_eq!(session_status(&server, &old_session).await, 200);

    // Another browser guesses: five wrong passwords, then the wait is stated.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&server.url("/account/login")).await;
    b.answer_banner("reject").await;
    for _ in 0..5 {
        sign_in(&b, "aigerim", "не тот пароль совсем").await;
        b.text_until(".form-alert", |t| {
            t.starts_with("Неверный логин или пароль.")
        })
        .await;
    }
    sign_in(&b, "aigerim", PASSWORD).await;
    let wait = b
        .text_until(".form-alert", |t| {
            t.starts_with("Слишком много попыток. Повторите через ")
        })
        .await;
    let seconds: u64 = wait
        .trim_start_matches("Слишком много попыток. Повторите через ")
        .trim_end_matches(" с.")
        .parse()
        .expect(&wait);
    assert!(
        (10..=30).contains(&seconds),
        "the first wait is 30 s, less what the page took: {wait}"
    );
    no_axe_violations(&b, "/account/login with an error").await;

    // Recovery by e-mail; a weak password is refused next to the field, a good one saved.
    b.find("a[href='/account/recover']")
        .await
        .click()
        .await
        .unwrap();
    b.text_until("h1", |t| t == "Восстановление пароля").await;
    no_axe_violations(&b, "/account/recover").await;
    fill(&b, "#email", email).await;
    submit(&b).await;
    b.text_until("main h2", |t| t == "Проверьте почту").await;
    let reset = server.mail(email, "/account/reset#token=").await;
    b.goto(&reset.link(&server.url("/account/reset#token=")))
        .await;
    b.text_until("h1", |t| t == "Новый пароль").await;
    no_axe_violations(&b, "/account/reset").await;
    fill(&b, "#password", "qwerty123456").await;
    submit(&b).await;
    b.text_until("#password-error", |t| t.contains("слишком распространён"))
        .await;
    b.until("document.activeElement.id === 'password'").await;
    fill(&b, "#password", NEW_PASSWORD).await;
    submit(&b).await;
    b.text_until("main h2", |t| t.starts_with("Пароль изменён"))
        .await;
    assert_eq!(
        session_status(&server, &old_session).await,
        401,
        "the old session is gone"
    );
    assert_eq!(
        session_status(&server, &session_cookie(&b).await).await,
        200,
        "this browser is signed in"
    );
    let changed = server.mail(email, "/account/recover").await;
    assert!(!changed.text.contains(NEW_PASSWORD));

    // The used link is dead, and says what to do.
    b.goto("about:blank").await;
    b.goto(&reset.link(&server.url("/account/reset#token=")))
        .await;
    b.text_until("main h2", |t| t == "Ссылка устарела или уже использована.")
        .await;
    b.goto(&server.url("/account/verify")).await;
    b.text_until("main h2", |t| t == "Ссылка устарела или уже использована.")
        .await;
    no_axe_violations(&b, "/account/verify without a token").await;

    b.stop().await;
    server.stop().await;
}

/// The whole registration by keyboard, as someone under 18: the policy's recommendation
/// appears with the year, and the permission checkbox is required.
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_registration_of_a_minor() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.goto(&server.url("/account/register")).await;
    b.answer_banner("reject").await;
    b.text_until("label[for='accept_policy']", |t| t.contains("(редакция 1)"))
        .await;
    let year: i64 = b
        .js("return new Date().getFullYear()")
        .await
        .as_i64()
        .unwrap();

    let active = |id: &'static str| format!("document.activeElement.id === '{id}'");
    for _ in 0..30 {
        if b.js("return document.activeElement.id").await == "first_name" {
            break;
        }
        b.press(TAB, false).await;
    }
    b.until(&active("first_name")).await;
    typed(&b, "Айгерим Касымова").await;
    b.press(TAB, false).await;
    // Leaving the field shows its rule's message next to it.
    b.text_until("#first_name-error", |t| {
        t == "Укажите только имя, без фамилии и отчества."
    })
    .await;
    b.until("document.getElementById('first_name').getAttribute('aria-invalid') === 'true'")
        .await;
    // Not only the message: the field itself gets the error border (2 px, the error colour).
    let border = b
        .js("const s = getComputedStyle(document.getElementById('first_name')); return s.borderTopWidth + ' ' + s.borderTopColor")
        .await;
    assert_eq!(
        border, "2px rgb(185, 28, 28)",
        "the error border of a field"
    );
    // Back in the field by keyboard, its text is selected: typing replaces it.
    b.press(TAB, true).await;
    b.until(&active("first_name")).await;
    typed(&b, "Айгерим").await;
    b.text_until("#first_name-error", str::is_empty).await;
    b.press(TAB, false).await;
    b.until(&active("email")).await;
    typed(&b, "teen@example.kz").await;
    b.press(TAB, false).await;
    b.until(&active("birth_year")).await;
    typed(&b, &(year - 15).to_string()).await;
    // As the year is typed, the notice appears right below it, worded for the person.
    b.text_until("[role='note'] h2", |t| {
        t == "Вам нет 18 лет: нужно разрешение родителей"
    })
    .await;
    assert_eq!(
        b.js("return document.getElementById('birth_year').closest('.field').nextElementSibling.querySelector('#guardian_consent') !== null")
            .await,
        true,
        "the guardian's permission comes right after the year"
    );
    b.press(TAB, false).await;
    b.until(&active("guardian_consent")).await;
    b.press(TAB, false).await;
    b.until("document.activeElement.name === 'gender'").await;
    b.press(TAB, false).await;
    b.until(&active("login")).await;
    typed(&b, "teen.k").await;
    b.press(TAB, false).await;
    b.until(&active("password")).await;
    typed(&b, "qwerty123456").await;
    b.press(TAB, false).await;
    b.text_until("#password-error", |t| t.contains("слишком распространён"))
        .await;
    b.press(TAB, true).await;
    b.until(&active("password")).await;
    typed(&b, PASSWORD).await;
    b.text_until("#password-error", str::is_empty).await;
    b.press(TAB, false).await;
    // The show-password switch, inside the field: reached by Tab, with a visible focus ring.
    b.until(&active("password-toggle")).await;
    assert_eq!(
        b.js("const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth")
            .await,
        "solid 3px"
    );
    b.press(SPACE, false).await;
    b.until("document.getElementById('password').type === 'text' && document.activeElement.getAttribute('aria-pressed') === 'true'")
        .await;
    b.press(SPACE, false).await;
    b.until("document.getElementById('password').type === 'password'")
        .await;
    b.press(TAB, false).await;
    b.until(&active("accept_policy")).await;
    b.press(SPACE, false).await;
    b.press(TAB, false).await; // the policy link inside the label
    b.press(TAB, false).await;
    b.until("document.activeElement.type === 'submit'").await;
    no_axe_violations(&b, "/account/register, under 18").await;
    b.press(ENTER, false).await;
    // Without the permission the form stops there, says why and puts focus on it.
    b.text_until("#guardian_consent-error", |t| {
        t == "Подтвердите разрешение родителя или законного представителя."
    })
    .await;
    b.until(&active("guardian_consent")).await;
    // A checkbox with an error gets a ring of the error colour.
    assert_eq!(
        b.js("const s = getComputedStyle(document.getElementById('guardian_consent')); return s.outlineStyle")
            .await,
        "solid"
    );
    no_axe_violations(&b, "/account/register with errors").await;
    b.press(SPACE, false).await;
    tab_to(&b, "register-submit").await;
    b.press(ENTER, false).await;
    b.text_until("main h2", |t| t == "Проверьте почту").await;
    server
        .mail("teen@example.kz", "/account/verify#token=")
        .await;

    // "Wrong address?": back to the form with everything kept, the address corrected, sent
    // again with another login (the first registration keeps its own until it is confirmed).
    click(&b, "#wrong-address").await;
    b.until(&active("email")).await;
    assert_eq!(
        b.js("return [document.getElementById('login').value, document.getElementById('guardian_consent').checked]")
            .await,
        serde_json::json!(["teen.k", true]),
        "what was typed is kept"
    );
    fill(&b, "#email", "teen2@example.kz").await;
    tab_to(&b, "register-submit").await;
    b.press(ENTER, false).await;
    b.until("document.getElementById('login').getAttribute('aria-invalid') === 'true'")
        .await;
    fill(&b, "#login", "teen.k2").await;
    tab_to(&b, "register-submit").await;
    b.press(ENTER, false).await;
    b.text_until("main h2", |t| t == "Проверьте почту").await;
    let second = server
        .mail("teen2@example.kz", "/account/verify#token=")
        .await;
    // The new link confirms and signs in.
    b.goto("about:blank").await;
    b.goto(&second.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
    // The success takes the focus (for screen readers) without the orange ring of a warning.
    b.until("document.activeElement.classList.contains('outcome-heading') && getComputedStyle(document.activeElement).outlineStyle === 'none'")
        .await;
    // The used link again, signed in and confirmed: it says so, and leads on.
    b.goto("about:blank").await;
    b.goto(&second.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("#verify-already h2", |t| t == "Адрес уже подтверждён")
        .await;
    let text = b.text_until("#verify-already", |t| !t.is_empty()).await;
    assert!(
        text.contains("teen2@example.kz") && !text.contains("ещё раз"),
        "{text}"
    );
    exists(&b, "#verify-already a[href='/account']").await;
    no_axe_violations(&b, "/account/verify, already confirmed").await;

    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_registering_browser_asks_again_and_confirms_in_english() {
    let server = Server::start().await;
    // The server's first view draws the same show-password switch as the app.
    let (status, _, body) = http_get(&server.addr, "/account/register", &[]).await;
    let html = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"password-toggle\"")
            && html.contains("aria-pressed=\"false\"")
            && html.contains("password-toggle__icon"),
        "the switch in the first view"
    );
    let b = Browser::start().await;
    b.goto(&server.url("/account/register")).await;
    b.answer_banner("reject").await;
    // The languages sit in the header's menu (folded): pressed as the menu would.
    b.ready().await;
    b.js("document.querySelector('.lang-switcher button[lang=en]').click(); return null")
        .await;
    b.text_until("h1", |t| t == "Create an account").await;
    // At 320 px nothing scrolls sideways and nothing is hidden.
    b.client.set_window_size(320, 900).await.unwrap();
    b.until("window.innerWidth <= 320").await;
    b.until("document.documentElement.scrollWidth <= window.innerWidth")
        .await;
    no_axe_violations(&b, "/account/register at 320 px").await;
    // The show-password switch is an icon inside the field: the field keeps the form's whole
    // width, and the switch is a 44 px target named for what it does.
    let sizes = b
        .js("const r = id => document.getElementById(id).getBoundingClientRect(); \
             const p = r('password'), f = r('first_name'), t = r('password-toggle'); \
             return [Math.round(p.width - f.width), t.width >= 44 && t.height >= 44, \
                     t.left >= p.left && t.right <= p.right + 0.5 && t.top >= p.top - 0.5 && t.bottom <= p.bottom + 0.5]")
        .await;
    assert_eq!(
        sizes,
        serde_json::json!([0, true, true]),
        "password field and its switch at 320 px"
    );
    assert_eq!(
        b.js("const t = document.getElementById('password-toggle'); return [t.getAttribute('aria-label'), t.getAttribute('aria-pressed'), t.textContent.trim()]")
            .await,
        serde_json::json!(["Show password", "false", ""])
    );
    b.client.set_window_size(1280, 900).await.unwrap();
    fill(&b, "#first_name", "Aigerim").await;
    fill(&b, "#email", "en@example.kz").await;
    fill(&b, "#birth_year", "1985").await;
    fill(&b, "#login", "english").await;
    fill(&b, "#password", PASSWORD).await;
    b.text_until("label[for='accept_policy']", |t| t.contains("(version 1)"))
        .await;
    b.find("#accept_policy").await.click().await.unwrap();
    submit(&b).await;
    b.text_until("main h2", |t| t == "Check your e-mail").await;
    let verification = server.mail("en@example.kz", "/account/verify#token=").await;
    assert!(
        verification.html.contains("lang=\"en\""),
        "the e-mail is in the interface language"
    );

    // "Send again" right on that page, once a minute: after a letter went, the button waits
    // and the time left counts down beside it; pressed meanwhile, it sends nothing.
    click(&b, "#resend-verification").await;
    b.text_until("#resend-status", |t| t == "Sent. Check your e-mail.")
        .await;
    let left = |t: &str| {
        t.strip_prefix("You can send it again in: ")
            .and_then(|s| s.strip_suffix(" s"))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let before = b.text_until("#resend-wait", |t| left(t).is_some()).await;
    b.until(
        "document.getElementById('resend-verification').getAttribute('aria-disabled') === 'true'",
    )
    .await;
    click(&b, "#resend-verification").await;
    b.text_until("#resend-wait", |t| left(t) < left(&before))
        .await;
    assert_eq!(
        b.text_until("#resend-status", |_| true).await,
        "Sent. Check your e-mail."
    );
    no_axe_violations(&b, "/account/register, check your e-mail").await;
    assert_eq!(
        server
            .mails()
            .iter()
            .filter(|m| m.to == "en@example.kz")
            .count(),
        2,
        "the second request was throttled"
    );

    // Before the address is confirmed, the password signs nobody in; the message says why it may be.
    b.goto(&server.url("/account/login")).await;
    sign_in(&b, "en@example.kz", PASSWORD).await;
    b.text_until(".form-alert", |t| {
        t.starts_with("Wrong login or password.") && t.contains("confirm your address")
    })
    .await;
    assert!(b.client.get_named_cookie("fk_session").await.is_err());

    // The newest link, in the browser that registered: confirmed and signed in, no password asked.
    let newest = server
        .mails()
        .into_iter()
        .rfind(|m| m.to == "en@example.kz")
        .unwrap();
    b.goto(&newest.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Your address is confirmed"))
        .await;
    assert!(b.client.get_named_cookie("fk_session").await.is_ok());

    // Sign out everywhere (the sign-in was just now: no password asked).
    b.goto(&server.url("/account")).await;
    b.find("#sign-out-everywhere").await.click().await.unwrap();
    b.until("location.pathname === '/account/login'").await;
    b.goto(&server.url("/account")).await;
    b.until("location.pathname === '/account/login'").await;

    b.stop().await;
    server.stop().await;
}

/// The link opened in another browser (a phone's mail app, say): the password chosen at
/// registration first, so nobody is signed into an account whose password someone else chose.
#[tokio::test(flavor = "multi_thread")]
async fn the_link_in_another_browser_asks_for_the_password() {
    let server = Server::start().await;
    let (status, _, _) = fk_e2e::call(
        &server,
        "POST",
        "/api/account/register",
        fk_e2e::registration("elsewhere", "elsewhere@example.kz"),
        None,
    )
    .await;
    assert_eq!(status, 202);
    let link = server
        .mail("elsewhere@example.kz", "/account/verify#token=")
        .await
        .link(&server.url("/account/verify#token="));
    let b = Browser::start().await;
    // A browser that has answered the cookie banner before (on a first visit the banner
    // takes the focus, and gives it back to where it was).
    b.goto(&server.url("/policy")).await;
    b.answer_banner("reject").await;
    b.goto(&link).await;
    b.text_until("main h2", |t| t == "Введите пароль").await;
    b.until("document.activeElement.id === 'password'").await;
    no_axe_violations(&b, "/account/verify, the password asked").await;
    typed(&b, "не тот пароль вовсе").await;
    b.press(ENTER, false).await;
    b.text_until("#password-error", |t| t == "Неверный пароль.")
        .await;
    b.find("#password").await.clear().await.unwrap();
    fill(&b, "#password", PASSWORD).await;
    b.press(ENTER, false).await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
    assert_eq!(
        session_status(&server, &session_cookie(&b).await).await,
        200
    );

    b.stop().await;
    server.stop().await;
}
