//! The end-to-end harness: the real release server on a temporary SQLite file, chromedriver,
//! and headless Chromium, plus waits that poll a condition instead of sleeping.
use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

pub const WAIT: Duration = Duration::from_secs(15);

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run these tests with `cargo xtask test`")
        }),
    )
}

/// The server under test, with its own database and outbox in a temporary folder.
pub struct Server {
    child: Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
    /// What the server wrote to stderr (its log, at `warn`), line by line.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(&[]).await
    }

    /// Starts with extra settings, e.g. `FK_ALLOWED_ORIGINS` or `FK_CONSENT_CONFIG`.
    pub async fn start_with(extra: &[(&str, &str)]) -> Server {
        Server::start_in(tempfile::tempdir().expect("temp dir"), extra).await
    }

    /// Kills the process at once (SIGKILL: no shutdown, nothing flushed) and hands back its
    /// folder, database and outbox included, for [`Server::restart`].
    pub async fn crash(mut self) -> tempfile::TempDir {
        self.child.kill().await.expect("SIGKILL the server");
        self.dir
    }

    /// Starts again on the folder of a crashed server.
    pub async fn restart(dir: tempfile::TempDir) -> Server {
        Server::start_in(dir, &[]).await
    }

    async fn start_in(dir: tempfile::TempDir, extra: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env_path("FK_SERVER_BIN"))
            .arg("serve")
            .envs(Self::env_for(dir.path()))
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .env("FK_ADDR", "127.0.0.1:0")
            .env("FK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server");
        // The log is kept for the test to read, and passed on to the test's own output.
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = errors.next_line().await {
                eprintln!("server: {line}");
                kept.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.expect("read server output") {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    return addr.trim().to_string();
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server did not start in time");
        Server {
            child,
            addr,
            dir,
            log,
        }
    }

    fn env_for(dir: &std::path::Path) -> Vec<(String, String)> {
        vec![
            (
                "FK_DATABASE_URL".into(),
                format!("sqlite://{}/fk.db", dir.display()),
            ),
            (
                "FK_OUTBOX_DIR".into(),
                dir.join("outbox").display().to_string(),
            ),
            (
                "FK_DIST_DIR".into(),
                env_path("FK_DIST_DIR").display().to_string(),
            ),
        ]
    }

    /// The server's log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The content-security-policy violations browsers reported to the server so far.
    pub fn csp_violations(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| l.contains("content security policy violation"))
            .collect()
    }

    /// Asserts that no page shown in `b` so far broke the content security policy. Reports
    /// reach the server after the fact, so first a deliberate violation (an inline script,
    /// injected into the page `b` shows, of this server or of a page reporting to it) is made
    /// and awaited: once its report is in, earlier ones would be too, and it must be the only
    /// one.
    pub async fn assert_no_csp_violations(&self, b: &Browser) {
        assert_eq!(self.csp_violations(), Vec::<String>::new());
        let blocked = b
            .js("const s = document.createElement('script'); s.textContent = 'window.fkInjected = 1'; document.head.appendChild(s); return window.fkInjected === undefined")
            .await;
        assert_eq!(
            blocked,
            Value::Bool(true),
            "the CSP blocks an inline script"
        );
        let reported = wait_for(|| async {
            (!self.csp_violations().is_empty()).then(|| self.csp_violations())
        })
        .await;
        let reported = reported.expect("the blocked inline script is reported");
        assert_eq!(
            reported.len(),
            1,
            "only the deliberate violation: {reported:#?}"
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same address by name, `http://localhost:PORT{path}`: where passkeys work on a
    /// server whose public URL is its loopback address (WebAuthn takes no IP address as a
    /// site's name, so the server names it `localhost`).
    pub fn localhost_url(&self, path: &str) -> String {
        let port = self.addr.rsplit(':').next().expect("host:port");
        format!("http://localhost:{port}{path}")
    }

    /// Runs an operator command of the same binary against the same database.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(env_path("FK_SERVER_BIN"))
            .args(args)
            .envs(Self::env_for(self.dir.path()))
            // Links in the letters it sends point to the running server.
            .env("FK_PUBLIC_URL", self.url(""))
            .output()
            .await
            .expect("run the server CLI")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Every e-mail in the server's outbox, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let Ok(dir) = std::fs::read_dir(self.dir.path().join("outbox")) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        // Named `<unix time>-<queue id>.eml`: the queue id orders them.
        paths.sort_by_key(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.split('-').nth(1))
                .map(str::to_string)
        });
        paths
            .iter()
            .filter_map(|p| Mail::parse(&std::fs::read(p).ok()?))
            .collect()
    }

    /// Waits for the newest e-mail to `to` whose text contains `needle`.
    pub async fn mail(&self, to: &str, needle: &str) -> Mail {
        wait_for(|| async {
            self.mails()
                .into_iter()
                .rev()
                .find(|m| m.to == to && m.text.contains(needle))
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "no e-mail to {to} containing {needle:?}; outbox: {:?}",
                self.mails().iter().map(|m| &m.subject).collect::<Vec<_>>()
            )
        })
    }
}

