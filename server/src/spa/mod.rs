//! Serves the built SPA: hashed assets precompressed and cached forever, and for every client
//! route (deep links and reloads work) its bundle's page with the route's first view inside
//! (`first_view`).
pub mod first_view;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use base64::Engine as _;
use fk_api::{ApiError, ErrorCode, Lang};
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use crate::policy::noscript;
use crate::precompressed::Bodies;
use crate::AppState;
use fk_app::bundle::Bundle;

/// Where `index.html` takes the server-rendered fallback content.
pub const NOSCRIPT_MARK: &str = "<!--fk:noscript-->";
/// A page depends on the chosen language and, in the personal section, on the session.
const PAGE_VARIES: &str = "Cookie, Accept-Language, Accept-Encoding";
/// Where the app mounts, and the server puts the first view.
pub const APP_MARK: &str = "<div id=\"app\"></div>";

/// A bundle's page, cut where the server fills it in.
#[derive(Clone)]
struct Template {
    /// Up to `<div id="app">`.
    head: String,
    /// From `</div>` of the app to the noscript marker.
    middle: String,
    tail: String,
}

/// The text of the first `<h1>` of rendered HTML, still escaped as HTML (so it can stand in
/// `<title>` as it is), its tags and the renderer's markers left out and its spaces collapsed.
fn heading_of(html: &str) -> Option<String> {
    let start = html.find("<h1")?;
    let open_end = start + html[start..].find('>')? + 1;
    let inner = &html[open_end..open_end + html[open_end..].find("</h1>")?];
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

impl Template {
    fn parse(html: &str, path: &Path) -> Result<Template, SpaError> {
        let missing = || SpaError::NoMarker(path.display().to_string());
        let (head, rest) = html.split_once(APP_MARK).ok_or_else(missing)?;
        let (middle, tail) = rest.split_once(NOSCRIPT_MARK).ok_or_else(missing)?;
        Ok(Template {
            head: head.to_string(),
            middle: middle.to_string(),
            tail: tail.to_string(),
        })
    }

    /// The page in `lang`, the first view inside `<div id="app">` and `noscript` in its place.
    fn fill(&self, view: &first_view::FirstView, noscript: &str) -> String {
        let mut head = self.head.replacen(
            "<html lang=\"ru\">",
            &format!("<html lang=\"{}\">", view.lang.code()),
            1,
        );
        // The tab names the page as its heading does, in the page's language, as the app's
        // titles do (`fk_app::dom::set_title`) once it has taken over.
        let title = match &view.policy_title {
            Some(title) => Some(noscript::escape(title)),
            None => heading_of(&view.app),
        };
        if let Some(title) = title {
            if let (Some(start), Some(end)) = (head.find("<title>"), head.find("</title>")) {
                let text = format!("{title} — {}", view.lang.messages().app_name);
                head.replace_range(start + "<title>".len()..end, &text);
            }
        }
        // Read by the page's loader (`Trunk.toml`).
        let arrives = if view.drawn_whole {
            " data-arrives=\"on-intent\""
        } else {
            ""
        };
        format!(
            "{head}<div id=\"app\"{arrives}>{}</div>{}{}{noscript}{}",
            view.app, view.boot, self.middle, self.tail
        )
    }
}

type NoscriptCache = HashMap<(i64, Lang), Arc<str>>;

#[derive(Clone)]
pub struct Spa {
    files: ServeDir,
    /// The no-JavaScript policy by (version id, language): versions never change, so an entry
    /// never goes stale, and there are only as many as versions times languages.
    noscript: Arc<RwLock<NoscriptCache>>,
    first_views: Arc<RwLock<first_view::RenderedPolicyPages>>,
    /// Each bundle's page, in [`Bundle::ALL`]'s order.
    pages: [Template; 3],
    /// The pages' Content-Security-Policy, allowing Trunk's inline loaders by their hashes.
    pub csp: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SpaError {
    #[error("{0} lacks {APP_MARK} or {NOSCRIPT_MARK}; rebuild the SPA")]
    NoMarker(String),
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
}

impl Spa {
    /// Loads each bundle's page from `dir`; `None` when the SPA has not been built (the API
    /// still works).
    pub fn load(dir: &Path) -> Result<Option<Spa>, SpaError> {
        let mut html = Vec::new();
        for bundle in Bundle::ALL {
            let path = dir.join(bundle.page());
            match std::fs::read_to_string(&path) {
                Ok(page) => html.push((page, path)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && html.is_empty() => {
                    return Ok(None)
                }
                Err(e) => return Err(SpaError::Read(path.display().to_string(), e)),
            }
        }
        let parse = |i: usize| Template::parse(&html[i].0, &html[i].1);
        let pages = [parse(0)?, parse(1)?, parse(2)?];
        let files = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let all: String = html.iter().map(|(page, _)| page.as_str()).collect();
        Ok(Some(Spa {
            files,
            noscript: Arc::default(),
            first_views: Arc::default(),
            pages,
            // One policy for every page: each one's inline loader is allowed by its hash.
            csp: csp_for(&all),
        }))
    }

    fn page(&self, bundle: Bundle) -> &Template {
        match bundle {
            Bundle::PolicyViewer => &self.pages[0],
            Bundle::SignedOut => &self.pages[1],
            Bundle::PersonalSection => &self.pages[2],
        }
    }
}

/// `path` with its query, as the request asked for it.
fn with_query(path: &str, query: Option<&str>) -> String {
    match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    }
}

/// `script-src` hashes of every inline script (Trunk's module loader); no `unsafe-inline`.
pub fn csp_for(html: &str) -> String {
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_rest.as_bytes()[..close]);
            hashes.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[close..];
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         report-uri /api/csp-report"
    )
}

