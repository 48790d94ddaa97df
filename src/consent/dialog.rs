//! The preferences dialog: a real modal (labelled, focus inside, Tab kept inside, Escape
//! closes, focus back where it was), a switch per category with its description and cookie
//! table, the user's receipt, and save / accept all / reject all.
use fk_api::dates::format_date_time;
use std::collections::BTreeSet;

use fk_api::consent::{Category, CategoryInfo, ConsentConfig};
use fk_api::i18n::fill;
use fk_api::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::bridge::{self, ConsentState};
use super::ui::{accept_or_reject, DialogContext, Mode};
use crate::api;
use crate::dom::active_element;
use crate::i18n::use_i18n;
use crate::widgets::ErrorPanel;

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), a[href], summary, [tabindex]:not([tabindex='-1'])";

fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// A choice made in the dialog the banner opened: what opened it went with the banner. Focus
/// goes where reading starts, the page's title (not scrolled to), rather than to `<body>`.
fn focus_page_title() {
    let title = document()
        .query_selector("main h1, h1")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(title) = title {
        if !title.has_attribute("tabindex") {
            let _ = title.set_attribute("tabindex", "-1");
        }
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = title.focus_with_options(&options);
    }
}

/// The [`super::ui::DialogView`] the embeddable banner passes to its UI.
pub fn draw(ctx: DialogContext) -> AnyView {
    view! { <PreferencesDialog mode=ctx.mode state=ctx.state from_banner=ctx.from_banner/> }
        .into_any()
}

#[component]
pub fn PreferencesDialog(
    mode: RwSignal<Option<Mode>>,
    state: RwSignal<Option<ConsentState>>,
    from_banner: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let gpc = bridge::gpc();
    let base = bridge::api_base();
    let config = LocalResource::new(move || api::consent_config(base.clone()));
    let chosen: RwSignal<BTreeSet<Category>> = RwSignal::new(
        state
            .get_untracked()
            .map(|s| Category::ALL.into_iter().filter(|c| s.allows(*c)).collect())
            .unwrap_or_default(),
    );
    // Where focus returns on close. Held in the arena so every handler can share it.
    let opener = StoredValue::new_local(
        active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    let dialog = NodeRef::<leptos::html::Dialog>::new();

    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
            if let Some(first) = focusables(&d).into_iter().next() {
                let _ = first.focus();
            }
        }
    });

    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        // Closing without a choice, when the banner opened the dialog, brings the banner back:
        // the question stays open.
        let back_to_banner = from_banner && state.get_untracked().is_none();
        mode.set(back_to_banner.then_some(Mode::Banner));
        opener.with_value(|el| match el.as_ref().filter(|e| e.is_connected()) {
            Some(el) => {
                let _ = el.focus();
            }
            // The banner (back again) takes focus itself.
            None if !back_to_banner => focus_page_title(),
            None => {}
        });
    };
    let choose = move |categories: Vec<Category>| {
        bridge::set(&categories);
        state.set(bridge::get());
        close();
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close();
            }
            "Tab" => {
                let items = focusables(&d);
                let (Some(first), Some(last)) = (items.first(), items.last()) else {
                    return;
                };
                let active = active_element();
                let at = |el: &web_sys::HtmlElement| {
                    active
                        .as_ref()
                        .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
                };
                if ev.shift_key() && at(first) {
                    ev.prevent_default();
                    let _ = last.focus();
                } else if !ev.shift_key() && at(last) {
                    ev.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        }
    };

    let categories = move || {
        config.get().map(|result| match result {
            Ok(config) => categories_view(config, chosen).into_any(),
            Err(error) => view! { <ErrorPanel error/> }.into_any(),
        })
    };
    let receipt = move || {
        let lang = i18n.lang.get();
        let t = i18n.t();
        match state.get() {
            Some(s) => view! {
                <dl class="fk-receipt">
                    <dt>{t.consent_receipt_id}</dt>
                    <dd><code class="fk-receipt__id">{s.id.clone()}</code></dd>
                    <dt>{t.consent_receipt_date}</dt>
                    <dd>{format_date_time(s.time, lang)}</dd>
                </dl>
            }
            .into_any(),
            None => view! { <p class="fk-receipt">{t.consent_receipt_none}</p> }.into_any(),
        }
    };
    view! {
        <dialog class="fk-consent fk-dialog" aria-labelledby="fk-dialog-title" aria-describedby="fk-dialog-intro" node_ref=dialog
            on:keydown=on_keydown on:cancel=move |ev: web_sys::Event| { ev.prevent_default(); close(); }>
            <div class="fk-dialog__head">
                <h2 id="fk-dialog-title">{i18n.text(|t| t.consent_dialog_title)}</h2>
                <button type="button" class="fk-close" aria-label=i18n.text(|t| t.consent_close) on:click=move |_| close()>"×"</button>
            </div>
            <p id="fk-dialog-intro">{i18n.text(|t| t.consent_dialog_intro)}</p>
            {gpc.then(|| view! { <p class="fk-note">{i18n.text(|t| t.consent_gpc_note)}</p> })}
            <div class="fk-categories">{categories}</div>
            <section class="fk-receipt-box" aria-labelledby="fk-receipt-title">
                <h3 id="fk-receipt-title">{i18n.text(|t| t.consent_receipt_title)}</h3>
                {receipt}
            </section>
            <div class="fk-actions">
                <button type="button" class="fk-btn" data-action="save" on:click=move |_| choose(chosen.get_untracked().into_iter().collect())>
                    {i18n.text(|t| t.consent_save)}
                </button>
                {accept_or_reject(choose, gpc)}
            </div>
        </dialog>
    }
}

