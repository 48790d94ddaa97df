//! `/account/verify#token=…`: the link from the verification letter. Opening it confirms the
//! address and signs in on this browser. In a browser other than the one that registered, the
//! server first asks for the password chosen at registration (so whoever registered someone
//! else's address cannot have its owner signed into an account whose password they know).
use fk_api::i18n::fill;
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::errors::error_message;
use super::fields::{FormAlert, PasswordField, SubmitButton};
use super::take_link_token;
use super::widgets::OutcomeHeading;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::Loading;

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Working,
    /// Opened in another browser: the password is needed to go on.
    NeedsPassword,
    Done,
    Failed(ApiError),
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().verify_title, i18n.t().app_name));
    let auth = use_auth();
    let outcome = RwSignal::new(Outcome::Working);
    let token = take_link_token();
    // "Already confirmed" only for a link that carried a token: a bare address is no link.
    let had_token = token.is_some();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let confirm = Action::new_local(move |password: &Option<String>| {
        let (token, password) = (token.clone(), password.clone());
        async move {
            match token {
                Some(token) => crate::api::verify(token, password).await,
                None => Err(ApiError::new(ErrorCode::LinkInvalid, "no token")),
            }
        }
    });
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(session)) => {
            auth.signed_in(session);
            outcome.set(Outcome::Done);
        }
        Some(Err(e)) if e.code == ErrorCode::PasswordRequired => {
            outcome.set(Outcome::NeedsPassword)
        }
        // A wrong password leaves the link working: say so next to the field.
        Some(Err(e))
            if outcome.get_untracked() == Outcome::NeedsPassword
                && e.code != ErrorCode::LinkInvalid =>
        {
            error.set(Some(e))
        }
        Some(Err(e)) => outcome.set(Outcome::Failed(e)),
        None => {}
    });
    confirm.dispatch(None);
    let confirmed_email = move || {
        auth.session.with(|s| {
            s.as_ref()
                .filter(|s| s.account.email_verified)
                .map(|s| s.account.email.clone())
        })
    };
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.verify_title)}</h1>
            {move || match outcome.get() {
                Outcome::Working => view! { <Loading/> }.into_any(),
                Outcome::NeedsPassword => view! {
                    <PasswordStep password=password error=error pending=confirm.pending().into()
                        on_submit=move || { error.set(None); confirm.dispatch(Some(password.get_untracked())); }/>
                }.into_any(),
                Outcome::Done => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.verify_done)/>
                        <p><a class="button" href="/account">{a(|a| a.go_to_account)}</a></p>
                    </section>
                }.into_any(),
                // A used link opened by someone signed in whose address is confirmed: nothing
                // is wrong, so nothing is said to be (until the session is known, wait for it).
                Outcome::Failed(failure) if had_token && failure.code == ErrorCode::LinkInvalid => view! {
                    {move || match confirmed_email() {
                        _ if !auth.known.get() => view! { <Loading/> }.into_any(),
                        Some(email) => view! { <AlreadyConfirmed email/> }.into_any(),
                        None => view! { <LinkFailed failure=failure.clone()/> }.into_any(),
                    }}
                }.into_any(),
                Outcome::Failed(failure) => view! { <LinkFailed failure/> }.into_any(),
            }}
        </div>
    }
}

/// The link did not work: why, and the ways to a new one.
#[component]
fn LinkFailed(failure: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <section class="notice notice--error">
            <h2 tabindex="-1">{move || error_message(i18n.lang.get(), &failure)}</h2>
            <p>{a(|a| a.verify_failed_hint)}</p>
            <p><a href="/account/recover">{a(|a| a.forgot_password)}</a></p>
        </section>
    }
}

/// The link was used, and whoever opened it is signed in with the address confirmed.
#[component]
fn AlreadyConfirmed(email: String) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <section class="notice notice--info" id="verify-already">
            <OutcomeHeading text=a(|a| a.verify_already_title)/>
            <p>{move || fill(i18n.lang.get().account().verify_already_text, &[("email", &email)])}</p>
            <p><a class="button" href="/account">{a(|a| a.go_to_account)}</a></p>
        </section>
    }
}

/// The password chosen at registration, asked when the link is opened in another browser.
#[component]
fn PasswordStep(
    password: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    pending: Signal<bool>,
    #[prop(into)] on_submit: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let field_error = Signal::derive(move || error.get().filter(|e| e.field.is_some()));
    let form_error = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    // The question appears instead of "confirming…": put the cursor where the answer goes.
    Effect::new(move |_| crate::dom::focus_id("password"));
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <form class="account-form" method="post" novalidate aria-labelledby="verify-password-heading"
            on:submit=move |ev| { ev.prevent_default(); on_submit.run(()); }>
            <h2 id="verify-password-heading">{a(|a| a.verify_password_title)}</h2>
            <p>{a(|a| a.verify_password_text)}</p>
            <PasswordField id="password" label=a(|a| a.password_label) value=password error=field_error/>
            <FormAlert error=form_error/>
            <SubmitButton label=a(|a| a.verify_password_submit) pending=pending/>
        </form>
    }
}
