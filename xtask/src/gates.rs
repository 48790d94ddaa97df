//! The checks `cargo xtask test` runs before any test: formatting, clippy on both targets, and
//! `cargo deny` (advisories, licences, duplicate crates, sources; `deny.toml`).
use crate::{cargo, exec, step, tools};

/// The crates built for the browser, linted for the target they ship on.
const WASM_PACKAGES: [&str; 2] = ["fk-app", "fk-consent"];

pub fn run() -> Result<(), String> {
    step("formatting (cargo fmt --check)");
    exec(
        cargo().args(["fmt", "--all", "--check"]),
        "cargo fmt --check",
    )?;

    step("clippy, every package and target (-D warnings)");
    exec(
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        "cargo clippy",
    )?;
    step("clippy for wasm32-unknown-unknown: the app and the banner (-D warnings)");
    let mut wasm = cargo();
    wasm.args([
        "clippy",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
    ]);
    for package in WASM_PACKAGES {
        wasm.args(["-p", package]);
    }
    exec(wasm.args(["--", "-D", "warnings"]), "cargo clippy (wasm)")?;

    deny()
}

/// `cargo deny check`. The advisory database is a git repository that cargo-deny clones from
/// GitHub; no package registry carries it. When it cannot be fetched the other three checks
/// still run, and the run says plainly that advisories were not checked.
fn deny() -> Result<(), String> {
    tools::cargo_deny()?;
    step("cargo deny: fetching the RustSec advisory database");
    let fetched = exec(
        cargo().args(["deny", "--workspace", "fetch", "db"]),
        "cargo deny fetch db",
    );
    match fetched {
        Ok(()) => {
            step("cargo deny: advisories, bans (duplicates), licences, sources");
            exec(
                cargo().args(["deny", "--workspace", "check", "--disable-fetch"]),
                "cargo deny check",
            )
        }
        Err(e) => {
            println!(
                "\n!!! ADVISORIES NOT CHECKED: the RustSec advisory database could not be fetched \
                 ({e}).\n!!! Known vulnerabilities in Cargo.lock were not looked for in this run; \
                 run `cargo deny --workspace check advisories`\n!!! where GitHub is reachable.\n"
            );
            step("cargo deny: bans (duplicates), licences, sources");
            exec(
                cargo().args([
                    "deny",
                    "--workspace",
                    "check",
                    "bans",
                    "licenses",
                    "sources",
                ]),
                "cargo deny check",
            )
        }
    }
}
