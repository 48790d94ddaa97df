//! The "Passkeys" card of `/account/security`: what a passkey is, the account's passkeys (each
//! renamed inline or removed after a confirmation), and adding one: a name, then the browser's
//! dialog (`crate::webauthn`), then the server keeps it. Adding and removing need a recent
//! password: the page asks for it (`ReauthPrompt`) and the request goes on by itself.
use fk_api::account::passkeys::{parse_name, AddPasskeyRequest, PasskeyView, NAME_MAX_CHARS};
use fk_api::account::two_step::SecurityView;
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode, Lang};
use leptos::prelude::*;

use super::errors::error_message;
use super::fields::FieldNotes;
use super::reauth::Pending;
use crate::dom::{after_render, focus_id};
use crate::i18n::use_i18n;
use crate::webauthn::{self, Failure};
use crate::widgets::Loading;

type Label = fn(&'static AccountMessages) -> &'static str;

/// The name a new passkey is offered: the kind of device the browser says it runs on, where
/// the passkey is then kept (none: the page offers "Passkey" in its language).
pub fn suggested_name(user_agent: &str) -> Option<&'static str> {
    let has = |s: &str| user_agent.contains(s);
    // Android's and iOS's browsers also name Linux and "Mac OS X": they go first.
    if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPod") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Windows") {
        Some("Windows")
    } else if has("CrOS") {
        Some("Chromebook")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("Mac")
    } else if has("Linux") || has("X11") {
        Some("Linux")
    } else {
        None
    }
}

/// The name offered in this browser, in `lang`.
fn suggestion(lang: Lang) -> String {
    let agent = if cfg!(feature = "ssr") {
        String::new()
    } else {
        window().navigator().user_agent().unwrap_or_default()
    };
    suggested_name(&agent)
        .unwrap_or(lang.account().pk_default_name)
        .to_string()
}

/// A passkey request refused for want of a recent password, held by the page's password
/// prompt (`super::reauth::Pending`) until the password is confirmed.
#[derive(Clone)]
pub struct Reauth {
    ask: Ask,
    start: Callback<Ask>,
}

impl Reauth {
    /// Sends the request again.
    pub fn send(self) {
        self.start.run(self.ask);
    }

    /// Where the focus returns if the person closes the prompt.
    pub fn back(&self) -> String {
        match self.ask {
            Ask::Remove { .. } => "passkey-remove-confirm",
            _ => "passkey-add",
        }
        .to_string()
    }
}

/// What the person asked of the server.
#[derive(Clone, Debug)]
enum Ask {
    /// Options, the browser's dialog, then the new passkey under this name.
    Add(String),
    Rename {
        id: String,
        name: String,
    },
    Remove {
        id: String,
        name: String,
    },
}

#[derive(Clone, Debug)]
enum Done {
    Added(PasskeyView),
    Renamed(PasskeyView),
    Removed { id: String, name: String },
}

#[derive(Clone, Debug)]
enum Trouble {
    Api(ApiError),
    Browser(Failure),
}

async fn run(ask: Ask) -> Result<Done, Trouble> {
    match ask {
        Ask::Add(name) => {
            let challenge = crate::api::passkey_options().await.map_err(Trouble::Api)?;
            let credential = webauthn::create(&challenge.options)
                .await
                .map_err(Trouble::Browser)?;
            let request = AddPasskeyRequest {
                challenge_id: challenge.challenge_id,
                name,
                credential,
            };
            crate::api::add_passkey(&request)
                .await
                .map(Done::Added)
                .map_err(Trouble::Api)
        }
        Ask::Rename { id, name } => crate::api::rename_passkey(&id, name)
            .await
            .map(Done::Renamed)
            .map_err(Trouble::Api),
        Ask::Remove { id, name } => match crate::api::remove_passkey(&id).await {
            // Removed meanwhile (in another tab): what was asked is done.
            Ok(()) => Ok(Done::Removed { id, name }),
            Err(e) if e.code == ErrorCode::NotFound => Ok(Done::Removed { id, name }),
            Err(e) => Err(Trouble::Api(e)),
        },
    }
}

/// The status line: what was done (or calmly, what was not).
#[derive(Clone, Debug)]
enum Said {
    Added(String),
    Renamed(String),
    Removed(String),
    NotAdded,
}

impl Said {
    fn text(&self, a: &AccountMessages) -> String {
        match self {
            Said::Added(name) => fill(a.pk_said_added, &[("name", name)]),
            Said::Renamed(name) => fill(a.pk_said_renamed, &[("name", name)]),
            Said::Removed(name) => fill(a.pk_said_removed, &[("name", name)]),
            Said::NotAdded => a.pk_add_cancelled.to_string(),
        }
    }
}

