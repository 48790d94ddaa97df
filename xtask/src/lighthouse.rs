//! Lighthouse (from npm, pinned in `xtask/npm/package.json`) with its default config, the mobile
//! one: a simulated mid-range phone on a slow 4G link, the design's phone profile. Figures are
//! printed next to the goals of issue 13, never asserted: only a Lighthouse that cannot run fails.
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{bench_server, root, step, tools};

/// The pages measured, with the goal for the bytes of a first visit where there is one.
const PAGES: [(&str, Option<f64>); 5] = [
    ("/policy", Some(150_000.0)),
    ("/policy/versions", None),
    ("/cookies", None),
    ("/account/login", Some(150_000.0)),
    ("/account/register", Some(200_000.0)),
];
const PERFORMANCE_GOAL: f64 = 0.98;
const LCP_GOAL_MS: f64 = 1500.0;

/// What one Lighthouse report says about a page. A score is `None` when Lighthouse could not
/// compute it (one of its audits errored).
#[derive(Debug, PartialEq)]
struct Report {
    performance: Option<f64>,
    best_practices: Option<f64>,
    accessibility: Option<f64>,
    lcp_ms: Option<f64>,
    cls: Option<f64>,
    bytes: Option<f64>,
    /// The rest of the performance score (first contentful paint, total blocking time, speed
    /// index, in ms), shown when the score misses its goal, to say where it was lost.
    others_ms: [Option<f64>; 3],
    /// Scored best-practices and accessibility audits that did not pass: why a score is below 1.
    failing: Vec<String>,
    /// What the page logged as errors (the `errors-in-console` audit).
    console: Vec<String>,
    /// Lighthouse's own warnings about the run, e.g. a machine too busy for the simulation.
    warnings: Vec<String>,
    /// Chromium's CPU benchmark at the start of the run: lower means a busier machine.
    benchmark_index: Option<f64>,
}

