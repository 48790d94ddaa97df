//! Installs what the build and the tests need, each only when it is missing or the wrong
//! version: the wasm target, Trunk, wasm-bindgen-cli matching Cargo.lock, binaryen, esbuild,
//! axe-core and Lighthouse from npm, Chromium and its driver from Debian, cargo-deny and oha from
//! crates.io.
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{exec, root, step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn ensure_build_tools() -> Result<(), String> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    npm_tools()
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target (rustup)");
    exec(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        "rustup target add",
    )
}

fn trunk() -> Result<(), String> {
    if output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION)) {
        return Ok(());
    }
    step(&format!(
        "installing Trunk {TRUNK_VERSION} (cargo install; compiles for a few minutes)"
    ));
    exec(
        Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
        "cargo install trunk",
    )
}

/// The wasm-bindgen version Cargo.lock pins: the CLI must be exactly that one.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen() -> Result<(), String> {
    let version = wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version.as_str()) && runner.contains(&version) {
        return Ok(());
    }
    step(&format!(
        "installing wasm-bindgen-cli {version}, matching Cargo.lock (cargo install; a few minutes)"
    ));
    // Not --locked: one crate its lockfile pins is no longer in the registry.
    exec(
        Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ]),
        "cargo install wasm-bindgen-cli",
    )
}

fn npm_dir() -> PathBuf {
    root().join("xtask/npm")
}

/// binaryen's `wasm-opt` for Trunk (Debian's is too old and breaks the module).
pub fn npm_bin() -> PathBuf {
    npm_dir().join("node_modules/.bin")
}

pub fn axe_js() -> PathBuf {
    npm_dir().join("node_modules/axe-core/axe.min.js")
}

/// A DOM for the consent loader's node tests (`consent/*.test.mjs`).
fn jsdom() -> PathBuf {
    npm_dir().join("node_modules/jsdom/package.json")
}

/// The consent loader's bundler and minifier (`consent/build.mjs`, run by the server's build).
fn esbuild() -> PathBuf {
    npm_dir().join("node_modules/esbuild/package.json")
}

/// Lighthouse's command line (`node` runs it), for `cargo xtask bench`.
fn lighthouse_js() -> PathBuf {
    npm_dir().join("node_modules/lighthouse/cli/index.js")
}

/// Installs the npm tools if need be; the path of Lighthouse's command line and its version.
pub fn lighthouse() -> Result<(PathBuf, String), String> {
    npm_tools()?;
    let manifest = npm_dir().join("node_modules/lighthouse/package.json");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["version"].as_str().map(String::from))
        .ok_or_else(|| format!("{} has no version", manifest.display()))?;
    Ok((lighthouse_js(), version))
}

fn npm_tools() -> Result<(), String> {
    let wasm_opt_ok = output(
        &npm_bin().join("wasm-opt").to_string_lossy(),
        &["--version"],
    )
    .is_some_and(|v| v.contains("132"));
    if wasm_opt_ok
        && axe_js().exists()
        && jsdom().exists()
        && esbuild().exists()
        && lighthouse_js().exists()
    {
        return Ok(());
    }
    if output("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    step("installing binaryen (wasm-opt), esbuild, axe-core, jsdom and Lighthouse from npm");
    exec(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(npm_dir()),
        "npm ci in xtask/npm",
    )
}

pub fn ensure_browser() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    step(&format!("installing {} (apt-get)", packages.join(", ")));
    let root_user = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root_user {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    exec(&mut apt(&["update", "-q"]), "apt-get update")?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    install.args(packages);
    exec(&mut install, "apt-get install")
}

/// The load generator of `cargo xtask bench`, from crates.io.
pub const OHA_VERSION: &str = "1.16.0";

pub fn oha() -> Result<PathBuf, String> {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let bin = home.join("bin/oha");
    let installed = output(bin.to_str().unwrap_or("oha"), &["--version"])
        .is_some_and(|v| v.contains(OHA_VERSION));
    if !installed {
        step(&format!(
            "installing oha {OHA_VERSION} (cargo install; a few minutes the first time)"
        ));
        exec(
            crate::cargo().args(["install", "oha", "--locked", "--version", OHA_VERSION]),
            "cargo install oha",
        )?;
    }
    Ok(bin)
}

/// The API fuzzer of the contract test (`tests/e2e/tests/contract.rs`), from PyPI, with every
/// package pinned in `xtask/python/requirements.txt` to a version and its files' hashes, in a
/// virtual environment under `target/`.
pub fn schemathesis() -> Result<PathBuf, String> {
    let requirements = crate::root().join("xtask/python/requirements.txt");
    let pinned = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = crate::root().join("target/tools/python");
    let st = venv.join("bin/st");
    // The list is copied into the environment once installed: a changed list installs again.
    let installed = venv.join("requirements.txt");
    if st.exists() && std::fs::read_to_string(&installed).is_ok_and(|done| done == pinned) {
        return Ok(st);
    }
    if output("python3", &["-c", "import venv, ensurepip"]).is_none() {
        apt_install(&["python3", "python3-venv"])?;
    }
    step("installing schemathesis (pip, into target/tools/python)");
    let _ = std::fs::remove_dir_all(&venv);
    exec(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    exec(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "-q",
                "--disable-pip-version-check",
                // Every file checked against its hash in the list; nothing unlisted comes along.
                "--require-hashes",
                "--no-deps",
                "-r",
            ])
            .arg(&requirements),
        "pip install schemathesis",
    )?;
    std::fs::write(&installed, pinned).map_err(|e| format!("{}: {e}", installed.display()))?;
    Ok(st)
}

/// The dependency checker of the gates (`deny.toml`), from crates.io.
pub const CARGO_DENY_VERSION: &str = "0.20.2";

pub fn cargo_deny() -> Result<(), String> {
    if output("cargo-deny", &["--version"]).is_some_and(|v| v.contains(CARGO_DENY_VERSION)) {
        return Ok(());
    }
    step(&format!(
        "installing cargo-deny {CARGO_DENY_VERSION} (cargo install; several minutes the first time)"
    ));
    exec(
        crate::cargo().args([
            "install",
            "cargo-deny",
            "--locked",
            "--version",
            CARGO_DENY_VERSION,
        ]),
        "cargo install cargo-deny",
    )
}
