//! What every page shares, end to end: every link of every page (both sides of the sign-in,
//! the cookie banner's included) leads to a page, not to "page not found"; a new page starts
//! at its top with the header in view; the header is one row on a phone, its menu opening
//! and closing by touch and keyboard, and naming each page as the page's own title does.
use std::collections::BTreeSet;

use fk_e2e::keys::ESCAPE;
use fk_e2e::ui::{api, click};
use fk_e2e::{http_get, Browser, Server, BANNER};
use serde_json::Value;

const NOT_FOUND: &str = "Страница не найдена";

/// Registers in this browser and opens the verification link, which signs it in. The cookie
/// banner is left unanswered, so its links are on every page.
async fn signed_in(server: &Server, b: &Browser) {
    b.goto(&server.url("/account/login")).await;
    let (status, body) = api(
        b,
        "POST",
        "/api/account/register",
        fk_e2e::registration("aigerim", "aigerim@example.kz"),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let mail = server
        .mail("aigerim@example.kz", "/account/verify#token=")
        .await;
    b.goto(&mail.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
}

/// The links of the page open in `b`, the banner's too: address (path, query, fragment) of
/// each one on this server that a click navigates by (not downloads, not mail, not this page's
/// own fragments).
async fn links(b: &Browser) -> Vec<String> {
    let found = b
        .js(&format!(
            "const roots = [document, {BANNER}].filter(Boolean);
             return roots.flatMap(r => [...r.querySelectorAll('a[href]')])
               .filter(a => !a.hasAttribute('download'))
               .map(a => new URL(a.href, location.href))
               .filter(u => u.origin === location.origin)
               .filter(u => !(u.pathname === location.pathname && u.search === location.search && u.hash))
               .map(u => u.pathname + u.search + u.hash);"
        ))
        .await;
    let links: Vec<String> = serde_json::from_value(found).expect("a list of addresses");
    // Every page has at least the header's and the footer's.
    assert!(!links.is_empty(), "no links found");
    links
}

/// Clicks (in the page, as a person would: the app's router sees it) the first link to
/// `target`, then waits for the page it leads to, drawn by the app.
async fn follow(b: &Browser, target: &str) {
    let clicked = b
        .js(&format!(
            "const roots = [document, {BANNER}].filter(Boolean);
             const a = roots.flatMap(r => [...r.querySelectorAll('a[href]')])
               .find(a => {{ const u = new URL(a.href, location.href); return u.pathname + u.search + u.hash === {target:?}; }});
             if (!a) return false;
             window.fkLeft = true; a.click(); return true;"
        ))
        .await;
    assert_eq!(clicked, Value::Bool(true), "no link to {target}");
    // Either the app drew the new page in place, or the browser loaded another (the mark
    // set before the click is gone with the document that had it).
    let path = target.split(['?', '#']).next().unwrap_or_default();
    // A page drawn whole loads its app at a visitor's first touch: given here, as `ready` does.
    b.until(&format!(
        "(!window.fkLeft || location.pathname === {path:?})
         && (document.querySelector('#app[data-arrives]') && dispatchEvent(new Event('click')), true)
         && ({ready}) && document.querySelector('main h1') && !document.querySelector('main .loading')",
        ready = fk_e2e::APP_READY,
    ))
    .await;
}

async fn check_links_of(server: &Server, b: &Browser, pages: &[&str], seen: &mut BTreeSet<String>) {
    for page in pages {
        b.goto(&server.url(page)).await;
        let bundle = b
            .js("return [...document.scripts].map(s => s.textContent.match(/import\\('\\/(fk-[a-z-]+)-/)?.[1]).find(Boolean) ?? ''")
            .await;
        assert_ne!(bundle, Value::from(""), "{page}: which bundle?");
        for target in links(b).await {
            // What a link does depends on the bundle it is clicked in, not on the page.
            if !seen.insert(format!("{bundle} {target}")) {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            let (status, _, _) = http_get(&server.addr, path, &[]).await;
            assert_ne!(status, 404, "{target} (linked from {page}) is not found");
            b.goto(&server.url(page)).await;
            eprintln!("{page} → {target}");
            follow(b, &target).await;
            let title = b
                .js("return document.title + ' | ' + document.querySelector('main h1').textContent")
                .await;
            let title = title.as_str().unwrap_or_default();
            assert!(
                !title.contains(NOT_FOUND),
                "the link to {target} on {page} shows {title}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_link_of_every_page_leads_to_a_page() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let mut seen = BTreeSet::new();
    let signed_out = [
        "/policy",
        "/policy/versions",
        "/policy/versions/1",
        "/cookies",
        "/account/login",
        "/account/register",
        "/account/recover",
    ];
    check_links_of(&server, &b, &signed_out, &mut seen).await;
    signed_in(&server, &b).await;
    let section = [
        "/account",
        "/account/profile",
        "/account/orders",
        "/account/promotions",
        "/account/subscriptions",
        "/account/privacy",
        "/account/history",
        "/account/security",
        "/account/devices",
        "/account/data",
        "/account/delete",
    ];
    check_links_of(&server, &b, &section, &mut seen).await;
    assert!(
        seen.iter().any(|s| s.ends_with("/policy#section-6")),
        "the banner's link was followed: {seen:?}"
    );
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_page_starts_at_its_top() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(390, 844).await.unwrap();
    signed_in(&server, &b).await;
    b.answer_banner("reject").await;
    let top = "scrollY === 0 && document.querySelector('header').getBoundingClientRect().top === 0";
    // Within the section: a link of its navigation, clicked at the bottom of a long page.
    b.goto(&server.url("/account/security")).await;
    b.js("scrollTo(0, document.body.scrollHeight)").await;
    assert_ne!(b.js("return scrollY").await, Value::from(0));
    b.js("document.querySelector('.section-nav__list a[href=\"/account/history\"]').click()")
        .await;
    b.until("location.pathname === '/account/history'").await;
    b.until(top).await;
    // The keyboard goes on from the new page, whose top stays in view.
    assert_eq!(b.js("return document.activeElement.id").await, "main");
    assert_eq!(b.js("return scrollY").await, Value::from(0));
    // Sent to sign in: signing out from the bottom of the overview.
    b.goto(&server.url("/account")).await;
    b.js("scrollTo(0, document.body.scrollHeight)").await;
    click(&b, "section[aria-labelledby='session-heading'] button").await;
    b.until("location.pathname === '/account/login'").await;
    b.ready().await;
    b.until(top).await;
    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_is_one_row_on_a_phone_with_a_menu() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(390, 844).await.unwrap();
    let header = "return document.querySelector('header').getBoundingClientRect().height";
    for (lang, policy) in [
        ("ru", "Политика конфиденциальности"),
        ("kk", "Құпиялылық саясаты"),
        ("en", "Privacy Policy"),
    ] {
        for page in ["/policy", "/cookies", "/account/login"] {
            b.goto(&server.url(page)).await;
            b.js(&format!(
                "document.querySelector('.lang-switcher button[lang={lang}]').click()"
            ))
            .await;
            b.until(&format!("document.documentElement.lang === '{lang}'"))
                .await;
            let height = b.js(header).await.as_f64().unwrap();
            assert!(
                height <= 64.0,
                "{lang} {page}: the header is {height} px high"
            );
        }
        // The menu names the policy as the policy's page does.
        b.goto(&server.url("/policy")).await;
        let h1 = b
            .js("return document.querySelector('main h1').textContent")
            .await;
        assert_eq!(h1, policy);
        let named = b
            .js("return document.querySelector('.site-nav a[href=\"/policy\"]').textContent")
            .await;
        assert_eq!(named, policy, "{lang}");
    }
    // Closed, the menu hides the navigation; a tap opens it, a link closes it behind itself.
    b.goto(&server.url("/policy")).await;
    let nav_shown = "return document.querySelector('.site-nav').checkVisibility()";
    assert_eq!(b.js(nav_shown).await, Value::Bool(false));
    click(&b, ".site-menu__toggle").await;
    assert_eq!(b.js(nav_shown).await, Value::Bool(true));
    click(&b, ".site-nav a[href='/cookies']").await;
    b.until("location.pathname === '/cookies'").await;
    b.until("!document.querySelector('.site-menu').open").await;
    // By keyboard: Enter on the button opens it, Escape closes it and leaves focus there.
    b.js("document.querySelector('.site-menu__toggle').focus()")
        .await;
    b.press(fk_e2e::keys::ENTER, false).await;
    b.until("document.querySelector('.site-menu').open").await;
    b.press(ESCAPE, false).await;
    b.until("!document.querySelector('.site-menu').open").await;
    assert_eq!(
        b.js("return document.activeElement.className").await,
        "site-menu__toggle"
    );
    assert!(b.axe().await.is_empty());
    b.stop().await;

    // On a wide screen the navigation stands in the row, with no menu button.
    let b = Browser::start().await;
    b.goto(&server.url("/policy")).await;
    assert_eq!(b.js(nav_shown).await, Value::Bool(true));
    assert_eq!(
        b.js("return document.querySelector('.site-menu__toggle').checkVisibility()")
            .await,
        Value::Bool(false)
    );
    b.stop().await;
    server.stop().await;
}

/// Each word of the page's title on one line, on the narrowest phone, in every language.
#[tokio::test(flavor = "multi_thread")]
async fn no_title_breaks_a_word_on_the_narrowest_phone() {
    let server = Server::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(320, 700).await.unwrap();
    let broken = "const h1 = document.querySelector('main h1');
        const broken = [];
        const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
        for (let node; (node = walker.nextNode());) {
          for (const m of node.data.matchAll(/\\S+/g)) {
            const r = document.createRange();
            r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
            const tops = new Set([...r.getClientRects()].map(q => Math.round(q.top)));
            if (tops.size > 1) broken.push(m[0]);
          }
        }
        return broken.join(' ');";
    for lang in ["ru", "kk", "en"] {
        for page in [
            "/policy",
            "/policy/versions",
            "/cookies",
            "/account/login",
            "/account/register",
            "/account/recover",
        ] {
            b.goto(&server.url(page)).await;
            b.js(&format!(
                "document.querySelector('.lang-switcher button[lang={lang}]').click()"
            ))
            .await;
            b.until(&format!("document.documentElement.lang === '{lang}'"))
                .await;
            b.until("document.querySelector('main h1') && innerWidth <= 320")
                .await;
            assert_eq!(b.js(broken).await, "", "{lang} {page}");
            let height = b
                .js("return document.querySelector('header').getBoundingClientRect().height")
                .await
                .as_f64()
                .unwrap();
            assert!(
                height <= 64.0,
                "{lang} {page}: the header is {height} px high at 320 px"
            );
        }
    }
    b.stop().await;
    server.stop().await;
}
