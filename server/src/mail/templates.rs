//! Service e-mails about the user's account (policy 3.1, "service messages"): confirmation,
//! welcome, password reset and security notices, each as a plain-text and an HTML part in
//! Russian (the default), Kazakh or English. And the one kind that is not a service message:
//! the newsletter (policy 7.1–7.2), whose footer says why it came and how to stop it.
//!
//! How a letter is built, and why:
//! - Every kind has one struct of fixed sentences per language (`VerifyText`, …). Translators
//!   read and edit those and nothing else; no sentence is assembled from fragments, because
//!   word order differs between the three languages.
//! - `compose` arranges a kind's sentences, the request's values and its one call to action
//!   into a `Letter`; `text` and `html` lay out any `Letter`, so all letters look alike and
//!   escaping is done in exactly one place.
//! - Sentences never contain values. Values (names, logins, links, sign-in details) appear
//!   only in the greeting, in label/value rows and in links, where the layout escapes them.
//!   Subjects are fixed strings, so nothing from a request can reach a mail header; the one
//!   exception, a newsletter's subject, comes from the operator and is put on one line.
//! - A newsletter's body is the operator's text, escaped like any value; it has no button,
//!   and its footer carries the unsubscribe link that its `List-Unsubscribe` headers name.
//! - No letter contains a password: the welcome letter states the login (policy 5.2) and says
//!   that passwords are never sent by e-mail.
use fk_api::account::choices::Choice;
use fk_api::Lang;

/// The address users write to; the footer of every letter and the "not you?" advice name it.
pub const CONTACT_EMAIL: &str = "info@fortekassa.kz";

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
    /// reset via `recover_link` and write to info@fortekassa.kz.
    PasswordChanged {
        first_name: &'a str,
        when: &'a str,
        others_ended: bool,
        recover_link: &'a str,
    },
    /// New sign-in: `when` (already formatted, e.g. "24.11.2026 14:05 UTC"), `browser` (e.g.
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

/// A letter ready for a multipart/alternative message. Lines end in `\n`; the mail library
/// turns them into CRLF on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Headers besides From, To, Subject and the MIME ones: (name, value), ASCII names.
    /// Service mail has none; a newsletter has its unsubscribe headers.
    pub extra_headers: Vec<(String, String)>,
}

/// Renders `mail` in `lang`.
pub fn render(mail: &Mail<'_>, lang: Lang) -> Rendered {
    let letter = compose(mail, lang);
    let frame = Frame::of(lang);
    let footer = footer(mail, lang);
    let extra_headers = match *mail {
        Mail::Newsletter {
            unsubscribe_link, ..
        } => vec![
            (
                "List-Unsubscribe".to_string(),
                format!("<{}>", one_line(unsubscribe_link)),
            ),
            (
                "List-Unsubscribe-Post".to_string(),
                "List-Unsubscribe=One-Click".to_string(),
            ),
        ],
        _ => Vec::new(),
    };
    Rendered {
        subject: one_line(letter.subject),
        text: text(&letter, frame, &footer),
        html: html(&letter, frame, lang, &footer),
        extra_headers,
    }
}

/// Escapes text for HTML element content and quoted attribute values (the no-JS policy's
/// escaping: one function for every piece of HTML the server writes).
pub use crate::policy::noscript::escape as escape_html;

/// A value as it may appear in a letter: on one line, with no control or bidirectional
/// formatting characters. Escaping keeps a value out of the HTML markup; this keeps it from
/// faking extra lines in the text part or reversing the text around it. It matters because a
/// stranger can choose the name in a confirmation letter sent to someone else's address.
fn one_line(value: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// Structure of a letter
// ---------------------------------------------------------------------------------------------

/// One letter in one language, before layout: greeting, blocks, the call to action, more
/// blocks; the frame adds sign-off and footer. A service letter has exactly one call to
/// action (`action()` makes it); a newsletter has none (its one link is in the footer).
struct Letter<'a> {
    /// A fixed string, or a newsletter's subject from the operator (put on one line later).
    subject: &'a str,
    /// The recipient's first name, cleaned; empty means "greet without a name".
    name: String,
    before: Vec<Block>,
    action: Option<Action>,
    after: Vec<Block>,
}

/// Below the rule: what a service letter says, or a newsletter's why and how to stop it.
enum Footer {
    Service,
    Mailing {
        why: &'static str,
        lead: &'static str,
        url: String,
        by_mail: &'static str,
    },
}

fn footer(mail: &Mail<'_>, lang: Lang) -> Footer {
    match *mail {
        Mail::Newsletter {
            list,
            unsubscribe_link,
            ..
        } => {
            let t = MailingText::of(lang);
            let why = if list == Choice::SupportMaterials {
                t.why_support
            } else {
                t.why_news
            };
            Footer::Mailing {
                why,
                lead: t.unsubscribe_lead,
                url: one_line(unsubscribe_link),
                by_mail: t.by_mail,
            }
        }
        _ => Footer::Service,
    }
}

