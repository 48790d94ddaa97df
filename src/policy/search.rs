//! Search inside the policy: which texts match, which match is current, and the search bar.
use std::ops::Range;
use std::sync::Arc;

use fk_api::i18n::fill;
use fk_api::policy::{Block, PolicyDocument};
use fk_api::text::{find_matches, MAX_MATCHES};
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The texts search looks in, in reading order. [`crate::policy::body::PolicyBody`] renders
/// them in this same order and numbers them the same way, so match `n` is the `n`th mark.
pub fn searchable_texts(doc: &PolicyDocument) -> Vec<String> {
    let mut texts = Vec::new();
    for section in &doc.sections {
        texts.push(section.heading());
        for clause in &section.clauses {
            if let Some(h) = &clause.heading {
                texts.push(h.clone());
            }
            for block in &clause.blocks {
                match block {
                    Block::Paragraph { spans } => {
                        texts.extend(spans.iter().map(|s| s.text.clone()))
                    }
                    Block::List { items } => {
                        texts.extend(items.iter().flatten().map(|s| s.text.clone()))
                    }
                }
            }
        }
    }
    texts
}

/// Where the query matches: per text, its ranges and the number of its first match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    pub ranges: Vec<Vec<Range<usize>>>,
    pub starts: Vec<usize>,
    pub total: usize,
}

impl SearchIndex {
    pub fn build(texts: &[String], query: &str) -> SearchIndex {
        let mut index = SearchIndex::default();
        for text in texts {
            index.starts.push(index.total);
            let mut found = if index.total < MAX_MATCHES {
                find_matches(text, query)
            } else {
                Vec::new()
            };
            found.truncate(MAX_MATCHES - index.total);
            index.total += found.len();
            index.ranges.push(found);
        }
        index
    }
}

#[derive(Clone, Copy)]
pub struct SearchState {
    pub query: RwSignal<String>,
    /// The current match, 0-based; meaningful while `total > 0`.
    pub current: RwSignal<usize>,
    pub index: Memo<Arc<SearchIndex>>,
}

impl SearchState {
    pub fn new(texts: Arc<Vec<String>>) -> SearchState {
        let query = RwSignal::new(String::new());
        let index = Memo::new(move |_| Arc::new(SearchIndex::build(&texts, &query.get())));
        SearchState {
            query,
            current: RwSignal::new(0),
            index,
        }
    }

    pub fn total(&self) -> usize {
        self.index.with(|i| i.total)
    }

    pub fn set_query(&self, q: String) {
        self.current.set(0);
        self.query.set(q);
    }

    pub fn step(&self, forward: bool) {
        let total = self.total();
        if total == 0 {
            return;
        }
        self.current.update(|c| {
            *c = if forward {
                (*c + 1) % total
            } else {
                (*c + total - 1) % total
            }
        });
    }
}

/// The sticky bar above the text. On a phone it is one slim row, a way back to the contents
/// and a button that opens the search; wide screens show the field itself (the contents sit
/// beside the text). The field: "n of m", previous and next; Enter and Shift+Enter step
/// through the matches, Escape clears (and, once empty, closes the field on a phone); the
/// current match is scrolled into view. The keyboard hint shows only where a keyboard is
/// likely (style/main.css).
#[component]
pub fn PolicySearch(search: SearchState) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<leptos::html::Input>::new();
    let open = RwSignal::new(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        let current = search.current.get();
        if search.total() == 0 {
            return;
        }
        crate::dom::after_render(move || {
            let selector = format!("mark[data-match=\"{current}\"]");
            if let Ok(Some(mark)) = document().query_selector(&selector) {
                crate::dom::scroll_into_view(&mark, true);
            }
        });
    });
    let set_open = move |now: bool| {
        open.set(now);
        crate::dom::after_render(move || {
            super::bar::measure_bar();
            if now {
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            } else if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let status = move || {
        let t = i18n.t();
        let total = search.total();
        if search.query.with(|q| q.trim().is_empty()) {
            String::new()
        } else if total == 0 {
            t.policy_search_none.to_string()
        } else {
            fill(
                t.policy_search_count,
                &[
                    ("current", &(search.current.get() + 1).to_string()),
                    ("total", &total.to_string()),
                ],
            )
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            search.step(!ev.shift_key());
        }
        "Escape" => {
            ev.prevent_default();
            if search.query.with_untracked(|q| q.is_empty()) {
                if open.get_untracked() {
                    set_open(false);
                }
            } else {
                search.set_query(String::new());
            }
        }
        _ => {}
    };
    let disabled = move || search.total() == 0;
    view! {
        <search class="policy-search no-print" class:policy-search--open=move || open.get()>
            <div class="policy-search__bar">
                <a class="policy-search__contents" href=format!("#{}", super::toc::CONTENTS_ID)
                    on:click=move |_| super::toc::open_contents()>
                    <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
                        <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01"/>
                    </svg>
                    <span class="policy-search__label">{i18n.text(|t| t.policy_toc_title)}</span>
                </a>
                <button type="button" class="policy-search__toggle" node_ref=toggle
                    aria-expanded=move || open.get().to_string() aria-controls="policy-search-field"
                    on:click=move |_| set_open(!open.get_untracked())>
                    <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
                        <circle cx="11" cy="11" r="6.5" fill="none" stroke="currentColor" stroke-width="2"/>
                        <path stroke="currentColor" stroke-width="2" stroke-linecap="round" d="m16 16 4.5 4.5"/>
                    </svg>
                    <span class="policy-search__label">{i18n.text(|t| t.policy_search_open)}</span>
                </button>
            </div>
            <div class="policy-search__field" id="policy-search-field">
                <label for="policy-search-input">{i18n.text(|t| t.policy_search_label)}</label>
                <div class="policy-search__row">
                    <input
                        id="policy-search-input"
                        type="search"
                        node_ref=input
                        autocomplete="off"
                        aria-describedby="policy-search-hint"
                        prop:value=move || search.query.get()
                        on:input=move |ev| search.set_query(event_target_value(&ev))
                        on:keydown=on_keydown
                    />
                    <button type="button" class="icon-button" aria-label=i18n.text(|t| t.policy_search_prev)
                        disabled=disabled on:click=move |_| search.step(false)>"↑"</button>
                    <button type="button" class="icon-button" aria-label=i18n.text(|t| t.policy_search_next)
                        disabled=disabled on:click=move |_| search.step(true)>"↓"</button>
                    <span class="policy-search__count" role="status" aria-live="polite">{status}</span>
                </div>
                <p id="policy-search-hint" class="hint policy-search__keys">{i18n.text(|t| t.policy_search_hint)}</p>
            </div>
        </search>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn numbers_matches_across_texts() {
        let texts = vec![
            "a cookie".to_string(),
            "none".to_string(),
            "Cookie, cookie".to_string(),
        ];
        let index = SearchIndex::build(&texts, "cookie");
        assert_eq!(index.total, 3);
        assert_eq!(index.starts, vec![0, 1, 1]);
        assert_eq!(index.ranges[2].len(), 2);
    }
}
