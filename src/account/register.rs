//! `/account/register`: exactly the fields of clause 2.1, each checked as the user goes by the
//! shared rules, the policy accepted, and the under-18 permission when the year calls for it.
use fk_api::account::rules::may_be_minor;
use fk_api::account::{Gender, RegisterField, RegisterRequest};
use fk_api::i18n::fill;
use fk_api::ErrorCode;
use leptos::prelude::*;

use super::errors::{error_message, wait_text};
use super::fields::{
    common_passwords, current_year, Checkbox, Field, FormAlert, GenderChoice, GuardianNotice,
    PasswordField, SubmitButton,
};
use super::form::{Control, Form};
use super::widgets::OutcomeHeading;
use crate::dom::set_title;
use crate::i18n::use_i18n;

/// The form's values; `request()` is what the rules and the server see.
#[derive(Clone, Copy)]
struct Values {
    first_name: RwSignal<String>,
    email: RwSignal<String>,
    birth_year: RwSignal<String>,
    gender: RwSignal<Gender>,
    login: RwSignal<String>,
    password: RwSignal<String>,
    accept_policy: RwSignal<bool>,
    guardian_consent: RwSignal<bool>,
}

impl Values {
    fn new() -> Values {
        Values {
            first_name: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            birth_year: RwSignal::new(String::new()),
            gender: RwSignal::new(Gender::NotStated),
            login: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            accept_policy: RwSignal::new(false),
            guardian_consent: RwSignal::new(false),
        }
    }

    /// An unparsable year becomes 0, which the rule refuses as out of range.
    fn year(&self) -> Option<i32> {
        let text = self.birth_year.get();
        let text = text.trim();
        (!text.is_empty()).then(|| text.parse().unwrap_or(0))
    }

    fn request(&self, policy_version: u32, lang: fk_api::Lang) -> RegisterRequest {
        RegisterRequest {
            first_name: self.first_name.get(),
            email: self.email.get(),
            birth_year: self.year(),
            gender: self.gender.get(),
            login: self.login.get(),
            password: self.password.get(),
            accept_policy: self.accept_policy.get(),
            policy_version,
            guardian_consent: self.guardian_consent.get(),
            lang,
        }
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().register_title, i18n.t().app_name));
    let values = Values::new();
    let year = current_year();
    let common = common_passwords();
    let policy_version = RwSignal::new(0u32);
    crate::dom::spawn(async move {
        if let Ok(config) = crate::api::consent_config(String::new()).await {
            policy_version.set(config.policy_version);
        }
    });
    // Each control's id is the field's JSON name.
    let form = Form::new(RegisterField::ALL.map(|f| Control::named(f.name())));
    let field_error = move |f: RegisterField| {
        form.error(f.name(), move || {
            common.with(|c| {
                values
                    .request(policy_version.get(), i18n.lang.get())
                    .check(f, year, c)
                    .err()
            })
        })
    };
    let touch = move |f: RegisterField| form.touch(f.name());
    form.clear_on_change(move || {
        values.first_name.track();
        values.email.track();
        values.birth_year.track();
        values.gender.track();
        values.login.track();
        values.password.track();
        values.accept_policy.track();
        values.guardian_consent.track();
    });
    let minor = move || may_be_minor(values.year(), year);
    let done = RwSignal::new(None::<String>);
    let submit = Action::new_local(move |request: &RegisterRequest| {
        let request = request.clone();
        async move { crate::api::register(&request).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(answer)) => done.set(Some(answer.email)),
        Some(Err(error)) => form.refused(error),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        let request = values.request(policy_version.get_untracked(), i18n.lang.get_untracked());
        if form.passes(&common.with_untracked(|c| request.validate(year, c))) {
            submit.dispatch(request);
        }
    };
    // A newer edition of the policy is news for the whole form, not only for its checkbox.
    let form_level = form.alert_also(|e| e.code == ErrorCode::PolicyOutdated);
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.register_title)}</h1>
            {move || match done.get() {
                Some(email) => view! {
                    <section class="notice notice--info">
                        <OutcomeHeading text=a(|a| a.check_email_title)/>
                        <p>{move || fill(i18n.lang.get().account().check_email_text, &[("email", &email)])}</p>
                        <ResendVerification/>
                        <WrongAddress on_fix=move || {
                            done.set(None);
                            crate::dom::after_render(|| crate::dom::focus_id("email"));
                        }/>
                    </section>
                }.into_any(),
                None => view! {
                    <p class="lead">{a(|a| a.register_lead)}</p>
                    <p class="hint">{a(|a| a.required_note)}</p>
                    <form class="account-form" method="post" novalidate on:submit=on_submit>
                        <Field id="first_name" label=a(|a| a.first_name_label) hint=a(|a| a.first_name_hint) value=values.first_name
                            error=field_error(RegisterField::FirstName) required=true autocomplete="given-name"
                            on_blur=move || touch(RegisterField::FirstName)/>
                        <Field id="email" label=a(|a| a.email_label) hint=a(|a| a.email_hint) value=values.email kind="email"
                            error=field_error(RegisterField::Email) required=true autocomplete="email"
                            on_blur=move || touch(RegisterField::Email)/>
                        <Field id="birth_year" label=a(|a| a.birth_year_label) hint=a(|a| a.birth_year_hint) value=values.birth_year
                            error=field_error(RegisterField::BirthYear) required=true autocomplete="bday-year" inputmode="numeric"
                            on_blur=move || touch(RegisterField::BirthYear)/>
                        // Right below the year that calls for it, as the year is typed.
                        <Show when=minor>
                            <GuardianNotice id="guardian_consent" checked=values.guardian_consent error=field_error(RegisterField::GuardianConsent)/>
                        </Show>
                        <GenderChoice name="gender" value=values.gender/>
                        <Field id="login" label=a(|a| a.login_label) hint=a(|a| a.login_hint) value=values.login
                            error=field_error(RegisterField::Login) required=true autocomplete="username"
                            on_blur=move || touch(RegisterField::Login)/>
                        <PasswordField id="password" label=a(|a| a.password_label) hint=a(|a| a.password_hint) value=values.password
                            error=field_error(RegisterField::Password) new=common
                            on_blur=move || touch(RegisterField::Password)/>
                        <Checkbox id="accept_policy" checked=values.accept_policy required=true error=field_error(RegisterField::AcceptPolicy)
                            hint=a(|a| a.accept_policy_hint)>
                            {a(|a| a.accept_policy_before)}
                            <a href="/policy" rel="external" target="_blank">{a(|a| a.accept_policy_link)}</a>
                            {move || fill(i18n.lang.get().account().accept_policy_after, &[("version", &policy_version.get().to_string())])}
                        </Checkbox>
                        <FormAlert error=form_level/>
                        <SubmitButton id="register-submit" label=a(|a| a.register_submit) pending=submit.pending().into()/>
                    </form>
                    <p>{a(|a| a.have_account)} " " <a href="/account/login">{a(|a| a.sign_in_submit)}</a></p>
                }.into_any(),
            }}
        </div>
    }
}

