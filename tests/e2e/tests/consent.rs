//! Cookie consent end to end: the banner on the Privacy Center and embedded in a page on
//! another origin, script gating, withdrawal, proof of consent, GPC, asking again, keyboard.
use fk_e2e::keys::{ENTER, ESCAPE, TAB};
use fk_e2e::{http_get, Browser, HostSite, Page, Server, BANNER as SHADOW};
use serde_json::Value;

const NONCE: &str = "n0nce4test";
/// How many `.wasm` files the page has fetched (cross-origin ones included, by name).
const WASM_FETCHED: &str =
    "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length;";

/// What the visitor's browser says about itself, set before the loader runs.
#[derive(Clone, Copy, PartialEq)]
enum Visitor {
    Plain,
    /// Sends Global Privacy Control.
    Gpc,
    /// Refuses cookies.
    NoCookies,
}

/// A shop page on another origin: strict CSP, hostile CSS, two gated scripts.
fn shop_page(server: &str, visitor: Visitor) -> Page {
    shop_page_with(server, visitor, "'wasm-unsafe-eval'")
}

/// The shop page, its `script-src` ending in `wasm`: what it allows of WebAssembly.
fn shop_page_with(server: &str, visitor: Visitor, wasm: &str) -> Page {
    let property = match visitor {
        Visitor::Plain => None,
        Visitor::Gpc => Some("globalPrivacyControl', { get: () => true"),
        Visitor::NoCookies => Some("cookieEnabled', { get: () => false"),
    };
    let gpc = property
        .map(|p| format!("<script nonce=\"{NONCE}\">Object.defineProperty(Navigator.prototype, '{p} }});</script>"))
        .unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Магазин</title>
<style nonce="{NONCE}">* {{ color: red !important; font-size: 31px !important; }} button {{ display: none !important; }} div, section {{ background: lime !important; }} .fk-banner, .fk-btn {{ display: none !important; }}</style>
{gpc}
<script src="{server}/consent.js" data-api="{server}"></script>
<script type="text/plain" data-category="statistics" nonce="{NONCE}">window.ranStats = (window.ranStats || 0) + 1; document.cookie = "_ga=GA1.2.3; path=/"; document.cookie = "_ga_ABC=GS1.1; path=/";</script>
<script type="text/plain" data-category="marketing" nonce="{NONCE}">window.ranMarketing = (window.ranMarketing || 0) + 1;</script>
</head><body><h1>Магазин ForteKassa</h1><p>Товары и цены.</p></body></html>"#
    );
    // Violations are reported to the server under test, which logs them: the embedded banner
    // must work under the host page's strict policy without breaking it.
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{NONCE}' {server} {wasm}; style-src 'nonce-{NONCE}' {server}; connect-src {server}; img-src 'self'; report-uri {server}/api/csp-report"
    );
    Page::html(html).with_header("Content-Security-Policy", &csp)
}

async fn shop(visitor: Visitor) -> (Server, HostSite) {
    let (listener, origin) = HostSite::bind().await;
    let server = Server::start_with(&[("FK_ALLOWED_ORIGINS", &origin)]).await;
    let api = server.url("");
    let site = HostSite::serve(
        listener,
        origin,
        vec![
            ("/shop", shop_page(&api, visitor)),
            ("/no-wasm", shop_page_with(&api, visitor, "")),
        ],
    );
    (server, site)
}

async fn receipts(server: &Server, id: &str) -> Vec<Value> {
    let (status, _, body) = http_get(&server.addr, &format!("/api/consent/{id}"), &[]).await;
    if status != 200 {
        return Vec::new();
    }
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["receipts"].as_array().cloned().unwrap_or_default()
}