pub(crate) fn categories_view(
    config: ConsentConfig,
    chosen: RwSignal<BTreeSet<Category>>,
) -> impl IntoView {
    config
        .categories
        .into_iter()
        .map(|category| category_view(category, chosen))
        .collect_view()
}

pub(crate) fn category_view(
    category: CategoryInfo,
    chosen: RwSignal<BTreeSet<Category>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = category.id;
    let code = id.code();
    let text = move |l: &fk_api::consent::Localized| {
        let l = l.clone();
        move || l.get(i18n.lang.get()).to_string()
    };
    let name = category.name.clone();
    let switch_label = {
        let name = name.clone();
        move || {
            fill(
                i18n.t().consent_allow,
                &[("category", name.get(i18n.lang.get()))],
            )
        }
    };
    let caption = {
        let name = name.clone();
        move || {
            fill(
                i18n.t().consent_cookies_caption,
                &[("category", name.get(i18n.lang.get()))],
            )
        }
    };
    let control = if id == Category::Necessary {
        view! { <span class="fk-always">{i18n.text(|t| t.consent_always_on)}</span> }.into_any()
    } else {
        let input_id = format!("fk-allow-{code}");
        let label_for = input_id.clone();
        view! {
            <label class="fk-switch" for=label_for>
                <input type="checkbox" role="switch" id=input_id data-category=code
                    prop:checked=move || chosen.with(|c| c.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                    }/>
                <span>{switch_label}</span>
            </label>
        }
        .into_any()
    };
    let rows = category
        .cookies
        .into_iter()
        .map(|cookie| {
            view! {
                <tr>
                    <th scope="row"><code>{cookie.name.clone()}</code></th>
                    <td>{text(&cookie.purpose)}</td>
                    <td>{text(&cookie.lifetime)}</td>
                    <td>{cookie.provider.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="fk-cat" aria-labelledby=format!("fk-cat-{code}")>
            <div class="fk-cat__head">
                <h3 id=format!("fk-cat-{code}")>{text(&name)}</h3>
                {control}
            </div>
            <p class="fk-cat__text">{text(&category.description)}</p>
            <details class="fk-cookies">
                <summary>{caption.clone()}</summary>
                <div class="fk-table-wrap">
                    <table>
                        <caption class="fk-sr-only">{caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{i18n.text(|t| t.consent_cookie_name)}</th>
                                <th scope="col">{i18n.text(|t| t.consent_cookie_purpose)}</th>
                                <th scope="col">{i18n.text(|t| t.consent_cookie_lifetime)}</th>
                                <th scope="col">{i18n.text(|t| t.consent_cookie_provider)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

/// Category names in the interface language, for "allowed now: …".
pub fn names(config: &ConsentConfig, categories: &[Category], lang: Lang) -> String {
    config
        .categories
        .iter()
        .filter(|c| categories.contains(&c.id))
        .map(|c| c.name.get(lang).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
