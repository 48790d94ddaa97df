//! `/account/security`, "Sign-in and security": the account's passkeys (`super::passkeys`);
//! whether two-step sign-in is on and since when; turning it on (the authenticator app's secret, a code from the app, then the recovery codes,
//! shown once), making new recovery codes, and turning it off. Each of those asks for the
//! password again when it was last given more than ten minutes ago, then goes on by itself.
use fk_api::account::two_step::{RecoveryCodes, SecurityView, TwoStepSetup};
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;

use super::errors::error_message;
use super::format::count;
use super::passkeys::{PasskeysCard, Reauth};
use super::reauth::{Pending, ReauthFor};
use super::recovery_codes::RecoveryCodesSheet;
use super::two_step_setup::TwoStepSetupPanel;
use super::widgets::LoadFailed;
use crate::dom::{after_render, focus_id, set_title};
use crate::i18n::use_i18n;
use crate::widgets::Loading;

/// At or below this many unused recovery codes the page says to make new ones.
pub const FEW_CODES_LEFT: u32 = 3;

/// Whether so few recovery codes are left that the page warns.
pub fn few_codes_left(left: u32) -> bool {
    left <= FEW_CODES_LEFT
}

type Label = fn(&'static AccountMessages) -> &'static str;

/// What the user asked for that may need the password again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    Setup,
    RenewCodes,
    TurnOff,
}

impl Request {
    /// The button that asked, where the focus goes back when the password prompt is closed.
    fn button(self) -> &'static str {
        match self {
            Request::Setup => "two-step-on",
            Request::RenewCodes => "recovery-codes-new-confirm",
            Request::TurnOff => "two-step-off-confirm",
        }
    }
}

#[derive(Clone)]
enum Answer {
    Setup(TwoStepSetup),
    Codes(RecoveryCodes),
    TurnedOff,
}

