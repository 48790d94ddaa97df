//! The app ships as three bundles, so that a page downloads only the code it runs: a reader of
//! the policy never loads the personal section, and a visitor who is signing in never loads the
//! pages behind the sign-in. The server picks a page's bundle by its path with [`Bundle::of`];
//! a bundle that is asked for a page it does not hold hands it to the browser, which loads the
//! right one ([`NotHere`]).
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::pages::NotFound;
use crate::widgets::Loading;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The policy viewer and the cookie settings (`index.html`, `fk-app`).
    PolicyViewer,
    /// The pages of the personal section a signed-out visitor reaches: signing up, in and back
    /// in, and the links of letters (`signed-out.html`, `fk-signed-out`).
    SignedOut,
    /// The signed-in pages of the personal section (`account.html`, `fk-account`).
    PersonalSection,
}

/// The signed-out bundle's pages; every other page under `/account` is the signed-in section's.
const SIGNED_OUT: &[&str] = &[
    "/account/register",
    "/account/login",
    "/account/verify",
    "/account/recover",
    "/account/reset",
    "/account/deleted",
    "/account/email/confirm",
    // A letter's short link, outside `/account`.
    "/unsubscribe",
];

impl Bundle {
    pub const ALL: [Bundle; 3] = [
        Bundle::PolicyViewer,
        Bundle::SignedOut,
        Bundle::PersonalSection,
    ];

    /// The bundle that draws the page at `path`.
    pub fn of(path: &str) -> Bundle {
        let path = match path.trim_end_matches('/') {
            "" => "/",
            trimmed => trimmed,
        };
        if SIGNED_OUT.contains(&path) || path == "/signed-out.html" {
            Bundle::SignedOut
        } else if path == "/account" || path.starts_with("/account/") || path == "/account.html" {
            Bundle::PersonalSection
        } else {
            Bundle::PolicyViewer
        }
    }

    /// The page Trunk builds for this bundle, in `dist/`.
    pub fn page(self) -> &'static str {
        match self {
            Bundle::PolicyViewer => "index.html",
            Bundle::SignedOut => "signed-out.html",
            Bundle::PersonalSection => "account.html",
        }
    }

    /// `rel` for a link from this bundle's pages to `href`: "external" when another bundle
    /// draws it, so the router leaves the link to the browser, which loads that bundle.
    pub fn rel_to(self, href: &str) -> Option<&'static str> {
        (Bundle::of(href) != self).then_some("external")
    }
}

/// Whether the server's first view of the page at `path` is the whole page, and the same for
/// everyone who opens it, so that its app can wait until the visitor does something with it:
/// a reader of the policy never downloads it, and a visitor signing in has it by the time they
/// have typed their login. The signed-out pages are such only for a visitor the server knows
/// is not signed in (the app sends anyone else on). Not the cookie settings, whose first view
/// cannot show a choice stored in this browser; not the pages whose data only the app fetches;
/// not `/account/deleted`, whose text comes from the tab that deleted the account (its session
/// storage), which only the app can read.
pub fn drawn_whole(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let version = path.strip_prefix("/policy/versions/").is_some_and(|n| {
        !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
    });
    version
        || matches!(
            path,
            "/policy"
                | "/policy/versions"
                | "/account/login"
                | "/account/register"
                | "/account/recover"
        )
}

/// The fallback of `this` bundle's routes. A path no route of it matches is either another
/// bundle's page, reached by the router (a `navigate` after signing in, a link without
/// `rel="external"`): the browser loads it, and the server sends that bundle; or a page that
/// does not exist.
#[component]
pub fn NotHere(this: Bundle) -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    if Bundle::of(&path) == this {
        return view! { <NotFound/> }.into_any();
    }
    let search = location.search.get_untracked();
    let query = if search.is_empty() { "" } else { "?" };
    let target = format!("{path}{query}{search}{}", location.hash.get_untracked());
    // After this render the router has put the path in the address bar (for a link), so the
    // new page takes that entry's place; a `navigate` that had not yet gets an entry of its own.
    crate::dom::after_render(move || {
        let bar = window().location();
        // The router's path is decoded; the address bar's is not.
        let shown = bar
            .pathname()
            .ok()
            .and_then(|p| js_sys::decode_uri(&p).ok());
        if shown.is_some_and(|p| p == path.as_str()) {
            let _ = bar.replace(&target);
        } else {
            let _ = bar.assign(&target);
        }
    });
    view! { <Loading/> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_has_one_bundle() {
        assert_eq!(Bundle::of("/"), Bundle::PolicyViewer);
        assert_eq!(Bundle::of("/policy/versions/3"), Bundle::PolicyViewer);
        assert_eq!(Bundle::of("/cookies"), Bundle::PolicyViewer);
        assert_eq!(Bundle::of("/accounts"), Bundle::PolicyViewer);
        assert_eq!(Bundle::of("/account/login"), Bundle::SignedOut);
        assert_eq!(Bundle::of("/account/login/"), Bundle::SignedOut);
        assert_eq!(Bundle::of("/account/email/confirm"), Bundle::SignedOut);
        assert_eq!(Bundle::of("/unsubscribe"), Bundle::SignedOut);
        assert_eq!(Bundle::of("/account"), Bundle::PersonalSection);
        assert_eq!(Bundle::of("/account/"), Bundle::PersonalSection);
        assert_eq!(Bundle::of("/account/orders/A-1"), Bundle::PersonalSection);
        assert_eq!(Bundle::of("/account/loginx"), Bundle::PersonalSection);
        assert_eq!(Bundle::of("/account/email"), Bundle::PersonalSection);
        assert_eq!(Bundle::of("/account/security"), Bundle::PersonalSection);
    }

    #[test]
    fn only_a_page_drawn_whole_waits_for_the_visitor() {
        for page in [
            "/policy",
            "/policy/",
            "/policy/versions",
            "/policy/versions/12",
        ] {
            assert!(drawn_whole(page), "{page}");
        }
        for page in ["/account/login", "/account/register", "/account/recover"] {
            assert!(drawn_whole(page), "{page}");
        }
        for page in [
            "/",
            "/cookies",
            "/policy/compare",
            "/policy/versions/x",
            "/policy/versions/007",
            "/account",
            "/account/reset",
            "/account/verify",
            "/unsubscribe",
        ] {
            assert!(!drawn_whole(page), "{page}");
        }
    }

    #[test]
    fn a_link_into_another_bundle_is_left_to_the_browser() {
        assert_eq!(Bundle::SignedOut.rel_to("/account/register"), None);
        assert_eq!(Bundle::SignedOut.rel_to("/account"), Some("external"));
        assert_eq!(Bundle::PersonalSection.rel_to("/account/profile"), None);
        assert_eq!(Bundle::PersonalSection.rel_to("/policy"), Some("external"));
        assert_eq!(Bundle::PolicyViewer.rel_to("/cookies"), None);
    }
}
