//! `consent_bench` (run by `cargo xtask bench`): the consent loader and the banner it paints
//! against vanilla-cookieconsent 3.1.0 (the anchor) on an equivalent host page, in headless
//! Chromium: time from navigation start to a visible banner, layout shift, bytes transferred on
//! a first and on a returning visit, and `.wasm` requests before the visitor's click; on a
//! desktop as it is and on a phone profile (DevTools network and CPU throttling). Numbers are
//! printed, never asserted.
//!
//! Needs `FK_SERVER_BIN`, `FK_DIST_DIR`, `CHROMEDRIVER`, `CHROMIUM` (as the end-to-end tests)
//! and `FK_ANCHOR_DIR` (vanilla-cookieconsent's `dist/`, installed from npm by xtask).
//!
//! Bytes are counted at the sockets (HTTP headers and bodies, server to browser): the host
//! site here counts what it writes, and the Privacy Center server is reached through a
//! counting TCP proxy. Resource Timing cannot be used for that: without `Timing-Allow-Origin`
//! it reports a transfer size of 0 for every cross-origin resource, which is all of ours.
use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fk_e2e::{http_get, wait_for, Browser, HostSite, Server};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// First visits per side, each in a new browser (fresh profile: empty cache and cookies).
const RUNS: usize = 7;
/// The network counts as quiet when nothing has changed for this long.
const QUIET: Duration = Duration::from_millis(500);

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run this through `cargo xtask bench`")),
    )
}

fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Header value by name (case-insensitive) from a request or response head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

// ---------------------------------------------------------------------------------------------
// The host site: a static server that negotiates brotli/gzip per request (HostSite cannot).

struct File {
    path: &'static str,
    content_type: &'static str,
    /// `no-cache` with an ETag, answered with 304 when unchanged (as the server answers for
    /// `/consent.js`); otherwise `no-cache` without a validator (a dynamic page).
    revalidate: bool,
    raw: Vec<u8>,
    br: Vec<u8>,
    gz: Vec<u8>,
}

impl File {
    fn new(path: &'static str, content_type: &'static str, revalidate: bool, raw: Vec<u8>) -> File {
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &raw[..], &mut br, &params)
            .expect("compressing in memory cannot fail");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)
            .expect("compressing in memory cannot fail");
        let gz = gz.finish().expect("compressing in memory cannot fail");
        File {
            path,
            content_type,
            revalidate,
            raw,
            br,
            gz,
        }
    }

    /// The whole response (status line, headers, body) in `encoding`.
    fn response(&self, encoding: &str, if_none_match: Option<&str>) -> (u16, Vec<u8>) {
        let body = match encoding {
            "br" => &self.br,
            "gzip" => &self.gz,
            _ => &self.raw,
        };
        let etag = self.etag(encoding);
        let unchanged = self.revalidate
            && if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        let mut r = String::new();
        if unchanged {
            r.push_str("HTTP/1.1 304 Not Modified\r\n");
        } else {
            r.push_str(&format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                self.content_type,
                body.len()
            ));
            if encoding != "identity" {
                r.push_str(&format!("Content-Encoding: {encoding}\r\n"));
            }
        }
        r.push_str("Cache-Control: no-cache\r\nVary: Accept-Encoding\r\n");
        if self.revalidate {
            r.push_str(&format!("ETag: {etag}\r\n"));
        }
        r.push_str("\r\n");
        let mut bytes = r.into_bytes();
        if !unchanged {
            bytes.extend_from_slice(body);
        }
        (if unchanged { 304 } else { 200 }, bytes)
    }

    fn etag(&self, encoding: &str) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.raw.hash(&mut h);
        format!("\"{:016x}-{encoding}\"", h.finish())
    }
}

#[derive(Clone)]
struct Hit {
    path: String,
    status: u16,
    bytes: u64,
    encoding: &'static str,
    accept_encoding: String,
}

#[derive(Default)]
struct Counter {
    bytes: AtomicU64,
    hits: Mutex<Vec<Hit>>,
}

struct Site {
    origin: String,
    counter: Arc<Counter>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The first acceptable of br, gzip (in that order of preference), else identity.
fn negotiate(accept: &str) -> &'static str {
    let offered: Vec<&str> = accept
        .split(',')
        .filter(|t| {
            !t.split(';')
                .skip(1)
                .any(|p| p.trim().replace(' ', "") == "q=0")
        })
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    ["br", "gzip"]
        .into_iter()
        .find(|e| offered.iter().any(|o| o.eq_ignore_ascii_case(e)))
        .unwrap_or("identity")
}

