//! What the personal section says for an API error, in the interface language.
use fk_api::i18n::fill;
use fk_api::{AccountMessages, ApiError, ErrorCode, Lang};

use crate::i18n::error_text;

/// What the personal section says for an API error code, in the interface language.
pub fn error_message(lang: Lang, error: &ApiError) -> String {
    let a = lang.account();
    let text = match error.code {
        ErrorCode::FirstNameRequired => a.error_first_name_required,
        ErrorCode::FirstNameTwoWords => a.error_first_name_two_words,
        ErrorCode::FirstNameInvalid => a.error_first_name_invalid,
        ErrorCode::FirstNameTooLong => a.error_first_name_too_long,
        ErrorCode::EmailRequired => a.error_email_required,
        ErrorCode::EmailInvalid => a.error_email_invalid,
        ErrorCode::LoginLength => a.error_login_length,
        ErrorCode::LoginInvalid => a.error_login_invalid,
        ErrorCode::LoginTaken => a.error_login_taken,
        ErrorCode::BirthYearRequired => a.error_birth_year_required,
        ErrorCode::BirthYearInvalid => a.error_birth_year_invalid,
        ErrorCode::PasswordTooShort => a.error_password_too_short,
        ErrorCode::PasswordTooLong => a.error_password_too_long,
        ErrorCode::PasswordTooCommon => a.error_password_too_common,
        ErrorCode::PasswordIsLogin => a.error_password_is_login,
        ErrorCode::PasswordIsEmail => a.error_password_is_email,
        ErrorCode::PolicyNotAccepted => a.error_policy_not_accepted,
        ErrorCode::PolicyOutdated => a.error_policy_outdated,
        ErrorCode::GuardianConsentRequired => a.error_guardian_consent_required,
        // With a field, only a password was asked (re-authentication, password change, deletion).
        ErrorCode::InvalidCredentials if error.field.is_some() => a.error_wrong_password,
        ErrorCode::InvalidCredentials => a.error_invalid_credentials,
        ErrorCode::LinkInvalid => a.error_link_invalid,
        ErrorCode::Unauthenticated => a.error_unauthenticated,
        ErrorCode::ReauthRequired => a.error_reauth_required,
        ErrorCode::PasswordRequired => a.error_password_required,
        ErrorCode::PasswordMissing => a.error_password_missing,
        ErrorCode::PhoneInvalid => a.error_phone_invalid,
        ErrorCode::PhoneRequired => a.error_phone_required,
        ErrorCode::StaleData => a.error_stale_data,
        ErrorCode::EmailUnchanged => a.error_email_unchanged,
        ErrorCode::EmailTaken => a.error_email_taken,
        ErrorCode::PromotionClosed => a.error_promotion_closed,
        ErrorCode::InvalidOrder => a.error_invalid_order,
        ErrorCode::OrderConflict => a.error_order_conflict,
        // Under the recovery-code field, "enter it" names a recovery code.
        ErrorCode::CodeRequired if error.field.as_deref() == Some("recovery_code") => {
            a.error_recovery_code_required
        }
        ErrorCode::CodeRequired => a.error_code_required,
        ErrorCode::CodeInvalid => a.error_code_invalid,
        ErrorCode::CodeWrong => a.error_code_wrong,
        ErrorCode::RecoveryCodeInvalid => a.error_recovery_code_invalid,
        ErrorCode::RecoveryCodeWrong => a.error_recovery_code_wrong,
        ErrorCode::SecondStepExpired => a.error_second_step_expired,
        ErrorCode::TwoStepOn => a.error_two_step_on,
        ErrorCode::TwoStepOff => a.error_two_step_off,
        ErrorCode::PasskeyNameRequired => a.error_passkey_name_required,
        ErrorCode::PasskeyNameInvalid => a.error_passkey_name_invalid,
        ErrorCode::PasskeyChallengeExpired => a.error_passkey_challenge_expired,
        ErrorCode::PasskeyInvalid => a.error_passkey_invalid,
        ErrorCode::PasskeyUnknown => a.error_passkey_unknown,
        ErrorCode::PasskeyTaken => a.error_passkey_taken,
        ErrorCode::TooManyRequests => {
            return match error.retry_after {
                Some(seconds) => fill(a.retry_in, &[("time", &wait_text(a, seconds))]),
                None => a.error_too_many_requests.to_string(),
            }
        }
        code => error_text(lang.messages(), code),
    };
    text.to_string()
}

/// "45 s" or "3 min": how long to wait, rounded up to what a person can act on.
pub fn wait_text(a: &AccountMessages, seconds: u64) -> String {
    if seconds < 90 {
        fill(a.seconds, &[("n", &seconds.max(1).to_string())])
    } else {
        fill(a.minutes, &[("n", &seconds.div_ceil(60).to_string())])
    }
}
