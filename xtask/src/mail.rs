//! The benches sign up like a person: register, then open the link from the letter the server
//! wrote into its outbox. A letter's text part is base64, quoted-printable or plain; this reads
//! the link token out of any of them, with no mail library.

/// The token of the first `…#token=` link in an `.eml` file.
pub fn link_token(eml: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(eml);
    let quoted = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let decoded: Vec<String> = text
        .split("\n\n")
        .chain(text.split("\r\n\r\n"))
        .filter_map(|block| base64(&block.split("\n--").next().unwrap_or_default().replace(['\r', '\n'], "")))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    [text.to_string(), quoted].into_iter().chain(decoded).find_map(|t| {
        let at = t.find("#token=")? + "#token=".len();
        let token: String = t[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        (token.len() == 43).then_some(token)
    })
}

/// Standard base64 (padding optional); `None` when `text` is not that.
fn base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.trim_end_matches('=').bytes().map(value).collect::<Option<_>>()?;
    if digits.len() < 8 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    const TOKEN: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";

    #[test]
    fn finds_the_token_however_the_text_is_encoded() {
        let link = format!("Откройте ссылку: http://127.0.0.1:1/account/verify#token={TOKEN}\n");
        let plain = format!("Content-Type: text/plain\n\n{link}");
        let quoted = format!("Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nhttp://127.0.0.1:1/account/ver=\nify#token=3D{}=\n{}\n", &TOKEN[..20], &TOKEN[20..]);
        let encoded: String = {
            const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            link.as_bytes()
                .chunks(3)
                .flat_map(|c| {
                    let n = c.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
                    (0..=c.len()).map(move |i| ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char)
                })
                .collect()
        };
        let wrapped: Vec<String> = encoded.as_bytes().chunks(76).map(|l| String::from_utf8_lossy(l).into_owned()).collect();
        let base64 = format!("--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n", wrapped.join("\n"));
        for eml in [plain, quoted, base64] {
            assert_eq!(super::link_token(eml.as_bytes()).as_deref(), Some(TOKEN), "{eml}");
        }
        assert_eq!(super::link_token(b"no link here"), None);
    }
}
