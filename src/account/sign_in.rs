//! `/account/login`: login or e-mail and password, "remember me", and the way back to the
//! page that asked for it. A throttled attempt says when to try again. With two-step sign-in
//! on, the right password leads to the second step on the same page (`second_step`).
//!
//! Or a passkey, two ways: "Sign in with a passkey" opens the browser's dialog; and where the
//! browser can, the login field offers the passkeys among its suggestions from the start
//! (conditional mediation), a request that waits quietly until one is picked, and is aborted
//! when the button is pressed or the page is left. Either way the session starts as after the
//! password, "remember me" included.
use std::rc::Rc;
use std::time::Duration;

use fk_api::account::passkeys::{PasskeySignInRequest, CHALLENGE_SECONDS};
use fk_api::account::two_step::SignInOutcome;
use fk_api::account::SignInRequest;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use web_sys::AbortController;

use super::auth::{safe_next, use_auth};
use super::errors::error_message;
use super::fields::{Checkbox, Field, PasswordField, SubmitButton};
use super::second_step::SecondStepForm;
use crate::dom::{after_render, focus_id, set_title};
use crate::i18n::use_i18n;
use crate::webauthn::{self, Failure, Mediation};

type Label = fn(&'static AccountMessages) -> &'static str;

/// The id of "Sign in with a passkey".
const PASSKEY_BUTTON: &str = "passkey-sign-in";

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
    // The browser's side of a passkey sign-in that failed (said where `error` is), and a
    // dialog closed by the person (said calmly under the button).
    let trouble = RwSignal::new(None::<Label>);
    let note = RwSignal::new(None::<Label>);
    // A passkey sign-in is under way (after the dialog, or a pick among the suggestions).
    let busy = RwSignal::new(false);
    // The passkey request waiting in the browser, to abort; and a count every new request and
    // every abort moves on, so a quiet request still fetching its options gives up.
    let held = StoredValue::new_local(None::<AbortController>);
    let round = StoredValue::new(0u32);
    let stop_passkey = move || {
        round.update_value(|r| *r = r.wrapping_add(1));
        if let Some(Some(request)) = held.try_update_value(Option::take) {
            request.abort();
        }
    };
    on_cleanup(stop_passkey);
    // The server's answer to a passkey: as the password's. Whether it failed.
    let passkey_done = move |outcome: Result<SignInOutcome, ApiError>, from: &'static str| {
        busy.set(false);
        match outcome {
            Ok(SignInOutcome::Session(session)) => {
                auth.signed_in(session);
                false
            }
            Ok(SignInOutcome::SecondStep) => {
                stop_passkey();
                second_step.set(true);
                false
            }
            Err(e) => {
                error.set(Some(e));
                focus_id(from);
                true
            }
        }
    };
    let request_of =
        move |challenge_id: String, credential: serde_json::Value| PasskeySignInRequest {
            challenge_id,
            credential,
            remember: remember.try_get_untracked().unwrap_or(false),
        };
    // The quiet request, once made: kept to make it anew, before the server forgets its
    // challenge (browsers ignore a timeout for it) and after a pick the server refused.
    let offer_again = StoredValue::new_local(None::<Rc<dyn Fn()>>);
    // The quiet request: the passkeys among the login field's suggestions. Any failure of its
    // own is not the person's doing and goes unsaid.
    let offer_passkeys = move || {
        stop_passkey();
        // Gone when the page was left meanwhile (this also runs after a request's answer).
        let Some(this) = round.try_get_value() else {
            return;
        };
        crate::dom::spawn(async move {
            if !webauthn::conditional_available().await {
                return;
            }
            let Ok(challenge) = crate::api::passkey_sign_in_options().await else {
                return;
            };
            // The button was pressed, or the page left, meanwhile.
            if round.try_get_value() != Some(this) {
                return;
            }
            let Ok(controller) = AbortController::new() else {
                return;
            };
            let signal = controller.signal();
            held.set_value(Some(controller));
            let renew = Duration::from_secs((CHALLENGE_SECONDS - 30).max(30) as u64);
            set_timeout(
                move || {
                    if round.try_get_value() == Some(this)
                        && busy.try_get_untracked() == Some(false)
                    {
                        if let Some(Some(offer)) = offer_again.try_get_value() {
                            offer();
                        }
                    }
                },
                renew,
            );
            let picked =
                webauthn::get(&challenge.options, Mediation::Conditional, Some(&signal)).await;
            let Ok(credential) = picked else {
                return;
            };
            if busy.try_get_untracked() != Some(false) {
                return;
            }
            busy.set(true);
            error.set(None);
            trouble.set(None);
            note.set(None);
            let request = request_of(challenge.challenge_id, credential);
            if passkey_done(crate::api::passkey_sign_in(&request).await, "login") {
                if let Some(Some(offer)) = offer_again.try_get_value() {
                    offer();
                }
            }
        });
    };
    offer_again.set_value(Some(Rc::new(offer_passkeys)));
    Effect::new(move |_| offer_passkeys());
    // "Sign in with a passkey": the browser's dialog.
    let with_passkey = move |_| {
        if busy.get_untracked() {
            return;
        }
        stop_passkey();
        error.set(None);
        trouble.set(None);
        note.set(None);
        busy.set(true);
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        held.set_value(controller);
        crate::dom::spawn(async move {
            let challenge = match crate::api::passkey_sign_in_options().await {
                Ok(challenge) => challenge,
                Err(e) => {
                    passkey_done(Err(e), PASSKEY_BUTTON);
                    return;
                }
            };
            let failure = match webauthn::get(&challenge.options, Mediation::Modal, signal.as_ref())
                .await
            {
                Ok(credential) => {
                    let request = request_of(challenge.challenge_id, credential);
                    if passkey_done(crate::api::passkey_sign_in(&request).await, PASSKEY_BUTTON) {
                        offer_passkeys();
                    }
                    return;
                }
                Err(failure) => failure,
            };
            busy.set(false);
            let said: Label = match failure {
                // Left the page, or asked anew: nothing to say.
                Failure::Aborted => return,
                Failure::Cancelled => {
                    note.set(Some(|a| a.pk_sign_in_cancelled));
                    offer_passkeys();
                    return;
                }
                Failure::WrongSite => |a| a.pk_wrong_site,
                Failure::NotSupported => |a| a.pk_unsupported,
                Failure::AlreadyRegistered => |a| a.pk_sign_in_failed,
                Failure::Other(what) => {
                    leptos::logging::warn!("signing in with a passkey failed: {what}");
                    |a| a.pk_sign_in_failed
                }
            };
            trouble.set(Some(said));
            focus_id(PASSKEY_BUTTON);
            offer_passkeys();
        });
    };
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
            stop_passkey();
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
        trouble.set(None);
        note.set(None);
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
        offer_passkeys();
    };
    let alert = move || {
        let lang = i18n.lang.get();
        let text = match (error.get(), trouble.get()) {
            (Some(e), _) => error_message(lang, &e),
            (None, Some(said)) => said(lang.account()).to_string(),
            (None, None) => return None,
        };
        Some(view! { <p class="notice notice--error">{text}</p> })
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
                    // `webauthn`: the browser may offer passkeys among the suggestions.
                    <Field id="login" label=a(|a| a.identifier_label) value=login error=no_field_error required=true autocomplete="username webauthn"/>
                    <PasswordField id="password" label=a(|a| a.password_label) value=password error=no_field_error/>
                    <Checkbox id="remember" checked=remember hint=a(|a| a.remember_hint)>{a(|a| a.remember_label)}</Checkbox>
                    <div role="alert" class="form-alert">{alert}</div>
                    <SubmitButton label=a(|a| a.sign_in_submit) pending=submit.pending().into()/>
                </form>
                <div class="passkey-sign-in">
                    <p class="or-divider"><span>{a(|a| a.pk_or)}</span></p>
                    // A plain button, drawn by the server too: pressed before the app has come,
                    // it is pressed again in the app (`crate::takeover`).
                    <button type="button" id=PASSKEY_BUTTON class="button button--quiet" on:click=with_passkey>
                        {move || if busy.get() { i18n.lang.get().account().working } else { i18n.lang.get().account().pk_sign_in }}
                    </button>
                    <p id="passkey-sign-in-status" class="passkey-note" role="status" aria-live="polite">
                        {move || note.get().map(|said| said(i18n.lang.get().account()))}
                    </p>
                </div>
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use fk_api::Lang;

    use crate::boot::Boot;
    use crate::ssr::{render, Bundle};

    #[test]
    fn the_passkey_button_and_suggestions_are_in_the_first_view() {
        for lang in Lang::ALL {
            let boot = Boot {
                rendered: true,
                lang,
                signed_in: Some(false),
                ..Boot::default()
            };
            let html = render(Bundle::SignedOut, "/account/login", boot).expect("drawn");
            assert!(
                html.contains(r#"<button type="button" id="passkey-sign-in""#),
                "{lang:?}: {html}"
            );
            assert!(html.contains(lang.account().pk_sign_in), "{lang:?}");
            assert!(
                html.contains(r#"autocomplete="username webauthn""#),
                "{lang:?}"
            );
        }
    }
}
