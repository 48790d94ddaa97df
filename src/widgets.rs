//! Widgets every part of the app shows the same way: a failed load and "loading", and data the
//! page came with or else fetched.
use fk_api::ApiError;
use leptos::prelude::*;

use crate::i18n::{error_text, use_i18n};

/// A failed load: what went wrong, in words, and a way to try again.
#[component]
pub fn ErrorPanel(
    error: ApiError,
    #[prop(optional, into)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = error.code;
    view! {
        <div class="notice notice--error" role="alert">
            <h2>{i18n.text(|t| t.error_title)}</h2>
            <p>{move || error_text(i18n.t(), code)}</p>
            {retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>{i18n.text(|t| t.retry)}</button>
            })}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{i18n.text(|t| t.loading)}</p> }
}

/// Draws `data` (what the server rendered the page from) while the interface language is
/// the one it was rendered in; from the first language switch on, and when there was no such
/// data, `fetched` draws what the API answers.
pub fn drawn_or_fetched<T, D, F>(data: Option<T>, draw: D, fetched: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    D: Fn(T) -> AnyView + Send + Sync + 'static,
    F: Fn() -> AnyView + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let rendered_in = crate::boot::use_boot().lang;
    let data = StoredValue::new(data);
    let switched = Memo::new(move |before: Option<&bool>| {
        before.copied().unwrap_or(false) || i18n.lang.get() != rendered_in
    });
    move || match data.get_value().filter(|_| !switched.get()) {
        Some(data) => draw(data),
        None => fetched(),
    }
}