impl Site {
    fn serve(listener: TcpListener, origin: String, files: Vec<File>) -> Site {
        let files = Arc::new(files);
        let counter = Arc::new(Counter::default());
        let c = counter.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Self::connection(stream, files.clone(), c.clone()));
            }
        });
        Site {
            origin,
            counter,
            task,
        }
    }

    /// HTTP/1.1 with keep-alive, GET only (the pages make no other requests here).
    async fn connection(mut stream: TcpStream, files: Arc<Vec<File>>, counter: Arc<Counter>) {
        let _ = stream.set_nodelay(true);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let end = loop {
                if let Some(i) = find(&buf, b"\r\n\r\n") {
                    break i;
                }
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if buf.len() > 65536 {
                    return;
                }
            };
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let mut first = head.split_whitespace();
            let method = first.next().unwrap_or("").to_string();
            let path = first
                .next()
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap_or("/")
                .to_string();
            let accept = header(&head, "accept-encoding").unwrap_or("").to_string();
            let close =
                header(&head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
            let (status, encoding, response) = match files
                .iter()
                .find(|f| f.path == path)
                .filter(|_| method == "GET")
            {
                Some(file) => {
                    let encoding = negotiate(&accept);
                    let (status, bytes) = file.response(encoding, header(&head, "if-none-match"));
                    (status, encoding, bytes)
                }
                None => (
                    404,
                    "identity",
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
                ),
            };
            if stream.write_all(&response).await.is_err() {
                return;
            }
            let n = response.len() as u64;
            counter.bytes.fetch_add(n, Ordering::SeqCst);
            counter.hits.lock().unwrap().push(Hit {
                path,
                status,
                bytes: n,
                encoding,
                accept_encoding: accept,
            });
            if close {
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A counting TCP proxy in front of the Privacy Center server.

struct Proxy {
    addr: String,
    counter: Arc<Counter>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Request lines (method and path) read from the browser's side of a proxied connection.
#[derive(Default)]
struct RequestLines {
    buf: Vec<u8>,
    body_left: usize,
}

impl RequestLines {
    fn feed(&mut self, data: &[u8], out: &Mutex<Vec<Hit>>) {
        self.buf.extend_from_slice(data);
        loop {
            if self.body_left > 0 {
                let k = self.body_left.min(self.buf.len());
                self.buf.drain(..k);
                self.body_left -= k;
                if self.body_left > 0 {
                    return;
                }
            }
            let Some(end) = find(&self.buf, b"\r\n\r\n") else {
                return;
            };
            let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
            self.buf.drain(..end + 4);
            let line: Vec<&str> = head
                .lines()
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let path = format!(
                "{} {}",
                line.first().unwrap_or(&""),
                line.get(1).unwrap_or(&"")
            );
            out.lock().unwrap().push(Hit {
                path,
                status: 0,
                bytes: 0,
                encoding: "",
                accept_encoding: header(&head, "accept-encoding").unwrap_or("").to_string(),
            });
            self.body_left = header(&head, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
        }
    }
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().unwrap().to_string();
        let counter = Arc::new(Counter::default());
        let c = counter.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(&target).await else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = upstream.set_nodelay(true);
                let (mut client_read, mut client_write) = client.into_split();
                let (mut up_read, mut up_write) = upstream.into_split();
                let requests = c.clone();
                tokio::spawn(async move {
                    let mut lines = RequestLines::default();
                    let mut buf = vec![0u8; 16384];
                    while let Ok(n) = client_read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        lines.feed(&buf[..n], &requests.hits);
                        if up_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = up_write.shutdown().await;
                });
                let responses = c.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    while let Ok(n) = up_read.read(&mut buf).await {
                        if n == 0 || client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        responses.bytes.fetch_add(n as u64, Ordering::SeqCst);
                    }
                    let _ = client_write.shutdown().await;
                });
            }
        });
        Proxy {
            addr,
            counter,
            task,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The two host pages.

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Ours,
    Anchor,
}

impl Side {
    const ALL: [Side; 2] = [Side::Ours, Side::Anchor];

    fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Anchor => "anchor",
        }
    }

    fn page(self) -> &'static str {
        match self {
            Side::Ours => "/ours.html",
            Side::Anchor => "/anchor.html",
        }
    }

    /// JavaScript: the banner element, or null.
    fn banner_js(self) -> &'static str {
        match self {
            Side::Ours => "(function () { var h = document.getElementById('fk-consent'); return h && h.shadowRoot && h.shadowRoot.querySelector('.fk-banner'); })()",
            Side::Anchor => "document.querySelector('#cc-main .cm')",
        }
    }

    /// JavaScript: clicks "accept all" on the banner.
    fn accept_js(self) -> &'static str {
        match self {
            Side::Ours => "document.getElementById('fk-consent').shadowRoot.querySelector(\".fk-banner [data-action='accept']\").click();",
            Side::Anchor => "document.querySelector(\"#cc-main .cm [data-role='all']\").click();",
        }
    }

    /// JavaScript: the choice is stored (and, for ours, its receipt sent).
    fn stored_js(self) -> &'static str {
        match self {
            Side::Ours => "window.fkConsent && window.fkConsent.get() !== null && !localStorage.getItem('fk_consent_queue')",
            Side::Anchor => "document.cookie.split('; ').some(function (c) { return c.indexOf('cc_cookie=') === 0; })",
        }
    }
}

/// Runs first in `<head>`: records when the banner is first fully visible, sums layout shifts
/// and keeps console errors.
fn measure_script(side: Side) -> String {
    format!(
        r#"<script>
(function () {{
  window.__bannerAt = null; window.__cls = 0; window.__errors = [];
  var error = console.error;
  console.error = function () {{ window.__errors.push(Array.prototype.map.call(arguments, String).join(' ')); return error.apply(console, arguments); }};
  addEventListener('error', function (e) {{ window.__errors.push('error: ' + e.message); }});
  addEventListener('unhandledrejection', function (e) {{ window.__errors.push('unhandled rejection: ' + e.reason); }});
  try {{
    new PerformanceObserver(function (list) {{
      list.getEntries().forEach(function (e) {{ if (!e.hadRecentInput) window.__cls += e.value; }});
    }}).observe({{ type: 'layout-shift', buffered: true }});
  }} catch (e) {{ window.__errors.push('no layout-shift observer: ' + e); }}
  function shown(el) {{
    if (!el) return false;
    var r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return false;
    if (r.top < -0.5 || r.left < -0.5 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) return false;
    var s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility === 'visible' && parseFloat(s.opacity) === 1;
  }}
  function tick() {{
    var el = {find};
    if (shown(el)) {{ window.__bannerAt = performance.now(); window.__bannerPosition = getComputedStyle(el).position; return; }}
    requestAnimationFrame(tick);
  }}
  requestAnimationFrame(tick);
}})();
</script>"#,
        find = side.banner_js()
    )
}

