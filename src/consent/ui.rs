//! The consent UI root: shows the banner, the preferences dialog or the cookies-disabled
//! notice when the loader asks (`fk:consent-show`, or `fkConsent.pending`), and keeps the
//! current choice in a signal (`fk:consent`).
use std::cell::RefCell;

use fk_api::consent::{accept_all, Category};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::bridge::{self, ConsentState};
use crate::i18n::use_i18n;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Banner,
    Preferences,
    NoCookies,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "banner" => Some(Mode::Banner),
            "preferences" => Some(Mode::Preferences),
            "nocookies" => Some(Mode::NoCookies),
            _ => None,
        }
    }
}

thread_local! {
    static SHOWN: RefCell<Option<RwSignal<Option<Mode>>>> = const { RefCell::new(None) };
}

/// Opens the UI in `mode` (the embed's `show()`).
pub fn request(mode: Mode) {
    SHOWN.with(|s| {
        if let Some(signal) = *s.borrow() {
            signal.set(Some(mode));
        }
    });
}

/// Listens to a `CustomEvent` on `document` for as long as the calling component lives.
pub fn on_document_event(name: &'static str, handler: impl Fn(web_sys::CustomEvent) + 'static) {
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Ok(e) = e.dyn_into::<web_sys::CustomEvent>() {
            handler(e);
        }
    });
    let _ = document().add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    let closure = SendWrapper::new(closure);
    on_cleanup(move || {
        let _ = document().remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    });
}

/// The current choice, kept up to date by the loader's `fk:consent` events.
pub fn use_consent_state() -> RwSignal<Option<ConsentState>> {
    let state = RwSignal::new(bridge::get());
    on_document_event("fk:consent", move |e| state.set(bridge::parse_state(&e.detail())));
    state
}

/// What the preferences dialog needs from the UI around it.
#[derive(Clone, Copy)]
pub struct DialogContext {
    pub mode: RwSignal<Option<Mode>>,
    pub state: RwSignal<Option<ConsentState>>,
    /// Opened from this UI's own banner: closing without a choice goes back to it.
    pub from_banner: bool,
}

/// Draws the preferences dialog. Only the embeddable banner passes one: the Privacy Center
/// leaves the dialog to that module (loaded when asked for), which keeps the app's first
/// download within budget.
pub type DialogView = fn(DialogContext) -> AnyView;

#[component]
pub fn ConsentUi(#[prop(optional)] initial: Option<Mode>, #[prop(optional)] dialog: Option<DialogView>) -> impl IntoView {
    let mode = RwSignal::new(initial.or_else(|| bridge::take_pending().and_then(|m| Mode::parse(&m))));
    let from_banner = RwSignal::new(false);
    SHOWN.with(|s| *s.borrow_mut() = Some(mode));
    on_document_event("fk:consent-show", move |e| {
        bridge::take_pending();
        if let Some(m) = e.detail().as_string().and_then(|m| Mode::parse(&m)) {
            mode.set(Some(m));
        }
    });
    let state = use_consent_state();
    // A choice made while the banner shows (here, in the dialog, by a script) answers it. Only
    // a change counts: `show()` for a visitor who already chose must still show the banner.
    Effect::new(move |had_choice: Option<bool>| {
        let has_choice = state.with(Option::is_some);
        if had_choice == Some(false) && has_choice && mode.get_untracked() == Some(Mode::Banner) {
            mode.set(None);
        }
        has_choice
    });
    // The banner shown again (after the dialog closed) takes focus back: what had it is gone.
    let banner_shown = StoredValue::new(false);
    let customise = move || match dialog {
        Some(_) => {
            from_banner.set(true);
            mode.set(Some(Mode::Preferences));
        }
        None => {
            bridge::show_preferences();
        }
    };
    move || match mode.get() {
        Some(Mode::Banner) => {
            let refocus = banner_shown.get_value();
            banner_shown.set_value(true);
            view! { <Banner mode customise refocus/> }.into_any()
        }
        Some(Mode::Preferences) => match dialog {
            Some(draw) => {
                let ctx = DialogContext { mode, state, from_banner: from_banner.get_untracked() };
                from_banner.set(false);
                draw(ctx)
            }
            None => ().into_any(),
        },
        Some(Mode::NoCookies) => view! { <NoCookiesNotice mode/> }.into_any(),
        None => ().into_any(),
    }
}

