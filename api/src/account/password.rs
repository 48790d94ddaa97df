//! The password rule (NIST SP 800-63B style): long enough, no composition rules, not common,
//! not the login or e-mail; and the strength hint the form shows while typing.
use std::collections::HashSet;

use crate::{ApiError, ErrorCode};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// The common-password list (`api/data/common-passwords.txt`), compared in lower case.
#[derive(Clone, Debug, Default)]
pub struct CommonPasswords(HashSet<String>);

impl CommonPasswords {
    /// One password per line, as the file and `GET /api/account/common-passwords` carry them.
    pub fn parse(text: &str) -> CommonPasswords {
        CommonPasswords(
            text.lines()
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, candidate: &str) -> bool {
        self.0.contains(candidate)
    }
}

/// The list compiled into the server.
#[cfg(feature = "embedded-passwords")]
pub const COMMON_PASSWORDS_TXT: &str = include_str!("../../data/common-passwords.txt");

/// Whether `password` is one of the list, the list's word with digits or symbols stuck on
/// ("dragon12345678"), one short piece repeated ("abcabcabcabc") or a run of neighbouring
/// characters ("abcdefghijkl"): all things guessers try first.
fn is_guessable(password: &str, common: &CommonPasswords) -> bool {
    let lower = password.to_lowercase();
    if common.contains(&lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let stem = stem.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if stem.is_empty() || (stem.len() >= 4 && common.contains(stem)) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    for unit in 1..=chars.len() / 2 {
        if chars.len().is_multiple_of(unit) && chars.chunks(unit).all(|c| c == &chars[..unit]) {
            let piece: String = chars[..unit].iter().collect();
            if unit <= 4 || common.contains(&piece) {
                return true;
            }
        }
    }
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| w[1] as i64 - w[0] as i64)
        .collect();
    steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
}

/// A password asked for to confirm something (deleting the account): typed at all. An empty
/// one is "enter your password", not a wrong password, and is not counted as a failed attempt.
pub fn entered(password: &str, field: &str) -> Result<(), ApiError> {
    if password.is_empty() {
        return Err(
            ApiError::new(ErrorCode::PasswordMissing, "enter your password").with_field(field),
        );
    }
    Ok(())
}

/// The rule: 12 to 128 characters (any characters, spaces included), not guessable, not the
/// login or the e-mail address.
pub fn check(
    password: &str,
    login: &str,
    email: &str,
    common: &CommonPasswords,
) -> Result<(), ApiError> {
    let field = "password";
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(ApiError::new(
            ErrorCode::PasswordTooShort,
            "the password needs at least 12 characters",
        )
        .with_field(field));
    }
    if len > MAX_LEN {
        return Err(ApiError::new(
            ErrorCode::PasswordTooLong,
            "the password has more than 128 characters",
        )
        .with_field(field));
    }
    let lower = password.trim().to_lowercase();
    if !login.trim().is_empty() && lower == login.trim().to_lowercase() {
        return Err(ApiError::new(
            ErrorCode::PasswordIsLogin,
            "the password must not be the login",
        )
        .with_field(field));
    }
    let email = email.trim().to_lowercase();
    if !email.is_empty() && (lower == email || email.split('@').next() == Some(lower.as_str())) {
        return Err(ApiError::new(
            ErrorCode::PasswordIsEmail,
            "the password must not be the e-mail address",
        )
        .with_field(field));
    }
    if is_guessable(password, common) {
        return Err(ApiError::new(
            ErrorCode::PasswordTooCommon,
            "this password is too common or too easy to guess",
        )
        .with_field(field));
    }
    Ok(())
}

/// The hint shown while typing. Only a hint: the rule is [`check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    TooShort,
    Weak,
    Fair,
    Good,
    Strong,
}

