//! Small browser helpers the components share.
use fk_api::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// "24 ноября 2026 г." / "24 November 2026" from an RFC 3339 time, in the interface language.
pub fn format_date(rfc3339: &str, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.get(..10).unwrap_or(rfc3339).to_string();
    }
    date.to_locale_date_string(lang.locale(), &intl_options(false))
        .into()
}

/// `Intl` options: a long date, with hours and minutes when `time`.
fn intl_options(time: bool) -> js_sys::Object {
    let options = js_sys::Object::new();
    let date = [("year", "numeric"), ("month", "long"), ("day", "numeric")];
    let clock = [("hour", "2-digit"), ("minute", "2-digit")];
    for (key, value) in date.iter().chain(clock.iter().filter(|_| time)) {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// The document title: "page — ForteKassa".
pub fn set_title(page: &str, app: &str) {
    document().set_title(&format!("{page} — {app}"));
}

/// Runs `f` after the browser has laid out what was just rendered.
pub fn after_render(f: impl FnOnce() + 'static) {
    request_animation_frame(f);
}

/// Whether the user asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
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

/// "24 ноября 2026 г., 14:05" from unix seconds, in the interface language.
pub fn format_date_time(unix: i64, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    date.to_locale_string(lang.locale(), &intl_options(true))
        .into()
}

/// Mounts the app into `<div id="app">` of its page. Not into `<body>` itself: whatever the
/// page appends at its end (the cookie banner's root, painted before the app) stays after the
/// app's content, in reading and focus order.
pub fn mount_app<N: IntoView + 'static>(app: fn() -> N) {
    use wasm_bindgen::JsCast;
    let root = document()
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match root {
        Some(root) => leptos::mount::mount_to(root, app).forget(),
        None => leptos::mount::mount_to_body(app),
    }
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
