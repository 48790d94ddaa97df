//! The table of contents: the nine sections, each a link to its anchor, the one being read
//! marked `aria-current` ([`super::reader`]'s scroll-spy). Folded on narrow screens so the text
//! starts on the first screen, open where it sits beside the text.
use fk_api::policy::PolicyDocument;
use leptos::prelude::*;

use crate::dom::media_matches;
use crate::i18n::use_i18n;

/// The id of the contents, which the search bar's "Contents" link leads back to.
pub const CONTENTS_ID: &str = "contents";

#[component]
pub fn PolicyToc(
    doc: std::sync::Arc<PolicyDocument>,
    /// The anchor of the section being read.
    active: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = doc
        .sections
        .iter()
        .map(|s| {
            let anchor = s.anchor();
            let here = {
                let anchor = anchor.clone();
                move || {
                    active
                        .with(|a| a.as_deref() == Some(anchor.as_str()))
                        .then_some("location")
                }
            };
            view! { <li><a href=format!("#{anchor}") aria-current=here>{s.heading()}</a></li> }
        })
        .collect_view();
    // Open where it sits beside the text. The server does not know the width and renders it
    // folded, as phones (most of our visitors) see it anyway.
    let wide = media_matches("(min-width: 60rem)");
    view! {
        <nav class="toc no-print" id=CONTENTS_ID aria-labelledby="toc-title">
            <details id="contents-list" open=wide>
                <summary id="toc-title">{i18n.text(|t| t.policy_toc_title)}</summary>
                <ol>{items}</ol>
            </details>
        </nav>
    }
}

/// Unfolds the contents and puts keyboard focus on their title (the "Contents" link of the
/// search bar, and `#contents`).
pub fn open_contents() {
    use wasm_bindgen::JsCast;
    let Some(nav) = document().get_element_by_id(CONTENTS_ID) else {
        return;
    };
    if let Ok(Some(details)) = nav.query_selector("details") {
        let _ = details.set_attribute("open", "");
    }
    if let Some(summary) = document()
        .get_element_by_id("toc-title")
        .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = summary.focus();
    }
}
