//! The consent UI: the banner, the cookies-disabled notice and the frame placeholder (markup
//! the server also renders to HTML, so the loader paints them before any WebAssembly; see
//! [`super::first_view`]), and the root the banner module mounts when the visitor opens the
//! preferences dialog. The current choice is kept in a signal (`fk:consent`).
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
    if cfg!(feature = "ssr") {
        return;
    }
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Ok(e) = e.dyn_into::<web_sys::CustomEvent>() {
            handler(e);
        }
    });
    let _ = document().add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    let closure = SendWrapper::new(closure);
    on_cleanup(move || {
        let _ =
            document().remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    });
}

/// The current choice, kept up to date by the loader's `fk:consent` events.
pub fn use_consent_state() -> RwSignal<Option<ConsentState>> {
    let state = RwSignal::new(bridge::get());
    on_document_event("fk:consent", move |e| {
        state.set(bridge::parse_state(&e.detail()))
    });
    state
}

/// What the preferences dialog needs from the UI around it.
#[derive(Clone, Copy)]
pub struct DialogContext {
    pub mode: RwSignal<Option<Mode>>,
    pub state: RwSignal<Option<ConsentState>>,
    /// Opened from the banner: closing without a choice goes back to it.
    pub from_banner: bool,
}

/// Draws the preferences dialog: the banner module passes [`super::dialog::draw`]. A
/// function pointer rather than a direct call keeps the dialog out of anything else that
/// shows this UI.
pub type DialogView = fn(DialogContext) -> AnyView;

/// The banner module's root. `from_banner`: the dialog was opened from the banner the loader
/// painted before the module arrived, so closing it without a choice shows the banner again.
#[component]
pub fn ConsentUi(
    initial: Mode,
    dialog: DialogView,
    #[prop(optional)] from_banner: bool,
) -> impl IntoView {
    let mode = RwSignal::new(Some(initial));
    let from_banner = RwSignal::new(from_banner);
    SHOWN.with(|s| *s.borrow_mut() = Some(mode));
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
    // The banner shown again (after the dialog closed) takes focus back if what had it is gone.
    let banner_shown = StoredValue::new(false);
    let customise = move || {
        from_banner.set(true);
        mode.set(Some(Mode::Preferences));
    };
    let choose = move |categories: Vec<Category>| {
        bridge::set(&categories);
        mode.set(None);
    };
    move || match mode.get() {
        Some(Mode::Banner) => {
            let refocus = banner_shown.get_value();
            banner_shown.set_value(true);
            let policy = format!("{}{POLICY_LINK}", bridge::api_base());
            view! { <Banner gpc=bridge::gpc() policy choose customise refocus/> }.into_any()
        }
        Some(Mode::Preferences) => {
            let ctx = DialogContext {
                mode,
                state,
                from_banner: from_banner.get_untracked(),
            };
            if ctx.from_banner {
                // The banner it came from (painted by the loader, or drawn here) was shown.
                banner_shown.set_value(true);
            }
            from_banner.set(false);
            dialog(ctx)
        }
        Some(Mode::NoCookies) => {
            view! { <NoCookiesNotice dismiss=move || dismiss_notice(mode)/> }.into_any()
        }
        None => ().into_any(),
    }
}

/// Where the banner's policy link points, after the API origin: the cookie section.
pub const POLICY_LINK: &str = "/policy#section-6";

/// A bar fixed to the bottom of the window. The loader keeps the page usable underneath it
/// (padding of its height under the page, the same scroll padding for focused elements, WCAG
/// 2.4.11) for the bar it painted and for this module's alike, so the rule lives once.
#[component]
fn BottomBar(labelled_by: &'static str, children: Children) -> impl IntoView {
    view! { <section class="fk-consent fk-banner" role="region" aria-labelledby=labelled_by>{children()}</section> }
}

