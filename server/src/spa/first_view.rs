//! Every page's first view in the HTML the server sends: the app's own components rendered
//! here (`fk_app::ssr`) from the data the page needs, so a phone shows the policy text or the
//! sign-in form before any WebAssembly has arrived. The data goes into the page too
//! (`fk_app::boot`): the app starts from it and draws the same view in place.
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use axum::http::{header, HeaderMap, HeaderValue};
use fk_api::policy::parse_version;
use fk_api::Lang;
use fk_app::boot::{Boot, ShownPolicy};
use fk_app::ssr::{render, Bundle};

use crate::precompressed::Bodies;
use crate::AppState;

pub struct FirstView {
    /// What goes inside `<div id="app">`.
    pub app: String,
    /// The `<script>` with the boot data, after it.
    pub boot: String,
    pub lang: Lang,
    /// The policy's title, for `<title>`, when the page shows a version of it.
    pub policy_title: Option<String>,
    /// Moves a remembered session's cookie expiry forward (personal-section pages).
    pub set_cookie: Option<HeaderValue>,
    /// Whether the request came with a live session (personal-section pages; `None` when
    /// that could not be checked).
    pub signed_in: Option<bool>,
    /// The first view is the whole page (`fk_app::bundle::drawn_whole`): its app is loaded
    /// once the visitor does something with it.
    pub drawn_whole: bool,
    /// The page shows that what it was asked for does not exist (a policy version never
    /// published): it is sent with status 404.
    pub not_found: bool,
    /// A kept policy page, whole and compressed once with its ETag (filled in by the first
    /// request that sends it): the page is large, and compressing it per request was most of
    /// what serving it cost.
    pub page: Option<OnceLock<(Bodies, HeaderValue)>>,
}

/// The interface language of a page request: `?lang=`, else the visitor's choice (the
/// `fk_lang` cookie the app sets), else the browser's first language we speak, else Russian.
pub fn page_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    let asked = query
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .and_then(Lang::from_code);
    let chosen = || {
        crate::request::cookies(headers)
            .find(|(name, _)| *name == fk_api::lang::COOKIE)
            .and_then(|(_, code)| Lang::from_code(code))
    };
    let browser = || {
        let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        Lang::first_spoken(accept.split(','))
    };
    asked.or_else(chosen).or_else(browser).unwrap_or_default()
}

/// Whether a page of `bundle` sends the visitor to sign in instead: a signed-in page, for a
/// visitor the server knows is not signed in. Such a page is not drawn, and the signed-in
/// section's bundle is not downloaded to find that out.
pub fn sends_to_sign_in(bundle: Bundle, signed_in: Option<bool>) -> bool {
    bundle == Bundle::PersonalSection && signed_in == Some(false)
}

/// The first views of the policy's pages by (path, language, the newest version answering for
/// that language, the newest Russian one). Versions never change once published, so those two
/// rows decide everything such a page shows (the text, the list, "the original is newer"), and
/// an entry never goes stale: a publication makes a new key. Rendering the whole policy is the
/// costly part of serving `/policy`, the busiest page.
pub type RenderedPolicyPages = HashMap<(String, Lang, i64, i64), Arc<FirstView>>;