/// What went wrong: the server's answer, or the browser's.
#[derive(Clone)]
enum Problem {
    Api(ApiError),
    Text(Label),
}

/// A passkey's id as part of an element id (letters, digits, `-` and `_` only).
fn dom_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The id of one of a listed passkey's elements: `pk-{id}-{part}`.
fn item_id(id: &str, part: &str) -> String {
    format!("pk-{}-{part}", dom_id(id))
}

/// What the card's parts share: which passkey is being renamed or removed, and the request.
#[derive(Clone, Copy)]
struct Card {
    editing: RwSignal<Option<String>>,
    removing: RwSignal<Option<String>>,
    rename_error: RwSignal<Option<ApiError>>,
    busy: Signal<bool>,
    start: Callback<Ask>,
}

#[component]
pub fn PasskeysCard(
    /// The page's `GET /api/account/security`, kept up to date here as passkeys come and go.
    data: RwSignal<Option<Result<SecurityView, ApiError>>>,
    /// Where a request that needs the password again waits for it.
    reauth: Pending<Reauth>,
    /// The list is stale: load the page's data again.
    #[prop(into)]
    on_stale: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<ApiError>);
    let said = RwSignal::new(None::<Said>);
    let problem = RwSignal::new(None::<Problem>);
    let editing = RwSignal::new(None::<String>);
    let removing = RwSignal::new(None::<String>);
    let rename_error = RwSignal::new(None::<ApiError>);
    // What was last sent (`Action::input` is empty again once the answer is in).
    let asked = RwSignal::new(None::<Ask>);
    let act = Action::new_local(|ask: &Ask| run(ask.clone()));
    let start = Callback::new(move |ask: Ask| {
        said.set(None);
        problem.set(None);
        name_error.set(None);
        rename_error.set(None);
        asked.set(Some(ask.clone()));
        act.dispatch(ask);
    });
    let update = move |f: &dyn Fn(&mut Vec<PasskeyView>)| {
        data.update(|d| {
            if let Some(Ok(view)) = d {
                f(&mut view.passkeys);
            }
        })
    };
    Effect::new(move |_| {
        let Some(result) = act.value().get() else {
            return;
        };
        let ask = asked.get_untracked();
        match result {
            Ok(Done::Added(new)) => {
                let added = new.name.clone();
                update(&|list| list.push(new.clone()));
                name.set(suggestion(i18n.lang.get_untracked()));
                said.set(Some(Said::Added(added)));
                after_render(|| focus_id("passkey-add"));
            }
            Ok(Done::Renamed(new)) => {
                let (id, renamed) = (new.id.clone(), new.name.clone());
                update(&|list| {
                    if let Some(p) = list.iter_mut().find(|p| p.id == new.id) {
                        *p = new.clone();
                    }
                });
                editing.set(None);
                said.set(Some(Said::Renamed(renamed)));
                after_render(move || focus_id(&item_id(&id, "rename")));
            }
            Ok(Done::Removed { id, name: removed }) => {
                update(&|list| list.retain(|p| p.id != id));
                removing.set(None);
                said.set(Some(Said::Removed(removed)));
                after_render(|| focus_id("passkeys-heading"));
            }
            Err(Trouble::Api(e)) if e.code == ErrorCode::ReauthRequired => {
                if let Some(ask) = ask {
                    reauth.ask(Reauth { ask, start });
                }
            }
            Err(Trouble::Api(e)) => match ask {
                Some(Ask::Add(_)) if e.field.as_deref() == Some("name") => {
                    name_error.set(Some(e));
                    focus_id("passkey-name");
                }
                Some(Ask::Rename { id, .. }) if e.field.as_deref() == Some("name") => {
                    rename_error.set(Some(e));
                    focus_id(&item_id(&id, "rename-input"));
                }
                Some(Ask::Rename { id, .. }) => {
                    if e.code == ErrorCode::NotFound {
                        editing.set(None);
                        on_stale.run(());
                        after_render(|| focus_id("passkeys-heading"));
                    } else {
                        focus_id(&item_id(&id, "rename-input"));
                    }
                    problem.set(Some(Problem::Api(e)));
                }
                Some(Ask::Remove { .. }) => {
                    problem.set(Some(Problem::Api(e)));
                    after_render(|| focus_id("passkey-remove-confirm"));
                }
                _ => {
                    problem.set(Some(Problem::Api(e)));
                    after_render(|| focus_id("passkey-add"));
                }
            },
            Err(Trouble::Browser(failure)) => {
                match failure {
                    Failure::Aborted => {}
                    Failure::Cancelled => said.set(Some(Said::NotAdded)),
                    Failure::AlreadyRegistered => problem.set(Some(Problem::Api(ApiError::new(
                        ErrorCode::PasskeyTaken,
                        "this authenticator already holds a passkey of the account",
                    )))),
                    Failure::NotSupported => problem.set(Some(Problem::Text(|a| a.pk_unsupported))),
                    Failure::WrongSite => problem.set(Some(Problem::Text(|a| a.pk_wrong_site))),
                    Failure::Other(what) => {
                        leptos::logging::warn!("adding a passkey failed: {what}");
                        problem.set(Some(Problem::Text(|a| a.pk_add_failed)));
                    }
                }
                after_render(|| focus_id("passkey-add"));
            }
        }
    });
    let pending = act.pending();
    let busy = Signal::derive(move || pending.get());
    let card = Card {
        editing,
        removing,
        rename_error,
        busy,
        start,
    };
    let adding =
        Signal::derive(move || pending.get() && asked.with(|a| matches!(a, Some(Ask::Add(_)))));
    let list = Memo::new(move |_| {
        data.with(|d| match d {
            Some(Ok(view)) => Some(view.passkeys.clone()),
            _ => None,
        })
    });
    let origin = Memo::new(move |_| {
        data.with(|d| match d {
            Some(Ok(view)) => Some(view.passkey_origin.clone()),
            _ => None,
        })
    });
    let a = move |key: Label| i18n.account(key);
    view! {
        <section class="card passkeys" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading" tabindex="-1">{a(|a| a.pk_heading)}</h2>
            <p>{a(|a| a.pk_text)}</p>
            <Show when=move || data.with(Option::is_none)>
                <Loading/>
            </Show>
            <Show when=move || list.with(|l| l.as_ref().is_some_and(Vec::is_empty))>
                <p class="passkeys-none">{a(|a| a.pk_none)}</p>
            </Show>
            <Show when=move || list.with(|l| l.as_ref().is_some_and(|l| !l.is_empty()))>
                <ul class="passkey-list">
                    <For
                        each=move || list.get().unwrap_or_default()
                        key=|p| (p.id.clone(), p.name.clone(), p.last_used_at.clone())
                        let:passkey
                    >
                        <PasskeyItem passkey card/>
                    </For>
                </ul>
            </Show>
            {move || origin.get().map(|origin| {
                if !webauthn::opened_at(&origin) {
                    view! { <Elsewhere origin/> }.into_any()
                } else if !webauthn::supported() {
                    view! { <p class="notice notice--info">{a(|a| a.pk_unsupported)}</p> }.into_any()
                } else {
                    view! { <AddForm name name_error adding start/> }.into_any()
                }
            })}
            <p id="passkey-status" class="form-status" role="status" aria-live="polite">
                {move || said.get().map(|s| s.text(i18n.lang.get().account()))}
            </p>
            <div role="alert" class="form-alert">
                {move || problem.get().map(|p| {
                    let lang = i18n.lang.get();
                    let text = match p {
                        Problem::Api(e) => error_message(lang, &e),
                        Problem::Text(label) => label(lang.account()).to_string(),
                    };
                    view! { <p class="notice notice--error">{text}</p> }
                })}
            </div>
        </section>
    }
}

