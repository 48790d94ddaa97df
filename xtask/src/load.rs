//! `cargo xtask bench`, under load: requests per second and p50/p99 latency from oha, on
//! loopback against the release server on SQLite, next to a no-op axum server (the same axum
//! and runtime, nothing else) as the baseline. Reported, never asserted.
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{http, step, tools};

const SECONDS: &str = "5s";

struct Figures {
    rps: f64,
    p50: f64,
    p99: f64,
    statuses: String,
}

/// One oha run; `args` are its request options (`-c`, `-m`, `-H`, `-d`, the URL).
fn oha(args: &[&str]) -> Result<Figures, String> {
    let out = Command::new(tools::oha()?)
        .args(["--no-tui", "--output-format", "json", "-z", SECONDS])
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run oha: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "oha failed: {}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    let report: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("oha's report: {e}"))?;
    let ms = |key: &str| {
        report["latencyPercentiles"][key]
            .as_f64()
            .unwrap_or(f64::NAN)
            * 1000.0
    };
    let statuses = report["statusCodeDistribution"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}×{v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    Ok(Figures {
        rps: report["summary"]["requestsPerSec"]
            .as_f64()
            .unwrap_or(f64::NAN),
        p50: ms("p50"),
        p99: ms("p99"),
        statuses,
    })
}

fn row(what: &str, f: &Figures) {
    println!(
        "{what:<48} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  {}",
        f.rps, f.p50, f.p99, f.statuses
    );
}

pub fn load(server: &Path, dir: &Path) -> Result<(), String> {
    tools::oha()?;
    step(&format!(
        "under load (oha, {SECONDS} each, loopback, release build, SQLite)"
    ));
    let (_noop, noop) = crate::bench_server::start_with(server, &["noop-baseline"], dir)?;
    let baseline = oha(&["-c", "64", &format!("http://{noop}/")])?;
    row("no-op axum handler (baseline), 64 connections", &baseline);

    // Every request of oha comes from one address, which the per-address limit on consent
    // receipts (FK_CONSENT_LIMIT) would answer with 429 after its hourly number: off here.
    let (_server, addr) =
        crate::bench_server::start_env(server, &["serve"], dir, &[("FK_CONSENT_LIMIT", "off")])?;
    let policy = format!("http://{addr}/api/policy/ru");
    let current = oha(&["-c", "64", &policy])?;
    row("GET /api/policy/ru (200), 64 connections", &current);
    let first = http::get(&addr, "/api/policy/ru", &[])?;
    let etag = first
        .header("etag")
        .ok_or("the policy has no ETag")?
        .to_string();
    let not_modified = oha(&["-c", "64", "-H", &format!("If-None-Match: {etag}"), &policy])?;
    row("GET /api/policy/ru (304), 64 connections", &not_modified);
    println!(
        "{:<48} {:.0}% and {:.0}% of the baseline (goal: at least 50%)",
        "policy throughput",
        100.0 * current.rps / baseline.rps,
        100.0 * not_modified.rps / baseline.rps
    );

    let config = http::get(&addr, "/api/consent/config", &[])?;
    let config: Value = serde_json::from_slice(&config.body).map_err(|e| e.to_string())?;
    let receipt = format!(
        r#"{{"consent_id":"0f8fad5b-d9cb-469f-a165-70867728950e","categories":["necessary"],"config_revision":"{}","policy_version":{},"gpc":false}}"#,
        config["revision"].as_str().unwrap_or_default(),
        config["policy_version"]
    );
    let origin = format!("Origin: http://{addr}");
    let post = |c: &str, path: &str, body: &str| -> Result<Figures, String> {
        oha(&[
            "-c",
            c,
            "-m",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            &origin,
            "-d",
            body,
            &format!("http://{addr}{path}"),
        ])
    };
    let consent = post("64", "/api/consent", &receipt)?;
    row("POST /api/consent (durable), 64 connections", &consent);
    println!("{:<48} goal: at least 5000 req/s with p99 under 25 ms", "");

    crate::bench_server::signed_up(&addr, dir, "load", "load@example.kz")?;
    let sign_in = post(
        "4",
        "/api/account/sign-in",
        &format!(
            r#"{{"login":"load","password":"{}"}}"#,
            crate::bench_server::PASSWORD
        ),
    )?;
    row("POST /api/account/sign-in (Argon2id), 4 conn.", &sign_in);

    // 50 connections of wrong passwords (throttled after a few, as they would be) while the
    // policy is read: its p99 is what a reader sees during an attack.
    let flood_target = format!("http://{addr}/api/account/sign-in");
    let oha_bin = tools::oha()?;
    let flood = Command::new(oha_bin)
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "-z",
            "7s",
            "-c",
            "50",
            "-m",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .args([
            "-H",
            &origin,
            "-d",
            r#"{"login":"load","password":"not the password at all"}"#,
            &flood_target,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run oha: {e}"))?;
    let during = oha(&["-c", "8", &policy])?;
    let flood_out = flood.wait_with_output().map_err(|e| e.to_string())?;
    row("GET /api/policy/ru during a sign-in flood, 8 c.", &during);
    if let Ok(report) = serde_json::from_slice::<Value>(&flood_out.stdout) {
        let statuses = report["statusCodeDistribution"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}×{v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        println!(
            "{:<48} {:>9.0} req/s  {statuses}",
            "  the flood: 50 connections of wrong passwords",
            report["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0)
        );
    }
    println!("{:<48} goal: policy p99 under 50 ms during the flood", "");
    Ok(())
}
