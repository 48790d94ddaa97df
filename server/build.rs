//! The consent loader served as `/consent.js`: `consent/build.mjs` joins its parts
//! (`consent/loader/*.js`) and minifies them with esbuild from `xtask/npm`; the result, in
//! `OUT_DIR`, is what `src/consent/loader.rs` embeds.
use std::path::Path;
use std::process::Command;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest)
        .parent()
        .expect("server/ is inside the workspace");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("consent.js");
    let script = root.join("consent/build.mjs");
    for input in [
        script.clone(),
        root.join("consent/loader"),
        // Installing esbuild (or another version of it) changes what is served.
        root.join("xtask/npm/node_modules/esbuild/package.json"),
    ] {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let run = Command::new("node").arg(&script).arg(&out).output();
    let run = match run {
        Ok(run) => run,
        Err(e) => panic!(
            "the consent loader is built with node ({e}): install nodejs (`cargo xtask run` does)"
        ),
    };
    if !run.status.success() {
        panic!(
            "node consent/build.mjs failed ({}):\n{}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        );
    }
    // A build without esbuild serves the loader as written: say so on every such build.
    for line in String::from_utf8_lossy(&run.stdout).lines() {
        println!("cargo:warning=consent loader: {line}");
    }
}
