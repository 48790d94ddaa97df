//! The policy as plain HTML for clients without JavaScript (clause 9.2: every user has access
//! to the policy). Every piece of text is escaped; links keep only the targets the parser let
//! through.
use std::fmt::Write as _;

use fk_api::i18n::fill;
use fk_api::policy::{Block, PolicyDocument, Span, VersionSummary};
use fk_api::text::split_emails;
use fk_api::Lang;

/// Escapes text for HTML element content and quoted attribute values. The server's one
/// HTML-escaping function: this page, the no-JavaScript notice of the app's pages and every
/// e-mail (`mail::templates::escape_html`) write through it, so a fix here covers them all.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(doc: &PolicyDocument, summary: &VersionSummary, ui: Lang) -> String {
    let t = ui.messages();
    let mut html = String::new();
    let _ = write!(
        html,
        "<main id=\"noscript-policy\" lang=\"{}\"><p>{}</p><article>",
        summary.lang.code(),
        escape(t.noscript_note)
    );
    let _ = write!(html, "<h1>{}</h1>", escape(&doc.title));
    let date = summary.effective_at.get(..10).unwrap_or_default();
    let _ = write!(
        html,
        "<p>{} · {}</p>",
        escape(&fill(
            t.policy_version,
            &[("version", &summary.version.to_string())]
        )),
        escape(&fill(t.policy_effective, &[("date", date)]))
    );
    blocks(&mut html, &doc.preamble);
    let _ = write!(
        html,
        "<nav aria-label=\"{}\"><ol>",
        escape(t.policy_toc_title)
    );
    for s in &doc.sections {
        let _ = write!(
            html,
            "<li><a href=\"#{}\">{}. {}</a></li>",
            s.anchor(),
            s.number,
            escape(&s.title)
        );
    }
    html.push_str("</ol></nav>");
    for s in &doc.sections {
        let _ = write!(
            html,
            "<section id=\"{}\"><h2>{}. {}</h2>",
            s.anchor(),
            s.number,
            escape(&s.title)
        );
        for c in &s.clauses {
            let _ = write!(html, "<div id=\"{}\">", escape(&c.id));
            if let Some(h) = &c.heading {
                let _ = write!(html, "<h3>{}</h3>", escape(h));
            }
            for (i, block) in c.blocks.iter().enumerate() {
                let number = c.number.as_deref().filter(|_| i == 0);
                block_html(&mut html, block, number, &c.id);
            }
            html.push_str("</div>");
        }
        html.push_str("</section>");
    }
    html.push_str("</article></main>");
    html
}

fn blocks(html: &mut String, blocks: &[Block]) {
    for b in blocks {
        block_html(html, b, None, "");
    }
}

fn block_html(html: &mut String, block: &Block, number: Option<&str>, id: &str) {
    match block {
        Block::Paragraph { spans } => {
            html.push_str("<p>");
            if let Some(n) = number {
                let _ = write!(html, "<a href=\"#{}\">{}.</a> ", escape(id), escape(n));
            }
            spans_html(html, spans);
            html.push_str("</p>");
        }
        Block::List { items } => {
            html.push_str("<ul>");
            for item in items {
                html.push_str("<li>");
                spans_html(html, item);
                html.push_str("</li>");
            }
            html.push_str("</ul>");
        }
    }
}

fn spans_html(html: &mut String, spans: &[Span]) {
    for span in spans {
        let mut inner = String::new();
        for (piece, is_email) in split_emails(&span.text) {
            if is_email && span.href.is_none() {
                let _ = write!(inner, "<a href=\"mailto:{0}\">{0}</a>", escape(piece));
            } else {
                inner.push_str(&escape(piece));
            }
        }
        if span.emphasis {
            inner = format!("<em>{inner}</em>");
        }
        if span.strong {
            inner = format!("<strong>{inner}</strong>");
        }
        match &span.href {
            Some(href) => {
                let _ = write!(html, "<a href=\"{}\">{inner}</a>", escape(href));
            }
            None => html.push_str(&inner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::markdown::parse;

    #[test]
    fn renders_every_clause_with_an_anchor_and_escapes_text() {
        let doc = parse(include_str!("../../../policy/ru.md")).unwrap();
        let summary = VersionSummary {
            lang: Lang::Ru,
            version: 1,
            effective_at: "2026-01-01T00:00:00Z".into(),
            content_hash: "x".into(),
        };
        let html = render(&doc, &summary, Lang::Ru);
        assert!(html.contains("<div id=\"9.2\">"));
        assert!(html.contains(
            "К настоящей Политике имеют доступ все Пользователи Сервиса без исключения."
        ));
        assert!(html.contains("<a href=\"mailto:info@fortekassa.kz\">info@fortekassa.kz</a>"));
        let hostile = parse("# T\n\n## 1. S\n\n1.1. <script>alert(1)</script>\n").unwrap();
        let html = render(&hostile, &summary, Lang::Ru);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
