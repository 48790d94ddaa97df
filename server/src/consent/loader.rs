//! `GET /consent.js`: the loader with the current setup written into it (configuration
//! revision, policy version, cookie names, frame providers) and the banner's first view: its
//! HTML in each language, rendered from the app's components, and its stylesheet. The loader
//! paints the banner from these at once; the WebAssembly module comes only for the
//! preferences dialog. Revalidated on every load, so a changed configuration reaches returning
//! visitors at once; compressed once per setup, since every page view of every embedding site
//! asks for it.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use fk_api::consent::{accept_all, Category};
use fk_api::Lang;
use fk_app::consent::first_view;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::precompressed::Bodies;
use crate::AppState;

/// The loader as built by `build.rs` (`consent/build.mjs`: joined and minified).
pub const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/consent.js"));
const PLACEHOLDER: &str = "/*FK_SETUP*/null";

/// The built banner's files, from `dist/consent/manifest.json` (written by xtask).
pub fn banner_manifest(dist: &std::path::Path) -> Option<Value> {
    let text = std::fs::read_to_string(dist.join("consent/manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The banner's stylesheet: the loader adopts it into its shadow root with the first view (and
/// the module's dialog uses it there too).
const STYLESHEET: &str = include_str!("../../../style/consent.css");

/// The stylesheet as the loader carries it: without its comments and indentation, which are
/// for us, while every page view of every embedding site downloads what is left.
fn compact_css(css: &str) -> String {
    let mut bare = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        bare.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        rest = after.find("*/").map_or("", |end| &after[end + 2..]);
    }
    bare.push_str(rest);
    let mut out = String::with_capacity(bare.len());
    let mut space = false;
    for c in bare.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// The last loader served. Every page view of every embedding site asks for `/consent.js`,
/// while its setup changes only on a configuration edit or a publication.
#[derive(Clone, Default)]
pub struct Rendered {
    held: Arc<Mutex<Option<Cached>>>,
    /// One rendering at a time: right after a change, the requests that find the loader stale
    /// wait for one of them to compress it instead of each compressing it.
    rendering: Arc<tokio::sync::Mutex<()>>,
    renders: Arc<AtomicUsize>,
    /// The first view in each language. It depends on nothing but the release, so it is
    /// rendered once.
    first_views: Arc<OnceLock<Value>>,
}

impl Rendered {
    /// How many times a loader was rendered (and compressed) by this process.
    pub fn renders(&self) -> usize {
        self.renders.load(Ordering::Relaxed)
    }

    fn get(&self, key: &str) -> Option<Arc<Loader>> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, loader)| loader.clone())
    }
}

/// The setup (configuration revision and policy version) the loader was rendered for, and
/// what was rendered.
type Cached = (String, Arc<Loader>);

/// The loader for one setup, in each encoding, with its ETag.
pub struct Loader {
    pub bodies: Bodies,
    pub etag: HeaderValue,
}

#[utoipa::path(get, path = "/consent.js", tag = "consent",
    params(("if-none-match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The banner's loader script, for any site's pages (`<script src defer>`)", content_type = "text/javascript", body = String,
            headers(("etag" = String), ("cross-origin-resource-policy" = String))),
        (status = 304, description = "Unchanged since the `ETag` given"),
    ))]
pub async fn serve(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let loader = rendered(&state).await?;
    let mut response = loader.bodies.respond(
        &headers,
        "text/javascript; charset=utf-8",
        &loader.etag,
        "no-cache",
    );
    // Loaded by pages on other origins: allow exactly that.
    response.headers_mut().insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    Ok(response.into_response())
}

/// The first view in each language.
fn first_views(rendered: &Rendered) -> &Value {
    rendered.first_views.get_or_init(|| {
        let views: Map<String, Value> = Lang::ALL
            .into_iter()
            .map(|lang| (lang.code().to_string(), json!(first_view::render(lang))))
            .collect();
        Value::Object(views)
    })
}

fn codes(categories: Vec<Category>) -> Vec<&'static str> {
    categories.into_iter().map(Category::code).collect()
}