enum Block {
    /// A fixed sentence or two.
    Para(&'static str),
    /// Label/value rows: a table in HTML, "Label: value" lines in text.
    Facts(Vec<(&'static str, String)>),
    /// A secondary link: a sentence, then the URL on its own line.
    Link { lead: &'static str, url: String },
    /// A paragraph of the operator's text (a newsletter's body): its lines, each cleaned.
    Text(Vec<String>),
}

/// The one button. In HTML it is followed by its raw URL, for mail clients that break links.
struct Action {
    label: &'static str,
    url: String,
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
        lead,
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
fn compose<'a>(mail: &Mail<'a>, lang: Lang) -> Letter<'a> {
    use Block::Para;
    match *mail {
        Mail::Verify {
            first_name,
            link: url,
        } => {
            let t = VerifyText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![Para(t.intro)],
                action: action(t.button, url),
                after: vec![Para(t.expiry), Para(t.not_you)],
            }
        }
        Mail::Welcome {
            first_name,
            login,
            account_link,
        } => {
            let t = WelcomeText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![
                    Para(t.intro),
                    facts(&[(t.login_label, login)]),
                    Para(t.no_passwords),
                ],
                action: action(t.button, account_link),
                after: vec![Para(t.account)],
            }
        }
        Mail::RegistrationAttempt {
            first_name,
            sign_in_link,
            recover_link,
        } => {
            let t = AttemptText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![Para(t.intro), Para(t.if_you)],
                action: action(t.button, sign_in_link),
                after: vec![link(t.recover_lead, recover_link), Para(t.not_you)],
            }
        }
        Mail::Reset {
            first_name,
            link: url,
        } => {
            let t = ResetText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![Para(t.intro)],
                action: action(t.button, url),
                after: vec![Para(t.expiry), Para(t.not_you)],
            }
        }
        Mail::ResetNoAccount { register_link } => {
            let t = NoAccountText::of(lang);
            Letter {
                subject: t.subject,
                name: String::new(),
                before: vec![Para(t.intro)],
                action: action(t.button, register_link),
                after: vec![Para(t.not_you)],
            }
        }
        Mail::PasswordChanged {
            first_name,
            when,
            others_ended,
            recover_link,
        } => {
            let t = ChangedText::of(lang);
            let mut before = vec![Para(t.intro), facts(&[(t.when_label, when)])];
            if others_ended {
                before.push(Para(t.others_ended));
            }
            before.extend([Para(t.if_you), Para(t.not_you)]);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before,
                action: action(t.button, recover_link),
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
            let t = SignInText::of(lang);
            let rows = [
                (t.when_label, when),
                (t.browser_label, browser),
                (t.device_label, device),
                (t.ip_label, ip),
            ];
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![Para(t.intro), facts(&rows), Para(t.if_you), Para(t.not_you)],
                action: action(t.button, recover_link),
                after: vec![link(t.sessions_lead, sessions_link)],
            }
        }
        Mail::EmailChangeConfirm {
            first_name,
            new_email,
            link: url,
        } => {
            let t = EmailConfirmText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![Para(t.intro), facts(&[(t.address_label, new_email)])],
                action: action(t.button, url),
                after: vec![Para(t.expiry), Para(t.not_you)],
            }
        }
        Mail::EmailChangeNotice {
            first_name,
            new_email,
            when,
            recover_link,
        } => {
            let t = EmailNoticeText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![
                    Para(t.intro),
                    facts(&[(t.address_label, new_email), (t.when_label, when)]),
                    Para(t.until),
                    Para(t.not_you),
                ],
                action: action(t.button, recover_link),
                after: vec![],
            }
        }
        Mail::AccountDeleted {
            first_name,
            when,
            policy_link,
        } => {
            let t = DeletedText::of(lang);
            Letter {
                subject: t.subject,
                name: one_line(first_name),
                before: vec![
                    Para(t.intro),
                    facts(&[(t.when_label, when)]),
                    Para(t.erased),
                    Para(t.kept),
                    Para(t.not_you),
                ],
                action: action(t.button, policy_link),
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

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// The plain-text part: paragraphs separated by blank lines, every link alone on its line so
/// that clients make it clickable and nothing sticks to it.
fn text(letter: &Letter, frame: &Frame, footer: &Footer) -> String {
    let mut parts = vec![frame.greeting(&letter.name)];
    let blocks = |blocks: &[Block], parts: &mut Vec<String>| {
        for block in blocks {
            parts.push(match block {
                Block::Para(p) => p.to_string(),
                Block::Facts(rows) => rows
                    .iter()
                    .map(|(label, value)| format!("{label}: {value}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Block::Link { lead, url } => format!("{lead}\n{url}"),
                Block::Text(lines) => lines.join("\n"),
            });
        }
    };
    blocks(&letter.before, &mut parts);
    if let Some(action) = &letter.action {
        parts.push(format!("{}:\n{}", action.label, action.url));
    }
    blocks(&letter.after, &mut parts);
    parts.push(frame.sign_off.to_string());
    parts.push(match footer {
        Footer::Service => format!(
            "---\n{}\n{}\n{}",
            frame.service_notice, frame.contact, frame.operator
        ),
        Footer::Mailing {
            why,
            lead,
            url,
            by_mail,
        } => format!("---\n{why}\n{lead}\n{url}\n{by_mail}\n{}", frame.operator),
    });
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

// Inline styles only: many mail clients drop <style> and never load external CSS. Text colour
// and page background are left to the client so that its dark mode works; the one element
// with a background (the button) sets its text colour too. Colours are the site's accent and
// border (style/main.css).
const WRAPPER: &str = "max-width:600px;margin:0 auto;padding:24px 16px;\
font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;";
const PARA: &str = "margin:0 0 16px;";
const TABLE: &str = "margin:0 0 16px;border-collapse:collapse;";
const TH: &str = "padding:2px 16px 2px 0;text-align:left;vertical-align:top;font-weight:normal;";
const TD: &str = "padding:2px 0;vertical-align:top;font-weight:bold;";
const BUTTON_PARA: &str = "margin:24px 0 8px;";
const BUTTON: &str = "display:inline-block;padding:12px 24px;border-radius:6px;\
background-color:#0b5d4b;color:#ffffff;font-weight:bold;text-decoration:none;";
const HINT: &str = "margin:0 0 24px;font-size:14px;";
const RAW_URL: &str = "word-break:break-all;overflow-wrap:anywhere;";
const RULE: &str = "margin:32px 0 16px;border:0;border-top:1px solid #c9d1cf;";
const FOOTER: &str = "margin:0 0 8px;font-size:13px;";

/// The HTML part. Everything written into it, fixed sentences included, goes through
/// `escape_html`, so no sentence or value can ever be read as markup.
fn html(letter: &Letter, frame: &Frame, lang: Lang, footer: &Footer) -> String {
    let e = escape_html;
    let mut body = String::new();
    let push_blocks = |blocks: &[Block], body: &mut String| {
        for block in blocks {
            match block {
                Block::Para(p) => body.push_str(&format!("<p style=\"{PARA}\">{}</p>\n", e(p))),
                Block::Facts(rows) => {
                    body.push_str(&format!("<table style=\"{TABLE}\">\n"));
                    for (label, value) in rows {
                        body.push_str(&format!(
                            "<tr><th scope=\"row\" style=\"{TH}\">{}</th><td style=\"{TD}\">{}</td></tr>\n",
                            e(label),
                            e(value)
                        ));
                    }
                    body.push_str("</table>\n");
                }
                Block::Link { lead, url } => body.push_str(&format!(
                    "<p style=\"{PARA}\">{}<br>\n<a href=\"{url}\" style=\"{RAW_URL}\">{url}</a></p>\n",
                    e(lead),
                    url = e(url)
                )),
                Block::Text(lines) => body.push_str(&format!(
                    "<p style=\"{PARA}\">{}</p>\n",
                    lines.iter().map(|l| e(l)).collect::<Vec<_>>().join("<br>\n")
                )),
            }
        }
    };
    push_blocks(&letter.before, &mut body);
    if let Some(action) = &letter.action {
        body.push_str(&format!(
            "<p style=\"{BUTTON_PARA}\"><a href=\"{url}\" style=\"{BUTTON}\">{}</a></p>\n\
             <p style=\"{HINT}\">{}<br>\n<a href=\"{url}\" style=\"{RAW_URL}\">{url}</a></p>\n",
            e(action.label),
            e(frame.copy_hint),
            url = e(&action.url)
        ));
    }
    push_blocks(&letter.after, &mut body);
    let footer = match footer {
        Footer::Service => format!(
            "<p style=\"{FOOTER}\">{}</p>\n<p style=\"{FOOTER}\">{}</p>\n",
            e(frame.service_notice),
            e(frame.contact)
        ),
        Footer::Mailing {
            why,
            lead,
            url,
            by_mail,
        } => format!(
            "<p style=\"{FOOTER}\">{}</p>\n\
             <p style=\"{FOOTER}\">{}<br>\n<a href=\"{url}\" style=\"{RAW_URL}\">{url}</a></p>\n\
             <p style=\"{FOOTER}\">{}</p>\n",
            e(why),
            e(lead),
            e(by_mail),
            url = e(url)
        ),
    };

    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{lang}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"supported-color-schemes\" content=\"light dark\">\n\
         <title>{subject}</title>\n\
         </head>\n\
         <body style=\"margin:0;padding:0;\">\n\
         <div style=\"{WRAPPER}\">\n\
         <p style=\"{PARA}\">{greeting}</p>\n\
         {body}\
         <p style=\"{PARA}\">{sign_off}</p>\n\
         <hr style=\"{RULE}\">\n\
         {footer}\
         <p style=\"{FOOTER}\">{operator}</p>\n\
         </div>\n\
         </body>\n\
         </html>\n",
        lang = lang.code(),
        subject = e(&one_line(letter.subject)),
        greeting = e(&frame.greeting(&letter.name)),
        sign_off = e(frame.sign_off),
        operator = e(frame.operator),
    )
}

// ---------------------------------------------------------------------------------------------
// Sentences. Only these need a translator; keep the three languages of a struct together.
// ---------------------------------------------------------------------------------------------

/// What every letter of a language shares: greeting, sign-off and footer.
struct Frame {
    /// Greeting around a name: `{greeting_before}{name}{greeting_after}`.
    greeting_before: &'static str,
    greeting_after: &'static str,
    /// Greeting when the name is unknown or empty.
    greeting_nameless: &'static str,
    /// Under the button, before the raw URL (HTML only: the text part has no button).
    copy_hint: &'static str,
    sign_off: &'static str,
    /// Policy 3.1 and 7.2: service messages, unlike mailings, cannot be turned off.
    service_notice: &'static str,
    contact: &'static str,
    /// The operator as the policy (clause 1.1) and the site footer name it.
    operator: &'static str,
}

impl Frame {
    fn of(lang: Lang) -> &'static Frame {
        match lang {
            Lang::Ru => &Frame {
                greeting_before: "Здравствуйте, ",
                greeting_after: "!",
                greeting_nameless: "Здравствуйте!",
                copy_hint: "Если кнопка не открывается, скопируйте ссылку в адресную строку браузера:",
                sign_off: "Команда ForteKassa",
                service_notice: "Это служебное сообщение о вашей учётной записи ForteKassa, отписаться от таких сообщений нельзя.",
                contact: "Если у вас есть вопросы, напишите нам: info@fortekassa.kz",
                operator: "Администратор сервиса: ТОО «One Technologies», Республика Казахстан",
            },
            Lang::Kk => &Frame {
                greeting_before: "Сәлеметсіз бе, ",
                greeting_after: "!",
                greeting_nameless: "Сәлеметсіз бе!",
                copy_hint: "Егер батырма ашылмаса, сілтемені көшіріп, браузердің мекенжай жолына қойыңыз:",
                sign_off: "ForteKassa командасы",
                service_notice: "Бұл — ForteKassa есептік жазбаңыз туралы қызметтік хабарлама, мұндай хабарламалардан бас тарту мүмкін емес.",
                contact: "Сұрақтарыңыз болса, бізге жазыңыз: info@fortekassa.kz",
                operator: "Сервис әкімшісі: «One Technologies» ЖШС, Қазақстан Республикасы",
            },
            Lang::En => &Frame {
                greeting_before: "Hello ",
                greeting_after: ",",
                greeting_nameless: "Hello,",
                copy_hint: "If the button does not work, copy this link into your browser’s address bar:",
                sign_off: "The ForteKassa team",
                service_notice: "This is a service message about your ForteKassa account; you cannot unsubscribe from such messages.",
                contact: "If you have any questions, write to us at info@fortekassa.kz",
                operator: "Service administrator: One Technologies LLP, Republic of Kazakhstan",
            },
        }
    }

    fn greeting(&self, name: &str) -> String {
        if name.is_empty() {
            self.greeting_nameless.to_string()
        } else {
            format!("{}{name}{}", self.greeting_before, self.greeting_after)
        }
    }
}

struct VerifyText {
    subject: &'static str,
    intro: &'static str,
    button: &'static str,
    expiry: &'static str,
    not_you: &'static str,
}

impl VerifyText {
    fn of(lang: Lang) -> &'static VerifyText {
        match lang {
            Lang::Ru => &VerifyText {
                subject: "Подтвердите адрес электронной почты",
                intro: "Вы зарегистрировались в ForteKassa. Чтобы завершить регистрацию, подтвердите, что это ваш адрес электронной почты.",
                button: "Подтвердить адрес",
                expiry: "Ссылка действует 24 часа, воспользоваться ею можно один раз.",
                not_you: "Если вы не регистрировались в ForteKassa, просто проигнорируйте это письмо.",
            },
            Lang::Kk => &VerifyText {
                subject: "Электрондық пошта мекенжайыңызды растаңыз",
                intro: "Сіз ForteKassa сервисінде тіркелдіңіз. Тіркелуді аяқтау үшін бұл электрондық пошта мекенжайы сіздікі екенін растаңыз.",
                button: "Мекенжайды растау",
                expiry: "Сілтеме 24 сағат бойы жарамды, оны бір рет қана пайдалануға болады.",
                not_you: "Егер сіз ForteKassa сервисінде тіркелмеген болсаңыз, бұл хатты елемеңіз.",
            },
            Lang::En => &VerifyText {
                subject: "Confirm your e-mail address",
                intro: "You have signed up for ForteKassa. To finish signing up, please confirm that this e-mail address is yours.",
                button: "Confirm address",
                expiry: "The link is valid for 24 hours and can be used only once.",
                not_you: "If you did not sign up for ForteKassa, simply ignore this e-mail.",
            },
        }
    }
}

struct WelcomeText {
    subject: &'static str,
    intro: &'static str,
    login_label: &'static str,
    /// Policy 5.2 promises the login by e-mail; the password never travels by e-mail.
    no_passwords: &'static str,
    button: &'static str,
    account: &'static str,
}

impl WelcomeText {
    fn of(lang: Lang) -> &'static WelcomeText {
        match lang {
            Lang::Ru => &WelcomeText {
                subject: "Добро пожаловать в ForteKassa",
                intro: "Адрес электронной почты подтверждён, ваша учётная запись готова к работе.",
                login_label: "Ваш логин",
                no_passwords: "Пароли мы по почте не отправляем: для входа используйте пароль, который вы задали при регистрации.",
                button: "Открыть личный раздел",
                account: "В личном разделе собраны ваши данные и настройки учётной записи.",
            },
            Lang::Kk => &WelcomeText {
                subject: "ForteKassa-ға қош келдіңіз",
                intro: "Электрондық пошта мекенжайыңыз расталды, есептік жазбаңыз пайдалануға дайын.",
                login_label: "Логиніңіз",
                no_passwords: "Біз құпиясөзді поштамен жібермейміз: кіру үшін тіркелу кезінде өзіңіз орнатқан құпиясөзді пайдаланыңыз.",
                button: "Жеке бөлімді ашу",
                account: "Жеке бөлімде деректеріңіз бен есептік жазба баптаулары жинақталған.",
            },
            Lang::En => &WelcomeText {
                subject: "Welcome to ForteKassa",
                intro: "Your e-mail address is confirmed and your account is ready to use.",
                login_label: "Your login",
                no_passwords: "We never send passwords by e-mail: to sign in, use the password you chose when you signed up.",
                button: "Open your personal section",
                account: "Your personal section holds your data and your account settings.",
            },
        }
    }
}

struct AttemptText {
    subject: &'static str,
    intro: &'static str,
    if_you: &'static str,
    button: &'static str,
    recover_lead: &'static str,
    not_you: &'static str,
}

impl AttemptText {
    fn of(lang: Lang) -> &'static AttemptText {
        match lang {
            Lang::Ru => &AttemptText {
                subject: "Попытка регистрации с вашим адресом",
                intro: "Кто-то попытался зарегистрироваться в ForteKassa с этим адресом электронной почты. Учётная запись с этим адресом уже есть, поэтому ничего не изменилось.",
                if_you: "Если это были вы, просто войдите в свою учётную запись.",
                button: "Войти",
                recover_lead: "Если вы не помните пароль, восстановите его по ссылке:",
                not_you: "Если это были не вы, проигнорируйте это письмо.",
            },
            Lang::Kk => &AttemptText {
                subject: "Мекенжайыңызбен тіркелу әрекеті",
                intro: "Біреу осы электрондық пошта мекенжайымен ForteKassa сервисінде тіркелмек болды. Бұл мекенжайға есептік жазба бұрыннан тіркелген, сондықтан ештеңе өзгерген жоқ.",
                if_you: "Егер бұл сіз болсаңыз, есептік жазбаңызға кіріңіз.",
                button: "Кіру",
                recover_lead: "Құпиясөзді ұмытып қалсаңыз, оны мына сілтеме арқылы қалпына келтіріңіз:",
                not_you: "Егер бұл сіз болмасаңыз, бұл хатты елемеңіз.",
            },
            Lang::En => &AttemptText {
                subject: "Someone tried to sign up with your address",
                intro: "Someone tried to sign up for ForteKassa with this e-mail address. An account with this address already exists, so nothing has changed.",
                if_you: "If it was you, simply sign in to your account.",
                button: "Sign in",
                recover_lead: "If you have forgotten your password, you can reset it here:",
                not_you: "If it was not you, you can ignore this e-mail.",
            },
        }
    }
}

