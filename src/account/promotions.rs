//! `/account/promotions` (clause 2.1: "taking part in the Service's promotions"): the current
//! promotions with join / leave, and the user's past participation.
use fk_api::account::commerce::{ParticipationView, PromotionView, Promotions};
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError};
use leptos::prelude::*;

use super::errors::error_message;
use super::widgets::LoadFailed;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::Loading;

#[component]
pub fn PromotionsPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().promo_title, i18n.t().app_name));
    // Texts come in the interface language: asked for again when it changes.
    let loaded = LocalResource::new(move || crate::api::promotions(i18n.lang.get()));
    // What is shown: the last load, or the answer of the last join / leave (the same shape).
    let shown = RwSignal::new(None::<Promotions>);
    let failed = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(promotions)) => {
            failed.set(None);
            shown.set(Some(promotions));
        }
        Some(Err(e)) => failed.set(Some(e)),
        None => {}
    });
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let content = move || match (shown.with(Option::is_some), failed.get()) {
        (false, Some(error)) => {
            view! { <LoadFailed error retry=move |_| loaded.refetch()/> }.into_any()
        }
        (false, None) => view! { <Loading/> }.into_any(),
        (true, _) => view! { <Current shown/><Past shown/> }.into_any(),
    };
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.promo_title)}</h1>
            <p class="lead">{a(|a| a.promo_lead)}</p>
            {content}
        </div>
    }
}

#[component]
fn Current(shown: RwSignal<Option<Promotions>>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let current = move || shown.with(|p| p.as_ref().map(|p| p.current.clone()).unwrap_or_default());
    let none = move || shown.with(|p| p.as_ref().is_some_and(|p| p.current.is_empty()));
    view! {
        <section class="promotions" aria-labelledby="promo-current-heading">
            <h2 id="promo-current-heading">{a(|a| a.promo_current)}</h2>
            <Show when=none>
                <p class="notice">{a(|a| a.promo_none)}</p>
            </Show>
            <ul class="promotion-list">
                // Keyed by what the card shows except the participation, which the card reads
                // itself: joining keeps the same button (and focus); a new language redraws.
                <For
                    each=current
                    key=|p| (p.slug.clone(), p.title.clone(), p.description.clone(), p.starts_at.clone(), p.ends_at.clone())
                    let(promotion)
                >
                    <li><PromotionCard promotion shown/></li>
                </For>
            </ul>
        </section>
    }
}

#[component]
fn PromotionCard(promotion: PromotionView, shown: RwSignal<Option<Promotions>>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = promotion.slug.clone();
    let joined_at = {
        let slug = slug.clone();
        Memo::new(move |_| {
            shown.with(|p| {
                p.as_ref()
                    .and_then(|p| p.current.iter().find(|c| c.slug == slug))
                    .and_then(|c| c.joined_at.clone())
            })
        })
    };
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let toggle = {
        let slug = slug.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let join = joined_at.with_untracked(Option::is_none);
            busy.set(true);
            error.set(None);
            let slug = slug.clone();
            let lang = i18n.lang.get_untracked();
            crate::dom::spawn(async move {
                match crate::api::take_part(slug, join, lang).await {
                    Ok(promotions) => shown.set(Some(promotions)),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    let state = move || {
        let a = i18n.lang.get().account();
        match joined_at.get() {
            Some(at) => fill(
                a.promo_joined_since,
                &[("date", &format_date(&at, i18n.lang.get()))],
            ),
            None => a.promo_not_joined.to_string(),
        }
    };
    let (starts, ends) = (promotion.starts_at.clone(), promotion.ends_at.clone());
    let dates = move || {
        let lang = i18n.lang.get();
        fill(
            lang.account().promo_dates,
            &[
                ("from", &format_date(&starts, lang)),
                ("to", &format_date(&ends, lang)),
            ],
        )
    };
    let button_id = {
        let slug = slug.clone();
        move || {
            if joined_at.with(Option::is_some) {
                format!("leave-{slug}")
            } else {
                format!("join-{slug}")
            }
        }
    };
    let label = move || {
        let a = i18n.lang.get().account();
        if busy.get() {
            a.working
        } else if joined_at.with(Option::is_some) {
            a.promo_leave
        } else {
            a.promo_join
        }
    };
    let message = move || error.get().map(|e| error_message(i18n.lang.get(), &e));
    view! {
        <article class="promotion card" id=format!("promotion-{slug}") aria-labelledby=format!("promotion-{slug}-title")>
            <h3 id=format!("promotion-{slug}-title")>{promotion.title}</h3>
            <p class="promotion-dates">{dates}</p>
            <p>{promotion.description}</p>
            <p class="promotion-state" id=format!("promotion-{slug}-state") role="status"
                data-joined=move || joined_at.with(Option::is_some).to_string()>
                {state}
            </p>
            // One button that says what it will do; the line above says the state, aloud too.
            <button type="button" class="button" id=button_id aria-describedby=format!("promotion-{slug}-state promotion-{slug}-error")
                aria-disabled=move || busy.get().to_string() on:click=toggle>
                {label}
            </button>
            <p class="field-error" id=format!("promotion-{slug}-error") role="alert">{message}</p>
        </article>
    }
}

#[component]
fn Past(shown: RwSignal<Option<Promotions>>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let past = move || shown.with(|p| p.as_ref().map(|p| p.past.clone()).unwrap_or_default());
    view! {
        <section class="participations" aria-labelledby="promo-past-heading">
            <h2 id="promo-past-heading">{a(|a| a.promo_past)}</h2>
            {move || {
                let past = past();
                if past.is_empty() {
                    view! { <p>{a(|a| a.promo_past_none)}</p> }.into_any()
                } else {
                    let items = past.into_iter().map(|p| view! { <li><PastLine past=p/></li> }).collect_view();
                    view! { <ul class="participation-list">{items}</ul> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn PastLine(past: ParticipationView) -> impl IntoView {
    let i18n = use_i18n();
    let title = past.title.clone();
    let line = move || past_line(&past, i18n.lang.get());
    view! {
        <strong class="participation-title">{title}</strong>
        <br/>
        <span>{line}</span>
    }
}

/// When a past participation began and how it ended (left, or the promotion was over): the
/// page's line, and the data download's.
pub fn past_line(past: &ParticipationView, lang: fk_api::Lang) -> String {
    let a = lang.account();
    let joined = format_date(&past.joined_at, lang);
    match &past.left_at {
        Some(left) => fill(
            a.promo_past_left,
            &[("joined", &joined), ("left", &format_date(left, lang))],
        ),
        None => fill(
            a.promo_past_ended,
            &[
                ("joined", &joined),
                ("ended", &format_date(&past.ends_at, lang)),
            ],
        ),
    }
}
