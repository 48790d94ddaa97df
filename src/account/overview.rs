//! `/account`: who is signed in, the address's verification state (with "send again"), a card
//! per page of the section with where things stand there, this session, sign out here or
//! everywhere.
use fk_api::account::choices::Choice;
use fk_api::account::rules::format_phone;
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::auth::use_auth;
use super::fields::{gender_label, FormAlert};
use super::format::{count, date_time, now_unix, unix_of};
use super::nav::PAGES;
use super::reauth::ReauthPrompt;
use crate::dom::set_title;
use crate::i18n::use_i18n;

#[component]
pub fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().account_title, i18n.t().app_name));
    let auth = use_auth();
    let session = move || auth.session.get();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    let name = move || session().map(|s| s.account.first_name).unwrap_or_default();
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.account_title)}</h1>
            <p class="lead">{move || fill(i18n.lang.get().account().hello, &[("name", &name())])}</p>
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{a(|a| a.profile_heading)}</h2>
                {move || session().map(|s| {
                    let account = s.account;
                    let gender = move || gender_label(i18n.lang.get().account(), account.gender);
                    let verified = if account.email_verified { a(|a| a.verified) } else { a(|a| a.not_verified) };
                    let phone = account.phone.as_deref().map(format_phone);
                    view! {
                        <dl class="facts">
                            <dt>{a(|a| a.field_first_name)}</dt><dd>{account.first_name}</dd>
                            <dt>{a(|a| a.field_login)}</dt><dd>{account.login}</dd>
                            <dt>{a(|a| a.field_email)}</dt><dd>{account.email} " (" {verified} ")"</dd>
                            <dt>{a(|a| a.field_phone)}</dt>
                            <dd>{match phone { Some(phone) => phone.into_any(), None => a(|a| a.phone_none).into_any() }}</dd>
                            <dt>{a(|a| a.field_birth_year)}</dt><dd>{account.birth_year}</dd>
                            <dt>{a(|a| a.field_gender)}</dt><dd>{gender}</dd>
                        </dl>
                    }
                })}
                <p><a href="/account/profile">{a(|a| a.overview_edit_profile)}</a></p>
            </section>
            <PageCards/>
            <SessionCard/>
        </div>
    }
}

/// One card per page of the section, each a link saying where things stand there.
#[component]
fn PageCards() -> impl IntoView {
    let i18n = use_i18n();
    let summary = LocalResource::new(crate::api::summary);
    let security = LocalResource::new(crate::api::security);
    let state = move |href: &'static str| {
        let lang = i18n.lang.get();
        let a = lang.account();
        if href == "/account/delete" {
            return Some(a.card_delete.to_string());
        }
        if href == "/account/security" {
            let view = security.get().and_then(Result::ok)?;
            let on = view.two_step_since.is_some();
            return Some(
                if on {
                    a.card_security_on
                } else {
                    a.card_security_off
                }
                .to_string(),
            );
        }
        let s = summary.get().and_then(Result::ok)?;
        let n = |n: u64, forms: [&str; 3], none: &str| {
            if n == 0 {
                none.to_string()
            } else {
                count(lang, n, forms)
            }
        };
        Some(match href {
            "/account/orders" => n(
                s.orders,
                [a.card_orders_one, a.card_orders_few, a.card_orders_many],
                a.card_orders_none,
            ),
            "/account/promotions" => n(
                s.promotions_joined,
                [
                    a.card_promotions_one,
                    a.card_promotions_few,
                    a.card_promotions_many,
                ],
                a.card_promotions_none,
            ),
            "/account/subscriptions" => n(
                s.subscriptions_on.into(),
                [
                    a.card_subscriptions_one,
                    a.card_subscriptions_few,
                    a.card_subscriptions_many,
                ],
                a.card_subscriptions_none,
            ),
            "/account/privacy" => fill(
                a.card_privacy,
                &[
                    ("n", &s.privacy_on.to_string()),
                    ("total", &Choice::PRIVACY.len().to_string()),
                ],
            ),
            "/account/history" => count(
                lang,
                s.history_entries,
                [a.card_history_one, a.card_history_few, a.card_history_many],
            ),
            "/account/devices" => count(
                lang,
                s.sessions.into(),
                [a.card_devices_one, a.card_devices_few, a.card_devices_many],
            ),
            "/account/data" => match s
                .next_export_at
                .filter(|at| unix_of(at).is_some_and(|t| t > now_unix()))
            {
                Some(at) => fill(a.card_data_next, &[("time", &date_time(&at, lang))]),
                None => a.card_data_now.to_string(),
            },
            _ => return None,
        })
    };
    view! {
        <section class="overview-pages" aria-labelledby="overview-pages-heading">
            <h2 id="overview-pages-heading">{i18n.account(|a| a.overview_pages_heading)}</h2>
            <ul class="overview-cards">
                {PAGES.into_iter().filter(|(href, _)| !matches!(*href, "/account" | "/account/profile")).map(|(href, label)| view! {
                    <li>
                        <a class="overview-card" class:overview-card--danger=href == "/account/delete" href=href>
                            <span class="overview-card__title">{i18n.account(label)}</span>
                            <span class="overview-card__state">{move || state(href)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn SessionCard() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    let error = RwSignal::new(None::<ApiError>);
    let asking = RwSignal::new(false);
    let sign_out = Action::new_local(|_: &()| crate::api::sign_out());
    let everywhere = Action::new_local(|_: &()| crate::api::sign_out_everywhere());
    let leave = navigate.clone();
    Effect::new(move |_| {
        let out = sign_out.value().get().or_else(|| everywhere.value().get());
        match out {
            Some(Ok(())) => {
                auth.signed_out();
                leave("/account/login", Default::default());
            }
            Some(Err(e)) if e.code == ErrorCode::ReauthRequired => asking.set(true),
            Some(Err(e)) => error.set(Some(e)),
            None => {}
        }
    });
    let started = move || {
        auth.session
            .with(|s| s.as_ref().map(|s| s.started_at.clone()))
            .map(|at| format_date(&at, i18n.lang.get()))
            .unwrap_or_default()
    };
    let remembered = move || {
        auth.session
            .with(|s| s.as_ref().is_some_and(|s| s.remember))
    };
    view! {
        <section class="card" aria-labelledby="session-heading">
            <h2 id="session-heading">{a(|a| a.session_heading)}</h2>
            <p>{move || fill(i18n.lang.get().account().session_started, &[("date", &started())])}</p>
            <p>{move || if remembered() { i18n.lang.get().account().session_remembered } else { i18n.lang.get().account().session_browser }}</p>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| { sign_out.dispatch(()); }>{a(|a| a.sign_out)}</button>
                <button type="button" id="sign-out-everywhere" class="button button--quiet" aria-describedby="everywhere-hint"
                    on:click=move |_| { error.set(None); everywhere.dispatch(()); }>
                    {a(|a| a.sign_out_everywhere)}
                </button>
            </div>
            <p class="hint" id="everywhere-hint">{a(|a| a.sign_out_everywhere_hint)}</p>
            <Show when=move || asking.get()>
                <ReauthPrompt
                    on_done=move || { asking.set(false); everywhere.dispatch(()); }
                    on_cancel=move || { asking.set(false); crate::dom::focus_id("sign-out-everywhere"); }/>
            </Show>
            <FormAlert error=error.into()/>
        </section>
    }
}
