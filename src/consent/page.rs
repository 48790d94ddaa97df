//! `/cookies`: the current choice and its receipt, "change my choice" (the dialog) and
//! "withdraw consent" — withdrawing is as easy as giving.
use fk_api::consent::Category;
use fk_api::dates::format_date_time;
use fk_api::i18n::fill;
use leptos::prelude::*;

use super::bridge;
use super::dialog::names;
use super::ui::use_consent_state;
use crate::api;
use crate::dom::set_title;
use crate::i18n::use_i18n;

#[component]
pub fn CookiesPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().nav_cookies, i18n.t().app_name));
    let state = use_consent_state();
    let change = move |_| {
        bridge::show_preferences();
    };
    let withdraw = move |_| {
        bridge::set(&[Category::Necessary]);
        state.set(bridge::get());
    };
    view! {
        <div class="page">
            <h1>{i18n.text(|t| t.nav_cookies)}</h1>
            <p class="lead">{i18n.text(|t| t.cookies_intro)}</p>
            <div class="card" aria-live="polite"><CurrentChoice/></div>
            <p class="actions">
                <button type="button" class="button" data-action="change" on:click=change>{i18n.text(|t| t.cookies_change)}</button>
                " "
                <button type="button" class="button button--quiet" data-action="withdraw" on:click=withdraw>{i18n.text(|t| t.cookies_withdraw)}</button>
            </p>
        </div>
    }
}

/// This browser's consent and its receipt: on the cookie page, and on the personal section's
/// privacy page. Kept current by the loader's events.
#[component]
pub fn CurrentChoice() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_consent_state();
    let config = LocalResource::new(move || api::consent_config(bridge::api_base()));
    move || {
        let t = i18n.t();
        let lang = i18n.lang.get();
        match state.get() {
            Some(s) => {
                let allowed: Vec<Category> = Category::ALL.into_iter().filter(|c| s.allows(*c)).collect();
                let list = config.get().and_then(|c| c.ok()).map(|c| names(&c, &allowed, lang)).unwrap_or_default();
                view! {
                    <p class="cookies-current" id="cookie-current">{fill(t.cookies_current, &[("list", &list)])}</p>
                    <dl class="receipt">
                        <dt>{t.consent_receipt_id}</dt>
                        <dd><code>{s.id.clone()}</code></dd>
                        <dt>{t.consent_receipt_date}</dt>
                        <dd>{format_date_time(s.time, lang)}</dd>
                    </dl>
                }
                .into_any()
            }
            None => view! { <p class="cookies-current" id="cookie-current">{t.consent_receipt_none}</p> }.into_any(),
        }
    }
}
