//! The policy's sticky bar (contents and search): its element, and its height measured into
//! a CSS variable, which the page's `scroll-padding-top` follows (style/main.css, "Policy
//! reader") so that nothing scrolled to lands under the bar. The reader measures it as the
//! window changes, the search as it opens and closes.
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The CSS variable with the sticky search bar's height: the page's `scroll-padding-top`
/// (style/main.css, "Policy reader"), so that nothing scrolled to lands under the bar.
pub const BAR_VAR: &str = "--policy-bar";

pub fn search_bar() -> Option<web_sys::HtmlElement> {
    document()
        .query_selector(".policy-search")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Writes the sticky bar's height into [`BAR_VAR`] (it changes with the width, the language
/// and the search being open).
pub fn measure_bar() {
    let (Some(bar), Some(html)) = (
        search_bar(),
        document()
            .document_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    ) else {
        return;
    };
    let _ = html
        .style()
        .set_property(BAR_VAR, &format!("{}px", bar.offset_height()));
}
