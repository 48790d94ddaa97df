//! The API document states some rules as regular expressions (`*_PATTERN`); the code checks
//! them by hand (no regex engine in the web app). Here both judge the same strings: the
//! patterns' own examples, their near misses, and many random strings over their alphabets.
use fk_api::account::commerce::{check_order_number, ORDER_NUMBER_PATTERN};
use fk_api::account::{is_token, TOKEN_PATTERN};
use fk_api::consent::{is_revision, is_uuid_v4, REVISION_PATTERN, UUID_V4_PATTERN};

/// A small deterministic generator: the same strings on every run.
struct Strings(u64);

impl Strings {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A string of `len` characters from `alphabet`, now and then one from outside it.
    fn string(&mut self, alphabet: &[char], len: usize) -> String {
        (0..len)
            .map(|_| {
                let n = self.next();
                if n.is_multiple_of(97) {
                    ['\n', ' ', 'Ж', '+', '.', 'G'][(n / 97 % 6) as usize]
                } else {
                    alphabet[(n % alphabet.len() as u64) as usize]
                }
            })
            .collect()
    }
}

fn agree(
    name: &str,
    pattern: &str,
    check: impl Fn(&str) -> bool,
    alphabet: &str,
    lengths: std::ops::RangeInclusive<usize>,
    seeds: &[&str],
) {
    let regex = regex::Regex::new(pattern).unwrap();
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut gen = Strings(0x9E37_79B9_7F4A_7C15);
    let mut samples: Vec<String> = seeds.iter().map(|s| s.to_string()).collect();
    for seed in seeds {
        samples.push(format!("{seed}\n"));
        samples.push(format!(" {seed}"));
        samples.push(seed.to_uppercase());
    }
    for _ in 0..20_000 {
        let len = lengths.start() + (gen.next() as usize % (lengths.end() - lengths.start() + 1));
        samples.push(gen.string(&alphabet, len));
    }
    let mut valid = 0;
    for s in &samples {
        assert_eq!(
            check(s),
            regex.is_match(s),
            "{name}: the check and {pattern} disagree on {s:?}"
        );
        valid += usize::from(check(s));
    }
    assert!(
        valid > 0,
        "{name}: no sample was valid, so nothing was compared"
    );
}

#[test]
fn consent_ids_and_revisions() {
    agree(
        "uuid v4",
        UUID_V4_PATTERN,
        is_uuid_v4,
        "0123456789abcdef-4",
        34..=38,
        &["0f8fad5b-d9cb-469f-a165-70867728950e", ""],
    );
    // The right shape with one character changed, so that the places of `4`, `8`–`b` and `-`
    // are what differs.
    let mut gen = Strings(7);
    let regex = regex::Regex::new(UUID_V4_PATTERN).unwrap();
    for _ in 0..20_000 {
        let mut id: Vec<char> = "0f8fad5b-d9cb-469f-a165-70867728950e".chars().collect();
        let at = (gen.next() % 36) as usize;
        id[at] = "0123456789abcdef-4"
            .chars()
            .nth((gen.next() % 18) as usize)
            .unwrap();
        let id: String = id.into_iter().collect();
        assert_eq!(is_uuid_v4(&id), regex.is_match(&id), "{id}");
    }
    agree(
        "revision",
        REVISION_PATTERN,
        is_revision,
        "0123456789abcdefABG",
        14..=18,
        &["3f2a9c0d1e4b5a69"],
    );
}

#[test]
fn link_tokens() {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    agree(
        "token",
        TOKEN_PATTERN,
        is_token,
        alphabet,
        41..=45,
        &["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    );
}

#[test]
fn order_numbers() {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    agree(
        "order number",
        ORDER_NUMBER_PATTERN,
        |n| check_order_number(n).is_ok(),
        alphabet,
        0..=66,
        &["A-1009", ""],
    );
}
