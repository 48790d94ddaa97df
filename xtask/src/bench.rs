//! `cargo xtask bench`: figures of the release build, printed for people (never asserted).
use std::fs;
use std::process::Command;
use std::time::Instant;

use crate::bench_server::{self, signed_up, start_env, Running, PASSWORD};
use crate::build::{brotli, gzip};
use crate::{build, http, root, step, tools};

/// The budget for everything a first visit to `/policy` transfers, brotli-compressed.
const FIRST_VISIT_BUDGET: usize = 250 * 1000;

pub fn bench() -> Result<(), String> {
    tools::ensure_build_tools()?;
    build::spa()?;
    let server = build::server()?;
    sizes()?;
    // The policy comes inside the page (its first view and the app's boot data): no API call.
    first_visit(&server, "/policy", &[], Some(FIRST_VISIT_BUDGET))?;
    // The personal section is its own bundle; its first page also fetches the policy version
    // to accept and the common-password list (who is signed in comes with the page).
    first_visit(
        &server,
        "/account/register",
        &["/api/consent/config", "/api/account/common-passwords"],
        None,
    )?;
    crate::lighthouse::lighthouse(&server, &root().join("dist"))?;
    sign_in(&server)?;
    recover_timing(&server)?;
    let dir = std::env::temp_dir().join(format!("fk-bench-load-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    crate::load::load(&server, &dir)?;
    consent_banner(&server)
}

/// `cargo xtask bench load`: the load figures alone, for repeating them while tuning. Uses the
/// SPA in `dist/` as it is (the policy API does not depend on it).
pub fn load_only() -> Result<(), String> {
    let server = build::server()?;
    let dir = std::env::temp_dir().join(format!("fk-bench-load-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = crate::load::load(&server, &dir);
    let _ = fs::remove_dir_all(&dir);
    result
}

/// `cargo xtask bench lighthouse`: the Lighthouse figures alone, of the release server and the
/// SPA as they are, built by an earlier `cargo xtask bench` or `run` (nothing is rebuilt).
/// `FK_SERVER_BIN` and `FK_DIST_DIR` point it at other builds, e.g. copies kept for a before/after.
pub fn lighthouse_only() -> Result<(), String> {
    let path = |var: &str, default: &str| {
        std::env::var_os(var).map_or_else(|| root().join(default), std::path::PathBuf::from)
    };
    let (server, dist) = (
        path("FK_SERVER_BIN", "target/release/fk-server"),
        path("FK_DIST_DIR", "dist"),
    );
    if !server.exists() || !dist.join("index.html").exists() {
        return Err(format!(
            "no release build at {} and {}: run `cargo xtask bench` (or `run`) once first",
            server.display(),
            dist.display()
        ));
    }
    crate::lighthouse::lighthouse(&server, &dist)
}

/// Sign-in latency (one Argon2id check each), and what a flood of sign-ins does to everything
/// else: hashing runs on the blocking pool, as many at once as there are cores, so a health
/// check answered during the flood should stay fast.
fn sign_in(server: &std::path::Path) -> Result<(), String> {
    step("sign-in: Argon2id (m=19456 KiB, t=2, p=1) latency, and other requests during a flood");
    let dir = std::env::temp_dir().join(format!("fk-bench-sign-in-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (_server, addr) = start(server, &dir)?;
    signed_up(&addr, &dir, "bench", "bench@example.kz")?;
    let sign_in = format!(r#"{{"login":"bench","password":"{PASSWORD}"}}"#);
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let r = http::post_json(&addr, "/api/account/sign-in", &sign_in)?;
        times.push(started.elapsed());
        if r.status != 200 {
            return Err(format!("sign-in failed: {}", r.status));
        }
    }
    times.sort();
    println!(
        "{:<48} {:>10.1} ms (median of 15), max {:.1} ms",
        "one sign-in",
        ms(times[7]),
        ms(times[14])
    );
    let flood_started = Instant::now();
    let flood: Vec<_> = (0..24)
        .map(|_| {
            let (addr, sign_in) = (addr.clone(), sign_in.clone());
            std::thread::spawn(move || {
                http::post_json(&addr, "/api/account/sign-in", &sign_in).map(|r| r.status)
            })
        })
        .collect();
    let mut health = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        http::get(&addr, "/api/health", &[])?;
        health.push(started.elapsed());
    }
    let ok = flood
        .into_iter()
        .map(|t| t.join())
        .filter(|r| matches!(r, Ok(Ok(200))))
        .count();
    let flood_time = flood_started.elapsed();
    health.sort();
    println!(
        "{:<48} {:>10} of 24 signed in, in {:.0} ms",
        "24 sign-ins at once",
        ok,
        ms(flood_time)
    );
    println!(
        "{:<48} {:>10.1} ms (median of 10), max {:.1} ms",
        "GET /api/health during that flood",
        ms(health[5]),
        ms(health[9])
    );
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

/// "Forgot password" must not tell whether an address has an account, by its time either:
/// the same work is done both ways (a letter rendered and queued). Each request comes from
/// its own address (`FK_TRUST_PROXY`), so no throttle joins in; medians of 20 each, alternating.
fn recover_timing(server: &std::path::Path) -> Result<(), String> {
    step("recovery: an address with an account against one without (the time must not tell them apart)");
    let dir = std::env::temp_dir().join(format!("fk-bench-recover-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (_server, addr) = start_env(server, &["serve"], &dir, &[("FK_TRUST_PROXY", "1")])?;
    const N: usize = 20;
    for i in 0..N {
        let body = format!(
            r#"{{"first_name":"Bench","email":"taken{i}@example.kz","birth_year":1990,"login":"taken{i}","password":"{PASSWORD}","accept_policy":true,"policy_version":1}}"#
        );
        let from = format!("198.18.0.{i}");
        let r = http::post_json_with(
            &addr,
            "/api/account/register",
            &body,
            &[("X-Forwarded-For", &from)],
        )?;
        if r.status != 202 {
            return Err(format!("registration for the bench failed: {}", r.status));
        }
    }
    let recover = |email: String, from: String| -> Result<std::time::Duration, String> {
        let started = Instant::now();
        let r = http::post_json_with(
            &addr,
            "/api/account/recover",
            &format!(r#"{{"email":"{email}"}}"#),
            &[("X-Forwarded-For", &from)],
        )?;
        let took = started.elapsed();
        if r.status != 202 {
            return Err(format!("recover answered {}", r.status));
        }
        Ok(took)
    };
    recover("warm-up@example.kz".into(), "198.18.9.9".into())?;
    let (mut taken, mut free) = (Vec::new(), Vec::new());
    for i in 0..N {
        let (a, b) = (format!("198.18.1.{i}"), format!("198.18.2.{i}"));
        if i % 2 == 0 {
            taken.push(recover(format!("taken{i}@example.kz"), a)?);
            free.push(recover(format!("free{i}@example.kz"), b)?);
        } else {
            free.push(recover(format!("free{i}@example.kz"), b)?);
            taken.push(recover(format!("taken{i}@example.kz"), a)?);
        }
    }
    taken.sort();
    free.sort();
    let (t, f) = (ms(taken[N / 2]), ms(free[N / 2]));
    println!(
        "{:<48} {:>10.2} ms (median of {N}), max {:.2} ms",
        "recover: the address has an account",
        t,
        ms(taken[N - 1])
    );
    println!(
        "{:<48} {:>10.2} ms (median of {N}), max {:.2} ms",
        "recover: no account has the address",
        f,
        ms(free[N - 1])
    );
    println!("{:<48} {:>10.2} ms", "difference of the medians", t - f);
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The consent banner against vanilla-cookieconsent (installed from npm with the build tools)
/// in headless Chromium, on a desktop and on a phone profile: time to a visible banner, layout
/// shift, bytes on first and returning visits (`tests/e2e/src/bin/consent_bench.rs`).
fn consent_banner(server: &std::path::Path) -> Result<(), String> {
    tools::ensure_browser()?;
    let anchor = root().join("xtask/npm/node_modules/vanilla-cookieconsent/dist");
    if !anchor.join("cookieconsent.umd.js").exists() {
        // node_modules from before the anchor was added to xtask/npm/package.json.
        step("installing vanilla-cookieconsent from npm (xtask/npm)");
        crate::exec(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(root().join("xtask/npm")),
            "npm ci in xtask/npm",
        )?;
    }
    step("consent banner vs vanilla-cookieconsent 3.1.0 (headless Chromium, desktop and phone, about two minutes)");
    crate::exec(
        crate::cargo()
            .args(["run", "--release", "-p", "fk-e2e", "--bin", "consent_bench"])
            .env("FK_SERVER_BIN", server)
            .env("FK_DIST_DIR", root().join("dist"))
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("CHROMIUM", tools::CHROMIUM)
            .env("FK_ANCHOR_DIR", anchor),
        "the consent benchmark",
    )
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn sizes() -> Result<(), String> {
    step("bundle sizes (dist/: the app; dist/consent/: the embeddable banner; the consent loader)");
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let mut entries = Vec::new();
    for dir in ["dist", "dist/consent"] {
        let mut files: Vec<_> = fs::read_dir(root().join(dir))
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        entries.extend(files.into_iter().filter(|p| build::compressible(p)));
    }
    // The loader as the server embeds it (minified; its setup not yet written in).
    let loader = root().join("target/consent.js");
    crate::exec(
        Command::new("node")
            .arg(root().join("consent/build.mjs"))
            .arg(&loader),
        "node consent/build.mjs",
    )?;
    entries.push(loader);
    for path in entries {
        let data = fs::read(&path).map_err(|e| e.to_string())?;
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        println!(
            "{:<48} {:>10} {:>10} {:>10}",
            name,
            kb(data.len()),
            kb(gzip(&data).len()),
            kb(brotli(&data).len())
        );
    }
    Ok(())
}

fn start(server: &std::path::Path, dir: &std::path::Path) -> Result<(Running, String), String> {
    bench_server::start_with(server, &["serve"], dir)
}

/// Fetches what a browser fetches on a first visit to `path` that uses the app (a reader of a
/// page drawn whole never asks for it: Lighthouse's figures are that visit) and adds up the
/// wire bytes.
fn first_visit(
    server: &std::path::Path,
    path: &str,
    api_calls: &[&str],
    budget: Option<usize>,
) -> Result<(), String> {
    step(&format!(
        "first visit to {path} that uses the app (brotli accepted, bytes on the wire incl. headers)"
    ));
    let dir = std::env::temp_dir().join(format!("fk-bench-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (_server, addr) = start(server, &dir)?;
    let accept = [("Accept-Encoding", "br, gzip")];
    let page = ok(http::get(&addr, path, &accept)?, path)?;
    let html = String::from_utf8_lossy(&ok(http::get(&addr, path, &[])?, path)?.body).into_owned();
    let mut rows = vec![(
        format!("{path} (HTML)"),
        page.wire,
        page.header("content-encoding")
            .unwrap_or("identity")
            .to_string(),
    )];
    for asset in referenced_assets(&html) {
        let r = ok(http::get(&addr, &asset, &accept)?, &asset)?;
        rows.push((
            asset,
            r.wire,
            r.header("content-encoding")
                .unwrap_or("identity")
                .to_string(),
        ));
    }
    for call in api_calls {
        // Any status counts: "not signed in" (401) is a real answer a first visit gets.
        let api = http::get(&addr, call, &accept)?;
        rows.push((
            call.to_string(),
            api.wire,
            api.header("content-encoding")
                .unwrap_or("identity")
                .to_string(),
        ));
    }
    let total: usize = rows.iter().map(|r| r.1).sum();
    for (what, bytes, encoding) in &rows {
        println!("{:<48} {:>10}  {}", what, kb(*bytes), encoding);
    }
    match budget {
        Some(budget) => println!(
            "{:<48} {:>10}  (budget {}: {})",
            "total",
            kb(total),
            kb(budget),
            if total <= budget { "within" } else { "OVER" }
        ),
        None => println!("{:<48} {:>10}", "total", kb(total)),
    }
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

fn ok(r: http::Response, what: &str) -> Result<http::Response, String> {
    if r.status == 200 {
        Ok(r)
    } else {
        Err(format!("{what} answered {}", r.status))
    }
}

/// Same-origin `href`/`src` targets in the page: stylesheet, icon, module, wasm preload.
fn referenced_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"/", "src=\"/", "module_or_path: '/", "import('/"] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            let start = i + attr.len() - 1;
            let end_char = if attr.ends_with('\'') || attr.ends_with("'/") {
                '\''
            } else {
                '"'
            };
            let tail = &rest[start..];
            let end = tail.find(end_char).unwrap_or(tail.len());
            let path = &tail[..end];
            if path.len() > 1 && path.contains('.') && !out.iter().any(|p| p == path) {
                out.push(path.to_string());
            }
            rest = &tail[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_assets_a_browser_loads() {
        let html = r#"<link rel="stylesheet" href="/main-1.css"/><a href="/policy">x</a>
            <script type="module">const { default: init } = await import('/app-1.js');
            await init({ module_or_path: '/app-1_bg.wasm' });</script>"#;
        assert_eq!(
            super::referenced_assets(html),
            vec!["/main-1.css", "/app-1_bg.wasm", "/app-1.js"]
        );
    }
}
