//! `/account/devices`: where the account is signed in (browser, system, device, the IP cut
//! short, started, last active), ending one or every other session (with the password asked
//! again when the last sign-in is old), and the security log.
use fk_api::account::activity::{DeviceKind, DeviceSession, Devices, SecurityEntry, SecurityEvent};
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;

use super::errors::error_message;
use super::format::date_time;
use super::reauth::{Pending, ReauthFor};
use super::widgets::LoadFailed;
use crate::dom::{focus_id, set_title};
use crate::i18n::use_i18n;
use crate::widgets::Loading;

/// What the user asked to end.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ending {
    One(i64),
    Others,
}

pub fn event_name(a: &'static AccountMessages, event: SecurityEvent) -> &'static str {
    match event {
        SecurityEvent::SignIn => a.security_sign_in,
        SecurityEvent::SignInFailed => a.security_sign_in_failed,
        SecurityEvent::EmailVerified => a.security_email_verified,
        SecurityEvent::PasswordChanged => a.security_password_changed,
        SecurityEvent::SignedOutEverywhere => a.security_signed_out_everywhere,
        SecurityEvent::EmailChangeRequested => a.security_email_change_requested,
        SecurityEvent::EmailChanged => a.security_email_changed,
        SecurityEvent::SessionEnded => a.security_session_ended,
        SecurityEvent::OtherSessionsEnded => a.security_other_sessions_ended,
        SecurityEvent::DataExported => a.security_data_exported,
        SecurityEvent::TwoStepOn => a.security_two_step_on,
        SecurityEvent::TwoStepOff => a.security_two_step_off,
        SecurityEvent::SecondStepFailed => a.security_second_step_failed,
        SecurityEvent::RecoveryCodeUsed => a.security_recovery_code_used,
        SecurityEvent::RecoveryCodesRenewed => a.security_recovery_codes_renewed,
        SecurityEvent::PasskeyAdded => a.security_passkey_added,
        SecurityEvent::PasskeyRemoved => a.security_passkey_removed,
    }
}

/// The kind of device in the user's language; none when the browser did not tell.
fn device_label(a: &'static AccountMessages, device: &str) -> Option<&'static str> {
    match DeviceKind::parse(device) {
        DeviceKind::Computer => Some(a.device_computer),
        DeviceKind::Phone => Some(a.device_phone),
        DeviceKind::Tablet => Some(a.device_tablet),
        DeviceKind::Unknown => None,
    }
}

/// "Chrome, Windows (computer)", leaving out what the browser did not tell.
fn client_text(a: &'static AccountMessages, browser: &str, os: &str, device: &str) -> String {
    let mut parts: Vec<&str> = [browser, os]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        parts.push(a.devices_unknown_browser);
    }
    let mut text = parts.join(", ");
    if let Some(kind) = device_label(a, device) {
        text.push_str(&format!(" ({kind})"));
    }
    text
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().devices_title, i18n.t().app_name));
    let data = RwSignal::new(None::<Result<Devices, ApiError>>);
    let load = move || {
        crate::dom::spawn(async move { data.set(Some(crate::api::devices().await)) });
    };
    load();
    let error = RwSignal::new(None::<ApiError>);
    let said = RwSignal::new(None::<Ending>);
    let asked = RwSignal::new(None::<Ending>);
    let end = Action::new_local(|what: &Ending| {
        let what = *what;
        async move {
            match what {
                Ending::One(id) => crate::api::end_session(id).await,
                Ending::Others => crate::api::end_other_sessions().await,
            }
        }
    });
    let dispatch = move |what: Ending| {
        error.set(None);
        said.set(None);
        asked.set(Some(what));
        end.dispatch(what);
    };
    // The request that met `reauth_required`: sent again once the password is confirmed.
    let waiting = Pending::new(dispatch, |what: &Ending| match what {
        Ending::One(id) => format!("end-session-{id}"),
        Ending::Others => "end-others".to_string(),
    });
    Effect::new(move |_| match end.value().get() {
        Some(Ok(devices)) => {
            data.set(Some(Ok(devices)));
            said.set(asked.get_untracked());
            focus_id("devices-status");
        }
        Some(Err(e)) if e.code == ErrorCode::ReauthRequired => {
            if let Some(what) = asked.get_untracked() {
                waiting.ask(what);
            }
        }
        Some(Err(e)) => {
            // The session may have ended meanwhile (404): show the list as it is now.
            if e.code == ErrorCode::NotFound {
                load();
            }
            error.set(Some(e));
        }
        None => {}
    });
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let said_text = move || {
        let a = i18n.lang.get().account();
        said.get().map(|s| match s {
            Ending::One(_) => a.devices_ended_one,
            Ending::Others => a.devices_ended_others,
        })
    };
    let pending = end.pending();
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.devices_title)}</h1>
            <p class="lead">{a(|a| a.devices_lead)}</p>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <LoadFailed error retry=move |_| { data.set(None); load(); }/> }.into_any(),
                Some(Ok(devices)) => {
                    let others = devices.sessions.iter().any(|s| !s.current);
                    view! {
                        <section aria-labelledby="sessions-heading">
                            <h2 id="sessions-heading">{a(|a| a.devices_sessions_heading)}</h2>
                            <ul class="device-list">
                                {devices.sessions.into_iter().map(|s| view! {
                                    <SessionItem session=s pending=pending.into() on_end=Callback::new(move |id| dispatch(Ending::One(id)))/>
                                }).collect_view()}
                            </ul>
                            {if others {
                                view! {
                                    <div class="button-row">
                                        <button type="button" id="end-others" class="button" aria-describedby="end-others-hint"
                                            disabled=move || pending.get() on:click=move |_| dispatch(Ending::Others)>
                                            {a(|a| a.devices_end_others)}
                                        </button>
                                    </div>
                                    <p class="hint" id="end-others-hint">{a(|a| a.devices_end_others_hint)}</p>
                                }.into_any()
                            } else {
                                view! { <p>{a(|a| a.devices_no_others)}</p> }.into_any()
                            }}
                        </section>
                        <SecurityLog log=devices.log/>
                    }.into_any()
                }
            }}
            <ReauthFor waiting/>
            <p id="devices-status" class="form-status" role="status" tabindex="-1">{said_text}</p>
            <div role="alert" class="form-alert">
                {move || error.get().map(|e| view! { <p class="notice notice--error">{error_message(i18n.lang.get(), &e)}</p> })}
            </div>
        </div>
    }
}

