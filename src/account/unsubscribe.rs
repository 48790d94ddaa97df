//! `/unsubscribe?token=…`: the link at the foot of every newsletter (clause 7.2). Works signed
//! out: says which list stops going to which (masked) address, asks to confirm, and offers to
//! undo. The policy's other way, writing to the operator, is always named.
use fk_api::account::choices::UnsubscribeView;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::fields::FormAlert;
use super::subscriptions::{choice_label, with_contact};
use super::widgets::{LoadFailed, OutcomeHeading};
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::Loading;

/// The `?token=` of the link, taken out of the address bar at once (like
/// [`super::take_link_token`] for `#token=`), so it stays out of the history and of anything
/// that reads the address later.
fn take_query_token(token: Option<String>) -> Option<String> {
    if token.is_some() {
        let path = window().location().pathname().unwrap_or_default();
        let _ = window()
            .history()
            .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)));
    }
    token.filter(|t| fk_api::account::is_token(t))
}

/// Where the page is: the link's state as first read, or after the user changed it here.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Checking,
    Invalid,
    Unreachable(ApiError),
    Read(UnsubscribeView),
    Changed(UnsubscribeView),
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().unsub_title, i18n.t().app_name));
    let token = take_query_token(use_query_map().with_untracked(|q| q.get("token")));
    let step = RwSignal::new(if token.is_some() {
        Step::Checking
    } else {
        Step::Invalid
    });
    let error = RwSignal::new(None::<ApiError>);
    let token = StoredValue::new(token.unwrap_or_default());
    let check = Action::new_local(move |_: &()| crate::api::unsubscribe_preview(token.get_value()));
    let change = Action::new_local(move |subscribed: &bool| {
        let subscribed = *subscribed;
        async move { crate::api::unsubscribe(token.get_value(), subscribed).await }
    });
    let link_invalid =
        |e: &ApiError| e.code == ErrorCode::LinkInvalid || e.code == ErrorCode::NotFound;
    Effect::new(move |_| match check.value().get() {
        Some(Ok(view)) => step.set(Step::Read(view)),
        Some(Err(e)) if link_invalid(&e) => step.set(Step::Invalid),
        // The token is out of the address bar: a reload cannot retry, the button can.
        Some(Err(e)) => step.set(Step::Unreachable(e)),
        None => {}
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(view)) => step.set(Step::Changed(view)),
        Some(Err(e)) if link_invalid(&e) => step.set(Step::Invalid),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    if step.get_untracked() == Step::Checking {
        check.dispatch(());
    }
    let pending = change.pending();
    let send = move |subscribed: bool| {
        error.set(None);
        change.dispatch(subscribed);
    };
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    // "«Новости и предложения…» … a•••@example.kz" in the interface language.
    let say = move |template: fn(&'static AccountMessages) -> &'static str,
                    view: &UnsubscribeView| {
        let view = view.clone();
        move || {
            let a = i18n.lang.get().account();
            fill(
                template(a),
                &[
                    ("list", choice_label(a, view.choice)),
                    ("email", &view.email),
                ],
            )
        }
    };
    let button = move |id: &'static str,
                       subscribed: bool,
                       label: fn(&'static AccountMessages) -> &'static str| {
        view! {
            <button type="button" class="button" id=id disabled=move || pending.get() on:click=move |_| send(subscribed)>
                {move || if pending.get() { i18n.lang.get().account().working } else { label(i18n.lang.get().account()) }}
            </button>
        }
    };
    let body = move || {
        match step.get() {
        Step::Checking => view! { <Loading/> }.into_any(),
        Step::Unreachable(error) => view! { <LoadFailed error retry=move |_| { step.set(Step::Checking); check.dispatch(()); }/> }.into_any(),
        Step::Invalid => view! {
            <section class="notice notice--error" id="unsubscribe-invalid">
                <h2>{a(|a| a.unsub_invalid)}</h2>
                <p>{a(|a| a.unsub_invalid_text)}</p>
            </section>
        }
        .into_any(),
        // Still subscribed: what will change, and the button that does it.
        Step::Read(view) if view.subscribed => view! {
            <p class="unsubscribe-what" id="unsubscribe-what">{say(|a| a.unsub_about, &view)}</p>
            <div class="button-row">{button("unsubscribe-confirm", false, |a| a.unsub_confirm)}</div>
        }
        .into_any(),
        // Already off (an earlier visit, or the mail program's one click): say so, offer it back.
        Step::Read(view) => view! {
            <p class="unsubscribe-what" id="unsubscribe-what">{say(|a| a.unsub_already, &view)}</p>
            <div class="button-row">{button("unsubscribe-undo", true, |a| a.unsub_undo)}</div>
        }
        .into_any(),
        Step::Changed(view) if !view.subscribed => view! {
            <section class="notice notice--info unsubscribe-outcome" id="unsubscribe-done">
                <OutcomeHeading text=a(|a| a.unsub_done)/>
                <p>{say(|a| a.unsub_done_text, &view)}</p>
                <div class="button-row">{button("unsubscribe-undo", true, |a| a.unsub_undo)}</div>
            </section>
        }
        .into_any(),
        Step::Changed(view) => view! {
            <section class="notice notice--info unsubscribe-outcome" id="unsubscribe-resubscribed">
                <OutcomeHeading text=a(|a| a.unsub_again)/>
                <p>{say(|a| a.unsub_again_text, &view)}</p>
                <div class="button-row">{button("unsubscribe-confirm", false, |a| a.unsub_confirm)}</div>
            </section>
        }
        .into_any(),
    }
    };
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.unsub_title)}</h1>
            {body}
            <FormAlert error=error.into()/>
            <section class="card unsubscribe-other" aria-labelledby="unsubscribe-other-heading">
                <h2 id="unsubscribe-other-heading">{a(|a| a.unsub_other_title)}</h2>
                <p>{with_contact(a(|a| a.unsub_write))}</p>
                <p><a href="/account/subscriptions" id="unsubscribe-manage">{a(|a| a.unsub_manage)}</a></p>
            </section>
        </div>
    }
}
