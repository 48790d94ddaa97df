//! Outcomes the pages of the personal section show the same way: a failed load with "try
//! again", and the heading that announces what a form achieved.
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::errors::error_message;
use crate::i18n::use_i18n;

/// A heading that takes focus when it appears, so a screen reader hears the outcome. It is not
/// a place the keyboard goes by Tab, so it shows no focus ring: on a success the ring's orange
/// read as a warning.
#[component]
pub fn OutcomeHeading(text: Signal<&'static str>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! { <h2 class="outcome-heading" tabindex="-1" node_ref=heading>{text}</h2> }
}

/// A failed load in the personal section: what went wrong in its words, and "try again". A
/// session that ended meanwhile sends the user to sign in (and back), as opening the page would.
#[component]
pub fn LoadFailed(error: ApiError, #[prop(into)] retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    if error.code == ErrorCode::Unauthenticated {
        let auth = use_auth();
        Effect::new(move |_| auth.signed_out());
    }
    view! {
        <div class="notice notice--error" role="alert">
            <h2>{i18n.text(|t| t.error_title)}</h2>
            <p>{move || error_message(i18n.lang.get(), &error)}</p>
            <button type="button" class="button" on:click=move |_| retry.run(())>{i18n.text(|t| t.retry)}</button>
        </div>
    }
}
