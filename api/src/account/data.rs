//! The overview's cards, the policy-change notice (8.2–8.4), downloading everything held
//! about the user, and deleting the account (5.2).
use serde::{Deserialize, Serialize};

use super::activity::{DeviceSession, HistoryEntry, SecurityEntry};
use super::choices::ChoiceState;
use super::commerce::{OrderView, ParticipationView, PromotionView};
use super::AccountView;
use crate::consent::ConsentReceipt;

/// `GET /api/account/summary`: one number per card of the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Summary {
    pub orders: u64,
    pub promotions_joined: u64,
    pub subscriptions_on: u32,
    pub privacy_on: u32,
    pub sessions: u32,
    pub history_entries: u64,
    /// RFC 3339: when the next download may be made; none when it may be made now.
    pub next_export_at: Option<String>,
}

/// `GET /api/account/policy`: the edition the user last accepted and the current one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PolicyStatus {
    pub accepted_version: u32,
    pub accepted_at: String,
    pub current_version: u32,
    /// When the current edition was published (RFC 3339).
    pub current_published_at: String,
}

impl PolicyStatus {
    /// A newer edition was published since the user last accepted one.
    pub fn changed(&self) -> bool {
        self.current_version > self.accepted_version
    }
}

/// `POST /api/account/policy/acknowledge`: "I have read it", for the edition shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub version: u32,
}

/// `POST /api/account/delete`: the password, asked on the page itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub password: String,
}

/// Downloads are limited to one an hour, counted from a file delivered whole: a download that
/// broke off on the way does not count.
pub const EXPORT_EVERY_SECONDS: i64 = 3600;

/// Starts of a download (delivered or not) allowed in an hour: a broken download may be tried
/// again at once, but the export (it reads every table of the account) is not made endlessly.
pub const EXPORT_TRIES_PER_HOUR: i64 = 5;

/// How the download is written: `json` for programs, `html` one page to read in any browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Json,
    Html,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Html, ExportFormat::Json];

    /// `json` or `html`, as `?format=` gives it.
    pub fn parse(code: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Html => "html",
        }
    }

    /// The file name the download is saved under, for the day given (`YYYY-MM-DD`).
    pub fn file_name(self, day: &str) -> String {
        format!("fortekassa-data-{day}.{}", self.code())
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

/// `POST /api/account/export`: everything held about the user, as one JSON file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DataExport {
    pub generated_at: String,
    /// Which edition of the policy describes this data.
    pub policy_version: u32,
    pub profile: ExportProfile,
    pub orders: Vec<OrderView>,
    pub promotions: ExportPromotions,
    pub choices: Vec<ChoiceState>,
    pub consents: Vec<HistoryEntry>,
    /// The cookie choices recorded while signed in, each whole as stored: with the browser, the
    /// shortened address and the cookie configuration it answered.
    pub cookie_receipts: Vec<ConsentReceipt>,
    /// With whole IP addresses and user agents, as stored (the pages show them shortened).
    pub sessions: Vec<DeviceSession>,
    pub security_log: Vec<SecurityEntry>,
    /// The letters sent (or waiting to be sent) to the user that the service still keeps a
    /// record of. A letter's text is not kept once it is delivered, so only this is.
    pub letters: Vec<LetterRecord>,
    /// How the account is signed into besides the password (never a secret or a code).
    #[serde(default)]
    pub sign_in: super::two_step::SecurityView,
}

/// A letter to the user, as the mail queue keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LetterRecord {
    pub to: String,
    pub subject: String,
    /// RFC 3339.
    pub queued_at: String,
    /// RFC 3339; none while it is waiting, or when every attempt failed.
    pub sent_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ExportProfile {
    #[serde(flatten)]
    pub account: AccountView,
    /// When the address was confirmed (RFC 3339).
    pub email_verified_at: Option<String>,
    /// A new address waiting for its confirmation link to be opened.
    pub pending_email: Option<String>,
    /// The previous download, if any.
    pub last_export_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ExportPromotions {
    pub current: Vec<PromotionView>,
    pub past: Vec<ParticipationView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_edition_is_a_change() {
        let status = |accepted, current| PolicyStatus {
            accepted_version: accepted,
            accepted_at: String::new(),
            current_version: current,
            current_published_at: String::new(),
        };
        assert!(status(1, 2).changed());
        assert!(!status(2, 2).changed());
    }

    #[test]
    fn each_format_has_its_file_name_and_type() {
        assert_eq!(ExportFormat::default(), ExportFormat::Json);
        assert_eq!(ExportFormat::parse("html"), Some(ExportFormat::Html));
        assert_eq!(ExportFormat::parse("HTML"), None);
        assert_eq!(
            ExportFormat::Html.file_name("2026-12-07"),
            "fortekassa-data-2026-12-07.html"
        );
        assert_eq!(
            ExportFormat::Json.file_name("2026-12-07"),
            "fortekassa-data-2026-12-07.json"
        );
        assert!(ExportFormat::Html.media_type().starts_with("text/html"));
    }
}