/// Trunk names built files `name-<hash>.ext` (wasm: `name-<hash>_bg.wasm`), the hash a u64 in
/// hex without leading zeros: safe to cache forever, since new content gets a new name.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches("_bg");
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Everything the API routes did not take.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        let err = ApiError::new(ErrorCode::NotFound, format!("no API endpoint at {path}"));
        return (StatusCode::NOT_FOUND, Json(err)).into_response();
    }
    let Some(spa) = state.spa.as_ref() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The web app is not built. Run `cargo xtask run`.\n",
        )
            .into_response();
    };
    let bundle = Bundle::of(&path);
    let is_page = path
        .strip_prefix('/')
        .is_some_and(|name| Bundle::ALL.iter().any(|b| b.page() == name));
    if !is_page && looks_like_file(&path) {
        return asset(spa, request, &path).await;
    }
    if request.method() == Method::POST && bundle != Bundle::PolicyViewer {
        // A form of the personal section sent without its app (no JavaScript, or before the
        // app came): the page again. What was sent is neither read nor kept nor logged.
        return Redirect::to(&with_query(&path, request.uri().query())).into_response();
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let err = ApiError::new(
            ErrorCode::MethodNotAllowed,
            "only GET and HEAD are allowed here",
        );
        return (StatusCode::METHOD_NOT_ALLOWED, Json(err)).into_response();
    }
    let template = spa.page(bundle);
    let query = request.uri().query();
    let view = first_view::first_view(
        &state,
        &spa.first_views,
        bundle,
        &path,
        query,
        request.headers(),
    )
    .await;
    if first_view::sends_to_sign_in(bundle, view.signed_in) {
        let here = with_query(&path, query);
        let mut response = Redirect::to(&fk_api::account::sign_in_to(&here)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static(PAGE_VARIES));
        return response;
    }
    if let Some(page) = &view.page {
        let (bodies, etag) = page.get_or_init(|| {
            let html = template.fill(&view, "").into_bytes();
            let digest = hex::encode(&Sha256::digest(&html)[..12]);
            let etag =
                HeaderValue::from_str(&format!("\"{digest}\"")).expect("hex is a valid header");
            (Bodies::compress(html), etag)
        });
        let mut response = bodies.respond(
            request.headers(),
            "text/html; charset=utf-8",
            etag,
            "no-cache",
        );
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static(PAGE_VARIES));
        return response;
    }
    let t = view.lang.messages();
    // Without JavaScript the first view is the page; where it could not hold the policy (the
    // comparison of two versions needs the app), the plain text version stands in.
    let noscript: Arc<str> = if view.not_found {
        // The first view says what there is instead ("no such version", with links).
        Arc::from("")
    } else if path.starts_with("/policy") && view.policy_title.is_none() {
        policy_noscript(&state, spa, view.lang).await
    } else if view.policy_title.is_some() {
        Arc::from("")
    } else {
        format!(
            "<p>{}</p><p><a href=\"/policy\">{}</a></p>",
            noscript::escape(t.noscript_note),
            noscript::escape(t.noscript_policy_link)
        )
        .into()
    };
    let mut response = Html(template.fill(&view, &noscript)).into_response();
    if view.not_found {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static(PAGE_VARIES));
    if let Some(cookie) = view.set_cookie.clone() {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn policy_noscript(state: &AppState, spa: &Spa, lang: Lang) -> Arc<str> {
    let row = match crate::policy::latest_for(&state.db, lang).await {
        Ok(row) => row,
        Err(e) => {
            tracing::warn!(error = %e, "no policy for the noscript rendering");
            None
        }
    };
    let Some(row) = row else { return Arc::from("") };
    if let Some(html) = spa
        .noscript
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(row.id, lang))
    {
        return html.clone();
    }
    match state.documents.get(&state.db, &row).await {
        Ok(doc) => {
            let html: Arc<str> = noscript::render(&doc, &row.summary(), lang).into();
            spa.noscript
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert((row.id, lang), html.clone());
            html
        }
        Err(e) => {
            tracing::warn!(error = %e, "no policy for the noscript rendering");
            Arc::from("")
        }
    }
}

