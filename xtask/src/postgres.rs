//! A private, throw-away PostgreSQL cluster for the tests: Debian's `postgresql` package
//! (installed when missing), a new data folder under the system's temporary folder, loopback
//! only, trust authentication, a free port; stopped and removed when dropped.
use std::path::PathBuf;
use std::process::Command;

use crate::{exec, step};

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// `postgres://fk@127.0.0.1:PORT`: a server URL; tests add the database name.
    pub url: String,
    as_root: bool,
}

/// The newest installed server's programs (`/usr/lib/postgresql/N/bin`).
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        let bin = match server_bin() {
            Some(bin) => bin,
            None => {
                crate::tools::apt_install(&["postgresql"])?;
                server_bin().ok_or(
                    "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found",
                )?
            }
        };
        // PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` user the
        // package created.
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = std::env::temp_dir().join(format!("fk-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if as_root {
            exec(
                Command::new("chown").arg("postgres").arg(&dir),
                "chown the PostgreSQL folder",
            )?;
        }
        let port = free_port()?;
        let cluster = Cluster {
            bin,
            dir,
            url: format!("postgres://fk@127.0.0.1:{port}"),
            as_root,
        };
        step(&format!(
            "starting a throw-away PostgreSQL on 127.0.0.1:{port}"
        ));
        let data = cluster.dir.join("data");
        exec(
            cluster.pg("initdb").arg("-D").arg(&data).args([
                "-U",
                "fk",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]),
            "initdb",
        )?;
        // fsync off: the cluster lives for one test run; the durability of acknowledged writes is
        // tested against SQLite's files and by the server's own transactions.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            cluster.dir.display()
        );
        exec(
            cluster
                .pg("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(cluster.dir.join("log"))
                .args(["-w", "start"]),
            "pg_ctl start",
        )?;
        Ok(cluster)
    }

    fn pg(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        cmd.stdout(std::process::Stdio::null());
        cmd
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
