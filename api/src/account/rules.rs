//! The field rules of registration (clause 2.1). The form calls them as the user types, the
//! server before it writes anything; a rule lives only here.
use crate::text::is_host_name;
use crate::{ApiError, ErrorCode};

pub const FIRST_NAME_MAX: usize = 50;
pub const EMAIL_MAX: usize = 254;
pub const LOGIN_MIN: usize = 3;
pub const LOGIN_MAX: usize = 32;
pub const BIRTH_YEAR_MIN: i32 = 1900;
/// Clause 6.5: the policy recommends that users under this age get a parent's permission.
pub const ADULT_AGE: i32 = 18;

fn err(code: ErrorCode, field: &str, message: &str) -> ApiError {
    ApiError::new(code, message).with_field(field)
}

/// Apostrophes people type in names (O'Brien, Кен’ес) and the hyphen of double names.
fn is_name_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | 'ʼ' | '‘')
}

/// One given name, no surname or patronymic: letters of any script, joined by single hyphens
/// or apostrophes.
pub fn first_name(value: &str) -> Result<(), ApiError> {
    let name = value.trim();
    let field = "first_name";
    if name.is_empty() {
        return Err(err(
            ErrorCode::FirstNameRequired,
            field,
            "enter your first name",
        ));
    }
    if name.chars().count() > FIRST_NAME_MAX {
        return Err(err(
            ErrorCode::FirstNameTooLong,
            field,
            "the first name is longer than 50 characters",
        ));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(err(
            ErrorCode::FirstNameTwoWords,
            field,
            "enter only the first name, without surname or patronymic",
        ));
    }
    let chars: Vec<char> = name.chars().collect();
    let letters_only = chars
        .iter()
        .all(|c| c.is_alphabetic() || is_name_joiner(*c));
    let joined_well = chars.first().is_some_and(|c| c.is_alphabetic())
        && chars.last().is_some_and(|c| c.is_alphabetic())
        && chars
            .windows(2)
            .all(|w| !(is_name_joiner(w[0]) && is_name_joiner(w[1])));
    if !letters_only || !joined_well {
        return Err(err(
            ErrorCode::FirstNameInvalid,
            field,
            "a first name has letters, and may have a hyphen or an apostrophe",
        ));
    }
    Ok(())
}

