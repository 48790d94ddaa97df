//! Generates `Messages` (and a struct per further family, below), one `&'static str` field per
//! string, from `locales/*.toml`.
//!
//! Why a build script and not a runtime map: a missing or misspelt key is a compile error in
//! the SPA and the server alike, a language missing a key fails the build with the key's name,
//! and the wasm carries plain string constants (no parser, no hash map).
//!
//! The files are a flat TOML subset: `key = "value"` per line, `#` comments, blank lines.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LANGS: [&str; 3] = ["ru", "kk", "en"];

/// Each family is a set of files `locales/{prefix}{lang}.toml` compiled into its own struct,
/// so a bundle only carries the strings of the parts it uses (the policy viewer's wasm holds no
/// account strings). A server-only family is compiled out of wasm builds: the SPA cannot refer
/// to its strings, so they cannot reach a bundle.
const FAMILIES: [Family; 3] = [
    Family {
        prefix: "",
        name: "Messages",
        statics: "",
        server_only: false,
    },
    Family {
        prefix: "account.",
        name: "AccountMessages",
        statics: "ACCOUNT_",
        server_only: false,
    },
    Family {
        prefix: "mail.",
        name: "MailMessages",
        statics: "MAIL_",
        server_only: true,
    },
];

struct Family {
    prefix: &'static str,
    name: &'static str,
    statics: &'static str,
    server_only: bool,
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::new();
    for f in &FAMILIES {
        family(&dir, f, &mut out);
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(dest, out).unwrap();
}

fn family(dir: &Path, f: &Family, out: &mut String) {
    let Family {
        prefix,
        name,
        statics,
        ..
    } = f;
    let cfg = if f.server_only {
        "#[cfg(not(target_arch = \"wasm32\"))]\n"
    } else {
        ""
    };
    let mut tables: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for lang in LANGS {
        let path = dir.join(format!("{prefix}{lang}.toml"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        tables.push((lang.to_string(), parse(&text, &path.display().to_string())));
    }
    let reference: Vec<&String> = tables[0].1.keys().collect();
    for (lang, table) in &tables[1..] {
        let missing: Vec<_> = reference
            .iter()
            .filter(|k| !table.contains_key(**k))
            .collect();
        let extra: Vec<_> = table
            .keys()
            .filter(|k| !tables[0].1.contains_key(*k))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            panic!("locales/{prefix}{lang}.toml differs from {prefix}ru.toml: missing {missing:?}, unknown {extra:?}");
        }
    }
    writeln!(out, "/// Every string of `locales/{prefix}*.toml`, one field per key.\n{cfg}#[derive(Debug)]\npub struct {name} {{").unwrap();
    for key in &reference {
        writeln!(out, "    pub {key}: &'static str,").unwrap();
    }
    out.push_str("}\n");
    for (lang, table) in &tables {
        writeln!(
            out,
            "{cfg}pub(crate) static {statics}{}: {name} = {name} {{",
            lang.to_uppercase()
        )
        .unwrap();
        for (key, value) in table {
            writeln!(out, "    {key}: {value:?},").unwrap();
        }
        out.push_str("};\n");
    }
}

fn parse(text: &str, file: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{file}:{}", n + 1);
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}: expected key = \"value\"", at()));
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            panic!("{}: key {key:?} must be lower_snake_case", at());
        }
        let value = unquote(value.trim())
            .unwrap_or_else(|| panic!("{}: value must be one \"quoted\" string", at()));
        if map.insert(key.to_string(), value).is_some() {
            panic!("{}: duplicate key {key}", at());
        }
    }
    map
}

fn unquote(v: &str) -> Option<String> {
    let inner = v.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                _ => return None,
            },
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}
