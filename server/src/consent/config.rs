//! The operator's cookie configuration (`config/cookies.json`, or `FK_CONSENT_CONFIG`). Read
//! again whenever the file changes, so adding a cookie needs no rebuild and no restart; its
//! content hash is the revision that asks every visitor again.
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use fk_api::consent::CookieConfig;
use sha2::{Digest, Sha256};

/// Used when the operator has no file: the configuration this release ships.
pub const DEFAULT: &str = include_str!("../../../config/cookies.json");

#[derive(Debug)]
pub struct Loaded {
    pub revision: String,
    pub config: CookieConfig,
    stamp: Option<(SystemTime, u64)>,
}

#[derive(Clone)]
pub struct CookieConfigFile {
    path: PathBuf,
    current: Arc<RwLock<Arc<Loaded>>>,
}

pub fn parse(bytes: &[u8]) -> Result<Loaded, String> {
    let config: CookieConfig =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid: {e}"))?;
    config.validate()?;
    let revision = hex::encode(&Sha256::digest(bytes)[..8]);
    Ok(Loaded {
        revision,
        config,
        stamp: None,
    })
}

fn stamp(path: &PathBuf) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl CookieConfigFile {
    /// Loads the file (or the built-in default when there is none); a broken file is an error.
    pub fn open(path: PathBuf) -> Result<CookieConfigFile, String> {
        let loaded = Self::read(&path)?;
        Ok(CookieConfigFile {
            path,
            current: Arc::new(RwLock::new(Arc::new(loaded))),
        })
    }

    /// The built-in configuration alone, with no file behind it (tests, and the state before
    /// `main` opens the configured file). Says nothing in the log.
    pub fn built_in() -> CookieConfigFile {
        let loaded = parse(DEFAULT.as_bytes()).expect("the built-in cookie configuration is valid");
        CookieConfigFile {
            path: PathBuf::new(),
            current: Arc::new(RwLock::new(Arc::new(loaded))),
        }
    }

    fn read(path: &PathBuf) -> Result<Loaded, String> {
        let stamp = stamp(path);
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::info!(path = %path.display(), "no cookie configuration file; using the built-in one");
                DEFAULT.as_bytes().to_vec()
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut loaded = parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        loaded.stamp = stamp;
        Ok(loaded)
    }

    /// The configuration now. A file changed into something invalid keeps the last good one
    /// in force (and says so in the log) rather than taking the banner down.
    pub fn current(&self) -> Arc<Loaded> {
        let held = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if stamp(&self.path) == held.stamp {
            return held;
        }
        match Self::read(&self.path) {
            Ok(fresh) => {
                tracing::info!(revision = %fresh.revision, "cookie configuration changed");
                let fresh = Arc::new(fresh);
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
                fresh
            }
            Err(e) => {
                tracing::error!(error = %e, "cookie configuration is broken; keeping the last good one");
                held
            }
        }
    }
}