struct ResetText {
    subject: &'static str,
    intro: &'static str,
    button: &'static str,
    expiry: &'static str,
    not_you: &'static str,
}

impl ResetText {
    fn of(lang: Lang) -> &'static ResetText {
        match lang {
            Lang::Ru => &ResetText {
                subject: "Восстановление пароля",
                intro: "Мы получили запрос на сброс пароля к вашей учётной записи ForteKassa. Чтобы задать новый пароль, перейдите по ссылке.",
                button: "Задать новый пароль",
                expiry: "Ссылка действует 30 минут, воспользоваться ею можно один раз.",
                not_you: "Если вы не запрашивали сброс пароля, проигнорируйте это письмо — пароль останется прежним.",
            },
            Lang::Kk => &ResetText {
                subject: "Құпиясөзді қалпына келтіру",
                intro: "ForteKassa есептік жазбаңыздың құпиясөзін қалпына келтіру туралы сұраныс алдық. Жаңа құпиясөз орнату үшін сілтемеге өтіңіз.",
                button: "Жаңа құпиясөз орнату",
                expiry: "Сілтеме 30 минут бойы жарамды, оны бір рет қана пайдалануға болады.",
                not_you: "Егер сіз мұны сұрамаған болсаңыз, бұл хатты елемеңіз — құпиясөзіңіз өзгермейді.",
            },
            Lang::En => &ResetText {
                subject: "Reset your password",
                intro: "We received a request to reset the password for your ForteKassa account. To choose a new password, follow the link below.",
                button: "Choose a new password",
                expiry: "The link is valid for 30 minutes and can be used only once.",
                not_you: "If you did not ask for this, ignore this e-mail — your password will stay the same.",
            },
        }
    }
}