/// The same page for both sides apart from the consent tags.
fn host_page(measure: &str, consent: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Кофейня «Зерно» — доставка кофе по Алматы</title>
<link rel="icon" href="data:,">
<style>
  body {{ font-family: system-ui, sans-serif; line-height: 1.55; color: #1d2321; max-width: 46em; margin: 0 auto; padding: 1.5em; }}
  h1 {{ font-size: 1.8em; margin: 0.5em 0; }}
  footer {{ border-top: 1px solid #ccd; margin-top: 2em; padding-top: 1em; font-size: 0.9em; color: #555; }}
</style>
{measure}
{consent}
</head>
<body>
<header><h1>Кофейня «Зерно»</h1></header>
<main>
<p>Мы обжариваем зерно небольшими партиями каждую неделю и доставляем свежий кофе по Алматы в день заказа. В нашем каталоге — моносорта из Эфиопии, Колумбии, Бразилии и Кении, а также авторские смеси для эспрессо и фильтра.</p>
<p>Оплатить заказ можно картой на сайте или курьеру при получении. Чек приходит на электронную почту сразу после оплаты, а накопленные бонусы можно потратить на следующие покупки.</p>
<p>Если вы не знаете, какой кофе выбрать, напишите нам: бариста подберёт зерно под ваш способ заваривания и подскажет, как настроить помол для турки, френч-пресса или кофемашины.</p>
<p>Оптовым покупателям — кафе, офисам и ресторанам — мы предлагаем специальные цены, обучение персонала и сервисное обслуживание оборудования.</p>
</main>
<footer>© 2025 ТОО «Зерно». Алматы, ул. Абая, 10. Телефон: +7 727 000 00 00. Оплата принимается через ForteKassa.</footer>
</body>
</html>
"#
    )
}

/// vanilla-cookieconsent 3.1.0 with the four categories, a bottom bar like ours, Russian texts
/// like ours (the banner's, and the dialog's categories and cookie tables).
fn anchor_tags(policy_url: &str) -> String {
    let table = |rows: &[(&str, &str, &str, &str)]| {
        let body: Vec<String> = rows
            .iter()
            .map(|(name, purpose, lifetime, provider)| {
                format!("{{ name: '{name}', purpose: '{purpose}', lifetime: '{lifetime}', provider: '{provider}' }}")
            })
            .collect();
        format!(
            "{{ headers: {{ name: 'Cookie', purpose: 'Назначение', lifetime: 'Срок хранения', provider: 'Поставщик' }}, body: [{}] }}",
            body.join(", ")
        )
    };
    let necessary = table(&[
        (
            "fk_consent",
            "Ваш выбор категорий cookie и номер квитанции согласия",
            "182 дня",
            "ForteKassa",
        ),
        (
            "fk_session",
            "Вход в личный раздел (сессия)",
            "до закрытия браузера или 30 дней с «Запомнить меня»",
            "ForteKassa",
        ),
    ]);
    let preferences = table(&[(
        "fk_prefs",
        "Настройки интерфейса и черновики форм",
        "1 год",
        "ForteKassa",
    )]);
    let statistics = table(&[
        (
            "_ga",
            "Различает посетителей для обезличенной статистики",
            "2 года",
            "Google Analytics",
        ),
        (
            "_ga_*",
            "Хранит состояние сеанса статистики",
            "2 года",
            "Google Analytics",
        ),
    ]);
    let marketing = table(&[
        (
            "_gcl_au",
            "Измеряет эффективность рекламы",
            "90 дней",
            "Google Ads",
        ),
        ("_fbp", "Персонализация рекламы", "90 дней", "Meta"),
    ]);
    format!(
        r#"<link rel="stylesheet" href="/cc/cookieconsent.css">
<script src="/cc/cookieconsent.umd.js" defer></script>
<script>
addEventListener('DOMContentLoaded', function () {{
  CookieConsent.run({{
    hideFromBots: false, // WebDriver sets navigator.webdriver, which it takes for a bot
    cookie: {{ name: 'cc_cookie', expiresAfterDays: 182 }},
    guiOptions: {{
      consentModal: {{ layout: 'box', position: 'bottom right', equalWeightButtons: true }},
      preferencesModal: {{ layout: 'box', equalWeightButtons: true }}
    }},
    categories: {{
      necessary: {{ enabled: true, readOnly: true }},
      preferences: {{ autoClear: {{ cookies: [{{ name: 'fk_prefs' }}] }} }},
      statistics: {{ autoClear: {{ cookies: [{{ name: /^_ga/ }}] }} }},
      marketing: {{ autoClear: {{ cookies: [{{ name: '_gcl_au' }}, {{ name: '_fbp' }}] }} }}
    }},
    language: {{
      default: 'ru',
      translations: {{ ru: {{
        consentModal: {{
          title: 'Мы используем cookie',
          description: 'Необходимые cookie нужны для работы сервиса. С вашего согласия мы также используем cookie, чтобы запоминать настройки, вести статистику и показывать подходящую рекламу. Выбор можно изменить или отозвать в любой момент. <a href="{policy_url}">Политика конфиденциальности</a>',
          acceptAllBtn: 'Принять все',
          acceptNecessaryBtn: 'Отклонить все',
          showPreferencesBtn: 'Настроить'
        }},
        preferencesModal: {{
          title: 'Настройки cookie',
          acceptAllBtn: 'Принять все',
          acceptNecessaryBtn: 'Отклонить все',
          savePreferencesBtn: 'Сохранить выбор',
          closeIconLabel: 'Закрыть',
          sections: [
            {{ description: 'Выберите, какие cookie разрешить. Необходимые cookie включены всегда; остальные — только с вашего согласия.' }},
            {{ title: 'Необходимые', linkedCategory: 'necessary', description: 'Без них сервис не работает: вход в личный раздел, защита от подделки запросов и запись о вашем выборе cookie. Их нельзя отключить.', cookieTable: {necessary} }},
            {{ title: 'Предпочтения', linkedCategory: 'preferences', description: 'Запоминают ваши настройки и введённые в формы данные, чтобы не вводить их повторно (п. 6.2).', cookieTable: {preferences} }},
            {{ title: 'Статистика', linkedCategory: 'statistics', description: 'Помогают понять, как используется сервис, и проводить статистические исследования для его улучшения (пп. 6.2–6.3). Не используются для установления вашей личности.', cookieTable: {statistics} }},
            {{ title: 'Маркетинг', linkedCategory: 'marketing', description: 'Позволяют показывать рекламу, подобранную под ваши интересы (п. 3.1).', cookieTable: {marketing} }}
          ]
        }}
      }} }}
    }}
  }});
}});
</script>"#
    )
}

// ---------------------------------------------------------------------------------------------
// Profiles: a desktop as it is, and a phone (slow mobile network, slow CPU).

#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Desktop,
    Phone,
}

impl Profile {
    const ALL: [Profile; 2] = [Profile::Desktop, Profile::Phone];

    fn name(self) -> &'static str {
        match self {
            Profile::Desktop => "desktop",
            Profile::Phone => "phone",
        }
    }

    /// DevTools commands that make the profile. The phone: 150 ms latency, 1.6 Mbit/s down,
    /// 750 kbit/s up (Lighthouse's "slow 4G"), a CPU four times slower.
    fn commands(self) -> Vec<(&'static str, Value)> {
        match self {
            Profile::Desktop => vec![],
            Profile::Phone => vec![
                ("Network.enable", json!({})),
                (
                    "Network.emulateNetworkConditions",
                    json!({ "offline": false, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 93_750 }),
                ),
                ("Emulation.setCPUThrottlingRate", json!({ "rate": 4 })),
            ],
        }
    }

    /// Applies the profile to the browser's tab. Done before each navigation (the first visit's
    /// and the returning one's), so that no visit depends on what an earlier step left set.
    async fn apply(self, browser: &Browser) -> Result<(), String> {
        let commands = self.commands();
        if commands.is_empty() {
            return Ok(());
        }
        let devtools = Devtools::of(browser).await?;
        for (cmd, params) in commands {
            devtools.send(cmd, params).await?;
        }
        Ok(())
    }
}

/// Chrome DevTools Protocol commands for one browser's tab, through chromedriver's WebDriver
/// extension `POST /session/{id}/goog/cdp/execute`. Sent as plain HTTP: fantoccini's
/// `issue_cmd` wants a `WebDriverCompatibleCommand`, whose methods are typed with the `url`
/// and `http` crates, which this crate does not depend on.
struct Devtools {
    driver: String,
    session: String,
}

impl Devtools {
    async fn of(browser: &Browser) -> Result<Devtools, String> {
        let session = browser
            .client
            .session_id()
            .await
            .map_err(|e| format!("session id: {e}"))?;
        Ok(Devtools {
            driver: browser.driver_addr.clone(),
            session: session.ok_or("no WebDriver session")?,
        })
    }

    async fn send(&self, cmd: &str, params: Value) -> Result<Value, String> {
        let body = json!({ "cmd": cmd, "params": params }).to_string();
        let path = format!("/session/{}/goog/cdp/execute", self.session);
        let answer =
            tokio::time::timeout(fk_e2e::WAIT, post_json(&self.driver, &path, &body)).await;
        let (status, answer) = answer
            .map_err(|_| format!("{cmd}: no answer from chromedriver"))
            .and_then(|r| r.map_err(|e| format!("{cmd}: {e}")))?;
        if status != 200 {
            return Err(format!("{cmd}: chromedriver answered {status}: {answer}"));
        }
        Ok(answer["value"].clone())
    }
}

/// POSTs JSON and reads the answer up to its `Content-Length`: chromedriver says
/// `Connection: close` but keeps the socket open, so reading to the end would wait forever.
async fn post_json(addr: &str, path: &str, body: &str) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&raw, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            let length = header(&head, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if raw.len() >= end + 4 + length {
                let status = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return Ok((
                    status,
                    serde_json::from_slice(&raw[end + 4..end + 4 + length]).unwrap_or_default(),
                ));
            }
        }
        match stream.read(&mut chunk).await? {
            0 => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "chromedriver closed the connection early",
                ))
            }
            n => raw.extend_from_slice(&chunk[..n]),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

