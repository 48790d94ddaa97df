//! `/account/history`: every consent the account holds and every change to it, newest first —
//! policy versions accepted, cookie choices made while signed in, subscription and privacy
//! changes with where they were made.
use fk_api::account::activity::{
    AcceptedHow, GuardianConfirmed, History, HistoryEntry, HistoryEvent,
};
use fk_api::account::choices::ChoiceSource;
use fk_api::consent::CategoryInfo;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, Lang};
use leptos::prelude::*;

use super::orders::format_when;
use super::privacy::category_names;
use super::subscriptions::choice_label;
use super::widgets::LoadFailed;
use crate::consent::bridge;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::Loading;

/// Where a privacy choice was made, as the history (and the data download) says it.
pub fn source_label(a: &'static AccountMessages, source: ChoiceSource) -> &'static str {
    match source {
        ChoiceSource::Account => a.hist_source_account,
        ChoiceSource::UnsubscribePage => a.hist_source_unsubscribe_page,
        ChoiceSource::OneClick => a.hist_source_one_click,
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().hist_title, i18n.t().app_name));
    let history = LocalResource::new(crate::api::history);
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.hist_title)}</h1>
            <p class="lead">{a(|a| a.hist_lead)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(history) => view! { <HistoryList history/> }.into_any(),
                        Err(error) => view! { <LoadFailed error retry=move |_| history.refetch()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn HistoryList(history: History) -> impl IntoView {
    let i18n = use_i18n();
    if history.entries.is_empty() {
        return view! { <p class="notice" id="history-empty">{i18n.account(|a| a.hist_empty)}</p> }
            .into_any();
    }
    // Cookie categories are named as the consent dialog names them.
    let config = LocalResource::new(move || crate::api::consent_config(bridge::api_base()));
    let entries = history
        .entries
        .into_iter()
        .map(|entry| view! { <HistoryLine entry config/> })
        .collect_view();
    view! { <ol class="history" id="history">{entries}</ol> }.into_any()
}

#[component]
fn HistoryLine(
    entry: HistoryEntry,
    config: LocalResource<Result<fk_api::consent::ConsentConfig, fk_api::ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let at = entry.at.clone();
    let when = move || format_when(&at, i18n.lang.get());
    let kind = match &entry.event {
        HistoryEvent::Policy { .. } => "policy",
        HistoryEvent::Cookies { .. } => "cookies",
        HistoryEvent::Choice { .. } => "choice",
        HistoryEvent::Guardian { .. } => "guardian",
    };
    let what = match &entry.event {
        &HistoryEvent::Policy { version, how, .. } => {
            let said = move || {
                let a = i18n.lang.get().account();
                match how {
                    AcceptedHow::Registration => a.hist_policy_registration,
                    AcceptedHow::Acknowledged => a.hist_policy_acknowledged,
                }
            };
            let link = move || {
                fill(
                    i18n.lang.get().account().hist_policy_version,
                    &[("version", &version.to_string())],
                )
            };
            // The policy viewer is the other bundle: the browser loads it.
            view! { {said} " " <a href=format!("/policy/versions/{version}") rel="external">{link}</a> }.into_any()
        }
        HistoryEvent::Cookies { ref consent_id, .. } => {
            let consent_id = consent_id.clone();
            let event = entry.event.clone();
            let said = move || {
                config.with(|c| {
                    let known = c
                        .as_ref()
                        .and_then(|r| r.as_ref().ok())
                        .map_or(&[][..], |c| &c.categories[..]);
                    event_text(i18n.lang.get().account(), &event, i18n.lang.get(), known)
                })
            };
            view! {
                {said}
                <br/>
                <span class="hint">{i18n.text(|t| t.consent_receipt_id)} ": " <code>{consent_id}</code></span>
            }
            .into_any()
        }
        HistoryEvent::Choice { .. } | HistoryEvent::Guardian { .. } => {
            let event = entry.event.clone();
            let said = move || event_text(i18n.lang.get().account(), &event, i18n.lang.get(), &[]);
            view! { {said} }.into_any()
        }
    };
    view! {
        <li class="history-entry" data-kind=kind>
            <time class="history-when" datetime=entry.at>{when}</time>
            <p class="history-what">{what}</p>
        </li>
    }
}

/// The history's line for a parent's or guardian's permission (also in the data download).
pub fn guardian_text(a: &'static AccountMessages, place: GuardianConfirmed) -> &'static str {
    match place {
        GuardianConfirmed::Registration => a.hist_guardian_registration,
        GuardianConfirmed::Profile => a.hist_guardian_profile,
    }
}

/// One entry of the history in words (the page links the policy's version; the data download
/// says it). `categories`: the cookie categories' names, as the consent configuration gives
/// them (a code stands for a category it does not know).
pub fn event_text(
    a: &'static AccountMessages,
    event: &HistoryEvent,
    lang: Lang,
    categories: &[CategoryInfo],
) -> String {
    match event {
        HistoryEvent::Policy { version, how, .. } => {
            let said = match how {
                AcceptedHow::Registration => a.hist_policy_registration,
                AcceptedHow::Acknowledged => a.hist_policy_acknowledged,
            };
            let version = fill(a.hist_policy_version, &[("version", &version.to_string())]);
            format!("{said} {version}")
        }
        HistoryEvent::Cookies {
            categories: chosen,
            gpc,
            ..
        } => {
            let said = if chosen.iter().all(|c| c == "necessary") {
                a.hist_cookies_necessary.to_string()
            } else {
                let list = category_names(categories, chosen, lang);
                fill(a.hist_cookies, &[("list", &list)])
            };
            if *gpc {
                format!("{said} {}", a.hist_cookies_gpc)
            } else {
                said
            }
        }
        HistoryEvent::Choice {
            choice,
            enabled,
            source,
        } => {
            let template = if *enabled {
                a.hist_choice_on
            } else {
                a.hist_choice_off
            };
            let change = fill(template, &[("choice", choice_label(a, *choice))]);
            fill(
                a.hist_choice_line,
                &[("change", &change), ("source", source_label(a, *source))],
            )
        }
        HistoryEvent::Guardian { place } => guardian_text(a, *place).to_string(),
    }
}
