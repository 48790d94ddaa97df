//! Best-effort User-Agent parsing for the privacy center: turns the untrusted header of a
//! sign-in into a short "Chrome 131 on Windows, computer" description (active sessions, e-mails).
//!
//! Output strings only ever contain fixed browser/OS names plus ASCII digits, so they are safe
//! to show in HTML or e-mail without further escaping; unknown parts are left empty.

/// Only this many bytes of the header are looked at (truncated on a char boundary).
const MAX_INPUT_BYTES: usize = 512;
/// Upper bound on the length (in chars) of every output string.
const MAX_OUTPUT_CHARS: usize = 40;
/// Upper bound on the number of digits kept for a major version.
const MAX_VERSION_DIGITS: usize = 6;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// e.g. "Chrome 131", "Firefox 128", "Safari 17", "Edge 120", "Opera 105", "Yandex Browser 24", "Samsung Internet 23"; "" when unknown
    pub browser: String,
    /// e.g. "Windows", "macOS", "iOS", "iPadOS", "Android", "Linux", "ChromeOS"; "" when unknown
    pub os: String,
    pub device: DeviceKind,
}

/// The kind of device, shared with the SPA, which names it in the user's language.
pub use fk_api::account::activity::DeviceKind;

/// Parses a User-Agent header. Never panics; unknown parts come back as "" / `Unknown`.
pub fn parse(user_agent: &str) -> Agent {
    let ua = truncate_bytes(user_agent, MAX_INPUT_BYTES);
    let (os, device) = detect_os(ua);
    Agent {
        browser: cap_chars(&detect_browser(ua, os)),
        os: cap_chars(os),
        device,
    }
}

/// Browsers in detection order: the Chromium-based ones that also send "Chrome/" come first.
const BROWSERS: &[(&str, &[&str])] = &[
    ("Edge", &["Edg/", "EdgA/", "EdgiOS/", "Edge/"]),
    ("Opera", &["OPR/", "OPT/"]),
    ("Yandex Browser", &["YaBrowser/"]),
    ("Samsung Internet", &["SamsungBrowser/"]),
    ("Chrome", &["HeadlessChrome/", "Chrome/", "CriOS/"]),
    ("Firefox", &["Firefox/", "FxiOS/"]),
];

fn detect_browser(ua: &str, os: &str) -> String {
    for (name, tokens) in BROWSERS {
        for token in tokens.iter() {
            if let Some(major) = version_after(ua, token) {
                return with_version(name, major);
            }
        }
    }
    // Safari: "Version/x" carries the real version; the stock Android browser looks the
    // same but is not Safari, so it stays unknown.
    if ua.contains("Safari/") && !ua.contains("Chrome") && os != "Android" {
        if let Some(major) = version_after(ua, "Version/") {
            return with_version("Safari", major);
        }
    }
    String::new()
}

fn detect_os(ua: &str) -> (&'static str, DeviceKind) {
    if ua.contains("Windows Phone") {
        ("Windows", DeviceKind::Phone)
    } else if ua.contains("Windows") {
        ("Windows", DeviceKind::Computer)
    } else if ua.contains("Android") {
        let device = if ua.contains("Mobile") {
            DeviceKind::Phone
        } else {
            DeviceKind::Tablet
        };
        ("Android", device)
    } else if ua.contains("iPhone") || ua.contains("iPod") {
        ("iOS", DeviceKind::Phone)
    } else if ua.contains("iPad") {
        ("iPadOS", DeviceKind::Tablet)
    } else if ua.contains("Mac OS X") {
        ("macOS", DeviceKind::Computer)
    } else if ua.contains("CrOS") {
        ("ChromeOS", DeviceKind::Computer)
    } else if ua.contains("Linux") {
        ("Linux", DeviceKind::Computer)
    } else {
        ("", DeviceKind::Unknown)
    }
}

/// If `token` occurs, returns the (possibly empty) run of ASCII digits right after it.
fn version_after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    let start = ua.find(token)? + token.len();
    // `token` is ASCII, so `start` is a char boundary; `get` keeps this panic-free regardless.
    let rest = ua.get(start..)?;
    let digits = rest
        .bytes()
        .take(MAX_VERSION_DIGITS)
        .take_while(u8::is_ascii_digit)
        .count();
    rest.get(..digits)
}

fn with_version(name: &str, major: &str) -> String {
    if major.is_empty() {
        name.to_string()
    } else {
        format!("{name} {major}")
    }
}