/// "Send again", under "check your e-mail": the server knows this browser registered (its
/// cookie), so no address is typed and nobody else's can be flooded. After a letter went (or
/// when the server says to wait) the button waits, and the time left is shown beside it.
#[component]
fn ResendVerification() -> impl IntoView {
    let i18n = use_i18n();
    let resend = Action::new_local(|_: &()| crate::api::resend_verification());
    // Seconds until the server takes another request.
    let wait = RwSignal::new(0u64);
    let ticking = StoredValue::new_local(None::<IntervalHandle>);
    let count_down = move |seconds: u64| {
        wait.set(seconds);
        if let Some(old) = ticking.try_update_value(Option::take).flatten() {
            old.clear();
        }
        let handle = set_interval_with_handle(
            move || {
                wait.update(|w| *w = w.saturating_sub(1));
                if wait.get_untracked() == 0 {
                    if let Some(h) = ticking.try_update_value(Option::take).flatten() {
                        h.clear();
                    }
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        ticking.set_value(handle);
    };
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(_)) => count_down(fk_api::account::VERIFY_RESEND_GAP),
        Some(Err(e)) if e.code == ErrorCode::TooManyRequests => {
            count_down(e.retry_after.unwrap_or(fk_api::account::VERIFY_RESEND_GAP))
        }
        _ => {}
    });
    on_cleanup(move || {
        if let Some(h) = ticking.try_update_value(Option::take).flatten() {
            h.clear();
        }
    });
    let waiting = move || wait.get() > 0;
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <p class="hint">{a(|a| a.resend_hint)}</p>
        <p class="resend-row">
            // Not `disabled` while it waits: the focus stays on it, and a press says to wait.
            <button type="button" id="resend-verification" class="button button--quiet"
                aria-disabled=move || (waiting() || resend.pending().get()).then_some("true")
                aria-describedby="resend-wait"
                on:click=move |_| {
                    if !waiting() && !resend.pending().get_untracked() {
                        resend.dispatch(());
                    }
                }>
                {a(|a| a.resend)}
            </button>
            <span id="resend-wait" class="hint">
                {move || waiting().then(|| {
                    let a = i18n.lang.get().account();
                    fill(a.resend_wait, &[("time", &wait_text(a, wait.get()))])
                })}
            </span>
        </p>
        <p role="status" id="resend-status">
            {move || match resend.value().get() {
                Some(Ok(_)) => i18n.lang.get().account().resent.to_string(),
                Some(Err(e)) => error_message(i18n.lang.get(), &e),
                None => String::new(),
            }}
        </p>
    }
}

/// "Wrong address?": back to the form with what was typed, to correct the address and send
/// again. The server lets the browser that registered replace its own registration while it
/// is not confirmed (the first link then stops working, and the login is free for it again).
#[component]
fn WrongAddress(#[prop(into)] on_fix: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <h3 class="wrong-address">{a(|a| a.wrong_address)}</h3>
        <p class="hint">{a(|a| a.wrong_address_hint)}</p>
        <p>
            <button type="button" id="wrong-address" class="button button--quiet" on:click=move |_| on_fix.run(())>
                {a(|a| a.wrong_address_fix)}
            </button>
        </p>
    }
}
