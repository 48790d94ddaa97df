//! A SQLite database that stops being writable under the running server: `/api/health` says
//! it is read-only, writes get 503 with a clear error, reads still work, and once it is
//! writable again the server writes again by itself, with no restart.
//!
//! Two ways it happens, made as an operator (or a failing disk) would:
//! - the disk goes read-only under open connections: their writes to the WAL fail. Made with
//!   `chattr +i` on the database and its WAL, which binds root too (CI runs as root); without
//!   that flag at hand (not root, or a filesystem without it) the test says so and passes;
//! - connections are opened while the file is not writable (at start, or after the pool let
//!   its idle connections go): SQLite opens them read-only. Made with `chmod a-w`, or as root
//!   `chattr +i`.
//!
//! Never the `-shm` file: it is memory-mapped, and a write into a mapped page of an unwritable
//! file kills the process (SIGBUS).
mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

const JSON: (&str, &str) = ("content-type", "application/json");

/// The files stay unwritable while this lives.
struct Unwritable {
    paths: Vec<PathBuf>,
    immutable: bool,
}

impl Unwritable {
    /// `chmod a-w`, and if that does not stop this process (root), `chattr +i`; `None` when
    /// nothing here stops it (`chmod_is_enough: false` skips chmod, which open descriptors
    /// ignore).
    fn make(paths: &[PathBuf], chmod_is_enough: bool) -> Option<Unwritable> {
        let mut guard = Unwritable {
            paths: paths.to_vec(),
            immutable: false,
        };
        if chmod_is_enough {
            guard.chmod(0o444);
        }
        if paths.iter().any(|p| writable(p)) {
            guard.immutable = paths.iter().all(|p| chattr("+i", p));
        }
        (!paths.iter().any(|p| writable(p))).then_some(guard)
    }

    fn chmod(&self, mode: u32) {
        for path in &self.paths {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }

    fn restore(&mut self) {
        if self.immutable {
            self.immutable = !self.paths.iter().all(|p| chattr("-i", p));
        }
        self.chmod(0o644);
    }
}

impl Drop for Unwritable {
    /// Also on a failed assertion: an immutable file would outlive the test's folder.
    fn drop(&mut self) {
        self.restore();
    }
}

fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().append(true).open(path).is_ok()
}

fn chattr(flag: &str, path: &Path) -> bool {
    std::process::Command::new("chattr")
        .arg(flag)
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

async fn consent(t: &TestApp, id: &str) -> Reply {
    let revision = get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let body = serde_json::json!({ "consent_id": id, "categories": ["necessary"], "config_revision": revision, "policy_version": 1, "gpc": false });
    send(&t.router, "POST", "/api/consent", &[JSON], body.to_string()).await
}

/// Polls until `done` holds; the pool renews its connections on its own, within a second.
async fn until<F: std::future::Future<Output = bool>>(mut done: impl FnMut() -> F) -> bool {
    for _ in 0..100 {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Whether this process holds a file in `dir` open.
fn open_in(dir: &Path) -> bool {
    let fds = std::fs::read_dir("/proc/self/fd").unwrap();
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.starts_with(dir)))
}

const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// While unwritable: health, writes, reads. Then writable again: writes (polled, no health
/// check in between: the server notices by itself), then health.
async fn outage_and_recovery(t: &TestApp, mut unwritable: Unwritable) {
    let health = get(&t.router, "/api/health").await;
    assert_eq!(health.status, 503);
    assert_eq!(
        health.json(),
        serde_json::json!({ "status": "unavailable", "database": "read-only" })
    );
    let write = consent(t, ID).await;
    assert_eq!(write.status, 503, "{}", write.text());
    assert_eq!(write.error().0, "database_unavailable");
    assert!(
        write.json()["message"]
            .as_str()
            .unwrap()
            .contains("nothing can be saved"),
        "{}",
        write.text()
    );
    // Only saving is out: the policy and the receipts already given are still read.
    assert_eq!(get(&t.router, "/api/policy/ru").await.status, 200);
    assert_eq!(
        get(&t.router, &format!("/api/consent/{ID}")).await.json()["receipts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    unwritable.restore();
    assert!(
        until(|| async { consent(t, ID).await.status == 201 }).await,
        "writes work again without a restart"
    );
    let health = get(&t.router, "/api/health").await;
    assert_eq!(
        (health.status.as_u16(), health.json()),
        (200, serde_json::json!({ "status": "ok", "database": "ok" }))
    );
}

#[tokio::test]
async fn the_disk_going_read_only_under_open_connections() {
    let t = seeded().await;
    if is_postgres(&t.db) {
        return;
    }
    assert_eq!(consent(&t, ID).await.status, 201, "writes work before");
    let files = [
        t.dir.path().join("test.db"),
        t.dir.path().join("test.db-wal"),
    ];
    let Some(unwritable) = Unwritable::make(&files, false) else {
        eprintln!("SKIPPED: chattr +i is not available here (not root, or not supported by the filesystem)");
        return;
    };
    outage_and_recovery(&t, unwritable).await;
}

#[tokio::test]
async fn connections_opened_while_the_file_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    if url.starts_with("postgres") {
        return;
    }
    // A first run writes a receipt and stops: no connection is left open.
    let db = fk_server::db::open(&url).await.unwrap();
    fk_server::policy::seed(&db).await.unwrap();
    let t = TestApp::on(db, dir);
    assert_eq!(consent(&t, ID).await.status, 201);
    // Every file closed, as in a new process: SQLite shares a file's descriptors among the
    // connections of one process, so one left open for writing would make the next connection
    // writable. sqlx returns a connection to its pool on a task of its own, and `close` can miss
    // one returned while it runs: wait until they are all back first.
    assert!(
        until(|| async { t.db.num_idle() as u32 == t.db.size() }).await,
        "every connection is back in the pool"
    );
    t.db.close().await;
    assert!(!open_in(t.dir.path()), "the first run's files are closed");
    let Some(unwritable) = Unwritable::make(&[t.dir.path().join("test.db")], true) else {
        eprintln!(
            "SKIPPED: neither chmod nor chattr +i makes a file unwritable for this process here"
        );
        return;
    };
    // The server starts on the unwritable file: every connection it opens is read-only.
    let db = fk_server::db::open(&url)
        .await
        .expect("a read-only database still opens");
    let t = TestApp::on(db, t.dir);
    outage_and_recovery(&t, unwritable).await;
}
