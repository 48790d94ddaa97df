//! The shell every page sits in: skip link, header with navigation and language, main
//! landmark, footer. Focus moves to the main landmark after each navigation, so a screen
//! reader user lands on the new page, not at the old link.
use fk_api::Lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

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

/// `account`: the shell of the personal section's bundle. The policy viewer and the personal
/// section are two bundles (each page downloads only its own code), so a link into the other
/// one is `rel="external"`: the router leaves it to the browser, which loads that bundle.
#[component]
pub fn Shell(children: Children, #[prop(optional)] account: bool) -> impl IntoView {
    let to_policy = account.then_some("external");
    let i18n = use_i18n();
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            focus_main();
        }
        path
    });
    view! {
        <a class="skip-link" href="#main" on:click=move |ev| { ev.prevent_default(); focus_main(); }>
            {i18n.text(|t| t.skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/policy" rel=to_policy>
                    <span class="brand__name">{i18n.text(|t| t.app_name)}</span>
                    <span class="brand__sub">{i18n.text(|t| t.app_subtitle)}</span>
                </a>
                <nav class="site-nav" aria-label=i18n.text(|t| t.nav_label)>
                    {if account {
                        view! {
                            <a href="/policy" rel="external">{i18n.text(|t| t.nav_policy)}</a>
                            <a href="/cookies" rel="external">{i18n.text(|t| t.nav_cookies)}</a>
                            <A href="/account">{i18n.text(|t| t.nav_account)}</A>
                        }
                        .into_any()
                    } else {
                        view! {
                            <A href="/policy">{i18n.text(|t| t.nav_policy)}</A>
                            <A href="/cookies">{i18n.text(|t| t.nav_cookies)}</A>
                            <a href="/account" rel="external">{i18n.text(|t| t.nav_account)}</a>
                        }
                        .into_any()
                    }}
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
                <a href="/cookies" rel=to_policy on:click=move |ev| { if show_preferences() { ev.prevent_default(); } }>
                    {i18n.text(|t| t.footer_cookie_settings)}
                </a>
            </p>
        </footer>
    }
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
