//! A letter of any kind, rendered: its subject, text and HTML parts, and its headers.
use fk_api::Lang;

use super::layout::{html, text};
use super::letters::{compose, footer};
use super::templates::{one_line, Mail};

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
    let t = lang.mail();
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
        text: text(&letter, t, &footer),
        html: html(&letter, t, lang, &footer),
        extra_headers,
    }
}
