//! No acknowledged write is lost: consent receipts and profile changes are sent under load, the
//! server is killed with SIGKILL in the middle of it, started again on the same files, and every
//! write it had answered 2xx is there.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fk_e2e::{http, signed_up, try_http, wait_for, Server};
use serde_json::{json, Value};

const WRITERS: usize = 6;

async fn call(
    addr: &str,
    method: &str,
    path: &str,
    body: &Value,
    cookie: &str,
) -> std::io::Result<(u16, String, Value)> {
    let origin = format!("http://{addr}");
    let cookie = format!("fk_session={cookie}");
    let headers = [
        ("Content-Type", "application/json"),
        ("Origin", origin.as_str()),
        ("Cookie", cookie.as_str()),
    ];
    let body = if method == "GET" {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let (status, head, bytes) = try_http(addr, method, path, &headers, &body).await?;
    Ok((
        status,
        head,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

/// A UUID v4 that says which writer sent it and its number.
fn consent_id(writer: usize, n: usize) -> String {
    format!("{writer:08x}-0000-4000-8000-{n:012x}")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_write_survives_a_crash() {
    // The writers send thousands of receipts from one address: the per-address limit, which
    // would answer them 429 after its hourly number, is off for this test of durability.
    let server = Server::start_with(&[("FK_CONSENT_LIMIT", "off")]).await;
    let cookie = signed_up(&server, "aigerim", "a@example.kz").await;
    let (_, _, config) = call(&server.addr, "GET", "/api/consent/config", &Value::Null, "")
        .await
        .unwrap();
    let revision = config["revision"].as_str().unwrap().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let receipts: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (addr, revision, stop, receipts) = (
            server.addr.clone(),
            revision.clone(),
            stop.clone(),
            receipts.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let id = consent_id(writer, n);
                let body = json!({ "consent_id": id, "categories": ["necessary"], "config_revision": revision, "policy_version": 1, "gpc": false });
                match call(&addr, "POST", "/api/consent", &body, "").await {
                    Ok((201, _, _)) => receipts.lock().unwrap().push(id),
                    Ok((status, _, body)) => panic!("a receipt was refused: {status} {body}"),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    // Profile changes, one after another (each names the version it read).
    let profile: Arc<Mutex<Option<(i64, String)>>> = Arc::default();
    let editor = {
        let (addr, cookie, stop, profile) = (
            server.addr.clone(),
            cookie.clone(),
            stop.clone(),
            profile.clone(),
        );
        tokio::spawn(async move {
            let (_, _, me) = call(&addr, "GET", "/api/account/session", &Value::Null, &cookie)
                .await
                .unwrap();
            let mut version = me["account"]["version"].as_i64().unwrap();
            let names = ["Жанар", "Ерлан", "Айгерим", "Данияр"];
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let name = names[n % names.len()];
                let body = json!({ "first_name": name, "birth_year": 1990, "gender": "female", "phone": "", "lang": "ru", "version": version });
                match call(&addr, "PUT", "/api/account/profile", &body, &cookie).await {
                    Ok((200, _, saved)) => {
                        version = saved["version"].as_i64().unwrap();
                        *profile.lock().unwrap() = Some((version, name.to_string()));
                    }
                    Ok((status, _, body)) => {
                        panic!("a profile change was refused: {status} {body}")
                    }
                    Err(_) => break,
                }
            }
        })
    };

    // Kill it mid-stream, once plenty has been acknowledged.
    wait_for(|| async {
        (receipts.lock().unwrap().len() >= 200 && profile.lock().unwrap().is_some()).then_some(())
    })
    .await
    .expect("writes were acknowledged");
    let dir = server.crash().await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("a writer");
    }
    editor.await.expect("the editor");

    let server = Server::restart(dir).await;
    let acknowledged = receipts.lock().unwrap().clone();
    for id in &acknowledged {
        let (status, _, body) =
            http(&server.addr, "GET", &format!("/api/consent/{id}"), &[], b"").await;
        assert_eq!(
            status,
            200,
            "receipt {id} was acknowledged before the crash: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (version, name) = profile.lock().unwrap().clone().unwrap();
    let (_, _, me) = call(
        &server.addr,
        "GET",
        "/api/account/session",
        &Value::Null,
        &cookie,
    )
    .await
    .unwrap();
    let stored = me["account"]["version"].as_i64().unwrap();
    // A change committed just before the kill may not have been answered: never older.
    assert!(
        stored >= version,
        "acknowledged version {version}, stored {stored}"
    );
    if stored == version {
        assert_eq!(me["account"]["first_name"], name.as_str());
    }
    println!("{} receipts and profile version {version} acknowledged before SIGKILL; all there after restart", acknowledged.len());
    server.stop().await;
}
