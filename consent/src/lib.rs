//! The cookie banner's module for any web page: `consent.js` paints the banner's first view
//! itself and imports this module only when the visitor opens the preferences dialog; it
//! mounts it in the same Shadow DOM root, in place of what it painted.
use std::cell::Cell;

use fk_api::Lang;
use fk_app::consent::dialog;
use fk_app::consent::ui::{request, ConsentUi, Mode};
use fk_app::i18n::I18n;
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static I18N: Cell<Option<I18n>> = const { Cell::new(None) };
}

/// Draws the dialog (or the banner, or the cookies-disabled notice) into `container`.
/// `from_banner`: the banner's "customise" opened it, so closing it without a choice shows the
/// banner again.
#[wasm_bindgen]
pub fn mount(container: web_sys::HtmlElement, mode: &str, lang: &str, from_banner: bool) {
    let initial = Mode::parse(mode).unwrap_or(Mode::Banner);
    let lang = Lang::from_tag(lang).unwrap_or_default();
    leptos::mount::mount_to(container, move || {
        I18N.set(Some(I18n::provide_with(lang)));
        view! { <ConsentUi initial dialog=dialog::draw from_banner/> }
    })
    .forget();
}

/// Follows the page's language (`<html lang>` changed).
#[wasm_bindgen]
pub fn set_lang(lang: &str) {
    if let (Some(i18n), Some(lang)) = (I18N.get(), Lang::from_tag(lang)) {
        i18n.lang.set(lang);
    }
}

/// Shows the UI again in `mode` ("banner", "preferences" or "nocookies"), in the page's
/// language now (it may have changed since the banner was mounted).
#[wasm_bindgen]
pub fn show(mode: &str, lang: &str) {
    set_lang(lang);
    if let Some(mode) = Mode::parse(mode) {
        request(mode);
    }
}