/// One message from the outbox, decoded (quoted-printable, base64, multipart) by a real parser.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    fn parse(raw: &[u8]) -> Option<Mail> {
        let m = mail_parser::MessageParser::default().parse(raw)?;
        Some(Mail {
            to: m.to()?.first()?.address()?.to_string(),
            subject: m.subject().unwrap_or_default().to_string(),
            text: m.body_text(0).unwrap_or_default().to_string(),
            html: m.body_html(0).unwrap_or_default().to_string(),
        })
    }

    /// The token of the `#token=` link in the text (verification, reset, e-mail change).
    pub fn token(&self) -> String {
        let after = self
            .text
            .split("#token=")
            .nth(1)
            .unwrap_or_else(|| panic!("no #token= link in {}", self.text));
        after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// The first link in the text that starts with `prefix` (e.g. the server's URL).
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in {}", self.text));
        self.text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }
}

/// The cookie banner's shadow root, in page scripts: the loader paints the banner there, on
/// the Privacy Center as on any page that embeds it.
pub const BANNER: &str = "document.getElementById('fk-consent')?.shadowRoot";

/// Another website on its own origin (another port): serves `pages` by path, with headers,
/// so tests and benchmarks can embed the banner the way a ForteKassa shop page would.
pub struct HostSite {
    pub origin: String,
    /// Every path asked for, in order (a test checks what a page did or did not load).
    requested: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// One response of a [`HostSite`]: content type, extra headers, body.
#[derive(Clone)]
pub struct Page {
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Page {
    pub fn html(body: impl Into<String>) -> Page {
        Page {
            content_type: "text/html; charset=utf-8",
            headers: vec![],
            body: body.into().into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Page {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

impl HostSite {
    /// Binds first, so the origin is known before the pages (which may name the server) exist.
    pub async fn bind() -> (tokio::net::TcpListener, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        (listener, origin)
    }

    pub fn serve(
        listener: tokio::net::TcpListener,
        origin: String,
        pages: Vec<(&'static str, Page)>,
    ) -> HostSite {
        let pages = std::sync::Arc::new(pages);
        let requested = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = requested.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let pages = pages.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut read = 0;
                    loop {
                        let Ok(n) = stream.read(&mut buf[read..]).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        read += n;
                        if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") || read == buf.len() {
                            break;
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..read]).to_string();
                    let path = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or("/")
                        .split('?')
                        .next()
                        .unwrap_or("/")
                        .to_string();
                    log.lock().unwrap().push(path.clone());
                    let response = match pages.iter().find(|(p, _)| *p == path) {
                        Some((_, page)) => {
                            let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n", page.content_type, page.body.len());
                            for (k, v) in &page.headers { r.push_str(&format!("{k}: {v}\r\n")); }
                            r.push_str("\r\n");
                            let mut bytes = r.into_bytes();
                            bytes.extend_from_slice(&page.body);
                            bytes
                        }
                        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    };
                    let _ = stream.write_all(&response).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        HostSite {
            origin,
            requested,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The paths asked for so far.
    pub fn requested(&self) -> Vec<String> {
        self.requested.lock().unwrap().clone()
    }
}

impl Drop for HostSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A plain HTTP/1.1 GET, as a client without JavaScript (or curl) makes it.
pub async fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    http(addr, "GET", path, headers, b"").await
}

/// A plain HTTP/1.1 request with a body: what a mail program, the commerce system or another
/// client without a browser sends. Returns the status, the head and the body.
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    try_http(addr, method, path, headers, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// [`http`] that reports a failed connection instead of panicking (a server being killed).
pub async fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let broken =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    // A `Host` given is sent instead of the address's: what a proxy in front of several
    // instances passes on from the browser.
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map_or(addr, |(_, v)| *v);
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
    {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| broken("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| broken("no status"))?;
    Ok((status, head, raw[split + 4..].to_vec()))
}

/// Chromedriver plus one headless Chromium session (its own profile: cookies are not
/// shared between two `Browser`s). Downloads land in `downloads`.
pub struct Browser {
    driver: Child,
    /// chromedriver's `host:port`, for its WebDriver extensions (`goog/cdp/execute`).
    pub driver_addr: String,
    pub client: Client,
    pub downloads: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// With more Chromium switches, e.g. `--force-dark-mode` (the page sees
    /// `prefers-color-scheme: dark`).
    pub async fn start_with(extra: &[&str]) -> Browser {
        Browser::configured(extra, "normal").await
    }

    /// A browser whose navigation returns once the document is parsed, not loaded: for pages
    /// whose WebAssembly a test holds back ([`HoldingProxy`]).
    pub async fn start_eager(extra: &[&str]) -> Browser {
        Browser::configured(extra, "eager").await
    }

    async fn configured(extra: &[&str], page_load: &str) -> Browser {
        let port = free_port();
        let driver = Command::new(env_path("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let downloads = tempfile::tempdir().expect("temp dir");
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900",
            "--lang=ru",
            // Smooth scrolling would move elements while WebDriver clicks them.
            "--force-prefers-reduced-motion",
        ];
        args.extend_from_slice(extra);
        let caps = json!({
            "pageLoadStrategy": page_load,
            "goog:chromeOptions": {
                "binary": env_path("CHROMIUM"),
                "args": args,
                "prefs": {
                    // What the browser asks for (`Accept-Language`); the server renders in it.
                    "intl.accept_languages": "ru",
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false
                }
            }
        });
        let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let client = wait_for(|| async {
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
                .ok()
        })
        .await
        .expect("chromedriver did not accept a session");
        Browser {
            driver,
            driver_addr: format!("127.0.0.1:{port}"),
            client,
            downloads,
        }
    }

    /// Waits for a finished download whose name starts with `prefix`; returns its bytes.
    pub async fn downloaded(&self, prefix: &str) -> (String, Vec<u8>) {
        wait_for(|| async {
            let entries = std::fs::read_dir(self.downloads.path()).ok()?;
            entries.filter_map(Result::ok).find_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                // Chromium writes `.crdownload` until the file is complete.
                (name.starts_with(prefix) && !name.ends_with(".crdownload"))
                    .then(|| (name, std::fs::read(e.path()).unwrap_or_default()))
            })
        })
        .await
        .unwrap_or_else(|| panic!("no download {prefix}*"))
    }

    pub async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }

    /// Opens `url`; a page of the app is ready once the app has taken over the server's first
    /// view (tests that look at the first view itself use [`Browser::start_eager`]). A page the
    /// server drew whole loads its app when the visitor does something: here, a click.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
        self.ready().await;
    }

    /// Waits for the app to have taken over the page, as a visitor's first touch would make it
    /// (after a navigation the app did not make, such as signing in or out: the browser loads
    /// that page). What a test holds of the first view would be stale once the app takes over.
    pub async fn ready(&self) {
        self.js("if (document.querySelector('#app[data-arrives]')) dispatchEvent(new Event('click')); return null")
            .await;
        self.until(APP_READY).await;
    }

    /// Presses one key (a WebDriver key code such as [`keys::TAB`]), optionally with Shift.
    pub async fn press(&self, key: &str, shift: bool) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let key = key.chars().next().expect("a key");
        let shift_key = '\u{E008}';
        let mut actions = KeyActions::new("keyboard".into());
        if shift {
            actions = actions.then(KeyAction::Down { value: shift_key });
        }
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if shift {
            actions = actions.then(KeyAction::Up { value: shift_key });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("press a key");
    }

    /// Answers the cookie banner ("accept" or "reject"), as a returning visitor already has.
    pub async fn answer_banner(&self, action: &str) {
        let button = format!("{BANNER}?.querySelector(\".fk-banner [data-action='{action}']\")");
        self.until(&button).await;
        self.js(&format!("{button}.click();")).await;
        self.until(&format!("!{BANNER}?.querySelector('.fk-banner')"))
            .await;
    }

    /// The layout shifts since navigation (buffered), summed as CLS counts them.
    pub async fn layout_shift(&self) -> f64 {
        let script = "const done = arguments[arguments.length - 1]; let sum = 0;
             const po = new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; });
             po.observe({ type: 'layout-shift', buffered: true });
             requestAnimationFrame(() => requestAnimationFrame(() => { for (const e of po.takeRecords()) if (!e.hadRecentInput) sum += e.value; done(sum); }));";
        let sum = self
            .client
            .execute_async(script, vec![])
            .await
            .expect("measure layout shifts");
        sum.as_f64().expect("a number")
    }

    /// Whether the cookie banner shows (waits for the loader first).
    pub async fn banner_shown(&self) -> bool {
        self.until("window.fkConsent && document.readyState !== 'loading'")
            .await;
        self.js(&format!("return !!{BANNER}?.querySelector('.fk-banner');"))
            .await
            == true
    }

    /// Waits until an element matching `css` exists.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css:?}: {e}"))
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Runs `script` asynchronously: it calls `done(value)` when it has finished.
    pub async fn js_async(&self, script: &str) -> Value {
        let wrapped = format!("const done = arguments[arguments.length - 1]; {script}");
        self.client
            .execute_async(&wrapped, vec![])
            .await
            .expect("script")
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
    }

    /// Waits until `css` exists and its text satisfies `check`; returns the text.
    pub async fn text_until(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let last = std::cell::RefCell::new(String::new());
        let found = wait_for(|| async {
            let el = self.client.find(Locator::Css(css)).await.ok()?;
            let text = el.text().await.ok()?;
            if check(&text) {
                Some(text)
            } else {
                *last.borrow_mut() = text;
                None
            }
        })
        .await;
        found.unwrap_or_else(|| {
            panic!(
                "{css:?} never had the expected text; last seen: {:?}",
                last.borrow()
            )
        })
    }

    /// Waits until a JavaScript expression is truthy.
    pub async fn until(&self, expression: &str) {
        let script = format!("return !!({expression});");
        let ok = wait_for(|| async {
            (self.client.execute(&script, vec![]).await.ok()? == Value::Bool(true)).then_some(())
        })
        .await;
        ok.unwrap_or_else(|| panic!("never true: {expression}"));
    }

    /// Runs axe-core on the page; returns the violations (id and the first target of each).
    pub async fn axe(&self) -> Vec<String> {
        let source =
            std::fs::read_to_string(env_path("FK_AXE_JS")).expect("axe-core (installed by xtask)");
        self.client
            .execute(&source, vec![])
            .await
            .expect("inject axe-core");
        // No preloading: to read the stylesheets of a shadow root (the banner's), axe adds
        // `<style>@import …</style>` elements to the page, which its CSP rightly blocks and
        // reports; only `css-orientation-lock` needs them (and reports "incomplete" without).
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'], preload: false })
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe");
        result
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// True once a page is ready to use: a page the server rendered for the app (it carries the
/// boot data) when the app has taken it over; any other page at once.
pub const APP_READY: &str =
    "!document.getElementById('fk-boot') || document.documentElement.hasAttribute('data-app')";

/// A proxy in front of the server that holds back every `.wasm` request until released: what
/// a phone on a slow network sees before the app has arrived. One request per connection (it
/// asks the server to close after each), so it reads every request line.
pub struct HoldingProxy {
    pub addr: String,
    release: tokio::sync::watch::Sender<bool>,
    /// How many `.wasm` requests it has seen.
    wasm: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl HoldingProxy {
    pub async fn start(server: &str) -> HoldingProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (release, released) = tokio::sync::watch::channel(false);
        let server = server.to_string();
        let wasm = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = wasm.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (server, mut released) = (server.clone(), released.clone());
                let seen = seen.clone();
                tokio::spawn(async move {
                    let _ = HoldingProxy::relay(client, &server, &mut released, &seen).await;
                });
            }
        });
        HoldingProxy {
            addr,
            release,
            wasm,
            task,
        }
    }

    /// How many `.wasm` requests the page has made so far (held or let through).
    pub fn wasm_asked(&self) -> usize {
        self.wasm.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until the page has asked for its WebAssembly (`why` says what should have).
    pub async fn until_wasm_asked(&self, why: &str) {
        wait_for(|| async { (self.wasm_asked() > 0).then_some(()) })
            .await
            .unwrap_or_else(|| panic!("{why}"));
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Lets the held requests (and any later ones) through.
    pub fn release(&self) {
        let _ = self.release.send(true);
    }

    async fn relay(
        mut client: tokio::net::TcpStream,
        server: &str,
        released: &mut tokio::sync::watch::Receiver<bool>,
        seen: &std::sync::atomic::AtomicUsize,
    ) -> std::io::Result<()> {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if client.read(&mut byte).await? == 0 {
                return Ok(());
            }
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let path = text.split_whitespace().nth(1).unwrap_or_default();
        if path
            .split('?')
            .next()
            .unwrap_or_default()
            .ends_with(".wasm")
        {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = released.wait_for(|r| *r).await;
        }
        let mut upstream = tokio::net::TcpStream::connect(server).await?;
        let rewritten: String = text
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
            .map(|l| format!("{l}\r\n"))
            .collect();
        upstream
            .write_all(format!("{rewritten}Connection: close\r\n\r\n").as_bytes())
            .await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        Ok(())
    }
}

impl Drop for HoldingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `f` until it yields `Some`, for at most [`WAIT`].
pub async fn wait_for<T, F, Fut>(mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// WebDriver key codes.
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const SHIFT_ENTER: &str = "\u{E008}\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const TAB: &str = "\u{E004}";
    pub const SPACE: &str = " ";
    pub const BACKSPACE: &str = "\u{E003}";
}

/// A JSON request as the SPA of that instance makes it (its own origin).
pub async fn call(
    server: &Server,
    method: &str,
    path: &str,
    body: Value,
    cookie: Option<&str>,
) -> (u16, String, Value) {
    let origin = server.url("");
    let cookie = cookie
        .map(|c| format!("fk_session={c}"))
        .unwrap_or_default();
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Origin", origin.as_str()),
    ];
    if !cookie.is_empty() {
        headers.push(("Cookie", &cookie));
    }
    let body = if method == "GET" {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let (status, head, bytes) = http(&server.addr, method, path, &headers, &body).await;
    (
        status,
        head,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub fn session_cookie(head: &str) -> String {
    let line = head
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: fk_session=")
        })
        .expect("a session cookie");
    line.split_once('=')
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The password of the accounts the API-level tests register.
pub const PASSWORD: &str = "тёплый ветер над степью";

/// A registration form as the web app sends it: `login` at `email` with [`PASSWORD`],
/// accepting the first policy version, in Russian.
pub fn registration(login: &str, email: &str) -> Value {
    json!({
        "first_name": "Айгерим", "email": email, "birth_year": 1990, "gender": "female", "login": login,
        "password": PASSWORD, "accept_policy": true, "policy_version": 1, "lang": "ru"
    })
}

/// Registers `login` at `email` and opens the verification link (with the password, as any
/// client other than the registering browser does), which signs in: the cookie of that session.
pub async fn signed_up(server: &Server, login: &str, email: &str) -> String {
    assert_eq!(
        call(
            server,
            "POST",
            "/api/account/register",
            registration(login, email),
            None
        )
        .await
        .0,
        202
    );
    let token = server.mail(email, "/account/verify#token=").await.token();
    let (status, head, _) = call(
        server,
        "POST",
        "/api/account/verify",
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 200);
    session_cookie(&head)
}

/// A virtual authenticator in a [`Browser`], through chromedriver's implementation of the W3C
/// WebDriver extension "Virtual Authenticators": a platform authenticator (CTAP2, internal)
/// that keeps discoverable credentials, verifies its user and consents to every request, so
/// each WebAuthn request of the page is answered at once, as if the person had touched the
/// fingerprint reader. With no credential for the site, a sign-in is refused at once
/// (`NotAllowedError`), as when the person closes the browser's dialog.
pub struct VirtualAuthenticator {
    driver: String,
    session: String,
    pub id: String,
}

impl Browser {
    pub async fn add_virtual_authenticator(&self) -> VirtualAuthenticator {
        let session = self
            .client
            .session_id()
            .await
            .expect("the WebDriver session id")
            .expect("a WebDriver session");
        let options = json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
            "hasUserVerification": true, "isUserConsenting": true, "isUserVerified": true
        });
        let path = format!("/session/{session}/webauthn/authenticator");
        let (status, answer) =
            driver_request(&self.driver_addr, "POST", &path, Some(&options)).await;
        assert_eq!(status, 200, "POST {path}: {answer}");
        VirtualAuthenticator {
            driver: self.driver_addr.clone(),
            session,
            id: answer["value"]
                .as_str()
                .expect("an authenticator id")
                .to_string(),
        }
    }
}

impl Browser {
    /// From the next page on, every page keeps a record of its WebAuthn requests in
    /// `window.fkWebauthn`: `{ kind: 'get' | 'create', mediation, outcome }`, the outcome
    /// (`resolved`, or `rejected: ` and the error's name) once the request has settled. A test
    /// reads it to know that a request it cannot see (the login field's quiet one) has been
    /// made and is over. Installed through the DevTools protocol, so no page script is changed
    /// and the page's CSP does not apply.
    pub async fn watch_webauthn(&self) {
        let source = "(() => {
            const container = navigator.credentials;
            if (!container) return;
            window.fkWebauthn = [];
            for (const kind of ['get', 'create']) {
                const original = container[kind].bind(container);
                container[kind] = options => {
                    const record = { kind, mediation: (options && options.mediation) || 'optional', outcome: null };
                    window.fkWebauthn.push(record);
                    const answer = original(options);
                    answer.then(() => { record.outcome = 'resolved'; }, e => { record.outcome = 'rejected: ' + e.name; });
                    return answer;
                };
            }
        })();";
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    /// Runs a Chrome DevTools command in this browser (chromedriver's `goog/cdp/execute`).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let session = self
            .client
            .session_id()
            .await
            .expect("the WebDriver session id")
            .expect("a WebDriver session");
        let path = format!("/session/{session}/goog/cdp/execute");
        let command = json!({ "cmd": cmd, "params": params });
        let (status, answer) =
            driver_request(&self.driver_addr, "POST", &path, Some(&command)).await;
        assert_eq!(status, 200, "{cmd}: {answer}");
        answer
    }
}

impl VirtualAuthenticator {
    async fn call(&self, method: &str, tail: &str, body: Option<&Value>) -> Value {
        let path = format!(
            "/session/{}/webauthn/authenticator/{}{tail}",
            self.session, self.id
        );
        let (status, answer) = driver_request(&self.driver, method, &path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    /// The credentials it holds: `credentialId`, `rpId`, `userHandle` (base64url),
    /// `isResidentCredential`, `signCount`, `privateKey`…
    pub async fn credentials(&self) -> Vec<Value> {
        self.call("GET", "/credentials", None)
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Takes its credentials away (for [`VirtualAuthenticator::put_back`]): the device is out
    /// of reach. The browser then answers a quiet request (the login field's suggestions) at
    /// once with nothing instead of picking the passkey itself, as automation otherwise does,
    /// so a test can sign in with the password, or press "Sign in with a passkey", by choice.
    pub async fn take_away(&self) -> Vec<Value> {
        let held = self.credentials().await;
        self.call("DELETE", "/credentials", None).await;
        held
    }

    /// Gives back credentials [`VirtualAuthenticator::take_away`] took (their keys and counters
    /// as they were).
    pub async fn put_back(&self, credentials: &[Value]) {
        for credential in credentials {
            let fields = [
                "credentialId",
                "isResidentCredential",
                "rpId",
                "privateKey",
                "userHandle",
                "signCount",
            ];
            let kept: serde_json::Map<String, Value> = fields
                .iter()
                .filter_map(|f| Some((f.to_string(), credential.get(*f)?.clone())))
                .collect();
            self.call("POST", "/credential", Some(&Value::Object(kept)))
                .await;
        }
    }
}

/// A request to chromedriver's own endpoints (its WebDriver extensions), as plain HTTP:
/// fantoccini's `issue_cmd` wants types of the `url` and `http` crates, which this crate does
/// not depend on. The answer is read up to its `Content-Length`: chromedriver says
/// `Connection: close` but keeps the socket open.
pub async fn driver_request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let exchange = async {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if raw.len() >= end + 4 + length {
                    let status = head
                        .split_whitespace()
                        .nth(1)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    let answer = serde_json::from_slice(&raw[end + 4..end + 4 + length])
                        .unwrap_or(Value::Null);
                    return Ok::<_, std::io::Error>((status, answer));
                }
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "chromedriver closed the connection mid-answer",
                ));
            }
            raw.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(WAIT, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no answer from chromedriver"))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// The authenticator app of two-step sign-in: RFC 6238 codes of the key a page showed, and the
/// last time step whose code the server has taken (it takes each step's code once, and one
/// step either side of now).
pub struct TotpApp {
    totp: totp_rs::TOTP,
    used_step: u64,
}

impl TotpApp {
    pub fn from_key(key: &str) -> TotpApp {
        let key: String = key.chars().filter(|c| !c.is_whitespace()).collect();
        let secret = totp_rs::Secret::Encoded(key)
            .to_bytes()
            .expect("the key is base32");
        let rfc = totp_rs::Rfc6238::with_defaults(secret).expect("SHA-1, 6 digits, 30 s");
        TotpApp {
            totp: totp_rs::TOTP::from_rfc6238(rfc).expect("a valid key"),
            used_step: 0,
        }
    }

    pub fn now_step() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 30
    }

    /// A code the server has not seen yet: this step's, or the next one's when this one's was
    /// used (as a real app shows it half a minute later); waits when both were.
    pub async fn fresh_code(&mut self) -> (u64, String) {
        while self.used_step > TotpApp::now_step() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let step = TotpApp::now_step().max(self.used_step + 1);
        self.used_step = step;
        (step, self.totp.generate(step * 30))
    }
}

/// What a person does on a page of the app, and what a test then checks, as free functions of
/// a [`Browser`]: each waits for what it needs, and when it never comes, says what the page
/// shows instead.
pub mod ui {
    use fantoccini::elements::Element;
    use fantoccini::Locator;
    use serde_json::Value;