struct Bench {
    site: Site,
    proxy: Proxy,
}

/// One first visit and the returning visit after it.
struct Run {
    banner_ms: f64,
    cls: f64,
    first_bytes: u64,
    /// Requests for `.wasm` files on the first visit before the click, seen at the sockets.
    first_wasm: usize,
    return_bytes: u64,
    return_wasm: usize,
    return_banner: bool,
    position: String,
    errors: Vec<String>,
    /// What the returning visit fetched: (where, request, status, bytes).
    return_requests: Vec<String>,
    /// That the profile took effect: a fixed JavaScript loop (CPU) and the host page's last
    /// byte after navigation start (network latency), in ms.
    probe_cpu_ms: f64,
    probe_page_ms: f64,
}

/// What a returning visit (after the choice was stored) costs and shows.
struct Returning {
    bytes: u64,
    wasm: usize,
    banner: bool,
    errors: Vec<String>,
    requests: Vec<String>,
}

/// Run after the first visit has gone quiet: [a fixed loop's ms, the host page's last byte in
/// ms after navigation start]. Not its first byte: Chromium adds the emulated latency after
/// the response headers, so responseStart does not show it.
const PROBE_JS: &str = "var t = performance.now(), x = 0; for (var i = 0; i < 1e7; i++) x += Math.sqrt(i); var cpu = performance.now() - t; \
     var n = performance.getEntriesByType('navigation')[0]; return [cpu, n ? n.responseEnd : null, x > 0];";

impl Bench {
    fn bytes(&self) -> u64 {
        self.site.counter.bytes.load(Ordering::SeqCst)
            + self.proxy.counter.bytes.load(Ordering::SeqCst)
    }

    fn marks(&self) -> (usize, usize) {
        (
            self.site.counter.hits.lock().unwrap().len(),
            self.proxy.counter.hits.lock().unwrap().len(),
        )
    }