/// The page is open at another address than the one passkeys are registered for (an IP
/// address, another name): the browser would refuse, so the card links there instead.
#[component]
fn Elsewhere(origin: String) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("{origin}/account/security");
    view! {
        <p class="notice notice--info" id="passkey-elsewhere">
            {move || {
                let text = i18n.lang.get().account().pk_elsewhere;
                let (before, after) = text.split_once("{link}").unwrap_or((text, ""));
                view! { {before}<a href=href.clone() rel="external">{origin.clone()}</a>{after} }
            }}
        </p>
    }
}

/// The name for a new passkey and "Add a passkey".
#[component]
fn AddForm(
    name: RwSignal<String>,
    name_error: RwSignal<Option<ApiError>>,
    adding: Signal<bool>,
    start: Callback<Ask>,
) -> impl IntoView {
    let i18n = use_i18n();
    if name.with_untracked(String::is_empty) {
        name.set(suggestion(i18n.lang.get_untracked()));
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if adding.get_untracked() {
            return;
        }
        // The server's rule, checked before the browser's dialog opens for nothing.
        match parse_name(&name.get_untracked()) {
            Ok(valid) => start.run(Ask::Add(valid)),
            Err(e) => {
                name_error.set(Some(e));
                focus_id("passkey-name");
            }
        }
    };
    let a = move |key: Label| i18n.account(key);
    view! {
        <form class="account-form passkey-add" novalidate on:submit=on_submit>
            <div class="field">
                <label for="passkey-name">{a(|a| a.pk_name_label)}</label>
                <input
                    id="passkey-name"
                    name="passkey-name"
                    type="text"
                    maxlength=NAME_MAX_CHARS.to_string()
                    autocomplete="off"
                    required=true
                    aria-invalid=move || name_error.with(Option::is_some).to_string()
                    aria-describedby="passkey-name-hint passkey-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| {
                        name.set(event_target_value(&ev));
                        name_error.set(None);
                    }
                />
                <FieldNotes id="passkey-name" hint=Some(a(|a| a.pk_name_hint)) error=name_error.into()/>
            </div>
            <div class="button-row">
                <button type="submit" id="passkey-add" class="button" aria-describedby="passkey-add-hint" disabled=adding>
                    {move || if adding.get() { i18n.lang.get().account().working } else { i18n.lang.get().account().pk_add }}
                </button>
            </div>
            <p class="hint" id="passkey-add-hint">{a(|a| a.pk_add_hint)}</p>
        </form>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Idle,
    Renaming,
    Removing,
}

