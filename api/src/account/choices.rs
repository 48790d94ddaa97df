//! What the user allows: subscriptions (clauses 2.1, 7.1–7.2) and the uses of their data
//! that clause 3.1 lists and that the service can do without. Everything is off until the
//! user turns it on; service messages (recovery, security notices) are not a choice.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// News and offers by e-mail (7.1).
    NewsEmail,
    /// News and offers by SMS (7.1): needs a phone number.
    NewsSms,
    /// Materials of the support service (2.1).
    SupportMaterials,
    /// Personalised and recommendation services (3.1).
    Recommendations,
    /// Advertising tailored to the user (3.1).
    AdPersonalisation,
    /// Use of the user's data for statistics and research (3.1).
    Analytics,
}

impl Choice {
    pub const ALL: [Choice; 6] = [
        Choice::NewsEmail,
        Choice::NewsSms,
        Choice::SupportMaterials,
        Choice::Recommendations,
        Choice::AdPersonalisation,
        Choice::Analytics,
    ];
    pub const SUBSCRIPTIONS: [Choice; 3] =
        [Choice::NewsEmail, Choice::NewsSms, Choice::SupportMaterials];
    pub const PRIVACY: [Choice; 3] = [
        Choice::Recommendations,
        Choice::AdPersonalisation,
        Choice::Analytics,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Choice::NewsEmail => "news_email",
            Choice::NewsSms => "news_sms",
            Choice::SupportMaterials => "support_materials",
            Choice::Recommendations => "recommendations",
            Choice::AdPersonalisation => "ad_personalisation",
            Choice::Analytics => "analytics",
        }
    }

    pub fn from_code(code: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn is_subscription(self) -> bool {
        Choice::SUBSCRIPTIONS.contains(&self)
    }

    /// The lists sent by e-mail: the ones a letter can unsubscribe from.
    pub fn is_email_list(self) -> bool {
        matches!(self, Choice::NewsEmail | Choice::SupportMaterials)
    }

    pub fn needs_phone(self) -> bool {
        self == Choice::NewsSms
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ChoiceState {
    pub choice: Choice,
    pub enabled: bool,
    /// RFC 3339; none while the user never changed it (it is then off).
    pub updated_at: Option<String>,
}

/// `GET /api/account/choices`, and the answer to every change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Choices {
    /// Every [`Choice`], in [`Choice::ALL`] order.
    pub choices: Vec<ChoiceState>,
    pub has_phone: bool,
}

impl Choices {
    pub fn enabled(&self, choice: Choice) -> bool {
        self.choices.iter().any(|c| c.choice == choice && c.enabled)
    }

    /// How many of these are on (the overview's "2 subscriptions on").
    pub fn count_on(&self, of: &[Choice]) -> usize {
        of.iter().filter(|c| self.enabled(**c)).count()
    }
}

/// `PUT /api/account/choices/{choice}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceUpdate {
    pub enabled: bool,
}

/// Where a change came from, as the consent history tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceSource {
    /// The personal section.
    Account,
    /// The unsubscribe page opened from a letter.
    UnsubscribePage,
    /// The mail program's one-click unsubscribe (RFC 8058).
    OneClick,
}

impl ChoiceSource {
    pub fn code(self) -> &'static str {
        match self {
            ChoiceSource::Account => "account",
            ChoiceSource::UnsubscribePage => "unsubscribe_page",
            ChoiceSource::OneClick => "one_click",
        }
    }

    pub fn from_code(code: &str) -> Option<ChoiceSource> {
        [
            ChoiceSource::Account,
            ChoiceSource::UnsubscribePage,
            ChoiceSource::OneClick,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// `POST /api/unsubscribe`: the token from a letter, and whether to stay subscribed (the
/// page's "undo" sends `true`). `POST /api/unsubscribe/preview` takes `{token}` alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeRequest {
    pub token: String,
    pub subscribed: bool,
}

/// What the unsubscribe page shows: which list, to which (masked) address, and its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct UnsubscribeView {
    pub choice: Choice,
    /// `a•••@example.kz`: enough to recognise, not enough to learn from a forwarded letter.
    pub email: String,
    pub subscribed: bool,
}

/// Masks an address for the unsubscribe page: the first character of the local part stays.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Choice::ALL {
            assert_eq!(Choice::from_code(c.code()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        assert_eq!(Choice::from_code("everything"), None);
        assert!(Choice::NewsSms.needs_phone() && !Choice::NewsEmail.needs_phone());
        assert!(
            Choice::NewsEmail.is_email_list()
                && !Choice::NewsSms.is_email_list()
                && !Choice::Analytics.is_email_list()
        );
    }

    #[test]
    fn counts_what_is_on() {
        let choices = Choices {
            choices: Choice::ALL
                .iter()
                .map(|&c| ChoiceState {
                    choice: c,
                    enabled: c != Choice::NewsSms,
                    updated_at: None,
                })
                .collect(),
            has_phone: false,
        };
        assert_eq!(choices.count_on(&Choice::SUBSCRIPTIONS), 2);
        assert_eq!(choices.count_on(&Choice::PRIVACY), 3);
    }

    #[test]
    fn masks_addresses() {
        assert_eq!(mask_email("aigerim@example.kz"), "a•••@example.kz");
        assert_eq!(mask_email("ерлан@пример.қаз"), "е•••@пример.қаз");
    }
}
