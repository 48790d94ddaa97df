//! Accounts: what the registration, sign-in, verification and recovery requests carry and
//! what the server answers. The rules they are checked with are in [`rules`] and [`password`].
pub mod activity;
pub mod choices;
pub mod commerce;
pub mod data;
pub mod passkeys;
pub mod password;
pub mod profile;
pub mod rules;
pub mod two_step;

use serde::{Deserialize, Serialize};

use crate::{ApiError, Lang};
use password::CommonPasswords;

/// Gender as clause 2.1 lists it; optional, so "not stated" is a real answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    #[default]
    NotStated,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::NotStated, Gender::Female, Gender::Male];

    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::NotStated => "not_stated",
        }
    }

    pub fn from_code(code: &str) -> Option<Gender> {
        Gender::ALL.into_iter().find(|g| g.code() == code)
    }
}

/// `POST /api/account/register`: exactly the fields of clause 2.1, plus the consents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub first_name: String,
    pub email: String,
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub gender: Gender,
    pub login: String,
    pub password: String,
    /// "I accept the Privacy Policy": registration is consent (clauses 1.3, 8.1).
    pub accept_policy: bool,
    /// The Russian policy version the user was shown; stored with the time of acceptance.
    pub policy_version: u32,
    /// Someone who may be under 18 confirms a parent's or guardian's permission (6.5–6.6).
    #[serde(default)]
    pub guardian_consent: bool,
    /// The interface language: the language of the account's e-mails.
    #[serde(default)]
    pub lang: Lang,
}

/// Which field of the registration form a check is about, in form order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterField {
    FirstName,
    Email,
    BirthYear,
    Login,
    Password,
    AcceptPolicy,
    GuardianConsent,
}

impl RegisterField {
    pub const ALL: [RegisterField; 7] = [
        RegisterField::FirstName,
        RegisterField::Email,
        RegisterField::BirthYear,
        // Right below the year on the form.
        RegisterField::GuardianConsent,
        RegisterField::Login,
        RegisterField::Password,
        RegisterField::AcceptPolicy,
    ];

    /// The JSON name of the field, as `ApiError::field` carries it.
    pub fn name(self) -> &'static str {
        match self {
            RegisterField::FirstName => "first_name",
            RegisterField::Email => "email",
            RegisterField::BirthYear => "birth_year",
            RegisterField::Login => "login",
            RegisterField::Password => "password",
            RegisterField::AcceptPolicy => "accept_policy",
            RegisterField::GuardianConsent => "guardian_consent",
        }
    }
}

impl RegisterRequest {
    /// One field's check: what the form shows next to that field as the user types.
    pub fn check(
        &self,
        field: RegisterField,
        current_year: i32,
        common: &CommonPasswords,
    ) -> Result<(), ApiError> {
        match field {
            RegisterField::FirstName => rules::first_name(&self.first_name),
            RegisterField::Email => rules::email(&self.email),
            RegisterField::BirthYear => rules::birth_year(self.birth_year, current_year),
            RegisterField::Login => rules::login(&self.login),
            RegisterField::Password => {
                password::check(&self.password, &self.login, &self.email, common)
            }
            RegisterField::AcceptPolicy => rules::accepted(self.accept_policy),
            RegisterField::GuardianConsent => {
                rules::guardian_consent(self.birth_year, current_year, self.guardian_consent)
            }
        }
    }

    /// Every problem of the form, in form order. The server answers with the first; the form
    /// shows them all.
    pub fn validate(&self, current_year: i32, common: &CommonPasswords) -> Vec<ApiError> {
        RegisterField::ALL
            .into_iter()
            .filter_map(|f| self.check(f, current_year, common).err())
            .collect()
    }
}

/// `POST /api/account/sign-in`: `login` is the login or the e-mail address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub remember: bool,
}

/// `POST /api/account/reauth`: the password again, before a sensitive operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    pub password: String,
}

/// The token from a link in a letter (`…#token=`): `POST /api/account/reset/check` and
/// `/api/account/email/confirm`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub token: String,
}

/// `POST /api/account/verify`: the token from the verification link and, when the link is
/// opened in a browser other than the one that registered, the password chosen then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyAddressRequest {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /api/account/recover`: where to send a reset link (if an account has that address).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecoverRequest {
    pub email: String,
    /// Used only when no account has the address; otherwise the account's language wins.
    #[serde(default)]
    pub lang: Lang,
}

/// `POST /api/account/reset`: the token from the reset link and the new password.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub token: String,
    pub password: String,
}

/// The answer to registration and recovery, whatever the database holds: nothing here tells
/// whether the address has an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CheckEmail {
    pub email: String,
}