    fn requests_since(&self, (site, proxy): (usize, usize)) -> Vec<String> {
        let mut out: Vec<String> = self.site.counter.hits.lock().unwrap()[site..]
            .iter()
            .map(|h| {
                format!(
                    "host {} {} {} {}",
                    h.path,
                    h.status,
                    kb(h.bytes),
                    h.encoding
                )
            })
            .collect();
        out.extend(
            self.proxy.counter.hits.lock().unwrap()[proxy..]
                .iter()
                .map(|h| format!("server {}", h.path)),
        );
        out
    }

    /// Requests for `.wasm` files since `marks`, on either socket (the proxy's paths are
    /// "METHOD /path?query").
    fn wasm_since(&self, (site, proxy): (usize, usize)) -> usize {
        let wasm = |path: &str| {
            path.split(['?', '#'])
                .next()
                .unwrap_or("")
                .ends_with(".wasm")
        };
        let on_site = self.site.counter.hits.lock().unwrap()[site..]
            .iter()
            .filter(|h| wasm(&h.path))
            .count();
        on_site
            + self.proxy.counter.hits.lock().unwrap()[proxy..]
                .iter()
                .filter(|h| wasm(&h.path))
                .count()
    }

    /// Waits until the page has loaded and neither the page's resource list nor the bytes on
    /// the sockets have changed for [`QUIET`].
    async fn quiet(&self, browser: &Browser) -> Result<(), String> {
        let last: RefCell<Option<(Value, u64, Instant)>> = RefCell::new(None);
        let script =
            "return [document.readyState, performance.getEntriesByType('resource').length];";
        wait_for(|| async {
            let now = (
                browser.client.execute(script, vec![]).await.ok()?,
                self.bytes(),
            );
            let mut last = last.borrow_mut();
            match last.as_ref() {
                Some((v, b, since)) if *v == now.0 && *b == now.1 => {
                    (since.elapsed() >= QUIET && now.0[0] == "complete").then_some(())
                }
                _ => {
                    *last = Some((now.0, now.1, Instant::now()));
                    None
                }
            }
        })
        .await
        .ok_or_else(|| "the network never became quiet".to_string())
    }

    async fn until(&self, browser: &Browser, expression: &str, what: &str) -> Result<(), String> {
        let script = format!("return !!({expression});");
        wait_for(|| async {
            (browser.client.execute(&script, vec![]).await.ok()? == Value::Bool(true)).then_some(())
        })
        .await
        .ok_or_else(|| format!("{what}: never true: {expression}"))
    }

    async fn js(&self, browser: &Browser, script: &str) -> Result<Value, String> {
        browser
            .client
            .execute(script, vec![])
            .await
            .map_err(|e| format!("script failed: {e}"))
    }

    async fn run(&self, side: Side, profile: Profile) -> Result<Run, String> {
        let browser = Browser::start().await;
        let result = self.visits(&browser, side, profile).await;
        browser.stop().await;
        result
    }

    async fn visits(&self, browser: &Browser, side: Side, profile: Profile) -> Result<Run, String> {
        let url = format!("{}{}", self.site.origin, side.page());
        profile.apply(browser).await?;
        let (before, marks) = (self.bytes(), self.marks());
        browser
            .client
            .goto(&url)
            .await
            .map_err(|e| format!("navigate: {e}"))?;
        let banner_ms = self.banner_at(browser, side).await?;
        self.quiet(browser).await?;
        let first_bytes = self.bytes() - before;
        let first_wasm = self.wasm_since(marks);
        let first = self
            .js(
                browser,
                "return [window.__cls, window.__bannerPosition, window.__errors];",
            )
            .await?;
        let probe = self.js(browser, PROBE_JS).await?;

        self.js(browser, side.accept_js()).await?;
        self.until(browser, side.stored_js(), "the choice was not stored")
            .await?;
        self.quiet(browser).await?;
        profile.apply(browser).await?;
        let again = self.returning(browser, side, &url).await?;

        let mut errors = strings(&first[2]);
        errors.extend(
            again
                .errors
                .iter()
                .map(|e| format!("(returning visit) {e}")),
        );
        Ok(Run {
            banner_ms,
            cls: first[0].as_f64().unwrap_or(f64::NAN),
            first_bytes,
            first_wasm,
            return_bytes: again.bytes,
            return_wasm: again.wasm,
            return_banner: again.banner,
            position: first[1].as_str().unwrap_or("?").to_string(),
            errors,
            return_requests: again.requests,
            probe_cpu_ms: probe[0].as_f64().unwrap_or(f64::NAN),
            probe_page_ms: probe[1].as_f64().unwrap_or(f64::NAN),
        })
    }

    /// Waits for the measuring script to see the banner fully visible; the page's state if it
    /// never does.
    async fn banner_at(&self, browser: &Browser, side: Side) -> Result<f64, String> {
        let banner = wait_for(|| async {
            browser
                .client
                .execute("return window.__bannerAt;", vec![])
                .await
                .ok()?
                .as_f64()
        })
        .await;
        if let Some(ms) = banner {
            return Ok(ms);
        }
        let state = self
            .js(
                browser,
                &format!(
                    "var b = {}, h = document.getElementById('fk-consent'); return {{ errors: window.__errors || [], banner: b ? [b.getBoundingClientRect().toJSON(), getComputedStyle(b).opacity, getComputedStyle(b).visibility, getComputedStyle(b).position] : null, host: h ? (h.shadowRoot ? h.shadowRoot.innerHTML.slice(0, 300) : 'no shadow root') : null, resources: performance.getEntriesByType('resource').map(function (e) {{ return e.name + ' ' + Math.round(e.responseEnd) + ' ms'; }}) }};",
                    side.banner_js()
                ),
            )
            .await
            .unwrap_or_default();
        Err(format!(
            "the banner never became visible; page state: {state}"
        ))
    }

