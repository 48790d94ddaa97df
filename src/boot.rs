//! What the server already knew when it sent the page. The server renders each page's first
//! view from these components (`crate::ssr`) and writes the data it used into the page as
//! JSON (`<script type="application/json" id="fk-boot">`); the app starts from the same data,
//! so what it draws is what is already on screen, and the policy is not fetched again.
use fk_api::policy::{PolicyVersion, PolicyVersionList};
use fk_api::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The id of the script element that carries it.
pub const ELEMENT_ID: &str = "fk-boot";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// Set by the server: an empty `Boot` is a page it did not render.
    #[serde(default)]
    pub rendered: bool,
    /// The interface language the page was rendered in.
    pub lang: Lang,
    /// The policy version on screen (`/policy`, `/policy/versions/N`), and the newest number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ShownPolicy>,
    /// The list of versions (`/policy/versions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<PolicyVersionList>,
    /// `/policy/versions/N` asked for a version that was never published: the page is the
    /// policy's not-found page (and the server's status 404).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_such_version: bool,
    /// Whether the request came with a live session (the personal section's pages): a visitor
    /// who is not signed in is not asked "who am I?" at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShownPolicy {
    pub version: PolicyVersion,
    pub latest: u32,
}

impl Boot {
    /// Puts the page's boot data into context: on the server, what it was rendered with; in
    /// the browser, what the page carries (nothing for a page the server did not render).
    pub fn provide() -> Boot {
        let boot = Self::found().unwrap_or_default();
        provide_context(boot.clone());
        boot
    }

    #[cfg(feature = "ssr")]
    fn found() -> Option<Boot> {
        use_context::<Boot>()
    }

    #[cfg(not(feature = "ssr"))]
    fn found() -> Option<Boot> {
        let text = document().get_element_by_id(ELEMENT_ID)?.text_content()?;
        serde_json::from_str(&text).ok()
    }

    /// The script element that carries it.
    pub fn to_script(&self) -> String {
        let json = inert(&serde_json::to_string(self).unwrap_or_default());
        format!("<script type=\"application/json\" id=\"{ELEMENT_ID}\">{json}</script>")
    }
}

/// The page's boot data (empty when the page was not rendered by the server).
pub fn use_boot() -> Boot {
    use_context::<Boot>().unwrap_or_default()
}

/// JSON as the text of a script element: `<` written as `\u003c` (the same string to a JSON
/// parser), so no text inside, such as a `</script>` in a policy, can end the element early.
fn inert(json: &str) -> String {
    json.replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_can_end_the_script_early() {
        let json = serde_json::json!({ "title": "</script><script>alert(1)</script>" }).to_string();
        let safe = inert(&json);
        assert!(!safe.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["title"], "</script><script>alert(1)</script>");
    }
}
