//! Small browser helpers the components share.
use leptos::prelude::*;

/// Runs `task` on the page. Not on the server: it renders a page's first view and runs
/// nothing after, so what a component fetches or waits for is left to the app.
pub fn spawn(task: impl std::future::Future<Output = ()> + 'static) {
    if cfg!(not(feature = "ssr")) {
        leptos::task::spawn_local(task);
    }
}

/// The document title: "page — ForteKassa".
pub fn set_title(page: &str, app: &str) {
    document().set_title(&format!("{page} — {app}"));
}

/// Runs `f` after the browser has laid out what was just rendered.
pub fn after_render(f: impl FnOnce() + 'static) {
    if cfg!(not(feature = "ssr")) {
        request_animation_frame(f);
    }
}

/// Whether the user asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}

/// Whether a CSS media query matches; never on the server, which renders for no screen.
pub fn media_matches(query: &str) -> bool {
    if cfg!(feature = "ssr") {
        return false;
    }
    window()
        .match_media(query)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Scrolls `el` into view (centred, smooth unless reduced motion is asked for).
pub fn scroll_into_view(el: &web_sys::Element, center: bool) {
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(if center {
        web_sys::ScrollLogicalPosition::Center
    } else {
        web_sys::ScrollLogicalPosition::Start
    });
    options.set_behavior(if prefers_reduced_motion() {
        web_sys::ScrollBehavior::Instant
    } else {
        web_sys::ScrollBehavior::Smooth
    });
    el.scroll_into_view_with_scroll_into_view_options(&options);
}

/// Moves keyboard focus to the element with this id (the first field with an error, the
/// outcome of an action).
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The element that has focus, looking inside shadow roots (the cookie banner lives in one).
pub fn active_element() -> Option<web_sys::Element> {
    let mut el = document().active_element()?;
    while let Some(inner) = el.shadow_root().and_then(|r| r.active_element()) {
        el = inner;
    }
    Some(el)
}