/// The loader for the current setup: rebuilt only when the revision or policy version moves.
async fn rendered(state: &AppState) -> Result<Arc<Loader>, AppError> {
    let loaded = state.cookie_config.current();
    let policy_version = crate::policy::prevailing_version(state).await?;
    let key = format!("{}/{policy_version}", loaded.revision);
    if let Some(loader) = state.consent_loader.get(&key) {
        return Ok(loader);
    }
    let _rendering = state.consent_loader.rendering.lock().await;
    if let Some(loader) = state.consent_loader.get(&key) {
        return Ok(loader);
    }
    let categories = &loaded.config.categories;
    let cookies: Map<String, Value> = categories
        .iter()
        .map(|c| {
            (
                c.id.code().to_string(),
                json!(c.cookies.iter().map(|k| k.name.clone()).collect::<Vec<_>>()),
            )
        })
        .collect();
    // Category names as the placeholders of blocked frames say them, by language.
    let names: Map<String, Value> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let names: Map<String, Value> = categories
                .iter()
                .map(|c| (c.id.code().to_string(), json!(c.name.get(lang))))
                .collect();
            (lang.code().to_string(), Value::Object(names))
        })
        .collect();
    let setup = json!({
        "revision": loaded.revision,
        "policyVersion": policy_version,
        "categories": categories.iter().map(|c| c.id.code()).collect::<Vec<_>>(),
        "cookies": cookies,
        // What the banner's "accept all" allows, without and with Global Privacy Control: the
        // rule is fk-api's, the loader only looks it up.
        "acceptAll": [codes(accept_all(false)), codes(accept_all(true))],
        "names": names,
        "frames": loaded.config.frames,
        "views": first_views(&state.consent_loader),
        "css": compact_css(STYLESHEET),
        "banner": state.banner.as_ref(),
    });
    // `</script>` cannot occur in JSON text that reaches a script as its source, but `<!--`
    // and `</` are escaped all the same, should the loader ever be inlined into a page.
    let setup = setup
        .to_string()
        .replace("</", "<\\/")
        .replace("<!--", "<\\u0021--");
    let body = SOURCE.replacen(PLACEHOLDER, &setup, 1);
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(body.as_bytes())[..8]));
    let etag = HeaderValue::from_str(&etag).expect("hex is a valid header");
    // Best compression, once per setup: off the async workers, it takes milliseconds.
    let bodies = tokio::task::spawn_blocking(move || Bodies::compress(body.into_bytes()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let rendered = Arc::new(Loader { bodies, etag });
    state.consent_loader.renders.fetch_add(1, Ordering::Relaxed);
    *state
        .consent_loader
        .held
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some((key, rendered.clone()));
    Ok(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fk_app::consent::first_view::render;

    #[test]
    fn the_stylesheet_travels_without_comments_and_keeps_every_rule() {
        let css = compact_css(STYLESHEET);
        assert!(!css.contains("/*") && !css.contains('\n'), "{css}");
        assert!(css.len() < STYLESHEET.len() * 9 / 10);
        // Every rule is still there (no comment of the stylesheet holds a brace).
        let rules = |s: &str| s.matches('{').count();
        assert_eq!(rules(&css), rules(STYLESHEET));
        assert!(
            css.contains(r#".fk-banner h2::after { content: " "; }"#),
            "{css}"
        );
        assert_eq!(
            compact_css("a { b: c; } /* x */\n  d {e:f}/* open"),
            "a { b: c; } d {e:f}"
        );
    }

    #[test]
    fn every_language_has_its_banner_with_the_loaders_hooks() {
        for lang in Lang::ALL {
            let view = render(lang);
            let t = lang.messages();
            assert!(view.banner.contains(t.consent_banner_title), "{lang:?}");
            for hook in [
                r#"data-action="accept""#,
                r#"data-action="reject""#,
                r#"data-action="customise""#,
                r#"data-action="retry""#,
                r#"data-fk="gpc""#,
                r#"data-fk="loading""#,
                r#"data-fk="failed""#,
                r#"href="/policy#section-6""#,
            ] {
                assert!(
                    view.banner.contains(hook),
                    "{lang:?}: {hook} in {}",
                    view.banner
                );
            }
            assert!(
                view.notice.contains(t.consent_nocookies_text)
                    && view.notice.contains(r#"data-action="dismiss""#)
            );
            for hook in [
                r#"data-fk="provider""#,
                r#"data-fk="category""#,
                r#"data-fk="policy""#,
                r#"data-fk="policy-line""#,
                r#"data-action="once""#,
                r#"data-action="allow""#,
            ] {
                assert!(
                    view.frame.contains(hook),
                    "{lang:?}: {hook} in {}",
                    view.frame
                );
            }
            assert!(
                !view.frame.contains('{'),
                "every slot of the frame's texts is filled: {}",
                view.frame
            );
        }
    }
}
