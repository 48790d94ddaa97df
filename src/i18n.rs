//! The interface language: one signal in context, strings from `locales/*.toml` (compiled
//! into `fk_api::Messages`). Components read `i18n.t().key` inside a reactive closure, so a
//! language switch re-renders exactly the text that changes.
use fk_api::{AccountMessages, ErrorCode, Lang, Messages};
use leptos::prelude::*;

use crate::boot::Boot;

const STORAGE_KEY: &str = "fk.lang";

#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The current language's strings; tracks the language when read reactively.
    pub fn t(&self) -> &'static Messages {
        self.lang.get().messages()
    }

    /// One UI string as a signal. Every string of the app goes through this one type (a fn
    /// pointer, not a fresh closure per call site), so the reactive text code is compiled once
    /// rather than once per string: a large part of the wasm's size.
    pub fn text(self, key: fn(&'static Messages) -> &'static str) -> Signal<&'static str> {
        Signal::derive(move || key(self.lang.get().messages()))
    }

    /// One string of the personal section (only the account bundle links these in).
    pub fn account(
        self,
        key: fn(&'static AccountMessages) -> &'static str,
    ) -> Signal<&'static str> {
        Signal::derive(move || key(self.lang.get().account()))
    }

    /// Switches the language and remembers the choice in this browser: in storage, and in a
    /// cookie the server reads to render the next page in it.
    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, lang.code());
        }
        remember_for_server(lang);
    }

    /// Puts the app's language into context: the one chosen in this browser before, else the
    /// one the server rendered the page in (the browser's first language we speak), else
    /// Russian. `<html lang>` follows it, so screen readers pronounce the text correctly.
    pub fn provide(boot: &Boot) -> I18n {
        let chosen = chosen_before();
        if let Some(lang) = chosen {
            // A new browser session has lost the cookie: the next page is rendered right again.
            remember_for_server(lang);
        }
        let lang = chosen
            .or(boot.rendered.then_some(boot.lang))
            .or_else(browser_language)
            .unwrap_or_default();
        let i18n = I18n::provide_with(lang);
        Effect::new(move |_| {
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("lang", i18n.lang.get().code());
            }
        });
        i18n
    }

    /// Puts `lang` into context without touching the page: what a component embedded in
    /// someone else's page (the consent banner) uses.
    pub fn provide_with(lang: Lang) -> I18n {
        let i18n = I18n {
            lang: RwSignal::new(lang),
        };
        provide_context(i18n);
        i18n
    }
}

/// The language chosen in this browser before (none on the server).
fn chosen_before() -> Option<Lang> {
    if cfg!(feature = "ssr") {
        return None;
    }
    let storage = window().local_storage().ok().flatten()?;
    Lang::from_code(&storage.get_item(STORAGE_KEY).ok().flatten()?)
}

/// The first of the browser's languages we speak.
fn browser_language() -> Option<Lang> {
    if cfg!(feature = "ssr") {
        return None;
    }
    let tags: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Lang::first_spoken(tags.iter().map(String::as_str))
}

/// The `fk_lang` cookie, for this browser session: the server renders the next page in the
/// chosen language. A setting the visitor made, kept no longer than the session, so it is
/// strictly necessary (the choice itself is kept in local storage, as before).
fn remember_for_server(lang: Lang) {
    use wasm_bindgen::JsCast;
    if cfg!(feature = "ssr") {
        return;
    }
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&format!(
            "{}={}; Path=/; SameSite=Lax",
            fk_api::lang::COOKIE,
            lang.code()
        ));
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// What the UI says for an API error: by its code, in the interface language.
pub fn error_text(t: &'static Messages, code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::UnknownLanguage => t.error_unknown_language,
        ErrorCode::UnknownVersion => t.error_unknown_version,
        ErrorCode::InvalidVersion => t.error_invalid_version,
        ErrorCode::InvalidDiff => t.error_invalid_diff,
        ErrorCode::InvalidConsent => t.error_invalid_consent,
        ErrorCode::InvalidJson => t.error_invalid_json,
        ErrorCode::InvalidQuery => t.error_invalid_query,
        ErrorCode::UnknownConsent => t.error_unknown_consent,
        ErrorCode::Forbidden => t.error_forbidden,
        ErrorCode::NotFound => t.error_not_found,
        ErrorCode::MethodNotAllowed => t.error_method_not_allowed,
        ErrorCode::PayloadTooLarge => t.error_payload_too_large,
        ErrorCode::RequestTimeout => t.error_request_timeout,
        ErrorCode::DatabaseUnavailable => t.error_database_unavailable,
        ErrorCode::Internal => t.error_internal,
        ErrorCode::Network => t.error_network,
        // The personal section tells these with its own table (`account::errors::error_message`);
        // listed, not a wildcard, so a new general code cannot go unnoticed here.
        ErrorCode::FirstNameRequired
        | ErrorCode::FirstNameTwoWords
        | ErrorCode::FirstNameInvalid
        | ErrorCode::FirstNameTooLong
        | ErrorCode::EmailRequired
        | ErrorCode::EmailInvalid
        | ErrorCode::LoginLength
        | ErrorCode::LoginInvalid
        | ErrorCode::LoginTaken
        | ErrorCode::BirthYearRequired
        | ErrorCode::BirthYearInvalid
        | ErrorCode::PasswordTooShort
        | ErrorCode::PasswordTooLong
        | ErrorCode::PasswordTooCommon
        | ErrorCode::PasswordIsLogin
        | ErrorCode::PasswordIsEmail
        | ErrorCode::PolicyNotAccepted
        | ErrorCode::PolicyOutdated
        | ErrorCode::GuardianConsentRequired
        | ErrorCode::InvalidCredentials
        | ErrorCode::LinkInvalid
        | ErrorCode::Unauthenticated
        | ErrorCode::ReauthRequired
        | ErrorCode::PasswordRequired
        | ErrorCode::PasswordMissing
        | ErrorCode::TooManyRequests
        | ErrorCode::PhoneInvalid
        | ErrorCode::PhoneRequired
        | ErrorCode::StaleData
        | ErrorCode::EmailUnchanged
        | ErrorCode::EmailTaken
        | ErrorCode::PromotionClosed
        | ErrorCode::InvalidOrder
        | ErrorCode::OrderConflict
        | ErrorCode::CodeRequired
        | ErrorCode::CodeInvalid
        | ErrorCode::CodeWrong
        | ErrorCode::RecoveryCodeInvalid
        | ErrorCode::RecoveryCodeWrong
        | ErrorCode::SecondStepExpired
        | ErrorCode::TwoStepOn
        | ErrorCode::TwoStepOff
        | ErrorCode::PasskeyNameRequired
        | ErrorCode::PasskeyNameInvalid
        | ErrorCode::PasskeyChallengeExpired
        | ErrorCode::PasskeyInvalid
        | ErrorCode::PasskeyUnknown
        | ErrorCode::PasskeyTaken => t.error_invalid_json,
    }
}
