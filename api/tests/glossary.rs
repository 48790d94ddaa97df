//! The Kazakh texts keep to `locales/glossary.md`: no word it replaced, and no word placed
//! after a date placeholder (Kazakh would need a case ending on the date itself). The English
//! texts keep to its "English" section: -ise spelling and none of the words it replaced.
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every Kazakh text: (where, text).
fn kazakh_texts() -> Vec<(String, String)> {
    texts("kk")
}

/// Every English text: (where, text).
fn english_texts() -> Vec<(String, String)> {
    texts("en")
}

/// Every text of `lang`: the locale files, the letters, the policy and the cookie
/// descriptions. The TOML values are read line by line (`key = "…"`).
fn texts(lang: &str) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for file in [
        format!("{lang}.toml"),
        format!("account.{lang}.toml"),
        format!("mail.{lang}.toml"),
    ] {
        let body = std::fs::read_to_string(root().join("locales").join(&file)).unwrap();
        for (n, line) in body.lines().enumerate() {
            if let Some((key, value)) = line.split_once(" = \"") {
                texts.push((format!("{file}:{} {key}", n + 1), value.to_string()));
            }
        }
    }
    let policy = std::fs::read_to_string(root().join(format!("policy/{lang}.md"))).unwrap();
    for (n, line) in policy.lines().enumerate() {
        texts.push((format!("policy/{lang}.md:{}", n + 1), line.to_string()));
    }
    let cookies: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("config/cookies.json")).unwrap())
            .unwrap();
    fn walk(value: &serde_json::Value, lang: &str, path: &str, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        serde_json::Value::String(s) if k == lang => {
                            out.push((format!("cookies.json {path}"), s.clone()))
                        }
                        _ => walk(v, lang, &format!("{path}/{k}"), out),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, lang, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    walk(&cookies, lang, "", &mut texts);
    texts
}

/// The glossary's tables, by section: the rows of the part before the `## English` heading
/// (`english == false`) or of that section, header and rule lines left out.
fn table_rows(english: bool) -> Vec<Vec<String>> {
    let glossary = std::fs::read_to_string(root().join("locales/glossary.md")).unwrap();
    let (main, rest) = glossary
        .split_once("\n## English")
        .unwrap_or((glossary.as_str(), ""));
    if english {
        assert!(
            !rest.is_empty(),
            "locales/glossary.md has no \"## English\" section"
        );
    }
    let part = if english { rest } else { main };
    part.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.contains("not to use"))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The glossary's last column: the Kazakh words it replaced.
fn replaced_words() -> Vec<String> {
    table_rows(false)
        .into_iter()
        .filter_map(|row| row.get(3).cloned())
        .flat_map(|cell| {
            cell.split(',')
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether `word` starts a word of `text` (any case ending may follow).
fn starts_a_word(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphabetic())
    })
}

#[test]
fn the_glossary_lists_what_it_replaced() {
    let words = replaced_words();
    for word in ["пароль", "сессия", "батырма", "жекелендір", "нысан"]
    {
        assert!(words.contains(&word.to_string()), "{words:?}");
    }
    assert!(starts_a_word("Құпиясөз, пароль емес", "пароль"));
    assert!(starts_a_word("Парольді", "пароль"));
    assert!(!starts_a_word("құпиясөз", "сөз"));
}

