//! `consent_bench` (run by `cargo xtask bench`): the consent loader and its WebAssembly banner
//! against vanilla-cookieconsent 3.1.0 (the anchor) on an equivalent host page, in headless
//! Chromium: time from navigation start to a visible banner, layout shift, and bytes
//! transferred on a first and on a returning visit. Numbers are printed, never asserted.
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
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// First visits per side, each in a new browser (fresh profile: empty cache and cookies).
const RUNS: usize = 7;
/// The network counts as quiet when nothing has changed for this long.
const QUIET: Duration = Duration::from_millis(500);

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run this through `cargo xtask bench`")))
}

fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Header value by name (case-insensitive) from a request or response head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
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
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut &raw[..], &mut br, &params).expect("compressing in memory cannot fail");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw).expect("compressing in memory cannot fail");
        let gz = gz.finish().expect("compressing in memory cannot fail");
        File { path, content_type, revalidate, raw, br, gz }
    }

    /// The whole response (status line, headers, body) in `encoding`.
    fn response(&self, encoding: &str, if_none_match: Option<&str>) -> (u16, Vec<u8>) {
        let body = match encoding {
            "br" => &self.br,
            "gzip" => &self.gz,
            _ => &self.raw,
        };
        let etag = self.etag(encoding);
        let unchanged = self.revalidate && if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        let mut r = String::new();
        if unchanged {
            r.push_str("HTTP/1.1 304 Not Modified\r\n");
        } else {
            r.push_str(&format!("HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n", self.content_type, body.len()));
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
        .filter(|t| !t.split(';').skip(1).any(|p| p.trim().replace(' ', "") == "q=0"))
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    ["br", "gzip"].into_iter().find(|e| offered.iter().any(|o| o.eq_ignore_ascii_case(e))).unwrap_or("identity")
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
        Site { origin, counter, task }
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
            let path = first.next().unwrap_or("/").split('?').next().unwrap_or("/").to_string();
            let accept = header(&head, "accept-encoding").unwrap_or("").to_string();
            let close = header(&head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
            let (status, encoding, response) = match files.iter().find(|f| f.path == path).filter(|_| method == "GET") {
                Some(file) => {
                    let encoding = negotiate(&accept);
                    let (status, bytes) = file.response(encoding, header(&head, "if-none-match"));
                    (status, encoding, bytes)
                }
                None => (404, "identity", b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec()),
            };
            if stream.write_all(&response).await.is_err() {
                return;
            }
            let n = response.len() as u64;
            counter.bytes.fetch_add(n, Ordering::SeqCst);
            counter.hits.lock().unwrap().push(Hit { path, status, bytes: n, encoding, accept_encoding: accept });
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
            let Some(end) = find(&self.buf, b"\r\n\r\n") else { return };
            let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
            self.buf.drain(..end + 4);
            let line: Vec<&str> = head.lines().next().unwrap_or("").split_whitespace().collect();
            let path = format!("{} {}", line.first().unwrap_or(&""), line.get(1).unwrap_or(&""));
            out.lock().unwrap().push(Hit {
                path,
                status: 0,
                bytes: 0,
                encoding: "",
                accept_encoding: header(&head, "accept-encoding").unwrap_or("").to_string(),
            });
            self.body_left = header(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        }
    }
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let addr = listener.local_addr().unwrap().to_string();
        let counter = Arc::new(Counter::default());
        let c = counter.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(&target).await else { continue };
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
        Proxy { addr, counter, task }
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
        ("fk_consent", "Ваш выбор категорий cookie и номер квитанции согласия", "182 дня", "ForteKassa"),
        ("fk_session", "Вход в личный раздел (сессия)", "до закрытия браузера или 30 дней с «Запомнить меня»", "ForteKassa"),
    ]);
    let preferences = table(&[("fk_prefs", "Настройки интерфейса и черновики форм", "1 год", "ForteKassa")]);
    let statistics = table(&[
        ("_ga", "Различает посетителей для обезличенной статистики", "2 года", "Google Analytics"),
        ("_ga_*", "Хранит состояние сеанса статистики", "2 года", "Google Analytics"),
    ]);
    let marketing = table(&[
        ("_gcl_au", "Измеряет эффективность рекламы", "90 дней", "Google Ads"),
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
    return_bytes: u64,
    return_wasm: usize,
    return_banner: bool,
    position: String,
    errors: Vec<String>,
    /// What the returning visit fetched: (where, request, status, bytes).
    return_requests: Vec<String>,
}

impl Bench {
    fn bytes(&self) -> u64 {
        self.site.counter.bytes.load(Ordering::SeqCst) + self.proxy.counter.bytes.load(Ordering::SeqCst)
    }

    fn marks(&self) -> (usize, usize) {
        (self.site.counter.hits.lock().unwrap().len(), self.proxy.counter.hits.lock().unwrap().len())
    }

    fn requests_since(&self, (site, proxy): (usize, usize)) -> Vec<String> {
        let mut out: Vec<String> = self.site.counter.hits.lock().unwrap()[site..]
            .iter()
            .map(|h| format!("host {} {} {} {}", h.path, h.status, kb(h.bytes), h.encoding))
            .collect();
        out.extend(self.proxy.counter.hits.lock().unwrap()[proxy..].iter().map(|h| format!("server {}", h.path)));
        out
    }

    /// Waits until the page has loaded and neither the page's resource list nor the bytes on
    /// the sockets have changed for [`QUIET`].
    async fn quiet(&self, browser: &Browser) -> Result<(), String> {
        let last: RefCell<Option<(Value, u64, Instant)>> = RefCell::new(None);
        let script = "return [document.readyState, performance.getEntriesByType('resource').length];";
        wait_for(|| async {
            let now = (browser.client.execute(script, vec![]).await.ok()?, self.bytes());
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
        wait_for(|| async { (browser.client.execute(&script, vec![]).await.ok()? == Value::Bool(true)).then_some(()) })
            .await
            .ok_or_else(|| format!("{what}: never true: {expression}"))
    }

    async fn js(&self, browser: &Browser, script: &str) -> Result<Value, String> {
        browser.client.execute(script, vec![]).await.map_err(|e| format!("script failed: {e}"))
    }

    async fn run(&self, side: Side) -> Result<Run, String> {
        let browser = Browser::start().await;
        let result = self.visits(&browser, side).await;
        browser.stop().await;
        result
    }

    async fn visits(&self, browser: &Browser, side: Side) -> Result<Run, String> {
        let url = format!("{}{}", self.site.origin, side.page());
        let before = self.bytes();
        browser.client.goto(&url).await.map_err(|e| format!("navigate: {e}"))?;
        let banner = wait_for(|| async { browser.client.execute("return window.__bannerAt;", vec![]).await.ok()?.as_f64() }).await;
        let Some(banner_ms) = banner else {
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
            return Err(format!("the banner never became visible; page state: {state}"));
        };
        self.quiet(browser).await?;
        let first_bytes = self.bytes() - before;
        let first = self.js(browser, "return [window.__cls, window.__bannerPosition, window.__errors];").await?;

        self.js(browser, side.accept_js()).await?;
        self.until(browser, side.stored_js(), "the choice was not stored").await?;
        self.quiet(browser).await?;

        let before = self.bytes();
        let marks = self.marks();
        browser.client.goto(&format!("{url}?visit=return")).await.map_err(|e| format!("navigate: {e}"))?;
        self.quiet(browser).await?;
        let return_bytes = self.bytes() - before;
        let again = self
            .js(
                browser,
                &format!(
                    "var b = {}; return [performance.getEntriesByType('resource').filter(function (e) {{ return /\\.wasm([?#]|$)/.test(e.name); }}).length, !!b && b.getBoundingClientRect().height > 0 && getComputedStyle(b).visibility === 'visible', window.__errors];",
                    side.banner_js()
                ),
            )
            .await?;
        let mut errors: Vec<String> = first[2].as_array().into_iter().flatten().filter_map(|e| e.as_str().map(String::from)).collect();
        errors.extend(again[2].as_array().into_iter().flatten().filter_map(|e| e.as_str().map(|e| format!("(returning visit) {e}"))));
        Ok(Run {
            banner_ms,
            cls: first[0].as_f64().unwrap_or(f64::NAN),
            first_bytes,
            return_bytes,
            return_wasm: again[0].as_u64().unwrap_or(0) as usize,
            return_banner: again[1].as_bool().unwrap_or(false),
            position: first[1].as_str().unwrap_or("?").to_string(),
            errors,
            return_requests: self.requests_since(marks),
        })
    }
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

struct Summary {
    runs: usize,
    failed: usize,
    banner_median: f64,
    banner_min: f64,
    banner_max: f64,
    cls_max: f64,
    first_bytes: f64,
    return_bytes: f64,
    return_wasm: usize,
    return_banner: usize,
}

fn summarise(runs: &[Run], failed: usize) -> Summary {
    let ms: Vec<f64> = runs.iter().map(|r| r.banner_ms).collect();
    Summary {
        runs: runs.len(),
        failed,
        banner_median: median(ms.clone()),
        banner_min: ms.iter().cloned().fold(f64::INFINITY, f64::min),
        banner_max: ms.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        cls_max: runs.iter().map(|r| r.cls).fold(0.0, f64::max),
        first_bytes: median(runs.iter().map(|r| r.first_bytes as f64).collect()),
        return_bytes: median(runs.iter().map(|r| r.return_bytes as f64).collect()),
        return_wasm: runs.iter().map(|r| r.return_wasm).sum(),
        return_banner: runs.iter().filter(|r| r.return_banner).count(),
    }
}

/// The `Content-Encoding` the server answers `path` with for the browser's `Accept-Encoding`.
async fn server_encoding(addr: &str, path: &str, accept: &str) -> String {
    let (status, head, _) = http_get(addr, path, &[("Accept-Encoding", accept)]).await;
    let encoding = header(&head, "content-encoding").unwrap_or("identity").to_string();
    if status == 200 {
        encoding
    } else {
        format!("{encoding} (status {status})")
    }
}

#[tokio::main]
async fn main() {
    let started = std::time::Instant::now();
    let anchor_dir = env_path("FK_ANCHOR_DIR");
    let read = |name: &str| std::fs::read(anchor_dir.join(name)).unwrap_or_else(|e| panic!("{name} in FK_ANCHOR_DIR: {e}"));
    let (anchor_js, anchor_css) = (read("cookieconsent.umd.js"), read("cookieconsent.css"));
    let manifest: Value = std::fs::read_to_string(env_path("FK_DIST_DIR").join("consent/manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("dist/consent/manifest.json is missing: the banner is not built (run `cargo xtask bench`)"));

    let (listener, host_origin) = HostSite::bind().await;
    let server = Server::start_with(&[("FK_ALLOWED_ORIGINS", host_origin.as_str())]).await;
    let proxy = Proxy::start(server.addr.clone()).await;
    let api = format!("http://{}", proxy.addr);
    let pages = vec![
        File::new(
            Side::Ours.page(),
            "text/html; charset=utf-8",
            false,
            host_page(&measure_script(Side::Ours), &format!(r#"<script src="{api}/consent.js" data-api="{api}" defer></script>"#)).into_bytes(),
        ),
        File::new(
            Side::Anchor.page(),
            "text/html; charset=utf-8",
            false,
            host_page(&measure_script(Side::Anchor), &anchor_tags(&format!("{api}/policy#section-6"))).into_bytes(),
        ),
        File::new("/cc/cookieconsent.umd.js", "text/javascript; charset=utf-8", true, anchor_js),
        File::new("/cc/cookieconsent.css", "text/css; charset=utf-8", true, anchor_css),
    ];
    let bench = Bench { site: Site::serve(listener, host_origin, pages), proxy };

    println!("consent banner vs vanilla-cookieconsent 3.1.0: {RUNS} first visits per side, each in a new headless Chromium");
    let sides = [Side::Ours, Side::Anchor];
    for side in sides {
        if let Err(e) = bench.run(side).await {
            println!("  warm-up {}: {e}", side.name());
        }
    }
    let mut results: Vec<(Vec<Run>, usize)> = vec![(vec![], 0), (vec![], 0)];
    for i in 0..RUNS {
        // Alternate which side goes first, so a slow moment of the machine hits both.
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for s in order {
            match bench.run(sides[s]).await {
                Ok(run) => {
                    println!(
                        "  {:<6} #{}: banner {:>6.0} ms, CLS {:.4}, first visit {}, returning {}",
                        sides[s].name(),
                        i + 1,
                        run.banner_ms,
                        run.cls,
                        kb(run.first_bytes),
                        kb(run.return_bytes)
                    );
                    results[s].0.push(run);
                }
                Err(e) => {
                    println!("  {:<6} #{}: FAILED: {e}", sides[s].name(), i + 1);
                    results[s].1 += 1;
                }
            }
        }
    }

    // Encodings: the host site's as served, the server's for the same Accept-Encoding.
    let hits = bench.site.counter.hits.lock().unwrap().clone();
    let accept = hits.iter().find(|h| h.path == Side::Anchor.page()).map(|h| h.accept_encoding.clone()).unwrap_or_default();
    let browser_to_server =
        bench.proxy.counter.hits.lock().unwrap().iter().find(|h| h.path.ends_with("/consent.js")).map(|h| h.accept_encoding.clone()).unwrap_or_default();
    let anchor_encoding = {
        let mut e: Vec<&str> = hits.iter().filter(|h| h.status == 200).map(|h| h.encoding).collect();
        e.sort();
        e.dedup();
        e.join("+")
    };
    let mut ours_encodings = vec![server_encoding(&server.addr, "/consent.js", &browser_to_server).await];
    for key in ["js", "wasm", "css"] {
        if let Some(path) = manifest[key].as_str() {
            ours_encodings.push(server_encoding(&server.addr, path, &browser_to_server).await);
        }
    }
    let ours_encoding = {
        let mut e = ours_encodings.clone();
        e.dedup();
        if e.len() == 1 {
            e[0].clone()
        } else {
            format!("{} (consent.js, js, wasm, css)", ours_encodings.join("/"))
        }
    };

    let ours = summarise(&results[0].0, results[0].1);
    let anchor = summarise(&results[1].0, results[1].1);
    println!();
    println!("Accept-Encoding sent by Chromium: host page {accept:?}; to the server {browser_to_server:?}");
    println!("bytes: HTTP headers + bodies on the sockets, server to browser (the host page is counted for both sides)");
    println!("ours reaches the Privacy Center server through the counting proxy: one more loopback hop than the anchor");
    println!(
        "caching: host pages no-cache without a validator; the anchor's files no-cache + ETag (304 when unchanged), as /consent.js"
    );
    println!();
    println!(
        "{:<7} {:>5} {:>24} {:>8} {:>12} {:>12}  encoding",
        "side", "runs", "banner ms median [min-max]", "max CLS", "first visit", "returning"
    );
    for (side, s, enc) in [(Side::Ours, &ours, &ours_encoding), (Side::Anchor, &anchor, &anchor_encoding)] {
        let runs = if s.failed > 0 { format!("{}/{}", s.runs, s.runs + s.failed) } else { s.runs.to_string() };
        println!(
            "{:<7} {:>5} {:>24} {:>8.4} {:>12} {:>12}  {}",
            side.name(),
            runs,
            format!("{:.0} [{:.0}-{:.0}]", s.banner_median, s.banner_min, s.banner_max),
            s.cls_max,
            kb(s.first_bytes as u64),
            kb(s.return_bytes as u64),
            enc
        );
    }
    println!();
    let met = |ok: bool| if ok { "met" } else { "NOT MET" };
    let ratio = ours.return_bytes / anchor.return_bytes;
    println!(
        "goal: time to banner no worse than the anchor's    {:.0} ms vs {:.0} ms: {}",
        ours.banner_median,
        anchor.banner_median,
        met(ours.banner_median <= anchor.banner_median)
    );
    println!(
        "goal: returning-visit bytes <= 1/4 of the anchor's  {} vs {}, ratio ours/anchor {:.2}: {}",
        kb(ours.return_bytes as u64),
        kb(anchor.return_bytes as u64),
        ratio,
        met(ratio <= 0.25)
    );
    println!("goal: CLS 0                                         max {:.4}: {}", ours.cls_max, met(ours.cls_max == 0.0));
    println!(
        "ours on returning visits: {} .wasm fetch(es) in {} runs; banner shown again in {} runs",
        ours.return_wasm, ours.runs, ours.return_banner
    );
    if anchor.return_banner > 0 {
        println!("anchor on returning visits: banner shown again in {} runs", anchor.return_banner);
    }
    // The host page's own bytes, without any consent tags, in the encoding it was served in:
    // what is left of a returning visit is what the consent solution costs.
    let bare = |side: Side| {
        let encoding = hits.iter().find(|h| h.path == side.page()).map(|h| h.encoding).unwrap_or("identity");
        let page = File::new(side.page(), "text/html; charset=utf-8", false, host_page(&measure_script(side), "").into_bytes());
        page.response(encoding, None).1.len() as f64
    };
    let (ours_own, anchor_own) = (ours.return_bytes - bare(Side::Ours), anchor.return_bytes - bare(Side::Anchor));
    println!(
        "returning visit minus the bare host page ({}): ours {}, anchor {} (its inline configuration and two 304s), ratio {:.2}",
        kb(bare(Side::Ours) as u64),
        kb(ours_own.max(0.0) as u64),
        kb(anchor_own.max(0.0) as u64),
        ours_own / anchor_own
    );
    for (side, runs) in [(Side::Ours, &results[0].0), (Side::Anchor, &results[1].0)] {
        if let Some(last) = runs.last() {
            println!("{} returning visit fetched: {}", side.name(), last.return_requests.join("; "));
        }
        let unstyled: Vec<&Run> = runs.iter().filter(|r| r.position != "fixed").collect();
        if !unstyled.is_empty() {
            let cls = unstyled.iter().map(|r| r.cls).fold(0.0, f64::max);
            let positions: std::collections::BTreeSet<&str> = unstyled.iter().map(|r| r.position.as_str()).collect();
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
    println!("({:.0} s)", started.elapsed().as_secs_f64());
    drop(bench);
    server.stop().await;
}
