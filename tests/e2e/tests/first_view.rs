//! Every page paints before WebAssembly: the server sends each page's first view, the app
//! takes it over without a shift and without losing what the visitor did meanwhile.
use fk_e2e::{signed_up, Browser, HoldingProxy, Server, APP_READY, PASSWORD};

/// The app's WebAssembly bundles this page has fetched, by name (`fk-signed-out`, …).
const BUNDLES: &str = "return performance.getEntriesByType('resource')
    .map(e => e.name.split('/').pop()).filter(n => n.endsWith('_bg.wasm'))
    .map(n => n.replace(/-[0-9a-f]+_bg\\.wasm$/, ''));";

/// Requests that failed (4xx/5xx) on this page: Chromium logs each as a console error.
const FAILED_REQUESTS: &str = "return performance.getEntriesByType('resource')
    .filter(e => e.responseStatus >= 400).map(e => e.responseStatus + ' ' + e.name);";

#[tokio::test(flavor = "multi_thread")]
async fn without_javascript_the_policy_and_the_forms_are_there() {
    let server = Server::start().await;
    let b = Browser::start_with(&["--blink-settings=scriptEnabled=false"]).await;

    b.client.goto(&server.url("/policy")).await.unwrap();
    b.text_until("#policy-title", |t| t == "Политика конфиденциальности")
        .await;
    b.text_until(".policy-meta", |t| t.starts_with("Редакция 1"))
        .await;
    assert_eq!(
        b.count(".toc li a[href^='#section-']").await,
        9,
        "the contents"
    );
    assert!(b.count("[id='6.4']").await == 1, "clause anchors");
    let body = b.find("#main").await.text().await.unwrap();
    assert!(
        body.contains("К настоящей Политике имеют доступ все Пользователи Сервиса без исключения."),
        "the whole text, to its last section (clause 9.2)"
    );
    assert_eq!(
        b.count("#noscript-policy").await,
        0,
        "the text once, not again in <noscript>"
    );

    b.client
        .goto(&server.url("/policy/versions"))
        .await
        .unwrap();
    b.find("a[href='/policy/versions/1']").await;

    b.client.goto(&server.url("/account/login")).await.unwrap();
    for label in ["label[for='login']", "label[for='password']"] {
        assert!(b.find(label).await.is_displayed().await.unwrap(), "{label}");
    }
    b.client
        .goto(&server.url("/account/register"))
        .await
        .unwrap();
    b.find("label[for='email']").await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_view_is_readable_before_the_app_and_nothing_done_is_lost() {
    let server = Server::start().await;
    signed_up(&server, "aliya.first", "aliya@example.kz").await;
    let proxy = HoldingProxy::start(&server.addr).await;
    let b = Browser::start_eager(&["--window-size=390,844"]).await;

    // A reader of the policy never downloads the app: the page is whole without it.
    b.client.goto(&proxy.url("/policy")).await.unwrap();
    b.until("document.readyState === 'complete'").await;
    // Absence can only be seen by waiting: past the frames after which the app used to load.
    b.js_async("requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 1000)))")
        .await;
    assert_eq!(
        proxy.wasm_asked(),
        0,
        "reading the policy loads no WebAssembly"
    );
    assert!(b.axe().await.is_empty(), "{:?}", b.axe().await);

    // The sign-in form, the app held back: a visitor types (which asks for the app), then
    // signs in before it has arrived; the app takes the press over, with what was typed.
    b.client.goto(&proxy.url("/account/login")).await.unwrap();
    let login = b.find("#login").await;
    assert!(
        !b.js("return document.documentElement.hasAttribute('data-app')")
            .await
            .as_bool()
            .unwrap(),
        "the app must still be held back"
    );
    login.send_keys("aliya.first").await.unwrap();
    proxy.until_wasm_asked("typing asks for the app").await;
    proxy.release();
    b.until(APP_READY).await;
    b.until("document.activeElement && document.activeElement.id === 'login'")
        .await;
    assert_eq!(
        b.js("return document.getElementById('login').value").await,
        "aliya.first",
        "what was typed before the app came is still there"
    );
    assert_eq!(
        b.layout_shift().await,
        0.0,
        "no shift when the app takes over"
    );
    assert!(b.axe().await.is_empty(), "{:?}", b.axe().await);
    drop(proxy);

    let proxy = HoldingProxy::start(&server.addr).await;
    b.client.goto(&proxy.url("/account/login")).await.unwrap();
    b.find("#login")
        .await
        .send_keys("aliya.first")
        .await
        .unwrap();
    let password = b.find("#password").await;
    password.send_keys(PASSWORD).await.unwrap();
    // Enter in the form presses its sign-in button.
    password.send_keys("\u{E007}").await.unwrap();
    assert_eq!(
        b.js("return location.pathname + document.documentElement.className")
            .await,
        "/account/loginfk-arriving",
        "the press waits for the app, and says so"
    );
    proxy.release();
    b.until(
        "location.pathname === '/account' && document.documentElement.hasAttribute('data-app')",
    )
    .await;
    b.find(".section-nav").await;
    drop(proxy);

    // The policy at a clause, held back again: the clause is there (the browser went to it),
    // readable, and once the app has come it is marked and focused.
    let proxy = HoldingProxy::start(&server.addr).await;
    b.client.goto(&proxy.url("/policy#6.4")).await.unwrap();
    b.find("[id='6.4']").await;
    let before = b.axe().await;
    assert!(before.is_empty(), "the first view: {before:?}");
    let policy_fetches = "return performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/api/policy/')).length";
    proxy.release();
    b.until(APP_READY).await;
    b.until("document.activeElement && document.activeElement.id === '6.4'")
        .await;
    b.until("document.getElementById('6.4').classList.contains('targeted')")
        .await;
    assert_eq!(
        b.layout_shift().await,
        0.0,
        "no shift when the app takes over"
    );
    assert_eq!(
        b.js(policy_fetches).await,
        0,
        "the policy is not fetched again to draw what is on the page"
    );
    let after = b.axe().await;
    assert!(after.is_empty(), "after the app: {after:?}");
    drop(proxy);

    // A press with nothing before it (what a screen reader's double tap or voice control
    // sends): held, it asks for the app itself, and the app makes it.
    let proxy = HoldingProxy::start(&server.addr).await;
    b.client.goto(&proxy.url("/policy/versions")).await.unwrap();
    b.until("document.readyState === 'complete'").await;
    assert_eq!(proxy.wasm_asked(), 0);
    b.js("document.querySelector('.lang-switcher button[lang=en]').click(); return null")
        .await;
    proxy.until_wasm_asked("the press asks for the app").await;
    assert_eq!(b.js("return document.documentElement.lang").await, "ru");
    proxy.release();
    b.until("document.documentElement.hasAttribute('data-app') && document.documentElement.lang === 'en'")
        .await;
    b.text_until("#main h1", |t| t == "Policy versions").await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_out_visit_logs_no_failed_request() {
    let server = Server::start().await;
    let b = Browser::start().await;
    for page in [
        "/policy",
        "/policy/versions",
        "/cookies",
        "/account/login",
        "/account/register",
        "/account/recover",
    ] {
        b.goto(&server.url(page)).await;
        b.find("#main h1").await;
        assert_eq!(b.js(FAILED_REQUESTS).await, serde_json::json!([]), "{page}");
        let asked = "return performance.getEntriesByType('resource')
            .some(e => e.name.includes('/api/account/session'))";
        assert_eq!(
            b.js(asked).await,
            false,
            "{page}: a visitor without a session is not asked who they are"
        );
    }
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_downloads_the_signed_in_pages_and_not_before() {
    let server = Server::start().await;
    signed_up(&server, "dana", "dana@example.kz").await;
    let b = Browser::start().await;

    // Between the signed-out pages, the router: no other bundle, no new page.
    b.goto(&server.url("/account/register")).await;
    b.answer_banner("reject").await;
    b.js("window.samePage = true; return null").await;
    b.find("a[href='/account/login']")
        .await
        .click()
        .await
        .unwrap();
    b.until("location.pathname === '/account/login'").await;
    b.find("a[href='/account/register']")
        .await
        .click()
        .await
        .unwrap();
    b.until("location.pathname === '/account/register'").await;
    b.find("#first_name").await;
    assert_eq!(b.js("return window.samePage === true").await, true);
    assert_eq!(b.js(BUNDLES).await, serde_json::json!(["fk-signed-out"]));

    // The section's address, signed out: the sign-in page at once, with the way back.
    b.goto(&server.url("/account/orders?page=2")).await;
    let at = b.js("return location.pathname + location.search").await;
    assert_eq!(at, "/account/login?next=%2Faccount%2Forders%3Fpage%3D2");
    b.js("window.samePage = true; return null").await;
    b.find("#login").await.send_keys("dana").await.unwrap();
    b.find("#password").await.send_keys(PASSWORD).await.unwrap();
    b.find("form.account-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    // Signed in, the browser loads the section's page, and with it the section's bundle.
    b.until("location.pathname === '/account/orders' && document.documentElement.hasAttribute('data-app') && !window.samePage")
        .await;
    b.find(".section-nav").await;
    assert_eq!(b.js(BUNDLES).await, serde_json::json!(["fk-account"]));
    assert_eq!(b.js("return location.search").await, "?page=2");
    b.stop().await;
    server.stop().await;
}
