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

use super::bar::{measure_bar, search_bar, BAR_VAR};
use super::body::PolicyBody;
use super::search::{searchable_texts, PolicySearch, SearchState};
use super::toc::{open_contents, PolicyToc, CONTENTS_ID};
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

    // The section being read, for the contents (`aria-current`), and the one last jumped to.
    let anchors: Arc<Vec<String>> = Arc::new(doc.sections.iter().map(|s| s.anchor()).collect());
    let active = RwSignal::new(None::<String>);
    let spy = StoredValue::new(Spy::default());
    let update = {
        let anchors = anchors.clone();
        move || {
            let tops: Vec<f64> = anchors
                .iter()
                .map(|a| {
                    document()
                        .get_element_by_id(&format!("{a}-title"))
                        .map_or(f64::INFINITY, |h| rect(&h).0)
                })
                .collect();
            let bar = bar_bottom();
            let viewport = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            let now = spy
                .try_update_value(|s| s.update(&tops, bar, viewport))
                .flatten();
            let id = now.and_then(|i| anchors.get(i).cloned());
            if active.get_untracked() != id {
                active.set(id);
            }
        }
    };
    Effect::new({
        let update = update.clone();
        move |_| {
            measure_bar();
            update();
            let pending = StoredValue::new(false);
            let on_scroll = {
                let update = update.clone();
                move || {
                    if pending.get_value() {
                        return;
                    }
                    pending.set_value(true);
                    let update = update.clone();
                    after_render(move || {
                        pending.set_value(false);
                        update();
                    });
                }
            };
            let scroll = window_event_listener(leptos::ev::scroll, {
                let on_scroll = on_scroll.clone();
                move |_| on_scroll()
            });
            let resize = window_event_listener(leptos::ev::resize, move |_| {
                measure_bar();
                on_scroll();
            });
            on_cleanup(move || {
                scroll.remove();
                resize.remove();
                if let Some(html) = document()
                    .document_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = html.style().remove_property(BAR_VAR);
                }
            });
        }
    });

    let location = use_location();
    Effect::new(move |_| {
        let hash = location.hash.get();
        let raw = hash.trim_start_matches('#');
        let id = js_sys::decode_uri_component(raw)
            .map(String::from)
            .unwrap_or_else(|_| raw.to_string());
        if !id.is_empty() {
            let anchors = anchors.clone();
            let update = update.clone();
            after_render(move || {
                if let Some(section) = go_to(&id) {
                    let index = anchors.iter().position(|a| *a == section);
                    spy.update_value(|s| s.jumped_to(index));
                    update();
                }
            });
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
    // What a printed page says on top: whose text, where it lives (the version is in the
    // line under the title). The server does not know the host it is reached at: it writes
    // the path, the app the whole address.
    let address = {
        let path = location.pathname.get_untracked();
        if cfg!(feature = "ssr") {
            path
        } else {
            format!("{}{path}", window().location().origin().unwrap_or_default())
        }
    };
    let print_head = view! {
        <div class="print-head" aria-hidden="true">
            <p><strong>{i18n.text(|t| t.app_name)}</strong> " · " {i18n.text(|t| t.footer_operator)}</p>
            <p>{move || fill(i18n.t().policy_print_address, &[("url", &address)])}</p>
        </div>
    };
    // Reading order for every width: title, contents, text. Wide screens move the contents
    // into a sticky sidebar with grid areas, without changing that order.
    view! {
        <article class="policy-layout" aria-labelledby="policy-title" lang=summary.lang.code()>
            <header class="policy-head">
                {print_head}
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
                <PolicyToc doc=doc.clone() active/>
            </div>
            <div class="policy-main">
                <PolicySearch search=search/>
                <PolicyBody doc=doc search=search/>
            </div>
        </article>
    }
}

/// How far below the sticky bar's bottom a heading still counts as the one being read. A jump
/// leaves a heading 0.75rem (12 px) below the bar (`scroll-margin-top` of the sections and
/// clauses), well inside this.
pub const SPY_SLACK: f64 = 32.0;

/// The scroll-spy: which section is being read, from where each section's heading is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spy {
    /// The section last jumped to, and whether its heading has been seen since.
    jumped: Option<(usize, bool)>,
}

impl Spy {
    pub fn jumped_to(&mut self, section: Option<usize>) {
        self.jumped = section.map(|i| (i, false));
    }

    /// `tops`: each section heading's top in the viewport, in order; `bar`: the bottom of the
    /// sticky bar; `viewport`: the window's height. A section jumped to stays the one being
    /// read while its heading is in view, even when the page cannot scroll it up to the bar
    /// (the last, short sections); otherwise it is the last section whose heading has reached
    /// the bar.
    pub fn update(&mut self, tops: &[f64], bar: f64, viewport: f64) -> Option<usize> {
        if let Some((jumped, seen)) = self.jumped {
            let top = tops.get(jumped).copied().unwrap_or(f64::INFINITY);
            if top >= bar - 1.0 && top < viewport {
                self.jumped = Some((jumped, true));
                return Some(jumped);
            }
            if seen {
                self.jumped = None;
            }
        }
        tops.iter().rposition(|&top| top <= bar + SPY_SLACK)
    }
}

/// An element's top and bottom in the viewport.
fn rect(el: &web_sys::Element) -> (f64, f64) {
    let measured = js_sys::Reflect::get(el, &"getBoundingClientRect".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(el).ok());
    let side = |name: &str| {
        measured
            .as_ref()
            .and_then(|r| js_sys::Reflect::get(r, &name.into()).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    (side("top"), side("bottom"))
}

/// Where the sticky search bar ends in the viewport (0 without one).
fn bar_bottom() -> f64 {
    search_bar().map_or(0.0, |bar| rect(&bar).1.max(0.0))
}

/// Scrolls to the element with this id (a clause or a section, or the contents), marks it and
/// focuses it. Returns the anchor of the section it is in.
fn go_to(id: &str) -> Option<String> {
    let doc = document();
    if id == CONTENTS_ID {
        open_contents();
        if let Some(nav) = doc.get_element_by_id(CONTENTS_ID) {
            scroll_into_view(&nav, false);
        }
        return None;
    }
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
    let el = doc.get_element_by_id(id)?;
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
    el.closest(".policy-section").ok().flatten().map(|s| s.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_read_is_the_last_whose_heading_reached_the_bar() {
        let mut spy = Spy::default();
        let bar = 60.0;
        assert_eq!(spy.update(&[300.0, 900.0, 1500.0], bar, 844.0), None);
        assert_eq!(
            spy.update(&[-400.0, bar + 12.0, 700.0], bar, 844.0),
            Some(1),
            "a jump's landing counts"
        );
        assert_eq!(spy.update(&[-400.0, 20.0, 700.0], bar, 844.0), Some(1));
        assert_eq!(
            spy.update(&[-900.0, -500.0, bar + SPY_SLACK + 1.0], bar, 844.0),
            Some(1)
        );
    }

    #[test]
    fn a_section_jumped_to_stays_current_while_its_heading_is_in_view() {
        let mut spy = Spy::default();
        let bar = 60.0;
        // The last section is short: the page cannot scroll its heading up to the bar.
        spy.jumped_to(Some(2));
        assert_eq!(spy.update(&[-900.0, 20.0, 400.0], bar, 844.0), Some(2));
        // Scrolling on: the heading leaves under the bar, and the usual rule applies again.
        assert_eq!(spy.update(&[-1900.0, -1000.0, -10.0], bar, 844.0), Some(2));
        assert_eq!(spy.update(&[-900.0, 20.0, 900.0], bar, 844.0), Some(1));
        // While a smooth scroll has not reached the section, it is not forgotten.
        spy.jumped_to(Some(2));
        assert_eq!(spy.update(&[100.0, 900.0, 1500.0], bar, 844.0), None);
        assert_eq!(spy.update(&[-900.0, 20.0, 400.0], bar, 844.0), Some(2));
    }
}
