//! What every account form shares: a labelled field with its hint and error, the password
//! field with its strength hint, error texts per code, and focus helpers. The rules come
//! from `fk_api::account`; this only shows their answers.
use fk_api::account::password::{strength, CommonPasswords, Strength};
use fk_api::account::Gender;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode, Lang};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{error_text, use_i18n};

/// What the personal section says for an API error code, in the interface language.
pub fn error_message(lang: Lang, error: &ApiError) -> String {
    let a = lang.account();
    let text = match error.code {
        ErrorCode::FirstNameRequired => a.error_first_name_required,
        ErrorCode::FirstNameTwoWords => a.error_first_name_two_words,
        ErrorCode::FirstNameInvalid => a.error_first_name_invalid,
        ErrorCode::FirstNameTooLong => a.error_first_name_too_long,
        ErrorCode::EmailRequired => a.error_email_required,
        ErrorCode::EmailInvalid => a.error_email_invalid,
        ErrorCode::LoginLength => a.error_login_length,
        ErrorCode::LoginInvalid => a.error_login_invalid,
        ErrorCode::LoginTaken => a.error_login_taken,
        ErrorCode::BirthYearRequired => a.error_birth_year_required,
        ErrorCode::BirthYearInvalid => a.error_birth_year_invalid,
        ErrorCode::PasswordTooShort => a.error_password_too_short,
        ErrorCode::PasswordTooLong => a.error_password_too_long,
        ErrorCode::PasswordTooCommon => a.error_password_too_common,
        ErrorCode::PasswordIsLogin => a.error_password_is_login,
        ErrorCode::PasswordIsEmail => a.error_password_is_email,
        ErrorCode::PolicyNotAccepted => a.error_policy_not_accepted,
        ErrorCode::PolicyOutdated => a.error_policy_outdated,
        ErrorCode::GuardianConsentRequired => a.error_guardian_consent_required,
        // With a field, only a password was asked (re-authentication, password change, deletion).
        ErrorCode::InvalidCredentials if error.field.is_some() => a.error_wrong_password,
        ErrorCode::InvalidCredentials => a.error_invalid_credentials,
        ErrorCode::LinkInvalid => a.error_link_invalid,
        ErrorCode::Unauthenticated => a.error_unauthenticated,
        ErrorCode::ReauthRequired => a.error_reauth_required,
        ErrorCode::PasswordRequired => a.error_password_required,
        ErrorCode::PhoneInvalid => a.error_phone_invalid,
        ErrorCode::PhoneRequired => a.error_phone_required,
        ErrorCode::StaleData => a.error_stale_data,
        ErrorCode::EmailUnchanged => a.error_email_unchanged,
        ErrorCode::EmailTaken => a.error_email_taken,
        ErrorCode::PromotionClosed => a.error_promotion_closed,
        ErrorCode::InvalidOrder => a.error_invalid_order,
        ErrorCode::OrderConflict => a.error_order_conflict,
        ErrorCode::TooManyRequests => {
            return match error.retry_after {
                Some(seconds) => fill(a.retry_in, &[("time", &wait_text(a, seconds))]),
                None => a.error_too_many_requests.to_string(),
            }
        }
        code => error_text(lang.messages(), code),
    };
    text.to_string()
}

/// "45 s" or "3 min": how long to wait, rounded up to what a person can act on.
pub fn wait_text(a: &AccountMessages, seconds: u64) -> String {
    if seconds < 90 {
        fill(a.seconds, &[("n", &seconds.max(1).to_string())])
    } else {
        fill(a.minutes, &[("n", &seconds.div_ceil(60).to_string())])
    }
}