/// What the card shows. Drawn anew only when this changes, so a status line or an error
/// appearing never redraws (and unfocuses) the controls.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Loading,
    Failed(ApiError),
    Off,
    Setup(TwoStepSetup),
    /// Fresh recovery codes, shown until the user says they are saved.
    Codes(Vec<String>),
    On(SecurityView),
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().sec_title, i18n.t().app_name));
    let data = RwSignal::new(None::<Result<SecurityView, ApiError>>);
    let load =
        move || crate::dom::spawn(async move { data.set(Some(crate::api::security().await)) });
    load();
    let setup = RwSignal::new(None::<TwoStepSetup>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let said = RwSignal::new(None::<Label>);
    let error = RwSignal::new(None::<ApiError>);
    // What was last sent (`Action::input` is empty again once the answer is in).
    let asked = RwSignal::new(None::<Request>);
    let act = Action::new_local(|what: &Request| {
        let what = *what;
        async move {
            match what {
                Request::Setup => crate::api::two_step_setup().await.map(Answer::Setup),
                Request::RenewCodes => crate::api::renew_recovery_codes().await.map(Answer::Codes),
                Request::TurnOff => crate::api::two_step_disable()
                    .await
                    .map(|()| Answer::TurnedOff),
            }
        }
    });
    let dispatch = move |what: Request| {
        error.set(None);
        said.set(None);
        asked.set(Some(what));
        act.dispatch(what);
    };
    // The request that met `reauth_required`, sent again once the password is confirmed; and
    // a passkey request, the same way. One prompt serves both.
    let two_step_waiting = Pending::new(dispatch, |what: &Request| what.button().to_string());
    let passkey_waiting = Pending::new(Reauth::send, Reauth::back);
    Effect::new(move |_| match act.value().get() {
        Some(Ok(Answer::Setup(new))) => {
            setup.set(Some(new));
            // Whatever had the focus before (a closed prompt, a button now gone), the panel
            // that has just opened takes it.
            after_render(|| focus_id("setup-heading"));
        }
        Some(Ok(Answer::Codes(new))) => {
            data.update(|d| {
                if let Some(Ok(view)) = d {
                    view.recovery_codes_left = new.codes.len() as u32;
                }
            });
            said.set(Some(|a| a.sec_codes_renewed));
            codes.set(Some(new.codes));
        }
        Some(Ok(Answer::TurnedOff)) => {
            // The passkeys stay as they are.
            data.update(|d| {
                if let Some(Ok(view)) = d {
                    view.two_step_since = None;
                    view.recovery_codes_left = 0;
                }
            });
            said.set(Some(|a| a.sec_turned_off));
            after_render(|| focus_id("security-status"));
        }
        Some(Err(e)) if e.code == ErrorCode::ReauthRequired => {
            if let Some(what) = asked.get_untracked() {
                two_step_waiting.ask(what);
            }
        }
        Some(Err(e)) => {
            // Turned on or off in another tab meanwhile: show how things stand now.
            if matches!(e.code, ErrorCode::TwoStepOn | ErrorCode::TwoStepOff) {
                load();
            }
            error.set(Some(e));
        }
        None => {}
    });
    let enabled = move |new: RecoveryCodes| {
        setup.set(None);
        said.set(Some(|a| a.sec_turned_on));
        codes.set(Some(new.codes));
        // The time it was turned on comes from the server.
        load();
    };
    let stale = move |e: ApiError| {
        setup.set(None);
        error.set(Some(e));
        load();
    };
    let cancel_setup = move || {
        setup.set(None);
        after_render(|| focus_id("two-step-on"));
    };
    let saved = move || {
        codes.set(None);
        after_render(|| focus_id("security-status"));
    };
    let stage = Memo::new(move |_| {
        if let Some(codes) = codes.get() {
            return Stage::Codes(codes);
        }
        match data.get() {
            None => Stage::Loading,
            Some(Err(e)) => Stage::Failed(e),
            // Without the passkeys, so adding or removing one does not redraw this card.
            Some(Ok(view)) if view.two_step_since.is_some() => Stage::On(SecurityView {
                passkeys: Vec::new(),
                passkey_origin: String::new(),
                ..view
            }),
            Some(Ok(_)) => setup.get().map_or(Stage::Off, Stage::Setup),
        }
    });
    let passkey_origin = Signal::derive(move || {
        data.with(|d| match d {
            Some(Ok(view)) => view.passkey_origin.clone(),
            _ => String::new(),
        })
    });
    let pending = act.pending();
    let on_request = Callback::new(dispatch);
    let a = move |key: Label| i18n.account(key);
    let state = move || {
        let on = data.with(|d| match d {
            Some(Ok(view)) => Some(view.two_step_since.is_some()),
            _ => None,
        })?;
        let a = i18n.lang.get().account();
        Some(view! {
            " " <span class="badge" class:badge--ok=on>{if on { a.sec_state_on } else { a.sec_state_off }}</span>
        })
    };
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.sec_title)}</h1>
            <p class="lead">{a(|a| a.sec_lead)}</p>
            <PasskeysCard data reauth=passkey_waiting on_stale=move |()| load()/>
            <section class="card two-step" aria-labelledby="two-step-heading">
                <h2 id="two-step-heading">{a(|a| a.sec_two_step_heading)}{state}</h2>
                {move || match stage.get() {
                    Stage::Loading => view! { <Loading/> }.into_any(),
                    Stage::Failed(error) => view! {
                        <LoadFailed error retry=move |_| { data.set(None); load(); }/>
                    }.into_any(),
                    Stage::Off => view! { <OffPanel pending=pending.into() on_request/> }.into_any(),
                    Stage::Setup(setup) => view! {
                        <TwoStepSetupPanel setup on_enabled=enabled on_stale=stale on_cancel=cancel_setup/>
                    }.into_any(),
                    Stage::Codes(codes) => view! { <RecoveryCodesSheet codes on_done=saved/> }.into_any(),
                    Stage::On(view) => view! { <OnPanel view pending=pending.into() on_request/> }.into_any(),
                }}
                <p id="security-status" class="form-status" role="status" tabindex="-1">
                    {move || said.get().map(|label| label(i18n.lang.get().account()))}
                </p>
                <div role="alert" class="form-alert">
                    {move || error.get().map(|e| view! { <p class="notice notice--error">{error_message(i18n.lang.get(), &e)}</p> })}
                </div>
            </section>
            <ReauthFor waiting=(two_step_waiting, passkey_waiting) passkey_origin/>
        </div>
    }
}

/// Two-step sign-in is off: what it would do, and "Turn on".
#[component]
fn OffPanel(pending: Signal<bool>, on_request: Callback<Request>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: Label| i18n.account(key);
    view! {
        <p>{a(|a| a.sec_off_text)}</p>
        <div class="button-row">
            <button type="button" id="two-step-on" class="button" aria-describedby="two-step-on-hint"
                disabled=move || pending.get() on:click=move |_| on_request.run(Request::Setup)>
                {a(|a| a.sec_turn_on)}
            </button>
        </div>
        <p class="hint" id="two-step-on-hint">{a(|a| a.sec_turn_on_hint)}</p>
    }
}