struct NoAccountText {
    subject: &'static str,
    intro: &'static str,
    button: &'static str,
    not_you: &'static str,
}

impl NoAccountText {
    fn of(lang: Lang) -> &'static NoAccountText {
        match lang {
            Lang::Ru => &NoAccountText {
                subject: "Восстановление пароля",
                intro: "Мы получили запрос на сброс пароля для этого адреса электронной почты, но учётной записи ForteKassa с этим адресом нет. Возможно, вы регистрировались с другим адресом.",
                button: "Зарегистрироваться",
                not_you: "Если вы не запрашивали сброс пароля, проигнорируйте это письмо.",
            },
            Lang::Kk => &NoAccountText {
                subject: "Құпиясөзді қалпына келтіру",
                intro: "Осы электрондық пошта мекенжайы үшін құпиясөзді қалпына келтіру туралы сұраныс алдық, бірақ бұл мекенжаймен тіркелген ForteKassa есептік жазбасы жоқ. Мүмкін, сіз басқа мекенжаймен тіркелген шығарсыз.",
                button: "Тіркелу",
                not_you: "Егер сіз мұны сұрамаған болсаңыз, бұл хатты елемеңіз.",
            },
            Lang::En => &NoAccountText {
                subject: "Reset your password",
                intro: "We received a request to reset the password for this e-mail address, but there is no ForteKassa account with this address. Perhaps you signed up with another address.",
                button: "Sign up",
                not_you: "If you did not ask for this, ignore this e-mail.",
            },
        }
    }
}

struct ChangedText {
    subject: &'static str,
    intro: &'static str,
    others_ended: &'static str,
    when_label: &'static str,
    if_you: &'static str,
    not_you: &'static str,
    button: &'static str,
}

