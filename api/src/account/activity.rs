//! What happened on the account: the consent history (policy editions, cookie choices,
//! subscription and privacy changes) and the devices page (sessions, security log).
use serde::{Deserialize, Serialize};

use super::choices::{Choice, ChoiceSource};
use crate::Lang;

/// How an edition of the policy was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AcceptedHow {
    /// Ticked at registration (1.3, 8.1).
    Registration,
    /// "I have read it" on the notice of a new edition (8.2–8.4).
    Acknowledged,
}

impl AcceptedHow {
    pub fn code(self) -> &'static str {
        match self {
            AcceptedHow::Registration => "registration",
            AcceptedHow::Acknowledged => "acknowledged",
        }
    }

    pub fn from_code(code: &str) -> Option<AcceptedHow> {
        [AcceptedHow::Registration, AcceptedHow::Acknowledged]
            .into_iter()
            .find(|h| h.code() == code)
    }
}

/// Where a parent's or guardian's permission was confirmed (6.5–6.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GuardianConfirmed {
    /// Ticked when registering.
    Registration,
    /// Ticked in the profile (the year of birth given there says under 18).
    Profile,
}

impl GuardianConfirmed {
    pub fn code(self) -> &'static str {
        match self {
            GuardianConfirmed::Registration => "registration",
            GuardianConfirmed::Profile => "profile",
        }
    }

    pub fn from_code(code: &str) -> Option<GuardianConfirmed> {
        [GuardianConfirmed::Registration, GuardianConfirmed::Profile]
            .into_iter()
            .find(|w| w.code() == code)
    }
}

/// One line of the consent history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEvent {
    Policy {
        version: u32,
        lang: Lang,
        how: AcceptedHow,
    },
    /// A cookie consent receipt recorded while signed in.
    Cookies {
        consent_id: String,
        categories: Vec<String>,
        policy_version: u32,
        gpc: bool,
    },
    Choice {
        choice: Choice,
        enabled: bool,
        source: ChoiceSource,
    },
    /// A parent's or guardian's permission confirmed by someone who may be under 18.
    Guardian { place: GuardianConfirmed },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// RFC 3339.
    pub at: String,
    #[serde(flatten)]
    pub event: HistoryEvent,
}

/// `GET /api/account/history`: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct History {
    pub entries: Vec<HistoryEntry>,
}

/// What the security log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecurityEvent {
    SignIn,
    SignInFailed,
    EmailVerified,
    PasswordChanged,
    SignedOutEverywhere,
    EmailChangeRequested,
    EmailChanged,
    SessionEnded,
    OtherSessionsEnded,
    DataExported,
    TwoStepOn,
    TwoStepOff,
    /// A right password, then a wrong code from the app or a wrong recovery code.
    SecondStepFailed,
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
    PasskeyAdded,
    PasskeyRemoved,
}

impl SecurityEvent {
    pub const ALL: [SecurityEvent; 17] = [
        SecurityEvent::SignIn,
        SecurityEvent::SignInFailed,
        SecurityEvent::EmailVerified,
        SecurityEvent::PasswordChanged,
        SecurityEvent::SignedOutEverywhere,
        SecurityEvent::EmailChangeRequested,
        SecurityEvent::EmailChanged,
        SecurityEvent::SessionEnded,
        SecurityEvent::OtherSessionsEnded,
        SecurityEvent::DataExported,
        SecurityEvent::TwoStepOn,
        SecurityEvent::TwoStepOff,
        SecurityEvent::SecondStepFailed,
        SecurityEvent::RecoveryCodeUsed,
        SecurityEvent::RecoveryCodesRenewed,
        SecurityEvent::PasskeyAdded,
        SecurityEvent::PasskeyRemoved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SecurityEvent::SignIn => "sign_in",
            SecurityEvent::SignInFailed => "sign_in_failed",
            SecurityEvent::EmailVerified => "email_verified",
            SecurityEvent::PasswordChanged => "password_changed",
            SecurityEvent::SignedOutEverywhere => "signed_out_everywhere",
            SecurityEvent::EmailChangeRequested => "email_change_requested",
            SecurityEvent::EmailChanged => "email_changed",
            SecurityEvent::SessionEnded => "session_ended",
            SecurityEvent::OtherSessionsEnded => "other_sessions_ended",
            SecurityEvent::DataExported => "data_exported",
            SecurityEvent::TwoStepOn => "two_step_on",
            SecurityEvent::TwoStepOff => "two_step_off",
            SecurityEvent::SecondStepFailed => "second_step_failed",
            SecurityEvent::RecoveryCodeUsed => "recovery_code_used",
            SecurityEvent::RecoveryCodesRenewed => "recovery_codes_renewed",
            SecurityEvent::PasskeyAdded => "passkey_added",
            SecurityEvent::PasskeyRemoved => "passkey_removed",
        }
    }

    pub fn from_code(code: &str) -> Option<SecurityEvent> {
        SecurityEvent::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// The kind of device a browser runs on, as its user agent tells (`unknown` when it does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    Computer,
    Phone,
    Tablet,
    Unknown,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Computer => "computer",
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> DeviceKind {
        match s {
            "computer" => DeviceKind::Computer,
            "phone" => DeviceKind::Phone,
            "tablet" => DeviceKind::Tablet,
            _ => DeviceKind::Unknown,
        }
    }
}

/// An open session on the devices page. The IP is truncated (/24, /48).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DeviceSession {
    pub id: i64,
    pub browser: String,
    pub os: String,
    pub device: String,
    pub ip: String,
    pub started_at: String,
    pub last_active_at: String,
    pub remember: bool,
    /// The session of the browser asking.
    pub current: bool,
    /// The whole User-Agent header: only in the data download (the page shows the parsed parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SecurityEntry {
    pub event: SecurityEvent,
    pub at: String,
    pub ip: String,
    pub browser: String,
    pub os: String,
    pub device: String,
}

/// `GET /api/account/devices`: open sessions (this one first), and the security log, newest
/// first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Devices {
    pub sessions: Vec<DeviceSession>,
    pub log: Vec<SecurityEntry>,
}

/// How many lines of the security log the devices page shows (the export has them all).
pub const SECURITY_LOG_SHOWN: u32 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_are_flat_json() {
        let entry = HistoryEntry {
            at: "2026-11-24T10:00:00Z".into(),
            event: HistoryEvent::Choice {
                choice: Choice::NewsEmail,
                enabled: false,
                source: ChoiceSource::OneClick,
            },
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["kind"], "choice");
        assert_eq!(json["source"], "one_click");
        assert_eq!(serde_json::from_value::<HistoryEntry>(json).unwrap(), entry);
    }

    #[test]
    fn security_event_codes_round_trip() {
        for e in SecurityEvent::ALL {
            assert_eq!(SecurityEvent::from_code(e.code()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.code());
        }
    }
}
