//! Serving the built SPA: deep links, no-JS policy, CSP, precompressed immutable assets.
mod common;

use axum::http::StatusCode;
use common::*;
use fk_server::spa::Spa;
use fk_server::{app, policy, AppState};

const INDEX: &str = "<!DOCTYPE html><html lang=\"ru\"><head><script type=\"module\">import init from '/app-0123456789abcdef.js';</script>\
<link rel=\"stylesheet\" href=\"/main-0123456789abcdef.css\"><title>ForteKassa</title></head><body><div id=\"app\"></div><noscript><!--fk:noscript--></noscript></body></html>";

async fn with_spa() -> (TestApp, axum::Router) {
    let t = fresh().await;
    policy::seed(&t.db).await.unwrap();
    let spa = built_spa(t.dir.path());
    let router = app(AppState::new(t.db.clone(), Some(spa)));
    (t, router)
}

/// A `dist/` in `dir` as Trunk builds it, with every bundle's page.
fn built_spa(dir: &std::path::Path) -> Spa {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    for (page, script) in [
        ("account.html", "/account-0123456789abcdef.js"),
        ("signed-out.html", "/signed-out-0123456789abcdef.js"),
    ] {
        let html = INDEX.replace("/app-0123456789abcdef.js", script);
        std::fs::write(dist.join(page), html).unwrap();
    }
    std::fs::write(dist.join("main-0123456789abcdef.css"), "body{}").unwrap();
    std::fs::write(dist.join("main-0123456789abcdef.css.br"), b"BR").unwrap();
    std::fs::write(dist.join("favicon.svg"), "<svg/>").unwrap();
    Spa::load(&dist).unwrap().expect("index.html is there")
}

#[tokio::test]
async fn client_routes_get_the_app_with_the_policy_for_no_js_clients() {
    let (_t, router) = with_spa().await;
    for path in [
        "/",
        "/policy",
        "/policy/versions/1",
        "/policy/compare?from=1",
        "/cookies",
        "/no/such/page",
        "/index.html",
    ] {
        let r = get(&router, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.header("content-type").starts_with("text/html"), "{path}");
        assert_eq!(r.header("cache-control"), "no-cache", "{path}");
        assert!(
            !r.text().contains("<!--fk:noscript-->"),
            "{path}: the marker is filled"
        );
    }
    let policy = get(&router, "/policy").await.text();
    assert!(policy
        .contains("К настоящей Политике имеют доступ все Пользователи Сервиса без исключения."));
    assert!(policy.contains("id=\"6.4\""));
    let (page, boot) = policy.split_once("id=\"fk-boot\"").expect("the boot data");
    assert_eq!(
        page.matches("К настоящей Политике имеют доступ все")
            .count(),
        1,
        "the text is in the first view, and only there (not again in <noscript>)"
    );
    assert!(
        boot.contains("\"policy\""),
        "the app starts from the same text"
    );
    assert!(!policy.contains("noscript-policy"));
    let english = get(&router, "/policy?lang=en").await.text();
    assert!(
        english.contains(">Privacy Policy</h1>"),
        "?lang= picks the page's language"
    );
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("<title>Privacy Policy — "));
    // Every page's tab is named by its heading, in the page's language.
    let sign_in = get(&router, "/account/login?lang=kk").await.text();
    assert!(
        sign_in.contains("<title>Кіру — ForteKassa</title>"),
        "{sign_in}"
    );
    let compare = get(&router, "/policy/compare?from=1").await.text();
    assert!(
        compare.contains("id=\"noscript-policy\""),
        "where the first view cannot hold the text, the plain version stands in"
    );
    let other = get(&router, "/cookies").await.text();
    assert!(
        other.contains("<a href=\"/policy\">"),
        "other pages point no-JS readers to the policy"
    );
}

