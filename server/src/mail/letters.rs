//! What each letter says: a kind's sentences, the request's values and its one call to
//! action, in the same order in every language. How it looks is the layout's (`layout.rs`).
use fk_api::account::choices::Choice;
use fk_api::i18n::fill;
use fk_api::Lang;

use super::templates::{one_line, Mail, SecurityChange, CONTACT_EMAIL};

/// One letter in one language, before layout: greeting, blocks, the call to action, more
/// blocks; the layout adds sign-off and footer. A service letter has exactly one call to
/// action (`action()` makes it); a newsletter has none (its one link is in the footer).
pub(super) struct Letter<'a> {
    /// A fixed string, or a newsletter's subject from the operator (put on one line later).
    pub subject: &'a str,
    /// The recipient's first name, cleaned; empty means "greet without a name".
    pub name: String,
    pub before: Vec<Block>,
    pub action: Option<Action>,
    pub after: Vec<Block>,
}

/// Below the rule: what a service letter says, or a newsletter's why and how to stop it.
pub(super) enum Footer {
    Service,
    Mailing {
        why: String,
        lead: String,
        url: String,
        by_mail: String,
    },
}

pub(super) fn footer(mail: &Mail<'_>, lang: Lang) -> Footer {
    match *mail {
        Mail::Newsletter {
            list,
            unsubscribe_link,
            ..
        } => {
            let t = lang.mail();
            let why = if list == Choice::SupportMaterials {
                t.mailing_why_support
            } else {
                t.mailing_why_news
            };
            Footer::Mailing {
                why: sentence(why),
                lead: sentence(t.mailing_unsubscribe_lead),
                url: one_line(unsubscribe_link),
                by_mail: sentence(t.mailing_by_mail),
            }
        }
        _ => Footer::Service,
    }
}