/// Moves keyboard focus to the element with this id (the first field with an error).
pub fn focus_id(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// This year by the browser's clock: the birth-year rule's upper bound.
pub fn current_year() -> i32 {
    js_sys::Date::new_0().get_full_year() as i32
}

/// The common-password list, downloaded once when a form that sets a password opens. Until
/// it arrives the list is empty: the server checks the same rule on submit anyway.
pub fn common_passwords() -> RwSignal<CommonPasswords> {
    let list = RwSignal::new(CommonPasswords::default());
    leptos::task::spawn_local(async move {
        if let Ok(text) = crate::api::common_passwords().await {
            list.set(CommonPasswords::parse(&text));
        }
    });
    list
}

/// A field was left: its rule's answer may show now. Not when focus went to a submit button:
/// a message appearing there would push the button from under the pointer between press and
/// release, and the click would be lost (the submit checks every field anyway).
fn left_field(ev: &web_sys::FocusEvent, on_blur: Option<Callback<()>>) {
    let to_submit = ev
        .related_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.get_attribute("type").as_deref() == Some("submit"));
    if let (false, Some(f)) = (to_submit, on_blur) {
        f.run(());
    }
}

/// The error under a field: a rule's answer once the field was left or the form submitted, or
/// what the server said about it.
pub type FieldError = Signal<Option<ApiError>>;

#[component]
pub fn Field(
    id: &'static str,
    label: Signal<&'static str>,
    value: RwSignal<String>,
    error: FieldError,
    #[prop(optional)] hint: Option<Signal<&'static str>>,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional, into)] on_blur: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=format!("{id}-hint {id}-error")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |ev| left_field(&ev, on_blur)
            />
            <FieldNotes id hint error/>
        </div>
    }
}

/// A password field with a show/hide switch and, for a new password, the strength hint.
#[component]
pub fn PasswordField(
    id: &'static str,
    label: Signal<&'static str>,
    value: RwSignal<String>,
    error: FieldError,
    #[prop(optional)] hint: Option<Signal<&'static str>>,
    /// A new password: `new-password` autocomplete and the strength hint.
    #[prop(optional)]
    new: Option<RwSignal<CommonPasswords>>,
    #[prop(optional, into)] on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let level = move || new.map(|list| list.with(|l| strength(&value.get(), l)));
    let strength_text = move || {
        let a = i18n.lang.get().account();
        level()
            .filter(|_| !value.with(String::is_empty))
            .map(|s| match s {
                Strength::TooShort => a.strength_too_short,
                Strength::Weak => a.strength_weak,
                Strength::Fair => a.strength_fair,
                Strength::Good => a.strength_good,
                Strength::Strong => a.strength_strong,
            })
    };
    let meter = move || {
        level()
            .filter(|_| !value.with(String::is_empty))
            .map_or(0, |s| s as u8)
    };
    view! {
        <div class="field">
            <label for=id>{label}<span class="required" aria-hidden="true">" *"</span></label>
            <div class="password-row">
                <input
                    id=id
                    name=id
                    type=move || if shown.get() { "text" } else { "password" }
                    autocomplete=if new.is_some() { "new-password" } else { "current-password" }
                    required=true
                    spellcheck="false"
                    autocapitalize="off"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=format!("{id}-hint {id}-strength {id}-error")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    on:blur=move |ev| left_field(&ev, on_blur)
                />
                <button
                    type="button"
                    class="button button--quiet"
                    aria-controls=id
                    aria-pressed=move || shown.get().to_string()
                    on:click=move |_| shown.update(|s| *s = !*s)
                >
                    {move || if shown.get() { i18n.lang.get().account().hide_password } else { i18n.lang.get().account().show_password }}
                </button>
            </div>
            {new.is_some().then(|| view! {
                <div class="strength" data-level=meter aria-hidden="true"><span></span></div>
            })}
            <p class="hint" id=format!("{id}-strength") aria-live="polite">{strength_text}</p>
            <FieldNotes id hint error/>
        </div>
    }
}

/// The hint and the error under a field, with the ids its `aria-describedby` names.
#[component]
pub fn FieldNotes(
    id: &'static str,
    hint: Option<Signal<&'static str>>,
    error: FieldError,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || error.get().map(|e| error_message(i18n.lang.get(), &e));
    view! {
        <p class="hint" id=format!("{id}-hint")>{hint}</p>
        <p class="field-error" id=format!("{id}-error")>{message}</p>
    }
}

