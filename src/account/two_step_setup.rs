//! Turning two-step sign-in on: the secret for the authenticator app, as a QR code to scan and
//! as a key to type, then a code from the app to prove it has the secret. Until that code is
//! confirmed the secret is not in use, and "Cancel" leaves everything as it was.
use fk_api::account::two_step::{parse_code, QrCode, RecoveryCodes, TwoStepSetup};
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;

use super::fields::{Field, FormAlert, SubmitButton};
use super::form::{Control, Form};
use crate::dom::{after_render, copy_text, focus_id};
use crate::i18n::use_i18n;

/// Modules of white around the code: the quiet zone scanners need (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE: u32 = 4;

/// The SVG `viewBox` of a code `size` modules a side, with its quiet zone.
pub fn qr_view_box(size: u32) -> String {
    let side = size + 2 * QUIET_ZONE;
    format!("0 0 {side} {side}")
}

/// The key as it goes onto the clipboard: without the spaces that group it for reading.
pub fn key_to_copy(secret: &str) -> String {
    secret.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The server's QR code, drawn dark on white whatever the colour scheme: a scanner needs the
/// contrast the right way round.
#[component]
pub fn QrImage(qr: QrCode, label: Signal<&'static str>) -> impl IntoView {
    let side = qr.size + 2 * QUIET_ZONE;
    view! {
        <svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox=qr_view_box(qr.size) role="img" aria-label=label
            shape-rendering="crispEdges">
            <rect fill="#fff" x="0" y="0" width=side.to_string() height=side.to_string()/>
            <path d=qr.path transform=format!("translate({QUIET_ZONE} {QUIET_ZONE})") fill="#000"/>
        </svg>
    }
}

#[component]
pub fn TwoStepSetupPanel(
    setup: TwoStepSetup,
    /// The code was right: two-step sign-in is on, with these recovery codes.
    #[prop(into)]
    on_enabled: Callback<RecoveryCodes>,
    /// The server's state is not what this panel assumed (already on; the setup gone).
    #[prop(into)]
    on_stale: Callback<ApiError>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let form = Form::new([Control::new("code", "two-step-code")]);
    let code_error = form.error("code", move || code.with(|c| parse_code(c).err()));
    // The rule answers on submit, not when the field is left: a message appearing there would
    // move "Cancel" from under the pointer between press and release (see `second_step`).
    form.clear_on_change(move || code.track());
    let enable = Action::new_local(|code: &String| crate::api::two_step_enable(code.clone()));
    Effect::new(move |_| match enable.value().get() {
        Some(Ok(codes)) => on_enabled.run(codes),
        Some(Err(e)) if matches!(e.code, ErrorCode::TwoStepOn | ErrorCode::TwoStepOff) => {
            on_stale.run(e)
        }
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        let checked = code.with_untracked(|c| parse_code(c));
        if form.passes(checked.as_ref().err().cloned().as_slice()) {
            if let Ok(code) = checked {
                enable.dispatch(code);
            }
        }
    };
    let uri = setup.uri.clone();
    let copied = RwSignal::new(None::<bool>);
    let key = key_to_copy(&setup.secret);
    let copy = move |_| {
        let key = key.clone();
        copied.set(None);
        crate::dom::spawn(async move { copied.set(Some(copy_text(&key).await)) });
    };
    let copied_text = move || {
        let a = i18n.lang.get().account();
        copied
            .get()
            .map(|ok| if ok { a.copied } else { a.copy_failed })
    };
    // The panel appears in place of "Turn on": its heading takes the focus, once it is on
    // the page (opened again after it was left, nothing that had the focus before keeps it).
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
            after_render(|| focus_id("setup-heading"));
        }
    });
    let form_level = form.alert();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <section class="two-step-setup" aria-labelledby="setup-heading">
            <h3 id="setup-heading" tabindex="-1" node_ref=heading>{a(|a| a.setup_heading)}</h3>
            <p class="hint">{a(|a| a.setup_app_hint)}</p>
            <ol class="setup-steps">
                <li>
                    <p>{a(|a| a.setup_scan)}</p>
                    <QrImage qr=setup.qr label=a(|a| a.setup_qr_label)/>
                    // On a phone the QR code cannot be scanned by the phone itself: the app
                    // opens the `otpauth://` link instead.
                    <p class="setup-open-app">
                        <a id="two-step-open-app" class="button button--quiet" href=uri aria-describedby="two-step-open-app-hint">
                            {a(|a| a.setup_open_app)}
                        </a>
                    </p>
                    <p class="hint" id="two-step-open-app-hint">{a(|a| a.setup_open_app_hint)}</p>
                    <p>{a(|a| a.setup_key)}</p>
                    <div class="secret-row">
                        <code id="two-step-secret" class="secret">{setup.secret}</code>
                        <button type="button" id="two-step-copy" class="button button--quiet" on:click=copy>{a(|a| a.setup_copy_key)}</button>
                    </div>
                    <p class="form-status" role="status">{copied_text}</p>
                </li>
                <li>
                    <p id="setup-code-text">{a(|a| a.setup_enter_code)}</p>
                    <form class="account-form" method="post" novalidate aria-labelledby="setup-code-text" on:submit=on_submit>
                        <Field id="two-step-code" label=a(|a| a.second_step_code_label) hint=a(|a| a.second_step_code_hint)
                            value=code error=code_error required=true verbatim=true inputmode="numeric" autocomplete="one-time-code"/>
                        <FormAlert error=form_level/>
                        <div class="button-row">
                            <SubmitButton id="two-step-confirm" label=a(|a| a.setup_confirm) pending=enable.pending().into()/>
                            <button type="button" id="two-step-cancel" class="button button--quiet" on:click=move |_| on_cancel.run(())>
                                {a(|a| a.cancel)}
                            </button>
                        </div>
                    </form>
                </li>
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_has_its_quiet_zone_and_the_key_copies_whole() {
        assert_eq!(qr_view_box(29), "0 0 37 37");
        assert_eq!(qr_view_box(21), "0 0 29 29");
        assert_eq!(key_to_copy("JBSW Y3DP EHPK 3PXP"), "JBSWY3DPEHPK3PXP");
    }
}
