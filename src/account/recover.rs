//! `/account/recover` asks for a reset link (the same answer whether or not the address has
//! an account); `/account/reset#token=…` sets the new password from that link. With two-step
//! sign-in on, the server holds the new password until the code is given: it takes effect
//! (and every other session ends) only then, and this browser is signed in.
use fk_api::account::password::check;
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::{rules, RecoverRequest};
use fk_api::i18n::fill;
use fk_api::ErrorCode;
use leptos::prelude::*;

use super::auth::use_auth;
use super::fields::{common_passwords, Field, FormAlert, PasswordField, SubmitButton};
use super::form::{Control, Form};
use super::second_step::SecondStepForm;
use super::take_link_token;
use super::widgets::OutcomeHeading;
use crate::dom::set_title;
use crate::i18n::use_i18n;

#[component]
pub fn RecoverPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().recover_title, i18n.t().app_name));
    let email = RwSignal::new(String::new());
    let form = Form::new([Control::named("email")]);
    let sent = RwSignal::new(None::<String>);
    let email_error = form.error("email", move || email.with(|e| rules::email(e).err()));
    form.clear_on_change(move || email.track());
    let submit = Action::new_local(move |request: &RecoverRequest| {
        let request = request.clone();
        async move { crate::api::recover(&request).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(answer)) => sent.set(Some(answer.email)),
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        if form.passes(email.with_untracked(|e| rules::email(e).err()).as_slice()) {
            submit.dispatch(RecoverRequest {
                email: email.get_untracked(),
                lang: i18n.lang.get_untracked(),
            });
        }
    };
    let form_level = form.alert();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.recover_title)}</h1>
            {move || match sent.get() {
                Some(address) => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.check_email_title)/>
                        <p>{move || fill(i18n.lang.get().account().recover_sent, &[("email", &address)])}</p>
                        <p><a href="/account/login">{a(|a| a.back_to_sign_in)}</a></p>
                    </section>
                }.into_any(),
                None => view! {
                    <p class="lead">{a(|a| a.recover_lead)}</p>
                    <form class="account-form" method="post" novalidate on:submit=on_submit>
                        <Field id="email" label=a(|a| a.email_label) value=email kind="email" error=email_error required=true autocomplete="email"
                            on_blur=move || form.touch("email")/>
                        <FormAlert error=form_level/>
                        <SubmitButton label=a(|a| a.recover_submit) pending=submit.pending().into()/>
                    </form>
                    <p><a href="/account/login">{a(|a| a.back_to_sign_in)}</a></p>
                }.into_any(),
            }}
        </div>
    }
}

/// Where a reset stands once the link was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reset {
    /// The new password is being typed.
    Password,
    /// Two-step sign-in is on: the code, before this browser is signed in.
    SecondStep,
    /// The code came too late: the new password stands; signing in takes the usual way.
    SecondStepExpired,
    /// Saved and signed in.
    Done,
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().reset_title, i18n.t().app_name));
    let auth = use_auth();
    let token = take_link_token();
    let has_token = token.is_some();
    let token = StoredValue::new(token.unwrap_or_default());
    // The link's token is no control: the server's answer about it outlives typing.
    let form = Form::new([Control::named("password")]);
    if has_token {
        // Say at once when the link no longer works, not after a password was typed.
        crate::dom::spawn(async move {
            if let Err(e) = crate::api::check_reset_link(token.get_value()).await {
                if e.code == ErrorCode::LinkInvalid {
                    form.refused(e);
                }
            }
        });
    }
    let common = common_passwords();
    let password = RwSignal::new(String::new());
    let stage = RwSignal::new(Reset::Password);
    // The account's login and e-mail are not known here; the server adds those two checks.
    let rule = move |p: &str| common.with(|c| check(p, "", "", c).err());
    let password_error = form.error("password", move || password.with(|p| rule(p)));
    form.clear_on_change(move || password.track());
    let submit = Action::new_local(move |new_password: &String| {
        let new_password = new_password.clone();
        async move { crate::api::reset(token.get_value(), new_password).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(SignInOutcome::Session(session))) => {
            auth.signed_in(session);
            stage.set(Reset::Done);
        }
        Some(Ok(SignInOutcome::SecondStep)) => {
            password.set(String::new());
            stage.set(Reset::SecondStep);
        }
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        if form.passes(password.with_untracked(|p| rule(p)).as_slice()) {
            submit.dispatch(password.get_untracked());
        }
    };
    // A memo: the page switches to "link dead" only when that changes, not on every error
    // (re-rendering the form would lose the focus the error just put on the field).
    let link_dead =
        Memo::new(move |_| !has_token || form.refusal() == Some(ErrorCode::LinkInvalid));
    let form_level = form.alert();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.reset_title)}</h1>
            {move || match stage.get() {
                Reset::Done => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.reset_done)/>
                        <p><a class="button" href="/account">{a(|a| a.go_to_account)}</a></p>
                    </section>
                }.into_any(),
                Reset::SecondStep => view! {
                    <p class="notice notice--info">{a(|a| a.reset_second_step)}</p>
                    <SecondStepForm reset=true
                        on_done=move |session| { auth.signed_in(session); stage.set(Reset::Done); }
                        on_expired=move || stage.set(Reset::SecondStepExpired)/>
                }.into_any(),
                Reset::SecondStepExpired => view! {
                    <section class="notice notice--warn">
                        <OutcomeHeading text=a(|a| a.reset_second_step_expired)/>
                        <p><a class="button" href="/account/recover">{a(|a| a.reset_request_new)}</a></p>
                    </section>
                }.into_any(),
                // A closure of its own: the form is drawn again only when the link dies.
                Reset::Password => (move || if link_dead.get() {
                    view! {
                        <section class="notice notice--error">
                            <OutcomeHeading text=if has_token { a(|a| a.error_link_invalid) } else { a(|a| a.no_token) }/>
                            <p><a href="/account/recover">{a(|a| a.reset_request_new)}</a></p>
                        </section>
                    }.into_any()
                } else {
                    view! {
                        <form class="account-form" method="post" novalidate on:submit=on_submit>
                            <PasswordField id="password" label=a(|a| a.new_password_label) hint=a(|a| a.password_hint) value=password
                                error=password_error new=common on_blur=move || form.touch("password")/>
                            <FormAlert error=form_level/>
                            <SubmitButton label=a(|a| a.reset_submit) pending=submit.pending().into()/>
                        </form>
                    }.into_any()
                }).into_any(),
            }}
        </div>
    }
}
