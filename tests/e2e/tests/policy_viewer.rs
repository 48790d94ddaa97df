//! The policy viewer end to end: the release server on a fresh SQLite file, the release SPA,
//! headless Chromium.
use fk_e2e::keys::{ENTER, ESCAPE, SHIFT_ENTER, TAB};
use fk_e2e::{http_get, Browser, Server};
use serde_json::json;

const CLAUSE_9_2: &str =
    "К настоящей Политике имеют доступ все Пользователи Сервиса без исключения.";

#[tokio::test(flavor = "multi_thread")]
async fn reader_contents_anchors_search_and_language() {
    let server = Server::start().await;
    let b = Browser::start().await;

    b.goto(&server.url("/policy")).await;
    b.text_until("#policy-title", |t| t == "Политика конфиденциальности")
        .await;
    b.answer_banner("reject").await;
    b.text_until(".policy-meta", |t| t.starts_with("Редакция 1"))
        .await;
    assert_eq!(
        b.count(".toc li").await,
        9,
        "the contents list the nine sections"
    );
    b.find("a[href='mailto:info@fortekassa.kz']").await;

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    b.press(TAB, false).await;
    b.until("document.activeElement.classList.contains('skip-link')")
        .await;
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(ENTER)
        .await
        .unwrap();
    b.until("document.activeElement.id === 'main'").await;

    // A contents link scrolls to its section and marks it.
    b.find(".toc a[href='#section-6']")
        .await
        .click()
        .await
        .unwrap();
    b.until("document.querySelector('.targeted')?.id === 'section-6'")
        .await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("/policy#section-6"));

    // Opening /policy#6.4 directly scrolls to clause 6.4, highlights and focuses it.
    b.goto("about:blank").await;
    b.goto(&server.url("/policy#6.4")).await;
    b.until("document.getElementById('6.4')?.classList.contains('targeted')")
        .await;
    b.until("document.activeElement.id === '6.4'").await;
    b.until("(() => { const r = document.getElementById('6.4').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()").await;

    // Search: highlights, "n of m", next and previous by keyboard, Escape clears.
    let input = b.find("#policy-search-input").await;
    input.send_keys("cookie").await.unwrap();
    let status = b
        .text_until(".policy-search__count", |t| t.starts_with("1 из "))
        .await;
    let total: usize = status.trim_start_matches("1 из ").parse().expect("a count");
    assert!(
        total >= 5,
        "the policy mentions cookies many times, found {total}"
    );
    assert_eq!(b.count("mark").await, total);
    b.until("document.querySelector('mark.current')?.dataset.match === '0'")
        .await;
    input.send_keys(ENTER).await.unwrap();
    b.text_until(".policy-search__count", |t| t == format!("2 из {total}"))
        .await;
    b.until("document.querySelector('mark.current')?.dataset.match === '1'")
        .await;
    input.send_keys(SHIFT_ENTER).await.unwrap();
    b.text_until(".policy-search__count", |t| t == format!("1 из {total}"))
        .await;
    input.send_keys(SHIFT_ENTER).await.unwrap();
    b.text_until(".policy-search__count", |t| {
        t == format!("{total} из {total}")
    })
    .await;
    input.send_keys(ESCAPE).await.unwrap();
    b.until("document.querySelectorAll('mark').length === 0")
        .await;
    let missing = b.find("#policy-search-input").await;
    missing.send_keys("несуществующееслово").await.unwrap();
    b.text_until(".policy-search__count", |t| t == "Ничего не найдено")
        .await;
    missing.send_keys(ESCAPE).await.unwrap();

    // Language: English, remembered across a reload; <html lang> follows.
    b.js("document.querySelector(\"button[lang='en']\").click(); return null")
        .await;
    b.text_until("#policy-title", |t| t == "Privacy Policy")
        .await;
    b.until("document.documentElement.lang === 'en'").await;
    b.find(".preamble").await;
    b.client.refresh().await.unwrap();
    b.text_until("#policy-title", |t| t == "Privacy Policy")
        .await;
    // (Its text, wherever the header keeps it: behind the menu on narrow screens.)
    b.until(
        "document.querySelector(\".site-nav a[href='/policy']\").textContent.trim() === 'Privacy Policy'",
    )
    .await;

    // Deep links survive a reload.
    b.goto(&server.url("/policy/versions")).await;
    b.text_until("h1", |t| t == "Policy versions").await;
    b.client.refresh().await.unwrap();
    b.text_until("h1", |t| t == "Policy versions").await;
    b.js("document.querySelector(\"button[lang='kk']\").click(); return null")
        .await;
    b.text_until("h1", |t| t == "Саясат редакциялары").await;
    b.js("document.querySelector(\"button[lang='ru']\").click(); return null")
        .await;
    b.text_until("h1", |t| t == "Редакции политики").await;

    // A real not-found page.
    b.goto(&server.url("/no/such/page")).await;
    b.text_until("h1", |t| t == "Страница не найдена").await;

    // Every page above ran under the strict CSP without a violation.
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_violations_on_policy_and_versions() {
    let server = Server::start().await;
    let b = Browser::start().await;
    for (path, ready) in [
        ("/policy", "#policy-title"),
        ("/policy/versions", ".version"),
        ("/policy#6.4", ".targeted"),
    ] {
        b.goto(&server.url(path)).await;
        b.find(ready).await;
        let violations = b.axe().await;
        assert!(violations.is_empty(), "{path}: {violations:#?}");
    }
    // With search marks on screen, too.
    b.goto(&server.url("/policy")).await;
    b.find("#policy-search-input")
        .await
        .send_keys("Пользовател")
        .await
        .unwrap();
    b.find("mark.current").await;
    let violations = b.axe().await;
    assert!(violations.is_empty(), "search: {violations:#?}");
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_a_version_shows_exactly_that_change() {
    let server = Server::start().await;
    let ru = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/ru.md"))
        .unwrap();
    let changed = ru.replace(
        CLAUSE_9_2,
        "К настоящей Политике имеют доступ все Пользователи Сервиса без каких-либо исключений.",
    ) + "\n9.3. Администратор хранит прежние редакции Политики.\n";
    assert_ne!(changed, ru);
    let file = server.dir.path().join("v2.md");
    std::fs::write(&file, &changed).unwrap();
    let out = server
        .cli(&["policy", "publish", "--lang", "ru", file.to_str().unwrap()])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("published version 2"));
    let again = server
        .cli(&["policy", "publish", "--lang", "ru", file.to_str().unwrap()])
        .await;
    assert_eq!(again.status.code(), Some(2), "an identical text is refused");

    let b = Browser::start().await;
    b.goto(&server.url("/policy")).await;
    b.answer_banner("accept").await;
    b.text_until(".policy-meta", |t| t.starts_with("Редакция 2"))
        .await;
    b.find("[id='9.3']").await;

    b.goto(&server.url("/policy/versions")).await;
    b.find(".version").await;
    assert_eq!(b.count(".version").await, 2);
    b.find(".compare-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    b.until("location.pathname + location.search === '/policy/compare?from=1&to=2'")
        .await;
    b.find(".diff-change").await;
    assert_eq!(
        b.count(".diff-change").await,
        2,
        "exactly the changed and the added clause"
    );
    let inserted = b
        .text_until(".diff-change[data-unit='9.2'] ins", |t| !t.is_empty())
        .await;
    assert!(inserted.contains("каких-либо исключений."), "{inserted}");
    let deleted = b
        .text_until(".diff-change[data-unit='9.2'] del", |t| !t.is_empty())
        .await;
    assert!(deleted.contains("исключения."), "{deleted}");
    b.find(".diff-change--added[data-unit='9.3']").await;
    assert!(b.count("details.diff-unchanged").await >= 1);
    assert_eq!(
        b.count("details.diff-unchanged[open]").await,
        0,
        "unchanged clauses start folded"
    );
    let violations = b.axe().await;
    assert!(violations.is_empty(), "compare: {violations:#?}");

    // "What changed since version 1" from the old version's page.
    b.goto(&server.url("/policy/versions/1")).await;
    b.find(".notice--warn").await;
    b.find("a[href='/policy/compare?from=1']")
        .await
        .click()
        .await
        .unwrap();
    b.find(".diff-change[data-unit='9.3']").await;

    // The compare form checks its input with the API's rule, and asks for two different versions.
    b.goto(&server.url("/policy/versions")).await;
    b.find("#compare-to").await;
    b.js("const s = document.getElementById('compare-to'); s.value = '2'; s.dispatchEvent(new Event('change', {bubbles: true}));").await;
    b.js("const s = document.getElementById('compare-from'); s.value = '2'; s.dispatchEvent(new Event('change', {bubbles: true}));").await;
    b.find(".compare-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    b.text_until("#compare-to-error", |t| {
        t == "Выберите две разные редакции для сравнения."
    })
    .await;
    b.until("document.getElementById('compare-to').getAttribute('aria-invalid') === 'true'")
        .await;

    // The comparison, the old version and the forms ran under the strict CSP unharmed.
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_javascript_the_policy_is_in_the_html() {
    let server = Server::start().await;
    let (status, head, body) = http_get(&server.addr, "/policy", &[]).await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains(CLAUSE_9_2),
        "clause 9.2 is in the page itself"
    );
    assert!(
        html.contains("<div id=\"9.2\"") && html.contains(">6. Защита информации Пользователей<"),
        "the clauses with their anchors, the sections with their headings"
    );
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
    assert!(!head.contains("unsafe-inline"));
    assert!(head.contains("cache-control: no-cache"));

    // Client routes answer 200 with the app; hashed assets are precompressed and immutable.
    let (status, _, _) = http_get(&server.addr, "/policy/versions/1", &[]).await;
    assert_eq!(status, 200);
    let wasm = html
        .split("module_or_path: '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("the wasm path");
    let (status, head, _) = http_get(&server.addr, wasm, &[("Accept-Encoding", "br")]).await;
    let head = head.to_ascii_lowercase();
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(
        head.contains("cache-control: public, max-age=31536000, immutable"),
        "{head}"
    );
    let (status, _, body) = http_get(&server.addr, "/api/nothing-here", &[]).await;
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("\"code\":\"not_found\""));
    server.stop().await;
}

