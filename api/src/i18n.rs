//! UI strings from `locales/*.toml` (see `build.rs`), shared by the SPA and the server, and the
//! server's e-mail sentences.
use crate::Lang;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

impl Lang {
    pub fn messages(self) -> &'static Messages {
        match self {
            Lang::Ru => &RU,
            Lang::Kk => &KK,
            Lang::En => &EN,
        }
    }

    /// The personal section's strings (only the account bundle carries them).
    pub fn account(self) -> &'static AccountMessages {
        match self {
            Lang::Ru => &ACCOUNT_RU,
            Lang::Kk => &ACCOUNT_KK,
            Lang::En => &ACCOUNT_EN,
        }
    }

    /// The sentences of service e-mail (the server's; wasm builds do not have them).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn mail(self) -> &'static MailMessages {
        match self {
            Lang::Ru => &MAIL_RU,
            Lang::Kk => &MAIL_KK,
            Lang::En => &MAIL_EN,
        }
    }
}

/// Replaces each `{name}` in `template` by its value; unknown placeholders stay as they are.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(
            fill("{current} of {total}", &[("current", "2"), ("total", "7")]),
            "2 of 7"
        );
        assert_eq!(fill("{missing}", &[]), "{missing}");
    }

    #[test]
    fn every_language_has_its_own_strings() {
        assert_ne!(
            Lang::Ru.messages().nav_policy,
            Lang::En.messages().nav_policy
        );
        assert_ne!(
            Lang::Kk.messages().nav_policy,
            Lang::En.messages().nav_policy
        );
    }
}
