//! `/account/email/confirm#token=…`: the link sent to a new address. Opening it makes that the
//! account's address (signed in or not, on any browser).
use fk_api::i18n::fill;
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::errors::error_message;
use super::take_link_token;
use super::widgets::OutcomeHeading;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::Loading;

#[component]
pub fn EmailConfirmPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        set_title(
            i18n.lang.get().account().email_confirm_title,
            i18n.t().app_name,
        )
    });
    let auth = use_auth();
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    match take_link_token() {
        Some(token) => crate::dom::spawn(async move {
            match crate::api::confirm_email(token).await {
                Ok(confirmed) => {
                    // Signed in on this browser (maybe as someone else): the section shows the
                    // account as the server now has it.
                    if let Ok(session) = crate::api::session().await {
                        auth.signed_in(session);
                    }
                    outcome.set(Some(Ok(confirmed.email)));
                }
                Err(e) => outcome.set(Some(Err(e))),
            }
        }),
        None => outcome.set(Some(Err(ApiError::new(ErrorCode::LinkInvalid, "no token")))),
    }
    let signed_in = move || auth.session.with(Option::is_some);
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.email_confirm_title)}</h1>
            {move || match outcome.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Ok(email)) => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.email_confirm_done)/>
                        <p>{move || fill(i18n.lang.get().account().email_confirm_done_text, &[("email", &email)])}</p>
                        <p>
                            {move || if signed_in() {
                                view! { <a class="button" href="/account/profile">{a(|a| a.profile_title)}</a> }.into_any()
                            } else {
                                view! { <a class="button" href="/account/login">{a(|a| a.sign_in_submit)}</a> }.into_any()
                            }}
                        </p>
                    </section>
                }.into_any(),
                Some(Err(error)) => {
                    let code = error.code;
                    view! {
                        <section class="notice notice--error">
                            <OutcomeHeading text=a(|a| a.email_confirm_failed)/>
                            <p>{move || error_message(i18n.lang.get(), &error)}</p>
                            <p>{move || if code == ErrorCode::EmailTaken { i18n.lang.get().account().email_confirm_taken_hint } else { i18n.lang.get().account().email_confirm_failed_hint }}</p>
                            <p><a href="/account/profile">{a(|a| a.profile_title)}</a></p>
                        </section>
                    }.into_any()
                }
            }}
        </div>
    }
}