#[component]
fn SessionItem(
    session: DeviceSession,
    pending: Signal<bool>,
    on_end: Callback<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let id = session.id;
    let title_id = format!("session-{id}-title");
    let (browser, os) = (session.browser.clone(), session.os.clone());
    let title = move || client_text(i18n.lang.get().account(), &browser, &os, "");
    let (started, active) = (session.started_at.clone(), session.last_active_at.clone());
    let device = session.device.clone();
    view! {
        <li class="card device" class:device--current=session.current>
            <h3 id=title_id.clone()>
                {title}
                {session.current.then(|| view! { " " <span class="badge badge--ok">{a(|a| a.devices_this_device)}</span> })}
            </h3>
            <dl class="facts">
                {device_label(i18n.lang.get_untracked().account(), &device).is_some().then(|| view! {
                    <dt>{a(|a| a.devices_device)}</dt>
                    <dd>{move || device_label(i18n.lang.get().account(), &device)}</dd>
                })}
                <dt>{a(|a| a.devices_ip)}</dt><dd>{session.ip}</dd>
                <dt>{a(|a| a.devices_started)}</dt><dd>{move || date_time(&started, i18n.lang.get())}</dd>
                <dt>{a(|a| a.devices_last_active)}</dt><dd>{move || date_time(&active, i18n.lang.get())}</dd>
                <dt>{a(|a| a.devices_kind)}</dt>
                <dd>{if session.remember { a(|a| a.session_remembered) } else { a(|a| a.session_browser) }}</dd>
            </dl>
            {(!session.current).then(|| view! {
                <button type="button" id=format!("end-session-{id}") class="button button--quiet" aria-describedby=title_id
                    disabled=move || pending.get() on:click=move |_| on_end.run(id)>
                    {a(|a| a.devices_end_one)}
                </button>
            })}
        </li>
    }
}

#[component]
fn SecurityLog(log: Vec<SecurityEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let empty = log.is_empty();
    view! {
        <section aria-labelledby="log-heading">
            <h2 id="log-heading">{a(|a| a.devices_log_heading)}</h2>
            <p class="hint">{a(|a| a.devices_log_hint)}</p>
            {if empty {
                view! { <p>{a(|a| a.devices_log_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" role="region" aria-labelledby="log-caption" tabindex="0">
                        <table class="log-table">
                            <caption id="log-caption">{a(|a| a.devices_log_caption)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{a(|a| a.devices_log_event)}</th>
                                    <th scope="col">{a(|a| a.devices_log_time)}</th>
                                    <th scope="col">{a(|a| a.devices_ip)}</th>
                                    <th scope="col">{a(|a| a.devices_log_client)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {log.into_iter().map(|entry| {
                                    let at = entry.at.clone();
                                    let client = move || client_text(i18n.lang.get().account(), &entry.browser, &entry.os, &entry.device);
                                    let failed = matches!(entry.event, SecurityEvent::SignInFailed | SecurityEvent::SecondStepFailed);
                                    view! {
                                        <tr class:log-table__warn=failed>
                                            <th scope="row">{move || event_name(i18n.lang.get().account(), entry.event)}</th>
                                            <td data-label=a(|a| a.devices_log_time)>{move || date_time(&at, i18n.lang.get())}</td>
                                            <td data-label=a(|a| a.devices_ip)>{entry.ip}</td>
                                            <td data-label=a(|a| a.devices_log_client)>{client}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
