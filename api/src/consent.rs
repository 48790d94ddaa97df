//! Cookie consent: the categories, the operator's configuration as the API serves it, and the
//! receipt a browser sends for every choice, with the rules that validate it.
use serde::{Deserialize, Serialize};

use crate::lang::truncate;
use crate::text::is_host_name;
use crate::{ApiError, ErrorCode, Lang};

/// The four categories of the policy (6, 6.2–6.4, 3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Always on: session, security, the consent record itself.
    Necessary,
    /// Remembering settings and form inputs (6.2).
    Preferences,
    /// Usage control and statistical research (6.2–6.3).
    Statistics,
    /// Advertising personalisation (3.1).
    Marketing,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Necessary,
        Category::Preferences,
        Category::Statistics,
        Category::Marketing,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Preferences => "preferences",
            Category::Statistics => "statistics",
            Category::Marketing => "marketing",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What "accept all" allows. With Global Privacy Control on, marketing stays off: the signal
/// is a standing objection to advertising personalisation, and only an explicit switch in the
/// preferences dialog overrides it.
pub fn accept_all(gpc: bool) -> Vec<Category> {
    Category::ALL
        .into_iter()
        .filter(|c| !(gpc && *c == Category::Marketing))
        .collect()
}

/// A text in the three interface languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
            Lang::En => &self.en,
        }
    }
}

/// One cookie (or a family: `name` ending in `*`) a category sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CookieInfo {
    pub name: String,
    pub purpose: Localized,
    pub lifetime: Localized,
    pub provider: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryInfo {
    pub id: Category,
    pub name: Localized,
    pub description: Localized,
    pub cookies: Vec<CookieInfo>,
}

/// A third party whose frames pages embed (a video player, a map). A page marks such a frame
/// `<iframe data-src="…" data-category="…">` and the loader shows a placeholder naming the
/// provider until the category is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FrameProvider {
    /// Its name as people know it ("YouTube").
    pub provider: String,
    /// The hosts its frames come from; each also covers its subdomains.
    pub hosts: Vec<String>,
    /// What its frames need (a frame's own `data-category` wins).
    pub category: Category,
    /// Its privacy policy, an `https://` address.
    pub policy: String,
}

/// The operator's file (`config/cookies.json`): every category, in display order, and the
/// providers of frames pages embed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CookieConfig {
    pub categories: Vec<CategoryInfo>,
    #[serde(default)]
    pub frames: Vec<FrameProvider>,
}

/// A host name as a frame provider lists it: in lower case, as a browser's URL has it.
fn is_frame_host(host: &str) -> bool {
    is_host_name(host, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

impl CookieConfig {
    /// Each of the four categories exactly once, necessary first; cookie names non-empty and
    /// made of cookie-name characters, `*` only at the end.
    pub fn validate(&self) -> Result<(), String> {
        let ids: Vec<Category> = self.categories.iter().map(|c| c.id).collect();
        if ids.first() != Some(&Category::Necessary) {
            return Err("the first category must be \"necessary\"".into());
        }
        for cat in Category::ALL {
            match ids.iter().filter(|c| **c == cat).count() {
                1 => {}
                0 => return Err(format!("category \"{}\" is missing", cat.code())),
                _ => return Err(format!("category \"{}\" appears twice", cat.code())),
            }
        }
        for cat in &self.categories {
            for text in [&cat.name, &cat.description] {
                if [&text.ru, &text.kk, &text.en]
                    .iter()
                    .any(|t| t.trim().is_empty())
                {
                    return Err(format!(
                        "category \"{}\" needs a name and a description in ru, kk and en",
                        cat.id.code()
                    ));
                }
            }
            for cookie in &cat.cookies {
                let stem = cookie.name.strip_suffix('*').unwrap_or(&cookie.name);
                let ok = !stem.is_empty()
                    && stem
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
                if !ok {
                    return Err(format!(
                        "cookie name {:?} in \"{}\" is not valid",
                        cookie.name,
                        cat.id.code()
                    ));
                }
            }
        }
        for frame in &self.frames {
            let name = &frame.provider;
            if name.trim().is_empty() {
                return Err("a frame provider needs a name".into());
            }
            if frame.hosts.is_empty() || !frame.hosts.iter().all(|h| is_frame_host(h)) {
                return Err(format!("frame provider {name:?} needs hosts written as lower-case host names (www.example.com)"));
            }
            if frame.category == Category::Necessary {
                return Err(format!(
                    "frame provider {name:?}: a third-party frame is never \"necessary\""
                ));
            }
            let host_part = frame.policy.strip_prefix("https://").unwrap_or_default();
            if host_part.is_empty()
                || frame
                    .policy
                    .bytes()
                    .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'"')
            {
                return Err(format!(
                    "frame provider {name:?} needs its privacy policy as an https:// address"
                ));
            }
        }
        Ok(())
    }
}

/// `GET /api/consent/config`: the configuration, its revision (a hash of the file: a new
/// revision asks every visitor again) and the current policy version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ConsentConfig {
    pub revision: String,
    pub policy_version: u32,
    pub categories: Vec<CategoryInfo>,
}

