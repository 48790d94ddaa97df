use super::*;
use crate::mail::layout::BUTTON;
use crate::mail::letters::sentence;
use crate::mail::render;
use fk_api::Lang;

const XSS: &str = "<script>alert(1)</script>";

// Links carry `&` so that the tests see them escaped in `href`.
const VERIFY: &str = "https://privacy.fortekassa.kz/verify?token=v1&lang=ru";
const ACCOUNT: &str = "https://privacy.fortekassa.kz/account?from=welcome&lang=ru";
const SIGN_IN: &str = "https://privacy.fortekassa.kz/sign-in?email=a%40b.kz&lang=ru";
const RECOVER: &str = "https://privacy.fortekassa.kz/recover?from=mail&lang=ru";
const RESET: &str = "https://privacy.fortekassa.kz/reset?token=r1&lang=ru";
const SESSIONS: &str = "https://privacy.fortekassa.kz/account/sessions?from=mail&lang=ru";
const LOGIN: &str = "anna.login@example.kz";

/// Every kind, with its links.
fn all(first_name: &str) -> Vec<(Mail<'_>, Vec<&'static str>)> {
    vec![
        (
            Mail::Verify {
                first_name,
                link: VERIFY,
            },
            vec![VERIFY],
        ),
        (
            Mail::Welcome {
                first_name,
                login: LOGIN,
                account_link: ACCOUNT,
            },
            vec![ACCOUNT],
        ),
        (
            Mail::RegistrationAttempt {
                first_name,
                sign_in_link: SIGN_IN,
                recover_link: RECOVER,
            },
            vec![SIGN_IN, RECOVER],
        ),
        (
            Mail::Reset {
                first_name,
                link: RESET,
            },
            vec![RESET],
        ),
        (
            Mail::PasswordChanged {
                first_name,
                when: "24.11.2026 14:05 UTC",
                others_ended: true,
                recover_link: RECOVER,
            },
            vec![RECOVER],
        ),
        (
            Mail::NewSignIn {
                first_name,
                when: "24.11.2026 14:05 UTC",
                browser: "Chrome 131",
                device: "Windows, computer",
                ip: "203.0.113.x",
                sessions_link: SESSIONS,
                recover_link: RECOVER,
            },
            vec![RECOVER, SESSIONS],
        ),
        (
            Mail::EmailChangeConfirm {
                first_name,
                new_email: LOGIN,
                link: VERIFY,
            },
            vec![VERIFY],
        ),
        (
            Mail::EmailChangeNotice {
                first_name,
                new_email: LOGIN,
                when: "24.11.2026 14:05 UTC",
                recover_link: RECOVER,
            },
            vec![RECOVER],
        ),
        (
            Mail::AccountDeleted {
                first_name,
                when: "24.11.2026 14:05 UTC",
                policy_link: ACCOUNT,
            },
            vec![ACCOUNT],
        ),
    ]
}

#[test]
fn every_kind_and_language_has_subject_links_lang_and_title() {
    for lang in Lang::ALL {
        for (mail, links) in all("Анна") {
            let r = render(&mail, lang);
            let what = format!("{mail:?} in {lang:?}");
            assert!(!r.subject.trim().is_empty(), "{what}: empty subject");
            assert!(
                r.html.contains(&format!("<html lang=\"{}\">", lang.code())),
                "{what}: lang"
            );
            assert!(
                r.html
                    .contains(&format!("<title>{}</title>", escape_html(&r.subject))),
                "{what}: title"
            );
            for link in links {
                assert!(
                    r.text.lines().any(|l| l == link),
                    "{what}: {link} not on its own line in text"
                );
                let escaped = escape_html(link);
                assert!(
                    r.html.contains(&format!("href=\"{escaped}\"")),
                    "{what}: {link} not in href"
                );
                assert!(
                    r.html.contains(&format!(">{escaped}</a>")),
                    "{what}: {link} not shown as text"
                );
                assert!(!r.html.contains(link), "{what}: {link} unescaped in html");
            }
            for part in [&r.text, &r.html] {
                assert!(part.contains("Анна"), "{what}: no greeting by name");
                assert!(part.contains(CONTACT_EMAIL), "{what}: no contact address");
                assert!(part.contains("ForteKassa"), "{what}: no sign-off");
            }
        }
    }
}

