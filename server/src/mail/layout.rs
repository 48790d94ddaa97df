//! How every letter looks: the plain-text part and the HTML part of any `Letter`, with the
//! greeting, sign-off and footer that all letters share. Everything the HTML part shows goes
//! through `escape_html` here and nowhere else.
use fk_api::i18n::{fill, MailMessages};
use fk_api::Lang;

use super::letters::{sentence, Block, Footer, Letter};
use super::templates::{escape_html, one_line};

/// The greeting, by name when there is one. The name is the one value a sentence holds: it is
/// already on one line, and the HTML part escapes the whole greeting.
fn greeting(t: &MailMessages, name: &str) -> String {
    if name.is_empty() {
        sentence(t.greeting_nameless)
    } else {
        fill(t.greeting, &[("name", name)])
    }
}

/// The plain-text part: paragraphs separated by blank lines, every link alone on its line so
/// that clients make it clickable and nothing sticks to it.
pub(super) fn text(letter: &Letter, t: &MailMessages, footer: &Footer) -> String {
    let mut parts = vec![greeting(t, &letter.name)];
    let blocks = |blocks: &[Block], parts: &mut Vec<String>| {
        for block in blocks {
            parts.push(match block {
                Block::Para(p) => p.clone(),
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
    parts.push(sentence(t.sign_off));
    parts.push(match footer {
        Footer::Service => format!(
            "---\n{}\n{}\n{}",
            sentence(t.service_notice),
            sentence(t.contact),
            sentence(t.operator)
        ),
        Footer::Mailing {
            why,
            lead,
            url,
            by_mail,
        } => format!(
            "---\n{why}\n{lead}\n{url}\n{by_mail}\n{}",
            sentence(t.operator)
        ),
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
pub(super) const BUTTON: &str = "display:inline-block;padding:12px 24px;border-radius:6px;\
background-color:#0b5d4b;color:#ffffff;font-weight:bold;text-decoration:none;";
const HINT: &str = "margin:0 0 24px;font-size:14px;";
const RAW_URL: &str = "word-break:break-all;overflow-wrap:anywhere;";
const RULE: &str = "margin:32px 0 16px;border:0;border-top:1px solid #c9d1cf;";
const FOOTER: &str = "margin:0 0 8px;font-size:13px;";

/// The HTML part. Everything written into it, fixed sentences included, goes through
/// `escape_html`, so no sentence or value can ever be read as markup.
pub(super) fn html(letter: &Letter, t: &MailMessages, lang: Lang, footer: &Footer) -> String {
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
            e(&sentence(t.copy_hint)),
            url = e(&action.url)
        ));
    }
    push_blocks(&letter.after, &mut body);
    let footer = match footer {
        Footer::Service => format!(
            "<p style=\"{FOOTER}\">{}</p>\n<p style=\"{FOOTER}\">{}</p>\n",
            e(&sentence(t.service_notice)),
            e(&sentence(t.contact))
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
        greeting = e(&greeting(t, &letter.name)),
        sign_off = e(&sentence(t.sign_off)),
        operator = e(&sentence(t.operator)),
    )
}
