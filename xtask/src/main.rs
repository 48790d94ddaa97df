//! `cargo xtask run | test | bench`: everything needed to build, serve and test the Privacy
//! Center on a fresh Debian machine with rustup, installed by the project itself.
mod bench;
mod bench_server;
mod build;
mod gates;
mod http;
mod lighthouse;
mod load;
mod mail;
mod postgres;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--addr HOST:PORT]   install what is missing, build the release app, serve it
                           (default http://127.0.0.1:8080, or FK_ADDR)
  build                    install what is missing, build the release app and server
                           (what `run` serves), without serving
  test                     the gates (fmt, clippy, cargo deny), then every test: unit,
                           server, wasm in headless Chromium, end-to-end
  gates                    only the gates: cargo fmt --check, clippy (host and wasm),
                           cargo deny
  bench                    sizes, timings and Lighthouse figures of the release build
                           (reported, not asserted)
  bench load               only the figures under load (oha), without rebuilding the SPA
  bench lighthouse         only Lighthouse (mobile) on five pages, of the release server
                           and dist/ as they are (nothing rebuilt; FK_SERVER_BIN and
                           FK_DIST_DIR point it at other builds)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("build") => tools::ensure_build_tools()
            .and_then(|()| build::spa())
            .and_then(|()| build::server().map(drop)),
        Some("test") => test(),
        Some("gates") => tools::ensure_build_tools().and_then(|()| gates::run()),
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("load") => bench::load_only(),
            Some("lighthouse") => bench::lighthouse_only(),
            _ => bench::bench(),
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// Prints what is about to happen; builds and installs take minutes, so say so.
pub fn step(what: &str) {
    println!("==> {what}");
}

/// Runs a command to completion, failing with its description.
pub fn exec(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(args: &[String]) -> Result<(), String> {
    let mut addr = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--addr" => addr = Some(it.next().ok_or("--addr needs HOST:PORT")?.clone()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    tools::ensure_build_tools()?;
    build::spa()?;
    let server = build::server()?;
    let addr = addr
        .or_else(|| std::env::var("FK_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    // Something to show on the promotions page of a fresh install (idempotent by slug); demo
    // orders need an account: `fk-server orders demo --login LOGIN` after registering.
    step("demonstration promotions (fk-server promotion demo)");
    exec(
        Command::new(&server)
            .current_dir(root())
            .args(["promotion", "demo"]),
        "fk-server promotion demo",
    )?;
    step(&format!(
        "starting the server at http://{addr} (data in ./data; Ctrl-C stops it)"
    ));
    let mut cmd = Command::new(server);
    cmd.current_dir(root())
        .arg("serve")
        .arg("--addr")
        .arg(&addr)
        .env("FK_DIST_DIR", root().join("dist"));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Become the server: Ctrl-C reaches it directly and it shuts down gracefully.
        let err = cmd.exec();
        Err(format!("cannot start the server: {err}"))
    }
    #[cfg(not(unix))]
    exec(&mut cmd, "the server")
}

fn test() -> Result<(), String> {
    tools::ensure_build_tools()?;
    gates::run()?;
    tools::ensure_browser()?;
    let schemathesis = tools::schemathesis()?;
    step("unit and server tests (api, app logic, server against real SQLite files, xtask)");
    exec(
        cargo()
            .args([
                "test",
                "--release",
                "-p",
                "fk-api",
                "-p",
                "fk-app",
                "-p",
                "fk-server",
                "-p",
                "xtask",
            ])
            .env_remove("FK_TEST_POSTGRES"),
        "host tests",
    )?;
    // Stopped and removed when this function returns, whether the tests pass or not.
    let cluster = postgres::Cluster::start()?;
    step("server tests again, against the throw-away PostgreSQL");
    exec(
        cargo()
            .args(["test", "--release", "-p", "fk-server", "--tests"])
            .env("FK_TEST_POSTGRES", &cluster.url),
        "server tests on PostgreSQL",
    )?;
    step("consent loader tests (node --test)");
    exec(
        Command::new("node")
            .args(["--test", "consent/"])
            .current_dir(root()),
        "consent loader tests",
    )?;
    step("component tests: wasm in headless Chromium");
    exec(
        cargo()
            .args(["test", "-p", "fk-app", "--target", "wasm32-unknown-unknown"])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        "wasm component tests",
    )?;
    build::spa()?;
    let server = build::server()?;
    step("end-to-end tests: the release server and app in headless Chromium");
    exec(
        cargo()
            .args([
                "test",
                "--release",
                "-p",
                "fk-e2e",
                "--",
                "--test-threads=1",
            ])
            .env("FK_SERVER_BIN", server)
            .env("FK_DIST_DIR", root().join("dist"))
            .env("FK_AXE_JS", tools::axe_js())
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("CHROMIUM", tools::CHROMIUM)
            // The API fuzzer (`contract.rs`).
            .env("FK_SCHEMATHESIS", &schemathesis)
            // Two instances on one database (`instances.rs`).
            .env("FK_TEST_POSTGRES", &cluster.url),
        "end-to-end tests",
    )?;
    step("all tests passed");
    Ok(())
}
