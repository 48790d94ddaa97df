//! `/account/privacy` (clause 3.1): the uses of the user's data the service can do without —
//! recommendations, advertising personalisation, analysis — each a switch with its clause's
//! words; and this browser's cookie choice with the way to change it.
use fk_api::account::choices::{Choice, Choices};
use fk_api::consent::{Category, CategoryInfo};
use fk_api::{AccountMessages, Lang};
use leptos::prelude::*;

use super::subscriptions::{ChoiceSwitch, WithChoices};
use crate::consent::bridge;
use crate::consent::page::CurrentChoice;
use crate::dom::set_title;
use crate::i18n::use_i18n;

/// Cookie categories by their names in the operator's configuration (the names the dialog
/// shows); a code the configuration does not know is shown as it is.
pub fn category_names(categories: &[CategoryInfo], codes: &[String], lang: Lang) -> String {
    codes
        .iter()
        .map(|code| {
            let id = Category::from_code(code);
            categories
                .iter()
                .find(|info| Some(info.id) == id)
                .map_or_else(|| code.clone(), |info| info.name.get(lang).to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().priv_title, i18n.t().app_name));
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.priv_title)}</h1>
            <p class="lead">{a(|a| a.priv_lead)}</p>
            <section class="card choices" aria-labelledby="priv-uses-heading">
                <h2 id="priv-uses-heading">{a(|a| a.priv_uses)}</h2>
                <WithChoices content=privacy_switches/>
            </section>
            <CookieChoice/>
        </div>
    }
}

fn privacy_switches(choices: RwSignal<Choices>) -> AnyView {
    Choice::PRIVACY
        .into_iter()
        .map(|choice| view! { <ChoiceSwitch choice choices/> })
        .collect_view()
        .into_any()
}

/// The consent this browser holds now (kept current by the loader's events) and the button
/// that opens the consent dialog in place.
#[component]
fn CookieChoice() -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    // Without the loader (blocked, failed) the cookie page does the same job.
    let change = move |_| {
        if !bridge::show_preferences() {
            let _ = window().location().set_href("/cookies");
        }
    };
    view! {
        <section class="card" aria-labelledby="priv-cookies-heading">
            <h2 id="priv-cookies-heading">{a(|a| a.priv_cookies)}</h2>
            <p class="hint">{a(|a| a.priv_cookies_text)}</p>
            <div aria-live="polite"><CurrentChoice/></div>
            <div class="button-row">
                <button type="button" class="button" id="cookie-settings" on:click=change>{i18n.text(|t| t.cookies_change)}</button>
            </div>
            <p><a href="/cookies" rel="external">{a(|a| a.priv_cookies_page)}</a></p>
        </section>
    }
}
