//! Recovery codes as the page shows them: once, right after two-step sign-in is turned on and
//! after new ones are made. The server keeps only their hashes, so the sheet offers every way
//! to keep them (copy, a text file, print) and goes away only when the user says they are saved.
use fk_api::i18n::fill;
use fk_api::AccountMessages;
use leptos::prelude::*;

use super::auth::use_auth;
use super::format::now_unix;
use crate::dom::{copy_text, save_file};
use crate::i18n::use_i18n;

/// The name of the downloaded file.
pub const CODES_FILE: &str = "fortekassa-recovery-codes.txt";

type Label = fn(&'static AccountMessages) -> &'static str;

/// The text file of the codes: what they are, whose, when they were made, and the codes
/// numbered, one a line, so a crossed-out line on paper is a used code.
pub fn codes_file(a: &AccountMessages, login: &str, made: &str, codes: &[String]) -> String {
    let mut text = format!(
        "{}\n{}\n{}\n{}\n\n",
        a.codes_file_title,
        fill(a.codes_file_account, &[("login", login)]),
        fill(a.codes_file_date, &[("date", made)]),
        a.codes_file_note,
    );
    for (n, code) in codes.iter().enumerate() {
        text.push_str(&format!("{:>2}. {code}\n", n + 1));
    }
    text
}

/// The codes with what to do with them. Printing prints this sheet alone (`style/main.css`).
#[component]
pub fn RecoveryCodesSheet(
    codes: Vec<String>,
    /// "I have saved them".
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let codes = StoredValue::new(codes);
    // What became of the last copy or download, said in the live line under the buttons.
    let said = RwSignal::new(None::<String>);
    let say = move |label: Label| said.set(Some(label(i18n.lang.get_untracked().account()).into()));
    let copy = move |_| {
        said.set(None);
        crate::dom::spawn(async move {
            let copied = copy_text(&codes.with_value(|c| c.join("\n"))).await;
            say(if copied {
                |a| a.copied
            } else {
                |a| a.copy_failed
            });
        });
    };
    let download = move |_| {
        let lang = i18n.lang.get_untracked();
        let login = auth
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.account.login.clone()))
            .unwrap_or_default();
        let made = fk_api::dates::format_date_time(now_unix(), lang);
        let text = codes.with_value(|c| codes_file(lang.account(), &login, &made, c));
        said.set(Some(
            match save_file(CODES_FILE, "text/plain;charset=utf-8", &text) {
                Ok(()) => fill(lang.account().data_saved, &[("file", CODES_FILE)]),
                Err(_) => lang.account().copy_failed.to_string(),
            },
        ));
    };
    let print = move |_| {
        let _ = window().print();
    };
    // The sheet appears in place of the button that led to it: its heading takes the focus,
    // so a screen reader starts reading here.
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let a = move |key: Label| i18n.account(key);
    view! {
        <section id="recovery-sheet" class="recovery-sheet" aria-labelledby="recovery-heading">
            <h3 id="recovery-heading" tabindex="-1" node_ref=heading>{a(|a| a.codes_heading)}</h3>
            <p>{a(|a| a.codes_text)}</p>
            <p class="notice notice--warn no-print">{a(|a| a.codes_once)}</p>
            <ol class="recovery-codes" aria-label=a(|a| a.codes_list_label)>
                {codes.get_value().into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <div class="button-row no-print">
                <button type="button" id="recovery-copy" class="button button--quiet" on:click=copy>{a(|a| a.codes_copy)}</button>
                <button type="button" id="recovery-download" class="button button--quiet" on:click=download>{a(|a| a.codes_download)}</button>
                <button type="button" id="recovery-print" class="button button--quiet" on:click=print>{a(|a| a.codes_print)}</button>
            </div>
            <p class="form-status no-print" role="status">{move || said.get()}</p>
            <div class="button-row no-print">
                <button type="button" id="recovery-done" class="button" on:click=move |_| on_done.run(())>{a(|a| a.codes_done)}</button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fk_api::Lang;

    #[test]
    fn the_file_says_what_the_codes_are_and_numbers_them() {
        let codes: Vec<String> = (0..10).map(|n| format!("abcde-fgh{n}k")).collect();
        let text = codes_file(Lang::En.account(), "aigerim", "1 May 2026, 10:00", &codes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ForteKassa: recovery codes for two-step sign-in");
        assert_eq!(lines[1], "Account: aigerim");
        assert_eq!(lines[2], "Made: 1 May 2026, 10:00");
        assert!(lines[3].starts_with("Each code works once."));
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], " 1. abcde-fgh0k");
        assert_eq!(lines[14], "10. abcde-fgh9k");
        assert_eq!(lines.len(), 15);
        for lang in Lang::ALL {
            let text = codes_file(lang.account(), "aigerim", "—", &codes);
            assert!(codes.iter().all(|c| text.contains(c.as_str())), "{lang:?}");
            assert!(!text.contains('{'), "every placeholder filled in {lang:?}");
        }
    }
}
