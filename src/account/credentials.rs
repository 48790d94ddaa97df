//! The profile page's second and third parts (clause 5.1): a new e-mail address, confirmed by a
//! link sent to it (the old one stays in force until then; needs a recent password), and a
//! new password (needs the current one; may end every other session).
use fk_api::account::password::check as check_password;
use fk_api::account::profile::PasswordChangeRequest;
use fk_api::account::rules::{email as check_email, email_key};
use fk_api::i18n::fill;
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::fields::{common_passwords, Checkbox, Field, FormAlert, PasswordField, SubmitButton};
use super::form::{Control, Form};
use super::reauth::ReauthPrompt;
use crate::dom::focus_id;
use crate::i18n::use_i18n;

#[component]
pub fn EmailSection() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let current = move || {
        auth.session.with(|s| {
            s.as_ref()
                .map(|s| (s.account.email.clone(), s.account.email_verified))
        })
    };
    let new_email = RwSignal::new(String::new());
    let form = Form::new([Control::new("email", "email-new")]);
    // The request that met `reauth_required`: sent again once the password is confirmed.
    let waiting = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<(String, String)>);
    let local_check = move |email: &str| -> Result<(), ApiError> {
        check_email(email)?;
        let old = current().map(|(old, _)| old).unwrap_or_default();
        if email_key(email) == email_key(&old) {
            return Err(
                ApiError::new(ErrorCode::EmailUnchanged, "this is the current address")
                    .with_field("email"),
            );
        }
        Ok(())
    };
    let field_error = form.error("email", move || new_email.with(|e| local_check(e).err()));
    form.clear_on_change(move || new_email.track());
    let change = Action::new_local(|email: &String| crate::api::change_email(email.clone()));
    // What was last sent: `Action::input` is empty again once the answer is in.
    let asked = RwSignal::new(None::<String>);
    Effect::new(move |_| match change.value().get() {
        Some(Ok(answer)) => {
            let old = current().map(|(old, _)| old).unwrap_or_default();
            sent.set(Some((answer.email, old)));
            new_email.set(String::new());
            form.saved();
            focus_id("email-status");
        }
        Some(Err(e)) if e.code == ErrorCode::ReauthRequired => {
            waiting.set(asked.get_untracked());
        }
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        sent.set(None);
        let email = new_email.get_untracked().trim().to_string();
        if !form.passes(local_check(&email).err().as_slice()) {
            return;
        }
        asked.set(Some(email.clone()));
        change.dispatch(email);
    };
    let form_level = form.alert();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    let current_text = move || {
        let a = i18n.lang.get().account();
        current().map(|(email, verified)| {
            fill(
                a.email_change_current,
                &[
                    ("email", &email),
                    ("state", if verified { a.verified } else { a.not_verified }),
                ],
            )
        })
    };
    let sent_text = move || {
        sent.get().map(|(new, old)| {
            fill(
                i18n.lang.get().account().email_change_sent,
                &[("new", &new), ("old", &old)],
            )
        })
    };
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">{a(|a| a.email_change_heading)}</h2>
            <p>{current_text}</p>
            <form class="account-form" method="post" novalidate on:submit=on_submit>
                <Field id="email-new" label=a(|a| a.email_change_label) hint=a(|a| a.email_change_hint) value=new_email kind="email"
                    autocomplete="email" required=true error=field_error on_blur=move || form.touch("email")/>
                <FormAlert error=form_level/>
                <SubmitButton id="email-change" label=a(|a| a.email_change_submit) pending=change.pending().into()/>
            </form>
            <Show when=move || waiting.with(Option::is_some)>
                <ReauthPrompt
                    on_done=move || {
                        if let Some(email) = waiting.get_untracked() {
                            change.dispatch(email);
                        }
                        waiting.set(None);
                    }
                    on_cancel=move || { waiting.set(None); focus_id("email-change"); }/>
            </Show>
            <p id="email-status" class="form-status" role="status" tabindex="-1">{sent_text}</p>
        </section>
    }
}

#[component]
pub fn PasswordSection() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let common = common_passwords();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let end_others = RwSignal::new(true);
    let form = Form::new([
        Control::new("current_password", "password-current"),
        Control::new("new_password", "password-new"),
    ]);
    let done = RwSignal::new(None::<bool>);
    // The rule of a new password, with the login and address it must not be; its answer is
    // about `new_password`, as the server's is.
    let rule = move |password: &str| -> Result<(), ApiError> {
        let (login, email) = auth
            .session
            .with(|s| {
                s.as_ref()
                    .map(|s| (s.account.login.clone(), s.account.email.clone()))
            })
            .unwrap_or_default();
        common
            .with(|c| check_password(password, &login, &email, c))
            .map_err(|e| e.with_field("new_password"))
    };
    // The current password has no rule of its own: only the server's answer shows there.
    let current_error = form.error("current_password", || None);
    let new_error = form.error("new_password", move || new.with(|p| rule(p).err()));
    form.clear_on_change(move || {
        current.track();
        new.track();
    });
    let change = Action::new_local(|request: &PasswordChangeRequest| {
        let request = request.clone();
        async move { crate::api::change_password(&request).await }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            let ended = end_others.get_untracked();
            current.set(String::new());
            new.set(String::new());
            form.saved();
            done.set(Some(ended));
            focus_id("password-status");
        }
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        done.set(None);
        if current.with_untracked(String::is_empty) {
            form.refused(
                ApiError::new(ErrorCode::InvalidCredentials, "no password")
                    .with_field("current_password"),
            );
            return;
        }
        if !form.passes(new.with_untracked(|p| rule(p).err()).as_slice()) {
            return;
        }
        change.dispatch(PasswordChangeRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            end_other_sessions: end_others.get_untracked(),
        });
    };
    let form_level = form.alert();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    let done_text = move || {
        let a = i18n.lang.get().account();
        done.get().map(|ended| {
            if ended {
                a.password_changed_ended
            } else {
                a.password_changed
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{a(|a| a.password_change_heading)}</h2>
            <form class="account-form" method="post" novalidate on:submit=on_submit>
                <PasswordField id="password-current" label=a(|a| a.password_current_label) value=current error=current_error/>
                <PasswordField id="password-new" label=a(|a| a.new_password_label) hint=a(|a| a.password_hint) value=new
                    error=new_error new=common on_blur=move || form.touch("new_password")/>
                <Checkbox id="password-end-others" checked=end_others hint=a(|a| a.password_end_others_hint)>
                    {a(|a| a.password_end_others)}
                </Checkbox>
                <FormAlert error=form_level/>
                <SubmitButton id="password-save" label=a(|a| a.password_change_submit) pending=change.pending().into()/>
            </form>
            <p id="password-status" class="form-status" role="status" tabindex="-1">{done_text}</p>
        </section>
    }
}