/// One passkey: its name, when it was added and last used, "Rename" and "Remove".
#[component]
fn PasskeyItem(passkey: PasskeyView, card: Card) -> impl IntoView {
    let i18n = use_i18n();
    let PasskeyView {
        id,
        name,
        created_at,
        last_used_at,
    } = passkey;
    let mode = Memo::new({
        let id = id.clone();
        move |_| {
            if card.editing.with(|e| e.as_deref() == Some(id.as_str())) {
                Mode::Renaming
            } else if card.removing.with(|r| r.as_deref() == Some(id.as_str())) {
                Mode::Removing
            } else {
                Mode::Idle
            }
        }
    });
    let dates = move || {
        let lang = i18n.lang.get();
        let a = lang.account();
        let added = fill(a.pk_added_on, &[("date", &format_date(&created_at, lang))]);
        let used = match &last_used_at {
            Some(at) => fill(a.pk_used_on, &[("date", &format_date(at, lang))]),
            None => a.pk_not_used.to_string(),
        };
        // A no-break space: a line that wraps never starts with the dot.
        format!("{added}\u{a0}· {used}")
    };
    let name_id = item_id(&id, "name");
    let shown = name.clone();
    let a = move |key: Label| i18n.account(key);
    view! {
        <li class="passkey">
            <p class="passkey-name" id=name_id.clone()>{shown}</p>
            <p class="passkey-dates">{dates}</p>
            {move || match mode.get() {
                Mode::Renaming => view! { <RenameForm id=id.clone() current=name.clone() card/> }.into_any(),
                Mode::Removing => view! { <ConfirmRemove id=id.clone() name=name.clone() card/> }.into_any(),
                Mode::Idle => {
                    let (for_rename, for_remove) = (id.clone(), id.clone());
                    view! {
                        <div class="button-row">
                            <button type="button" class="button button--quiet passkey-rename" id=item_id(&id, "rename")
                                aria-describedby=name_id.clone()
                                on:click=move |_| {
                                    card.rename_error.set(None);
                                    card.removing.set(None);
                                    card.editing.set(Some(for_rename.clone()));
                                }>
                                {a(|a| a.pk_rename)}
                            </button>
                            <button type="button" class="button button--quiet passkey-remove" id=item_id(&id, "remove")
                                aria-describedby=name_id.clone()
                                on:click=move |_| {
                                    card.editing.set(None);
                                    card.removing.set(Some(for_remove.clone()));
                                }>
                                {a(|a| a.pk_remove)}
                            </button>
                        </div>
                    }.into_any()
                }
            }}
        </li>
    }
}

