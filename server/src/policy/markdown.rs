//! Policy Markdown → [`PolicyDocument`]. The format (see `policy/ru.md`):
//! `# Title`, optional preamble, `## N. Section title`, clauses as paragraphs starting with
//! `N.M. `, unnumbered parts under `### Heading`; paragraphs and lists that follow a clause
//! belong to it. Raw HTML is kept as text: a policy file can never put markup on the page.
use fk_api::policy::{Block, Clause, PolicyDocument, Section, Span};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the policy text is empty")]
    Empty,
    #[error("the policy must start with a title line: `# Title`")]
    NoTitle,
    #[error("the policy has no sections: each section is a line `## N. Title`")]
    NoSections,
    #[error("section heading {0:?} must look like `## N. Title`, numbered from 1 without gaps")]
    BadSection(String),
    #[error("clause {clause} stands in section {section}: its number must start with {section}.")]
    ClauseOutsideSection { clause: String, section: u32 },
    #[error("clause {0} appears twice")]
    DuplicateClause(String),
}

/// Blocks as Markdown gives them, before sections and clauses are recognised.
enum Raw {
    Heading(HeadingLevel, String),
    Block(Block),
}

pub fn parse(text: &str) -> Result<PolicyDocument, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let mut raws = read_blocks(text).into_iter();
    let title = match raws.next() {
        Some(Raw::Heading(HeadingLevel::H1, title)) if !title.trim().is_empty() => {
            title.trim().to_string()
        }
        _ => return Err(ParseError::NoTitle),
    };
    let mut doc = PolicyDocument {
        title,
        preamble: Vec::new(),
        sections: Vec::new(),
    };
    for raw in raws {
        match raw {
            Raw::Heading(HeadingLevel::H2, text) => {
                let section = section_heading(&text, doc.sections.len() as u32 + 1)?;
                doc.sections.push(section);
            }
            Raw::Heading(_, text) => {
                let Some(section) = doc.sections.last_mut() else {
                    doc.preamble.push(Block::Paragraph {
                        spans: vec![Span::plain(text)],
                    });
                    continue;
                };
                let id = slug(&text, section);
                section.clauses.push(Clause {
                    id,
                    number: None,
                    heading: Some(text.trim().to_string()),
                    blocks: vec![],
                });
            }
            Raw::Block(block) => {
                let Some(section) = doc.sections.last_mut() else {
                    doc.preamble.push(block);
                    continue;
                };
                match clause_start(block, section.number)? {
                    (Some(number), block) => {
                        if doc_has_clause(section, &number) {
                            return Err(ParseError::DuplicateClause(number));
                        }
                        section.clauses.push(Clause {
                            id: number.clone(),
                            number: Some(number),
                            heading: None,
                            blocks: vec![block],
                        });
                    }
                    (None, block) => match section.clauses.last_mut() {
                        Some(clause) => clause.blocks.push(block),
                        None => {
                            let id = format!("section-{}-intro", section.number);
                            section.clauses.push(Clause {
                                id,
                                number: None,
                                heading: None,
                                blocks: vec![block],
                            });
                        }
                    },
                }
            }
        }
    }
    if doc.sections.is_empty() {
        return Err(ParseError::NoSections);
    }
    Ok(doc)
}

fn doc_has_clause(section: &Section, number: &str) -> bool {
    section
        .clauses
        .iter()
        .any(|c| c.number.as_deref() == Some(number))
}

fn section_heading(text: &str, expected: u32) -> Result<Section, ParseError> {
    let bad = || ParseError::BadSection(text.to_string());
    let (number, title) = text.trim().split_once(". ").ok_or_else(bad)?;
    let number: u32 = number.parse().map_err(|_| bad())?;
    if number != expected || title.trim().is_empty() {
        return Err(bad());
    }
    Ok(Section {
        number,
        title: title.trim().to_string(),
        clauses: Vec::new(),
    })
}

/// An anchor for an unnumbered part: its heading in ASCII (`cookies`), else its position.
fn slug(heading: &str, section: &Section) -> String {
    let ascii: String = heading
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if ascii.is_empty() || ascii.len() * 2 < heading.trim().len() {
        format!(
            "section-{}-part-{}",
            section.number,
            section.clauses.len() + 1
        )
    } else {
        ascii
    }
}

