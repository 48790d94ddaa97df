//! The API keeps its contract under attack: requests generated from `/api/openapi.json`,
//! valid and invalid (schemathesis: wrong types, missing and extra fields, huge strings,
//! unicode, negative and enormous numbers, undeclared methods, missing authentication), sent
//! to the release server on a real SQLite file, signed out and signed in. No answer is a 5xx,
//! the server never panics, and every answer matches the document: its status is declared,
//! its body fits the declared schema, its headers are there. Whatever fits the document is
//! taken (never a 400), and whatever breaks it is refused.
//!
//! Schemathesis does not send broken JSON, other media types or oversized bodies, so
//! `broken_bodies_get_a_declared_error` sends those to every operation that takes JSON.
use std::process::Stdio;

use fk_e2e::{call, http, signed_up, Server};
use serde_json::Value;

const SERVICE_TOKEN: &str = "contract-test-service-token-0123456789abcdef";

/// Runs schemathesis against `server`, with the credentials of the document's security
/// schemes (`session`, `service_token`) when given, and `args`; fails with its report unless
/// it found nothing.
async fn schemathesis(server: &Server, what: &str, session: Option<&str>, args: &[&str]) {
    // A request that fits the document must be taken: answered 2xx, or refused for a reason
    // that is not its shape (no session 401, someone else's 403, a link that does not exist
    // 404, a conflict 409, throttled 429), or for a rule the document cannot state: 422 with
    // the field named (a name's letters, a common password). Never 400, which says "this does
    // not fit the document": every rule a schema can state is in it (`openapi/rules.rs`).
    let mut config = String::from(
        "[checks.positive_data_acceptance]\nexpected-statuses = [\"2xx\", \"3xx\", \"401\", \"403\", \"404\", \"409\", \"422\", \"429\", \"5xx\"]\n",
    );
    // Given as the schemes they are, so schemathesis also checks that leaving them out is a 401.
    config.push_str(&format!(
        "[auth.openapi.service_token]\nbearer = \"{SERVICE_TOKEN}\"\n"
    ));
    if let Some(cookie) = session {
        config.push_str(&format!("[auth.openapi.session]\napi_key = \"{cookie}\"\n"));
    }
    let config_file = server.dir.path().join(format!("{what}.toml"));
    std::fs::write(&config_file, config).unwrap();
    let st = std::env::var("FK_SCHEMATHESIS")
        .expect("FK_SCHEMATHESIS is not set: run these tests with `cargo xtask test`");
    let report = server.dir.path().join(format!("{what}.txt"));
    let origin = format!("Origin: {}", server.url(""));
    let run = tokio::process::Command::new(st)
        .arg("--config-file")
        .arg(&config_file)
        .arg("run")
        .arg(server.url("/api/openapi.json"))
        .args(["--checks", "all"])
        .args([
            "--max-examples",
            "25",
            // One worker: on CPython 3.11 (Debian 12's python3) `ast.parse`, which hypothesis
            // calls to describe its filters, keeps its depth count in state shared by every
            // thread, and two workers now and then fail with "AST constructor recursion depth
            // mismatch" (python/cpython#106905), a failure of the tool and not of our API.
            "--workers",
            "1",
            "--seed",
            "20261124",
        ])
        .args(["--request-timeout", "20", "--max-failures", "20"])
        .args(["-H", &origin])
        .args(args)
        .current_dir(server.dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&report).unwrap())
        .stderr(Stdio::inherit())
        .status()
        .await
        .expect("run schemathesis");
    let out = std::fs::read_to_string(&report).unwrap_or_default();
    // Its own errors can quote whole source files: one screen line each is enough.
    let shown: Vec<String> = out.lines().map(|l| l.chars().take(300).collect()).collect();
    assert!(
        run.success(),
        "schemathesis ({what}) found contract breaks (report: {}):\n{}",
        report.display(),
        shown.join("\n")
    );
    eprintln!(
        "schemathesis ({what}): {}",
        out.lines()
            .rev()
            .find(|l| l.contains("passed") || l.contains("in "))
            .unwrap_or("")
    );
}

/// A verified, signed-in account with orders: its session cookie.
async fn signed_in(server: &Server) -> String {
    let cookie = signed_up(server, "fuzz", "fuzz@example.kz").await;
    let demo = server.cli(&["orders", "demo", "--login", "fuzz"]).await;
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    cookie
}

fn no_crash(server: &Server) {
    let log = server.log();
    let bad: Vec<_> = log
        .iter()
        .filter(|l| l.contains("panicked") || l.contains("internal error"))
        .collect();
    assert!(
        bad.is_empty(),
        "the server panicked or failed inside:\n{}",
        bad.iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_requests_keep_the_contract() {
    let server = Server::start_with(&[("FK_SERVICE_TOKEN", SERVICE_TOKEN)]).await;
    let cookie = signed_in(&server).await;
    // Signed out: every operation, the session's ones answering 401.
    schemathesis(&server, "signed-out", None, &[]).await;
    // Signed in: the personal section, but not what would end the session under the run.
    let personal = [
        "--include-path-regex",
        "^/api/account/",
        "--exclude-path-regex",
        "sign-out|/delete$",
    ];
    schemathesis(&server, "signed-in", Some(&cookie), &personal).await;
    // The session survived the run, and so did the server.
    assert_eq!(
        call(
            &server,
            "GET",
            "/api/account/session",
            Value::Null,
            Some(&cookie)
        )
        .await
        .0,
        200
    );
    no_crash(&server);
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_bodies_get_a_declared_error() {
    let server = Server::start().await;
    let (_, _, body) = http(&server.addr, "GET", "/api/openapi.json", &[], &[]).await;
    let doc: Value = serde_json::from_slice(&body).unwrap();
    let origin = server.url("");
    let huge = format!("{{\"email\": \"{}\"}}", "я".repeat(60 * 1024));
    let broken: [(&str, &str, &[u8]); 5] = [
        ("malformed JSON", "application/json", b"{\"email\": "),
        ("not an object", "application/json", b"[1, 2, 3]"),
        ("another media type", "text/plain", b"{}"),
        ("no body", "application/json", b""),
        ("larger than the limit", "application/json", huge.as_bytes()),
    ];
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["requestBody"]["content"]
                .get("application/json")
                .is_none()
            {
                continue;
            }
            let uri = path
                .replace("{lang}", "ru")
                .replace("{choice}", "newsletter_email")
                .replace(['{', '}'], "");
            for (what, media, body) in &broken {
                let headers = [("Content-Type", *media), ("Origin", origin.as_str())];
                let (status, _, reply) =
                    http(&server.addr, &method.to_uppercase(), &uri, &headers, body).await;
                let declared = op["responses"].get(status.to_string()).is_some();
                assert!(
                    declared,
                    "{method} {path} with {what}: {status} is not declared"
                );
                assert!(
                    (400..500).contains(&status),
                    "{method} {path} with {what}: {status}"
                );
                let error: Value = serde_json::from_slice(&reply)
                    .unwrap_or_else(|_| panic!("{method} {path} with {what}: not JSON"));
                assert!(
                    error["code"].is_string() && error["message"].is_string(),
                    "{method} {path} with {what}: {error}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 5 * 15,
        "only {checked} requests: the document lost its request bodies?"
    );
    no_crash(&server);
}
