//! Dates and times as people read them, in each language, written by our own code: the app,
//! its server-rendered first view and the e-mails say "24 ноября 2026 г." alike, whatever
//! calendar data a browser happens to carry (some have none for Kazakh and print "2026 M11 24").
//!
//! Times are shown in Kazakhstan's time (UTC+5, the whole country since 1 March 2024): our
//! users live there, and a first view rendered on the server cannot know a browser's zone.
use crate::Lang;

/// Kazakhstan's offset from UTC, in seconds.
const KAZAKHSTAN: i64 = 5 * 3600;
/// The same offset as a reader elsewhere is told it, next to a time.
pub const KAZAKHSTAN_ZONE: &str = "UTC+5";

const MONTHS_RU: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const MONTHS_KK: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A moment's calendar date and clock time in Kazakhstan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Local {
    year: i64,
    month: usize,
    day: i64,
    hour: i64,
    minute: i64,
}

impl Local {
    fn at(unix: i64) -> Local {
        let local = unix + KAZAKHSTAN;
        let days = local.div_euclid(86_400);
        let seconds = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Local {
            year,
            month,
            day,
            hour: seconds / 3600,
            minute: seconds % 3600 / 60,
        }
    }

    /// "24 ноября 2026 г.", "2026 жылғы 24 қараша", "24 November 2026". The non-breaking spaces
    /// keep the day with its month and "г." with its year at any width.
    fn date(&self, lang: Lang) -> String {
        let (year, month, day) = (self.year, self.month, self.day);
        match lang {
            Lang::Ru => format!("{day}\u{a0}{}\u{a0}{year}\u{a0}г.", MONTHS_RU[month - 1]),
            Lang::Kk => format!("{year}\u{a0}жылғы {day}\u{a0}{}", MONTHS_KK[month - 1]),
            Lang::En => format!("{day}\u{a0}{}\u{a0}{year}", MONTHS_EN[month - 1]),
        }
    }
}

/// Year, month (1–12) and day of a count of days since 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as usize, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds of an RFC 3339 time as the API writes it (`2026-11-24T09:05:00Z`, fractions
/// and offsets allowed); `None` when it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        rest = &fraction[end..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest[1..].split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

/// The year in Kazakhstan at a moment in unix seconds.
pub fn year(unix: i64) -> i64 {
    Local::at(unix).year
}

/// The date of an RFC 3339 time: "24 ноября 2026 г."; the text itself when it is not one.
pub fn format_date(rfc3339: &str, lang: Lang) -> String {
    match parse_rfc3339(rfc3339) {
        Some(unix) => Local::at(unix).date(lang),
        None => rfc3339.to_string(),
    }
}

/// The date and time of a moment in unix seconds: "24 ноября 2026 г., 14:05".
pub fn format_date_time(unix: i64, lang: Lang) -> String {
    let local = Local::at(unix);
    format!(
        "{}, {:02}:{:02}",
        local.date(lang),
        local.hour,
        local.minute
    )
}

/// The clock time of a moment in unix seconds, in Kazakhstan: "14:05" (the same in every
/// language), for "statistics off since 14:05".
pub fn format_time(unix: i64) -> String {
    let local = Local::at(unix);
    format!("{:02}:{:02}", local.hour, local.minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader sees, non-breaking spaces as spaces.
    fn seen(text: String) -> String {
        text.replace('\u{a0}', " ")
    }

    #[test]
    fn a_time_alone_is_kazakhstans_clock() {
        // 2026-11-24T19:04:00Z is 00:04 of the next day in Kazakhstan.
        let unix = parse_rfc3339("2026-11-24T19:04:00Z").unwrap();
        assert_eq!(format_time(unix), "00:04");
        assert_eq!(format_time(unix - 5 * 60), "23:59");
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        // 2026-11-24T09:05:00Z is 14:05 in Kazakhstan.
        let unix = parse_rfc3339("2026-11-24T09:05:00Z").unwrap();
        assert_eq!(
            seen(format_date_time(unix, Lang::Ru)),
            "24 ноября 2026 г., 14:05"
        );
        assert_eq!(
            seen(format_date_time(unix, Lang::Kk)),
            "2026 жылғы 24 қараша, 14:05"
        );
        assert_eq!(
            seen(format_date_time(unix, Lang::En)),
            "24 November 2026, 14:05"
        );
        assert_eq!(
            seen(format_date("2026-12-06T00:00:00Z", Lang::Ru)),
            "6 декабря 2026 г."
        );
    }

    #[test]
    fn the_day_is_kazakhstans_not_utcs() {
        // 20:00 UTC on 31 December is already New Year's Day in Almaty.
        assert_eq!(
            seen(format_date("2026-12-31T20:00:00Z", Lang::En)),
            "1 January 2027"
        );
        assert_eq!(
            seen(format_date("2026-12-31T18:59:59Z", Lang::En)),
            "31 December 2026"
        );
    }

    #[test]
    fn reads_fractions_and_offsets() {
        let z = parse_rfc3339("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(parse_rfc3339("2026-03-01T05:00:00+05:00"), Some(z));
        assert_eq!(parse_rfc3339("2026-03-01T00:00:00.123456Z"), Some(z));
        assert_eq!(parse_rfc3339("2026-02-28T19:00:00-05:00"), Some(z));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    }

    #[test]
    fn anything_else_is_shown_as_it_came() {
        for bad in [
            "",
            "2026-11-24",
            "2026-13-01T00:00:00Z",
            "20x6-11-24T09:05:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(seen(format_date("soon", Lang::Ru)), "soon");
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m as i64, d), days);
        }
    }
}