#[test]
fn html_has_one_button_and_nothing_external() {
    for lang in Lang::ALL {
        for (mail, _) in all("Анна") {
            let html = render(&mail, lang).html;
            assert_eq!(html.matches(BUTTON).count(), 1, "{mail:?} in {lang:?}");
            for banned in [
                "<img", "src=", "url(", "<link", "<script", "<style", "@import",
            ] {
                assert!(
                    !html.contains(banned),
                    "{mail:?} in {lang:?} contains {banned}"
                );
            }
            // The only background is the button's, and it brings its own text colour.
            assert_eq!(html.matches("background").count(), 1);
            assert!(BUTTON.contains("color:#ffffff"));
        }
    }
}

/// The one letter to someone with no account: nobody to greet by name, the same frame.
#[test]
fn the_no_account_letter_greets_nobody_by_name_and_offers_to_register() {
    for lang in Lang::ALL {
        let r = render(
            &Mail::ResetNoAccount {
                register_link: ACCOUNT,
            },
            lang,
        );
        let reset = render(
            &Mail::Reset {
                first_name: "Анна",
                link: RESET,
            },
            lang,
        );
        assert_eq!(
            r.subject, reset.subject,
            "{lang:?}: the same subject as a reset, whatever the address"
        );
        assert!(r.text.lines().any(|l| l == ACCOUNT), "{lang:?}");
        assert!(
            r.html
                .contains(&format!("href=\"{}\"", escape_html(ACCOUNT))),
            "{lang:?}"
        );
        assert!(
            r.text.contains(CONTACT_EMAIL) && r.html.contains(CONTACT_EMAIL),
            "{lang:?}"
        );
        assert_eq!(r.html.matches(BUTTON).count(), 1, "{lang:?}");
    }
}

#[test]
fn welcome_states_the_login() {
    for lang in Lang::ALL {
        let r = render(
            &Mail::Welcome {
                first_name: "Анна",
                login: LOGIN,
                account_link: ACCOUNT,
            },
            lang,
        );
        assert!(r.text.contains(LOGIN) && r.html.contains(LOGIN), "{lang:?}");
    }
}

#[test]
fn sign_in_details_are_shown() {
    for lang in Lang::ALL {
        let (mail, _) = all("Анна")
            .into_iter()
            .find(|(m, _)| matches!(m, Mail::NewSignIn { .. }))
            .unwrap();
        let r = render(&mail, lang);
        for value in [
            "24.11.2026 14:05 UTC",
            "Chrome 131",
            "Windows, computer",
            "203.0.113.x",
        ] {
            assert!(
                r.text.contains(value) && r.html.contains(value),
                "{lang:?}: {value}"
            );
        }
    }
}

#[test]
fn a_hostile_name_is_escaped_in_html() {
    for lang in Lang::ALL {
        for (mail, _) in all(XSS) {
            let r = render(&mail, lang);
            assert!(
                r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{mail:?} in {lang:?}"
            );
            assert!(
                !r.html.contains(XSS) && !r.html.contains("<script"),
                "{mail:?} in {lang:?}"
            );
        }
    }
}

#[test]
fn every_value_is_escaped_in_html() {
    let evil = "\"><b>x</b>'";
    let mails = [
        Mail::Welcome {
            first_name: evil,
            login: evil,
            account_link: evil,
        },
        Mail::NewSignIn {
            first_name: evil,
            when: evil,
            browser: evil,
            device: evil,
            ip: evil,
            sessions_link: evil,
            recover_link: evil,
        },
    ];
    for lang in Lang::ALL {
        for mail in &mails {
            let html = render(mail, lang).html;
            assert!(
                !html.contains(evil) && !html.contains("<b>"),
                "{mail:?} in {lang:?}"
            );
            assert!(html.contains("href=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;&#39;\""));
        }
    }
}

#[test]
fn values_cannot_add_lines_or_reverse_text() {
    let name = "Анна\n\nYour account is locked: http://evil.example\r\n\u{202E}";
    let r = render(
        &Mail::Verify {
            first_name: name,
            link: VERIFY,
        },
        Lang::Ru,
    );
    assert!(
        r.text
            .starts_with("Здравствуйте, Анна Your account is locked: http://evil.example!\n"),
        "{}",
        r.text
    );
    assert!(!r.text.contains('\u{202E}') && !r.html.contains('\u{202E}'));
}