#[tokio::test]
async fn a_policy_page_is_rendered_and_compressed_once_and_revalidated() {
    let (_t, router) = with_spa().await;
    let first = get(&router, "/policy").await;
    let etag = first.header("etag").to_string();
    assert!(etag.starts_with('"'), "{etag}");
    let again = request(
        &router,
        "GET",
        "/policy?lang=ru",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_MODIFIED,
        "the same page, kept"
    );
    let br = request(&router, "GET", "/policy", &[("accept-encoding", "br")]).await;
    assert_eq!(br.header("content-encoding"), "br");
    assert!(br.header("vary").contains("Accept-Language"));
    let english = request(&router, "GET", "/policy", &[("accept-language", "en")]).await;
    assert_ne!(english.header("etag"), etag, "each language its own page");
}

#[tokio::test]
async fn a_page_comes_in_the_language_chosen_else_the_browsers() {
    let (_t, router) = with_spa().await;
    let page = |headers: &'static [(&'static str, &'static str)]| {
        let router = router.clone();
        async move {
            request(&router, "GET", "/policy/versions", headers)
                .await
                .text()
        }
    };
    assert!(page(&[]).await.contains("<html lang=\"ru\">"));
    let kazakh = page(&[("accept-language", "kk-KZ,ru;q=0.8")]).await;
    assert!(kazakh.contains("<html lang=\"kk\">"));
    assert!(
        kazakh.contains("\"lang\":\"kk\""),
        "the boot data says so too"
    );
    let chosen = page(&[("accept-language", "kk-KZ"), ("cookie", "fk_lang=en")]).await;
    assert!(chosen.contains("<html lang=\"en\">"));
    assert!(
        chosen.contains("href=\"/policy/versions/1\""),
        "the list of versions is in the first view"
    );
}

#[tokio::test]
async fn the_personal_section_knows_a_visitor_without_a_session() {
    let (_t, router) = with_spa().await;
    let html = get(&router, "/account/login").await.text();
    assert!(html.contains("\"signed_in\":false"));
    assert!(
        html.contains("<label for=\"login\""),
        "the form is in the first view"
    );
    let cookie = format!("fk_session={}", "a".repeat(43));
    let stale = request(&router, "GET", "/account/login", &[("cookie", &cookie)])
        .await
        .text();
    assert!(
        stale.contains("\"signed_in\":false"),
        "a session that is not live is none"
    );
}

