//! A page's first view rendered on the server, by the app's own components and strings: the
//! server sends it inside `<div id="app">`, a visitor reads it before any WebAssembly has
//! arrived, and the app, once loaded, draws the same thing in its place (`dom::mount_app`).
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use leptos_router::location::RequestUrl;

use crate::account::{AccountApp, SignedOutApp};
use crate::app::App;
use crate::boot::Boot;
pub use crate::bundle::Bundle;

/// The HTML of `bundle`'s app at `url` (a path with its query), drawn from `boot`; `None` when
/// a component could not be drawn here (it reached for the browser): the page then comes
/// without its first view, and the app draws it, rather than the request failing.
pub fn render(bundle: Bundle, url: &str, boot: Boot) -> Option<String> {
    let url = url.to_string();
    std::panic::catch_unwind(move || draw(bundle, &url, boot)).ok()
}

fn draw(bundle: Bundle, url: &str, boot: Boot) -> String {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(RequestUrl::new(url));
        provide_context(boot);
        match bundle {
            Bundle::PolicyViewer => view! { <App/> }.to_html(),
            Bundle::SignedOut => view! { <SignedOutApp/> }.to_html(),
            Bundle::PersonalSection => view! { <AccountApp/> }.to_html(),
        }
    })
}
