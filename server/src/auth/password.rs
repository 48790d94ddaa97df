//! Password hashing: Argon2id with m=19456 KiB, t=2, p=1 (OWASP's first recommended
//! setting). Hashing is deliberately slow and memory-hungry, so it runs on the blocking pool,
//! never on the async executor, and only as many at once as the machine has cores: a flood
//! of sign-ins queues here instead of starving every other request.
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash of nothing anyone knows: checking a password against it when there is no account
/// takes as long as a real check, so timing does not tell whether a login exists.
fn dummy_hash() -> String {
    hash_now("no account has this password: it only spends the time of a real check")
        .unwrap_or_default()
}

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// [`dummy_hash`], made once per process (on the blocking pool, like every hash).
    dummy: Arc<OnceLock<String>>,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            dummy: Arc::default(),
        }
    }
}

impl Hasher {
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("hasher closed: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password))
            .await?
            .map_err(AppError::Internal)
    }

    /// Checks `password` against `hash`; without a hash (no such account) against a dummy,
    /// and then always false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let dummy = self.dummy.clone();
        self.run(move || {
            let real = hash.is_some();
            let stored = hash.unwrap_or_else(|| dummy.get_or_init(dummy_hash).clone());
            let matches = PasswordHash::new(&stored).is_ok_and(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            });
            real && matches
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let hasher = Hasher::default();
        let hash = hasher.hash("коржын сары алма".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher
            .verify("коржын сары алма".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("коржын сары алмалар".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert_ne!(
            hash,
            hasher.hash("коржын сары алма".into()).await.unwrap(),
            "salted"
        );
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
        assert!(!hasher
            .verify("anything".into(), Some("garbage".into()))
            .await
            .unwrap());
    }
}