/// Renders the page at `path` (`query` kept for the app's router) of `bundle`.
pub async fn first_view(
    state: &AppState,
    cache: &RwLock<RenderedPolicyPages>,
    bundle: Bundle,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Arc<FirstView> {
    let lang = page_lang(query, headers);
    let mut boot = Boot {
        rendered: true,
        lang,
        ..Boot::default()
    };
    let mut set_cookie = None;
    let mut key = None;
    match bundle {
        Bundle::PolicyViewer if path.starts_with("/policy") => {
            key = policy_key(state, path, lang).await;
            let cached = key.as_ref().and_then(|k| {
                cache
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(k)
                    .cloned()
            });
            if let Some(view) = cached {
                return view;
            }
            policy_data(state, path, &mut boot).await;
        }
        Bundle::PolicyViewer => {}
        Bundle::SignedOut | Bundle::PersonalSection => {
            let (signed_in, slide) = crate::auth::session::of_page(state, headers).await;
            boot.signed_in = signed_in;
            set_cookie = slide;
        }
    }
    let signed_in = boot.signed_in;
    // Only a page that found its data is kept: a made-up version number renders, uncached.
    let keep = boot.policy.is_some() || boot.versions.is_some();
    let not_found = boot.no_such_version;
    // Whole only as drawn: a policy page whose data was not found here shows the loading sign,
    // and its app is what fetches it.
    let drawn_whole = fk_app::bundle::drawn_whole(path)
        && match bundle {
            Bundle::PolicyViewer => keep || not_found,
            Bundle::SignedOut => signed_in == Some(false),
            Bundle::PersonalSection => false,
        };
    let policy_title = boot
        .policy
        .as_ref()
        .map(|shown| shown.version.document.title.clone());
    // A policy page is the same whatever its query (`?lang=` is in the key): it renders from
    // the path, so one entry serves every query.
    let url = super::with_query(path, query.filter(|_| key.is_none()));
    let script = boot.to_script();
    let app = if sends_to_sign_in(bundle, signed_in) {
        String::new()
    } else {
        render(bundle, &url, boot).unwrap_or_else(|| {
            tracing::error!(
                path,
                "the first view could not be rendered: the app will draw it"
            );
            String::new()
        })
    };
    let view = Arc::new(FirstView {
        app,
        boot: script,
        lang,
        policy_title,
        set_cookie,
        signed_in,
        drawn_whole,
        not_found,
        page: (key.is_some() && keep).then(OnceLock::new),
    });
    if let (Some(key), true) = (key, keep) {
        cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, view.clone());
    }
    view
}

/// The cache key of a policy page: two indexed reads instead of loading and rendering it.
async fn policy_key(state: &AppState, path: &str, lang: Lang) -> Option<(String, Lang, i64, i64)> {
    let served = crate::policy::latest_for(&state.db, lang).await.ok()??;
    let prevailing = crate::policy::prevailing(&state.db).await.ok()??;
    Some((path.to_string(), lang, served.id, prevailing.id))
}