/// A rough guess count in bits: length (repeats discounted) times the size of the alphabets
/// used. Guessable passwords are weak whatever their length.
pub fn strength(password: &str, common: &CommonPasswords) -> Strength {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_LEN {
        return Strength::TooShort;
    }
    if is_guessable(password, common) {
        return Strength::Weak;
    }
    let mut pool = 0u32;
    let has = |f: fn(&char) -> bool| chars.iter().any(f);
    if has(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if has(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if has(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if has(|c| c.is_ascii_punctuation() || *c == ' ') {
        pool += 33;
    }
    if has(|c| !c.is_ascii()) {
        pool += 66;
    }
    let distinct: HashSet<&char> = chars.iter().collect();
    let effective = chars.len().min(distinct.len() * 2) as f64;
    let bits = effective * f64::from(pool.max(2)).log2();
    match bits {
        b if b < 50.0 => Strength::Weak,
        b if b < 65.0 => Strength::Fair,
        b if b < 80.0 => Strength::Good,
        _ => Strength::Strong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> CommonPasswords {
        CommonPasswords::parse("123456\npassword\nqwertyuiop\ndragon\n1q2w3e4r5t6y\nmonkey\n")
    }

    fn code(r: Result<(), ApiError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            code(check("короткий", "", "", &list())),
            Some(ErrorCode::PasswordTooShort)
        );
        assert_eq!(code(check("жылы көктем күн", "", "", &list())), None);
        assert_eq!(
            code(check(&"ә".repeat(128), "", "", &CommonPasswords::default())),
            Some(ErrorCode::PasswordTooCommon)
        );
        assert_eq!(
            code(check(&"x".repeat(129), "", "", &list())),
            Some(ErrorCode::PasswordTooLong)
        );
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for bad in [
            "1Q2W3E4R5T6Y",
            "qwertyuiop123",
            "dragon12345678",
            "!!monkey!!2024",
            "abcabcabcabc",
            "aaaaaaaaaaaa",
            "abcdefghijklm",
            "987654321098"[..9].repeat(2).as_str(),
        ] {
            assert_eq!(
                code(check(bad, "", "", &list())),
                Some(ErrorCode::PasswordTooCommon),
                "{bad}"
            );
        }
        assert_eq!(
            code(check("monkeymonkeymonkey", "", "", &list())),
            Some(ErrorCode::PasswordTooCommon)
        );
        assert_eq!(code(check("correct horse battery", "", "", &list())), None);
    }

    #[test]
    fn login_and_email_are_refused() {
        assert_eq!(
            code(check("Aigerim.Kassymova", "aigerim.kassymova", "", &list())),
            Some(ErrorCode::PasswordIsLogin)
        );
        assert_eq!(
            code(check(
                "aigerim.kassymova@mail.kz",
                "",
                "Aigerim.Kassymova@mail.kz",
                &list()
            )),
            Some(ErrorCode::PasswordIsEmail)
        );
        assert_eq!(
            code(check(
                "aigerim.kassymova",
                "",
                "aigerim.kassymova@mail.kz",
                &list()
            )),
            Some(ErrorCode::PasswordIsEmail)
        );
    }

    #[test]
    fn strength_grows_with_length_and_variety() {
        let l = list();
        assert_eq!(strength("short", &l), Strength::TooShort);
        assert_eq!(strength("qwertyuiop12", &l), Strength::Weak);
        assert!(strength("tulips in spring", &l) >= Strength::Fair);
        assert!(strength("Tulips in spring, 2 cats!", &l) > strength("tulipsinspring", &l));
        assert_eq!(strength("Жылы көктем, 7 ақ мысық!", &l), Strength::Strong);
    }

    #[cfg(feature = "embedded-passwords")]
    #[test]
    fn the_shipped_list_has_ten_thousand_passwords() {
        let list = CommonPasswords::parse(COMMON_PASSWORDS_TXT);
        assert!(list.len() >= 9_900, "{}", list.len());
        assert_eq!(
            code(check("qwerty123456", "", "", &list)),
            Some(ErrorCode::PasswordTooCommon)
        );
    }

    #[test]
    fn an_empty_password_is_missing_not_wrong() {
        let e = entered("", "password").unwrap_err();
        assert_eq!(e.code, ErrorCode::PasswordMissing);
        assert_eq!(e.field.as_deref(), Some("password"));
        // Spaces may be a password: only nothing at all is missing.
        assert!(entered(" ", "password").is_ok());
        assert!(entered("correct horse", "password").is_ok());
    }
}