pub(super) enum Block {
    /// A fixed sentence or two.
    Para(String),
    /// Label/value rows: a table in HTML, "Label: value" lines in text.
    Facts(Vec<(&'static str, String)>),
    /// A secondary link: a sentence, then the URL on its own line.
    Link { lead: String, url: String },
    /// A paragraph of the operator's text (a newsletter's body): its lines, each cleaned.
    Text(Vec<String>),
}

/// The one button. In HTML it is followed by its raw URL, for mail clients that break links.
pub(super) struct Action {
    pub label: &'static str,
    pub url: String,
}

/// A sentence of `locales/mail.*.toml` as a letter shows it: `{contact}` is the contact
/// address, so the address is written in one place. Only fixed sentences come here, never a
/// value, so nothing a request chose can be mistaken for a placeholder.
pub(super) fn sentence(text: &'static str) -> String {
    fill(text, &[("contact", CONTACT_EMAIL)])
}

fn para(text: &'static str) -> Block {
    Block::Para(sentence(text))
}

fn facts(rows: &[(&'static str, &str)]) -> Block {
    Block::Facts(
        rows.iter()
            .map(|&(label, value)| (label, one_line(value)))
            .collect(),
    )
}

/// A service letter's call to action (always `Some`: only a newsletter has none).
fn action(label: &'static str, url: &str) -> Option<Action> {
    Some(Action {
        label,
        url: one_line(url),
    })
}

fn link(lead: &'static str, url: &str) -> Block {
    Block::Link {
        lead: sentence(lead),
        url: one_line(url),
    }
}

/// The operator's text as paragraphs (split at blank lines) of cleaned lines.
fn paragraphs(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = Vec::new();
    for line in body.lines().map(one_line) {
        if line.is_empty() {
            if !lines.is_empty() {
                blocks.push(Block::Text(std::mem::take(&mut lines)));
            }
        } else {
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        blocks.push(Block::Text(lines));
    }
    blocks
}

/// Arranges a kind's sentences, values and call to action. The order is the same in every
/// language; only the sentences change.
pub(super) fn compose<'a>(mail: &Mail<'a>, lang: Lang) -> Letter<'a> {
    match *mail {
        Mail::Verify {
            first_name,
            link: url,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.verify_subject,
                name: one_line(first_name),
                before: vec![para(t.verify_intro)],
                action: action(t.verify_button, url),
                after: vec![para(t.verify_expiry), para(t.verify_not_you)],
            }
        }
        Mail::Welcome {
            first_name,
            login,
            account_link,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.welcome_subject,
                name: one_line(first_name),
                before: vec![
                    para(t.welcome_intro),
                    facts(&[(t.welcome_login_label, login)]),
                    para(t.welcome_no_passwords),
                ],
                action: action(t.welcome_button, account_link),
                after: vec![para(t.welcome_account)],
            }
        }
        Mail::RegistrationAttempt {
            first_name,
            sign_in_link,
            recover_link,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.attempt_subject,
                name: one_line(first_name),
                before: vec![para(t.attempt_intro), para(t.attempt_if_you)],
                action: action(t.attempt_button, sign_in_link),
                after: vec![
                    link(t.attempt_recover_lead, recover_link),
                    para(t.attempt_not_you),
                ],
            }
        }
        Mail::Reset {
            first_name,
            link: url,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.reset_subject,
                name: one_line(first_name),
                before: vec![para(t.reset_intro)],
                action: action(t.reset_button, url),
                after: vec![para(t.reset_expiry), para(t.reset_not_you)],
            }
        }
        Mail::ResetNoAccount { register_link } => {
            let t = lang.mail();
            Letter {
                subject: t.no_account_subject,
                name: String::new(),
                before: vec![para(t.no_account_intro)],
                action: action(t.no_account_button, register_link),
                after: vec![para(t.no_account_not_you)],
            }
        }
        Mail::PasswordChanged {
            first_name,
            when,
            others_ended,
            recover_link,
        } => {
            let t = lang.mail();
            let mut before = vec![
                para(t.changed_intro),
                facts(&[(t.changed_when_label, when)]),
            ];
            if others_ended {
                before.push(para(t.changed_others_ended));
            }
            before.extend([para(t.changed_if_you), para(t.changed_not_you)]);
            Letter {
                subject: t.changed_subject,
                name: one_line(first_name),
                before,
                action: action(t.changed_button, recover_link),
                after: vec![],
            }
        }
        Mail::NewSignIn {
            first_name,
            when,
            browser,
            device,
            ip,
            sessions_link,
            recover_link,
        } => {
            let t = lang.mail();
            let rows = [
                (t.sign_in_when_label, when),
                (t.sign_in_browser_label, browser),
                (t.sign_in_device_label, device),
                (t.sign_in_ip_label, ip),
            ];
            Letter {
                subject: t.sign_in_subject,
                name: one_line(first_name),
                before: vec![
                    para(t.sign_in_intro),
                    facts(&rows),
                    para(t.sign_in_if_you),
                    para(t.sign_in_not_you),
                ],
                action: action(t.sign_in_button, recover_link),
                after: vec![link(t.sign_in_sessions_lead, sessions_link)],
            }
        }
        Mail::SignInSecurity {
            first_name,
            change,
            when,
            recover_link,
        } => {
            let t = lang.mail();
            let (subject, intro) = match change {
                SecurityChange::TwoStepOn => (t.two_step_on_subject, t.two_step_on_intro),
                SecurityChange::TwoStepOff => (t.two_step_off_subject, t.two_step_off_intro),
                SecurityChange::RecoveryCodeUsed { .. } => {
                    (t.recovery_used_subject, t.recovery_used_intro)
                }
                SecurityChange::RecoveryCodesRenewed => {
                    (t.recovery_renewed_subject, t.recovery_renewed_intro)
                }
                SecurityChange::SecondStepFailed => {
                    (t.second_step_failed_subject, t.second_step_failed_intro)
                }
                SecurityChange::PasskeyAdded { .. } => {
                    (t.passkey_added_subject, t.passkey_added_intro)
                }
                SecurityChange::PasskeyRemoved { .. } => {
                    (t.passkey_removed_subject, t.passkey_removed_intro)
                }
            };
            let fact = match change {
                SecurityChange::RecoveryCodeUsed { left } => {
                    Some((t.recovery_left_label, left.to_string()))
                }
                SecurityChange::PasskeyAdded { name } | SecurityChange::PasskeyRemoved { name } => {
                    Some((t.passkey_name_label, name.to_string()))
                }
                _ => None,
            };
            let mut rows = vec![(t.changed_when_label, when)];
            if let Some((label, value)) = &fact {
                rows.push((*label, value.as_str()));
            }
            Letter {
                subject,
                name: one_line(first_name),
                before: vec![
                    para(intro),
                    facts(&rows),
                    para(t.changed_if_you),
                    para(t.sign_in_not_you),
                ],
                action: action(t.sign_in_button, recover_link),
                after: vec![],
            }
        }
        Mail::EmailChangeConfirm {
            first_name,
            new_email,
            link: url,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.email_confirm_subject,
                name: one_line(first_name),
                before: vec![
                    para(t.email_confirm_intro),
                    facts(&[(t.email_confirm_address_label, new_email)]),
                ],
                action: action(t.email_confirm_button, url),
                after: vec![para(t.email_confirm_expiry), para(t.email_confirm_not_you)],
            }
        }
        Mail::EmailChangeNotice {
            first_name,
            new_email,
            when,
            recover_link,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.email_notice_subject,
                name: one_line(first_name),
                before: vec![
                    para(t.email_notice_intro),
                    facts(&[
                        (t.email_notice_address_label, new_email),
                        (t.email_notice_when_label, when),
                    ]),
                    para(t.email_notice_until),
                    para(t.email_notice_not_you),
                ],
                action: action(t.email_notice_button, recover_link),
                after: vec![],
            }
        }
        Mail::AccountDeleted {
            first_name,
            when,
            policy_link,
        } => {
            let t = lang.mail();
            Letter {
                subject: t.deleted_subject,
                name: one_line(first_name),
                before: vec![
                    para(t.deleted_intro),
                    facts(&[(t.deleted_when_label, when)]),
                    para(t.deleted_erased),
                    para(t.deleted_kept),
                    para(t.deleted_not_you),
                ],
                action: action(t.deleted_button, policy_link),
                after: vec![],
            }
        }
        Mail::Newsletter {
            first_name,
            subject,
            body,
            ..
        } => Letter {
            subject,
            name: one_line(first_name),
            before: paragraphs(body),
            action: None,
            after: vec![],
        },
    }
}
