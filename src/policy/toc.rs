//! The table of contents: the nine sections, each a link to its anchor.
use fk_api::policy::PolicyDocument;
use leptos::prelude::*;

use super::search::section_heading;
use crate::i18n::use_i18n;

#[component]
pub fn PolicyToc(doc: std::sync::Arc<PolicyDocument>) -> impl IntoView {
    let i18n = use_i18n();
    let items = doc
        .sections
        .iter()
        .map(|s| view! { <li><a href=format!("#{}", s.anchor())>{section_heading(s.number, &s.title)}</a></li> })
        .collect_view();
    view! {
        <nav class="toc no-print" aria-labelledby="toc-title">
            <h2 id="toc-title">{move || i18n.t().policy_toc_title}</h2>
            <ol>{items}</ol>
        </nav>
    }
}
