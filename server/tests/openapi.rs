//! The API contract: `/api/openapi.json` describes every route the server has, and nothing
//! it doesn't. (The fuzzing against it is `cargo xtask test`'s schemathesis run.)
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{get, seeded, send};
use serde_json::Value;

const METHODS: [&str; 6] = ["get", "put", "post", "delete", "patch", "options"];

async fn document() -> Value {
    let app = seeded().await;
    let reply = get(&app.router, "/api/openapi.json").await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").starts_with("application/json"));
    reply.json()
}

/// `(METHOD, path)` of every operation in the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                all.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    all
}

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The operations the source declares with `#[utoipa::path(method, path = "…"`.
fn declared_in_source() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut declared = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("#[utoipa::path(") {
            let rest = &text[i + "#[utoipa::path(".len()..];
            let method = rest.split(',').next().unwrap().trim().to_uppercase();
            let path = rest
                .split("path = \"")
                .nth(1)
                .and_then(|p| p.split('"').next())
                .unwrap();
            declared.insert((method, path.to_string()));
        }
    }
    declared
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_its_references_resolve() {
    let doc = document().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "ApiError",
        "ErrorCode",
        "PolicyVersion",
        "ConsentRequest",
        "SessionView",
        "DataExport",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    // Every reference points at a schema that is there.
    let text = doc.to_string();
    let prefix = "\"$ref\":\"#/components/schemas/";
    for (i, _) in text.match_indices(prefix) {
        let name = text[i + prefix.len()..].split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling reference to {name}");
    }
    // Every operation says what it answers, and every error is the one error shape.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let responses = op["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path}: no responses"));
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success answer"
            );
            for (status, response) in responses {
                // Health's 503 says which part is down, in its own shape.
                if (status.starts_with('4') || status.starts_with('5')) && path != "/api/health" {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

/// A route added without its description fails here: every route is declared with
/// `#[utoipa::path]` and routed through `routes!`, which puts it in the document. So no plain
/// `.route(` may appear, and every declaration must have reached the document.
#[tokio::test]
async fn every_route_of_the_server_is_in_the_document() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for call in [".route(\"", ".route_service(", ".nest(", ".nest_service("] {
            assert!(
                !text.contains(call),
                "{}: `{call}` adds a route the API document does not know; use routes!",
                file.display()
            );
        }
    }
    let doc = document().await;
    let documented = operations(&doc);
    let declared = declared_in_source();
    assert!(
        declared.len() >= 45,
        "only {} declarations found",
        declared.len()
    );
    let missing: Vec<_> = declared.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "declared but not routed through routes!: {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(extra.is_empty(), "documented but not declared: {extra:?}");
}

/// And the other way: every documented operation reaches a handler (not the "no endpoint"
/// fallback, not 405).
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = seeded().await;
    let doc = get(&app.router, "/api/openapi.json").await.json();
    for (method, path) in operations(&doc) {
        let uri = path.replace("{lang}", "ru").replace(['{', '}'], "");
        let reply = send(&app.router, &method, &uri, &[], "").await;
        assert_ne!(reply.status, 405, "{method} {path}");
        if reply.status == 404 {
            assert!(
                !reply.text().contains("no API endpoint"),
                "{method} {path} is not routed"
            );
        }
    }
}
