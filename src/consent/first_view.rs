//! The consent UI's first view as HTML, rendered on the server from the same components and
//! strings the banner module uses. `/consent.js` carries it for each language, and the loader
//! paints it into its shadow root at once, with no WebAssembly: a visitor sees the banner and
//! can accept or reject in the time a small script takes to arrive. The module (and its
//! preferences dialog) is fetched only when the visitor asks for the details.
use fk_api::Lang;
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

use super::ui::{Banner, FramePlaceholder, NoCookiesNotice, POLICY_LINK};
use crate::i18n::I18n;

/// The three pieces, in one language.
#[derive(serde::Serialize)]
pub struct FirstView {
    /// The banner, its GPC note hidden and its policy link relative to the API origin (the
    /// loader shows the one and completes the other).
    pub banner: String,
    /// The cookies-disabled notice (clause 6.4).
    pub notice: String,
    /// The placeholder of a blocked frame, its slots empty.
    pub frame: String,
}

pub fn render(lang: Lang) -> FirstView {
    let owner = Owner::new();
    owner.with(|| {
        I18n::provide_with(lang);
        let banner = view! { <Banner gpc=false policy=POLICY_LINK.to_string() choose=|_| {} customise=|| {} refocus=false/> };
        FirstView {
            banner: banner.to_html(),
            notice: view! { <NoCookiesNotice dismiss=|| {}/> }.to_html(),
            frame: view! { <FramePlaceholder/> }.to_html(),
        }
    })
}
