//! The QR code of an authenticator app's setup, drawn here (never by an outside service): one
//! SVG path of the dark modules, a rectangle per horizontal run, that the page puts inside
//! its own `<svg>`. No markup leaves the server, only the path's numbers and letters.
use std::fmt::Write as _;

use fk_api::account::two_step::QrCode;

pub fn draw(text: &str) -> QrCode {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium)
        .expect("an otpauth address is far below a QR code's capacity");
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            write!(path, "M{start} {y}h{run}v1h-{run}z").expect("writing to a String");
        }
    }
    QrCode {
        size: u32::try_from(size).expect("a QR code is at most 177 modules a side"),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_fills_exactly_the_dark_modules() {
        let text = "otpauth://totp/ForteKassa:anna?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ForteKassa";
        let drawn = draw(text);
        let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).unwrap();
        assert_eq!(drawn.size, qr.size() as u32);
        let dark = (0..qr.size())
            .flat_map(|y| (0..qr.size()).map(move |x| (x, y)))
            .filter(|&(x, y)| qr.get_module(x, y))
            .count();
        let filled: usize = drawn
            .path
            .split('M')
            .skip(1)
            .map(|run| {
                let h = run.split('h').nth(1).unwrap();
                h.split('v').next().unwrap().parse::<usize>().unwrap()
            })
            .sum();
        assert_eq!(filled, dark);
        assert!(drawn
            .path
            .chars()
            .all(|c| c.is_ascii_digit() || "Mhvz- ".contains(c)));
    }
}
