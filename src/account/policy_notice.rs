//! Clauses 8.2–8.4: when an edition of the policy newer than the one the user accepted is
//! published, every page of the section says so, links to what changed, and offers the two
//! answers the policy gives: "I have read it" (recorded in the consent history) or deleting
//! the account.
use fk_api::account::data::PolicyStatus;
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::ApiError;
use leptos::prelude::*;

use super::auth::use_auth;
use super::errors::error_message;
use crate::dom::focus_id;
use crate::i18n::use_i18n;

/// The signed-in user's policy status, asked once per page load (not on every navigation),
/// and asked again only when someone else signs in.
#[derive(Clone, Copy)]
pub struct PolicyState {
    status: RwSignal<Option<PolicyStatus>>,
    /// The login the status belongs to (and that it was asked for).
    asked_for: RwSignal<Option<String>>,
    /// "Thank you" after "I have read it", until the next page.
    acknowledged: RwSignal<bool>,
}

impl PolicyState {
    pub fn provide() {
        provide_context(PolicyState {
            status: RwSignal::new(None),
            asked_for: RwSignal::new(None),
            acknowledged: RwSignal::new(false),
        });
    }

    /// Asks the server once for the signed-in `login`.
    fn load(self, login: String) {
        if self
            .asked_for
            .with_untracked(|a| a.as_deref() == Some(login.as_str()))
        {
            return;
        }
        self.asked_for.set(Some(login));
        self.status.set(None);
        crate::dom::spawn(async move {
            // A failure leaves the notice away: the page itself works without it.
            if let Ok(status) = crate::api::policy_status().await {
                self.status.set(Some(status));
            }
        });
    }
}

#[component]
pub fn PolicyNotice() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let state = use_context::<PolicyState>().unwrap_or_else(|| {
        PolicyState::provide();
        expect_context::<PolicyState>()
    });
    Effect::new(move |_| {
        if let Some(login) = auth
            .session
            .with(|s| s.as_ref().map(|s| s.account.login.clone()))
        {
            state.load(login);
        }
    });
    // A new page: the thanks of the previous one is said.
    state.acknowledged.set(false);
    let error = RwSignal::new(None::<ApiError>);
    let acknowledge = Action::new_local(|version: &u32| crate::api::acknowledge_policy(*version));
    Effect::new(move |_| match acknowledge.value().get() {
        Some(Ok(status)) => {
            state.status.set(Some(status));
            state.acknowledged.set(true);
            request_animation_frame(|| focus_id("policy-ack-done"));
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let changed = move || {
        state
            .status
            .with(|s| s.as_ref().filter(|s| s.changed()).cloned())
    };
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        {move || changed().map(|status| {
            let (version, accepted) = (status.current_version, status.accepted_version);
            let compare = format!("/policy/compare?from={}&to={}", status.accepted_version, status.current_version);
            let published = status.current_published_at.clone();
            let text = move || {
                let lang = i18n.lang.get();
                fill(lang.account().policy_notice_text, &[("date", &format_date(&published, lang)), ("version", &version.to_string())])
            };
            view! {
                <section id="policy-notice" class="notice notice--warn policy-notice" aria-labelledby="policy-notice-title">
                    <p id="policy-notice-title" class="policy-notice__title"><strong>{text}</strong></p>
                    <p>
                        {move || fill(i18n.lang.get().account().policy_notice_accepted, &[("version", &accepted.to_string())])}
                        " "
                        <a href=compare rel="external">{a(|a| a.policy_notice_compare)}</a>
                    </p>
                    <div class="button-row">
                        <button type="button" id="policy-ack" class="button" disabled=move || acknowledge.pending().get()
                            on:click=move |_| { error.set(None); acknowledge.dispatch(version); }>
                            {a(|a| a.policy_notice_ack)}
                        </button>
                        <a id="policy-disagree" class="button button--quiet" href="/account/delete">{a(|a| a.policy_notice_disagree)}</a>
                    </div>
                    <p class="hint">{a(|a| a.policy_notice_disagree_hint)}</p>
                    <div role="alert">
                        {move || error.get().map(|e| view! { <p class="field-error">{error_message(i18n.lang.get(), &e)}</p> })}
                    </div>
                </section>
            }
        })}
        <div role="status" class="policy-notice__done">
            <Show when=move || state.acknowledged.get()>
                <p id="policy-ack-done" class="notice notice--info" tabindex="-1">{a(|a| a.policy_notice_done)}</p>
            </Show>
        </div>
    }
}
