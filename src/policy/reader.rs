//! One version of the policy on screen: notes, title, version and date, contents, search,
//! text. `/policy#6.4` scrolls to clause 6.4, highlights it and moves focus there.
use fk_api::dates::format_date;
use std::sync::Arc;

use fk_api::i18n::fill;
use fk_api::policy::PolicyVersion;
use fk_api::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

use super::body::PolicyBody;
use super::search::{searchable_texts, PolicySearch, SearchState};
use super::toc::PolicyToc;
use crate::dom::{after_render, scroll_into_view, set_title};
use crate::i18n::use_i18n;

/// Whether the version on screen is the one in force; `Old` carries the current number.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Current,
    Old,
}

#[component]
pub fn PolicyReader(policy: PolicyVersion, standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let doc = Arc::new(policy.document.clone());
    let search = SearchState::new(Arc::new(searchable_texts(&doc)));
    let summary = policy.summary.clone();
    let version = summary.version;
    let fallback = policy.is_fallback();
    let translation = summary.lang != Lang::Ru;
    let original_newer = policy.original_newer;
    let title = doc.title.clone();
    {
        let title = title.clone();
        Effect::new(move |_| set_title(&title, i18n.t().app_name));
    }

    let location = use_location();
    Effect::new(move |_| {
        let hash = location.hash.get();
        let raw = hash.trim_start_matches('#');
        let id = js_sys::decode_uri_component(raw)
            .map(String::from)
            .unwrap_or_else(|_| raw.to_string());
        if !id.is_empty() {
            after_render(move || go_to(&id));
        }
    });

    let effective = summary.effective_at.clone();
    let meta = move || {
        let t = i18n.t();
        format!(
            "{} · {}",
            fill(t.policy_version, &[("version", &version.to_string())]),
            fill(
                t.policy_effective,
                &[("date", &format_date(&effective, i18n.lang.get()))]
            )
        )
    };
    let notes = view! {
        {fallback.then(|| view! { <p class="notice notice--info" role="note">{i18n.text(|t| t.policy_fallback_note)}</p> })}
        {(translation && original_newer).then(|| view! {
            <p class="notice notice--warn" role="note">
                {i18n.text(|t| t.policy_translation_outdated)} " "
                <button type="button" class="link-button" on:click=move |_| i18n.set(Lang::Ru)>{i18n.text(|t| t.policy_read_original)}</button>
            </p>
        })}
        {(standing == Standing::Old).then(|| view! {
            <p class="notice notice--warn" role="note">
                {move || fill(i18n.t().policy_old_version, &[("version", &version.to_string())])} " "
                <a href="/policy">{i18n.text(|t| t.policy_open_current)}</a>
            </p>
        })}
    };
    // Reading order for every width: title, contents, text. Wide screens move the contents
    // into a sticky sidebar with grid areas, without changing that order.
    view! {
        <article class="policy-layout" aria-labelledby="policy-title" lang=summary.lang.code()>
            <header class="policy-head">
                {notes}
                <h1 id="policy-title">{title}</h1>
                <p class="policy-meta">{meta}</p>
                <div class="policy-tools no-print">
                    <a href="/policy/versions">{i18n.text(|t| t.policy_all_versions)}</a>
                    {(standing == Standing::Old).then(|| view! {
                        <a href=format!("/policy/compare?from={version}")>{i18n.text(|t| t.policy_changes_since)}</a>
                    })}
                    {translation.then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| i18n.set(Lang::Ru)>
                            {i18n.text(|t| t.policy_read_original)}
                        </button>
                    })}
                    <button type="button" class="button button--quiet" on:click=move |_| { let _ = window().print(); }>
                        {i18n.text(|t| t.policy_print)}
                    </button>
                </div>
            </header>
            <div class="policy-aside">
                <PolicyToc doc=doc.clone()/>
            </div>
            <div class="policy-main">
                <PolicySearch search=search/>
                <PolicyBody doc=doc search=search/>
            </div>
        </article>
    }
}

/// Scrolls to the element with this id (a clause or a section), marks it and focuses it.
fn go_to(id: &str) {
    let doc = document();
    if let Ok(previous) = doc.query_selector_all(".targeted") {
        for i in 0..previous.length() {
            if let Some(el) = previous
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.class_list().remove_1("targeted");
            }
        }
    }
    let Some(el) = doc.get_element_by_id(id) else {
        return;
    };
    let _ = el.class_list().add_1("targeted");
    // Sections are reached through their heading, which is what a reader should land on.
    let focus_target = if el.tag_name() == "SECTION" {
        el.query_selector("h2").ok().flatten().unwrap_or(el.clone())
    } else {
        el.clone()
    };
    if let Ok(html) = focus_target.dyn_into::<web_sys::HtmlElement>() {
        let _ = html.focus();
    }
    scroll_into_view(&el, false);
}
