//! Numbers and times in words: plural forms per language, and RFC 3339 times as people read
//! them.
use fk_api::i18n::fill;
use fk_api::Lang;
use wasm_bindgen::JsValue;

/// Which form a noun takes after a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plural {
    /// 1 заказ, 21 заказ; 1 order.
    One,
    /// 2–4 заказа, 22 заказа (Russian only).
    Few,
    /// 5 заказов, 11 заказов, 0 заказов; 0 orders, 2 orders.
    Many,
}

/// The plural form for `n` in `lang`. Russian has three (CLDR one/few/many); English two; a
/// Kazakh noun stays singular after a numeral (5 тапсырыс), so its strings repeat one form and
/// the choice does not matter, but `One`/`Many` keeps it in step with English.
pub fn plural(lang: Lang, n: u64) -> Plural {
    match lang {
        Lang::Ru => {
            let (last, last_two) = (n % 10, n % 100);
            if last == 1 && last_two != 11 {
                Plural::One
            } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
                Plural::Few
            } else {
                Plural::Many
            }
        }
        Lang::Kk | Lang::En => {
            if n == 1 {
                Plural::One
            } else {
                Plural::Many
            }
        }
    }
}

/// `{n}` put into the form `n` needs: `count(lang, 2, ["{n} заказ", "{n} заказа", "{n} заказов"])`.
pub fn count(lang: Lang, n: u64, forms: [&str; 3]) -> String {
    let form = match plural(lang, n) {
        Plural::One => forms[0],
        Plural::Few => forms[1],
        Plural::Many => forms[2],
    };
    fill(form, &[("n", &n.to_string())])
}

/// Unix seconds of an RFC 3339 time, if it is one.
pub fn unix_of(rfc3339: &str) -> Option<i64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then(|| (ms / 1000.0).floor() as i64)
}

/// Unix seconds now, by the browser's clock.
pub fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// "24 ноября 2026 г., 14:05" from an RFC 3339 time (the text itself when it is not one).
pub fn date_time(rfc3339: &str, lang: Lang) -> String {
    match unix_of(rfc3339) {
        Some(unix) => fk_api::dates::format_date_time(unix, lang),
        None => rfc3339.to_string(),
    }
}

/// Today's date in the browser's time zone as `YYYY-MM-DD` (the export's file name when the
/// server's header cannot be read).
pub fn today_iso() -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now()));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn russian_has_three_forms() {
        let form = |n| plural(Lang::Ru, n);
        for n in [1, 21, 31, 101, 121, 1001] {
            assert_eq!(form(n), Plural::One, "{n}");
        }
        for n in [2, 3, 4, 22, 24, 102, 1004] {
            assert_eq!(form(n), Plural::Few, "{n}");
        }
        for n in [
            0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114, 1000,
        ] {
            assert_eq!(form(n), Plural::Many, "{n}");
        }
        let orders = ["{n} заказ", "{n} заказа", "{n} заказов"];
        assert_eq!(count(Lang::Ru, 1, orders), "1 заказ");
        assert_eq!(count(Lang::Ru, 2, orders), "2 заказа");
        assert_eq!(count(Lang::Ru, 5, orders), "5 заказов");
        assert_eq!(count(Lang::Ru, 11, orders), "11 заказов");
        assert_eq!(count(Lang::Ru, 21, orders), "21 заказ");
    }

    #[wasm_bindgen_test]
    fn english_and_kazakh_have_one_and_other() {
        for lang in [Lang::En, Lang::Kk] {
            assert_eq!(plural(lang, 1), Plural::One);
            for n in [0, 2, 4, 5, 11, 21] {
                assert_eq!(plural(lang, n), Plural::Many, "{lang:?} {n}");
            }
        }
        assert_eq!(
            count(Lang::En, 1, ["{n} order", "{n} orders", "{n} orders"]),
            "1 order"
        );
        assert_eq!(
            count(Lang::En, 0, ["{n} order", "{n} orders", "{n} orders"]),
            "0 orders"
        );
    }
}