#[test]
fn no_kazakh_text_uses_a_word_the_glossary_replaced() {
    let words = replaced_words();
    let found: Vec<String> = kazakh_texts()
        .into_iter()
        .flat_map(|(place, text)| {
            words
                .iter()
                .filter(|w| starts_a_word(&text, w))
                .map(|w| format!("{place}: «{w}» in {text}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_kazakh_text_puts_a_word_after_a_date() {
    // Every placeholder a date, a time or a span of time fills.
    let dated = [
        "{date}",
        "{when}",
        "{since}",
        "{until}",
        "{time}",
        "{joined}",
        "{left}",
        "{ended}",
        "{from}",
        "{to}",
        "{from_date}",
        "{to_date}",
    ];
    let found: Vec<String> = kazakh_texts()
        .into_iter()
        .filter(|(_, text)| {
            dated.iter().any(|p| {
                text.match_indices(p).any(|(i, _)| {
                    text[i + p.len()..]
                        .trim_start()
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic)
                })
            })
        })
        .map(|(place, text)| format!("{place}: {text}"))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A word or phrase the English texts must not use: `prefix` for a glossary entry ending in
/// "…" (any ending may follow), else whole words.
#[derive(Debug)]
struct Refused {
    words: String,
    prefix: bool,
}

/// The middle column of the glossary's "English" section.
fn refused_in_english() -> Vec<Refused> {
    table_rows(true)
        .into_iter()
        .filter_map(|row| row.get(1).cloned())
        .flat_map(|cell| {
            cell.split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(|w| match w.strip_suffix('…') {
                    Some(stem) => Refused {
                        words: stem.to_lowercase(),
                        prefix: true,
                    },
                    None => Refused {
                        words: w.to_lowercase(),
                        prefix: false,
                    },
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The prose of an English text, lower case: placeholders such as `{email}` are names the
/// code fills in, not words, so they become blanks.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Whether `prose` (lower case) holds `refused` as words of its own: starting a word, and,
/// unless it is a prefix, ending one.
fn uses(prose: &str, refused: &Refused) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    prose.match_indices(&refused.words).any(|(i, w)| {
        boundary(prose[..i].chars().next_back())
            && (refused.prefix || boundary(prose[i + w.len()..].chars().next()))
    })
}

/// The -ize words of `prose` (lower case): "-ize", "-ized", "-izing", "-ization" and the like
/// after a stem of four letters or more, so "size", "prize" and "seize" are not among them.
fn ize_words(prose: &str) -> Vec<&str> {
    const ENDINGS: [&str; 9] = [
        "ize",
        "izes",
        "ized",
        "izing",
        "ization",
        "izations",
        "izational",
        "izer",
        "izers",
    ];
    prose
        .split(|c: char| !c.is_alphabetic())
        .filter(|word| {
            ENDINGS.iter().any(|ending| {
                word.strip_suffix(ending)
                    .is_some_and(|stem| stem.chars().count() >= 4)
            })
        })
        .collect()
}

#[test]
fn the_glossary_lists_what_english_replaced() {
    let refused = refused_in_english();
    let listed = |w: &str, prefix: bool| refused.iter().any(|r| r.words == w && r.prefix == prefix);
    for stem in [
        "personaliz",
        "recogniz",
        "authoriz",
        "organiz",
        "minimiz",
        "edition",
    ] {
        assert!(listed(stem, true), "{stem}… in {refused:?}");
    }
    for phrase in ["a letter", "this letter", "email", "stays in force"] {
        assert!(listed(phrase, false), "{phrase} in {refused:?}");
    }
    // The English section's rows are not taken for Kazakh words, and the other way round.
    assert!(!replaced_words().iter().any(|w| w.contains("letter")));
    assert!(!refused.iter().any(|r| r.words == "пароль"));

    let word = |w: &str| Refused {
        words: w.into(),
        prefix: false,
    };
    let stem = |w: &str| Refused {
        words: w.into(),
        prefix: true,
    };
    assert!(uses(&prose("Personalized offers"), &stem("personaliz")));
    assert!(uses(
        &prose("Just ignore this letter."),
        &word("this letter")
    ));
    assert!(!uses(&prose("Latin letters and digits"), &word("a letter")));
    assert!(!uses(&prose("We sent it to {email}."), &word("email")));
    assert!(uses(&prose("Your email address"), &word("email")));
    assert!(!uses(&prose("Your e-mail address"), &word("email")));
    assert!(!uses(&prose("additional editing"), &stem("edition")));
    assert_eq!(
        ize_words(&prose("Optimized, organizational, sized, a prize, seized")),
        ["optimized", "organizational"]
    );
    assert!(ize_words(&prose("Personalised, organisation, size")).is_empty());
}

#[test]
fn no_english_text_uses_a_word_the_glossary_replaced() {
    let refused = refused_in_english();
    let found: Vec<String> = english_texts()
        .into_iter()
        .flat_map(|(place, text)| {
            let prose = prose(&text);
            refused
                .iter()
                .filter(|r| uses(&prose, r))
                .map(|r| format!("{place}: “{}” in {text}", r.words))
                .chain(
                    ize_words(&prose)
                        .into_iter()
                        .map(|w| format!("{place}: “{w}” (-ise, not -ize) in {text}")),
                )
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
