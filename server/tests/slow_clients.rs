//! The real server loop (`fk_server::serve::run`) on a real socket: a client that sends its
//! headers or its body too slowly is cut off, keep-alive works, the peer address reaches the
//! handlers, and a shutdown lets the request in flight finish.
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use fk_server::serve::{self, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Short deadlines so the test takes a second, not the production 10 s and 30 s.
const TIMEOUTS: Timeouts = Timeouts {
    header_read: Duration::from_millis(500),
    body: Duration::from_millis(700),
};
/// Far longer than any deadline above: what "the server never answered" means here.
const PATIENCE: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(t: &TestApp) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(serve::run(listener, t.router.clone(), TIMEOUTS, shutdown));
    Running { addr, stop, task }
}

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut all)).await;
    assert!(
        read.is_ok(),
        "the server kept the connection open: {}",
        String::from_utf8_lossy(&all)
    );
    String::from_utf8_lossy(&all).into_owned()
}

/// One response on a keep-alive connection: head and `Content-Length` body.
async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut byte))
            .await
            .expect("a response")
            .unwrap();
        assert_eq!(
            n,
            1,
            "closed mid-response: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn headers_that_never_end_close_the_connection() {
    let t = seeded().await;
    let server = start(&t).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    let waited = started.elapsed();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(
        waited >= TIMEOUTS.header_read - Duration::from_millis(50),
        "closed by the deadline, not at once: {waited:?}"
    );
    // The server itself is fine: the next client is served.
    let mut next = TcpStream::connect(server.addr).await.unwrap();
    next.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut next).await.0.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_body_that_stalls_gets_408_and_the_connection_closes() {
    let t = seeded().await;
    let server = start(&t).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"POST /api/consent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"consent_id\":")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert!(
        started.elapsed() >= TIMEOUTS.body - Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_trickling_in_byte_by_byte_still_meets_one_deadline() {
    let t = seeded().await;
    let server = start(&t).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST /api/consent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n")
        .await
        .unwrap();
    // A byte every 100 ms never leaves a gap as long as the deadline, but the whole body
    // would take 200 s: the deadline counts from the headers, not from the last byte.
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        while writer.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut all = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut all))
        .await
        .expect("the server cut the trickle off");
    trickle.abort();
    let answer = String::from_utf8_lossy(&all);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn keep_alive_connect_info_and_a_graceful_shutdown() {
    let t = seeded().await;
    let server = start(&t).await;
    let revision = get(&t.router, "/api/consent/config").await.json()["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let body = serde_json::json!({ "consent_id": id, "categories": ["necessary"], "config_revision": revision, "policy_version": 1, "gpc": false })
        .to_string();
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let post = format!(
        "POST /api/consent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(post.as_bytes()).await.unwrap();
    let (head, receipt) = read_response(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 201"), "{head}{receipt}");
    // The handler saw the real peer (ConnectInfo), truncated as receipts store it.
    assert!(
        receipt.contains("\"ip_truncated\":\"127.0.0.0\""),
        "{receipt}"
    );

    // The same connection serves a second request.
    stream
        .write_all(format!("GET /api/consent/{id} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let (head, history) = read_response(&mut stream).await;
    assert!(
        head.starts_with("HTTP/1.1 200") && history.contains(id),
        "{head}{history}"
    );

    // A request in flight when the shutdown comes is answered; then the server stops.
    let mut busy = TcpStream::connect(server.addr).await.unwrap();
    busy.write_all(b"POST /api/consent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
        .await
        .unwrap();
    // The request is in the handler (reading its body) once this answers on a third connection.
    let mut probe = TcpStream::connect(server.addr).await.unwrap();
    probe
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_to_close(&mut probe).await;
    server.stop.send(()).unwrap();
    let answer = read_to_close(&mut busy).await;
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "the request in flight got its answer: {answer}"
    );
    let stopped = tokio::time::timeout(PATIENCE, server.task)
        .await
        .expect("the server stopped");
    stopped.unwrap().unwrap();
    assert_eq!(
        read_to_close(&mut stream).await,
        "",
        "the idle keep-alive connection was closed"
    );
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "no longer accepting"
    );
}
