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

/// Hands `text` to the browser as a file download: a Blob behind a temporary object URL,
/// clicked through a temporary `<a download>`, then let go.
pub fn save_file(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document().body().ok_or("no body")?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    // Some browsers read the URL after `click` returns: let go of it a little later.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// Puts `text` on the clipboard; whether it got there. The clipboard exists only on https and
/// localhost, and the browser may refuse: the page then says to copy by hand.
pub async fn copy_text(text: &str) -> bool {
    let has_clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into())
        .is_ok_and(|c| !c.is_undefined());
    if !has_clipboard {
        return false;
    }
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