impl ChangedText {
    fn of(lang: Lang) -> &'static ChangedText {
        match lang {
            Lang::Ru => &ChangedText {
                subject: "Пароль изменён",
                intro: "Пароль к вашей учётной записи ForteKassa изменён.",
                others_ended: "Все остальные сеансы завершены: на других устройствах нужно будет войти заново.",
                when_label: "Дата и время",
                if_you: "Если это были вы, больше ничего делать не нужно.",
                not_you: "Если вы не меняли пароль, сразу восстановите доступ по ссылке ниже и напишите нам на info@fortekassa.kz.",
                button: "Восстановить доступ",
            },
            Lang::Kk => &ChangedText {
                subject: "Құпиясөз өзгертілді",
                intro: "ForteKassa есептік жазбаңыздың құпиясөзі өзгертілді.",
                others_ended: "Қалған барлық сеанстар аяқталды: басқа құрылғыларда қайта кіру қажет болады.",
                when_label: "Күні мен уақыты",
                if_you: "Егер мұны өзіңіз жасасаңыз, басқа ештеңе істеудің қажеті жоқ.",
                not_you: "Егер құпиясөзді сіз өзгертпеген болсаңыз, төмендегі сілтеме арқылы қолжетімділікті дереу қалпына келтіріп, бізге info@fortekassa.kz мекенжайына жазыңыз.",
                button: "Қолжетімділікті қалпына келтіру",
            },
            Lang::En => &ChangedText {
                subject: "Your password was changed",
                intro: "The password for your ForteKassa account was changed.",
                others_ended: "All your other sessions have been ended, so you will need to sign in again on other devices.",
                when_label: "Date and time",
                if_you: "If this was you, there is nothing else to do.",
                not_you: "If you did not change your password, recover access right away using the link below and write to us at info@fortekassa.kz.",
                button: "Recover access",
            },
        }
    }
}

struct SignInText {
    subject: &'static str,
    intro: &'static str,
    when_label: &'static str,
    browser_label: &'static str,
    device_label: &'static str,
    ip_label: &'static str,
    if_you: &'static str,
    not_you: &'static str,
    button: &'static str,
    sessions_lead: &'static str,
}

impl SignInText {
    fn of(lang: Lang) -> &'static SignInText {
        match lang {
            Lang::Ru => &SignInText {
                subject: "Новый вход в учётную запись ForteKassa",
                intro: "В вашу учётную запись ForteKassa выполнен вход:",
                when_label: "Дата и время",
                browser_label: "Браузер",
                device_label: "Устройство",
                ip_label: "IP-адрес",
                if_you: "Если это были вы, ничего делать не нужно.",
                not_you: "Если это были не вы, сразу смените пароль:",
                button: "Сменить пароль",
                sessions_lead: "Все активные сеансы можно посмотреть в личном разделе:",
            },
            Lang::Kk => &SignInText {
                subject: "ForteKassa есептік жазбаңызға жаңа кіру",
                intro: "ForteKassa есептік жазбаңызға кіру орындалды:",
                when_label: "Күні мен уақыты",
                browser_label: "Браузер",
                device_label: "Құрылғы",
                ip_label: "IP мекенжайы",
                if_you: "Егер бұл сіз болсаңыз, ештеңе істеудің қажеті жоқ.",
                not_you: "Егер бұл сіз болмасаңыз, құпиясөзді дереу өзгертіңіз:",
                button: "Құпиясөзді өзгерту",
                sessions_lead: "Барлық белсенді сеанстарыңызды жеке бөлімде көре аласыз:",
            },
            Lang::En => &SignInText {
                subject: "New sign-in to your ForteKassa account",
                intro: "There was a new sign-in to your ForteKassa account:",
                when_label: "Date and time",
                browser_label: "Browser",
                device_label: "Device",
                ip_label: "IP address",
                if_you: "If this was you, there is nothing to do.",
                not_you: "If it was not you, change your password right away:",
                button: "Change password",
                sessions_lead: "You can see all your active sessions in your personal section:",
            },
        }
    }
}

struct EmailConfirmText {
    subject: &'static str,
    intro: &'static str,
    address_label: &'static str,
    button: &'static str,
    expiry: &'static str,
    not_you: &'static str,
}

impl EmailConfirmText {
    fn of(lang: Lang) -> &'static EmailConfirmText {
        match lang {
            Lang::Ru => &EmailConfirmText {
                subject: "Подтвердите новый адрес электронной почты",
                intro: "Вы указали этот адрес как новый адрес своей учётной записи ForteKassa. Подтвердите его, чтобы он начал действовать.",
                address_label: "Новый адрес",
                button: "Подтвердить адрес",
                expiry: "Ссылка действует 24 часа и только один раз. Пока вы её не откроете, действует прежний адрес.",
                not_you: "Если вы не меняли адрес, просто проигнорируйте это письмо: ничего не изменится.",
            },
            Lang::Kk => &EmailConfirmText {
                subject: "Жаңа электрондық пошта мекенжайын растаңыз",
                intro: "Сіз бұл мекенжайды ForteKassa есептік жазбаңыздың жаңа мекенжайы ретінде көрсеттіңіз. Ол күшіне енуі үшін оны растаңыз.",
                address_label: "Жаңа мекенжай",
                button: "Мекенжайды растау",
                expiry: "Сілтеме 24 сағат бойы және тек бір рет жарамды. Сіз оны ашпайынша, бұрынғы мекенжай күшінде қалады.",
                not_you: "Егер сіз мекенжайды өзгертпеген болсаңыз, бұл хатты елемеңіз: ештеңе өзгермейді.",
            },
            Lang::En => &EmailConfirmText {
                subject: "Confirm your new e-mail address",
                intro: "You gave this address as the new address of your ForteKassa account. Confirm it to make it take effect.",
                address_label: "New address",
                button: "Confirm the address",
                expiry: "The link works for 24 hours and only once. Until you open it, your previous address stays in force.",
                not_you: "If you did not change your address, just ignore this letter: nothing will change.",
            },
        }
    }
}

struct EmailNoticeText {
    subject: &'static str,
    intro: &'static str,
    address_label: &'static str,
    when_label: &'static str,
    until: &'static str,
    not_you: &'static str,
    button: &'static str,
}

