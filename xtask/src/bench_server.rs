//! The release server as the benches run it (a free port, its database and outbox in a
//! folder of the bench's own), and an account on it confirmed as a person would confirm it.
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{http, root};

/// The password of the benches' accounts.
pub const PASSWORD: &str = "a long bench password 2026";

/// Registers and confirms an account as a person would: the link from the letter (in the
/// server's outbox under `dir`) opened in the browser that registered. An unconfirmed account
/// cannot sign in.
pub fn signed_up(addr: &str, dir: &Path, login: &str, email: &str) -> Result<(), String> {
    let body = format!(
        r#"{{"first_name":"Bench","email":"{email}","birth_year":1990,"login":"{login}","password":"{PASSWORD}","accept_policy":true,"policy_version":1}}"#
    );
    let r = http::post_json(addr, "/api/account/register", &body)?;
    if r.status != 202 {
        return Err(format!(
            "registration for the bench failed: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ));
    }
    let browser = format!(
        "fk_registration={}",
        r.cookie("fk_registration")
            .ok_or("registration set no fk_registration cookie")?
    );
    let started = Instant::now();
    let token = loop {
        let letters = fs::read_dir(dir.join("outbox"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path());
        let found = letters
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .filter_map(|p| fs::read(p).ok())
            .filter(|eml| String::from_utf8_lossy(eml).contains(email))
            .find_map(|eml| crate::mail::link_token(&eml));
        match found {
            Some(token) => break token,
            None if started.elapsed().as_secs() < 10 => {
                std::thread::sleep(Duration::from_millis(50))
            }
            None => {
                return Err(format!(
                    "no verification letter to {email} in {}",
                    dir.join("outbox").display()
                ))
            }
        }
    };
    let r = http::post_json_with(
        addr,
        "/api/account/verify",
        &format!(r#"{{"token":"{token}"}}"#),
        &[("Cookie", &browser)],
    )?;
    if r.status != 200 {
        return Err(format!(
            "verification for the bench failed: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ));
    }
    Ok(())
}

pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `server` with `args` on a free port and a database (and outbox) in `dir`; its address.
pub fn start_with(server: &Path, args: &[&str], dir: &Path) -> Result<(Running, String), String> {
    start_env(server, args, dir, &[])
}

/// [`start_with`], with more settings.
pub fn start_env(
    server: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
) -> Result<(Running, String), String> {
    let mut child = Command::new(server)
        .args(args)
        .env("FK_ADDR", "127.0.0.1:0")
        .env(
            "FK_DATABASE_URL",
            format!("sqlite://{}/bench.db", dir.display()),
        )
        .env("FK_OUTBOX_DIR", dir.join("outbox"))
        .env("FK_DIST_DIR", root().join("dist"))
        .env("FK_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(child);
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(url) = line.strip_prefix("listening on http://") {
            return Ok((running, url.trim().to_string()));
        }
    }
    Err("the server exited before listening".into())
}