#[test]
fn an_empty_name_greets_without_a_name() {
    for (name, lang, greeting) in [
        ("", Lang::Ru, "Здравствуйте!"),
        ("  ", Lang::Kk, "Сәлеметсіз бе!"),
        ("", Lang::En, "Hello,"),
    ] {
        let r = render(
            &Mail::Reset {
                first_name: name,
                link: RESET,
            },
            lang,
        );
        assert!(
            r.text.starts_with(&format!("{greeting}\n\n")),
            "{lang:?}: {}",
            r.text
        );
        assert!(
            r.html.contains(&format!(">{}</p>", escape_html(greeting))),
            "{lang:?}"
        );
    }
    let named = render(
        &Mail::Reset {
            first_name: "Anna",
            link: RESET,
        },
        Lang::En,
    );
    assert!(named.text.starts_with("Hello Anna,\n\n"));
}

#[test]
fn languages_differ() {
    for (mail, _) in all("Анна") {
        let [ru, kk, en] = Lang::ALL.map(|lang| render(&mail, lang));
        for (a, b) in [(&ru, &kk), (&ru, &en), (&kk, &en)] {
            assert_ne!(a.subject, b.subject, "{mail:?}");
            assert_ne!(a.text, b.text, "{mail:?}");
            assert_ne!(a.html, b.html, "{mail:?}");
        }
    }
}

#[test]
fn no_letter_mentions_a_password_value() {
    // There is no password field to render; guard against someone adding one to a template.
    for lang in Lang::ALL {
        for (mail, _) in all("Анна") {
            let r = render(&mail, lang);
            for label in [
                "Пароль:",
                "Құпиясөз:",
                "Password:",
                "Құпиясөзіңіз:",
                "Ваш пароль:",
            ] {
                assert!(!r.text.contains(label), "{mail:?} in {lang:?}");
            }
        }
    }
}

const UNSUBSCRIBE: &str = "https://privacy.fortekassa.kz/unsubscribe?token=u1&x=2";

fn newsletter<'a>(first_name: &'a str, subject: &'a str, body: &'a str, list: Choice) -> Mail<'a> {
    Mail::Newsletter {
        first_name,
        subject,
        body,
        unsubscribe_link: UNSUBSCRIBE,
        list,
    }
}

#[test]
fn service_mail_has_no_extra_headers() {
    for lang in Lang::ALL {
        for (mail, _) in all("Анна") {
            assert!(render(&mail, lang).extra_headers.is_empty(), "{mail:?}");
        }
    }
}

#[test]
fn a_newsletter_carries_its_unsubscribe_link_in_headers_and_footer() {
    let body = "Новая касса.\nУже в продаже.\n\n\nВторой абзац.";
    for lang in Lang::ALL {
        for list in [Choice::NewsEmail, Choice::SupportMaterials] {
            let r = render(&newsletter("Анна", "Новости", body, list), lang);
            let what = format!("{list:?} in {lang:?}");
            assert_eq!(
                r.extra_headers,
                vec![
                    ("List-Unsubscribe".to_string(), format!("<{UNSUBSCRIBE}>")),
                    (
                        "List-Unsubscribe-Post".to_string(),
                        "List-Unsubscribe=One-Click".to_string()
                    ),
                ]
            );
            assert_eq!(r.subject, "Новости");
            assert!(
                r.text.lines().any(|l| l == UNSUBSCRIBE),
                "{what}: link on its own line"
            );
            assert!(
                r.text
                    .contains("Новая касса.\nУже в продаже.\n\nВторой абзац."),
                "{what}: {}",
                r.text
            );
            assert!(
                r.html
                    .contains("<p style=\"margin:0 0 16px;\">Новая касса.<br>\nУже в продаже.</p>"),
                "{what}"
            );
            let escaped = escape_html(UNSUBSCRIBE);
            assert!(
                r.html.contains(&format!("href=\"{escaped}\"")) && !r.html.contains(UNSUBSCRIBE),
                "{what}"
            );
            let t = lang.mail();
            let why = sentence(if list == Choice::NewsEmail {
                t.mailing_why_news
            } else {
                t.mailing_why_support
            });
            for part in [&r.text, &r.html] {
                assert!(
                    part.contains(&why)
                        && part.contains(&sentence(t.mailing_by_mail))
                        && part.contains(CONTACT_EMAIL),
                    "{what}"
                );
                assert!(
                    !part.contains(t.service_notice),
                    "{what}: a newsletter is not a service message"
                );
            }
            assert!(!r.html.contains(BUTTON), "{what}: no button");
            for banned in ["<img", "src=", "<script", "<style"] {
                assert!(!r.html.contains(banned), "{what}: {banned}");
            }
        }
    }
}