impl EmailNoticeText {
    fn of(lang: Lang) -> &'static EmailNoticeText {
        match lang {
            Lang::Ru => &EmailNoticeText {
                subject: "Запрошена смена адреса электронной почты",
                intro: "Для вашей учётной записи ForteKassa запрошена смена адреса электронной почты.",
                address_label: "Новый адрес",
                when_label: "Дата и время",
                until: "Пока новый адрес не подтверждён по ссылке из письма, отправленного на него, действует этот адрес.",
                not_you: "Если это были не вы, сразу смените пароль по ссылке ниже и напишите нам на info@fortekassa.kz.",
                button: "Сменить пароль",
            },
            Lang::Kk => &EmailNoticeText {
                subject: "Электрондық пошта мекенжайын өзгерту сұралды",
                intro: "ForteKassa есептік жазбаңыз үшін электрондық пошта мекенжайын өзгерту сұралды.",
                address_label: "Жаңа мекенжай",
                when_label: "Күні мен уақыты",
                until: "Жаңа мекенжай оған жіберілген хаттағы сілтеме арқылы расталмайынша, осы мекенжай күшінде қалады.",
                not_you: "Егер мұны сіз жасамаған болсаңыз, төмендегі сілтеме арқылы құпиясөзді дереу өзгертіп, бізге info@fortekassa.kz мекенжайына жазыңыз.",
                button: "Құпиясөзді өзгерту",
            },
            Lang::En => &EmailNoticeText {
                subject: "A change of your e-mail address was requested",
                intro: "A change of the e-mail address of your ForteKassa account was requested.",
                address_label: "New address",
                when_label: "Date and time",
                until: "Until the new address is confirmed through the letter sent to it, this address stays in force.",
                not_you: "If this was not you, change your password right away using the link below and write to us at info@fortekassa.kz.",
                button: "Change password",
            },
        }
    }
}

struct DeletedText {
    subject: &'static str,
    intro: &'static str,
    when_label: &'static str,
    erased: &'static str,
    kept: &'static str,
    not_you: &'static str,
    button: &'static str,
}

impl DeletedText {
    fn of(lang: Lang) -> &'static DeletedText {
        match lang {
            Lang::Ru => &DeletedText {
                subject: "Ваша учётная запись удалена",
                intro: "По вашему запросу учётная запись ForteKassa удалена (пункт 5.2 Политики конфиденциальности).",
                when_label: "Дата и время",
                erased: "Мы стёрли ваш профиль, адрес электронной почты, логин, телефон, пароль, сеансы, подписки, настройки конфиденциальности и журнал безопасности. Логин и адрес снова свободны.",
                kept: "Заказы и записи о согласии на cookie, которые мы обязаны хранить, остались без какой-либо связи с вами: без имени, адреса, логина и телефона.",
                not_you: "Если вы не удаляли учётную запись, напишите нам на info@fortekassa.kz.",
                button: "Политика конфиденциальности",
            },
            Lang::Kk => &DeletedText {
                subject: "Есептік жазбаңыз жойылды",
                intro: "Сіздің сұрауыңыз бойынша ForteKassa есептік жазбасы жойылды (Құпиялылық саясатының 5.2-тармағы).",
                when_label: "Күні мен уақыты",
                erased: "Біз сіздің профиліңізді, электрондық пошта мекенжайыңызды, логиніңізді, телефоныңызды, құпиясөзіңізді, сеанстарыңызды, жазылымдарыңызды, құпиялылық баптауларыңызды және қауіпсіздік журналын өшірдік. Логин мен мекенжай қайтадан бос.",
                kept: "Біз сақтауға міндетті тапсырыстар мен cookie келісімінің жазбалары сізбен ешқандай байланыссыз қалды: атсыз, мекенжайсыз, логинсіз және телефонсыз.",
                not_you: "Егер сіз есептік жазбаны жоймаған болсаңыз, бізге info@fortekassa.kz мекенжайына жазыңыз.",
                button: "Құпиялылық саясаты",
            },
            Lang::En => &DeletedText {
                subject: "Your account has been deleted",
                intro: "As you asked, your ForteKassa account has been deleted (clause 5.2 of the Privacy Policy).",
                when_label: "Date and time",
                erased: "We erased your profile, e-mail address, login, phone number, password, sessions, subscriptions, privacy choices and security log. The login and the address are free again.",
                kept: "Orders and cookie consent records that we must keep remain without any link to you: no name, address, login or phone number.",
                not_you: "If you did not delete your account, write to us at info@fortekassa.kz.",
                button: "Privacy Policy",
            },
        }
    }
}

/// A newsletter's footer (policy 7.2): why it came, the unsubscribe link, and the other way out.
struct MailingText {
    why_news: &'static str,
    why_support: &'static str,
    unsubscribe_lead: &'static str,
    by_mail: &'static str,
}

