//! The benches sign up like a person: register, then open the link from the letter the server
//! wrote into its outbox, read as a mail client reads it.

/// The token of the first `…#token=` link in an `.eml` file's text.
pub fn link_token(eml: &[u8]) -> Option<String> {
    let message = mail_parser::MessageParser::default().parse(eml)?;
    let text = message.body_text(0)?;
    let at = text.find("#token=")? + "#token=".len();
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (token.len() == 43).then_some(token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_token_in_an_encoded_letter() {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";
        let text = format!("Откройте ссылку: http://127.0.0.1:1/account/verify#token={token}\r\n");
        // The text part as the server's mail library encodes non-ASCII text.
        let quoted: String = text
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b" :/.#-_\r\n".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("={b:02X}")
                }
            })
            .collect();
        let eml = format!(
            "From: a@b.kz\r\nTo: c@d.kz\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{quoted}"
        );
        assert_eq!(super::link_token(eml.as_bytes()).as_deref(), Some(token));
        assert_eq!(super::link_token(b"Subject: x\r\n\r\nno link here"), None);
    }
}
