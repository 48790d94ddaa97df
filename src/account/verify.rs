//! `/account/verify#token=…`: the link from the verification letter. Opening it confirms the
//! address and signs in on this browser.
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::form::{error_message, OutcomeHeading};
use super::take_link_token;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::layout::Loading;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().verify_title, i18n.t().app_name));
    let auth = use_auth();
    let outcome = RwSignal::new(None::<Result<(), ApiError>>);
    match take_link_token() {
        Some(token) => leptos::task::spawn_local(async move {
            match crate::api::verify(token).await {
                Ok(session) => {
                    auth.signed_in(session);
                    outcome.set(Some(Ok(())));
                }
                Err(e) => outcome.set(Some(Err(e))),
            }
        }),
        None => outcome.set(Some(Err(ApiError::new(ErrorCode::LinkInvalid, "no token")))),
    }
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.verify_title)}</h1>
            {move || match outcome.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Ok(())) => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.verify_done)/>
                        <p><a class="button" href="/account">{a(|a| a.go_to_account)}</a></p>
                    </section>
                }.into_any(),
                Some(Err(error)) => view! {
                    <section class="notice notice--error">
                        <h2 tabindex="-1">{move || error_message(i18n.lang.get(), &error)}</h2>
                        <p>{a(|a| a.verify_failed_hint)}</p>
                        <p><a href="/account/login">{a(|a| a.sign_in_submit)}</a></p>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}
