use serde::{Deserialize, Serialize};

use crate::{ApiError, ErrorCode};

/// The interface and policy languages. Russian is the default and the prevailing text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ru,
    Kk,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as a language switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ru => "Русский",
            Lang::Kk => "Қазақша",
            Lang::En => "English",
        }
    }

    /// BCP 47 tag for `Intl` date and number formatting.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Ru => "ru-RU",
            Lang::Kk => "kk-KZ",
            Lang::En => "en-GB",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// A BCP 47 tag as pages write it (`en-US`, `kk-KZ`, `RU`): its primary language.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::from_code(&tag.split(['-', '_']).next()?.trim().to_ascii_lowercase())
    }

    /// The first of a browser's languages we speak (`Accept-Language`, `navigator.languages`:
    /// `kk-KZ, ru;q=0.8` → Kazakh), in the order given; weights are taken as written in order.
    pub fn first_spoken<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Lang> {
        tags.into_iter()
            .filter_map(|tag| Lang::from_tag(tag.split(';').next().unwrap_or_default()))
            .next()
    }

    /// Validates a language code from a URL or a command line.
    pub fn parse(code: &str) -> Result<Lang, ApiError> {
        Lang::from_code(code).ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownLanguage,
                format!(
                    "unknown language {:?}: expected one of ru, kk, en",
                    truncate(code)
                ),
            )
            .with_field("lang")
        })
    }
}

/// The cookie that tells the server the interface language a visitor chose, so that it renders
/// the next page in it. Strictly necessary (a setting the visitor made, for the browser
/// session only), never sent elsewhere; listed with the necessary ones in `config/cookies.json`.
pub const COOKIE: &str = "fk_lang";

/// Echoing user input back is useful, echoing a megabyte of it is not.
pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_codes_only() {
        assert_eq!(Lang::parse("kk"), Ok(Lang::Kk));
        let err = Lang::parse("de").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownLanguage);
        assert_eq!(err.field.as_deref(), Some("lang"));
        assert!(
            Lang::parse("RU").is_err(),
            "codes are lower case, as in URLs"
        );
    }

    #[test]
    fn a_browsers_first_spoken_language_is_chosen() {
        let accept = "de-DE,kk-KZ;q=0.9,ru;q=0.8";
        assert_eq!(Lang::first_spoken(accept.split(',')), Some(Lang::Kk));
        assert_eq!(Lang::first_spoken(["en-US", "ru"]), Some(Lang::En));
        assert_eq!(Lang::first_spoken(["de", "fr;q=0.5"]), None);
        assert_eq!(Lang::first_spoken([]), None);
    }

    #[test]
    fn page_language_tags_map_to_their_language() {
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("kk_KZ"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("de-DE"), None);
    }

    #[test]
    fn serializes_as_code() {
        assert_eq!(serde_json::to_string(&Lang::Kk).unwrap(), "\"kk\"");
    }
}