/// The banner. Its first view is this markup rendered by the server, with no handlers: the
/// loader finds the buttons by `data-action`, shows the GPC note (`data-fk="gpc"`) and the
/// dialog's loading state (`data-fk="loading"` / `"failed"`, with `data-action="retry"`).
#[component]
pub fn Banner(
    gpc: bool,
    policy: String,
    choose: impl Fn(Vec<Category>) + Copy + Send + Sync + 'static,
    customise: impl Fn() + Copy + Send + Sync + 'static,
    refocus: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let customise_button = NodeRef::<leptos::html::Button>::new();
    // Back from the dialog, focus goes to "customise" unless it has found a place already (the
    // dialog returns it to what opened it, when that is still there).
    Effect::new(move |_| {
        if let Some(button) = customise_button
            .get()
            .filter(|_| refocus && focus_is_lost())
        {
            let _ = button.focus();
        }
    });
    view! {
        <BottomBar labelled_by="fk-banner-title">
            <div class="fk-banner__text">
                <h2 id="fk-banner-title">{i18n.text(|t| t.consent_banner_title)}</h2>
                <p>{i18n.text(|t| t.consent_banner_text)}</p>
                <p class="fk-note" data-fk="gpc" hidden=!gpc>{i18n.text(|t| t.consent_gpc_note)}</p>
            </div>
            // "Accept all" and "reject all" alike, side by side: refusing is as easy as agreeing.
            // The details are a quieter button, the policy a link beside it: on a phone they share
            // one row, so the bar leaves most of the screen to the page.
            <div class="fk-actions">
                {accept_or_reject(choose, gpc)}
                <div class="fk-banner__more">
                    <button type="button" class="fk-btn fk-btn--quiet" data-action="customise" node_ref=customise_button on:click=move |_| customise()>
                        {i18n.text(|t| t.consent_customise)}
                    </button>
                    <a href=policy>{i18n.text(|t| t.consent_policy_link)}</a>
                </div>
            </div>
            // Under the buttons, so the one just pressed stays where it was.
            <p class="fk-status" role="status">
                <span data-fk="loading" hidden>{i18n.text(|t| t.consent_loading)}</span>
                <span data-fk="failed" hidden>
                    {i18n.text(|t| t.consent_load_failed)} " "
                    <button type="button" class="fk-link" data-action="retry">{i18n.text(|t| t.consent_retry)}</button>
                </span>
            </p>
        </BottomBar>
    }
}

fn focus_is_lost() -> bool {
    crate::dom::active_element()
        .is_none_or(|e| e.tag_name().eq_ignore_ascii_case("body") || e.id() == "fk-consent")
}

/// "Accept all" and "reject all", the same in the banner and the dialog.
pub fn accept_or_reject(
    choose: impl Fn(Vec<Category>) + Copy + 'static,
    gpc: bool,
) -> impl IntoView {
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

/// The notice is said once per page view (the loader reads the same key on its first view).
const NOTICE_DISMISSED: &str = "fk_consent_nocookies";

fn dismiss_notice(mode: RwSignal<Option<Mode>>) {
    if let Ok(Some(s)) = window().session_storage() {
        let _ = s.set_item(NOTICE_DISMISSED, "1");
    }
    mode.set(None);
}

/// Clause 6.4: with cookies refused, say once that some functions may not work.
#[component]
pub fn NoCookiesNotice(dismiss: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <BottomBar labelled_by="fk-nocookies-title">
            <div class="fk-banner__text">
                <h2 id="fk-nocookies-title">{i18n.text(|t| t.consent_nocookies_title)}</h2>
                <p>{i18n.text(|t| t.consent_nocookies_text)}</p>
            </div>
            <div class="fk-actions">
                <button type="button" class="fk-btn" data-action="dismiss" on:click=move |_| dismiss()>{i18n.text(|t| t.consent_ok)}</button>
            </div>
        </BottomBar>
    }
}

/// What a page shows instead of a third-party frame (a video player, a map) until its
/// category is allowed. Only the loader uses it, as HTML the server renders: it fills the
/// `data-fk` slots (provider, category, policy link) as text for each frame.
#[component]
pub fn FramePlaceholder() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="fk-consent fk-frame" role="group">
            <p class="fk-frame__text">{move || slots(i18n.t().consent_frame_blocked)}</p>
            <div class="fk-actions">
                <button type="button" class="fk-btn" data-action="once">{i18n.text(|t| t.consent_frame_once)}</button>
                <button type="button" class="fk-btn" data-action="allow">{move || slots(i18n.t().consent_allow)}</button>
            </div>
            <p data-fk="policy-line"><a data-fk="policy" target="_blank" rel="noopener noreferrer">{move || slots(i18n.t().consent_frame_policy)}</a></p>
        </div>
    }
}

/// A text with `{provider}` and `{category}` in it, as text and empty `<span data-fk>` slots.
fn slots(text: &'static str) -> Vec<AnyView> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        if start > 0 {
            out.push(rest[..start].into_any());
        }
        out.push(match name {
            "provider" => view! { <span data-fk="provider"></span> }.into_any(),
            "category" => view! { <span data-fk="category"></span> }.into_any(),
            _ => rest[start..start + len + 1].into_any(),
        });
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(rest.into_any());
    }
    out
}
