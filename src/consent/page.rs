//! `/cookies`: the cookie settings on the page itself — each category with its switch and its
//! cookies, "save my choice", "accept all" and "reject all" (or, once a choice was made,
//! "withdraw consent": withdrawing is as easy as giving), the choice and its receipt, and what
//! the last change did, with its time. The page asks the question itself, so the banner stays
//! away from it (`data-fk-choice`, see consent/README.md); the dialog is the banner's.
use std::collections::BTreeSet;

use fk_api::consent::{accept_all, Category, ConsentConfig};
use fk_api::dates::{format_date_time, format_time};
use fk_api::i18n::fill;
use fk_api::{Lang, Messages};
use leptos::prelude::*;

use super::bridge::{self, ConsentState};
use super::dialog::{categories_view, names};
use super::ui::use_consent_state;
use crate::api;
use crate::dom::{focus_id, set_title};
use crate::i18n::use_i18n;
use crate::widgets::ErrorPanel;

/// What the last choice made on the page switched, and when (Unix seconds).
type LastChange = (Vec<(Category, bool)>, i64);

/// The id of the line that says what the last change did; focus goes there after a choice.
const STATUS_ID: &str = "cookie-status";

/// The categories a choice allows (none without a choice).
fn allowed(state: Option<&ConsentState>) -> BTreeSet<Category> {
    state
        .map(|s| Category::ALL.into_iter().filter(|c| s.allows(*c)).collect())
        .unwrap_or_default()
}

/// What one choice changed from the one before (`None`: there was none, so a first choice
/// names every category): each category switched, in order, with whether it is now on.
/// Necessary cookies never change.
pub fn changes(
    before: Option<&BTreeSet<Category>>,
    after: &BTreeSet<Category>,
) -> Vec<(Category, bool)> {
    Category::ALL
        .into_iter()
        .filter(|c| {
            *c != Category::Necessary && before.is_none_or(|b| b.contains(c) != after.contains(c))
        })
        .map(|c| (c, after.contains(&c)))
        .collect()
}

/// "Statistics: off since 12:04", one line per category switched, or "saved, nothing changed".
/// The time is Kazakhstan's, as every time the Privacy Center shows (`fk_api::dates`).
pub fn describe(
    t: &Messages,
    config: Option<&ConsentConfig>,
    lang: Lang,
    changed: &[(Category, bool)],
    at: i64,
) -> Vec<String> {
    let since = format_time(at);
    if changed.is_empty() {
        return vec![fill(t.cookies_unchanged, &[("since", &since)])];
    }
    changed
        .iter()
        .map(|(category, on)| {
            let name = config
                .and_then(|c| c.categories.iter().find(|i| i.id == *category))
                .map(|i| i.name.get(lang).to_string())
                .unwrap_or_else(|| category.code().to_string());
            let text = if *on {
                t.cookies_changed_on
            } else {
                t.cookies_changed_off
            };
            fill(text, &[("category", &name), ("since", &since)])
        })
        .collect()
}

