//! The table of contents: the nine sections, each a link to its anchor. Folded on narrow
//! screens so the text starts on the first screen, open where it sits beside the text.
use fk_api::policy::PolicyDocument;
use leptos::prelude::*;

use super::search::section_heading;
use crate::dom::media_matches;
use crate::i18n::use_i18n;

#[component]
pub fn PolicyToc(doc: std::sync::Arc<PolicyDocument>) -> impl IntoView {
    let i18n = use_i18n();
    let items = doc
        .sections
        .iter()
        .map(|s| view! { <li><a href=format!("#{}", s.anchor())>{section_heading(s.number, &s.title)}</a></li> })
        .collect_view();
    // Open where it sits beside the text. The server does not know the width and renders it
    // folded, as phones (most of our visitors) see it anyway.
    let wide = media_matches("(min-width: 60rem)");
    view! {
        <nav class="toc no-print" aria-labelledby="toc-title">
            <details open=wide>
                <summary id="toc-title">{i18n.text(|t| t.policy_toc_title)}</summary>
                <ol>{items}</ol>
            </details>
        </nav>
    }
}