    async fn returning(
        &self,
        browser: &Browser,
        side: Side,
        url: &str,
    ) -> Result<Returning, String> {
        let (before, marks) = (self.bytes(), self.marks());
        browser
            .client
            .goto(&format!("{url}?visit=return"))
            .await
            .map_err(|e| format!("navigate: {e}"))?;
        self.quiet(browser).await?;
        let bytes = self.bytes() - before;
        let again = self
            .js(
                browser,
                &format!(
                    "var b = {}; return [performance.getEntriesByType('resource').filter(function (e) {{ return /\\.wasm([?#]|$)/.test(e.name); }}).length, !!b && b.getBoundingClientRect().height > 0 && getComputedStyle(b).visibility === 'visible', window.__errors];",
                    side.banner_js()
                ),
            )
            .await?;
        Ok(Returning {
            bytes,
            wasm: again[0].as_u64().unwrap_or(0) as usize,
            banner: again[1].as_bool().unwrap_or(false),
            errors: strings(&again[2]),
            requests: self.requests_since(marks),
        })
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(String::from))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        f64::NAN
    } else if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    }
}

/// The runs of one side in one profile, and how many failed.
#[derive(Default)]
struct Tally {
    runs: Vec<Run>,
    failed: usize,
}

/// Tallies by profile and side.
#[derive(Default)]
struct Results([[Tally; 2]; 2]);

impl Results {
    fn of(&self, profile: Profile, side: Side) -> &Tally {
        &self.0[profile as usize][side as usize]
    }

    fn summary(&self, profile: Profile, side: Side) -> Summary {
        summarise(self.of(profile, side))
    }
}

struct Summary {
    runs: usize,
    failed: usize,
    banner_median: f64,
    banner_min: f64,
    banner_max: f64,
    cls_max: f64,
    first_bytes: f64,
    return_bytes: f64,
    first_wasm: (usize, usize),
    return_wasm: usize,
    return_banner: usize,
    probe_cpu_ms: f64,
    probe_page_ms: f64,
}

fn summarise(tally: &Tally) -> Summary {
    let runs = &tally.runs;
    let ms: Vec<f64> = runs.iter().map(|r| r.banner_ms).collect();
    let of = |f: fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Summary {
        runs: runs.len(),
        failed: tally.failed,
        banner_median: median(ms.clone()),
        banner_min: ms.iter().cloned().fold(f64::INFINITY, f64::min),
        banner_max: ms.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        // NaN when no run succeeded: no figure must not read as CLS 0.
        cls_max: if runs.is_empty() {
            f64::NAN
        } else {
            runs.iter().map(|r| r.cls).fold(0.0, f64::max)
        },
        first_bytes: of(|r| r.first_bytes as f64),
        return_bytes: of(|r| r.return_bytes as f64),
        first_wasm: (
            runs.iter().map(|r| r.first_wasm).min().unwrap_or(0),
            runs.iter().map(|r| r.first_wasm).max().unwrap_or(0),
        ),
        return_wasm: runs.iter().map(|r| r.return_wasm).sum(),
        return_banner: runs.iter().filter(|r| r.return_banner).count(),
        probe_cpu_ms: of(|r| r.probe_cpu_ms),
        probe_page_ms: of(|r| r.probe_page_ms),
    }
}

/// Warm-up visits, then [`RUNS`] first visits per side and profile.
async fn measure(bench: &Bench) -> Results {
    for side in Side::ALL {
        if let Err(e) = bench.run(side, Profile::Desktop).await {
            println!("  warm-up {}: {e}", side.name());
        }
    }
    let mut results = Results::default();
    for i in 0..RUNS {
        for profile in Profile::ALL {
            // Alternate which side goes first, so a slow moment of the machine hits both.
            let order = if i % 2 == 0 {
                Side::ALL
            } else {
                [Side::Anchor, Side::Ours]
            };
            for side in order {
                let label = format!("{:<7} {:<6} #{}", profile.name(), side.name(), i + 1);
                let tally = &mut results.0[profile as usize][side as usize];
                match bench.run(side, profile).await {
                    Ok(run) => {
                        println!(
                            "  {label}: banner {:>6.0} ms, CLS {:.4}, first visit {} ({} .wasm), returning {}",
                            run.banner_ms,
                            run.cls,
                            kb(run.first_bytes),
                            run.first_wasm,
                            kb(run.return_bytes)
                        );
                        tally.runs.push(run);
                    }
                    Err(e) => {
                        println!("  {label}: FAILED: {e}");
                        tally.failed += 1;
                    }
                }
            }
        }
    }
    results
}

/// The `Content-Encoding` the server answers `path` with for the browser's `Accept-Encoding`.
async fn server_encoding(addr: &str, path: &str, accept: &str) -> String {
    let (status, head, _) = http_get(addr, path, &[("Accept-Encoding", accept)]).await;
    let encoding = header(&head, "content-encoding")
        .unwrap_or("identity")
        .to_string();
    if status == 200 {
        encoding
    } else {
        format!("{encoding} (status {status})")
    }
}

/// What Chromium accepted and what each side was served in.
struct Encodings {
    /// `Accept-Encoding` to the host site, and to the Privacy Center server.
    accept: String,
    accept_server: String,
    ours: String,
    anchor: String,
}

