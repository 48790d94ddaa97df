//! Builds the release SPA (Trunk) and server, skipping what is already up to date.
use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::npm_bin;
use crate::{cargo, exec, root, step};

/// Everything the SPA is built from; a change to any of it means a new build.
const SPA_INPUTS: &[&str] = &[
    "src",
    "api",
    "locales",
    "style",
    "consent/src",
    "consent/Cargo.toml",
    // PAGES, each the page of one bundle (`fk_app::bundle`).
    "index.html",
    "signed-out.html",
    "account.html",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
];
/// Each bundle's page: Trunk's own `index.html`, then the personal section's two. The server
/// fills them in (`server/src/spa`), so they are not precompressed.
const PAGES: [&str; 3] = ["index.html", "signed-out.html", "account.html"];
const STAMP: &str = ".fk-build-stamp";

fn fingerprint(paths: &[&str]) -> String {
    fn walk(path: &Path, hasher: &mut DefaultHasher) {
        let Ok(meta) = fs::metadata(path) else { return };
        if meta.is_dir() {
            let mut entries: Vec<_> = fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for entry in entries {
                walk(&entry, hasher);
            }
        } else {
            path.hash(hasher);
            meta.len().hash(hasher);
            meta.modified().ok().hash(hasher);
        }
    }
    let mut hasher = DefaultHasher::new();
    for p in paths {
        walk(&root().join(p), &mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// `dist/`: the release SPA, with `.br` and `.gz` beside every asset.
pub fn spa() -> Result<(), String> {
    let dist = root().join("dist");
    let stamp = fingerprint(SPA_INPUTS);
    if fs::read_to_string(dist.join(STAMP)).is_ok_and(|s| s == stamp)
        && dist.join("index.html").exists()
    {
        step("web app is up to date (dist/)");
        return Ok(());
    }
    step("building the web app: Trunk, release, wasm-opt -Oz (a few minutes the first time)");
    let path = format!(
        "{}:{}",
        npm_bin().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    exec(
        Command::new("trunk")
            .args(["build", "--release"])
            .current_dir(root())
            .env("PATH", path.clone()),
        "trunk build",
    )?;
    // The personal section's two bundles: the signed-out pages and the signed-in section.
    for page in &PAGES[1..] {
        page_bundle(page, &dist, &path)?;
    }
    consent_banner(&dist)?;
    step("precompressing assets (brotli, gzip)");
    compress_dir(&dist)?;
    compress_dir(&dist.join("consent"))?;
    fs::write(dist.join(STAMP), stamp).map_err(|e| format!("cannot write the build stamp: {e}"))?;
    Ok(())
}

/// `dist/<page>` and its bundle, built by Trunk into a folder of its own (Trunk empties its
/// output folder) and moved into `dist/`. Hashed names cannot clash; the shared stylesheet has
/// the same name and content in every build.
fn page_bundle(page: &str, dist: &Path, path: &str) -> Result<(), String> {
    step(&format!("building the bundle of {page}"));
    let out = root().join("target/trunk-pages").join(page);
    exec(
        Command::new("trunk")
            .args(["build", page, "--release", "true", "--dist"])
            .arg(&out)
            .current_dir(root())
            .env("PATH", path),
        &format!("trunk build {page}"),
    )?;
    for entry in fs::read_dir(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        // Trunk names its page index.html whatever the source was called.
        let name = if entry.file_name() == "index.html" {
            page.into()
        } else {
            entry.file_name()
        };
        if entry.path().is_file() {
            fs::copy(entry.path(), dist.join(name))
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// `dist/consent/`: the cookie banner other pages embed, as its own small wasm module
/// (the SPA's consent components, nothing else), with content-hashed names and a manifest
/// the server reads to tell `/consent.js` where the files are.
fn consent_banner(dist: &Path) -> Result<(), String> {
    step("building the embeddable cookie banner (wasm-release, wasm-bindgen, wasm-opt -Oz)");
    exec(
        cargo().args([
            "build",
            "-p",
            "fk-consent",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ]),
        "cargo build fk-consent",
    )?;
    let out = root().join("target/fk-consent");
    let wasm = root().join("target/wasm32-unknown-unknown/wasm-release/fk_consent.wasm");
    exec(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "fk_consent",
                "--out-dir",
            ])
            .arg(&out)
            .arg(&wasm),
        "wasm-bindgen fk-consent",
    )?;
    let optimised = out.join("fk_consent_opt.wasm");
    exec(
        Command::new(npm_bin().join("wasm-opt"))
            .arg("-Oz")
            .arg(out.join("fk_consent_bg.wasm"))
            .arg("-o")
            .arg(&optimised),
        "wasm-opt fk-consent",
    )?;
    let target = dist.join("consent");
    fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let mut manifest = Vec::new();
    for (key, source, stem, ext) in [
        ("js", out.join("fk_consent.js"), "fk_consent", "js"),
        ("wasm", optimised, "fk_consent", "wasm"),
        ("css", root().join("style/consent.css"), "consent", "css"),
    ] {
        let data = fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let name = match ext {
            "wasm" => format!("{stem}-{}_bg.wasm", content_hash(&data)),
            _ => format!("{stem}-{}.{ext}", content_hash(&data)),
        };
        fs::write(target.join(&name), &data).map_err(|e| e.to_string())?;
        manifest.push(format!("\"{key}\":\"/consent/{name}\""));
    }
    fs::write(
        target.join("manifest.json"),
        format!("{{{}}}\n", manifest.join(",")),
    )
    .map_err(|e| e.to_string())
}

/// 16 hex digits of FNV-1a: a stable name for immutable caching.
fn content_hash(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

pub fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "wasm" | "css" | "svg" | "json" | "html" | "txt")
    ) && path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| !PAGES.contains(&n) && n != "manifest.json")
}

fn compress_dir(dir: &Path) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_file() && compressible(&path) {
            let data = fs::read(&path).map_err(|e| e.to_string())?;
            fs::write(with_suffix(&path, "br"), brotli(&data)).map_err(|e| e.to_string())?;
            fs::write(with_suffix(&path, "gz"), gzip(&data)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)
        .expect("compressing in memory cannot fail");
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .expect("compressing in memory cannot fail");
    encoder.finish().expect("compressing in memory cannot fail")
}

/// The release server binary (cargo skips the build when nothing changed).
pub fn server() -> Result<PathBuf, String> {
    step("building the server (release)");
    exec(
        cargo().args(["build", "--release", "-p", "fk-server"]),
        "cargo build fk-server",
    )?;
    Ok(root().join("target/release/fk-server"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips() {
        let data = "политика конфиденциальности ".repeat(100).into_bytes();
        let br = brotli(&data);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, data);
        assert!(br.len() < data.len() / 10);
        assert!(gzip(&data).len() < data.len() / 5);
    }

    #[test]
    fn index_html_is_left_to_the_server() {
        assert!(!compressible(Path::new("dist/index.html")));
        assert!(compressible(Path::new(
            "dist/fk-app-0123456789abcdef_bg.wasm"
        )));
        assert!(!compressible(Path::new("dist/fk-app.wasm.br")));
    }
}
