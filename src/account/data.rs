//! `/account/data`: everything held about the user, as one JSON file made on request, at most
//! once an hour (the page says when the next one is possible).
use fk_api::account::data::EXPORT_EVERY_SECONDS;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;
use std::time::Duration;

use super::errors::error_message;
use super::format::{now_unix, today_iso, unix_of};
use super::reauth::ReauthPrompt;
use crate::dom::{focus_id, save_file, set_title};
use crate::i18n::use_i18n;

#[component]
pub fn DataPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().data_title, i18n.t().app_name));
    // Unix seconds before which the server refuses another download.
    let next_at = RwSignal::new(None::<i64>);
    let wait_until = move |at: i64| {
        let now = now_unix();
        if at <= now {
            next_at.set(None);
            return;
        }
        next_at.set(Some(at));
        // The button comes back by itself when the hour is over (if the page is still open).
        let left = Duration::from_secs((at - now) as u64 + 1);
        set_timeout(
            move || {
                if next_at
                    .try_get_untracked()
                    .flatten()
                    .is_some_and(|t| t <= now_unix())
                {
                    next_at.set(None)
                }
            },
            left,
        );
    };
    crate::dom::spawn(async move {
        if let Ok(summary) = crate::api::summary().await {
            if let Some(at) = summary.next_export_at.as_deref().and_then(unix_of) {
                wait_until(at);
            }
        }
    });
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let export = Action::new_local(|_: &()| crate::api::export_data());
    let asking = RwSignal::new(false);
    Effect::new(move |_| match export.value().get() {
        Some(Ok(file)) => {
            let name = file
                .name
                .unwrap_or_else(|| format!("fortekassa-data-{}.json", today_iso()));
            match save_file(&name, "application/json", &file.text) {
                Ok(()) => saved.set(Some(name)),
                Err(_) => error.set(Some(ApiError::new(
                    ErrorCode::Internal,
                    "the browser refused the download",
                ))),
            }
            wait_until(now_unix() + EXPORT_EVERY_SECONDS);
            focus_id("export-status");
        }
        // Everything held goes out only with a recent password: ask, then go on by itself.
        Some(Err(e)) if e.code == ErrorCode::ReauthRequired => asking.set(true),
        Some(Err(e)) => {
            if let (ErrorCode::TooManyRequests, Some(seconds)) = (e.code, e.retry_after) {
                wait_until(now_unix() + seconds as i64);
            } else {
                error.set(Some(e));
            }
            focus_id("export-status");
        }
        None => {}
    });
    let pending = export.pending();
    let disabled = move || pending.get() || next_at.with(Option::is_some);
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let next_text = move || {
        let lang = i18n.lang.get();
        next_at.get().map(|at| {
            fill(
                lang.account().data_next,
                &[("time", &fk_api::dates::format_date_time(at, lang))],
            )
        })
    };
    // One live line: "preparing…", then what became of it and when the next one may be made.
    let status = move || {
        let a = i18n.lang.get().account();
        if pending.get() {
            return a.data_preparing.to_string();
        }
        let saved = saved
            .get()
            .map(|name| fill(a.data_saved, &[("file", &name)]));
        [saved, next_text()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let contents: [fn(&'static AccountMessages) -> &'static str; 11] = [
        |a| a.data_item_profile,
        |a| a.data_item_orders,
        |a| a.data_item_promotions,
        |a| a.data_item_subscriptions,
        |a| a.data_item_choices,
        |a| a.data_item_consents,
        |a| a.data_item_sessions,
        |a| a.data_item_security_log,
        |a| a.data_item_sign_in,
        |a| a.data_item_receipts,
        |a| a.data_item_letters,
    ];
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.data_title)}</h1>
            <p class="lead">{a(|a| a.data_lead)}</p>
            <section class="card" aria-labelledby="data-contents-heading">
                <h2 id="data-contents-heading">{a(|a| a.data_contents_heading)}</h2>
                <ul class="data-contents">
                    {contents.into_iter().map(|item| view! { <li>{a(item)}</li> }).collect_view()}
                </ul>
                <p>{a(|a| a.data_format)}</p>
                <p class="hint" id="export-hint">{a(|a| a.data_limit)}</p>
                <button type="button" id="export-download" class="button" aria-describedby="export-hint export-status"
                    disabled=disabled aria-busy=move || pending.get().to_string()
                    on:click=move |_| { error.set(None); saved.set(None); export.dispatch(()); }>
                    {move || if pending.get() { a(|a| a.data_preparing).get() } else { a(|a| a.data_download).get() }}
                </button>
                <Show when=move || asking.get()>
                    <ReauthPrompt
                        on_done=move || { asking.set(false); export.dispatch(()); }
                        on_cancel=move || { asking.set(false); focus_id("export-download"); }/>
                </Show>
                <p id="export-status" class="form-status" role="status" tabindex="-1">{status}</p>
                <div role="alert" class="form-alert">
                    {move || error.get().map(|e| view! { <p class="notice notice--error">{error_message(i18n.lang.get(), &e)}</p> })}
                </div>
            </section>
        </div>
    }
}