/// The heading of `anchor`'s section is below the sticky bar and inside the window.
fn heading_in_view(anchor: &str) -> String {
    format!(
        "(() => {{ const h = document.getElementById('{anchor}-title').getBoundingClientRect();
            const bar = document.querySelector('.policy-search').getBoundingClientRect();
            return h.top >= bar.bottom && h.bottom <= innerHeight; }})()"
    )
}

fn marked(anchor: &str) -> String {
    format!(
        "document.querySelector(\".toc a[href='#{anchor}']\").getAttribute('aria-current') === 'location'
            && document.querySelectorAll('.toc a[aria-current]').length === 1"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jump_from_the_contents_shows_its_heading_and_marks_its_entry() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.goto(&server.url("/policy")).await;
    b.answer_banner("reject").await;

    // Desktop: the contents beside the text.
    for anchor in ["section-3", "section-7", "section-9", "section-2"] {
        b.find(&format!(".toc a[href='#{anchor}']"))
            .await
            .click()
            .await
            .unwrap();
        b.until(&heading_in_view(anchor)).await;
        b.until(&marked(anchor)).await;
    }
    // Reading on: the mark follows the section under the bar.
    b.js("document.getElementById('section-5').scrollIntoView(); return null")
        .await;
    b.until(&marked("section-5")).await;

    // A phone: the bar is one slim row, the contents folded above the text.
    b.client.set_window_size(390, 844).await.unwrap();
    b.goto(&server.url("/policy")).await;
    b.until("document.querySelector('.policy-search').getBoundingClientRect().height <= 64")
        .await;
    b.until("getComputedStyle(document.getElementById('policy-search-input').closest('.policy-search__field')).display === 'none'").await;
    b.find("#toc-title").await.click().await.unwrap();
    b.until("document.querySelector('#contents details').open")
        .await;
    for anchor in ["section-4", "section-8"] {
        b.find(&format!(".toc a[href='#{anchor}']"))
            .await
            .click()
            .await
            .unwrap();
        b.until(&heading_in_view(anchor)).await;
        b.until(&marked(anchor)).await;
        // The way back to the contents is in the sticky bar, in view wherever one reads.
        b.until("(() => { const r = document.querySelector('.policy-search__contents').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()").await;
        b.find(".policy-search__contents")
            .await
            .click()
            .await
            .unwrap();
        b.until("document.activeElement.id === 'toc-title'").await;
        b.until("(() => { const r = document.getElementById('toc-title').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()").await;
    }
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_search_opens_when_asked_and_the_contents_fold_with_a_chevron() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.goto(&server.url("/policy")).await;
    b.answer_banner("reject").await;
    let field = "getComputedStyle(document.querySelector('.policy-search__field')).display";
    b.until(&format!("{field} === 'none'")).await;
    let bar = "document.querySelector('.policy-search').getBoundingClientRect().height";
    let closed = b.js(&format!("return {bar};")).await.as_f64().unwrap();
    assert!(closed <= 64.0, "the closed bar is one slim row: {closed}px");

    // The chevron turns when the contents open.
    let chevron = "getComputedStyle(document.getElementById('toc-title'), '::after').transform";
    let folded = b.js(&format!("return {chevron};")).await;
    assert_ne!(folded, json!("none"), "the folded contents show a chevron");
    b.find("#toc-title").await.click().await.unwrap();
    b.until("document.querySelector('#contents details').open")
        .await;
    b.until(&format!("{chevron} !== {folded}")).await;

    // "Search" opens the field and puts the cursor in it; Escape clears, then closes.
    let toggle = b.find(".policy-search__toggle").await;
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    toggle.click().await.unwrap();
    b.until(&format!("{field} === 'block'")).await;
    b.until("document.activeElement.id === 'policy-search-input'")
        .await;
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    let input = b.find("#policy-search-input").await;
    input.send_keys("cookie").await.unwrap();
    b.text_until(".policy-search__count", |t| t.starts_with("1 из "))
        .await;
    input.send_keys(ESCAPE).await.unwrap();
    b.until("document.querySelectorAll('mark').length === 0")
        .await;
    input.send_keys(ESCAPE).await.unwrap();
    b.until(&format!("{field} === 'none'")).await;
    b.until("document.activeElement.classList.contains('policy-search__toggle')")
        .await;
    let violations = b.axe().await;
    assert!(violations.is_empty(), "phone: {violations:#?}");
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_without_two_versions_offers_the_pickers_and_an_unknown_version_is_not_found() {
    let server = Server::start().await;
    let ru = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/ru.md"))
        .unwrap();
    let file = server.dir.path().join("v2.md");
    std::fs::write(
        &file,
        ru + "\n9.3. Администратор хранит прежние редакции Политики.\n",
    )
    .unwrap();
    let out = server
        .cli(&["policy", "publish", "--lang", "ru", file.to_str().unwrap()])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let b = Browser::start().await;
    let value = |id: &str| format!("document.getElementById('{id}').value");
    for (query, message, from, to) in [
        (
            "",
            "Выберите две редакции, чтобы увидеть, что изменилось.",
            "1",
            "2",
        ),
        (
            "?from=abc",
            "Выберите две редакции, чтобы увидеть, что изменилось.",
            "1",
            "2",
        ),
        (
            "?from=2&to=2",
            "В ссылке дважды указана редакция 2. Выберите две разные редакции.",
            "1",
            "2",
        ),
        (
            "?from=2",
            "В ссылке дважды указана редакция 2. Выберите две разные редакции.",
            "1",
            "2",
        ),
        (
            "?from=1&to=7",
            "Редакции 7 нет среди опубликованных. Выберите редакции из списка.",
            "1",
            "2",
        ),
    ] {
        b.goto(&server.url(&format!("/policy/compare{query}")))
            .await;
        b.text_until(".compare-problem", |t| t == message).await;
        assert_eq!(b.count(".notice--error").await, 0, "{query}: no error box");
        b.until(&format!(
            "{} === '{from}' && {} === '{to}'",
            value("compare-from"),
            value("compare-to")
        ))
        .await;
    }
    let violations = b.axe().await;
    assert!(violations.is_empty(), "pickers: {violations:#?}");
    b.find(".compare-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    b.until("location.pathname + location.search === '/policy/compare?from=1&to=2'")
        .await;
    b.find(".diff-change--added[data-unit='9.3']").await;

    // A version never published: the policy's not-found page, status 404, the ways on.
    let (status, _, _) = http_get(&server.addr, "/policy/versions/7", &[]).await;
    assert_eq!(status, 404);
    b.goto(&server.url("/policy/versions/7")).await;
    b.text_until("h1", |t| t == "Такой редакции нет").await;
    b.text_until(".no-such-version p", |t| t.contains("«7»"))
        .await;
    assert_eq!(b.count(".notice--error").await, 0);
    b.until("document.title.startsWith('Такой редакции нет')")
        .await;
    let violations = b.axe().await;
    assert!(violations.is_empty(), "no such version: {violations:#?}");
    // In another language the app asks the API itself, and finds the same. (The language
    // buttons may sit behind the header's menu: pressed the way its items are.)
    b.js("document.querySelector(\"button[lang='kk']\").click(); return null")
        .await;
    b.text_until("h1", |t| t == "Мұндай редакция жоқ").await;
    b.js("document.querySelector(\"button[lang='ru']\").click(); return null")
        .await;
    b.text_until("h1", |t| t == "Такой редакции нет").await;
    b.find(".no-such-version a[href='/policy/versions']")
        .await
        .click()
        .await
        .unwrap();
    b.text_until("h1", |t| t == "Редакции политики").await;
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn printing_from_dark_mode_prints_light_with_whose_text_and_where() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    )
    .await;
    b.goto(&server.url("/policy")).await;
    b.answer_banner("reject").await;
    let colours = "(() => { const s = getComputedStyle(document.querySelector('.clause p'));
        const h = getComputedStyle(document.documentElement);
        return h.backgroundColor + ' / ' + s.color; })()";
    // On screen, the dark palette.
    b.until(&format!(
        "{colours} === 'rgb(17, 21, 20) / rgb(231, 236, 234)'"
    ))
    .await;
    b.until("getComputedStyle(document.querySelector('.print-head')).display === 'none'")
        .await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "media": "print", "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    )
    .await;
    // On paper, the light one: dark text on white.
    b.until(&format!(
        "{colours} === 'rgb(255, 255, 255) / rgb(0, 0, 0)'"
    ))
    .await;
    b.until("getComputedStyle(document.querySelector('.print-head')).display === 'block'")
        .await;
    let head = b.find(".print-head").await.text().await.unwrap();
    assert!(
        head.contains("ForteKassa") && head.contains("One Technologies"),
        "{head}"
    );
    assert!(head.contains(&server.url("/policy")), "{head}");
    let meta = b.find(".policy-meta").await.text().await.unwrap();
    assert!(meta.starts_with("Редакция 1"), "{meta}");
    b.until("getComputedStyle(document.querySelector('.policy-search')).display === 'none'")
        .await;
    b.stop().await;
    server.stop().await;
}