/// `POST /api/consent`: one choice, as the loader sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub consent_id: String,
    pub categories: Vec<String>,
    pub config_revision: String,
    pub policy_version: u32,
    #[serde(default)]
    pub gpc: bool,
}

/// A validated choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub consent_id: String,
    pub categories: Vec<Category>,
    pub config_revision: String,
    pub policy_version: u32,
    pub gpc: bool,
}

impl ConsentRequest {
    pub fn validate(&self) -> Result<Choice, ApiError> {
        if !is_uuid_v4(&self.consent_id) {
            return Err(invalid(
                "consent_id",
                format!("{:?} is not a UUID v4", truncate(&self.consent_id)),
            ));
        }
        let mut categories = Vec::new();
        for raw in &self.categories {
            let cat = Category::from_code(raw).ok_or_else(|| {
                invalid(
                    "categories",
                    format!("unknown category {:?}", truncate(raw)),
                )
            })?;
            if categories.contains(&cat) {
                return Err(invalid(
                    "categories",
                    format!("category {:?} is listed twice", cat.code()),
                ));
            }
            categories.push(cat);
        }
        if !categories.contains(&Category::Necessary) {
            return Err(invalid(
                "categories",
                "necessary cookies are always on: \"necessary\" must be listed".into(),
            ));
        }
        categories.sort();
        if !is_revision(&self.config_revision) {
            return Err(invalid(
                "config_revision",
                "the configuration revision is 16 lower-case hex digits".into(),
            ));
        }
        if self.policy_version == 0 || self.policy_version > crate::policy::MAX_VERSION {
            return Err(invalid(
                "policy_version",
                "the policy version must be a published version number".into(),
            ));
        }
        Ok(Choice {
            consent_id: self.consent_id.clone(),
            categories,
            config_revision: self.config_revision.clone(),
            policy_version: self.policy_version,
            gpc: self.gpc,
        })
    }
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidConsent, message).with_field(field)
}

/// [`is_uuid_v4`] as the API document states it.
pub const UUID_V4_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// [`is_revision`] as the API document states it.
pub const REVISION_PATTERN: &str = "^[0-9a-f]{16}$";

/// `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, lower case (what `crypto.randomUUID()` makes).
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

/// A configuration revision: the first 16 hex digits of the file's SHA-256.
pub fn is_revision(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// `GET /api/consent/{id}` and the answer to a POST: one recorded choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ConsentReceipt {
    pub consent_id: String,
    pub categories: Vec<Category>,
    pub config_revision: String,
    pub policy_version: u32,
    /// RFC 3339, UTC.
    pub recorded_at: String,
    pub gpc: bool,
    pub user_agent: String,
    /// The address with its host part zeroed (IPv4 /24, IPv6 /48): never stored whole.
    pub ip_truncated: String,
}

