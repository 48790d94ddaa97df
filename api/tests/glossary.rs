//! The Kazakh texts keep to `locales/glossary.md`: no word it replaced, and no word placed
//! after a date placeholder (Kazakh would need a case ending on the date itself).
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every Kazakh text: (where, text). The TOML values are read line by line (`key = "…"`).
fn kazakh_texts() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for file in ["kk.toml", "account.kk.toml", "mail.kk.toml"] {
        let body = std::fs::read_to_string(root().join("locales").join(file)).unwrap();
        for (n, line) in body.lines().enumerate() {
            if let Some((key, value)) = line.split_once(" = \"") {
                texts.push((format!("{file}:{} {key}", n + 1), value.to_string()));
            }
        }
    }
    let policy = std::fs::read_to_string(root().join("policy/kk.md")).unwrap();
    for (n, line) in policy.lines().enumerate() {
        texts.push((format!("policy/kk.md:{}", n + 1), line.to_string()));
    }
    let cookies: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("config/cookies.json")).unwrap())
            .unwrap();
    fn walk(value: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("kk", serde_json::Value::String(s)) => {
                            out.push((format!("cookies.json {path}"), s.clone()))
                        }
                        _ => walk(v, &format!("{path}/{k}"), out),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    walk(&cookies, "", &mut texts);
    texts
}

/// The glossary's last column: the Kazakh words it replaced.
fn replaced_words() -> Vec<String> {
    let glossary = std::fs::read_to_string(root().join("locales/glossary.md")).unwrap();
    glossary
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.contains("not to use"))
        .filter_map(|l| l.trim_matches('|').split('|').nth(3).map(str::to_string))
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
    let dated = ["{date}", "{when}", "{since}", "{until}"];
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