/// If a paragraph starts with `S.N. `, splits that number off.
fn clause_start(block: Block, section: u32) -> Result<(Option<String>, Block), ParseError> {
    let Block::Paragraph { mut spans } = block else {
        return Ok((None, block));
    };
    let Some(first) = spans.first() else {
        return Ok((None, Block::Paragraph { spans }));
    };
    let text = first.text.as_str();
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let a = digits(text);
    let number = (a > 0 && text[a..].starts_with('.'))
        .then(|| {
            let b = digits(&text[a + 1..]);
            let end = a + 1 + b;
            (b > 0 && text[end..].starts_with(". ")).then_some(end)
        })
        .flatten();
    let Some(end) = number else {
        return Ok((None, Block::Paragraph { spans }));
    };
    let number = text[..end].to_string();
    if number.split('.').next() != Some(section.to_string().as_str()) {
        return Err(ParseError::ClauseOutsideSection {
            clause: number,
            section,
        });
    }
    let rest = text[end + 2..].to_string();
    if rest.is_empty() {
        spans.remove(0);
    } else {
        spans[0].text = rest;
    }
    Ok((Some(number), Block::Paragraph { spans }))
}

#[derive(Default, Clone, Copy)]
struct Style {
    strong: u32,
    emphasis: u32,
}

fn read_blocks(text: &str) -> Vec<Raw> {
    let mut out = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut items: Vec<Vec<Span>> = Vec::new();
    let mut list_depth = 0u32;
    let mut style = Style::default();
    let mut link: Option<String> = None;
    let mut heading: Option<HeadingLevel> = None;

    let push_text = |spans: &mut Vec<Span>, text: &str, style: Style, link: &Option<String>| {
        let span = Span {
            text: text.to_string(),
            strong: style.strong > 0,
            emphasis: style.emphasis > 0,
            href: link.clone(),
        };
        match spans.last_mut() {
            Some(last)
                if last.strong == span.strong
                    && last.emphasis == span.emphasis
                    && last.href == span.href =>
            {
                last.text.push_str(text)
            }
            _ => spans.push(span),
        }
    };

    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some(level),
            Event::End(TagEnd::Heading(_)) => {
                let text = std::mem::take(&mut spans)
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<String>();
                out.push(Raw::Heading(
                    heading.take().unwrap_or(HeadingLevel::H6),
                    text,
                ));
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth -= 1;
                if list_depth == 0 {
                    out.push(Raw::Block(Block::List {
                        items: std::mem::take(&mut items),
                    }));
                }
            }
            Event::End(TagEnd::Item) => {
                // Nested lists flatten into their parent item's siblings.
                let item = std::mem::take(&mut spans);
                if !item.is_empty() {
                    items.push(trim_spans(item));
                }
            }
            Event::End(TagEnd::Paragraph) if list_depth == 0 => {
                let para = trim_spans(std::mem::take(&mut spans));
                if !para.is_empty() {
                    out.push(Raw::Block(Block::Paragraph { spans: para }));
                }
            }
            Event::End(TagEnd::Paragraph) => push_text(&mut spans, " ", style, &link),
            Event::Start(Tag::Strong) => style.strong += 1,
            Event::End(TagEnd::Strong) => style.strong = style.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => style.emphasis += 1,
            Event::End(TagEnd::Emphasis) => style.emphasis = style.emphasis.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => link = safe_href(&dest_url),
            Event::End(TagEnd::Link) => link = None,
            Event::Text(t)
            | Event::Code(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t) => push_text(&mut spans, &t, style, &link),
            Event::Html(t) => {
                // A raw HTML block outside any paragraph: shown as its literal text.
                if list_depth == 0 && heading.is_none() {
                    let t = t.trim_end();
                    if !t.is_empty() {
                        out.push(Raw::Block(Block::Paragraph {
                            spans: vec![Span::plain(t)],
                        }));
                    }
                } else {
                    push_text(&mut spans, &t, style, &link)
                }
            }
            Event::SoftBreak => push_text(&mut spans, " ", style, &link),
            Event::HardBreak => push_text(&mut spans, "\n", style, &link),
            Event::End(TagEnd::CodeBlock) | Event::End(TagEnd::BlockQuote(_)) => {
                let para = trim_spans(std::mem::take(&mut spans));
                if !para.is_empty() && list_depth == 0 {
                    out.push(Raw::Block(Block::Paragraph { spans: para }));
                }
            }
            _ => {}
        }
    }
    out
}

