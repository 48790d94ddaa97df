//! The controls every account form shares: a labelled field with its hint and error, the
//! password field with its strength hint, checkboxes, gender, the guardian's permission, the
//! submit button and the form-level alert. The rules come from `fk_api::account`; these only
//! show their answers.
use fk_api::account::password::{strength, CommonPasswords, Strength};
use fk_api::account::Gender;
use fk_api::{AccountMessages, ApiError};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::errors::error_message;
use crate::i18n::use_i18n;

/// This year in Kazakhstan, by the browser's clock (the server's, rendering a first view):
/// the birth-year rule's upper bound.
pub fn current_year() -> i32 {
    #[cfg(feature = "ssr")]
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    #[cfg(not(feature = "ssr"))]
    let now = (js_sys::Date::now() / 1000.0) as i64;
    fk_api::dates::year(now) as i32
}

/// The common-password list, downloaded once when a form that sets a password opens. Until
/// it arrives the list is empty: the server checks the same rule on submit anyway.
pub fn common_passwords() -> RwSignal<CommonPasswords> {
    let list = RwSignal::new(CommonPasswords::default());
    crate::dom::spawn(async move {
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
    /// A code, not words: no spelling check, no capital letter put in by a phone's keyboard.
    #[prop(optional)]
    verbatim: bool,
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
                spellcheck=verbatim.then_some("false")
                autocapitalize=verbatim.then_some("off")
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
                // An icon inside the field, so the field keeps its width on a narrow phone. The
                // name stays "show password"; whether it is shown is `aria-pressed` (a toggle's
                // name does not change with its state); the tooltip says what a press does.
                <button
                    type="button"
                    id=format!("{id}-toggle")
                    class="password-toggle"
                    aria-controls=id
                    aria-label=move || i18n.lang.get().account().show_password
                    title=move || { let a = i18n.lang.get().account(); if shown.get() { a.hide_password } else { a.show_password } }
                    aria-pressed=move || shown.get().to_string()
                    on:click=move |_| shown.update(|s| *s = !*s)
                >
                    <svg class="password-toggle__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                        <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/>
                        <circle cx="12" cy="12" r="3"/>
                        <path class="password-toggle__slash" d="M4 4l16 16"/>
                    </svg>
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