async fn asset(spa: &Spa, request: Request, path: &str) -> Response {
    let mut response = match spa.files.clone().oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let cache = if is_hashed_asset(path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if path.starts_with("/consent/") {
            // The embeddable banner is imported by pages on other origins (module scripts and
            // wasm are fetched in CORS mode); it is public, so any origin may read it.
            let h = response.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            h.insert(
                "cross-origin-resource-policy",
                HeaderValue::from_static("cross-origin"),
            );
        }
    }
    response
}

/// An app page's path as the request log shows it: at most two segments, so that what
/// follows (an order number, a version) stays out of the log.
pub fn logged_path(path: &str) -> String {
    let mut segments = path.splitn(4, '/');
    let kept: Vec<&str> = segments.by_ref().take(3).collect();
    match segments.next() {
        Some(_) => format!("{}/…", kept.join("/")),
        None => kept.join("/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_is_named_by_the_pages_heading() {
        assert_eq!(
            heading_of("<main><div><h1 class=\"x\">Вход<!----></h1><h1>Другой</h1></div></main>"),
            Some("Вход".into())
        );
        assert_eq!(
            heading_of("<h1>\n  Tom &amp; <span>Jerry</span>\n</h1>"),
            Some("Tom &amp; Jerry".into())
        );
        assert_eq!(heading_of("<p class=\"loading\">…</p>"), None);
        assert_eq!(heading_of("<h1><!----></h1>"), None);
    }

    #[test]
    fn logged_paths_keep_two_segments() {
        assert_eq!(logged_path("/account/orders/A-1009"), "/account/orders/…");
        assert_eq!(logged_path("/policy/versions/3"), "/policy/versions/…");
        assert_eq!(logged_path("/account/orders"), "/account/orders");
        assert_eq!(logged_path("/app-1a2b.js"), "/app-1a2b.js");
        assert_eq!(logged_path("/"), "/");
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/fk-app-3f2a9c0d1e4b5a69_bg.wasm"));
        assert!(is_hashed_asset("/fk-app-3f2a9c0d1e4b5a69.js"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(
            is_hashed_asset("/consent-2dd92fe8059d8d3.css"),
            "Trunk drops leading zeros"
        );
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/fk-app-xyz.js"));
    }

    #[test]
    fn csp_allows_inline_scripts_by_hash_only() {
        let csp = csp_for("<script type=\"module\">init()</script><script src=\"/a.js\"></script>");
        assert_eq!(csp.matches("'sha256-").count(), 1);
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
    }
}
