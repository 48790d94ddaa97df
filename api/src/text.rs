//! Text helpers the reader needs: search matching and spotting e-mail addresses; the shape of
//! a host name, which e-mail addresses and frame providers share.
use std::ops::Range;

/// At most this many matches are reported; a one-letter query should not freeze a phone.
pub const MAX_MATCHES: usize = 1000;

/// Folds a character for search: case-insensitive, and "ё" equals "е" as Russian readers expect.
fn fold(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower == 'ё' {
        'е'
    } else {
        lower
    }
}

/// Byte ranges of the non-overlapping occurrences of `needle` in `haystack`, ignoring case.
/// The needle is trimmed; an empty needle matches nothing.
pub fn find_matches(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = needle.trim().chars().map(fold).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let hay: Vec<(usize, char)> = haystack.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() && out.len() < MAX_MATCHES {
        if hay[i..i + needle.len()]
            .iter()
            .zip(&needle)
            .all(|((_, a), b)| a == b)
        {
            let start = hay[i].0;
            let end = hay
                .get(i + needle.len())
                .map_or(haystack.len(), |(b, _)| *b);
            out.push(start..end);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Splits text into pieces, each either plain text or an e-mail address (`true`).
pub fn split_emails(text: &str) -> Vec<(&str, bool)> {
    let is_local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let is_domain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    let mut out = Vec::new();
    let mut rest_start = 0;
    let bytes = text.as_bytes();
    let mut search_from = 0;
    while let Some(pos) = text[search_from..].find('@').map(|p| p + search_from) {
        let start = text[rest_start..pos]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local(*c))
            .last()
            .map_or(pos, |(i, _)| rest_start + i);
        let mut end = pos
            + 1
            + text[pos + 1..]
                .find(|c: char| !is_domain(c))
                .unwrap_or(text.len() - pos - 1);
        while end > pos + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[pos + 1..end];
        let valid = start < pos
            && domain.contains('.')
            && !domain.starts_with('.')
            && domain.split('.').all(|label| !label.is_empty());
        if valid {
            if rest_start < start {
                out.push((&text[rest_start..start], false));
            }
            out.push((&text[start..end], true));
            rest_start = end;
        }
        search_from = end.max(pos + 1);
    }
    if rest_start < text.len() {
        out.push((&text[rest_start..], false));
    }
    out
}

/// Two or more dot-separated labels of 1–63 characters, each of `label_char`s and not starting
/// or ending with a hyphen.
pub fn is_host_name(host: &str, label_char: impl Fn(char) -> bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(&label_char)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found<'a>(hay: &'a str, needle: &str) -> Vec<&'a str> {
        find_matches(hay, needle)
            .into_iter()
            .map(|r| &hay[r])
            .collect()
    }

    #[test]
    fn matches_ignore_case_and_yo() {
        assert_eq!(
            found("Cookies и cookie", "COOKIE"),
            vec!["Cookie", "cookie"]
        );
        assert_eq!(found("Её данные", "ее"), vec!["Её"]);
        assert_eq!(found("Қазақ қазақ", "ҚАЗ"), vec!["Қаз", "қаз"]);
    }

    #[test]
    fn matches_do_not_overlap_and_empty_finds_nothing() {
        assert_eq!(found("aaaa", "aa"), vec!["aa", "aa"]);
        assert!(find_matches("text", "   ").is_empty());
        assert!(find_matches("", "a").is_empty());
    }

    #[test]
    fn matches_are_capped() {
        assert_eq!(find_matches(&"a".repeat(5000), "a").len(), MAX_MATCHES);
    }

    #[test]
    fn finds_email_addresses() {
        assert_eq!(
            split_emails("адрес info@fortekassa.kz."),
            vec![
                ("адрес ", false),
                ("info@fortekassa.kz", true),
                (".", false)
            ]
        );
        assert_eq!(split_emails("a @ b"), vec![("a @ b", false)]);
        assert_eq!(split_emails("x@localhost"), vec![("x@localhost", false)]);
        assert_eq!(
            split_emails("a@b.kz и c@d.kz"),
            vec![("a@b.kz", true), (" и ", false), ("c@d.kz", true)]
        );
    }

    #[test]
    fn host_names_have_two_labels_and_no_hyphen_at_their_ends() {
        let ascii = |c: char| c.is_ascii_alphanumeric() || c == '-';
        assert!(is_host_name("www.youtube-nocookie.com", ascii));
        assert!(is_host_name("127.0.0.1", ascii));
        for bad in [
            "localhost",
            "a..b",
            "-a.com",
            "a-.com",
            "a.com.",
            &format!("{}.com", "a".repeat(64)),
        ] {
            assert!(!is_host_name(bad, ascii), "{bad}");
        }
        assert!(is_host_name("почта.kz", |c| c.is_alphanumeric()));
    }
}
