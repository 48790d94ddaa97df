//! The second step of signing in, when two-step sign-in is on: the code the authenticator app
//! shows, or one recovery code in its place. The sign-in page shows it after the password and
//! the reset page after a new password; its rules are `fk_api::account::two_step`'s, the ones
//! the server checks.
use fk_api::account::two_step::{SecondStepRequest, SignInOutcome};
use fk_api::account::SessionView;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::fields::{Field, FormAlert, SubmitButton};
use super::form::{Control, Form};
use crate::dom::{after_render, focus_id};
use crate::i18n::use_i18n;

const CODE_ID: &str = "second-step-code";
const RECOVERY_ID: &str = "second-step-recovery";

/// What the form sends: the text of the field shown, as the factor that field asks for.
pub fn second_step_request(recovery: bool, typed: &str) -> SecondStepRequest {
    let typed = Some(typed.to_string());
    if recovery {
        SecondStepRequest {
            recovery_code: typed,
            ..Default::default()
        }
    } else {
        SecondStepRequest {
            code: typed,
            ..Default::default()
        }
    }
}

/// Focus on a field whose text the server refused, all of it selected: typing the next code
/// replaces the wrong one.
fn focus_and_select(id: &str) {
    focus_id(id);
    if let Some(input) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}

#[component]
pub fn SecondStepForm(
    /// Signed in.
    #[prop(into)]
    on_done: Callback<SessionView>,
    /// The password was given too long ago (five minutes), or in another browser: that step
    /// must be taken again.
    #[prop(into)]
    on_expired: Callback<()>,
    /// "Start again": back to the password, where it can be typed again.
    #[prop(optional, into)]
    on_restart: Option<Callback<()>>,
    /// After a new password from a reset link: the code finishes the change (the new password
    /// takes effect only then), and the text says so.
    #[prop(optional)]
    reset: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let recovery = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let recovery_code = RwSignal::new(String::new());
    let form = Form::new([
        Control::new("code", CODE_ID),
        Control::new("recovery_code", RECOVERY_ID),
    ]);
    let code_error = form.error("code", move || {
        code.with(|c| second_step_request(false, c).factor().err())
    });
    let recovery_error = form.error("recovery_code", move || {
        recovery_code.with(|c| second_step_request(true, c).factor().err())
    });
    // The rules answer on submit, not when a field is left: the only ways on from the field
    // are the buttons below it, and a message appearing above them would move the one pressed
    // from under the pointer between press and release, losing the click.
    form.clear_on_change(move || {
        code.track();
        recovery_code.track();
    });
    let send = Action::new_local(|request: &SecondStepRequest| {
        let request = request.clone();
        async move { crate::api::second_step(&request).await }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(SignInOutcome::Session(session))) => on_done.run(session),
        // Not an answer this step has: said as a failure, the form left as it is.
        Some(Ok(SignInOutcome::SecondStep)) => form.refused(ApiError::new(
            ErrorCode::Internal,
            "the second step asked for a second step",
        )),
        Some(Err(e)) if e.code == ErrorCode::SecondStepExpired => on_expired.run(()),
        Some(Err(e)) => {
            let field = e.field.clone();
            form.refused(e);
            match field.as_deref() {
                Some("code") => focus_and_select(CODE_ID),
                Some("recovery_code") => focus_and_select(RECOVERY_ID),
                _ => {}
            }
        }
        None => {}
    });
    // The form appears where the password was: the cursor goes to the code.
    Effect::new(move |_| focus_id(CODE_ID));
    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        // The other field starts afresh: nothing typed into it yet is wrong.
        form.saved();
        let id = if recovery.get_untracked() {
            RECOVERY_ID
        } else {
            CODE_ID
        };
        after_render(move || focus_id(id));
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        let request = if recovery.get_untracked() {
            second_step_request(true, &recovery_code.get_untracked())
        } else {
            second_step_request(false, &code.get_untracked())
        };
        if form.passes(request.factor().err().as_slice()) {
            send.dispatch(request);
        }
    };
    let form_level = form.alert();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let text = move || {
        let a = i18n.lang.get().account();
        match (recovery.get(), reset) {
            (true, _) => a.second_step_recovery_text,
            (false, true) => a.second_step_reset_text,
            (false, false) => a.second_step_code_text,
        }
    };
    let switch_label = move || {
        let a = i18n.lang.get().account();
        if recovery.get() {
            a.second_step_use_code
        } else {
            a.second_step_use_recovery
        }
    };
    view! {
        <form class="account-form second-step" method="post" novalidate aria-labelledby="second-step-title"
            aria-describedby="second-step-text" on:submit=on_submit>
            <h2 id="second-step-title">{a(|a| a.second_step_title)}</h2>
            <p id="second-step-text">{text}</p>
            {move || if recovery.get() {
                view! {
                    <Field id=RECOVERY_ID label=a(|a| a.second_step_recovery_label) hint=a(|a| a.second_step_recovery_hint)
                        value=recovery_code error=recovery_error required=true verbatim=true/>
                }.into_any()
            } else {
                view! {
                    <Field id=CODE_ID label=a(|a| a.second_step_code_label) hint=a(|a| a.second_step_code_hint)
                        value=code error=code_error required=true verbatim=true inputmode="numeric" autocomplete="one-time-code"/>
                }.into_any()
            }}
            <FormAlert error=form_level/>
            <SubmitButton id="second-step-submit" label=a(|a| a.second_step_submit) pending=send.pending().into()/>
            <div class="second-step__other">
                <button type="button" id="second-step-switch" class="link-button" on:click=switch>
                    {switch_label}
                </button>
                {on_restart.map(|restart| view! {
                    <button type="button" id="second-step-restart" class="link-button" on:click=move |_| restart.run(())>
                        {a(|a| a.second_step_restart)}
                    </button>
                })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fk_api::account::two_step::SecondFactor;

    #[test]
    fn the_field_shown_decides_the_factor_sent() {
        assert_eq!(
            second_step_request(false, "123 456").factor(),
            Ok(SecondFactor::Code("123456".into()))
        );
        assert_eq!(
            second_step_request(true, "ABCDE-FGHJK").factor(),
            Ok(SecondFactor::RecoveryCode("abcdefghjk".into()))
        );
        let empty = second_step_request(true, " ").factor().unwrap_err();
        assert_eq!(
            (empty.code, empty.field.as_deref()),
            (ErrorCode::CodeRequired, Some("recovery_code")),
            "an empty recovery code is said under its own field"
        );
        let short = second_step_request(false, "12345").factor().unwrap_err();
        assert_eq!(
            (short.code, short.field.as_deref()),
            (ErrorCode::CodeInvalid, Some("code"))
        );
    }
}