    use super::keys::TAB;
    use super::{wait_for, Browser};

    pub async fn no_axe_violations(b: &Browser, page: &str) {
        let violations = b.axe().await;
        assert!(violations.is_empty(), "axe-core on {page}: {violations:#?}");
    }

    /// Replaces the text of the field `css`.
    pub async fn fill(b: &Browser, css: &str, text: &str) {
        b.ready().await;
        let field = exists(b, css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// The element `css` once it exists; what the page shows when it never does.
    pub async fn exists(b: &Browser, css: &str) -> Element {
        let found = wait_for(|| async { b.client.find(Locator::Css(css)).await.ok() }).await;
        match found {
            Some(el) => el,
            None => {
                let main = b
                    .js("return document.querySelector('main')?.innerText")
                    .await;
                panic!("no {css} on the page: {main}");
            }
        }
    }

    pub async fn click(b: &Browser, css: &str) {
        b.ready().await;
        exists(b, css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until the element with `id` has the focus.
    pub async fn focused(b: &Browser, id: &str) {
        let here = || async {
            b.js("const e = document.activeElement; return e ? e.id || e.outerHTML.slice(0, 80) : ''")
                .await
        };
        let found =
            wait_for(|| async { (here().await == Value::String(id.into())).then_some(()) }).await;
        if found.is_none() {
            let main = b
                .js("return document.querySelector('main')?.innerText")
                .await;
            panic!(
                "#{id} never had the focus; {:?} has it; the page: {main}",
                here().await
            );
        }
    }

    /// Presses Tab until the element with `id` has the focus, as a keyboard user would.
    pub async fn tab_to(b: &Browser, id: &str) {
        for _ in 0..80 {
            let here = b
                .js("return document.activeElement ? document.activeElement.id : ''")
                .await;
            if here == Value::String(id.into()) {
                return;
            }
            b.press(TAB, false).await;
        }
        panic!("Tab never reached #{id}");
    }

    /// Types into whatever has the keyboard focus.
    pub async fn typed(b: &Browser, text: &str) {
        b.client
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    /// A call to the API from the page, as the SPA makes it (same origin, the session cookie).
    pub async fn api(b: &Browser, method: &str, path: &str, body: Value) -> (u16, Value) {
        let script = "const [method, path, body, done] = arguments;
            fetch(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : body })
                .then(async r => done([r.status, await r.text()]))
                .catch(e => done([0, String(e)]));";
        let reply = b
            .client
            .execute_async(
                script,
                vec![method.into(), path.into(), body.to_string().into()],
            )
            .await
            .expect("fetch");
        let status = reply[0].as_u64().unwrap_or_default() as u16;
        let text = reply[1].as_str().unwrap_or_default();
        (status, serde_json::from_str(text).unwrap_or(Value::Null))
    }
}
