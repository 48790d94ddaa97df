//! `/account/profile` (clause 5.1): what registration gave, changed in place: first name, birth
//! year, gender, phone, the interface language; then the e-mail address and the password
//! (`credentials.rs`). Each field is checked by the shared rules as the user goes; a save
//! made from an outdated form is refused, never written over what another tab saved.
use fk_api::account::profile::{ProfileField, ProfileUpdate};
use fk_api::account::rules::{format_phone, may_be_minor, phone};
use fk_api::account::{AccountView, Gender};
use fk_api::{ApiError, ErrorCode, Lang};
use leptos::prelude::*;

use super::auth::use_auth;
use super::credentials::{EmailSection, PasswordSection};
use super::fields::{
    current_year, Field, FieldNotes, FormAlert, GenderChoice, GuardianNotice, SubmitButton,
};
use super::form::{Control, Form};
use crate::dom::{focus_id, set_title};
use crate::i18n::use_i18n;

/// A field's control: its JSON name (as `ApiError::field` names it) and the id of its element.
fn control(f: ProfileField) -> Control {
    match f {
        ProfileField::FirstName => Control::new("first_name", "profile-first-name"),
        ProfileField::BirthYear => Control::new("birth_year", "profile-birth-year"),
        ProfileField::Phone => Control::new("phone", "profile-phone"),
        ProfileField::Lang => Control::new("lang", "profile-lang"),
        ProfileField::GuardianConsent => Control::new("guardian_consent", "profile-guardian"),
    }
}

#[derive(Clone, Copy)]
struct Values {
    first_name: RwSignal<String>,
    birth_year: RwSignal<String>,
    gender: RwSignal<Gender>,
    phone: RwSignal<String>,
    lang: RwSignal<String>,
    guardian_consent: RwSignal<bool>,
    /// The permission is on record (saved): not asked again.
    consent_given: RwSignal<bool>,
    /// The version of the data the form shows: sent back, so a stale save is refused.
    version: RwSignal<i64>,
}

impl Values {
    fn new(account: &AccountView) -> Values {
        let values = Values {
            first_name: RwSignal::new(String::new()),
            birth_year: RwSignal::new(String::new()),
            gender: RwSignal::new(Gender::NotStated),
            phone: RwSignal::new(String::new()),
            lang: RwSignal::new(String::new()),
            guardian_consent: RwSignal::new(false),
            consent_given: RwSignal::new(false),
            version: RwSignal::new(0),
        };
        values.load(account);
        values
    }

    /// Shows `account` as saved.
    fn load(&self, account: &AccountView) {
        self.first_name.set(account.first_name.clone());
        self.birth_year.set(account.birth_year.to_string());
        self.gender.set(account.gender);
        self.phone.set(
            account
                .phone
                .as_deref()
                .map(format_phone)
                .unwrap_or_default(),
        );
        self.lang.set(account.lang.code().to_string());
        self.guardian_consent.set(account.guardian_consent);
        self.consent_given.set(account.guardian_consent);
        self.version.set(account.version);
    }

    /// An unparsable year becomes 0, which the rule refuses as out of range.
    fn year(&self) -> Option<i32> {
        let text = self.birth_year.get();
        let text = text.trim();
        (!text.is_empty()).then(|| text.parse().unwrap_or(0))
    }

    fn request(&self) -> ProfileUpdate {
        ProfileUpdate {
            first_name: self.first_name.get(),
            birth_year: self.year(),
            gender: self.gender.get(),
            phone: self.phone.get(),
            lang: self.lang.get(),
            guardian_consent: self.guardian_consent.get(),
            version: self.version.get(),
        }
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().profile_title, i18n.t().app_name));
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.profile_title)}</h1>
            <p class="lead">{a(|a| a.profile_lead)}</p>
            <ProfileSection/>
            <EmailSection/>
            <PasswordSection/>
        </div>
    }
}

/// What the status line under the form says.
#[derive(Clone, Copy, PartialEq)]
enum Said {
    Saved,
    Reloaded,
}

