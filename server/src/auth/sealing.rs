//! Secrets the server must read back (an authenticator app's TOTP secret) are sealed before
//! they are stored: XChaCha20-Poly1305 under a key from configuration (`FK_SECRET_KEY`), bound
//! to the account they belong to. A copy of the database alone opens nothing; a sealed value
//! moved to another account's row does not open either.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// A key shorter than this (in characters) is refused at start: `openssl rand -base64 32`
/// gives 44.
pub const MIN_SECRET_KEY: usize = 32;
/// Where the embedded default keeps its generated key: beside the SQLite file.
pub const KEY_FILE: &str = "secret.key";
const NONCE: usize = 24;

#[derive(Clone)]
pub struct SecretKey(Arc<XChaCha20Poly1305>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// The key `FK_SECRET_KEY` names: any text of at least [`MIN_SECRET_KEY`] characters,
    /// stretched to 256 bits by SHA-256 under this use's own label.
    pub fn from_setting(setting: &str) -> Result<SecretKey, String> {
        let setting = setting.trim();
        if setting.chars().count() < MIN_SECRET_KEY {
            return Err(format!(
                "FK_SECRET_KEY is shorter than {MIN_SECRET_KEY} characters; use e.g. `openssl rand -base64 32`"
            ));
        }
        let mut hash = Sha256::new();
        hash.update(b"fortekassa/sealed-secrets/v1\0");
        hash.update(setting.as_bytes());
        let key = hash.finalize();
        Ok(SecretKey(Arc::new(XChaCha20Poly1305::new(&key))))
    }

    /// A key nobody else has: tests, and commands that never read a sealed secret.
    pub fn random() -> SecretKey {
        SecretKey::from_setting(&crate::auth::tokens::new_token())
            .expect("a new token is 43 characters")
    }

    /// The embedded default's key: read from `dir/secret.key`, or made and written there
    /// (readable by this user only) on first start.
    pub fn in_dir(dir: &Path) -> Result<SecretKey, String> {
        let path = dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                SecretKey::from_setting(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = crate::auth::tokens::new_token();
                write_private(&path, &key)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(file = %path.display(), "made a secret key for sealed secrets");
                SecretKey::from_setting(&key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Refuses a key that does not open what is already sealed in the database: started with
    /// another `FK_SECRET_KEY`, or with `secret.key` lost (a new one is then made), the server
    /// would turn away every person with two-step sign-in at the code. Said at start instead,
    /// so the operator restores the key (README).
    pub async fn check_opens(&self, db: &crate::Db) -> Result<(), String> {
        use sqlx::Row;
        let row = sqlx::query("SELECT account_id, secret FROM two_step LIMIT 1")
            .fetch_optional(db)
            .await
            .map_err(|e| format!("cannot read the sealed secrets: {e}"))?;
        let Some(row) = row else { return Ok(()) };
        let owner: i64 = row.try_get("account_id").map_err(|e| e.to_string())?;
        let sealed: String = row.try_get("secret").map_err(|e| e.to_string())?;
        match self.open(&sealed, owner) {
            Some(_) => Ok(()),
            None => Err("the secret key (FK_SECRET_KEY, or secret.key beside the SQLite file) is not the one that sealed the authenticator apps' secrets in this database: restore the key it was started with before (see the README); with another key nobody with two-step sign-in could sign in".into()),
        }
    }

    /// `plain` sealed for `owner`: base64 of a random nonce and the ciphertext.
    pub fn seal(&self, plain: &[u8], owner: i64) -> String {
        let mut nonce = [0u8; NONCE];
        getrandom::getrandom(&mut nonce).expect("the operating system's random source works");
        let aad = owner.to_be_bytes();
        let sealed = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .expect("sealing a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// What [`SecretKey::seal`] sealed for `owner`; `None` for anything else (another key,
    /// another owner, changed bytes).
    pub fn open(&self, sealed: &str, owner: i64) -> Option<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() <= NONCE {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE);
        let aad = owner.to_be_bytes();
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .ok()
    }
}

/// The directory of a SQLite database URL's file, where its key lives; none for PostgreSQL.
pub fn key_dir(database_url: &str) -> Option<PathBuf> {
    database_url.starts_with("sqlite:").then(|| {
        let file = PathBuf::from(crate::db::sqlite_path(database_url));
        file.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    })
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_for_its_owner() {
        let key = SecretKey::from_setting("a key that is long enough to be used, 32+").unwrap();
        let sealed = key.seal(b"JBSWY3DPEHPK3PXP", 7);
        assert!(!sealed.contains("JBSWY3DP"));
        assert_eq!(key.open(&sealed, 7).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert_eq!(key.open(&sealed, 8), None, "moved to another account");
        assert_eq!(SecretKey::random().open(&sealed, 7), None, "another key");
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&sealed)
            .unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        let tampered = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(key.open(&tampered, 7), None, "changed bytes");
        assert_eq!(key.open("short", 7), None);
        assert_ne!(
            key.seal(b"x", 7),
            key.seal(b"x", 7),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn a_short_key_is_refused() {
        let e = SecretKey::from_setting("   too short, 31 characters ...   ").unwrap_err();
        assert!(e.contains("FK_SECRET_KEY"), "{e}");
    }

    #[test]
    fn the_embedded_default_makes_its_key_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretKey::in_dir(dir.path()).unwrap();
        let sealed = first.seal(b"secret", 1);
        let again = SecretKey::in_dir(dir.path()).unwrap();
        assert_eq!(again.open(&sealed, 1).unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_key_lives_beside_the_sqlite_file() {
        assert_eq!(
            key_dir("sqlite://data/fortekassa.db"),
            Some(PathBuf::from("data"))
        );
        assert_eq!(
            key_dir("sqlite:///tmp/x/fk.db?mode=rwc"),
            Some(PathBuf::from("/tmp/x"))
        );
        assert_eq!(key_dir("sqlite://fk.db"), Some(PathBuf::from(".")));
        assert_eq!(key_dir("postgres://u@h/db"), None);
    }
}