/// Every choice recorded under one consent ID, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ConsentHistory {
    pub consent_id: String,
    pub receipts: Vec<ConsentReceipt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ConsentRequest {
        ConsentRequest {
            consent_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            categories: vec!["statistics".into(), "necessary".into()],
            config_revision: "0123456789abcdef".into(),
            policy_version: 1,
            gpc: false,
        }
    }

    #[test]
    fn a_valid_choice_is_normalised() {
        let choice = request().validate().unwrap();
        assert_eq!(
            choice.categories,
            vec![Category::Necessary, Category::Statistics]
        );
    }

    #[test]
    fn every_rule_names_its_field() {
        type Case = (Box<dyn Fn(&mut ConsentRequest)>, &'static str);
        let cases: Vec<Case> = vec![
            (
                Box::new(|r| r.consent_id = "not-a-uuid".into()),
                "consent_id",
            ),
            (
                Box::new(|r| r.consent_id = "0F8FAD5B-D9CB-469F-A165-70867728950E".into()),
                "consent_id",
            ),
            (
                Box::new(|r| r.consent_id = "0f8fad5b-d9cb-169f-a165-70867728950e".into()),
                "consent_id",
            ),
            (
                Box::new(|r| r.categories.push("everything".into())),
                "categories",
            ),
            (
                Box::new(|r| r.categories.push("statistics".into())),
                "categories",
            ),
            (
                Box::new(|r| r.categories = vec!["statistics".into()]),
                "categories",
            ),
            (
                Box::new(|r| r.config_revision = "xyz".into()),
                "config_revision",
            ),
            (Box::new(|r| r.policy_version = 0), "policy_version"),
        ];
        for (break_it, field) in cases {
            let mut r = request();
            break_it(&mut r);
            let err = r.validate().unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidConsent);
            assert_eq!(err.field.as_deref(), Some(field), "{err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json = r#"{"consent_id":"0f8fad5b-d9cb-469f-a165-70867728950e","categories":["necessary"],"config_revision":"0123456789abcdef","policy_version":1,"admin":true}"#;
        assert!(serde_json::from_str::<ConsentRequest>(json).is_err());
    }

    #[test]
    fn accept_all_honours_gpc() {
        assert_eq!(accept_all(false).len(), 4);
        assert_eq!(
            accept_all(true),
            vec![
                Category::Necessary,
                Category::Preferences,
                Category::Statistics
            ]
        );
    }

    #[test]
    fn uuid_v4_shape() {
        assert!(is_uuid_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(
            !is_uuid_v4("0f8fad5b-d9cb-469f-c165-70867728950e"),
            "variant must be 8, 9, a or b"
        );
        assert!(!is_uuid_v4("0f8fad5bd9cb469fa16570867728950e"));
    }

    #[test]
    fn the_shipped_configuration_is_valid() {
        let config: CookieConfig =
            serde_json::from_str(include_str!("../../config/cookies.json")).unwrap();
        config.validate().unwrap();
        let mut broken = config.clone();
        broken.categories.remove(2);
        assert!(broken.validate().unwrap_err().contains("statistics"));
        let mut bad_name = config.clone();
        let template = bad_name.categories[1].cookies[0].clone();
        bad_name.categories[1].cookies.push(CookieInfo {
            name: "a b".into(),
            ..template
        });
        assert!(bad_name.validate().is_err());
        assert!(
            !config.frames.is_empty(),
            "the shipped file names the usual frame providers"
        );
    }

    #[test]
    fn frame_providers_are_checked() {
        let config: CookieConfig =
            serde_json::from_str(include_str!("../../config/cookies.json")).unwrap();
        let with = |f: fn(&mut FrameProvider)| {
            let mut c = config.clone();
            f(&mut c.frames[0]);
            c.validate()
        };
        assert!(with(|_| {}).is_ok());
        assert!(with(|f| f.provider = " ".into())
            .unwrap_err()
            .contains("name"));
        assert!(with(|f| f.hosts = vec![]).unwrap_err().contains("hosts"));
        for host in [
            "WWW.youtube.com",
            "youtube",
            "a..b",
            "-a.com",
            "a.com/x",
            "*.a.com",
            "https://a.com",
        ] {
            assert!(with_host(&config, host).is_err(), "{host}");
        }
        assert!(with_host(&config, "www.youtube-nocookie.com").is_ok());
        assert!(with(|f| f.category = Category::Necessary)
            .unwrap_err()
            .contains("necessary"));
        assert!(with(|f| f.policy = "http://a.com".into())
            .unwrap_err()
            .contains("https"));
        assert!(with(|f| f.policy = "https://".into()).is_err());
        let without: CookieConfig = serde_json::from_str(r#"{"categories": []}"#).unwrap();
        assert!(
            without.frames.is_empty(),
            "a file from before frames still reads"
        );
    }

    fn with_host(config: &CookieConfig, host: &str) -> Result<(), String> {
        let mut c = config.clone();
        c.frames[0].hosts = vec![host.into()];
        c.validate()
    }
}
