//! The shell every page sits in: skip link, header with navigation and language, main
//! landmark, footer. Focus moves to the main landmark after each navigation, so a screen
//! reader user lands on the new page, not at the old link.
use fk_api::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::bundle::Bundle;
use crate::consent::bridge::show_preferences;
use crate::i18n::use_i18n;

pub use fk_api::CONTACT_EMAIL;

/// Moves focus to the main landmark. After a navigation the page stays at its top (where the
/// router put it, or at the clause a link names): focusing a landmark taller than the screen
/// would otherwise scroll the header out of view. The skip link does scroll to it.
fn focus_main(scroll: bool) {
    if let Some(main) = document().get_element_by_id("main") {
        use wasm_bindgen::JsCast;
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(!scroll);
            let _ = main.focus_with_options(&options);
        }
    }
}

/// `bundle`: the bundle the shell is drawn by. A link into another bundle is
/// `rel="external"`: the router leaves it to the browser, which loads that bundle.
#[component]
pub fn Shell(children: Children, bundle: Bundle) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let link = move |href: &'static str, text: Signal<&'static str>| {
        let current = move || {
            location
                .pathname
                .with(|path| section_of(path, href))
                .then_some("page")
        };
        view! { <a href=href rel=bundle.rel_to(href) aria-current=current>{text}</a> }
    };
    // The menu: on a phone the navigation and the languages fold behind one button, so the
    // header is one row; on a wide screen the stylesheet shows them in place of the button. A
    // `<details>`, so it opens in the server's first view too, before the app has arrived; the
    // DOM is its one state (the browser opens it, the app only closes it).
    let menu = NodeRef::<leptos::html::Details>::new();
    // A new page: the menu folds behind the link that was followed, and the keyboard goes on
    // from the new page's main landmark.
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            if let Some(details) = menu.get_untracked() {
                details.set_open(false);
            }
            focus_main(false);
        }
        path
    });
    let close_on_escape = move |ev: web_sys::KeyboardEvent| {
        let Some(details) = menu.get_untracked() else {
            return;
        };
        if ev.key() == "Escape" && details.open() {
            details.set_open(false);
            if let Some(summary) = details.first_element_child() {
                use wasm_bindgen::JsCast;
                if let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>() {
                    let _ = summary.focus();
                }
            }
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=move |ev| { ev.prevent_default(); focus_main(true); }>
            {i18n.text(|t| t.skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/policy" rel=bundle.rel_to("/policy")>
                    <span class="brand__name">{i18n.text(|t| t.app_name)}</span>
                    <span class="brand__sub">{i18n.text(|t| t.app_subtitle)}</span>
                </a>
                <details class="site-menu" id="site-menu" node_ref=menu on:keydown=close_on_escape>
                    <summary class="site-menu__toggle">
                        <span class="site-menu__icon" aria-hidden="true"></span>
                        <span class="site-menu__label">{i18n.text(|t| t.menu_label)}</span>
                    </summary>
                    <div class="site-menu__panel">
                        <nav class="site-nav" aria-label=i18n.text(|t| t.nav_label)>
                            {link("/policy", i18n.text(|t| t.nav_policy))}
                            {link("/cookies", i18n.text(|t| t.nav_cookies))}
                            {link("/account", i18n.text(|t| t.nav_account))}
                        </nav>
                        <LanguageSwitcher/>
                    </div>
                </details>
            </div>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>{i18n.text(|t| t.footer_operator)}</p>
            <p>
                {move || {
                    let text = i18n.t().footer_contact;
                    let (before, after) = text.split_once("{email}").unwrap_or((text, ""));
                    view! {
                        {before}
                        <a href=format!("mailto:{CONTACT_EMAIL}")>{CONTACT_EMAIL}</a>
                        {after}
                    }
                }}
            </p>
            <p>
                // Reopens the preferences dialog in place; without the loader, the page does it.
                <a href="/cookies" rel=bundle.rel_to("/cookies") on:click=move |ev| { if show_preferences() { ev.prevent_default(); } }>
                    {i18n.text(|t| t.footer_cookie_settings)}
                </a>
            </p>
        </footer>
    }
}

/// Whether the page at `path` is in the header's section `href`: the section's own page or one
/// below it (`/policy/versions/3` is in the policy, `/account/login` in the personal section).
pub fn section_of(path: &str, href: &str) -> bool {
    path.strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="lang-switcher" role="group" aria-label=i18n.text(|t| t.lang_switcher_label)>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            lang=lang.code()
                            aria-pressed=move || (i18n.lang.get() == lang).to_string()
                            on:click=move |_| i18n.set(lang)
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn a_header_link_is_current_in_its_whole_section() {
        assert!(section_of("/policy", "/policy"));
        assert!(section_of("/policy/versions/3", "/policy"));
        assert!(section_of("/account/login", "/account"));
        assert!(!section_of("/accounts", "/account"));
        assert!(!section_of("/cookies", "/policy"));
    }
}