/// Two-step sign-in is on: since when, the recovery codes left, new ones, and "Turn off"
/// (each of the last two asked once more before it is done: new codes void the old ones).
#[component]
fn OnPanel(
    view: SecurityView,
    pending: Signal<bool>,
    on_request: Callback<Request>,
) -> impl IntoView {
    let i18n = use_i18n();
    let since = view.two_step_since.unwrap_or_default();
    let left = view.recovery_codes_left;
    let confirming = RwSignal::new(false);
    let renewing = RwSignal::new(false);
    let since_text = move || {
        let lang = i18n.lang.get();
        fill(
            lang.account().sec_on_since,
            &[("date", &format_date(&since, lang))],
        )
    };
    let left_text = move || {
        let lang = i18n.lang.get();
        let a = lang.account();
        if left == 0 {
            a.sec_codes_none.to_string()
        } else {
            count(
                lang,
                left.into(),
                [
                    a.sec_codes_left_one,
                    a.sec_codes_left_few,
                    a.sec_codes_left_many,
                ],
            )
        }
    };
    let a = move |key: Label| i18n.account(key);
    view! {
        <p id="two-step-since">{since_text}</p>
        <p>{a(|a| a.sec_on_text)}</p>
        <p id="recovery-codes-left">{left_text}</p>
        {few_codes_left(left).then(|| view! { <p class="notice notice--warn">{a(|a| a.sec_codes_low)}</p> })}
        <Show when=move || renewing.get() fallback=move || view! {
            <div class="button-row">
                <button type="button" id="recovery-codes-new" class="button button--quiet" aria-describedby="recovery-codes-new-hint"
                    disabled=move || pending.get()
                    on:click=move |_| { confirming.set(false); renewing.set(true); }>
                    {a(|a| a.sec_codes_new)}
                </button>
            </div>
            <p class="hint" id="recovery-codes-new-hint">{a(|a| a.sec_codes_new_hint)}</p>
        }>
            <Confirm id="recovery-codes-new" title=a(|a| a.sec_codes_confirm_title) text=a(|a| a.sec_codes_confirm_text)
                confirm=a(|a| a.sec_codes_confirm) danger=false pending
                on_confirm=move || on_request.run(Request::RenewCodes)
                on_cancel=move || { renewing.set(false); after_render(|| focus_id("recovery-codes-new")); }/>
        </Show>
        <Show when=move || confirming.get() fallback=move || view! {
            <div class="button-row">
                <button type="button" id="two-step-off" class="button button--quiet"
                    on:click=move |_| { renewing.set(false); confirming.set(true); }>
                    {a(|a| a.sec_turn_off)}
                </button>
            </div>
        }>
            <Confirm id="two-step-off" title=a(|a| a.sec_off_confirm_title) text=a(|a| a.sec_off_confirm_text)
                confirm=a(|a| a.sec_off_confirm) danger=true pending
                on_confirm=move || on_request.run(Request::TurnOff)
                on_cancel=move || { confirming.set(false); after_render(|| focus_id("two-step-off")); }/>
        </Show>
    }
}

/// "Really?", in place of the button `id` that asked, its heading focused: `{id}-confirm`
/// does it, `{id}-cancel` (or Escape) closes it. The turning off's heading keeps its id.
#[component]
fn Confirm(
    id: &'static str,
    title: Signal<&'static str>,
    text: Signal<&'static str>,
    confirm: Signal<&'static str>,
    /// Whether it ends something (a red button).
    danger: bool,
    pending: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let title_id = if id == "two-step-off" {
        "off-confirm-title".to_string()
    } else {
        format!("{id}-title")
    };
    let a = move |key: Label| i18n.account(key);
    view! {
        <div class="notice notice--warn confirm-off" role="group" aria-labelledby=title_id.clone()
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h3 id=title_id.clone() tabindex="-1" node_ref=heading>{title}</h3>
            <p>{text}</p>
            <div class="button-row">
                <button type="button" id=format!("{id}-confirm") class=if danger { "button button--danger" } else { "button" }
                    disabled=move || pending.get() on:click=move |_| on_confirm.run(())>
                    {confirm}
                </button>
                <button type="button" id=format!("{id}-cancel") class="button button--quiet" on:click=move |_| on_cancel.run(())>
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
    fn three_codes_or_fewer_is_a_warning() {
        assert!(few_codes_left(0));
        assert!(few_codes_left(3));
        assert!(!few_codes_left(4));
        assert!(!few_codes_left(10));
    }
}