/// The signed-in account as the personal section shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub login: String,
    pub first_name: String,
    pub email: String,
    pub email_verified: bool,
    pub birth_year: i32,
    pub gender: Gender,
    pub lang: Lang,
    pub created_at: String,
    /// E.164 (`+77012345678`), if given.
    #[serde(default)]
    pub phone: Option<String>,
    /// Goes up with every profile change: sent back with an edit to detect a stale form.
    #[serde(default)]
    pub version: i64,
    /// A parent's or guardian's permission was confirmed (6.5–6.6).
    #[serde(default)]
    pub guardian_consent: bool,
}

/// `GET /api/account/session`: who is signed in, and for how long a sensitive operation goes
/// through without asking for the password again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub account: AccountView,
    pub remember: bool,
    pub started_at: String,
    /// RFC 3339; in the past when the password must be asked again.
    pub recent_auth_until: String,
}

/// Where to go after signing in (`?next=`): only a page of the personal section, so a
/// crafted link cannot send someone elsewhere.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| {
        (n == "/account" || n.starts_with("/account/")) && !n.contains("//") && !n.contains('\\')
    })
    .unwrap_or_else(|| "/account".to_string())
}

/// The sign-in page that comes back to `here` (a path with its query) afterwards: where a
/// signed-in page sends a visitor who is not signed in. `here` is percent-encoded as
/// `encodeURIComponent` does, so its own query stays in `next`.
pub fn sign_in_to(here: &str) -> String {
    let mut next = String::with_capacity(here.len());
    for b in here.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            next.push(b as char);
        } else {
            next.push_str(&format!("%{b:02X}"));
        }
    }
    format!("/account/login?next={next}")
}

/// Tokens in links are 32 random bytes in unpadded base64url: 43 characters.
/// [`is_token`] as the API document states it.
pub const TOKEN_PATTERN: &str = "^[A-Za-z0-9_-]{43}$";

/// "Send the link again" works once in this many seconds per registering browser: the server
/// holds to it, and the "check your e-mail" page counts it down after a letter went.
pub const VERIFY_RESEND_GAP: u64 = 60;

pub fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_way_back_after_signing_in_keeps_its_query() {
        assert_eq!(
            sign_in_to("/account/orders?page=3"),
            "/account/login?next=%2Faccount%2Forders%3Fpage%3D3"
        );
        assert_eq!(
            sign_in_to("/account/данные"),
            "/account/login?next=%2Faccount%2F%D0%B4%D0%B0%D0%BD%D0%BD%D1%8B%D0%B5"
        );
    }

    fn valid() -> RegisterRequest {
        RegisterRequest {
            first_name: "Айгерим".into(),
            email: "aigerim@example.kz".into(),
            birth_year: Some(1990),
            gender: Gender::Female,
            login: "aigerim.k".into(),
            password: "коржын сары алма".into(),
            accept_policy: true,
            policy_version: 1,
            guardian_consent: false,
            lang: Lang::Kk,
        }
    }

    #[test]
    fn a_complete_form_passes() {
        assert_eq!(valid().validate(2026, &CommonPasswords::default()), vec![]);
    }

    #[test]
    fn problems_come_in_form_order_with_their_fields() {
        let form = RegisterRequest {
            first_name: "Ivan Petrov".into(),
            login: "x".into(),
            accept_policy: false,
            ..valid()
        };
        let errors = form.validate(2026, &CommonPasswords::default());
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, ["first_name", "login", "accept_policy"]);
        assert_eq!(errors[0].code, ErrorCode::FirstNameTwoWords);
    }

    #[test]
    fn a_minor_needs_the_guardian_checkbox() {
        let form = RegisterRequest {
            birth_year: Some(2012),
            ..valid()
        };
        let errors = form.validate(2026, &CommonPasswords::default());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, ErrorCode::GuardianConsentRequired);
        let form = RegisterRequest {
            guardian_consent: true,
            ..form
        };
        assert!(form.validate(2026, &CommonPasswords::default()).is_empty());
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused() {
        let mut json = serde_json::to_value(valid()).unwrap();
        json["is_admin"] = true.into();
        assert!(serde_json::from_value::<RegisterRequest>(json).is_err());
        let mut json = serde_json::to_value(valid()).unwrap();
        json["birth_year"] = "nineteen".into();
        assert!(serde_json::from_value::<RegisterRequest>(json).is_err());
    }

    #[test]
    fn next_stays_inside_the_personal_section() {
        assert_eq!(safe_next(Some("/account".into())), "/account");
        assert_eq!(
            safe_next(Some("/account/devices".into())),
            "/account/devices"
        );
        assert_eq!(safe_next(Some("https://evil.test".into())), "/account");
        assert_eq!(safe_next(Some("//evil.test/account".into())), "/account");
        assert_eq!(safe_next(Some("/account//evil.test".into())), "/account");
        assert_eq!(safe_next(Some("/account/\\evil.test".into())), "/account");
        assert_eq!(safe_next(Some("/accounting".into())), "/account");
        assert_eq!(safe_next(None), "/account");
    }

    #[test]
    fn tokens_have_one_shape() {
        assert!(is_token("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!is_token("short"));
        assert!(!is_token("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    }
}
