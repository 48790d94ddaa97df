//! The password asked again, inline, before a sensitive operation when the last sign-in is
//! older than ten minutes; the operation then goes on by itself. Where the browser can, a
//! passkey of the account does instead of the password.
//!
//! [`Pending`] is the pages' side of it: the request the server refused for want of a recent
//! password, held while the prompt is open, sent again once the password is confirmed, or
//! dropped (the focus back on the control that asked) when the prompt is closed.
use fk_api::account::passkeys::PasskeyConfirmRequest;
use fk_api::account::SessionView;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;

use super::auth::use_auth;
use super::errors::error_message;
use super::fields::{PasswordField, SubmitButton};
use crate::dom::{after_render, focus_id};
use crate::i18n::use_i18n;
use crate::webauthn::{self, Failure, Mediation};

type Label = fn(&'static AccountMessages) -> &'static str;

/// The id of "Use a passkey instead".
const PASSKEY_BUTTON: &str = "reauth-passkey";

/// A request that met `reauth_required`, waiting for the password prompt. `R` says which
/// request; `send` sends one (again), `back` names the control that asked for it.
pub struct Pending<R: Send + Sync + 'static> {
    waiting: RwSignal<Option<R>>,
    send: Callback<R>,
    back: fn(&R) -> String,
}

impl<R: Send + Sync + 'static> Clone for Pending<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Send + Sync + 'static> Copy for Pending<R> {}

impl<R: Clone + Send + Sync + 'static> Pending<R> {
    pub fn new(send: impl Fn(R) + Send + Sync + 'static, back: fn(&R) -> String) -> Self {
        Pending {
            waiting: RwSignal::new(None),
            send: Callback::new(send),
            back,
        }
    }

    /// `request` needs the password: the prompt opens (a request already waiting here gives
    /// way to it).
    pub fn ask(&self, request: R) {
        self.waiting.set(Some(request));
    }

    /// Whether a request waits (tracked: the prompt shows while one does).
    pub fn asking(&self) -> bool {
        self.waiting.with(Option::is_some)
    }

    /// The password is confirmed: the waiting request goes again. (Taken out first: if it asks
    /// again at once, that new request stays.)
    pub fn done(&self) {
        let request = self.waiting.get_untracked();
        self.waiting.set(None);
        if let Some(request) = request {
            self.send.run(request);
        }
    }

    /// The prompt is closed: the request is dropped. Where the focus goes back to.
    pub fn close(&self) -> Option<String> {
        let back = self.waiting.with_untracked(|w| w.as_ref().map(self.back));
        self.waiting.set(None);
        back
    }
}

/// What the one password prompt of a page waits for: a [`Pending`], or two of them (the
/// security page's two cards), each keeping its own request.
pub trait Waiting: Copy + Send + Sync + 'static {
    fn asking(&self) -> bool;
    fn done(&self);
    fn close(&self) -> Option<String>;
}

impl<R: Clone + Send + Sync + 'static> Waiting for Pending<R> {
    fn asking(&self) -> bool {
        Pending::asking(self)
    }
    fn done(&self) {
        Pending::done(self)
    }
    fn close(&self) -> Option<String> {
        Pending::close(self)
    }
}

impl<A: Waiting, B: Waiting> Waiting for (A, B) {
    fn asking(&self) -> bool {
        self.0.asking() || self.1.asking()
    }
    fn done(&self) {
        self.0.done();
        self.1.done();
    }
    /// Both are dropped; the focus goes back to the first one's control.
    fn close(&self) -> Option<String> {
        let first = self.0.close();
        let second = self.1.close();
        first.or(second)
    }
}

/// The password prompt while `waiting` asks; the request goes again once it is confirmed.
#[component]
pub fn ReauthFor<W: Waiting>(
    waiting: W,
    /// The origin passkeys work at, when the page knows it (`SecurityView::passkey_origin`).
    #[prop(optional, into)]
    passkey_origin: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || waiting.asking()>
            <ReauthPrompt passkey_origin=passkey_origin.unwrap_or_default()
                on_done=move || waiting.done()
                on_cancel=move || {
                    if let Some(id) = waiting.close() {
                        focus_id(&id);
                    }
                }/>
        </Show>
    }
}

