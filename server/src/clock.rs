//! Time as the server reads and writes it: now (real time plus an offset tests move forward to
//! see links expire and throttles release without sleeping), as Unix seconds in the database,
//! RFC 3339 in the API and UTC in e-mails.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::Relaxed)
    }

    pub fn year(&self) -> i32 {
        time::OffsetDateTime::from_unix_timestamp(self.now()).map_or(2026, |t| t.year())
    }

    /// Moves time forward (tests only use this; the server never does).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// Unix seconds, real time.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// "2026-11-24T14:05:00Z": how the API states a time.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// "18 ноября 2026 г., 16:06 (UTC+5)": a letter states a time in Kazakhstan's time, the
/// service's own, written as the app writes it in the reader's language (`fk_api::dates`), with
/// the offset for a reader elsewhere.
pub fn mail_time(unix: i64, lang: fk_api::Lang) -> String {
    format!(
        "{} ({})",
        fk_api::dates::format_date_time(unix, lang),
        fk_api::dates::KAZAKHSTAN_ZONE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_as_rfc3339_and_for_letters() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            mail_time(1_795_000_000, fk_api::Lang::Ru),
            "18\u{a0}ноября\u{a0}2026\u{a0}г., 16:06 (UTC+5)"
        );
    }
}
