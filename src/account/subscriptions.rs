//! `/account/subscriptions` (clauses 2.1, 7.1–7.2): news and offers by e-mail and by SMS, and
//! the support service's materials; what is not optional (service messages) said plainly. The
//! switch every choice is drawn with ([`ChoiceSwitch`]) is shared with the privacy page.
use fk_api::account::choices::{Choice, Choices};
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;

use super::errors::error_message;
use super::widgets::LoadFailed;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::layout::CONTACT_EMAIL;
use crate::widgets::Loading;

/// A choice's name, as the switch, the history and the unsubscribe page say it.
pub fn choice_label(a: &'static AccountMessages, choice: Choice) -> &'static str {
    match choice {
        Choice::NewsEmail => a.choice_news_email,
        Choice::NewsSms => a.choice_news_sms,
        Choice::SupportMaterials => a.choice_support_materials,
        Choice::Recommendations => a.choice_recommendations,
        Choice::AdPersonalisation => a.choice_ad_personalisation,
        Choice::Analytics => a.choice_analytics,
    }
}

/// The one-line explanation under a switch (for the privacy choices, from clause 3.1).
pub fn choice_hint(a: &'static AccountMessages, choice: Choice) -> &'static str {
    match choice {
        Choice::NewsEmail => a.choice_news_email_hint,
        Choice::NewsSms => a.choice_news_sms_hint,
        Choice::SupportMaterials => a.choice_support_materials_hint,
        Choice::Recommendations => a.choice_recommendations_hint,
        Choice::AdPersonalisation => a.choice_ad_personalisation_hint,
        Choice::Analytics => a.choice_analytics_hint,
    }
}

/// A sentence with `{email}` in it, the operator's address there as a `mailto:` link.
pub fn with_contact(text: Signal<&'static str>) -> impl IntoView {
    move || {
        let (before, after) = text.get().split_once("{email}").unwrap_or((text.get(), ""));
        view! { {before}<a href=format!("mailto:{CONTACT_EMAIL}")>{CONTACT_EMAIL}</a>{after} }
    }
}

/// Loads the choices once and draws `content` with them; every switch keeps them current.
#[component]
pub fn WithChoices(content: fn(RwSignal<Choices>) -> AnyView) -> impl IntoView {
    let loaded = LocalResource::new(crate::api::choices);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(choices) => content(RwSignal::new(choices)),
                    Err(error) => view! { <LoadFailed error retry=move |_| loaded.refetch()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Saving {
    Idle,
    Busy,
    Saved(bool),
    Failed(ApiError),
}

/// One choice as a switch (`choice-{code}`): saved on change, "saving…" while it goes, the
/// answer announced; on failure the switch goes back and the error shows next to it.
/// `blocked`: it cannot be turned on now (SMS without a phone); the children say why. It
/// stays focusable (`aria-disabled`, not `disabled`), so the explanation is reachable, and it
/// can still be turned off.
#[component]
pub fn ChoiceSwitch(
    choice: Choice,
    choices: RwSignal<Choices>,
    #[prop(optional, into)] blocked: Option<Signal<bool>>,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("choice-{}", choice.code());
    let on = RwSignal::new(choices.with_untracked(|c| c.enabled(choice)));
    let saving = RwSignal::new(Saving::Idle);
    let blocked = move || blocked.is_some_and(|b| b.get()) && !on.get();
    let change = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let want = input.checked();
        // One change at a time: a second click while the first is on its way is undone.
        if saving.get_untracked() == Saving::Busy {
            input.set_checked(!want);
            return;
        }
        on.set(want);
        saving.set(Saving::Busy);
        crate::dom::spawn(async move {
            match crate::api::set_choice(choice, want).await {
                Ok(answer) => {
                    let now = answer.enabled(choice);
                    choices.set(answer);
                    on.set(now);
                    saving.set(Saving::Saved(now));
                }
                Err(e) => {
                    if e.code == ErrorCode::PhoneRequired {
                        choices.update(|c| c.has_phone = false);
                    }
                    on.set(!want);
                    saving.set(Saving::Failed(e));
                }
            }
        });
    };
    // A blocked switch that is off does not turn on: the click (or Space) is cancelled.
    let click = move |ev: leptos::ev::MouseEvent| {
        if blocked() {
            ev.prevent_default();
        }
    };
    let status = move || {
        let lang = i18n.lang.get();
        let a = lang.account();
        match saving.get() {
            Saving::Idle => view! { <span></span> }.into_any(),
            Saving::Busy => view! { <span>{a.choice_saving}</span> }.into_any(),
            Saving::Saved(true) => view! { <span class="switch-saved">{a.choice_saved_on}</span> }.into_any(),
            Saving::Saved(false) => view! { <span class="switch-saved">{a.choice_saved_off}</span> }.into_any(),
            Saving::Failed(e) => {
                view! { <span class="field-error">{error_message(lang, &e)} " " {a.choice_reverted}</span> }.into_any()
            }
        }
    };
    let label = move || choice_label(i18n.lang.get().account(), choice);
    let hint = move || choice_hint(i18n.lang.get().account(), choice);
    let note = move || children.as_ref().filter(|_| blocked()).map(|c| c());
    view! {
        <div class="switch-field" data-choice=choice.code()>
            <div class="switch">
                <input
                    type="checkbox"
                    role="switch"
                    id=id.clone()
                    name=id.clone()
                    prop:checked=move || on.get()
                    aria-disabled=move || blocked().then_some("true")
                    aria-busy=move || (saving.get() == Saving::Busy).to_string()
                    aria-describedby=format!("{id}-hint {id}-note {id}-status")
                    on:click=click
                    on:change=change
                />
                <label for=id.clone()>{label}</label>
            </div>
            <p class="hint" id=format!("{id}-hint")>{hint}</p>
            <div class="switch-note" id=format!("{id}-note")>{note}</div>
            <p class="switch-status" id=format!("{id}-status") role="status">{status}</p>
        </div>
    }
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().subs_title, i18n.t().app_name));
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.subs_title)}</h1>
            <p class="lead">{a(|a| a.subs_lead)}</p>
            <section class="card choices" aria-labelledby="subs-lists-heading">
                <h2 id="subs-lists-heading">{a(|a| a.subs_lists)}</h2>
                <WithChoices content=subscription_switches/>
            </section>
            <section class="notice notice--info" aria-labelledby="subs-service-heading" id="service-messages">
                <h2 id="subs-service-heading">{a(|a| a.subs_service_title)}</h2>
                <p>{a(|a| a.subs_service_text)}</p>
            </section>
            <section class="card" aria-labelledby="subs-unsubscribe-heading">
                <h2 id="subs-unsubscribe-heading">{a(|a| a.subs_unsubscribe_title)}</h2>
                <p>{with_contact(a(|a| a.subs_unsubscribe_text))}</p>
            </section>
        </div>
    }
}

fn subscription_switches(choices: RwSignal<Choices>) -> AnyView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let no_phone = Signal::derive(move || choices.with(|c| !c.has_phone));
    view! {
        <ChoiceSwitch choice=Choice::NewsEmail choices/>
        <ChoiceSwitch choice=Choice::NewsSms choices blocked=no_phone>
            <p class="notice notice--warn">
                {a(|a| a.subs_phone_needed)} " "
                <a href="/account/profile" id="choice-news_sms-profile">{a(|a| a.subs_phone_link)}</a>
            </p>
        </ChoiceSwitch>
        <ChoiceSwitch choice=Choice::SupportMaterials choices/>
    }
    .into_any()
}
