//! The policy text: sections, clauses with anchors and "copy link", search marks.
use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;

use fk_api::i18n::fill;
use fk_api::policy::{Block, Clause, PolicyDocument, Section, Span};
use fk_api::text::split_emails;
use leptos::prelude::*;

use super::search::SearchState;
use crate::i18n::use_i18n;

/// Texts are numbered while rendering in the order of [`super::search::searchable_texts`].
struct Counter(Cell<usize>);

impl Counter {
    fn next(&self) -> usize {
        let k = self.0.get();
        self.0.set(k + 1);
        k
    }
}

#[component]
pub fn PolicyBody(doc: Arc<PolicyDocument>, search: SearchState) -> impl IntoView {
    let counter = Counter(Cell::new(0));
    let preamble = doc.preamble.iter().map(plain_block).collect_view();
    let sections = doc
        .sections
        .iter()
        .map(|s| section(s, search, &counter))
        .collect_view();
    view! {
        <div class="policy-body">
            {(!doc.preamble.is_empty()).then(|| view! { <div class="notice notice--info preamble">{preamble}</div> })}
            {sections}
            <p class="sr-only" role="status" aria-live="polite" id="copy-status"></p>
        </div>
    }
}

fn section(s: &Section, search: SearchState, counter: &Counter) -> impl IntoView {
    let heading = highlighted(s.heading(), counter.next(), search);
    let title_id = format!("{}-title", s.anchor());
    let labelled_by = title_id.clone();
    let clauses = s
        .clauses
        .iter()
        .map(|c| clause(c, search, counter))
        .collect_view();
    view! {
        <section class="policy-section" id=s.anchor() aria-labelledby=labelled_by>
            <h2 id=title_id tabindex="-1">{heading}</h2>
            {clauses}
        </section>
    }
}

fn clause(c: &Clause, search: SearchState, counter: &Counter) -> impl IntoView {
    let i18n = use_i18n();
    let heading = c.heading.clone().map(|h| {
        let text = highlighted(h, counter.next(), search);
        view! { <h3>{text}</h3> }
    });
    let blocks = c
        .blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let number = c.number.clone().filter(|_| i == 0).map(|n| {
                view! { <a class="clause-number" href=format!("#{}", c.id)>{n} "."</a> " " }
            });
            match block {
                Block::Paragraph { spans } => {
                    let spans = spans
                        .iter()
                        .map(|s| span(s, counter.next(), search))
                        .collect_view();
                    view! { <p>{number}{spans}</p> }.into_any()
                }
                Block::List { items } => {
                    let items = items
                        .iter()
                        .map(|item| {
                            let spans = item
                                .iter()
                                .map(|s| span(s, counter.next(), search))
                                .collect_view();
                            view! { <li>{spans}</li> }
                        })
                        .collect_view();
                    view! { {number} <ul>{items}</ul> }.into_any()
                }
            }
        })
        .collect_view();
    let id = c.id.clone();
    let label = c.label().to_string();
    let copy_label = label.clone();
    view! {
        <div class="clause" id=c.id.clone() tabindex="-1">
            {heading}
            {blocks}
            <button
                type="button"
                class="copy-link no-print"
                aria-label=move || fill(i18n.t().policy_copy_link, &[("clause", &copy_label)])
                title=move || fill(i18n.t().policy_copy_link, &[("clause", &label)])
                on:click=move |_| copy_link(&id)
            >
                <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
                    <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
                        d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>
                </svg>
            </button>
        </div>
    }
}

/// Copies the clause's address and says so in the live region (or shows the address when the
/// clipboard is not available, e.g. on plain http).
fn copy_link(id: &str) {
    let i18n = use_i18n();
    let location = window().location();
    let url = format!(
        "{}{}#{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        id
    );
    let clause = id.to_string();
    let say = move |text: String| {
        if let Some(status) = document().get_element_by_id("copy-status") {
            status.set_text_content(Some(&text));
        }
    };
    let t = i18n.lang.get_untracked().messages();
    // navigator.clipboard exists only on https and localhost: otherwise show the link instead.
    let has_clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into())
        .is_ok_and(|c| !c.is_undefined());
    if !has_clipboard {
        say(fill(t.policy_link_copy_failed, &[("url", &url)]));
        return;
    }
    let promise = window().navigator().clipboard().write_text(&url);
    crate::dom::spawn(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => say(fill(t.policy_link_copied, &[("clause", &clause)])),
            Err(_) => say(fill(t.policy_link_copy_failed, &[("url", &url)])),
        }
    });
}

fn span(s: &Span, k: usize, search: SearchState) -> AnyView {
    let mut inner = highlighted(s.text.clone(), k, search).into_any();
    if s.emphasis {
        inner = view! { <em>{inner}</em> }.into_any();
    }
    if s.strong {
        inner = view! { <strong>{inner}</strong> }.into_any();
    }
    match &s.href {
        Some(href) => view! { <a href=href.clone()>{inner}</a> }.into_any(),
        None => inner,
    }
}

/// Text number `k`, with its search matches marked and e-mail addresses as mailto links.
fn highlighted(text: String, k: usize, search: SearchState) -> impl IntoView {
    move || {
        let index = search.index.get();
        let ranges = index.ranges.get(k).cloned().unwrap_or_default();
        let base = index.starts.get(k).copied().unwrap_or(0);
        let current = if ranges.is_empty() {
            usize::MAX
        } else {
            search.current.get()
        };
        let mut offset = 0;
        split_emails(&text)
            .into_iter()
            .map(|(piece, is_email)| {
                let start = offset;
                offset += piece.len();
                let marked = marks(&text, start..offset, &ranges, base, current);
                if is_email {
                    view! { <a href=format!("mailto:{piece}")>{marked}</a> }.into_any()
                } else {
                    marked.into_any()
                }
            })
            .collect_view()
    }
}

fn marks(
    text: &str,
    piece: Range<usize>,
    ranges: &[Range<usize>],
    base: usize,
    current: usize,
) -> impl IntoView {
    let mut out = Vec::new();
    let mut pos = piece.start;
    for (i, r) in ranges.iter().enumerate() {
        let (a, b) = (r.start.max(piece.start), r.end.min(piece.end));
        if a >= b {
            continue;
        }
        if pos < a {
            out.push(text[pos..a].to_string().into_any());
        }
        let n = base + i;
        out.push(
            view! { <mark class:current=n == current data-match=n>{text[a..b].to_string()}</mark> }
                .into_any(),
        );
        pos = b;
    }
    if pos < piece.end {
        out.push(text[pos..piece.end].to_string().into_any());
    }
    out
}

fn plain_block(block: &Block) -> impl IntoView {
    let plain = |spans: &Vec<Span>| {
        spans
            .iter()
            .map(|s| match (s.strong, s.emphasis) {
                (true, _) => view! { <strong>{s.text.clone()}</strong> }.into_any(),
                (_, true) => view! { <em>{s.text.clone()}</em> }.into_any(),
                _ => s.text.clone().into_any(),
            })
            .collect_view()
    };
    match block {
        Block::Paragraph { spans } => view! { <p>{plain(spans)}</p> }.into_any(),
        Block::List { items } => {
            view! { <ul>{items.iter().map(|i| view! { <li>{plain(i)}</li> }).collect_view()}</ul> }
                .into_any()
        }
    }
}