#[component]
fn ProfileSection() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let Some(account) = auth.session.get_untracked().map(|s| s.account) else {
        return ().into_any();
    };
    let values = Values::new(&account);
    let year = current_year();
    let form = Form::new(ProfileField::ALL.map(control));
    let said = RwSignal::new(None::<Said>);
    let stale = RwSignal::new(false);
    let touch = move |f: ProfileField| form.touch(control(f).field);
    let field_error = move |f: ProfileField| {
        form.error(control(f).field, move || {
            values.request().check(f, year).err()
        })
    };
    form.clear_on_change(move || {
        values.first_name.track();
        values.birth_year.track();
        values.gender.track();
        values.phone.track();
        values.lang.track();
        values.guardian_consent.track();
    });
    // Asked right below the year that calls for it, and only until the permission is on record.
    let minor = move || may_be_minor(values.year(), year) && !values.consent_given.get();
    let save = Action::new_local(|request: &ProfileUpdate| {
        let request = request.clone();
        async move { crate::api::update_profile(&request).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(account)) => {
            values.load(&account);
            form.saved();
            if i18n.lang.get_untracked() != account.lang {
                i18n.set(account.lang);
            }
            auth.session.update(|s| {
                if let Some(s) = s {
                    s.account = account;
                }
            });
            said.set(Some(Said::Saved));
            focus_id("profile-status");
        }
        Some(Err(error)) if error.code == ErrorCode::StaleData => {
            stale.set(true);
            // The button appears with the next render: focus it then.
            crate::dom::after_render(|| focus_id("profile-reload"));
        }
        Some(Err(error)) => form.refused(error),
        None => {}
    });
    // "Reload the latest data": what the other tab saved replaces this form's values.
    let reload = Action::new_local(|_: &()| crate::api::session());
    Effect::new(move |_| match reload.value().get() {
        Some(Ok(session)) => {
            values.load(&session.account);
            stale.set(false);
            form.clear_server_error();
            auth.signed_in(session);
            said.set(Some(Said::Reloaded));
            focus_id("profile-first-name");
        }
        Some(Err(error)) => form.refused(error),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        said.set(None);
        if stale.get_untracked() {
            focus_id("profile-reload");
            return;
        }
        let request = values.request();
        if form.passes(&request.validate(year)) {
            save.dispatch(request);
        }
    };
    // The number as people read it, once it is a valid one.
    let tidy_phone = move || {
        touch(ProfileField::Phone);
        if let Ok(Some(e164)) = phone(&values.phone.get_untracked()) {
            values.phone.set(format_phone(&e164));
        }
    };
    let form_level = form.alert();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    let status_text = move || {
        let a = i18n.lang.get().account();
        said.get().map(|s| match s {
            Said::Saved => a.profile_saved,
            Said::Reloaded => a.profile_reloaded,
        })
    };
    view! {
        <section class="card" aria-labelledby="profile-form-heading">
            <h2 id="profile-form-heading">{a(|a| a.profile_form_heading)}</h2>
            <p class="hint">{a(|a| a.required_note)}</p>
            <form class="account-form" method="post" novalidate on:submit=on_submit>
                <Field id="profile-first-name" label=a(|a| a.first_name_label) hint=a(|a| a.first_name_hint) value=values.first_name
                    error=field_error(ProfileField::FirstName) required=true autocomplete="given-name"
                    on_blur=move || touch(ProfileField::FirstName)/>
                <Field id="profile-birth-year" label=a(|a| a.birth_year_label) hint=a(|a| a.birth_year_hint) value=values.birth_year
                    error=field_error(ProfileField::BirthYear) required=true autocomplete="bday-year" inputmode="numeric"
                    on_blur=move || touch(ProfileField::BirthYear)/>
                <Show when=minor>
                    <GuardianNotice id="profile-guardian" checked=values.guardian_consent error=field_error(ProfileField::GuardianConsent) nested=true/>
                </Show>
                <GenderChoice name="profile-gender" value=values.gender/>
                <Field id="profile-phone" label=a(|a| a.phone_label) hint=a(|a| a.phone_hint) value=values.phone kind="tel"
                    inputmode="tel" autocomplete="tel" error=field_error(ProfileField::Phone) on_blur=tidy_phone/>
                <LangSelect value=values.lang error=field_error(ProfileField::Lang)/>
                <div role="alert">
                    <Show when=move || stale.get()>
                        <div class="notice notice--warn">
                            <p>{a(|a| a.error_stale_data)}</p>
                            <button type="button" id="profile-reload" class="button" disabled=move || reload.pending().get()
                                on:click=move |_| { reload.dispatch(()); }>
                                {a(|a| a.profile_reload)}
                            </button>
                        </div>
                    </Show>
                </div>
                <FormAlert error=form_level/>
                <SubmitButton id="profile-save" label=a(|a| a.profile_save) pending=save.pending().into()/>
                <p id="profile-status" class="form-status" role="status" tabindex="-1">{status_text}</p>
            </form>
        </section>
    }
    .into_any()
}

/// The interface language: also the language of the account's e-mails.
#[component]
fn LangSelect(value: RwSignal<String>, error: Signal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = "profile-lang";
    view! {
        <div class="field">
            <label for=id>{i18n.account(|a| a.lang_label)}</label>
            <select id=id name=id
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=format!("{id}-hint {id}-error")
                on:change=move |ev| value.set(event_target_value(&ev))>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() lang=lang.code() prop:selected=move || value.get() == lang.code()>{lang.native_name()}</option>
                }).collect_view()}
            </select>
            <FieldNotes id hint=Some(i18n.account(|a| a.lang_hint)) error/>
        </div>
    }
}
