//! Widgets every part of the app shows the same way: a failed load and "loading".
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
