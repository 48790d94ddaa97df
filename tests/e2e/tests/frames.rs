//! Third-party frames on a page that embeds the banner: a placeholder of the frame's size
//! until its category is allowed, "show this once", "allow", withdrawal, frames added later,
//! an unknown category, accessibility and layout shift, under a strict CSP.
use fk_e2e::{Browser, HostSite, Page, Server, BANNER};
use serde_json::Value;

const NONCE: &str = "fr4mes";
const PROVIDER: &str = "Плеер магазина";

/// A frame of the player site, in `category` (`data-category` left out when empty).
fn frame(player: &str, id: &str, category: &str) -> String {
    let category = if category.is_empty() {
        String::new()
    } else {
        format!(r#" data-category="{category}""#)
    };
    format!(
        r#"<iframe id="{id}" data-src="{player}/embed/{id}"{category} title="Видео {id}" width="400" height="225"></iframe>"#
    )
}

fn shop_page(server: &str, player: &str) -> Page {
    let frames = [
        frame(player, "a", "marketing"),
        frame(player, "b", ""),
        frame(player, "u", "media"),
    ]
    .join("\n<p>Текст между видео.</p>\n");
    let html = format!(
        r#"<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Магазин</title>
<script nonce="{NONCE}">window.warnings = []; const warn = console.warn; console.warn = (...a) => {{ window.warnings.push(a.join(' ')); warn(...a); }};</script>
<script src="{server}/consent.js" data-api="{server}"></script>
</head><body><main><h1>Магазин ForteKassa</h1><p>Видео о товаре:</p>
{frames}
</main></body></html>"#
    );
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{NONCE}' {server} 'wasm-unsafe-eval'; style-src {server}; connect-src {server}; frame-src {player}; report-uri {server}/api/csp-report"
    );
    Page::html(html).with_header("Content-Security-Policy", &csp)
}

/// The placeholder in front of frame `id`, in page scripts.
fn placeholder(id: &str) -> String {
    format!("document.getElementById('{id}').previousElementSibling?.shadowRoot")
}

#[tokio::test(flavor = "multi_thread")]
async fn frames_wait_behind_placeholders_until_their_category_is_allowed() {
    // The operator names the player in the configuration: no rebuild.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cookies.json");
    let mut cookies: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/cookies.json"
        ))
        .unwrap(),
    )
    .unwrap();
    cookies["frames"].as_array_mut().unwrap().push(serde_json::json!({
        "provider": PROVIDER, "hosts": ["127.0.0.1"], "category": "marketing", "policy": "https://player.example.kz/privacy"
    }));
    std::fs::write(&config, cookies.to_string()).unwrap();

    let (player_listener, player_origin) = HostSite::bind().await;
    let embed = |n: &'static str| {
        (
            n,
            Page::html(format!("<!DOCTYPE html><title>{n}</title><p>Видео</p>")),
        )
    };
    let player = HostSite::serve(
        player_listener,
        player_origin.clone(),
        vec![
            embed("/embed/a"),
            embed("/embed/b"),
            embed("/embed/c"),
            embed("/embed/u"),
        ],
    );
    let (listener, origin) = HostSite::bind().await;
    let server = Server::start_with(&[
        ("FK_ALLOWED_ORIGINS", &origin),
        ("FK_CONSENT_CONFIG", config.to_str().unwrap()),
    ])
    .await;
    let site = HostSite::serve(
        listener,
        origin,
        vec![("/shop", shop_page(&server.url(""), &player_origin))],
    );
    let b = Browser::start().await;
    b.goto(&site.url("/shop")).await;

    // Placeholders of the frames' own size, naming the provider and the category; nothing
    // asked of the player.
    b.until(&format!(
        "{}?.querySelector('[data-action=once]') && {}?.querySelector('[data-action=once]')",
        placeholder("a"),
        placeholder("b")
    ))
    .await;
    let text = b
        .js(&format!("return {}.textContent;", placeholder("a")))
        .await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains(PROVIDER) && text.contains("Маркетинг"),
        "{text}"
    );
    let sizes =
        "const a = document.getElementById('a').previousElementSibling.getBoundingClientRect();
        return [Math.round(a.width), Math.round(a.height)];";
    assert_eq!(
        b.js(sizes).await,
        serde_json::json!([404, 229]),
        "the frame's box: 400×225 and its 2 px border"
    );
    assert_eq!(
        b.js(&format!(
            "return {}.querySelector('[data-fk=policy]').href;",
            placeholder("b")
        ))
        .await,
        "https://player.example.kz/privacy"
    );
    // No layout shift (the banner and every placeholder included), no axe violation.
    assert_eq!(b.layout_shift().await, 0.0, "cumulative layout shift");
    let violations = b.axe().await;
    assert!(
        violations.is_empty(),
        "placeholders and banner: {violations:#?}"
    );
    // The unknown category stays blocked, with one warning naming it, and no placeholder.
    let warnings = b.js("return window.warnings;").await;
    assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
    assert!(
        warnings[0].as_str().unwrap().contains("\"media\"")
            && warnings[0].as_str().unwrap().contains("/embed/u"),
        "{warnings}"
    );
    assert_eq!(
        b.js(&format!("return !!{};", placeholder("u"))).await,
        false
    );
    assert!(
        player.requested().is_empty(),
        "nothing loaded from the player: {:?}",
        player.requested()
    );

    // "Show this once": that frame only, and no choice is recorded.
    b.js(&format!(
        "{}.querySelector('[data-action=once]').click();",
        placeholder("a")
    ))
    .await;
    b.until("document.getElementById('a').getAttribute('src')?.endsWith('/embed/a')")
        .await;
    fk_e2e::wait_for(|| async {
        player
            .requested()
            .contains(&"/embed/a".to_string())
            .then_some(())
    })
    .await
    .expect("frame a loads");
    assert_eq!(b.js(&format!("return !!{};", placeholder("b"))).await, true);
    assert_eq!(b.js("return fkConsent.get();").await, Value::Null);
    assert_eq!(
        b.js("return document.activeElement.id;").await,
        "a",
        "focus moves to the content"
    );

    // "Allow": the category, recorded; every frame of it loads, and the banner is answered.
    b.js(&format!(
        "{}.querySelector('[data-action=allow]').click();",
        placeholder("b")
    ))
    .await;
    b.until("document.getElementById('b').getAttribute('src')?.endsWith('/embed/b')")
        .await;
    assert_eq!(
        b.js("return fkConsent.get().categories;").await,
        serde_json::json!(["necessary", "marketing"])
    );
    b.until(&format!("!{BANNER}.querySelector('.fk-banner')"))
        .await;
    // A frame added later: loaded at once now that its category is allowed.
    b.js(&format!(
        "document.querySelector('main').insertAdjacentHTML('beforeend', {});",
        serde_json::json!(frame(&player_origin, "c", "marketing"))
    ))
    .await;
    b.until("document.getElementById('c').getAttribute('src')?.endsWith('/embed/c')")
        .await;

    // Withdrawing marketing: every frame of it goes back behind its placeholder.
    b.js("fkConsent.set(['necessary']);").await;
    for id in ["a", "b", "c"] {
        b.until(&format!("{}?.querySelector('[data-action=allow]') && document.getElementById('{id}').getAttribute('src') === 'about:blank'", placeholder(id))).await;
    }
    assert!(!player.requested().contains(&"/embed/u".to_string()));
    server.assert_no_csp_violations(&b).await;
    b.stop().await;
    server.stop().await;
}
