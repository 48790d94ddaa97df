//! Small pages: not found, and the parts whose issues have not landed yet.
use leptos::prelude::*;

use crate::dom::set_title;
use crate::i18n::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().not_found_title, i18n.t().app_name));
    view! {
        <div class="page page--narrow">
            <h1>{i18n.text(|t| t.not_found_title)}</h1>
            <p>{i18n.text(|t| t.not_found_text)}</p>
            <p><a class="button" href="/policy">{i18n.text(|t| t.not_found_home)}</a></p>
        </div>
    }
}

/// A part of the product that is announced but not built yet: says so plainly.
#[component]
fn Placeholder(title: fn(&'static fk_api::Messages) -> &'static str, text: fn(&'static fk_api::Messages) -> &'static str) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(title(i18n.t()), i18n.t().app_name));
    view! {
        <div class="page page--narrow">
            <h1>{move || title(i18n.t())} " " <span class="badge">{i18n.text(|t| t.soon)}</span></h1>
            <p class="notice">{i18n.text(|t| t.placeholder_title)}</p>
            <p>{move || text(i18n.t())}</p>
        </div>
    }
}

#[component]
pub fn AccountPlaceholder() -> impl IntoView {
    view! { <Placeholder title=|t| t.nav_account text=|t| t.placeholder_account/> }
}