/// Why confirming with a passkey came to nothing.
#[derive(Clone, Debug)]
enum Trouble {
    Api(ApiError),
    Browser(Failure),
}

async fn confirm_with_passkey() -> Result<SessionView, Trouble> {
    let challenge = crate::api::reauth_passkey_options()
        .await
        .map_err(Trouble::Api)?;
    let credential = webauthn::get(&challenge.options, Mediation::Modal, None)
        .await
        .map_err(Trouble::Browser)?;
    let request = PasskeyConfirmRequest {
        challenge_id: challenge.challenge_id,
        credential,
    };
    crate::api::reauth_passkey(&request)
        .await
        .map_err(Trouble::Api)
}

/// Whether this browser, on this page, can confirm with a passkey: it has WebAuthn, and the
/// page is at the origin passkeys are registered for (when that is known).
fn passkeys_here(origin: &str) -> bool {
    !cfg!(feature = "ssr") && webauthn::supported() && webauthn::opened_at(origin)
}

#[component]
pub fn ReauthPrompt(
    #[prop(into)] on_done: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// The origin passkeys work at; empty when the page does not know it.
    #[prop(optional, into)]
    passkey_origin: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    // What confirming with a passkey said: the server's refusal or the browser's trouble
    // (with the password's errors, above the buttons), and calmly, a closed dialog or an
    // account without passkeys (beside its button).
    let passkey_error = RwSignal::new(None::<ApiError>);
    let trouble = RwSignal::new(None::<Label>);
    let note = RwSignal::new(None::<Label>);
    let field_error = Signal::derive(move || error.get().filter(|e| e.field.is_some()));
    let confirm = Action::new_local(move |password: &String| {
        let password = password.clone();
        async move { crate::api::reauth(password).await }
    });
    let with_passkey = Action::new_local(|()| confirm_with_passkey());
    let busy = Signal::derive(move || confirm.pending().get() || with_passkey.pending().get());
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(session)) => {
            auth.signed_in(session);
            on_done.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    Effect::new(move |_| {
        let Some(result) = with_passkey.value().get() else {
            return;
        };
        match result {
            Ok(session) => {
                auth.signed_in(session);
                on_done.run(());
                return;
            }
            Err(Trouble::Api(e)) if e.code == ErrorCode::NotFound => {
                note.set(Some(|a| a.pk_reauth_none))
            }
            Err(Trouble::Api(e)) => passkey_error.set(Some(e)),
            Err(Trouble::Browser(failure)) => match failure {
                Failure::Aborted => {}
                Failure::Cancelled => note.set(Some(|a| a.pk_reauth_cancelled)),
                Failure::WrongSite => trouble.set(Some(|a| a.pk_wrong_site)),
                Failure::NotSupported => trouble.set(Some(|a| a.pk_unsupported)),
                Failure::AlreadyRegistered => trouble.set(Some(|a| a.pk_reauth_failed)),
                Failure::Other(what) => {
                    leptos::logging::warn!("confirming with a passkey failed: {what}");
                    trouble.set(Some(|a| a.pk_reauth_failed));
                }
            },
        }
        after_render(|| focus_id(PASSKEY_BUTTON));
    });
    let clear = move || {
        error.set(None);
        passkey_error.set(None);
        trouble.set(None);
        note.set(None);
    };
    let use_passkey = move |_| {
        if busy.get_untracked() {
            return;
        }
        clear();
        with_passkey.dispatch(());
    };
    let alert = move || {
        let lang = i18n.lang.get();
        let text = match (
            error.get().filter(|e| e.field.is_none()),
            passkey_error.get(),
            trouble.get(),
        ) {
            (Some(e), _, _) | (None, Some(e), _) => error_message(lang, &e),
            (None, None, Some(said)) => said(lang.account()).to_string(),
            (None, None, None) => return None,
        };
        Some(view! { <p class="notice notice--error">{text}</p> })
    };
    // Decided once the prompt is drawn: the browser and the page's address do not change.
    let passkeys = passkeys_here(&passkey_origin.get_untracked());
    // The prompt appears where the user acted: put the cursor in it.
    Effect::new(move |_| focus_id("reauth-password"));
    let a = move |key: Label| i18n.account(key);
    view! {
        <form class="reauth card" method="post" novalidate aria-labelledby="reauth-title"
            on:submit=move |ev| {
                ev.prevent_default();
                if busy.get_untracked() {
                    return;
                }
                clear();
                confirm.dispatch(password.get_untracked());
            }
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2 id="reauth-title">{a(|a| a.reauth_title)}</h2>
            <p>{a(|a| a.reauth_text)}</p>
            <PasswordField id="reauth-password" label=a(|a| a.password_label) value=password error=field_error/>
            <div role="alert" class="form-alert">{alert}</div>
            <div class="button-row">
                <SubmitButton label=a(|a| a.reauth_submit) pending=confirm.pending().into()/>
                <button type="button" class="button button--quiet" on:click=move |_| on_cancel.run(())>{a(|a| a.cancel)}</button>
            </div>
            {passkeys.then(|| view! {
                <div class="reauth-passkey">
                    <p class="or-divider"><span>{a(|a| a.pk_or)}</span></p>
                    <button type="button" id=PASSKEY_BUTTON class="button button--quiet" aria-describedby="reauth-passkey-status"
                        disabled=move || with_passkey.pending().get() on:click=use_passkey>
                        {move || {
                            let a = i18n.lang.get().account();
                            if with_passkey.pending().get() { a.working } else { a.pk_reauth }
                        }}
                    </button>
                    <p id="reauth-passkey-status" class="passkey-note" role="status" aria-live="polite">
                        {move || note.get().map(|said| said(i18n.lang.get().account()))}
                    </p>
                </div>
            })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `Pending` of numbers that records what it sends; the focus goes back to `button-N`.
    fn recorder() -> (Pending<u32>, Arc<Mutex<Vec<u32>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        let pending = Pending::new(
            move |n| log.lock().unwrap().push(n),
            |n: &u32| format!("button-{n}"),
        );
        (pending, sent)
    }

    #[test]
    fn a_confirmed_password_sends_the_waiting_request_once() {
        Owner::new().with(|| {
            let (pending, sent) = recorder();
            assert!(!pending.asking());
            pending.done();
            assert!(sent.lock().unwrap().is_empty(), "nothing waited");
            pending.ask(1);
            // A newer request in the same place gives the older way.
            pending.ask(2);
            assert!(pending.asking());
            pending.done();
            assert_eq!(*sent.lock().unwrap(), [2]);
            assert!(!pending.asking());
            pending.done();
            assert_eq!(*sent.lock().unwrap(), [2], "sent once");
        });
    }

    #[test]
    fn a_closed_prompt_drops_the_request_and_names_the_button() {
        Owner::new().with(|| {
            let (pending, sent) = recorder();
            assert_eq!(pending.close(), None);
            pending.ask(7);
            assert_eq!(pending.close().as_deref(), Some("button-7"));
            assert!(!pending.asking());
            pending.done();
            assert!(sent.lock().unwrap().is_empty());
        });
    }

    #[test]
    fn one_prompt_serves_two_requesters() {
        Owner::new().with(|| {
            let (first, first_sent) = recorder();
            let (second, second_sent) = recorder();
            let both = (first, second);
            assert!(!Waiting::asking(&both));
            second.ask(2);
            assert!(Waiting::asking(&both));
            first.ask(1);
            Waiting::done(&both);
            assert_eq!(*first_sent.lock().unwrap(), [1]);
            assert_eq!(*second_sent.lock().unwrap(), [2]);
            assert!(!Waiting::asking(&both));
            // Closed: both dropped, the focus back on the first one's button.
            first.ask(3);
            second.ask(4);
            assert_eq!(Waiting::close(&both).as_deref(), Some("button-3"));
            assert!(!first.asking() && !second.asking());
            second.ask(5);
            assert_eq!(Waiting::close(&both).as_deref(), Some("button-5"));
        });
    }
}