/// The form of an address the server stores and compares: trimmed; compared in lower case.
pub fn email_key(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A syntactically valid address: `local@domain.tld`, no spaces, a domain of letters, digits
/// and hyphens with a top-level part of at least two letters.
pub fn email(value: &str) -> Result<(), ApiError> {
    let email = value.trim();
    let field = "email";
    if email.is_empty() {
        return Err(err(
            ErrorCode::EmailRequired,
            field,
            "enter your e-mail address",
        ));
    }
    let invalid = || {
        err(
            ErrorCode::EmailInvalid,
            field,
            "this is not an e-mail address, e.g. name@example.kz",
        )
    };
    if email.len() > EMAIL_MAX {
        return Err(invalid());
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(invalid());
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let domain_ok = is_host_name(domain, |c| c.is_alphanumeric() || c == '-')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Logins are unique without regard to case: this is the form compared.
pub fn login_key(value: &str) -> String {
    value.trim().to_ascii_lowercase()
}

/// What someone typed into "login or e-mail", in the form it is compared in: an address when
/// it has an `@` (logins cannot), else a login. The account lookup and the throttle of an
/// identifier with no account both use it, so look-alike spellings count the same for both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Login(String),
}

impl Identifier {
    pub fn parse(value: &str) -> Identifier {
        if value.contains('@') {
            Identifier::Email(email_key(value))
        } else {
            Identifier::Login(login_key(value))
        }
    }

    pub fn key(&self) -> &str {
        match self {
            Identifier::Email(key) | Identifier::Login(key) => key,
        }
    }
}

/// 3–32 characters of Latin letters, digits, `.`, `_` and `-`.
pub fn login(value: &str) -> Result<(), ApiError> {
    let login = value.trim();
    let field = "login";
    if !(LOGIN_MIN..=LOGIN_MAX).contains(&login.chars().count()) {
        return Err(err(
            ErrorCode::LoginLength,
            field,
            "a login has 3 to 32 characters",
        ));
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(err(
            ErrorCode::LoginInvalid,
            field,
            "a login has only Latin letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Between 1900 and this year.
pub fn birth_year(value: Option<i32>, current_year: i32) -> Result<(), ApiError> {
    let field = "birth_year";
    match value {
        None => Err(err(
            ErrorCode::BirthYearRequired,
            field,
            "enter your year of birth",
        )),
        Some(y) if !(BIRTH_YEAR_MIN..=current_year).contains(&y) => Err(err(
            ErrorCode::BirthYearInvalid,
            field,
            "the year of birth is between 1900 and this year",
        )),
        Some(_) => Ok(()),
    }
}

/// Whether someone born in `birth_year` may be under 18 now. Only the year is known, so
/// someone born exactly 18 years ago counts: their birthday may not have come yet.
pub fn may_be_minor(birth_year: Option<i32>, current_year: i32) -> bool {
    birth_year.is_some_and(|y| {
        (BIRTH_YEAR_MIN..=current_year).contains(&y) && current_year - y <= ADULT_AGE
    })
}

pub fn accepted(accept_policy: bool) -> Result<(), ApiError> {
    if accept_policy {
        Ok(())
    } else {
        Err(err(
            ErrorCode::PolicyNotAccepted,
            "accept_policy",
            "accept the Privacy Policy to register",
        ))
    }
}

/// Clause 6.5–6.6: who may be under 18 confirms a parent's or guardian's permission.
pub fn guardian_consent(
    birth_year: Option<i32>,
    current_year: i32,
    confirmed: bool,
) -> Result<(), ApiError> {
    if may_be_minor(birth_year, current_year) && !confirmed {
        Err(err(
            ErrorCode::GuardianConsentRequired,
            "guardian_consent",
            "under 18, confirm that a parent or guardian allows you to register",
        ))
    } else {
        Ok(())
    }
}

/// A Kazakh phone number in E.164 (`+77012345678`) from the ways people write one:
/// `+7 701 234 56 78`, `8 (701) 234-56-78`, `87012345678`, `7012345678`. Empty means "no
/// phone" (the field is optional). Kazakh numbers are the +7 numbers whose national part
/// starts with 7 (Russia's start with 3, 4, 8 or 9).
pub fn phone(value: &str) -> Result<Option<String>, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        err(
            ErrorCode::PhoneInvalid,
            "phone",
            "enter a Kazakhstani number: +7 7XX XXX XX XX",
        )
    };
    let body = value.strip_prefix('+').unwrap_or(value);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}'))
    {
        return Err(invalid());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        11 if digits.starts_with('7') || (digits.starts_with('8') && !value.starts_with('+')) => {
            &digits[1..]
        }
        10 if !value.starts_with('+') => &digits[..],
        _ => return Err(invalid()),
    };
    if !national.starts_with('7') {
        return Err(invalid());
    }
    Ok(Some(format!("+7{national}")))
}

/// How a stored number is shown: `+7 701 234 56 78`.
pub fn format_phone(e164: &str) -> String {
    let n = e164.strip_prefix("+7").unwrap_or(e164);
    if n.len() != 10 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return e164.to_string();
    }
    format!("+7 {} {} {} {}", &n[..3], &n[3..6], &n[6..8], &n[8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), ApiError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn first_names() {
        for ok in [
            "Айгерим",
            "Анна-Мария",
            "O'Brien",
            "Жанар",
            "Ерлан",
            "Zoë",
            "Кен’ес",
        ] {
            assert_eq!(code(first_name(ok)), None, "{ok}");
        }
        assert_eq!(code(first_name("  ")), Some(ErrorCode::FirstNameRequired));
        assert_eq!(
            code(first_name("Иван Петров")),
            Some(ErrorCode::FirstNameTwoWords)
        );
        assert_eq!(
            code(first_name("Иван\tИванович")),
            Some(ErrorCode::FirstNameTwoWords)
        );
        assert_eq!(code(first_name("R2D2")), Some(ErrorCode::FirstNameInvalid));
        assert_eq!(code(first_name("-Anna")), Some(ErrorCode::FirstNameInvalid));
        assert_eq!(
            code(first_name("An--na")),
            Some(ErrorCode::FirstNameInvalid)
        );
        assert_eq!(
            code(first_name("<script>")),
            Some(ErrorCode::FirstNameInvalid)
        );
        assert_eq!(
            code(first_name(&"а".repeat(51))),
            Some(ErrorCode::FirstNameTooLong)
        );
        assert_eq!(
            first_name("Иван Петров").unwrap_err().field.as_deref(),
            Some("first_name")
        );
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.kz",
            "first.last+tag@mail.example.com",
            "ерлан@пример.қаз",
            " A@B.KZ ",
        ] {
            assert_eq!(code(email(ok)), None, "{ok}");
        }
        assert_eq!(code(email("")), Some(ErrorCode::EmailRequired));
        for bad in [
            "plain",
            "a@b",
            "a@@b.kz",
            "a b@c.kz",
            "a@-b.kz",
            "a@b.k",
            "a@b.12",
            ".a@b.kz",
            "a..b@c.kz",
            "a@b..kz",
        ] {
            assert_eq!(code(email(bad)), Some(ErrorCode::EmailInvalid), "{bad}");
        }
        assert_eq!(email_key(" Aigerim@Example.KZ "), "aigerim@example.kz");
    }

    #[test]
    fn logins() {
        for ok in ["abc", "aigerim.k", "A_b-9", &"a".repeat(32)] {
            assert_eq!(code(login(ok)), None, "{ok}");
        }
        assert_eq!(code(login("ab")), Some(ErrorCode::LoginLength));
        assert_eq!(code(login(&"a".repeat(33))), Some(ErrorCode::LoginLength));
        assert_eq!(code(login("айгерим")), Some(ErrorCode::LoginInvalid));
        assert_eq!(code(login("a b c")), Some(ErrorCode::LoginInvalid));
        assert_eq!(login_key(" Aigerim.K "), "aigerim.k");
    }

    #[test]
    fn birth_years_and_age() {
        assert_eq!(
            code(birth_year(None, 2026)),
            Some(ErrorCode::BirthYearRequired)
        );
        assert_eq!(
            code(birth_year(Some(1899), 2026)),
            Some(ErrorCode::BirthYearInvalid)
        );
        assert_eq!(
            code(birth_year(Some(2027), 2026)),
            Some(ErrorCode::BirthYearInvalid)
        );
        assert_eq!(code(birth_year(Some(1900), 2026)), None);
        assert!(may_be_minor(Some(2012), 2026));
        assert!(
            may_be_minor(Some(2008), 2026),
            "born 2008: 17 until the birthday"
        );
        assert!(!may_be_minor(Some(2007), 2026));
        assert!(!may_be_minor(None, 2026));
        assert!(!may_be_minor(Some(3000), 2026));
        assert_eq!(
            code(guardian_consent(Some(2012), 2026, false)),
            Some(ErrorCode::GuardianConsentRequired)
        );
        assert_eq!(code(guardian_consent(Some(2012), 2026, true)), None);
        assert_eq!(code(guardian_consent(Some(1990), 2026, false)), None);
    }

    #[test]
    fn kazakh_phone_numbers() {
        for ok in [
            "+7 701 234 56 78",
            "8 (701) 234-56-78",
            "87012345678",
            "7012345678",
            "+77012345678",
            " +7-727-250-00-00 ",
        ] {
            assert!(phone(ok).unwrap().is_some(), "{ok}");
        }
        assert_eq!(
            phone("8 (701) 234-56-78").unwrap().as_deref(),
            Some("+77012345678")
        );
        assert_eq!(phone("   ").unwrap(), None);
        for bad in [
            "+7 912 345 67 89",
            "+1 701 234 5678",
            "701234567",
            "+7 701 234 56 78 9",
            "7012345678x",
            "+8 701 234 56 78",
            "++77012345678",
            "phone",
        ] {
            assert_eq!(
                phone(bad).unwrap_err().code,
                ErrorCode::PhoneInvalid,
                "{bad}"
            );
        }
        assert_eq!(phone("x").unwrap_err().field.as_deref(), Some("phone"));
        assert_eq!(format_phone("+77012345678"), "+7 701 234 56 78");
        assert_eq!(format_phone("garbage"), "garbage");
    }
}