fn parse(json: &str) -> Result<Report, String> {
    let r: Value =
        serde_json::from_str(json).map_err(|e| format!("Lighthouse report is not JSON: {e}"))?;
    let score = |category: &str| r["categories"][category]["score"].as_f64();
    let audits = &r["audits"];
    let numeric = |audit: &str| audits[audit]["numericValue"].as_f64();
    let mut failing = Vec::new();
    for category in ["best-practices", "accessibility"] {
        for entry in r["categories"][category]["auditRefs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            // Weight 0: informative only (such as "missing source maps"), no effect on the score.
            if entry["weight"].as_f64().unwrap_or(0.0) == 0.0 {
                continue;
            }
            let audit = &audits[entry["id"].as_str().unwrap_or_default()];
            let title = audit["title"].as_str().unwrap_or("?");
            match audit["scoreDisplayMode"].as_str() {
                Some("error") => failing.push(format!(
                    "{category}: {title} (the audit failed: {})",
                    audit["errorMessage"].as_str().unwrap_or("?")
                )),
                _ if audit["score"].as_f64().is_some_and(|s| s < 1.0) => {
                    failing.push(format!("{category}: {title}"))
                }
                _ => {}
            }
        }
    }
    let console = audits["errors-in-console"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let url = item["sourceLocation"]["url"]
                .as_str()
                .or(item["url"].as_str())
                .unwrap_or_default();
            format!(
                "{}: {} {url}",
                item["source"].as_str().unwrap_or("?"),
                item["description"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let warnings = r["runWarnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str().map(String::from))
        .collect();
    Ok(Report {
        performance: score("performance"),
        best_practices: score("best-practices"),
        accessibility: score("accessibility"),
        lcp_ms: numeric("largest-contentful-paint"),
        cls: numeric("cumulative-layout-shift"),
        bytes: numeric("total-byte-weight"),
        others_ms: [
            numeric("first-contentful-paint"),
            numeric("total-blocking-time"),
            numeric("speed-index"),
        ],
        failing,
        console,
        warnings,
        benchmark_index: r["environment"]["benchmarkIndex"].as_f64(),
    })
}

/// "value ok" or "value MISS"; "n/a" when Lighthouse has no value.
fn cell(value: Option<f64>, shown: impl Fn(f64) -> String, ok: impl Fn(f64) -> bool) -> String {
    match value {
        Some(v) => format!("{} {}", shown(v), if ok(v) { "ok" } else { "MISS" }),
        None => "n/a".into(),
    }
}

fn line(cells: [&str; 7]) -> String {
    let [page, perf, lcp, cls, best, a11y, kb] = cells;
    format!("{page:<20} {perf:<11} {lcp:<12} {cls:<12} {best:<11} {a11y:<11} {kb}")
}

fn row(page: &str, r: &Report, byte_goal: Option<f64>) -> String {
    let score = |v: Option<f64>| cell(v, |v| format!("{v:.2}"), |v| v >= 1.0);
    let kb = |v: f64| format!("{:.1}", v / 1000.0);
    let bytes = match (r.bytes, byte_goal) {
        (Some(b), Some(goal)) => format!(
            "{} / {} {}",
            kb(b),
            kb(goal),
            if b <= goal { "ok" } else { "MISS" }
        ),
        (Some(b), None) => format!("{} (no goal)", kb(b)),
        (None, _) => "n/a".into(),
    };
    line([
        page,
        &cell(
            r.performance,
            |v| format!("{v:.2}"),
            |v| v >= PERFORMANCE_GOAL,
        ),
        &cell(
            r.lcp_ms,
            |v| format!("{:.2} s", v / 1000.0),
            |v| v <= LCP_GOAL_MS,
        ),
        // The goal is no shift at all; a tiny one is shown rather than rounded away.
        &cell(
            r.cls,
            |v| {
                if v == 0.0 {
                    "0".into()
                } else {
                    format!("{v:.4}")
                }
            },
            |v| v == 0.0,
        ),
        &score(r.best_practices),
        &score(r.accessibility),
        &bytes,
    ])
}

/// Runs Lighthouse on each page of `server` serving the SPA in `dist`. The full reports stay in
/// `target/lighthouse/` (open them in
/// <https://googlechrome.github.io/lighthouse/viewer/>).
pub fn lighthouse(server: &Path, dist: &Path) -> Result<(), String> {
    tools::ensure_browser()?;
    let (cli, version) = tools::lighthouse()?;
    step(&format!(
        "Lighthouse {version} (mobile defaults) in {}, five pages (reported, not asserted; \
         about a minute and a half)",
        tools::CHROMIUM
    ));
    let dir = std::env::temp_dir().join(format!("fk-bench-lighthouse-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let reports = root().join("target/lighthouse");
    fs::create_dir_all(&reports).map_err(|e| e.to_string())?;
    let dist = dist.to_str().ok_or("the dist path is not UTF-8")?;
    let (_server, addr) =
        bench_server::start_env(server, &["serve"], &dir, &[("FK_DIST_DIR", dist)])?;
    println!(
        "{}",
        line([
            "page",
            "perf",
            "LCP",
            "CLS",
            "best pr.",
            "a11y",
            "KB (first visit)"
        ])
    );
    println!(
        "{}",
        line([
            "goal",
            ">= 0.98",
            "<= 1.50 s",
            "0",
            "1",
            "1",
            "<= the page's goal"
        ])
    );
    let mut notes = Vec::new();
    for (page, byte_goal) in PAGES {
        let out = reports.join(format!(
            "{}.json",
            page.trim_start_matches('/').replace('/', "-")
        ));
        let _ = fs::remove_file(&out);
        crate::exec(
            Command::new("node")
                .arg(&cli)
                .arg(format!("http://{addr}{page}"))
                .args([
                    "--output=json",
                    "--quiet",
                    "--only-categories=performance,accessibility,best-practices",
                    // No shell between: the flags reach Chromium as one argument, unquoted.
                    // As root, Chromium needs --no-sandbox; the machine has no GPU.
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                ])
                .arg(format!("--output-path={}", out.display()))
                .env("CHROME_PATH", tools::CHROMIUM),
            &format!("Lighthouse on {page}"),
        )?;
        let json = fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let report = parse(&json)?;
        println!("{}", row(page, &report, byte_goal));
        notes.push((page, report));
    }
    for (page, r) in &notes {
        if r.performance.is_some_and(|p| p < PERFORMANCE_GOAL) {
            let ms = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.0} ms"));
            let [fcp, tbt, si] = r.others_ms;
            println!(
                "  {page}: performance: FCP {}, TBT {}, speed index {}",
                ms(fcp),
                ms(tbt),
                ms(si)
            );
        }
        let lines = r.failing.iter().chain(&r.console).chain(&r.warnings);
        for line in lines {
            println!("  {page}: {line}");
        }
    }
    let indexes: Vec<String> = notes
        .iter()
        .map(|(page, r)| match r.benchmark_index {
            Some(i) => format!("{page} {i:.0}"),
            None => format!("{page} n/a"),
        })
        .collect();
    // Lighthouse simulates the phone from what it observed, so a busy machine shows in the
    // figures; its CPU benchmark tells how busy this one was.
    println!(
        "Chromium's CPU benchmark index (higher: a less busy machine): {}",
        indexes.join(", ")
    );
    println!("full reports: {}", reports.display());
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_figures_and_the_reasons() {
        let json = r#"{
          "runWarnings": ["slow CPU"],
          "environment": {"benchmarkIndex": 1626},
          "categories": {
            "performance": {"score": 0.91, "auditRefs": []},
            "accessibility": {"score": 1, "auditRefs": [{"id": "color-contrast", "weight": 7}]},
            "best-practices": {"score": 0.96, "auditRefs": [
              {"id": "errors-in-console", "weight": 1},
              {"id": "valid-source-maps", "weight": 0}
            ]}
          },
          "audits": {
            "largest-contentful-paint": {"numericValue": 2608.1},
            "cumulative-layout-shift": {"numericValue": 0},
            "total-byte-weight": {"numericValue": 238753},
            "total-blocking-time": {"numericValue": 289},
            "color-contrast": {"title": "Contrast", "score": 1, "scoreDisplayMode": "binary"},
            "valid-source-maps": {"title": "Source maps", "score": 0, "scoreDisplayMode": "binary"},
            "errors-in-console": {"title": "No browser errors logged to the console",
              "score": 0, "scoreDisplayMode": "binary",
              "details": {"items": [{"source": "network",
                "description": "Failed to load resource: 401",
                "sourceLocation": {"url": "http://x/api/account/session"}}]}}
          }
        }"#;
        let r = parse(json).unwrap();
        assert_eq!(r.performance, Some(0.91));
        assert_eq!(r.best_practices, Some(0.96));
        assert_eq!(r.lcp_ms, Some(2608.1));
        assert_eq!(r.cls, Some(0.0));
        assert_eq!(r.bytes, Some(238753.0));
        assert_eq!(r.others_ms, [None, Some(289.0), None]);
        assert_eq!(
            r.failing,
            vec!["best-practices: No browser errors logged to the console"]
        );
        assert_eq!(
            r.console,
            vec!["network: Failed to load resource: 401 http://x/api/account/session"]
        );
        assert_eq!(r.warnings, vec!["slow CPU"]);
        let line = row("/policy", &r, Some(150_000.0));
        assert!(line.contains("0.91 MISS"), "{line}");
        assert!(line.contains("2.61 s MISS"), "{line}");
        assert!(line.contains("0 ok"), "{line}");
        assert!(line.contains("238.8 / 150.0 MISS"), "{line}");
    }
}
