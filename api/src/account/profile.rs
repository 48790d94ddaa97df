//! Editing what registration gave (clause 5.1): the profile, the e-mail address, the password.
use serde::{Deserialize, Serialize};

use super::{rules, Gender};
use crate::{ApiError, Lang};

/// `PUT /api/account/profile`. `version` is the one the form was loaded with: when another tab
/// saved first the server answers `stale_data` instead of overwriting what that tab wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub first_name: String,
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub gender: Gender,
    /// As typed; empty removes the number. Stored in E.164.
    #[serde(default)]
    pub phone: String,
    /// A language code (`ru`, `kk`, `en`): a string, so an unknown one gets its own error.
    pub lang: String,
    /// Needed again when the new birth year means the user may be under 18 (6.5–6.6).
    #[serde(default)]
    pub guardian_consent: bool,
    pub version: i64,
}

/// The fields of the profile form, in form order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileField {
    FirstName,
    BirthYear,
    Phone,
    Lang,
    GuardianConsent,
}

impl ProfileField {
    pub const ALL: [ProfileField; 5] = [
        ProfileField::FirstName,
        ProfileField::BirthYear,
        // Right below the year on the form.
        ProfileField::GuardianConsent,
        ProfileField::Phone,
        ProfileField::Lang,
    ];
}

impl ProfileUpdate {
    pub fn check(&self, field: ProfileField, current_year: i32) -> Result<(), ApiError> {
        match field {
            ProfileField::FirstName => rules::first_name(&self.first_name),
            ProfileField::BirthYear => rules::birth_year(self.birth_year, current_year),
            ProfileField::Phone => rules::phone(&self.phone).map(|_| ()),
            ProfileField::Lang => Lang::parse(&self.lang).map(|_| ()),
            ProfileField::GuardianConsent => {
                rules::guardian_consent(self.birth_year, current_year, self.guardian_consent)
            }
        }
    }

    /// Every problem, in form order.
    pub fn validate(&self, current_year: i32) -> Vec<ApiError> {
        ProfileField::ALL
            .into_iter()
            .filter_map(|f| self.check(f, current_year).err())
            .collect()
    }
}

/// `POST /api/account/email`: the new address. Needs a recent password; the old address stays
/// in force until the link sent to the new one is opened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    pub email: String,
}

/// `POST /api/account/password`: the current password, the new one, and whether every other
/// session should end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    pub new_password: String,
    #[serde(default)]
    pub end_other_sessions: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn valid() -> ProfileUpdate {
        ProfileUpdate {
            first_name: "Айгерим".into(),
            birth_year: Some(1990),
            gender: Gender::Female,
            phone: "8 701 234 56 78".into(),
            lang: "kk".into(),
            guardian_consent: false,
            version: 3,
        }
    }

    #[test]
    fn a_valid_profile_passes() {
        assert!(valid().validate(2026).is_empty());
        assert!(ProfileUpdate {
            phone: String::new(),
            ..valid()
        }
        .validate(2026)
        .is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = ProfileUpdate {
            first_name: "A B".into(),
            birth_year: Some(2100),
            phone: "+1 555".into(),
            lang: "de".into(),
            ..valid()
        };
        let codes: Vec<_> = bad
            .validate(2026)
            .into_iter()
            .map(|e| (e.code, e.field.unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (ErrorCode::FirstNameTwoWords, "first_name".to_string()),
                (ErrorCode::BirthYearInvalid, "birth_year".to_string()),
                (ErrorCode::PhoneInvalid, "phone".to_string()),
                (ErrorCode::UnknownLanguage, "lang".to_string()),
            ]
        );
        let minor = ProfileUpdate {
            birth_year: Some(2015),
            ..valid()
        };
        assert_eq!(
            minor.validate(2026)[0].code,
            ErrorCode::GuardianConsentRequired
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut json = serde_json::to_value(valid()).unwrap();
        json["email"] = "x@y.kz".into();
        assert!(serde_json::from_value::<ProfileUpdate>(json).is_err());
    }
}