fn trim_spans(mut spans: Vec<Span>) -> Vec<Span> {
    if let Some(first) = spans.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    spans.retain(|s| !s.text.is_empty());
    spans
}

/// Links may only leave to the web, to mail, or within the page; `javascript:` and friends
/// lose their target and stay plain text.
fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "#"]
        .iter()
        .any(|p| lower.starts_with(p))
        .then(|| url.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RU: &str = include_str!("../../../policy/ru.md");
    const EN: &str = include_str!("../../../policy/en.md");
    const KK: &str = include_str!("../../../policy/kk.md");

    const CLAUSES: [&str; 27] = [
        "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2",
        "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "7.1", "7.2", "8.1", "8.2", "8.3", "8.4", "9.1",
        "9.2",
    ];

    fn numbers(doc: &PolicyDocument) -> Vec<String> {
        doc.sections
            .iter()
            .flat_map(|s| &s.clauses)
            .filter_map(|c| c.number.clone())
            .collect()
    }

    #[test]
    fn the_real_policy_has_every_clause() {
        let doc = parse(RU).unwrap();
        assert_eq!(doc.title, "Политика конфиденциальности");
        assert_eq!(doc.sections.len(), 9);
        assert_eq!(numbers(&doc), CLAUSES);
        assert!(doc.preamble.is_empty());
        let cookies = doc.clause("cookies").expect("the unnumbered Cookies part");
        assert_eq!(cookies.heading.as_deref(), Some("Cookies"));
        assert_eq!(cookies.blocks.len(), 2);
        let c21 = doc.clause("2.1").unwrap();
        assert!(matches!(&c21.blocks[1], Block::List { items } if items.len() == 2));
        let c31 = doc.clause("3.1").unwrap();
        assert!(matches!(&c31.blocks[1], Block::List { items } if items.len() == 9));
        assert!(doc
            .clause("8.4")
            .unwrap()
            .plain_text()
            .contains("удалите свою учетную запись"));
        assert!(doc
            .clause("9.2")
            .unwrap()
            .plain_text()
            .starts_with("К настоящей Политике имеют доступ"));
        let c11 = &doc.clause("1.1").unwrap().blocks[0];
        assert!(
            matches!(c11, Block::Paragraph { spans } if spans.iter().any(|s| s.strong && s.text == "ForteKassa"))
        );
    }

    #[test]
    fn translations_have_the_same_clauses_and_a_preamble() {
        for text in [EN, KK] {
            let doc = parse(text).unwrap();
            assert_eq!(numbers(&doc), CLAUSES);
            assert_eq!(
                doc.preamble.len(),
                1,
                "a translation says the Russian text prevails"
            );
            assert!(doc.clause("cookies").is_some());
        }
    }

    #[test]
    fn raw_html_stays_text_and_unsafe_links_lose_their_target() {
        let doc = parse("# T\n\n## 1. S\n\n1.1. a <b onclick=x>b</b> [c](javascript:alert(1)) [d](https://e.kz)\n\n<script>alert(1)</script>\n").unwrap();
        let clause = doc.clause("1.1").unwrap();
        let text = clause.plain_text();
        assert!(text.contains("<b onclick=x>b</b>"), "{text}");
        assert!(text.contains("<script>alert(1)</script>"), "{text}");
        let Block::Paragraph { spans } = &clause.blocks[0] else {
            panic!()
        };
        assert!(spans
            .iter()
            .all(|s| s.href.as_deref() != Some("javascript:alert(1)")));
        assert!(spans
            .iter()
            .any(|s| s.href.as_deref() == Some("https://e.kz")));
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert_eq!(parse("  \n"), Err(ParseError::Empty));
        assert_eq!(parse("just text"), Err(ParseError::NoTitle));
        assert_eq!(parse("# T\n\nno sections"), Err(ParseError::NoSections));
        assert!(matches!(
            parse("# T\n\n## Intro\n"),
            Err(ParseError::BadSection(_))
        ));
        assert!(matches!(
            parse("# T\n\n## 2. Skipped one\n"),
            Err(ParseError::BadSection(_))
        ));
        assert!(matches!(
            parse("# T\n\n## 1. S\n\n2.1. x\n"),
            Err(ParseError::ClauseOutsideSection { .. })
        ));
        assert!(matches!(
            parse("# T\n\n## 1. S\n\n1.1. x\n\n1.1. y\n"),
            Err(ParseError::DuplicateClause(_))
        ));
    }
}
