//! The personal section's own navigation: every page of it, the current one marked. On a
//! narrow screen it folds behind one button naming the current page, so the page itself
//! starts on the first screen.
use fk_api::AccountMessages;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::use_i18n;

type Label = fn(&'static AccountMessages) -> &'static str;

/// The pages of the section, in the order the navigation and the overview list them, each
/// named by its own title: the menu and the page call a page the same.
pub const PAGES: [(&str, Label); 11] = [
    ("/account", |a| a.account_title),
    ("/account/profile", |a| a.profile_title),
    ("/account/orders", |a| a.ord_title),
    ("/account/promotions", |a| a.promo_title),
    ("/account/subscriptions", |a| a.subs_title),
    ("/account/privacy", |a| a.priv_title),
    ("/account/history", |a| a.hist_title),
    ("/account/security", |a| a.sec_title),
    ("/account/devices", |a| a.devices_title),
    ("/account/data", |a| a.data_title),
    ("/account/delete", |a| a.delete_title),
];

/// How a link relates to where the user is: the page itself, a page inside it (an order of
/// the orders list), or neither.
fn current(href: &str, path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    if path == href {
        Some("page")
    } else if href != "/account" && crate::layout::section_of(path, href) {
        Some("true")
    } else {
        None
    }
}

#[component]
pub fn SectionNav() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let open = RwSignal::new(false);
    // Folded again on every new page, however the user got there (a link, Back).
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            open.set(false);
        }
        path
    });
    let here = move || {
        let path = location.pathname.get();
        PAGES
            .iter()
            .find(|(href, _)| current(href, &path).is_some())
            .map(|(_, label)| label(i18n.lang.get().account()))
    };
    view! {
        <nav class="section-nav" aria-label=i18n.account(|a| a.section_nav_label) data-open=move || open.get().to_string()>
            <button type="button" class="section-nav__toggle" aria-expanded=move || open.get().to_string()
                aria-controls="section-nav-list" on:click=move |_| open.update(|o| *o = !*o)>
                <span>{i18n.account(|a| a.section_nav_toggle)}</span>
                <span class="section-nav__here">{here}</span>
            </button>
            <ul class="section-nav__list" id="section-nav-list">
                {PAGES.into_iter().map(|(href, label)| {
                    let state = move || current(href, &location.pathname.get());
                    view! {
                        <li>
                            <a href=href aria-current=state class:section-nav__danger=href == "/account/delete"
                                on:click=move |_| open.set(false)>
                                {i18n.account(label)}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn marks_the_page_and_the_page_above_a_detail() {
        assert_eq!(current("/account", "/account"), Some("page"));
        assert_eq!(current("/account", "/account/profile"), None);
        assert_eq!(current("/account/orders", "/account/orders"), Some("page"));
        assert_eq!(
            current("/account/orders", "/account/orders/17"),
            Some("true")
        );
        assert_eq!(current("/account/orders", "/account/ordersx"), None);
        assert_eq!(current("/account/data", "/account/data/"), Some("page"));
        assert_eq!(current("/account/delete", "/account/deleted"), None);
    }
}
