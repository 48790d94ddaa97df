//! The server's idea of now. Real time, plus an offset tests move forward to see links expire
//! and throttles release without sleeping.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        crate::db::now() + self.offset.load(Ordering::Relaxed)
    }

    pub fn year(&self) -> i32 {
        time::OffsetDateTime::from_unix_timestamp(self.now()).map_or(2026, |t| t.year())
    }

    /// Moves time forward (tests only use this; the server never does).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}
