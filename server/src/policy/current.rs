//! `GET /api/policy/{lang}` served from memory: the current version of each requested
//! language, serialized once and precompressed (brotli and gzip), with its ETag.
//!
//! Why: measured under load, compressing the 21 KB JSON per response (brotli) took about two
//! thirds of the CPU, and the database query (an SQLite worker-thread round trip) dominated the
//! 304 path. Now a request touches neither.
//!
//! Staleness bound: an entry is trusted for `ttl` seconds of the server clock (1 s in
//! production): once that second has passed, the next request re-reads which version is current
//! (the same queries as before), and only rebuilds the bodies when the ETag changed. So a
//! version published by another instance or by `fk-server policy publish` is served by every
//! instance at most about 1 s after its commit. Versions take effect when published (`effective_at`
//! is the publish time, "current" is the highest version), so there is no future switch-over time
//! to honour; if scheduled versions are ever added, an entry must also expire at the next
//! `effective_at`. A failed re-check is an error (503), never a silently stale answer.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use fk_api::policy::PolicyVersion;
use fk_api::Lang;

use crate::db::Failure;
use crate::error::AppError;
use crate::precompressed::Bodies;
use crate::AppState;

/// How long (in seconds of `Clock`) a checked entry is served without asking the database.
pub const TTL_SECONDS: i64 = 1;

#[derive(Clone)]
pub struct CurrentPolicies(Arc<Inner>);

struct Inner {
    ttl: i64,
    entries: RwLock<HashMap<Lang, Arc<Entry>>>,
    /// One re-check at a time per language: when an entry expires under load, one request
    /// reads the database and the others wait for its answer instead of all asking at once.
    /// The lock holds when the last re-check failed, so the waiters share a failure too instead
    /// of each trying (and, in an outage, waiting out the pool's timeout) one after another.
    refresh: [tokio::sync::Mutex<Option<Instant>>; Lang::ALL.len()],
    /// The highest Russian version ever seen. Versions are never deleted, so this is a lower
    /// bound of the current one, good for "is version N published?" when N is at most this.
    ru_floor: AtomicU32,
}

pub struct Entry {
    checked_at: i64,
    pub etag: HeaderValue,
    bodies: Arc<Bodies>,
}

impl Default for CurrentPolicies {
    fn default() -> Self {
        CurrentPolicies::with_ttl(TTL_SECONDS)
    }
}

impl CurrentPolicies {
    pub fn with_ttl(ttl_seconds: i64) -> Self {
        CurrentPolicies(Arc::new(Inner {
            ttl: ttl_seconds,
            entries: RwLock::default(),
            refresh: Default::default(),
            ru_floor: AtomicU32::new(0),
        }))
    }

    fn fresh(&self, lang: Lang, now: i64) -> Option<Arc<Entry>> {
        let entries = self.0.entries.read().unwrap_or_else(|e| e.into_inner());
        // `now < checked_at`: the clock went back; re-check rather than trust the entry longer.
        entries
            .get(&lang)
            .filter(|e| (0..self.0.ttl).contains(&(now - e.checked_at)))
            .cloned()
    }

    /// The current policy for a request in `requested`, from memory while fresh.
    pub async fn get(&self, state: &AppState, requested: Lang) -> Result<Arc<Entry>, AppError> {
        if let Some(entry) = self.fresh(requested, state.clock.now()) {
            return Ok(entry);
        }
        let slot = Lang::ALL.iter().position(|l| *l == requested).unwrap_or(0);
        let waiting_since = Instant::now();
        let mut failed_at = self.0.refresh[slot].lock().await;
        // Read the time before the database: the entry is never newer than what it says.
        let now = state.clock.now();
        if let Some(entry) = self.fresh(requested, now) {
            return Ok(entry);
        }
        if failed_at.is_some_and(|at| at >= waiting_since) {
            return Err(AppError::Unavailable(
                Failure::Unavailable,
                "the current policy could not be checked just now".into(),
            ));
        }
        let resolved = match super::http::resolve(state, requested).await {
            Ok(resolved) => resolved,
            Err(e) => {
                if matches!(e, AppError::Database(_) | AppError::Unavailable(..)) {
                    *failed_at = Some(Instant::now());
                }
                return Err(e);
            }
        };
        if resolved.row.lang == super::PREVAILING {
            self.saw_ru(resolved.row.version);
        }
        let etag =
            HeaderValue::from_str(&resolved.etag).map_err(|e| AppError::Internal(e.to_string()))?;
        let previous = self
            .0
            .entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&requested)
            .cloned();
        let bodies = match previous {
            Some(p) if p.etag == etag => p.bodies.clone(),
            _ => {
                let document = state.documents.get(&state.db, &resolved.row).await?;
                let body = PolicyVersion {
                    summary: resolved.row.summary(),
                    requested_lang: requested,
                    original_newer: resolved.original_newer,
                    document: (*document).clone(),
                };
                let json =
                    serde_json::to_vec(&body).map_err(|e| AppError::Internal(e.to_string()))?;
                // Best compression, once per version: off the async workers, it takes milliseconds.
                tokio::task::spawn_blocking(move || Arc::new(Bodies::compress(json)))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
            }
        };
        let entry = Arc::new(Entry {
            checked_at: now,
            etag,
            bodies,
        });
        self.0
            .entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(requested, entry.clone());
        Ok(entry)
    }

    /// Whether Russian version `version` is known to be published, without the database.
    /// `false` means "not known", and the caller asks the database.
    pub fn ru_published(&self, version: u32) -> bool {
        version <= self.0.ru_floor.load(Ordering::Relaxed)
    }

    /// Remembers a Russian version read from the database.
    pub fn saw_ru(&self, version: u32) {
        self.0.ru_floor.fetch_max(version, Ordering::Relaxed);
    }
}

impl Entry {
    /// 304 when the client has this version, else the body in the encoding it prefers.
    pub fn respond(&self, request: &HeaderMap, cache: &'static str) -> Response {
        self.bodies
            .respond(request, "application/json", &self.etag, cache)
    }
}