#[component]
pub fn CookiesPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().nav_cookies, i18n.t().app_name));
    let state = use_consent_state();
    let config = LocalResource::new(move || api::consent_config(bridge::api_base()));
    let gpc = bridge::gpc();
    // The switches start from the choice in force (all off without one), and follow a choice
    // made elsewhere (another tab's banner, the dialog).
    let chosen: RwSignal<BTreeSet<Category>> =
        RwSignal::new(allowed(state.get_untracked().as_ref()));
    Effect::new(move |_| chosen.set(allowed(state.get().as_ref())));
    // What the last choice made here changed, and when.
    let last: RwSignal<Option<LastChange>> = RwSignal::new(None);
    let choose = move |categories: Vec<Category>| {
        let before = state.get_untracked().map(|s| allowed(Some(&s)));
        let Some(now) = bridge::set(&categories) else {
            return;
        };
        let after = allowed(Some(&now));
        last.set(Some((changes(before.as_ref(), &after), now.time)));
        state.set(Some(now));
        // Focus stays with the outcome, not lost to the page's start (the button pressed may
        // have gone: "reject all" becomes "withdraw consent").
        request_animation_frame(|| focus_id(STATUS_ID));
    };
    let save = move |_| choose(chosen.get_untracked().into_iter().collect());
    let categories = move || {
        config.get().map(|result| match result {
            Ok(config) => categories_view(config, chosen).into_any(),
            Err(error) => view! { <ErrorPanel error/> }.into_any(),
        })
    };
    let status = move || {
        let t = i18n.t();
        let lang = i18n.lang.get();
        last.get().map(|(changed, at)| {
            let config = config.get().and_then(|c| c.ok());
            describe(t, config.as_ref(), lang, &changed, at)
                .into_iter()
                .map(|line| view! { <span class="cookie-status__line">{line}</span> })
                .collect_view()
        })
    };
    // Before any choice there is nothing to withdraw: "reject all" says what it does then.
    let refuse = move || {
        if state.with(Option::is_some) {
            view! {
                <button type="button" class="button" data-action="withdraw" on:click=move |_| choose(vec![Category::Necessary])>
                    {i18n.text(|t| t.cookies_withdraw)}
                </button>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="button" data-action="reject" on:click=move |_| choose(vec![Category::Necessary])>
                    {i18n.text(|t| t.consent_reject_all)}
                </button>
            }
            .into_any()
        }
    };
    view! {
        <div class="page cookie-settings">
            <h1>{i18n.text(|t| t.nav_cookies)}</h1>
            <p class="lead">{i18n.text(|t| t.cookies_intro)}</p>
            // The page is the question: the banner stands back while this is in the document.
            <section class="card cookie-choice" data-fk-choice aria-labelledby="cookie-choice-title">
                <h2 id="cookie-choice-title">{i18n.text(|t| t.cookies_choose_title)}</h2>
                {gpc.then(|| view! { <p class="notice">{i18n.text(|t| t.consent_gpc_note)}</p> })}
                <p class="cookie-status" id=STATUS_ID role="status" tabindex="-1">{status}</p>
                <div class="button-row">
                    <button type="button" class="button" data-action="accept" on:click=move |_| choose(accept_all(gpc))>
                        {i18n.text(|t| t.consent_accept_all)}
                    </button>
                    {refuse}
                </div>
                <div class="fk-categories">{categories}</div>
                <div class="button-row">
                    <button type="button" class="button" data-action="save" on:click=save>{i18n.text(|t| t.consent_save)}</button>
                </div>
            </section>
            <section class="card" aria-labelledby="cookie-receipt-title">
                <h2 id="cookie-receipt-title">{i18n.text(|t| t.consent_receipt_title)}</h2>
                <CurrentChoice/>
            </section>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_each_category_switched_with_its_time() {
        let before: BTreeSet<_> = [Category::Necessary, Category::Statistics].into();
        let after: BTreeSet<_> = [Category::Necessary, Category::Marketing].into();
        let changed = changes(Some(&before), &after);
        assert_eq!(
            changed,
            [(Category::Statistics, false), (Category::Marketing, true)]
        );
        // 2026-11-24T07:04:00Z is 12:04 in Kazakhstan.
        let at = fk_api::dates::parse_rfc3339("2026-11-24T07:04:00Z").unwrap();
        let lines = describe(Lang::En.messages(), None, Lang::En, &changed, at);
        assert_eq!(
            lines,
            ["statistics: off since 12:04", "marketing: on since 12:04"]
        );
        assert_eq!(changes(Some(&after), &after), []);
        let ru = describe(Lang::Ru.messages(), None, Lang::Ru, &[], at);
        assert_eq!(ru, ["Выбор сохранён в 12:04, без изменений."]);
    }

    #[test]
    fn a_first_choice_names_every_category() {
        let after: BTreeSet<_> = [Category::Necessary, Category::Preferences].into();
        assert_eq!(
            changes(None, &after),
            [
                (Category::Preferences, true),
                (Category::Statistics, false),
                (Category::Marketing, false)
            ]
        );
    }
}