/// The policy text or the list of versions the page shows. What cannot be read just now is
/// left out: the app then fetches it, as it does for any page the server did not fill.
async fn policy_data(state: &AppState, path: &str, boot: &mut Boot) {
    let lang = boot.lang;
    let number = match path.strip_prefix("/policy/versions/") {
        Some(raw) => match parse_version(raw, "version") {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                boot.no_such_version = true;
                None
            }
        },
        None if path == "/policy" => Some(None),
        None => None,
    };
    if let Some(number) = number {
        match crate::policy::http::shown(state, lang, number).await {
            Ok(shown) => {
                // A number that was never published (the policy itself always is, once seeded).
                boot.no_such_version = number.is_some() && shown.is_none();
                boot.policy = shown.map(|(version, latest)| ShownPolicy { version, latest });
            }
            Err(e) => tracing::warn!(error = ?e, "no policy for the first view"),
        }
    }
    if path == "/policy/versions" {
        match crate::policy::http::listed(state, lang).await {
            Ok(list) => boot.versions = list,
            Err(e) => tracing::warn!(error = ?e, "no list of versions for the first view"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fk_api::policy::{PolicyVersion, PolicyVersionList, VersionSummary};

    fn policy(lang: Lang) -> PolicyVersion {
        let text = match lang {
            Lang::Ru => include_str!("../../../policy/ru.md"),
            Lang::Kk => include_str!("../../../policy/kk.md"),
            Lang::En => include_str!("../../../policy/en.md"),
        };
        PolicyVersion {
            summary: VersionSummary {
                lang,
                version: 2,
                effective_at: "2026-11-24T09:05:00Z".into(),
                content_hash: "0".repeat(64),
            },
            requested_lang: lang,
            original_newer: false,
            document: crate::policy::markdown::parse(text).unwrap(),
        }
    }

    fn rendered_in(lang: Lang) -> Boot {
        Boot {
            rendered: true,
            lang,
            ..Boot::default()
        }
    }

    #[test]
    fn every_page_renders_on_the_server_by_its_own_bundle() {
        let pages = [
            "/policy",
            "/policy/versions",
            "/policy/versions/1",
            "/policy/compare?from=1",
            "/cookies",
            "/account/login",
            "/account/register",
            "/account/recover",
            "/account/reset",
            "/account/verify",
            "/account/deleted",
            "/account/email/confirm",
            "/unsubscribe",
            "/account",
            "/account/profile",
            "/account/orders/A-1",
            "/account/delete",
        ];
        for lang in Lang::ALL {
            let not_found = lang.messages().not_found_title;
            for page in pages.into_iter().chain(["/nowhere", "/account/nowhere"]) {
                let path = page.split('?').next().unwrap_or_default();
                for signed_in in [Some(false), Some(true), None] {
                    let boot = Boot {
                        signed_in,
                        ..rendered_in(lang)
                    };
                    let html = render(Bundle::of(path), page, boot).unwrap_or_default();
                    assert!(html.contains("<main"), "{page} in {lang:?}");
                    assert_eq!(
                        html.contains(not_found),
                        !pages.contains(&page),
                        "{page} in {lang:?} is drawn by a route of its bundle"
                    );
                }
            }
        }
    }

    #[test]
    fn the_policy_is_in_the_first_view() {
        let shown = ShownPolicy {
            version: policy(Lang::Kk),
            latest: 2,
        };
        let title = shown.version.document.title.clone();
        let boot = Boot {
            policy: Some(shown),
            ..rendered_in(Lang::Kk)
        };
        let html = render(Bundle::PolicyViewer, "/policy", boot).unwrap();
        assert!(html.contains(&title));
        assert!(html.contains("id=\"6.4\""), "clause anchors");
        assert!(
            html.contains("2026\u{a0}жылғы 24\u{a0}қараша"),
            "the version line's date"
        );
        let list = PolicyVersionList {
            lang: Lang::En,
            requested_lang: Lang::En,
            versions: vec![policy(Lang::En).summary],
        };
        let boot = Boot {
            versions: Some(list),
            ..rendered_in(Lang::En)
        };
        let html = render(Bundle::PolicyViewer, "/policy/versions", boot).unwrap();
        assert!(html.contains("href=\"/policy/versions/2\""));
    }

    #[test]
    fn the_sign_in_form_is_in_the_first_view() {
        let boot = Boot {
            signed_in: Some(false),
            ..rendered_in(Lang::En)
        };
        let html = render(Bundle::SignedOut, "/account/login", boot).unwrap();
        assert!(html.contains("<form"));
        assert!(html.contains("<label for=\"login\""));
        assert!(html.contains("<label for=\"password\""));
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_pages_language_is_asked_then_chosen_then_the_browsers() {
        let browser_kk = (header::ACCEPT_LANGUAGE, "kk-KZ,ru;q=0.8");
        let chose_en = (header::COOKIE, "fk_session=x; fk_lang=en");
        assert_eq!(page_lang(None, &headers(&[])), Lang::Ru);
        assert_eq!(
            page_lang(None, &headers(std::slice::from_ref(&browser_kk))),
            Lang::Kk
        );
        assert_eq!(
            page_lang(None, &headers(&[browser_kk.clone(), chose_en.clone()])),
            Lang::En
        );
        assert_eq!(
            page_lang(Some("x=1&lang=kk"), &headers(&[chose_en])),
            Lang::Kk
        );
        assert_eq!(
            page_lang(None, &headers(&[(header::COOKIE, "fk_lang=de")])),
            Lang::Ru
        );
    }
}
