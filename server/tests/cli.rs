//! The operator CLI and start-up failures, through the real binary.
mod common;

use std::process::{Command, Output};

fn fk(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(args)
        .env("FK_DATABASE_URL", common::database_url(dir))
        .env("FK_DIST_DIR", dir.join("no-dist"))
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn publish_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.md");
    std::fs::write(&file, "# Policy\n\n## 1. General\n\n1.1. Text.\n").unwrap();
    let ok = fk(
        dir.path(),
        &["policy", "publish", "--lang", "en", file.to_str().unwrap()],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("published version 1 of the en policy"));
    let list = fk(dir.path(), &["policy", "list", "--lang", "en"]);
    let out = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(
        out.lines()
            .any(|l| l.starts_with("en") && l.contains(" 1 ")),
        "{out}"
    );
}

#[test]
fn bad_input_exits_with_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.md");
    std::fs::write(&good, "# Policy\n\n## 1. General\n\n1.1. Text.\n").unwrap();
    assert!(fk(
        dir.path(),
        &["policy", "publish", "--lang", "ru", good.to_str().unwrap()]
    )
    .status
    .success());
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.md", b"", "empty"),
        ("binary.md", b"\xff\xfe\x00", "UTF-8"),
        ("nosections.md", b"# Title\n\nJust text.\n", "no sections"),
        (
            "good.md",
            b"# Policy\n\n## 1. General\n\n1.1. Text.\n",
            "identical",
        ),
    ];
    for (name, content, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = fk(
            dir.path(),
            &["policy", "publish", "--lang", "ru", path.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{name}: {}", stderr(&out));
    }
    let lang = fk(
        dir.path(),
        &["policy", "publish", "--lang", "de", good.to_str().unwrap()],
    );
    assert_eq!(lang.status.code(), Some(2));
    assert!(
        stderr(&lang).contains("unknown language"),
        "{}",
        stderr(&lang)
    );
    let missing = fk(
        dir.path(),
        &["policy", "publish", "--lang", "ru", "/nonexistent/file.md"],
    );
    assert_eq!(missing.status.code(), Some(2));
    let list = String::from_utf8_lossy(&fk(dir.path(), &["policy", "list"]).stdout).into_owned();
    assert_eq!(
        list.lines().count(),
        2,
        "header and the one good version: {list}"
    );
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(["serve", "--addr", &addr])
        .env(
            "FK_DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unopenable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    for url in [
        format!("sqlite://{}/sub/x.db", blocker.display()),
        "mysql://nope".to_string(),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fk-server"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("FK_DATABASE_URL", &url)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{url}");
        assert!(stderr(&out).contains("database"), "{url}: {}", stderr(&out));
    }
}

#[test]
fn ctrl_c_shuts_down_gracefully() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env(
            "FK_DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(&out)
    );
    assert!(stderr(&out).contains("stopped"), "{}", stderr(&out));
    // The embedded default made its key for sealed secrets beside the database, for its user only.
    let key = std::fs::metadata(dir.path().join("secret.key")).expect("secret.key was made");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_short_secret_key_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fk-server"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env(
            "FK_DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .env("FK_SECRET_KEY", "shorter than thirty-two chars")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("FK_SECRET_KEY is shorter than 32"),
        "{}",
        stderr(&out)
    );
}
