//! `/account/data`: everything held about the user, as one file made on request: a page to read
//! in any browser (HTML) or JSON for programs, at most one delivered an hour (the page says
//! when the next one is possible).
use fk_api::account::data::{ExportFormat, EXPORT_EVERY_SECONDS};
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode};
use leptos::prelude::*;
use std::time::Duration;

use super::errors::error_message;

/// One string of the personal section, picked by the caller.
type Text = fn(&'static AccountMessages) -> &'static str;
use super::format::{now_unix, today_iso, unix_of};
use super::reauth::ReauthPrompt;
use crate::dom::{focus_id, save_file, set_title};
use crate::i18n::use_i18n;

#[component]
pub fn DataPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().data_title, i18n.t().app_name));
    // Unix seconds before which the server refuses another download.
    let next_at = RwSignal::new(None::<i64>);
    let wait_until = move |at: i64| {
        let now = now_unix();
        if at <= now {
            next_at.set(None);
            return;
        }
        next_at.set(Some(at));
        // The button comes back by itself when the hour is over (if the page is still open).
        let left = Duration::from_secs((at - now) as u64 + 1);
        set_timeout(
            move || {
                if next_at
                    .try_get_untracked()
                    .flatten()
                    .is_some_and(|t| t <= now_unix())
                {
                    next_at.set(None)
                }
            },
            left,
        );
    };
    crate::dom::spawn(async move {
        if let Ok(summary) = crate::api::summary().await {
            if let Some(at) = summary.next_export_at.as_deref().and_then(unix_of) {
                wait_until(at);
            }
        }
    });
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let format = RwSignal::new(ExportFormat::Html);
    // The format travels with its download: switching while one is on its way changes the next.
    let export = Action::new_local(|format: &ExportFormat| {
        let format = *format;
        async move {
            crate::api::export_data(format)
                .await
                .map(|file| (format, file))
        }
    });
    let asking = RwSignal::new(false);
    Effect::new(move |_| match export.value().get() {
        Some(Ok((asked, file))) => {
            let name = file.name.unwrap_or_else(|| asked.file_name(&today_iso()));
            match save_file(&name, asked.media_type(), &file.text) {
                Ok(()) => {
                    saved.set(Some(name));
                    // Only a file this browser holds starts the hour (the server cannot tell).
                    crate::dom::spawn(async move {
                        if crate::api::export_received().await.is_ok() {
                            wait_until(now_unix() + EXPORT_EVERY_SECONDS);
                        }
                    });
                }
                Err(_) => error.set(Some(ApiError::new(
                    ErrorCode::Internal,
                    "the browser refused the download",
                ))),
            }
            focus_id("export-status");
        }
        // Everything held goes out only with a recent password: ask, then go on by itself.
        Some(Err(e)) if e.code == ErrorCode::ReauthRequired => asking.set(true),
        Some(Err(e)) => {
            if let (ErrorCode::TooManyRequests, Some(seconds)) = (e.code, e.retry_after) {
                wait_until(now_unix() + seconds as i64);
            } else {
                error.set(Some(e));
            }
            focus_id("export-status");
        }
        None => {}
    });
    let pending = export.pending();
    let disabled = move || pending.get() || next_at.with(Option::is_some);
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let next_text = move || {
        let lang = i18n.lang.get();
        next_at.get().map(|at| {
            fill(
                lang.account().data_next,
                &[("time", &fk_api::dates::format_date_time(at, lang))],
            )
        })
    };
    // One live line: "preparing…", then what became of it and when the next one may be made.
    let status = move || {
        let a = i18n.lang.get().account();
        if pending.get() {
            return a.data_preparing.to_string();
        }
        let saved = saved
            .get()
            .map(|name| fill(a.data_saved, &[("file", &name)]));
        [saved, next_text()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let contents: [fn(&'static AccountMessages) -> &'static str; 11] = [
        |a| a.data_item_profile,
        |a| a.data_item_orders,
        |a| a.data_item_promotions,
        |a| a.data_item_subscriptions,
        |a| a.data_item_choices,
        |a| a.data_item_consents,
        |a| a.data_item_sessions,
        |a| a.data_item_security_log,
        |a| a.data_item_sign_in,
        |a| a.data_item_receipts,
        |a| a.data_item_letters,
    ];
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.data_title)}</h1>
            <p class="lead">{a(|a| a.data_lead)}</p>
            <section class="card" aria-labelledby="data-contents-heading">
                <h2 id="data-contents-heading">{a(|a| a.data_contents_heading)}</h2>
                <ul class="data-contents">
                    {contents.into_iter().map(|item| view! { <li>{a(item)}</li> }).collect_view()}
                </ul>
                <fieldset class="field choice-group export-format">
                    <legend>{a(|a| a.data_format_legend)}</legend>
                    <p class="hint" id="export-format-hint">{a(|a| a.data_format)}</p>
                    {ExportFormat::ALL.into_iter().map(|f| {
                        let (label, hint): (Text, Text) = match f {
                            ExportFormat::Html => (|a| a.data_format_html, |a| a.data_format_html_hint),
                            ExportFormat::Json => (|a| a.data_format_json, |a| a.data_format_json_hint),
                        };
                        let id = format!("export-format-{}", f.code());
                        let hint_id = format!("{id}-hint");
                        view! {
                            <div class="choice">
                                <input type="radio" name="export-format" id=id.clone() value=f.code()
                                    aria-describedby=hint_id.clone()
                                    prop:checked=move || format.get() == f
                                    on:change=move |_| format.set(f)/>
                                <div>
                                    <label for=id>{a(label)}</label>
                                    <p class="hint" id=hint_id>{a(hint)}</p>
                                </div>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <p class="hint" id="export-hint">{a(|a| a.data_limit)}</p>
                <button type="button" id="export-download" class="button" aria-describedby="export-hint export-status"
                    disabled=disabled aria-busy=move || pending.get().to_string()
                    on:click=move |_| { error.set(None); saved.set(None); export.dispatch(format.get_untracked()); }>
                    {move || if pending.get() { a(|a| a.data_preparing).get() } else { a(|a| a.data_download).get() }}
                </button>
                <Show when=move || asking.get()>
                    <ReauthPrompt
                        on_done=move || { asking.set(false); export.dispatch(format.get_untracked()); }
                        on_cancel=move || { asking.set(false); focus_id("export-download"); }/>
                </Show>
                <p id="export-status" class="form-status" role="status" tabindex="-1">{status}</p>
                <div role="alert" class="form-alert">
                    {move || error.get().map(|e| view! { <p class="notice notice--error">{error_message(i18n.lang.get(), &e)}</p> })}
                </div>
            </section>
        </div>
    }
}

/// The download as one page to read (`?format=html`): a single self-contained file with its
/// style inline, no script and nothing fetched from anywhere (its own Content-Security-Policy
/// says so to the browser that opens it), in the account's language, light or dark as the
/// reader's system is, readable on a phone. Drawn by Leptos on the server, so every value the
/// user or anyone else supplied (a first name, a passkey's name, a browser string) is written
/// as escaped text, never as markup.
#[cfg(feature = "ssr")]
pub mod file {
    use fk_api::account::activity::HistoryEntry;
    use fk_api::account::choices::{Choice, ChoiceState};
    use fk_api::account::commerce::{format_tenge, OrderView};
    use fk_api::account::data::DataExport;
    use fk_api::account::rules::format_phone;
    use fk_api::consent::CategoryInfo;
    use fk_api::dates::{format_date, format_date_time, parse_rfc3339};
    use fk_api::i18n::fill;
    use fk_api::{AccountMessages, Lang};
    use leptos::prelude::*;
    use leptos::tachys::view::RenderHtml;

    use crate::account::devices::event_name;
    use crate::account::fields::gender_label;
    use crate::account::history::event_text;
    use crate::account::orders::status_label;
    use crate::account::privacy::category_names;
    use crate::account::promotions::past_line;
    use crate::account::subscriptions::choice_label;

    /// What the file may load: its inline style, and nothing else (no script, no image, no
    /// font, no form sending anywhere).
    pub const CSP: &str =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

    /// The light palette, the dark one when the reader's system asks for it, and the light one
    /// again on paper. Written without `<`, `>` or `&`.
    const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--accent:#0b5cad}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;--accent:#79b8ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;overflow-wrap:break-word}
main{max-width:46rem;margin:0 auto;padding:1rem 1rem 2rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 .75rem}
h2{font-size:1.25rem;line-height:1.3;margin:2rem 0 .5rem;padding-top:1rem;border-top:1px solid var(--line)}
h3{font-size:1.0625rem;line-height:1.35;margin:0 0 .5rem}
p{margin:.5rem 0}
a{color:var(--accent)}
.brand{font-weight:700;color:var(--accent);margin:0}
.muted,dt{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
dl{margin:0}
dl div{display:grid;grid-template-columns:minmax(6rem,36%) 1fr;gap:.75rem;padding:.375rem 0;border-top:1px solid var(--line)}
dl div:first-child{border-top:0}
dd{margin:0;min-width:0}
ul,ol{margin:.5rem 0;padding-left:1.25rem}
li{margin:.375rem 0}
.log{list-style:none;padding:0}
.log li{padding:.5rem 0;border-top:1px solid var(--line);margin:0}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875em;overflow-wrap:anywhere}
footer{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line);color:var(--muted)}
@media (max-width:30rem){dl div{grid-template-columns:1fr;gap:0}}
@media print{:root{color-scheme:light;--bg:#ffffff;--fg:#000000;--muted:#444444;--line:#bbbbbb;--card:#ffffff;--accent:#000000}}
";

    /// The whole file, `<!DOCTYPE html>` first. `categories` names the cookie categories in
    /// the file's language, as the consent dialog does.
    pub fn export_html(data: &DataExport, lang: Lang, categories: &[CategoryInfo]) -> String {
        let (data, categories) = (data.clone(), categories.to_vec());
        let page = Owner::new().with(move || document(data, lang, categories).to_html());
        format!("<!DOCTYPE html>\n{page}\n")
    }

    /// "24 ноября 2026 г., 14:05" (Kazakhstan time); the text as it came when it is no time.
    fn when(rfc3339: &str, lang: Lang) -> String {
        parse_rfc3339(rfc3339)
            .map(|unix| format_date_time(unix, lang))
            .unwrap_or_else(|| rfc3339.to_string())
    }

    fn rows(rows: Vec<(&'static str, String)>) -> impl IntoView {
        view! {
            <dl>
                {rows.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
        }
    }

    fn none(a: &'static AccountMessages) -> AnyView {
        view! { <p class="muted">{a.export_none}</p> }.into_any()
    }

    fn order(a: &'static AccountMessages, order: OrderView, lang: Lang) -> impl IntoView {
        let items = order
            .items
            .iter()
            .map(|item| {
                let line = fill(
                    a.ord_item_quantity,
                    &[
                        ("name", &item.name),
                        ("quantity", &item.quantity.to_string()),
                    ],
                );
                let sum = format_tenge(item.total_tiyn(), lang);
                view! { <li>{line} ": " {sum}</li> }
            })
            .collect_view();
        view! {
            <div class="card">
                <h3>{fill(a.ord_number, &[("number", &order.number)])}</h3>
                {rows(vec![
                    (a.ord_placed, when(&order.placed_at, lang)),
                    (a.ord_status_label, status_label(a, order.status).to_string()),
                    (a.ord_total, format_tenge(order.total_tiyn, lang)),
                ])}
                <ul>{items}</ul>
            </div>
        }
    }

    fn choices(
        a: &'static AccountMessages,
        all: &[ChoiceState],
        which: &[Choice],
        lang: Lang,
    ) -> AnyView {
        let list: Vec<(&'static str, String)> = all
            .iter()
            .filter(|c| which.contains(&c.choice))
            .map(|c| {
                let state = if c.enabled { a.export_on } else { a.export_off };
                let since = c
                    .updated_at
                    .as_deref()
                    .map(|at| format!(" ({})", when(at, lang)))
                    .unwrap_or_default();
                (choice_label(a, c.choice), format!("{state}{since}"))
            })
            .collect();
        if list.is_empty() {
            none(a)
        } else {
            rows(list).into_any()
        }
    }

    fn document(data: DataExport, lang: Lang, categories: Vec<CategoryInfo>) -> impl IntoView {
        let a = lang.account();
        let t = lang.messages();
        let yes_no = |b: bool| if b { a.export_yes } else { a.export_no }.to_string();
        let profile = &data.profile;
        let account = &profile.account;
        let mut profile_rows = vec![
            (a.export_first_name, account.first_name.clone()),
            (a.login_label, account.login.clone()),
            (a.email_label, account.email.clone()),
        ];
        if let Some(pending) = &profile.pending_email {
            profile_rows.push((a.export_pending_email, pending.clone()));
        }
        profile_rows.extend([
            (
                a.export_email_verified,
                profile
                    .email_verified_at
                    .as_deref()
                    .map(|at| when(at, lang))
                    .unwrap_or_else(|| yes_no(false)),
            ),
            (a.birth_year_label, account.birth_year.to_string()),
            (a.gender_legend, gender_label(a, account.gender).to_string()),
            (
                a.phone_label,
                account
                    .phone
                    .as_deref()
                    .map(format_phone)
                    .unwrap_or_else(|| a.export_none.to_string()),
            ),
            (a.export_lang, account.lang.native_name().to_string()),
            (a.export_registered, when(&account.created_at, lang)),
        ]);
        if account.guardian_consent {
            profile_rows.push((a.export_guardian, yes_no(true)));
        }
        if let Some(last) = &profile.last_export_at {
            profile_rows.push((a.export_last_export, when(last, lang)));
        }

        let orders = if data.orders.is_empty() {
            none(a)
        } else {
            data.orders
                .iter()
                .cloned()
                .map(|o| order(a, o, lang))
                .collect_view()
                .into_any()
        };

        let mut promotions: Vec<String> = data
            .promotions
            .current
            .iter()
            .filter_map(|p| {
                let joined = p.joined_at.as_deref()?;
                let since = fill(
                    a.promo_joined_since,
                    &[("date", &format_date(joined, lang))],
                );
                Some(format!("{}: {since}", p.title))
            })
            .collect();
        promotions.extend(
            data.promotions
                .past
                .iter()
                .map(|p| format!("{}: {}", p.title, past_line(p, lang))),
        );
        let promotions = if promotions.is_empty() {
            none(a)
        } else {
            view! { <ul>{promotions.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }
                .into_any()
        };

        let history = if data.consents.is_empty() {
            none(a)
        } else {
            let entries = data
                .consents
                .iter()
                .map(|HistoryEntry { at, event }| {
                    let text = event_text(a, event, lang, &categories);
                    view! { <li><span class="muted">{when(at, lang)}</span><br/>{text}</li> }
                })
                .collect_view();
            view! { <ol class="log">{entries}</ol> }.into_any()
        };

        let receipts = if data.cookie_receipts.is_empty() {
            none(a)
        } else {
            data.cookie_receipts
                .iter()
                .map(|r| {
                    let chosen: Vec<String> = r.categories.iter().map(|c| c.code().to_string()).collect();
                    let mut list = vec![
                        (t.consent_receipt_id, r.consent_id.clone()),
                        (a.export_categories, category_names(&categories, &chosen, lang)),
                        (a.devices_log_client, r.user_agent.clone()),
                        (a.devices_ip, r.ip_truncated.clone()),
                    ];
                    if r.gpc {
                        list.push(("GPC", a.hist_cookies_gpc.to_string()));
                    }
                    view! {
                        <div class="card">
                            <h3>{when(&r.recorded_at, lang)}</h3>
                            {rows(list)}
                            <p class="muted">{fill(a.export_policy, &[("version", &r.policy_version.to_string())])}</p>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        };

        let sessions = if data.sessions.is_empty() {
            none(a)
        } else {
            data.sessions
                .iter()
                .map(|s| {
                    let mut title = [s.browser.as_str(), s.os.as_str()]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                    if title.is_empty() {
                        title = a.devices_unknown_browser.to_string();
                    }
                    if s.current {
                        title = format!("{title} ({})", a.devices_this_device);
                    }
                    let mut list = vec![
                        (a.devices_ip, s.ip.clone()),
                        (a.devices_started, when(&s.started_at, lang)),
                        (a.devices_last_active, when(&s.last_active_at, lang)),
                    ];
                    if let Some(agent) = &s.user_agent {
                        list.push((a.export_user_agent, agent.clone()));
                    }
                    view! { <div class="card"><h3>{title}</h3>{rows(list)}</div> }
                })
                .collect_view()
                .into_any()
        };

        let security_log = if data.security_log.is_empty() {
            none(a)
        } else {
            let entries = data
                .security_log
                .iter()
                .map(|e| {
                    let client = [e.browser.as_str(), e.os.as_str(), e.ip.as_str()]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    view! {
                        <li>
                            <span class="muted">{when(&e.at, lang)}</span><br/>
                            <strong>{event_name(a, e.event)}</strong><br/>
                            <span class="muted">{client}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="log">{entries}</ol> }.into_any()
        };

        let sign_in = &data.sign_in;
        let mut sign_in_rows = vec![(
            a.sec_two_step_heading,
            match &sign_in.two_step_since {
                Some(since) => format!("{} ({})", a.card_security_on, when(since, lang)),
                None => a.card_security_off.to_string(),
            },
        )];
        if sign_in.two_step_since.is_some() {
            sign_in_rows.push((
                a.codes_list_label,
                fill(
                    a.export_recovery_left,
                    &[("n", &sign_in.recovery_codes_left.to_string())],
                ),
            ));
        }
        let passkeys = if sign_in.passkeys.is_empty() {
            none(a)
        } else {
            sign_in
                .passkeys
                .iter()
                .map(|p| {
                    let mut list = vec![(a.export_added, when(&p.created_at, lang))];
                    if let Some(used) = &p.last_used_at {
                        list.push((a.export_last_used, when(used, lang)));
                    }
                    view! { <div class="card"><h3>{p.name.clone()}</h3>{rows(list)}</div> }
                })
                .collect_view()
                .into_any()
        };

        let letters = if data.letters.is_empty() {
            none(a)
        } else {
            data.letters
                .iter()
                .map(|l| {
                    let sent = l
                        .sent_at
                        .as_deref()
                        .map(|at| when(at, lang))
                        .unwrap_or_else(|| a.export_letter_waiting.to_string());
                    view! {
                        <div class="card">
                            {rows(vec![
                                (a.export_letter_subject, l.subject.clone()),
                                (a.export_letter_to, l.to.clone()),
                                (a.export_letter_queued, when(&l.queued_at, lang)),
                                (a.export_letter_sent, sent),
                            ])}
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        };

        let sections: [(&'static str, &'static str); 11] = [
            ("profile", a.profile_title),
            ("orders", a.ord_title),
            ("promotions", a.promo_title),
            ("subscriptions", a.subs_title),
            ("privacy", a.priv_title),
            ("history", a.hist_title),
            ("receipts", a.export_receipts_heading),
            ("sessions", a.devices_sessions_heading),
            ("security-log", a.devices_log_heading),
            ("sign-in", a.sec_title),
            ("letters", a.export_letters_heading),
        ];
        let contents = sections
            .iter()
            .map(|(id, name)| view! { <li><a href=format!("#{id}")>{*name}</a></li> })
            .collect_view();
        let h2 = move |i: usize| {
            let (id, name) = sections[i];
            view! { <h2 id=id>{name}</h2> }
        };
        let subscriptions = choices(a, &data.choices, &Choice::SUBSCRIPTIONS, lang);
        let privacy = choices(a, &data.choices, &Choice::PRIVACY, lang);
        let title = format!("{} — {}", a.export_title, account.first_name);
        view! {
            <html lang=lang.code()>
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta http-equiv="Content-Security-Policy" content=CSP/>
                    <meta name="color-scheme" content="light dark"/>
                    <meta name="referrer" content="no-referrer"/>
                    <title>{title}</title>
                    <style inner_html=STYLE></style>
                </head>
                <body>
                    <main>
                        <header>
                            <p class="brand">{t.app_name}</p>
                            <h1>{a.export_title}</h1>
                            <p>{fill(a.export_made, &[("time", &when(&data.generated_at, lang))])}</p>
                            <p>{a.export_intro}</p>
                            <p>{fill(a.export_policy, &[("version", &data.policy_version.to_string())])}</p>
                        </header>
                        <nav aria-labelledby="contents">
                            <h2 id="contents">{a.export_contents}</h2>
                            <ol>{contents}</ol>
                        </nav>
                        <section>{h2(0)}{rows(profile_rows)}</section>
                        <section>{h2(1)}{orders}</section>
                        <section>{h2(2)}{promotions}</section>
                        <section>{h2(3)}{subscriptions}</section>
                        <section>{h2(4)}{privacy}</section>
                        <section>{h2(5)}{history}</section>
                        <section>{h2(6)}{receipts}</section>
                        <section>{h2(7)}{sessions}</section>
                        <section>{h2(8)}{security_log}</section>
                        <section>
                            {h2(9)}
                            {rows(sign_in_rows)}
                            <h3>{a.export_passkeys}</h3>
                            {passkeys}
                        </section>
                        <section>{h2(10)}{letters}</section>
                        <footer><p>{a.export_footer}</p></footer>
                    </main>
                </body>
            </html>
        }
    }
}
