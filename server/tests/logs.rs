//! What reaches the server's log from a client: never a forged line or a terminal escape
//! sequence, and never an identifier of a person taken from the path.
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

/// The log lines written while `run` runs, as the server formats them (without colours).
async fn logged<F: std::future::Future<Output = ()>>(run: F) -> String {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runtime runs everything on this thread, so the guard covers the requests.
    let guard = tracing::subscriber::set_default(subscriber);
    run.await;
    drop(guard);
    let bytes = buffer.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_csp_report_cannot_forge_a_line_or_drive_the_terminal() {
    let t = seeded().await;
    let forged = "https://evil.example/\n2026-12-06T10:00:00.000000Z  INFO request: granted admin\u{1b}[2J\u{1b}[31m\r";
    let token_page =
        "http://fk.test/unsubscribe?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA#x";
    let report = json!({ "csp-report": {
        "document-uri": forged, "violated-directive": "script-src\u{7}", "blocked-uri": "inline\u{202e}gpj.exe"
    } });
    let from_a_token_page = json!({ "csp-report": { "document-uri": token_page, "violated-directive": "img-src", "blocked-uri": "data" } });
    let log = logged(async {
        for report in [&report, &from_a_token_page] {
            let reply = send(
                &t.router,
                "POST",
                "/api/csp-report",
                &[("content-type", "application/csp-report")],
                report.to_string(),
            )
            .await;
            assert_eq!(reply.status, 204);
        }
    })
    .await;
    assert!(
        log.contains("page=http://fk.test/unsubscribe") && !log.contains("AAAAAAAA"),
        "a page's query (a token) stays out: {log}"
    );
    assert!(log.contains("content security policy violation"), "{log}");
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines.iter().all(
            |l| !l.contains("granted admin") || l.contains("content security policy violation")
        ),
        "a forged line: {log}"
    );
    assert!(
        !log.chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "a control character reached the log: {log:?}"
    );
    assert!(
        log.contains("\\n2026-12-06") && log.contains("\\u{1b}[2J"),
        "escaped, still readable: {log}"
    );
}

#[tokio::test]
async fn a_consent_id_in_the_path_is_not_logged() {
    let t = seeded().await;
    let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let log = logged(async {
        get(&t.router, &format!("/api/consent/{id}")).await;
        get(&t.router, "/api/policy/ru/versions/1").await;
        get(&t.router, "/account/orders/A-1009").await;
    })
    .await;
    assert!(
        log.contains("/api/consent/{id}"),
        "the route is logged: {log}"
    );
    assert!(
        log.contains("/api/policy/{lang}/versions/{version}"),
        "{log}"
    );
    assert!(!log.contains(id), "the consent ID is not: {log}");
    assert!(
        log.contains("/account/orders/…") && !log.contains("A-1009"),
        "an app page's path keeps two segments: {log}"
    );
}