/// A bar fixed to the bottom of the window that keeps the page usable underneath it: an empty
/// spacer of the bar's height after everything else lets the end of the page scroll clear of
/// it, and the same height as the page's bottom scroll padding keeps a focused element from
/// being hidden under it (WCAG 2.4.11). Both only add at the end: nothing in view moves.
#[component]
fn BottomBar(labelled_by: &'static str, children: Children) -> impl IntoView {
    let bar = NodeRef::<leptos::html::Section>::new();
    let spacer = NodeRef::<leptos::html::Div>::new();
    let reserve = move |height: i32| {
        let value = if height > 0 { format!("{height}px") } else { String::new() };
        if let Some(html) = document().document_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = html.style().set_property("scroll-padding-bottom", &value);
        }
        if let Some(spacer) = spacer.get_untracked() {
            let _ = web_sys::HtmlElement::style(&spacer).set_property("height", &value);
        }
    };
    Effect::new(move |_| {
        if let Some(el) = bar.get() {
            reserve(el.offset_height());
        }
    });
    on_cleanup(move || {
        if let Some(html) = document().document_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = html.style().remove_property("scroll-padding-bottom");
        }
    });
    view! {
        <section class="fk-consent fk-banner" role="region" aria-labelledby=labelled_by node_ref=bar>{children()}</section>
        <div class="fk-spacer" aria-hidden="true" node_ref=spacer></div>
    }
}

#[component]
fn Banner(mode: RwSignal<Option<Mode>>, customise: impl Fn() + Copy + Send + Sync + 'static, refocus: bool) -> impl IntoView {
    let i18n = use_i18n();
    let gpc = bridge::gpc();
    let policy = format!("{}/policy#section-6", bridge::api_base());
    let customise_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = customise_button.get().filter(|_| refocus) {
            let _ = button.focus();
        }
    });
    let choose = move |categories: Vec<Category>| {
        bridge::set(&categories);
        mode.set(None);
    };
    view! {
        <BottomBar labelled_by="fk-banner-title">
            <div class="fk-banner__text">
                <h2 id="fk-banner-title">{i18n.text(|t| t.consent_banner_title)}</h2>
                <p>
                    {i18n.text(|t| t.consent_banner_text)} " "
                    <a href=policy>{i18n.text(|t| t.consent_policy_link)}</a>
                </p>
                {gpc.then(|| view! { <p class="fk-note">{i18n.text(|t| t.consent_gpc_note)}</p> })}
            </div>
            // Three actions of equal weight: the same element, the same style, in one row.
            <div class="fk-actions">
                {accept_or_reject(choose, gpc)}
                <button type="button" class="fk-btn" data-action="customise" node_ref=customise_button on:click=move |_| customise()>
                    {i18n.text(|t| t.consent_customise)}
                </button>
            </div>
        </BottomBar>
    }
}

/// "Accept all" and "reject all", the same in the banner and the dialog.
pub fn accept_or_reject(choose: impl Fn(Vec<Category>) + Copy + 'static, gpc: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="fk-btn" data-action="accept" on:click=move |_| choose(accept_all(gpc))>
            {i18n.text(|t| t.consent_accept_all)}
        </button>
        <button type="button" class="fk-btn" data-action="reject" on:click=move |_| choose(vec![Category::Necessary])>
            {i18n.text(|t| t.consent_reject_all)}
        </button>
    }
}

/// Clause 6.4: with cookies refused, say once that some functions may not work.
#[component]
fn NoCookiesNotice(mode: RwSignal<Option<Mode>>) -> impl IntoView {
    let i18n = use_i18n();
    let dismiss = move |_| {
        if let Ok(Some(s)) = window().session_storage() {
            let _ = s.set_item("fk_consent_nocookies", "1");
        }
        mode.set(None);
    };
    view! {
        <BottomBar labelled_by="fk-nocookies-title">
            <div class="fk-banner__text">
                <h2 id="fk-nocookies-title">{i18n.text(|t| t.consent_nocookies_title)}</h2>
                <p>{i18n.text(|t| t.consent_nocookies_text)}</p>
            </div>
            <div class="fk-actions">
                <button type="button" class="fk-btn" on:click=dismiss>{i18n.text(|t| t.consent_ok)}</button>
            </div>
        </BottomBar>
    }
}