async fn encodings(bench: &Bench, server: &str, manifest: &Value) -> Encodings {
    let hits = bench.site.counter.hits.lock().unwrap().clone();
    let accept = hits
        .iter()
        .find(|h| h.path == Side::Anchor.page())
        .map(|h| h.accept_encoding.clone())
        .unwrap_or_default();
    let accept_server = bench
        .proxy
        .counter
        .hits
        .lock()
        .unwrap()
        .iter()
        .find(|h| h.path.ends_with("/consent.js"))
        .map(|h| h.accept_encoding.clone())
        .unwrap_or_default();
    let anchor = {
        let mut e: Vec<&str> = hits
            .iter()
            .filter(|h| h.status == 200)
            .map(|h| h.encoding)
            .collect();
        e.sort();
        e.dedup();
        e.join("+")
    };
    // The server's answers for the same Accept-Encoding: the loader and the banner's files.
    let mut ours = vec![server_encoding(server, "/consent.js", &accept_server).await];
    for key in ["js", "wasm", "css"] {
        if let Some(path) = manifest[key].as_str() {
            ours.push(server_encoding(server, path, &accept_server).await);
        }
    }
    let mut distinct = ours.clone();
    distinct.dedup();
    let ours = if distinct.len() == 1 {
        distinct.remove(0)
    } else {
        format!("{} (consent.js, js, wasm, css)", ours.join("/"))
    };
    Encodings {
        accept,
        accept_server,
        ours,
        anchor,
    }
}

fn print_table(results: &Results) {
    println!(
        "{:<8} {:<7} {:>5} {:>24} {:>8} {:>12} {:>12} {:>19}",
        "profile",
        "side",
        "runs",
        "banner ms median [min-max]",
        "max CLS",
        "first visit",
        "returning",
        ".wasm before click"
    );
    for profile in Profile::ALL {
        for side in Side::ALL {
            let s = results.summary(profile, side);
            let runs = if s.failed > 0 {
                format!("{}/{}", s.runs, s.runs + s.failed)
            } else {
                s.runs.to_string()
            };
            let wasm = if s.first_wasm.0 == s.first_wasm.1 {
                s.first_wasm.0.to_string()
            } else {
                format!("{}-{}", s.first_wasm.0, s.first_wasm.1)
            };
            println!(
                "{:<8} {:<7} {:>5} {:>24} {:>8.4} {:>12} {:>12} {:>19}",
                profile.name(),
                side.name(),
                runs,
                format!(
                    "{:.0} [{:.0}-{:.0}]",
                    s.banner_median, s.banner_min, s.banner_max
                ),
                s.cls_max,
                kb(s.first_bytes as u64),
                kb(s.return_bytes as u64),
                wasm
            );
        }
    }
}

fn goal_row(what: &str, ours: String, anchor: String, ratio: Option<f64>, limit: &str, met: bool) {
    let ratio = ratio.map_or("-".to_string(), |r| format!("{r:.2}"));
    println!(
        "{what:<34} {ours:>10} {anchor:>10} {ratio:>6} {limit:>6}  {}",
        if met { "met" } else { "NOT met" }
    );
}

/// A goal on ours/anchor: met when the ratio is at most `limit` (never when a side has no runs).
fn ratio_goal(what: &str, ours: f64, anchor: f64, limit: f64, show: fn(f64) -> String) {
    let ratio = ours / anchor;
    goal_row(
        what,
        show(ours),
        show(anchor),
        Some(ratio),
        &format!("≤ {limit:.1}"),
        ratio <= limit,
    );
}

fn print_goals(results: &Results) {
    let ms = |v: f64| format!("{v:.0} ms");
    let bytes = |v: f64| kb(v as u64);
    let (desktop, phone) = (Profile::Desktop, Profile::Phone);
    let of = |p: Profile| {
        (
            results.summary(p, Side::Ours),
            results.summary(p, Side::Anchor),
        )
    };
    let ((d_ours, d_anchor), (p_ours, p_anchor)) = (of(desktop), of(phone));
    println!(
        "{:<34} {:>10} {:>10} {:>6} {:>6}  result",
        "goal (ours vs the anchor)", "ours", "anchor", "ratio", "limit"
    );
    ratio_goal(
        "phone: time to banner (median)",
        p_ours.banner_median,
        p_anchor.banner_median,
        0.8,
        ms,
    );
    for (profile, ours, anchor) in [(desktop, &d_ours, &d_anchor), (phone, &p_ours, &p_anchor)] {
        ratio_goal(
            &format!("{}: first-visit bytes", profile.name()),
            ours.first_bytes,
            anchor.first_bytes,
            1.0,
            bytes,
        );
    }
    for (profile, ours, anchor) in [(desktop, &d_ours, &d_anchor), (phone, &p_ours, &p_anchor)] {
        ratio_goal(
            &format!("{}: returning-visit bytes", profile.name()),
            ours.return_bytes,
            anchor.return_bytes,
            0.1,
            bytes,
        );
    }
    for (profile, ours, anchor) in [(desktop, &d_ours, &d_anchor), (phone, &p_ours, &p_anchor)] {
        let cls = |v: f64| format!("{v:.4}");
        goal_row(
            &format!("{}: max CLS", profile.name()),
            cls(ours.cls_max),
            cls(anchor.cls_max),
            None,
            "= 0",
            ours.cls_max == 0.0,
        );
    }
    ratio_goal(
        "desktop: time to banner (median)",
        d_ours.banner_median,
        d_anchor.banner_median,
        1.0,
        ms,
    );
}