async fn consent_id(b: &Browser) -> String {
    b.until("window.fkConsent && fkConsent.get() !== null")
        .await;
    b.js("return fkConsent.get().id;")
        .await
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits until the server holds `count` receipts for the visitor (recording never blocks the page).
async fn until_receipts(server: &Server, id: &str, count: usize) -> Vec<Value> {
    fk_e2e::wait_for(|| async {
        let r = receipts(server, id).await;
        (r.len() == count).then_some(r)
    })
    .await
    .unwrap_or_else(|| panic!("the server never held {count} receipts for {id}"))
}

async fn shadow_click(b: &Browser, selector: &str) {
    b.until(&format!("{SHADOW}?.querySelector(\"{selector}\")"))
        .await;
    b.js(&format!("{SHADOW}.querySelector(\"{selector}\").click();"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_banner_gates_scripts_records_receipts_and_withdraws() {
    let (server, site) = shop(Visitor::Plain).await;
    let b = Browser::start().await;
    b.goto(&site.url("/shop")).await;

    // Rendered in its shadow root, untouched by the host page's hostile CSS.
    b.until(&format!("{SHADOW}?.querySelector('.fk-banner')"))
        .await;
    b.until(&format!(
        "(() => {{ const btn = {SHADOW}.querySelector(\"[data-action='accept']\"); const s = getComputedStyle(btn);
            return btn.getBoundingClientRect().width > 0 && s.display !== 'none' && s.fontSize !== '31px' && s.color !== 'rgb(255, 0, 0)'; }})()"
    ))
    .await;
    assert_eq!(
        b.js("return window.ranStats === undefined && window.ranMarketing === undefined;")
            .await,
        true
    );
    assert_eq!(
        b.js(WASM_FETCHED).await,
        0,
        "the first view needs no WebAssembly"
    );

    // Customise, then Escape: the banner comes back and takes focus (what opened the dialog is gone).
    shadow_click(&b, ".fk-banner [data-action='customise']").await;
    b.until(&format!("{SHADOW}?.querySelector('dialog[open]')"))
        .await;
    b.press(ESCAPE, false).await;
    b.until(&format!(
        "{SHADOW}.activeElement?.dataset.action === 'customise'"
    ))
    .await;

    // Reject all: nothing gated runs, the cookie is stored, the receipt reaches the server.
    shadow_click(&b, "[data-action='reject']").await;
    let id = consent_id(&b).await;
    assert!(b
        .js("return document.cookie")
        .await
        .as_str()
        .unwrap()
        .contains("fk_consent=1."));
    let first = until_receipts(&server, &id, 1).await;
    assert_eq!(first[0]["categories"], serde_json::json!(["necessary"]));
    assert_eq!(first[0]["ip_truncated"], "127.0.0.0");
    assert_eq!(b.js("return window.ranStats === undefined;").await, true);
    b.until(&format!("!{SHADOW}.querySelector('.fk-banner')"))
        .await;

    // Accept all from the preferences: both scripts run once, with their nonce under the CSP.
    b.js("fkConsent.showPreferences();").await;
    b.until(&format!("{SHADOW}?.querySelector('dialog[open]')"))
        .await;
    shadow_click(&b, "dialog [data-action='accept']").await;
    b.until("window.ranStats === 1 && window.ranMarketing === 1")
        .await;
    // A gated script added later runs too, and nothing runs twice.
    b.js(&format!(
        "const s = document.createElement('script'); s.type = 'text/plain'; s.dataset.category = 'statistics'; s.nonce = '{NONCE}';
         s.textContent = 'window.ranLate = (window.ranLate || 0) + 1;'; document.body.appendChild(s);"
    ))
    .await;
    b.until("window.ranLate === 1").await;
    b.js("fkConsent.set(['statistics', 'marketing', 'preferences']);")
        .await;
    assert_eq!(
        b.js("return [window.ranStats, window.ranMarketing, window.ranLate];")
            .await,
        serde_json::json!([1, 1, 1])
    );
    b.until("document.cookie.includes('_ga=') && document.cookie.includes('_ga_ABC=')")
        .await;

    // Withdraw statistics: its listed cookies are deleted, and after a reload it does not run.
    b.js("fkConsent.showPreferences();").await;
    b.until(&format!(
        "{SHADOW}?.querySelector('dialog[open] #fk-allow-statistics')?.checked === true"
    ))
    .await;
    shadow_click(&b, "#fk-allow-statistics").await;
    shadow_click(&b, "dialog [data-action='save']").await;
    b.until("!document.cookie.includes('_ga=') && !document.cookie.includes('_ga_ABC=')")
        .await;
    assert_eq!(b.js("return fkConsent.allowed('statistics') === false && fkConsent.allowed('marketing') === true;").await, true);
    let history = until_receipts(&server, &id, 4).await;
    assert_eq!(
        history[0]["categories"],
        serde_json::json!(["necessary", "preferences", "marketing"])
    );

    // A returning visitor: no banner, marketing runs, statistics does not, and no wasm is fetched.
    b.client.refresh().await.unwrap();
    b.until("window.ranMarketing === 1").await;
    assert_eq!(b.js("return window.ranStats === undefined;").await, true);
    assert_eq!(
        b.js(WASM_FETCHED).await,
        0,
        "a returning visitor downloads no banner"
    );
    assert_eq!(
        b.js("return document.getElementById('fk-consent');").await,
        Value::Null
    );
    // fkConsent.show() still brings the banner to a visitor who has chosen.
    b.js("fkConsent.show();").await;
    b.until(&format!("{SHADOW}?.querySelector('.fk-banner')"))
        .await;
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_view_answers_without_webassembly() {
    let (server, site) = shop(Visitor::Plain).await;
    let b = Browser::start().await;
    b.goto(&site.url("/shop")).await;
    find_banner(&b).await;
    // The policy link leads to the Privacy Center, not to the shop.
    let policy = b
        .js(&format!(
            "return {SHADOW}.querySelector('.fk-banner a').href;"
        ))
        .await;
    assert_eq!(policy, server.url("/policy#section-6"));
    shadow_click(&b, ".fk-banner [data-action='accept']").await;
    let id = consent_id(&b).await;
    b.until("window.ranStats === 1 && window.ranMarketing === 1")
        .await;
    let r = until_receipts(&server, &id, 1).await;
    assert_eq!(
        r[0]["categories"],
        serde_json::json!(["necessary", "preferences", "statistics", "marketing"])
    );
    assert!(b
        .js("return document.cookie")
        .await
        .as_str()
        .unwrap()
        .contains("fk_consent=1."));
    assert_eq!(
        b.js(WASM_FETCHED).await,
        0,
        "accepting needs no WebAssembly"
    );
    server.assert_no_csp_violations(&b).await;

    // A page whose policy forbids WebAssembly: "customise" says at once that the settings
    // load, then that they could not, with a retry; the banner's own buttons still answer.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&site.url("/no-wasm")).await;
    find_banner(&b).await;
    let loading_at_once = format!(
        "{SHADOW}.querySelector(\"[data-action='customise']\").click(); return !{SHADOW}.querySelector('[data-fk=loading]').hidden;"
    );
    assert_eq!(
        b.js(&loading_at_once).await,
        true,
        "the click shows that the dialog loads"
    );
    b.until(&format!(
        "!{SHADOW}.querySelector('[data-fk=failed]').hidden"
    ))
    .await;
    assert_eq!(
        b.js(&format!(
            "return {SHADOW}.querySelector('[data-fk=loading]').hidden;"
        ))
        .await,
        true
    );
    shadow_click(&b, "[data-action='retry']").await;
    b.until(&format!(
        "!{SHADOW}.querySelector('[data-fk=failed]').hidden"
    ))
    .await;
    shadow_click(&b, ".fk-banner [data-action='reject']").await;
    let id = consent_id(&b).await;
    let r = until_receipts(&server, &id, 1).await;
    assert_eq!(r[0]["categories"], serde_json::json!(["necessary"]));
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn gpc_keeps_marketing_off_until_the_user_says_otherwise() {
    let (server, site) = shop(Visitor::Gpc).await;
    let b = Browser::start().await;
    b.goto(&site.url("/shop")).await;
    b.until(&format!(
        "{SHADOW}?.querySelector('.fk-banner .fk-note:not([hidden])')"
    ))
    .await;
    shadow_click(&b, ".fk-banner [data-action='accept']").await;
    let id = consent_id(&b).await;
    b.until("window.ranStats === 1").await;
    assert_eq!(
        b.js(
            "return window.ranMarketing === undefined && fkConsent.allowed('marketing') === false;"
        )
        .await,
        true
    );
    let r = until_receipts(&server, &id, 1).await;
    assert_eq!(r[0]["gpc"], true);
    assert_eq!(
        r[0]["categories"],
        serde_json::json!(["necessary", "preferences", "statistics"])
    );
    // An explicit switch wins over the signal.
    b.js("fkConsent.showPreferences();").await;
    b.until(&format!(
        "{SHADOW}?.querySelector('dialog[open] #fk-allow-marketing')"
    ))
    .await;
    shadow_click(&b, "#fk-allow-marketing").await;
    shadow_click(&b, "dialog [data-action='save']").await;
    b.until("window.ranMarketing === 1").await;
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

/// Waits for the banner in its shadow root.
async fn find_banner(b: &Browser) {
    b.until(&format!("{SHADOW}?.querySelector('.fk-banner')"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_ask_again_and_a_forged_cookie_is_no_choice() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cookies.json");
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/cookies.json"
    ))
    .unwrap();
    std::fs::write(&config, &original).unwrap();
    let server = Server::start_with(&[("FK_CONSENT_CONFIG", config.to_str().unwrap())]).await;
    let b = Browser::start().await;
    b.goto(&server.url("/policy")).await;
    b.answer_banner("accept").await;
    b.client.refresh().await.unwrap();
    assert!(!b.banner_shown().await, "a valid choice is not asked again");

    // The operator adds a cookie: a new revision, asked again.
    std::fs::write(&config, original.replacen("\"_fbp\"", "\"_fbp_v2\"", 1)).unwrap();
    b.client.refresh().await.unwrap();
    find_banner(&b).await;
    b.answer_banner("accept").await;

    // A new policy version: asked again.
    let ru = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/ru.md"))
        .unwrap();
    let file = server.dir.path().join("v2.md");
    std::fs::write(&file, format!("{ru}\n9.3. Новый пункт.\n")).unwrap();
    assert!(server
        .cli(&["policy", "publish", "--lang", "ru", file.to_str().unwrap()])
        .await
        .status
        .success());
    b.client.refresh().await.unwrap();
    find_banner(&b).await;
    b.answer_banner("reject").await;

    // A forged cookie (unknown category, wrong shape) is no choice at all.
    let forged = "btoa(JSON.stringify({id: fkConsent.get().id, c: ['necessary', 'everything'], r: fkConsent.setup.revision, p: fkConsent.setup.policyVersion, t: Math.floor(Date.now() / 1000)})).replace(/=+$/, '')";
    b.js(&format!(
        "document.cookie = 'fk_consent=1.' + {forged} + '; path=/';"
    ))
    .await;
    b.client.refresh().await.unwrap();
    find_banner(&b).await;
    assert_eq!(b.js("return fkConsent.get();").await, Value::Null);
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dialog_works_by_keyboard_alone_and_passes_axe() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.goto(&server.url("/policy")).await;
    find_banner(&b).await;
    // The banner comes before the app: check the page once both are there.
    b.find("main h1").await;
    let violations = b.axe().await;
    assert!(violations.is_empty(), "banner: {violations:#?}");

    // "Customise" from the keyboard opens the dialog: the banner module's, loaded now, in
    // the same shadow root.
    b.js(&format!(
        "{SHADOW}.querySelector(\".fk-banner [data-action='customise']\").focus();"
    ))
    .await;
    b.press(ENTER, false).await;
    let inside = format!("{SHADOW}.querySelector('dialog[open]').contains({SHADOW}.activeElement)");
    b.until(&format!(
        "{SHADOW}?.querySelector('dialog[open] #fk-allow-statistics')"
    ))
    .await;
    b.until(&inside).await;
    let violations = b.axe().await;
    assert!(violations.is_empty(), "dialog: {violations:#?}");

    // Tab stays inside, both ways.
    for _ in 0..25 {
        b.press(TAB, false).await;
        assert_eq!(b.js(&format!("return {inside};")).await, true);
    }
    b.js(&format!(
        "{SHADOW}.querySelector('dialog[open] .fk-close').focus();"
    ))
    .await;
    b.press(TAB, true).await;
    assert_eq!(
        b.js(&format!("return {SHADOW}.activeElement.dataset.action;"))
            .await,
        "reject",
        "Shift+Tab from the first goes to the last"
    );

    // Escape closes without a choice: the question stays, and focus is back on "customise".
    b.press(ESCAPE, false).await;
    b.until(&format!("!{SHADOW}.querySelector('dialog[open]')"))
        .await;
    b.until(&format!(
        "{SHADOW}?.activeElement?.dataset?.action === 'customise'"
    ))
    .await;

    // A choice made by keyboard.
    b.press(ENTER, false).await;
    b.until(&format!(
        "{SHADOW}?.querySelector('dialog[open] #fk-allow-statistics')"
    ))
    .await;
    b.js(&format!(
        "{SHADOW}.getElementById('fk-allow-statistics').focus();"
    ))
    .await;
    b.press(" ", false).await;
    b.until(&format!(
        "{SHADOW}.getElementById('fk-allow-statistics').checked"
    ))
    .await;
    b.js(&format!(
        "{SHADOW}.querySelector(\"dialog[open] [data-action='save']\").focus();"
    ))
    .await;
    b.press(ENTER, false).await;
    let id = consent_id(&b).await;
    b.until(&format!("!{SHADOW}.querySelector('.fk-banner')"))
        .await;
    // What opened the dialog went with the banner: focus is on the page's title, not lost
    // to <body>, and the page did not jump.
    b.until("document.activeElement === document.querySelector('main h1')")
        .await;

    // The receipt shows on the cookie page and in the dialog.
    b.goto(&server.url("/cookies")).await;
    b.text_until(".receipt code", |t| t == id).await;
    b.text_until(".cookies-current", |t| {
        t.contains("Статистика") && !t.contains("Маркетинг")
    })
    .await;
    b.js("fkConsent.showPreferences();").await;
    b.until(&format!(
        "{SHADOW}?.querySelector('dialog[open] .fk-receipt__id')?.textContent === '{id}'"
    ))
    .await;
    b.press(ESCAPE, false).await;
    b.until(&format!("!{SHADOW}.querySelector('dialog[open]')"))
        .await;

    // Withdrawing is one click.
    b.find("[data-action='withdraw']")
        .await
        .click()
        .await
        .unwrap();
    b.until("fkConsent.allowed('statistics') === false").await;
    until_receipts(&server, &id, 2).await;
    // The banner, its dialog and the cookie page ran under the strict CSP without a violation.
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

/// `/cookies` is the settings themselves: a first visit chooses there (no banner over it),
/// "withdraw" only once there is something to withdraw, and each change is said with its time,
/// focus on that line.
#[tokio::test(flavor = "multi_thread")]
async fn the_cookie_page_is_the_choice_and_says_what_changed() {
    let server = Server::start().await;
    // The server's first view carries the mark, so the loader never paints the banner there,
    // not even before the app arrives.
    let (_, _, html) = http_get(&server.addr, "/cookies", &[]).await;
    assert!(String::from_utf8_lossy(&html).contains("data-fk-choice"));
    let b = Browser::start().await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.goto(&server.url("/cookies")).await;
    let switch = "main #fk-allow-statistics";
    b.find(switch).await;
    assert!(
        !b.banner_shown().await,
        "no banner over the page that asks itself"
    );
    assert_eq!(
        b.count("[data-action='withdraw']").await,
        0,
        "nothing to withdraw yet"
    );
    assert_eq!(b.count("main [data-action='reject']").await, 1);
    assert_eq!(b.count("main [data-action='accept']").await, 1);
    // The cookies of each category are listed on the page.
    assert!(b.count("main .fk-cookies table").await >= 4);
    let violations = b.axe().await;
    assert!(violations.is_empty(), "cookie page: {violations:#?}");

    // A first choice: statistics on, saved.
    b.find(switch).await.click().await.unwrap();
    b.find("main [data-action='save']")
        .await
        .click()
        .await
        .unwrap();
    b.until("fkConsent.allowed('statistics') && !fkConsent.allowed('marketing')")
        .await;
    let hhmm = |t: &str, what: &str| {
        t.lines().any(|l| {
            l.strip_prefix(what)
                .is_some_and(|rest| rest.len() == 5 && rest.as_bytes()[2] == b':')
        })
    };
    b.text_until("#cookie-status", |t| {
        hhmm(t, "Статистика: включены с ") && hhmm(t, "Маркетинг: выключены с ")
    })
    .await;
    b.until("document.activeElement?.id === 'cookie-status'")
        .await;
    // Now there is a choice to withdraw; withdrawing says what went off.
    b.find("[data-action='withdraw']")
        .await
        .click()
        .await
        .unwrap();
    b.until("fkConsent.allowed('statistics') === false").await;
    b.text_until("#cookie-status", |t| {
        hhmm(t, "Статистика: выключены с ") && !t.contains("Маркетинг")
    })
    .await;
    b.until("document.activeElement?.id === 'cookie-status'")
        .await;
    assert!(!b.banner_shown().await);
    let violations = b.axe().await;
    assert!(violations.is_empty(), "after a change: {violations:#?}");

    // Leaving the page unanswered brings the banner back; coming back sends it away again.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&server.url("/cookies")).await;
    b.find(switch).await;
    assert!(!b.banner_shown().await);
    b.js(
        "document.querySelector('main a[href^=\"/policy\"], header a[href=\"/policy\"]').click();",
    )
    .await;
    b.find("#policy-title").await;
    find_banner(&b).await;
    b.js("history.back();").await;
    b.find(switch).await;
    b.until(&format!("!{SHADOW}?.querySelector('.fk-banner')"))
        .await;
    b.stop().await;
    server.stop().await;
}

/// Makes the open page's viewport (not the window around it) `width` x `height`.
async fn phone_viewport(b: &Browser, width: i64, height: i64) {
    let (mut w, mut h) = (width, height);
    for _ in 0..4 {
        b.client.set_window_size(w as u32, h as u32).await.unwrap();
        let inner = b.js("return [innerWidth, innerHeight];").await;
        let (iw, ih) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
        if (iw, ih) == (width, height) {
            return;
        }
        (w, h) = (w + width - iw, h + height - ih);
    }
    panic!("the viewport never became {width}x{height}");
}

/// The banner leaves most of a phone's screen to the page (at most 40% of it, 390x844 and
/// 320x844) in every language, drawn by the loader and by the module alike; "accept all" and
/// "reject all" are the same size and colour.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_banner_keeps_most_of_the_screen_for_the_page() {
    let server = Server::start().await;
    // A phone's scrollbars take no width.
    let b = Browser::start_with(&["--hide-scrollbars"]).await;
    let measure = format!(
        "const r = {SHADOW}, bar = r.querySelector('.fk-banner'), a = r.querySelector(\"[data-action='accept']\").getBoundingClientRect(),
           j = r.querySelector(\"[data-action='reject']\").getBoundingClientRect(), bg = e => getComputedStyle(r.querySelector(e)).backgroundColor;
         return [bar.getBoundingClientRect().height / innerHeight, innerWidth, r.querySelector('h2').textContent,
           Math.abs(a.width - j.width) < 1 && Math.abs(a.height - j.height) < 1 && a.top === j.top,
           bg(\"[data-action='accept']\") === bg(\"[data-action='reject']\"), innerHeight];"
    );
    for width in [390_i64, 320] {
        b.client.delete_all_cookies().await.unwrap();
        b.goto(&server.url("/policy")).await;
        phone_viewport(&b, width, 844).await;
        for (lang, title) in [("ru", "cookie"), ("kk", "файлдарын"), ("en", "We use")] {
            b.js(&format!("document.documentElement.lang = '{lang}';"))
                .await;
            b.until(&format!(
                "{SHADOW}?.querySelector('.fk-banner h2')?.textContent.includes('{title}')"
            ))
            .await;
            let m = b.js(&measure).await;
            assert_eq!(m[1], width, "the viewport is {width} px wide");
            assert_eq!(m[5], 844, "the viewport is 844 px high");
            let share = m[0].as_f64().unwrap();
            assert!(
                share <= 0.40,
                "{width} px, {lang}: the banner takes {:.1}% of the screen",
                share * 100.0
            );
            assert_eq!(
                m[3], true,
                "{width} px, {lang}: accept and reject side by side, one size"
            );
            assert_eq!(m[4], true, "{width} px, {lang}: accept and reject alike");
        }
        // Drawn by the module (after the dialog closed unanswered): the same.
        shadow_click(&b, ".fk-banner [data-action='customise']").await;
        b.until(&format!("{SHADOW}?.querySelector('dialog[open]')"))
            .await;
        b.press(ESCAPE, false).await;
        b.until(&format!(
            "!{SHADOW}.querySelector('dialog[open]') && {SHADOW}.querySelector('.fk-banner')"
        ))
        .await;
        let m = b.js(&measure).await;
        let share = m[0].as_f64().unwrap();
        assert!(
            share <= 0.40,
            "{width} px, module: the banner takes {:.1}% of the screen",
            share * 100.0
        );
        let violations = b.axe().await;
        assert!(violations.is_empty(), "{width} px: {violations:#?}");
    }
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_banner_never_shifts_the_page_nor_hides_the_focused_element() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(800, 600).await.unwrap();
    b.goto(&server.url("/policy")).await;
    find_banner(&b).await;
    b.find("#policy-title").await;
    assert_eq!(b.layout_shift().await, 0.0, "cumulative layout shift");
    // Tab through the page: every focused element outside the banner stays clear of it.
    let clear = "(() => { const a = document.activeElement, bn = document.getElementById('fk-consent')?.shadowRoot?.querySelector('.fk-banner');
        if (!bn || a.id === 'fk-consent' || a === document.body) return true;
        const r = a.getBoundingClientRect(), top = bn.getBoundingClientRect().top;
        return r.bottom <= top + 1; })()";
    for step in 0..45 {
        b.press(TAB, false).await;
        let what = b
            .js("const a = document.activeElement; return a.outerHTML.slice(0, 80);")
            .await;
        assert_eq!(
            b.js(&format!("return {clear};")).await,
            true,
            "Tab {step}: {what} is under the banner"
        );
    }
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_cookies_refused_the_banner_explains_instead_of_asking() {
    let (server, site) = shop(Visitor::NoCookies).await;
    let b = Browser::start().await;
    b.goto(&site.url("/shop")).await;
    // Clause 6.4: a notice that some functions may not work, not a question it cannot remember.
    b.until(&format!("{SHADOW}?.querySelector('#fk-nocookies-title')"))
        .await;
    let text = b
        .js(&format!(
            "return {SHADOW}.querySelector('.fk-banner').textContent;"
        ))
        .await;
    assert!(text.as_str().unwrap().contains("6.4"), "{text}");
    assert_eq!(
        b.js(&format!(
            "return {SHADOW}.querySelectorAll(\"[data-action='accept']\").length;"
        ))
        .await,
        0
    );
    shadow_click(&b, ".fk-banner button").await;
    b.until(&format!("!{SHADOW}.querySelector('.fk-banner')"))
        .await;
    // Dismissed for this visit: a reload does not bring it back.
    b.client.refresh().await.unwrap();
    b.until("window.fkConsent && fkConsent.cookiesEnabled === false")
        .await;
    assert_eq!(
        b.js("return document.getElementById('fk-consent');").await,
        Value::Null
    );
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

/// The Privacy Center's own pages: the banner is the loader's, painted with no WebAssembly.
/// Served from a build whose app wasm never arrives, the app cannot start, and the banner
/// still shows and answers.
#[tokio::test(flavor = "multi_thread")]
async fn the_privacy_centers_banner_needs_no_webassembly() {
    let dist = tempfile::tempdir().unwrap();
    let built = std::path::PathBuf::from(std::env::var("FK_DIST_DIR").expect("FK_DIST_DIR"));
    copy_without_app_wasm(&built, dist.path());
    let server = Server::start_with(&[("FK_DIST_DIR", dist.path().to_str().unwrap())]).await;
    let b = Browser::start().await;
    // Not `goto`: it waits for the app, which never comes here.
    b.client.goto(&server.url("/policy")).await.unwrap();
    find_banner(&b).await;
    b.answer_banner("reject").await;
    let id = consent_id(&b).await;
    let r = until_receipts(&server, &id, 1).await;
    assert_eq!(r[0]["categories"], serde_json::json!(["necessary"]));
    assert_eq!(
        b.js("return document.documentElement.hasAttribute('data-app');")
            .await,
        false,
        "the app never started (the page is the server's first view)"
    );
    b.stop().await;
    server.stop().await;
}

/// The banner's policy link loads the policy, from a page of the personal section too (its
/// bundle has no `/policy` route, and its router must not take the link for one).
#[tokio::test(flavor = "multi_thread")]
async fn the_banners_policy_link_opens_the_policy_from_every_bundle() {
    let server = Server::start().await;
    let b = Browser::start().await;
    for page in ["/account/login", "/policy/versions"] {
        b.client.delete_all_cookies().await.unwrap();
        b.goto(&server.url(page)).await;
        find_banner(&b).await;
        b.find("main h1").await;
        b.js(&format!("{SHADOW}.querySelector('.fk-banner a').click();"))
            .await;
        b.find("#policy-title").await;
        assert!(
            b.client
                .current_url()
                .await
                .unwrap()
                .as_str()
                .ends_with("/policy#section-6"),
            "from {page}"
        );
    }
    b.stop().await;
    server.stop().await;
}

/// `from` copied into `to`, all but the app's WebAssembly (`fk-app-*_bg.wasm*`, `fk-account-*`).
fn copy_without_app_wasm(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (path, name) = (
            entry.path(),
            entry.file_name().to_string_lossy().into_owned(),
        );
        if path.is_dir() {
            std::fs::create_dir_all(to.join(&name)).unwrap();
            copy_without_app_wasm(&path, &to.join(&name));
        } else if !(name.starts_with("fk-") && name.contains("_bg.wasm")) {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
