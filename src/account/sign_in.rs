//! `/account/login`: login or e-mail and password, "remember me", and the way back to the
//! page that asked for it. A throttled attempt says when to try again. With two-step sign-in
//! on, the right password leads to the second step on the same page (`second_step`).
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::SignInRequest;
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::auth::{safe_next, use_auth};
use super::fields::{Checkbox, Field, FormAlert, PasswordField, SubmitButton};
use super::second_step::SecondStepForm;
use crate::dom::{after_render, focus_id, set_title};
use crate::i18n::use_i18n;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().sign_in_title, i18n.t().app_name));
    let auth = use_auth();
    let query = use_query_map();
    let next = move || safe_next(query.with(|q| q.get("next")));
    let asked = move || query.with(|q| q.get("next").is_some());
    let navigate = use_navigate();
    // Already signed in: nothing to do here.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if auth.session.with(Option::is_some) {
            go_on(
                &next(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // The password was right and a code is needed: the second step shows in the form's place.
    let second_step = RwSignal::new(false);
    let submit = Action::new_local(move |request: &SignInRequest| {
        let request = request.clone();
        async move { crate::api::sign_in(&request).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(SignInOutcome::Session(session))) => {
            password.set(String::new());
            auth.signed_in(session);
        }
        Some(Ok(SignInOutcome::SecondStep)) => {
            password.set(String::new());
            second_step.set(true);
        }
        Some(Err(e)) => {
            error.set(Some(e));
            focus_id("password");
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        if login.with_untracked(|l| l.trim().is_empty()) {
            focus_id("login");
            return;
        }
        submit.dispatch(SignInRequest {
            login: login.get_untracked(),
            password: password.get_untracked(),
            remember: remember.get_untracked(),
        });
    };
    // Back to the password, with `why` said above the button (none: the user chose to).
    let back_to_password = move |why: Option<ApiError>| {
        error.set(why);
        second_step.set(false);
        after_render(|| focus_id("password"));
    };
    let no_field_error = Signal::derive(|| None);
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.sign_in_title)}</h1>
            <Show when=asked>
                <p class="notice notice--info">{a(|a| a.sign_in_needed)}</p>
            </Show>
            <Show when=move || second_step.get() fallback=move || view! {
                // `post`: a form sent before the app has taken over (or with no JavaScript) must
                // not put the password into the address, the history and the server's logs.
                <form class="account-form" method="post" novalidate on:submit=on_submit>
                    <Field id="login" label=a(|a| a.identifier_label) value=login error=no_field_error required=true autocomplete="username"/>
                    <PasswordField id="password" label=a(|a| a.password_label) value=password error=no_field_error/>
                    <Checkbox id="remember" checked=remember hint=a(|a| a.remember_hint)>{a(|a| a.remember_label)}</Checkbox>
                    <FormAlert error=error.into()/>
                    <SubmitButton label=a(|a| a.sign_in_submit) pending=submit.pending().into()/>
                </form>
                <p><a href="/account/recover">{a(|a| a.forgot_password)}</a></p>
                <p>{a(|a| a.no_account)} " " <a href="/account/register">{a(|a| a.register_link)}</a></p>
            }>
                <SecondStepForm
                    on_done=move |session| auth.signed_in(session)
                    on_expired=move || back_to_password(Some(ApiError::new(ErrorCode::SecondStepExpired, "sign in again")))
                    on_restart=move || back_to_password(None)/>
            </Show>
        </div>
    }
}