/// The details behind the table: whether throttling took effect, returning visits, pages'
/// errors.
fn print_notes(bench: &Bench, results: &Results) {
    for profile in Profile::ALL {
        let s = Side::ALL.map(|side| results.summary(profile, side));
        println!(
            "{} throttling check (medians ours/anchor): a fixed JS loop {:.0}/{:.0} ms; host page's last byte {:.0}/{:.0} ms after navigation start",
            profile.name(),
            s[0].probe_cpu_ms,
            s[1].probe_cpu_ms,
            s[0].probe_page_ms,
            s[1].probe_page_ms
        );
    }
    for profile in Profile::ALL {
        let ours = results.summary(profile, Side::Ours);
        let anchor = results.summary(profile, Side::Anchor);
        println!(
            "{} returning visits: ours {} .wasm fetch(es) in {} runs, banner shown again in {}; anchor banner shown again in {}",
            profile.name(),
            ours.return_wasm,
            ours.runs,
            ours.return_banner,
            anchor.return_banner
        );
    }
    // The host page's own bytes, without any consent tags, in the encoding it was served in:
    // what is left of a returning visit is what the consent solution costs.
    let hits = bench.site.counter.hits.lock().unwrap().clone();
    let bare = |side: Side| {
        let encoding = hits
            .iter()
            .find(|h| h.path == side.page())
            .map(|h| h.encoding)
            .unwrap_or("identity");
        let page = File::new(
            side.page(),
            "text/html; charset=utf-8",
            false,
            host_page(&measure_script(side), "").into_bytes(),
        );
        page.response(encoding, None).1.len() as f64
    };
    let (ours, anchor) = (
        results.summary(Profile::Desktop, Side::Ours),
        results.summary(Profile::Desktop, Side::Anchor),
    );
    let (ours_own, anchor_own) = (
        ours.return_bytes - bare(Side::Ours),
        anchor.return_bytes - bare(Side::Anchor),
    );
    println!(
        "desktop returning visit minus the bare host page ({}): ours {}, anchor {} (its inline configuration and two 304s), ratio {:.2}",
        kb(bare(Side::Ours) as u64),
        kb(ours_own.max(0.0) as u64),
        kb(anchor_own.max(0.0) as u64),
        ours_own / anchor_own
    );
    for side in Side::ALL {
        print_side_notes(
            side,
            Profile::ALL
                .iter()
                .flat_map(|p| results.of(*p, side).runs.iter())
                .collect(),
        );
    }
}

/// One side's last returning visit, unstyled first sightings and page errors, over all runs.
fn print_side_notes(side: Side, runs: Vec<&Run>) {
    if let Some(last) = runs.last() {
        println!(
            "{} returning visit fetched: {}",
            side.name(),
            last.return_requests.join("; ")
        );
    }
    let unstyled: Vec<&&Run> = runs.iter().filter(|r| r.position != "fixed").collect();
    if !unstyled.is_empty() {
        let cls = unstyled.iter().map(|r| r.cls).fold(0.0, f64::max);
        let positions: std::collections::BTreeSet<&str> =
            unstyled.iter().map(|r| r.position.as_str()).collect();
        println!(
            "{}: in {} of {} runs the banner was first visible unstyled (position {:?}, not fixed: its stylesheet had not applied yet); max CLS in those runs {:.4}",
            side.name(),
            unstyled.len(),
            runs.len(),
            positions,
            cls
        );
    }
    let mut errors: Vec<&String> = runs.iter().flat_map(|r| r.errors.iter()).collect();
    errors.sort();
    errors.dedup();
    for e in errors {
        println!("{} page error: {e}", side.name());
    }
}

/// The host site's files: the two host pages and the anchor's script and stylesheet.
fn host_files(api: &str, anchor_dir: &std::path::Path) -> Vec<File> {
    let read = |name: &str| {
        std::fs::read(anchor_dir.join(name))
            .unwrap_or_else(|e| panic!("{name} in FK_ANCHOR_DIR: {e}"))
    };
    vec![
        File::new(
            Side::Ours.page(),
            "text/html; charset=utf-8",
            false,
            host_page(
                &measure_script(Side::Ours),
                &format!(r#"<script src="{api}/consent.js" data-api="{api}" defer></script>"#),
            )
            .into_bytes(),
        ),
        File::new(
            Side::Anchor.page(),
            "text/html; charset=utf-8",
            false,
            host_page(
                &measure_script(Side::Anchor),
                &anchor_tags(&format!("{api}/policy#section-6")),
            )
            .into_bytes(),
        ),
        File::new(
            "/cc/cookieconsent.umd.js",
            "text/javascript; charset=utf-8",
            true,
            read("cookieconsent.umd.js"),
        ),
        File::new(
            "/cc/cookieconsent.css",
            "text/css; charset=utf-8",
            true,
            read("cookieconsent.css"),
        ),
    ]
}

#[tokio::main]
async fn main() {
    let started = std::time::Instant::now();
    let anchor_dir = env_path("FK_ANCHOR_DIR");
    let manifest: Value = std::fs::read_to_string(env_path("FK_DIST_DIR").join("consent/manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("dist/consent/manifest.json is missing: the banner is not built (run `cargo xtask bench`)"));

    let (listener, host_origin) = HostSite::bind().await;
    let server = Server::start_with(&[("FK_ALLOWED_ORIGINS", host_origin.as_str())]).await;
    let proxy = Proxy::start(server.addr.clone()).await;
    let api = format!("http://{}", proxy.addr);
    let bench = Bench {
        site: Site::serve(listener, host_origin, host_files(&api, &anchor_dir)),
        proxy,
    };

    println!(
        "consent banner vs vanilla-cookieconsent 3.1.0: {RUNS} first visits per side and profile, each in a new headless Chromium"
    );
    println!("profiles: desktop (no throttling); phone (150 ms latency, 1.6 Mbit/s down, 750 kbit/s up, CPU 4x slower)");
    let results = measure(&bench).await;
    let enc = encodings(&bench, &server.addr, &manifest).await;

    println!();
    println!(
        "Accept-Encoding sent by Chromium: host page {:?}; to the server {:?}",
        enc.accept, enc.accept_server
    );
    println!("served: ours {}, anchor {}", enc.ours, enc.anchor);
    println!("bytes: HTTP headers + bodies on the sockets, server to browser (the host page is counted for both sides)");
    println!("ours reaches the Privacy Center server through the counting proxy: one more loopback hop than the anchor");
    println!(
        "caching: host pages no-cache without a validator; the anchor's files no-cache + ETag (304 when unchanged), as /consent.js"
    );
    println!();
    print_table(&results);
    println!();
    print_goals(&results);
    println!();
    print_notes(&bench, &results);
    println!("({:.0} s)", started.elapsed().as_secs_f64());
    drop(bench);
    server.stop().await;
}
