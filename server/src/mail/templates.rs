//! Service e-mails about the user's account (policy 3.1, "service messages"): confirmation,
//! welcome, password reset and security notices, each as a plain-text and an HTML part in
//! Russian (the default), Kazakh or English. And the one kind that is not a service message:
//! the newsletter (policy 7.1–7.2), whose footer says why it came and how to stop it.
//!
//! How a letter is built, and why:
//! - The sentences live in `locales/mail.{ru,kk,en}.toml`, one key per sentence; translators
//!   read and edit those and nothing else. The build script turns them into
//!   `fk_api::i18n::MailMessages`, so a sentence missing in one language fails the build, and
//!   compiles them out of the wasm. No sentence is assembled from fragments, because word order
//!   differs between the three languages.
//! - `letters.rs` arranges a kind's sentences, the request's values and its one call to action
//!   into a `Letter`; `layout.rs` lays out any `Letter` as text and as HTML, so all letters
//!   look alike and escaping is done in exactly one place: the layout passes everything it
//!   writes into the HTML part through [`escape_html`], the server's one escaping function
//!   (the no-JavaScript policy and page use it too).
//! - Sentences never contain request values. Their only placeholders are `{contact}`, filled
//!   with [`CONTACT_EMAIL`] so that the address is written once, and the greeting's `{name}`.
//!   Values (names, logins, links, sign-in details) appear only in the greeting, in
//!   label/value rows and in links, put on one line by `one_line` and escaped by the layout.
//!   Subjects are fixed strings, so nothing from a request can reach a mail header; the one
//!   exception, a newsletter's subject, comes from the operator and is put on one line.
//! - A newsletter's body is the operator's text, escaped like any value; it has no button,
//!   and its footer carries the unsubscribe link that its `List-Unsubscribe` headers name.
//! - No letter contains a password: the welcome letter states the login (policy 5.2) and says
//!   that passwords are never sent by e-mail.
use fk_api::account::choices::Choice;

pub use fk_api::CONTACT_EMAIL;

/// A message to send: a service message, or a newsletter. Every string is request-, user- or
/// operator-derived and treated as untrusted.
#[derive(Clone, Copy, Debug)]
pub enum Mail<'a> {
    /// Confirm the address after registration. `link` expires in 24 hours, single use.
    Verify { first_name: &'a str, link: &'a str },
    /// After the address is confirmed: states the login (policy 5.2: the login is sent to the
    /// user's e-mail) and links to the personal section.
    Welcome {
        first_name: &'a str,
        login: &'a str,
        account_link: &'a str,
    },
    /// Someone tried to register with this address, which already has an account. Nothing
    /// changed; if it was you, sign in or reset the password; if not, ignore.
    RegistrationAttempt {
        first_name: &'a str,
        sign_in_link: &'a str,
        recover_link: &'a str,
    },
    /// Password reset link; expires in 30 minutes, single use; if you did not ask, ignore, the
    /// password stays.
    Reset { first_name: &'a str, link: &'a str },
    /// A reset was asked for an address no account has: the owner of that address learns it
    /// (perhaps they registered with another one) and may register. Sent so that asking about
    /// a free address does the same work as asking about a taken one.
    ResetNoAccount { register_link: &'a str },
    /// Your password was changed at `when`; all other sessions were ended; if it was not you,
    /// reset via `recover_link` and write to [`CONTACT_EMAIL`].
    PasswordChanged {
        first_name: &'a str,
        when: &'a str,
        others_ended: bool,
        recover_link: &'a str,
    },
    /// New sign-in: `when` (already formatted, e.g. "24 ноября 2026 г., 14:05 (UTC+5)"), `browser` (e.g.
    /// "Chrome 131"), `device` (e.g. "Windows, computer"), `ip` (truncated, e.g. "203.0.113.x").
    /// If it was not you, change the password via `recover_link`; see your sessions at
    /// `sessions_link`.
    NewSignIn {
        first_name: &'a str,
        when: &'a str,
        browser: &'a str,
        device: &'a str,
        ip: &'a str,
        sessions_link: &'a str,
        recover_link: &'a str,
    },
    /// To the new address of an e-mail change: confirm it (24 hours, single use); until then
    /// the old address stays in force.
    EmailChangeConfirm {
        first_name: &'a str,
        new_email: &'a str,
        link: &'a str,
    },
    /// To the old address of an e-mail change: a change to `new_email` was asked for at
    /// `when`; nothing changes until it is confirmed; if it was not you, recover access.
    EmailChangeNotice {
        first_name: &'a str,
        new_email: &'a str,
        when: &'a str,
        recover_link: &'a str,
    },
    /// The account was deleted at `when` (clause 5.2): what was erased, what was kept without
    /// any link to the person. The one action links to the policy.
    AccountDeleted {
        first_name: &'a str,
        when: &'a str,
        policy_link: &'a str,
    },
    /// How the account is signed into changed at `when` (two-step sign-in on or off, a
    /// recovery code used, new recovery codes, a passkey added or removed); if it was not you,
    /// act at `recover_link` (a new password, or the page of sign-in methods for a passkey).
    SignInSecurity {
        first_name: &'a str,
        change: SecurityChange<'a>,
        when: &'a str,
        recover_link: &'a str,
    },
    /// A letter of the mailing `list` (an e-mail list the user turned on). `subject` and
    /// `body` are the operator's (paragraphs separated by blank lines); `unsubscribe_link`
    /// goes in the footer and in the `List-Unsubscribe` header (RFC 2369, RFC 8058).
    Newsletter {
        first_name: &'a str,
        subject: &'a str,
        body: &'a str,
        unsubscribe_link: &'a str,
        list: Choice,
    },
}

/// What a [`Mail::SignInSecurity`] letter tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityChange<'a> {
    TwoStepOn,
    TwoStepOff,
    /// A recovery code was used to sign in; `left` remain.
    RecoveryCodeUsed {
        left: u32,
    },
    RecoveryCodesRenewed,
    /// The right password, then a wrong code: whoever gave it knows the password.
    SecondStepFailed,
    /// A passkey of this name was added.
    PasskeyAdded {
        name: &'a str,
    },
    /// A passkey of this name was removed.
    PasskeyRemoved {
        name: &'a str,
    },
}

/// Escapes text for HTML element content and quoted attribute values (the no-JS policy's
/// escaping: one function for every piece of HTML the server writes).
pub use crate::policy::noscript::escape as escape_html;

/// A value as it may appear in a letter: on one line, with no control or bidirectional
/// formatting characters. Escaping keeps a value out of the HTML markup; this keeps it from
/// faking extra lines in the text part or reversing the text around it. It matters because a
/// stranger can choose the name in a confirmation letter sent to someone else's address.
pub(super) fn one_line(value: &str) -> String {
    let spoofing = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    let spaced: String = value
        .chars()
        .map(|c| if spoofing(c) { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