#[tokio::test]
async fn a_version_that_does_not_exist_is_a_not_found_page_with_the_ways_on() {
    let (t, router) = with_spa().await;
    for (path, title) in [
        ("/policy/versions/99", ">Такой редакции нет</h1>"),
        ("/policy/versions/0", ">Такой редакции нет</h1>"),
        ("/policy/versions/abc", ">Такой редакции нет</h1>"),
        ("/policy/versions/99?lang=kk", ">Мұндай редакция жоқ</h1>"),
        ("/policy/versions/99?lang=en", ">No such version</h1>"),
    ] {
        let r = get(&router, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.header("cache-control"), "no-cache", "{path}");
        let html = r.text();
        assert!(html.contains(title), "{path}: the first view says so");
        let links = html
            .split("class=\"link-list\"")
            .nth(1)
            .expect("the ways on");
        assert!(
            links.contains("href=\"/policy/versions\"") && links.contains("href=\"/policy\""),
            "{path}: links to the list and the current text"
        );
        assert!(
            !html.contains("id=\"noscript-policy\""),
            "{path}: no policy text stands in for the page"
        );
        assert!(
            html.contains("\"no_such_version\":true"),
            "{path}: the app draws the same"
        );
    }
    for path in ["/policy/versions/1", "/policy/versions", "/policy"] {
        assert_eq!(get(&router, path).await.status, StatusCode::OK, "{path}");
    }
    // Once published, the number is a page like the others (nothing kept from before).
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/ru.md"))
        .unwrap()
        + "\n9.3. Администратор хранит прежние редакции Политики.\n";
    policy::publish(&t.db, fk_api::Lang::Ru, text.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        get(&router, "/policy/versions/2").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_a_page_drawn_whole_waits_for_the_visitor_to_load_its_app() {
    let (_t, router) = with_spa().await;
    const WAITS: &str = "<div id=\"app\" data-arrives=\"on-intent\">";
    for path in [
        "/policy",
        "/policy/versions",
        "/policy/versions/1",
        // "No such version" is the whole page too.
        "/policy/versions/99",
        "/account/login",
        "/account/register",
    ] {
        assert!(get(&router, path).await.text().contains(WAITS), "{path}");
    }
    // Drawn without their data (their app fetches it), or not the same for everyone.
    for path in [
        "/policy/",
        "/policy/versions/01",
        "/policy/compare?from=1",
        "/cookies",
        "/account/verify",
    ] {
        let page = get(&router, path).await.text();
        assert!(page.contains("<div id=\"app\">"), "{path}");
    }
}

#[tokio::test]
async fn each_part_of_the_personal_section_gets_its_own_bundle() {
    let (_t, router) = with_spa().await;
    for path in [
        "/account/login",
        "/account/register",
        "/account/verify",
        "/account/deleted",
        "/unsubscribe?token=abc",
    ] {
        let html = get(&router, path).await.text();
        assert!(html.contains("/signed-out-0123456789abcdef.js"), "{path}");
    }
    for path in ["/policy", "/accounting", "/cookies"] {
        assert!(
            get(&router, path)
                .await
                .text()
                .contains("/app-0123456789abcdef.js"),
            "{path}"
        );
    }
    let csp = get(&router, "/account/login")
        .await
        .header("content-security-policy")
        .to_string();
    assert_eq!(
        csp.matches("'sha256-").count(),
        3,
        "every page's loader is allowed: {csp}"
    );
    // The signed-in section: a visitor without a session goes to sign in, with the way back,
    // rather than downloading the section's bundle to find that out.
    for (path, next) in [
        ("/account", "%2Faccount"),
        ("/account/orders?page=3", "%2Faccount%2Forders%3Fpage%3D3"),
        ("/account/no-such-page", "%2Faccount%2Fno-such-page"),
    ] {
        let r = get(&router, path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            r.header("location"),
            format!("/account/login?next={next}"),
            "{path}"
        );
        assert!(r.header("vary").contains("Cookie"), "{path}");
    }
    let world = common::account::setup().await;
    let token = world.verified_account("spa@example.kz", "spa_reader").await;
    let mut state = world.state.clone();
    state.spa = std::sync::Arc::new(Some(built_spa(world.dir.path())));
    let router = app(state);
    let cookie = format!("fk_session={token}");
    for path in ["/account", "/account/orders", "/account/no-such-page"] {
        let r = request(&router, "GET", path, &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text().contains("/account-0123456789abcdef.js"), "{path}");
    }
}

#[tokio::test]
async fn html_has_a_strict_csp_allowing_the_loader_by_hash() {
    let (_t, router) = with_spa().await;
    let r = get(&router, "/policy").await;
    let csp = r.header("content-security-policy");
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
            && !csp.contains(" 'unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("x-frame-options"), "DENY");
    assert_eq!(r.header("cross-origin-opener-policy"), "same-origin");
    assert!(r.header("permissions-policy").contains("camera=()"));
    assert_eq!(
        r.header("referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(
        r.header("strict-transport-security"),
        "",
        "plain http: no HSTS"
    );
    let api = get(&router, "/api/health").await;
    assert_eq!(
        api.header("content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn over_https_every_answer_asks_for_https_only() {
    let t = fresh().await;
    let router = fk_server::app(
        fk_server::AppState::new(t.db.clone(), None)
            .with_public_url("https://privacy.fortekassa.kz"),
    );
    for path in ["/api/health", "/api/policy/ru"] {
        assert_eq!(
            get(&router, path).await.header("strict-transport-security"),
            "max-age=63072000; includeSubDomains",
            "{path}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_immutable() {
    let (_t, router) = with_spa().await;
    let br = request(
        &router,
        "GET",
        "/main-0123456789abcdef.css",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(br.body, b"BR");
    assert_eq!(
        br.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let plain = get(&router, "/main-0123456789abcdef.css").await;
    assert_eq!(plain.body, b"body{}");
    let unhashed = get(&router, "/favicon.svg").await;
    assert_eq!(unhashed.header("cache-control"), "no-cache");
    assert_eq!(
        get(&router, "/missing-0123456789abcdef.js").await.status,
        StatusCode::NOT_FOUND
    );
    let post = request(&router, "POST", "/policy", &[]).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    // A sign-in form sent without the app (`method="post"`: never the password in the
    // address) comes back to its page.
    let sent = request(&router, "POST", "/account/login?next=%2Faccount", &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.header("location"), "/account/login?next=%2Faccount");
}

#[tokio::test]
async fn without_a_build_the_api_still_works() {
    let t = seeded().await;
    assert_eq!(
        get(&t.router, "/api/policy/ru").await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&t.router, "/policy").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn a_published_version_replaces_the_cached_no_js_policy() {
    let (t, router) = with_spa().await;
    assert!(get(&router, "/policy")
        .await
        .text()
        .contains("без исключения."));
    let changed = RU.replace("без исключения.", "без каких-либо исключений.");
    policy::publish(&t.db, fk_api::Lang::Ru, changed.as_bytes())
        .await
        .unwrap();
    let html = get(&router, "/policy").await.text();
    assert!(
        html.contains("без каких-либо исключений.") && !html.contains("без исключения."),
        "the new version, not the cached one"
    );
}

#[tokio::test]
async fn the_embeddable_banner_may_be_loaded_by_any_origin_and_carries_no_document_headers() {
    let (t, _) = with_spa().await;
    let dist = t.dir.path().join("dist");
    std::fs::create_dir_all(dist.join("consent")).unwrap();
    for file in [
        "fk_consent-0123456789abcdef.js",
        "fk_consent-0123456789abcdef_bg.wasm",
        "consent-0123456789abcdef.css",
    ] {
        std::fs::write(dist.join("consent").join(file), "x").unwrap();
    }
    let router = app(AppState::new(t.db.clone(), Spa::load(&dist).unwrap()));
    let origin = ("origin", "https://shop.example");
    for path in [
        "/consent/fk_consent-0123456789abcdef.js",
        "/consent/fk_consent-0123456789abcdef_bg.wasm",
        "/consent/consent-0123456789abcdef.css",
    ] {
        let r = request(&router, "GET", path, &[origin]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        // Module scripts and wasm are fetched in CORS mode by the embedding page.
        assert_eq!(r.header("access-control-allow-origin"), "*", "{path}");
        assert_eq!(
            r.header("cross-origin-resource-policy"),
            "cross-origin",
            "{path}"
        );
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            r.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(
            r.header("access-control-allow-credentials"),
            "",
            "{path}: public files, no cookies"
        );
        for document_only in [
            "cross-origin-opener-policy",
            "x-frame-options",
            "permissions-policy",
            "referrer-policy",
        ] {
            assert_eq!(r.header(document_only), "", "{path}: {document_only}");
        }
    }
    // The loader is a classic script: no CORS needed, only cross-origin embedding.
    let loader = request(&router, "GET", "/consent.js", &[origin]).await;
    assert_eq!(loader.status, StatusCode::OK);
    assert_eq!(
        loader.header("cross-origin-resource-policy"),
        "cross-origin"
    );
    assert_eq!(loader.header("x-content-type-options"), "nosniff");
    assert_eq!(loader.header("access-control-allow-origin"), "");
    assert_eq!(loader.header("cross-origin-opener-policy"), "");
    // The app's own files stay same-origin only.
    let own = request(&router, "GET", "/main-0123456789abcdef.css", &[origin]).await;
    assert_eq!(
        (
            own.header("access-control-allow-origin"),
            own.header("cross-origin-resource-policy")
        ),
        ("", "")
    );
}