impl MailingText {
    fn of(lang: Lang) -> &'static MailingText {
        match lang {
            Lang::Ru => &MailingText {
                why_news: "Вы получили это письмо, потому что подписались на новости и предложения ForteKassa по электронной почте.",
                why_support: "Вы получили это письмо, потому что подписались на материалы службы поддержки ForteKassa.",
                unsubscribe_lead: "Отписаться от этой рассылки можно по ссылке:",
                by_mail: "Отказаться от рассылки можно и письмом на info@fortekassa.kz. Все подписки можно изменить в личном разделе.",
            },
            Lang::Kk => &MailingText {
                why_news: "Сіз бұл хатты ForteKassa жаңалықтары мен ұсыныстарына электрондық пошта арқылы жазылғандықтан алдыңыз.",
                why_support: "Сіз бұл хатты ForteKassa қолдау қызметінің материалдарына жазылғандықтан алдыңыз.",
                unsubscribe_lead: "Бұл таратылымнан мына сілтеме арқылы бас тартуға болады:",
                by_mail: "Таратылымнан info@fortekassa.kz мекенжайына хат жазып та бас тартуға болады. Барлық жазылымдарды жеке бөлімде өзгертуге болады.",
            },
            Lang::En => &MailingText {
                why_news: "You received this e-mail because you subscribed to ForteKassa news and offers by e-mail.",
                why_support: "You received this e-mail because you subscribed to ForteKassa support materials.",
                unsubscribe_lead: "To unsubscribe from this mailing, follow this link:",
                by_mail: "You can also unsubscribe by writing to info@fortekassa.kz. You can change all your subscriptions in your personal section.",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>";

    // Links carry `&` so that the tests see them escaped in `href`.
    const VERIFY: &str = "https://privacy.fortekassa.kz/verify?token=v1&lang=ru";
    const ACCOUNT: &str = "https://privacy.fortekassa.kz/account?from=welcome&lang=ru";
    const SIGN_IN: &str = "https://privacy.fortekassa.kz/sign-in?email=a%40b.kz&lang=ru";
    const RECOVER: &str = "https://privacy.fortekassa.kz/recover?from=mail&lang=ru";
    const RESET: &str = "https://privacy.fortekassa.kz/reset?token=r1&lang=ru";
    const SESSIONS: &str = "https://privacy.fortekassa.kz/account/sessions?from=mail&lang=ru";
    const LOGIN: &str = "anna.login@example.kz";

    /// Every kind, with its links.
    fn all(first_name: &str) -> Vec<(Mail<'_>, Vec<&'static str>)> {
        vec![
            (
                Mail::Verify {
                    first_name,
                    link: VERIFY,
                },
                vec![VERIFY],
            ),
            (
                Mail::Welcome {
                    first_name,
                    login: LOGIN,
                    account_link: ACCOUNT,
                },
                vec![ACCOUNT],
            ),
            (
                Mail::RegistrationAttempt {
                    first_name,
                    sign_in_link: SIGN_IN,
                    recover_link: RECOVER,
                },
                vec![SIGN_IN, RECOVER],
            ),
            (
                Mail::Reset {
                    first_name,
                    link: RESET,
                },
                vec![RESET],
            ),
            (
                Mail::PasswordChanged {
                    first_name,
                    when: "24.11.2026 14:05 UTC",
                    others_ended: true,
                    recover_link: RECOVER,
                },
                vec![RECOVER],
            ),
            (
                Mail::NewSignIn {
                    first_name,
                    when: "24.11.2026 14:05 UTC",
                    browser: "Chrome 131",
                    device: "Windows, computer",
                    ip: "203.0.113.x",
                    sessions_link: SESSIONS,
                    recover_link: RECOVER,
                },
                vec![RECOVER, SESSIONS],
            ),
            (
                Mail::EmailChangeConfirm {
                    first_name,
                    new_email: LOGIN,
                    link: VERIFY,
                },
                vec![VERIFY],
            ),
            (
                Mail::EmailChangeNotice {
                    first_name,
                    new_email: LOGIN,
                    when: "24.11.2026 14:05 UTC",
                    recover_link: RECOVER,
                },
                vec![RECOVER],
            ),
            (
                Mail::AccountDeleted {
                    first_name,
                    when: "24.11.2026 14:05 UTC",
                    policy_link: ACCOUNT,
                },
                vec![ACCOUNT],
            ),
        ]
    }

    #[test]
    fn every_kind_and_language_has_subject_links_lang_and_title() {
        for lang in Lang::ALL {
            for (mail, links) in all("Анна") {
                let r = render(&mail, lang);
                let what = format!("{mail:?} in {lang:?}");
                assert!(!r.subject.trim().is_empty(), "{what}: empty subject");
                assert!(
                    r.html.contains(&format!("<html lang=\"{}\">", lang.code())),
                    "{what}: lang"
                );
                assert!(
                    r.html
                        .contains(&format!("<title>{}</title>", escape_html(&r.subject))),
                    "{what}: title"
                );
                for link in links {
                    assert!(
                        r.text.lines().any(|l| l == link),
                        "{what}: {link} not on its own line in text"
                    );
                    let escaped = escape_html(link);
                    assert!(
                        r.html.contains(&format!("href=\"{escaped}\"")),
                        "{what}: {link} not in href"
                    );
                    assert!(
                        r.html.contains(&format!(">{escaped}</a>")),
                        "{what}: {link} not shown as text"
                    );
                    assert!(!r.html.contains(link), "{what}: {link} unescaped in html");
                }
                for part in [&r.text, &r.html] {
                    assert!(part.contains("Анна"), "{what}: no greeting by name");
                    assert!(part.contains(CONTACT_EMAIL), "{what}: no contact address");
                    assert!(part.contains("ForteKassa"), "{what}: no sign-off");
                }
            }
        }
    }

    #[test]
    fn html_has_one_button_and_nothing_external() {
        for lang in Lang::ALL {
            for (mail, _) in all("Анна") {
                let html = render(&mail, lang).html;
                assert_eq!(html.matches(BUTTON).count(), 1, "{mail:?} in {lang:?}");
                for banned in [
                    "<img", "src=", "url(", "<link", "<script", "<style", "@import",
                ] {
                    assert!(
                        !html.contains(banned),
                        "{mail:?} in {lang:?} contains {banned}"
                    );
                }
                // The only background is the button's, and it brings its own text colour.
                assert_eq!(html.matches("background").count(), 1);
                assert!(BUTTON.contains("color:#ffffff"));
            }
        }
    }

    /// The one letter to someone with no account: nobody to greet by name, the same frame.
    #[test]
    fn the_no_account_letter_greets_nobody_by_name_and_offers_to_register() {
        for lang in Lang::ALL {
            let r = render(
                &Mail::ResetNoAccount {
                    register_link: ACCOUNT,
                },
                lang,
            );
            let reset = render(
                &Mail::Reset {
                    first_name: "Анна",
                    link: RESET,
                },
                lang,
            );
            assert_eq!(
                r.subject, reset.subject,
                "{lang:?}: the same subject as a reset, whatever the address"
            );
            assert!(r.text.lines().any(|l| l == ACCOUNT), "{lang:?}");
            assert!(
                r.html
                    .contains(&format!("href=\"{}\"", escape_html(ACCOUNT))),
                "{lang:?}"
            );
            assert!(
                r.text.contains(CONTACT_EMAIL) && r.html.contains(CONTACT_EMAIL),
                "{lang:?}"
            );
            assert_eq!(r.html.matches(BUTTON).count(), 1, "{lang:?}");
        }
    }

    #[test]
    fn welcome_states_the_login() {
        for lang in Lang::ALL {
            let r = render(
                &Mail::Welcome {
                    first_name: "Анна",
                    login: LOGIN,
                    account_link: ACCOUNT,
                },
                lang,
            );
            assert!(r.text.contains(LOGIN) && r.html.contains(LOGIN), "{lang:?}");
        }
    }

    #[test]
    fn sign_in_details_are_shown() {
        for lang in Lang::ALL {
            let (mail, _) = all("Анна")
                .into_iter()
                .find(|(m, _)| matches!(m, Mail::NewSignIn { .. }))
                .unwrap();
            let r = render(&mail, lang);
            for value in [
                "24.11.2026 14:05 UTC",
                "Chrome 131",
                "Windows, computer",
                "203.0.113.x",
            ] {
                assert!(
                    r.text.contains(value) && r.html.contains(value),
                    "{lang:?}: {value}"
                );
            }
        }
    }

    #[test]
    fn a_hostile_name_is_escaped_in_html() {
        for lang in Lang::ALL {
            for (mail, _) in all(XSS) {
                let r = render(&mail, lang);
                assert!(
                    r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                    "{mail:?} in {lang:?}"
                );
                assert!(
                    !r.html.contains(XSS) && !r.html.contains("<script"),
                    "{mail:?} in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn every_value_is_escaped_in_html() {
        let evil = "\"><b>x</b>'";
        let mails = [
            Mail::Welcome {
                first_name: evil,
                login: evil,
                account_link: evil,
            },
            Mail::NewSignIn {
                first_name: evil,
                when: evil,
                browser: evil,
                device: evil,
                ip: evil,
                sessions_link: evil,
                recover_link: evil,
            },
        ];
        for lang in Lang::ALL {
            for mail in &mails {
                let html = render(mail, lang).html;
                assert!(
                    !html.contains(evil) && !html.contains("<b>"),
                    "{mail:?} in {lang:?}"
                );
                assert!(html.contains("href=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;&#39;\""));
            }
        }
    }

    #[test]
    fn values_cannot_add_lines_or_reverse_text() {
        let name = "Анна\n\nYour account is locked: http://evil.example\r\n\u{202E}";
        let r = render(
            &Mail::Verify {
                first_name: name,
                link: VERIFY,
            },
            Lang::Ru,
        );
        assert!(
            r.text
                .starts_with("Здравствуйте, Анна Your account is locked: http://evil.example!\n"),
            "{}",
            r.text
        );
        assert!(!r.text.contains('\u{202E}') && !r.html.contains('\u{202E}'));
    }

    #[test]
    fn an_empty_name_greets_without_a_name() {
        for (name, lang, greeting) in [
            ("", Lang::Ru, "Здравствуйте!"),
            ("  ", Lang::Kk, "Сәлеметсіз бе!"),
            ("", Lang::En, "Hello,"),
        ] {
            let r = render(
                &Mail::Reset {
                    first_name: name,
                    link: RESET,
                },
                lang,
            );
            assert!(
                r.text.starts_with(&format!("{greeting}\n\n")),
                "{lang:?}: {}",
                r.text
            );
            assert!(
                r.html.contains(&format!(">{}</p>", escape_html(greeting))),
                "{lang:?}"
            );
        }
        let named = render(
            &Mail::Reset {
                first_name: "Anna",
                link: RESET,
            },
            Lang::En,
        );
        assert!(named.text.starts_with("Hello Anna,\n\n"));
    }

    #[test]
    fn languages_differ() {
        for (mail, _) in all("Анна") {
            let [ru, kk, en] = Lang::ALL.map(|lang| render(&mail, lang));
            for (a, b) in [(&ru, &kk), (&ru, &en), (&kk, &en)] {
                assert_ne!(a.subject, b.subject, "{mail:?}");
                assert_ne!(a.text, b.text, "{mail:?}");
                assert_ne!(a.html, b.html, "{mail:?}");
            }
        }
    }

    #[test]
    fn no_letter_mentions_a_password_value() {
        // There is no password field to render; guard against someone adding one to a template.
        for lang in Lang::ALL {
            for (mail, _) in all("Анна") {
                let r = render(&mail, lang);
                for label in [
                    "Пароль:",
                    "Құпиясөз:",
                    "Password:",
                    "Құпиясөзіңіз:",
                    "Ваш пароль:",
                ] {
                    assert!(!r.text.contains(label), "{mail:?} in {lang:?}");
                }
            }
        }
    }

    const UNSUBSCRIBE: &str = "https://privacy.fortekassa.kz/unsubscribe?token=u1&x=2";

    fn newsletter<'a>(
        first_name: &'a str,
        subject: &'a str,
        body: &'a str,
        list: Choice,
    ) -> Mail<'a> {
        Mail::Newsletter {
            first_name,
            subject,
            body,
            unsubscribe_link: UNSUBSCRIBE,
            list,
        }
    }

    #[test]
    fn service_mail_has_no_extra_headers() {
        for lang in Lang::ALL {
            for (mail, _) in all("Анна") {
                assert!(render(&mail, lang).extra_headers.is_empty(), "{mail:?}");
            }
        }
    }

    #[test]
    fn a_newsletter_carries_its_unsubscribe_link_in_headers_and_footer() {
        let body = "Новая касса.\nУже в продаже.\n\n\nВторой абзац.";
        for lang in Lang::ALL {
            for list in [Choice::NewsEmail, Choice::SupportMaterials] {
                let r = render(&newsletter("Анна", "Новости", body, list), lang);
                let what = format!("{list:?} in {lang:?}");
                assert_eq!(
                    r.extra_headers,
                    vec![
                        ("List-Unsubscribe".to_string(), format!("<{UNSUBSCRIBE}>")),
                        (
                            "List-Unsubscribe-Post".to_string(),
                            "List-Unsubscribe=One-Click".to_string()
                        ),
                    ]
                );
                assert_eq!(r.subject, "Новости");
                assert!(
                    r.text.lines().any(|l| l == UNSUBSCRIBE),
                    "{what}: link on its own line"
                );
                assert!(
                    r.text
                        .contains("Новая касса.\nУже в продаже.\n\nВторой абзац."),
                    "{what}: {}",
                    r.text
                );
                assert!(
                    r.html.contains(
                        "<p style=\"margin:0 0 16px;\">Новая касса.<br>\nУже в продаже.</p>"
                    ),
                    "{what}"
                );
                let escaped = escape_html(UNSUBSCRIBE);
                assert!(
                    r.html.contains(&format!("href=\"{escaped}\""))
                        && !r.html.contains(UNSUBSCRIBE),
                    "{what}"
                );
                let t = MailingText::of(lang);
                let why = if list == Choice::NewsEmail {
                    t.why_news
                } else {
                    t.why_support
                };
                for part in [&r.text, &r.html] {
                    assert!(
                        part.contains(why)
                            && part.contains(t.by_mail)
                            && part.contains(CONTACT_EMAIL),
                        "{what}"
                    );
                    assert!(
                        !part.contains(Frame::of(lang).service_notice),
                        "{what}: a newsletter is not a service message"
                    );
                }
                assert!(!r.html.contains(BUTTON), "{what}: no button");
                for banned in ["<img", "src=", "<script", "<style"] {
                    assert!(!r.html.contains(banned), "{what}: {banned}");
                }
            }
        }
    }

    #[test]
    fn a_newsletter_escapes_the_operators_text() {
        let r = render(
            &newsletter(
                XSS,
                "Hi\r\nBcc: x@evil.test",
                "<b>bold</b> & \"quotes\"\u{202E}",
                Choice::NewsEmail,
            ),
            Lang::En,
        );
        assert_eq!(
            r.subject, "Hi Bcc: x@evil.test",
            "the subject stays on one line"
        );
        assert!(
            r.html
                .contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;"),
            "{}",
            r.html
        );
        assert!(
            !r.html.contains("<b>") && !r.html.contains("<script") && !r.html.contains('\u{202E}')
        );
        assert!(
            r.text.contains("<b>bold</b> & \"quotes\""),
            "the text part is plain text"
        );
    }

    #[test]
    fn escape_html_covers_the_five_characters() {
        assert_eq!(
            escape_html(r#"a&b<c>d"e'f"#),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        assert_eq!(escape_html("Сәлем"), "Сәлем");
    }
}