/// A checkbox with its label (the children), hint and error; `required` marks it.
#[component]
pub fn Checkbox(
    id: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional)] required: bool,
    #[prop(optional)] error: Option<FieldError>,
    #[prop(optional)] hint: Option<Signal<&'static str>>,
    children: Children,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    view! {
        <div class="field field--check">
            <div class="choice">
                <input
                    type="checkbox"
                    id=id
                    name=id
                    required=required
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=format!("{id}-hint {id}-error")
                    prop:checked=move || checked.get()
                    on:change=move |ev| checked.set(event_target_checked(&ev))
                />
                <label for=id>
                    {children()}
                    {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
                </label>
            </div>
            <FieldNotes id hint error/>
        </div>
    }
}

/// The submit button: disabled and saying "please wait" while the request runs.
#[component]
pub fn SubmitButton(
    label: Signal<&'static str>,
    pending: Signal<bool>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(default = "button")] class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" id=id class=class disabled=pending>
            {move || if pending.get() { i18n.lang.get().account().working } else { label.get() }}
        </button>
    }
}

/// How the personal section names a gender (the form's choices, the overview's value).
pub fn gender_label(a: &'static AccountMessages, gender: Gender) -> &'static str {
    match gender {
        Gender::NotStated => a.gender_not_stated,
        Gender::Female => a.gender_female,
        Gender::Male => a.gender_male,
    }
}

/// A form-level message (wrong password, throttled, server down): announced at once.
#[component]
pub fn FormAlert(error: Signal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div role="alert" class="form-alert">
            {move || error.get().map(|e| view! { <p class="notice notice--error">{error_message(i18n.lang.get(), &e)}</p> })}
        </div>
    }
}

/// A heading that takes focus when it appears, so a screen reader hears the outcome.
#[component]
pub fn OutcomeHeading(text: Signal<&'static str>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! { <h2 tabindex="-1" node_ref=heading>{text}</h2> }
}

/// A failed load in the personal section: what went wrong in its words, and "try again". A
/// session that ended meanwhile sends the user to sign in (and back), as opening the page would.
#[component]
pub fn LoadFailed(error: ApiError, #[prop(into)] retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    if error.code == ErrorCode::Unauthenticated {
        let auth = super::auth::use_auth();
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

/// Gender as clause 2.1 has it: optional, "not stated" first. Each radio's id is
/// `{name}-{code}`.
#[component]
pub fn GenderChoice(name: &'static str, value: RwSignal<Gender>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <fieldset class="field choice-group">
            <legend>{a(|a| a.gender_legend)} " " <span class="hint">"(" {a(|a| a.optional)} ")"</span></legend>
            {Gender::ALL.into_iter().map(|g| {
                view! {
                    <label class="choice">
                        <input type="radio" name=name id=format!("{name}-{}", g.code()) value=g.code()
                            prop:checked=move || value.get() == g
                            on:change=move |_| value.set(g)/>
                        {move || gender_label(i18n.lang.get().account(), g)}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Clauses 6.5–6.6 for someone who may be under 18: the recommendation and the required
/// checkbox of a parent's or guardian's permission. `nested`: inside a section that has its
/// own heading (the heading level follows).
#[component]
pub fn GuardianNotice(
    id: &'static str,
    checked: RwSignal<bool>,
    error: FieldError,
    #[prop(optional)] nested: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let title = move || a(|a| a.minor_title);
    view! {
        <div class="notice notice--warn" role="note">
            {if nested { view! { <h3>{title}</h3> }.into_any() } else { view! { <h2>{title}</h2> }.into_any() }}
            <p>{a(|a| a.minor_text)}</p>
            <Checkbox id checked required=true error>
                {a(|a| a.guardian_label)}
            </Checkbox>
        </div>
    }
}