#[test]
fn a_newsletter_escapes_the_operators_text() {
    let r = render(
        &newsletter(
            XSS,
            "Hi\r\nBcc: x@evil.test",
            "<b>bold</b> & \"quotes\"\u{202E}",
            Choice::NewsEmail,
        ),
        Lang::En,
    );
    assert_eq!(
        r.subject, "Hi Bcc: x@evil.test",
        "the subject stays on one line"
    );
    assert!(
        r.html
            .contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("<b>") && !r.html.contains("<script") && !r.html.contains('\u{202E}'));
    assert!(
        r.text.contains("<b>bold</b> & \"quotes\""),
        "the text part is plain text"
    );
}

#[test]
fn escape_html_covers_the_five_characters() {
    assert_eq!(
        escape_html(r#"a&b<c>d"e'f"#),
        "a&amp;b&lt;c&gt;d&quot;e&#39;f"
    );
    assert_eq!(escape_html("Сәлем"), "Сәлем");
}

/// Every kind in every form it takes, for the checks that hold for all of them.
fn every_form(first_name: &str) -> Vec<Mail<'_>> {
    let mut mails: Vec<Mail<'_>> = all(first_name).into_iter().map(|(m, _)| m).collect();
    mails.push(Mail::PasswordChanged {
        first_name,
        when: "24.11.2026 14:05 UTC",
        others_ended: false,
        recover_link: RECOVER,
    });
    for list in [Choice::NewsEmail, Choice::SupportMaterials] {
        mails.push(newsletter(first_name, "Новости", "Текст.", list));
    }
    for change in [
        SecurityChange::TwoStepOn,
        SecurityChange::TwoStepOff,
        SecurityChange::RecoveryCodeUsed { left: 9 },
        SecurityChange::RecoveryCodesRenewed,
        SecurityChange::SecondStepFailed,
        SecurityChange::PasskeyAdded {
            name: "Телефон"
        },
        SecurityChange::PasskeyRemoved {
            name: "Телефон"
        },
    ] {
        mails.push(Mail::SignInSecurity {
            first_name,
            change,
            when: "24.11.2026 14:05 UTC",
            recover_link: RECOVER,
        });
    }
    mails
}

/// The contact address is written once, in `CONTACT_EMAIL`: the sentences name it by a
/// placeholder, and every placeholder is filled.
#[test]
fn no_letter_shows_a_placeholder_and_no_sentence_holds_the_address() {
    for lang in Lang::ALL {
        for name in ["Анна", ""] {
            for mail in every_form(name) {
                let r = render(&mail, lang);
                for part in [&r.subject, &r.text, &r.html] {
                    assert!(
                        !part.contains('{') && !part.contains('}'),
                        "{mail:?} in {lang:?}: {part}"
                    );
                }
            }
        }
    }
    for (file, toml) in [
        ("ru", include_str!("../../../../locales/mail.ru.toml")),
        ("kk", include_str!("../../../../locales/mail.kk.toml")),
        ("en", include_str!("../../../../locales/mail.en.toml")),
    ] {
        for line in toml.lines().filter(|l| !l.starts_with('#')) {
            assert!(!line.contains('@'), "mail.{file}.toml: {line}");
        }
    }
}

/// Only fixed sentences are filled: a value that looks like a placeholder is shown as typed.
#[test]
fn a_value_is_never_filled_in() {
    let r = render(
        &Mail::Reset {
            first_name: "{contact}",
            link: RESET,
        },
        Lang::En,
    );
    assert!(r.text.starts_with("Hello {contact},\n\n"), "{}", r.text);
    assert!(r.html.contains(">Hello {contact},</p>"));
}
