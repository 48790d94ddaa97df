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

fn focus_main() {
    if let Some(main) = document().get_element_by_id("main") {
        use wasm_bindgen::JsCast;
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}

/// `bundle`: the bundle the shell is drawn by. A link into another bundle is
/// `rel="external"`: the router leaves it to the browser, which loads that bundle.
#[component]
pub fn Shell(children: Children, bundle: Bundle) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            focus_main();
        }
        path
    });
    let link = move |href: &'static str, text: Signal<&'static str>| {
        let current = move || {
            location
                .pathname
                .with(|path| section_of(path, href))
                .then_some("page")
        };
        view! { <a href=href rel=bundle.rel_to(href) aria-current=current>{text}</a> }
    };
    view! {
        <a class="skip-link" href="#main" on:click=move |ev| { ev.prevent_default(); focus_main(); }>
            {i18n.text(|t| t.skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/policy" rel=bundle.rel_to("/policy")>
                    <span class="brand__name">{i18n.text(|t| t.app_name)}</span>
                    <span class="brand__sub">{i18n.text(|t| t.app_subtitle)}</span>
                </a>
                <nav class="site-nav" aria-label=i18n.text(|t| t.nav_label)>
                    {link("/policy", i18n.text(|t| t.nav_policy))}
                    {link("/cookies", i18n.text(|t| t.nav_cookies))}
                    {link("/account", i18n.text(|t| t.nav_account))}
                </nav>
                <LanguageSwitcher/>
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