/// Longest prefix of `s` that is at most `max` bytes and ends on a char boundary.
fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn cap_chars(s: &str) -> String {
    s.chars().take(MAX_OUTPUT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ua: &str, browser: &str, os: &str, device: DeviceKind) {
        let got = parse(ua);
        assert_eq!(
            got,
            Agent {
                browser: browser.to_string(),
                os: os.to_string(),
                device
            },
            "UA: {ua:?}"
        );
    }

    #[test]
    fn chrome_windows() {
        check(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131",
            "Windows",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn safari_iphone() {
        check(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17",
            "iOS",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn safari_ipad() {
        check(
            "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            "Safari 16",
            "iPadOS",
            DeviceKind::Tablet,
        );
    }

    #[test]
    fn safari_macos() {
        check(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
            "Safari 17",
            "macOS",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn firefox_linux() {
        check(
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox 128",
            "Linux",
            DeviceKind::Computer,
        );
        check(
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133",
            "Linux",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn firefox_android_phone_and_tablet() {
        check(
            "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0",
            "Firefox 128",
            "Android",
            DeviceKind::Phone,
        );
        check(
            "Mozilla/5.0 (Android 13; Tablet; rv:127.0) Gecko/127.0 Firefox/127.0",
            "Firefox 127",
            "Android",
            DeviceKind::Tablet,
        );
    }

    #[test]
    fn edge_windows_and_mobile() {
        check(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge 120",
            "Windows",
            DeviceKind::Computer,
        );
        check(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
            "Edge 131",
            "Android",
            DeviceKind::Phone,
        );
        check(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/126.2592.56 Mobile/15E148 Safari/605.1.15",
            "Edge 126",
            "iOS",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn yandex_android_phone() {
        check(
            "Mozilla/5.0 (Linux; arm_64; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 YaBrowser/24.4.3.90.00 SA/3 Mobile Safari/537.36",
            "Yandex Browser 24",
            "Android",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn yandex_windows() {
        check(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 YaBrowser/24.7.0.0 Safari/537.36",
            "Yandex Browser 24",
            "Windows",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn samsung_internet() {
        check(
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            "Samsung Internet 23",
            "Android",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn opera_windows() {
        check(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
            "Opera 105",
            "Windows",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn chrome_android_tablet_and_phone() {
        check(
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Safari/537.36",
            "Chrome 131",
            "Android",
            DeviceKind::Tablet,
        );
        check(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome 131",
            "Android",
            DeviceKind::Phone,
        );
        // WebView: has "Version/4.0" but also "Chrome/", so it is Chrome, not Safari.
        check(
            "Mozilla/5.0 (Linux; Android 13; Pixel 7; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36",
            "Chrome 116",
            "Android",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn chrome_and_firefox_on_ios() {
        check(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
            "Chrome 126",
            "iOS",
            DeviceKind::Phone,
        );
        check(
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/128.0 Mobile/15E148 Safari/605.1.15",
            "Firefox 128",
            "iPadOS",
            DeviceKind::Tablet,
        );
    }

    #[test]
    fn headless_chrome_linux() {
        check(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36",
            "Chrome 120",
            "Linux",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn chrome_os() {
        check(
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Chrome 120",
            "ChromeOS",
            DeviceKind::Computer,
        );
    }

    #[test]
    fn old_android_stock_browser_is_not_safari() {
        check(
            "Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
            "",
            "Android",
            DeviceKind::Phone,
        );
    }

    #[test]
    fn curl_is_unknown() {
        check("curl/8.0", "", "", DeviceKind::Unknown);
    }

    #[test]
    fn empty_is_unknown() {
        check("", "", "", DeviceKind::Unknown);
    }

    #[test]
    fn multibyte_garbage_does_not_panic() {
        check(
            "Ж€😀\u{0}\u{FFFD} 日本語 /// ;;; (((",
            "",
            "",
            DeviceKind::Unknown,
        );
        check("Chrome/\u{1F600}", "Chrome", "", DeviceKind::Unknown);
        check("Firefox/", "Firefox", "", DeviceKind::Unknown);
        check("Version/17 Safari/", "Safari 17", "", DeviceKind::Unknown);
        check("Safari/605 Version/", "Safari", "", DeviceKind::Unknown);
        // Every prefix of a tricky string, cut at every char boundary.
        let s = "Mozilla/5.0 (iPhone; Ж) Версия/17 Chrome/1😀31 Edg/";
        for (i, _) in s.char_indices() {
            let _ = parse(&s[..i]);
        }
    }

    #[test]
    fn input_is_capped_at_512_bytes() {
        // Multi-byte chars straddle the 512-byte boundary: must not panic.
        let mut ua = "é".repeat(300);
        ua.push_str(" Chrome/131.0 (Windows NT 10.0)");
        assert_eq!(
            parse(&ua),
            Agent {
                browser: String::new(),
                os: String::new(),
                device: DeviceKind::Unknown
            }
        );

        let huge = format!("{}{}", "😀".repeat(1_000_000), "Firefox/128");
        assert_eq!(parse(&huge).browser, "");

        // Token fully inside the first 512 bytes is still found.
        let mut ok = String::from("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 ");
        ok.push_str(&"ж".repeat(10_000));
        check(&ok, "Firefox 128", "Linux", DeviceKind::Computer);

        for cut in 0..8 {
            let s = format!("{}{}", "a".repeat(510 - cut), "€€€€");
            assert!(truncate_bytes(&s, MAX_INPUT_BYTES).len() <= MAX_INPUT_BYTES);
        }
    }

    #[test]
    fn outputs_are_capped() {
        let a = parse(&format!(
            "Samsung SamsungBrowser/{} Android Mobile",
            "9".repeat(400)
        ));
        assert!(a.browser.chars().count() <= MAX_OUTPUT_CHARS);
        assert_eq!(a.browser, "Samsung Internet 999999");
        assert_eq!(
            cap_chars(&"ж".repeat(100)).chars().count(),
            MAX_OUTPUT_CHARS
        );
    }

    #[test]
    fn device_kind_round_trip() {
        for kind in [
            DeviceKind::Computer,
            DeviceKind::Phone,
            DeviceKind::Tablet,
            DeviceKind::Unknown,
        ] {
            assert_eq!(DeviceKind::parse(kind.as_str()), kind);
        }
        assert_eq!(DeviceKind::parse("Phone"), DeviceKind::Unknown);
        assert_eq!(DeviceKind::parse(""), DeviceKind::Unknown);
        assert_eq!(DeviceKind::parse("смартфон"), DeviceKind::Unknown);
    }
}
