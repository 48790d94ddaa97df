//! Small pages: not found.
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