/// The new name, in place of the buttons; Escape or "Cancel" closes it, focus back on "Rename".
#[component]
fn RenameForm(id: String, current: String, card: Card) -> impl IntoView {
    let i18n = use_i18n();
    let value = RwSignal::new(current.clone());
    let input_id = item_id(&id, "rename-input");
    let error_id = item_id(&id, "rename-error");
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
            el.select();
        }
    });
    let back = item_id(&id, "rename");
    let cancel = move || {
        card.editing.set(None);
        card.rename_error.set(None);
        let back = back.clone();
        after_render(move || focus_id(&back));
    };
    let close = cancel.clone();
    let focus_input = input_id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if card.busy.get_untracked() {
            return;
        }
        match parse_name(&value.get_untracked()) {
            Ok(name) if name == current => close(),
            Ok(name) => card.start.run(Ask::Rename {
                id: id.clone(),
                name,
            }),
            Err(e) => {
                card.rename_error.set(Some(e));
                focus_id(&focus_input);
            }
        }
    };
    let escape = cancel.clone();
    let message = move || {
        card.rename_error
            .get()
            .map(|e| error_message(i18n.lang.get(), &e))
    };
    let a = move |key: Label| i18n.account(key);
    view! {
        <form class="passkey-rename-form" novalidate on:submit=on_submit
            on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); escape() }>
            <div class="field">
                <label for=input_id.clone()>{a(|a| a.pk_rename_label)}</label>
                <input
                    id=input_id.clone()
                    class="passkey-rename-input"
                    type="text"
                    maxlength=NAME_MAX_CHARS.to_string()
                    autocomplete="off"
                    required=true
                    node_ref=input
                    aria-invalid=move || card.rename_error.with(Option::is_some).to_string()
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        card.rename_error.set(None);
                    }
                />
                <p class="field-error" id=error_id.clone()>{message}</p>
            </div>
            <div class="button-row">
                <button type="submit" class="button passkey-rename-save" disabled=move || card.busy.get()>
                    {a(|a| a.pk_save)}
                </button>
                <button type="button" class="button button--quiet passkey-rename-cancel" on:click=move |_| cancel()>
                    {a(|a| a.cancel)}
                </button>
            </div>
        </form>
    }
}

/// "Remove the passkey …?", in place of the buttons, its heading focused; Escape or "Cancel"
/// closes it, focus back on "Remove".
#[component]
fn ConfirmRemove(id: String, name: String, card: Card) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let back = item_id(&id, "remove");
    let cancel = move || {
        card.removing.set(None);
        let back = back.clone();
        after_render(move || focus_id(&back));
    };
    let escape = cancel.clone();
    let title_id = item_id(&id, "remove-title");
    let title = {
        let name = name.clone();
        move || {
            fill(
                i18n.lang.get().account().pk_remove_title,
                &[("name", &name)],
            )
        }
    };
    let confirm = move |_| {
        card.start.run(Ask::Remove {
            id: id.clone(),
            name: name.clone(),
        })
    };
    let a = move |key: Label| i18n.account(key);
    view! {
        <div class="notice notice--warn passkey-confirm" role="group" aria-labelledby=title_id.clone()
            on:keydown=move |ev| if ev.key() == "Escape" { escape() }>
            <h3 id=title_id.clone() tabindex="-1" node_ref=heading>{title}</h3>
            <p>{a(|a| a.pk_remove_text)}</p>
            <div class="button-row">
                <button type="button" id="passkey-remove-confirm" class="button button--danger"
                    disabled=move || card.busy.get() on:click=confirm>
                    {a(|a| a.pk_remove_confirm)}
                </button>
                <button type="button" id="passkey-remove-cancel" class="button button--quiet" on:click=move |_| cancel()>
                    {a(|a| a.cancel)}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_passkey_is_named_after_the_device() {
        for (agent, name) in [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
                Some("Android"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                Some("iPhone"),
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
                Some("iPad"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                Some("Windows"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                Some("Mac"),
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
                Some("Chromebook"),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
                Some("Linux"),
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
                Some("Linux"),
            ),
            ("", None),
            ("curl/8.5.0", None),
        ] {
            assert_eq!(suggested_name(agent), name, "{agent}");
        }
    }

    #[test]
    fn every_suggestion_is_a_valid_name() {
        for agent in [
            "Android",
            "iPhone",
            "iPad",
            "Windows",
            "CrOS",
            "Macintosh",
            "Linux",
        ] {
            let name = suggested_name(agent).unwrap();
            assert_eq!(parse_name(name).unwrap(), name);
        }
        for lang in Lang::ALL {
            let name = lang.account().pk_default_name;
            assert_eq!(parse_name(name).unwrap(), name, "{lang:?}");
        }
    }

    #[test]
    fn a_passkey_id_makes_a_safe_element_id() {
        assert_eq!(item_id("42", "rename"), "pk-42-rename");
        assert_eq!(item_id("a b/c\"d", "name"), "pk-a_b_c_d-name");
        assert_eq!(dom_id("Zm9v-_x"), "Zm9v-_x");
    }
}
