// ForteKassa cookie-consent loader, served as /consent.js. Contract: consent/README.md.
(function () {
'use strict';
const SETUP = /*FK_SETUP*/null;
const w = window, d = document, nav = navigator;
const me = d.currentScript; // null once this script has run
const ds = (me && me.dataset) || {};
const NAME = 'fk_consent', QKEY = 'fk_consent_queue', DAY = 86400, MAX_AGE = 182 * DAY;
const SEL = 'script[type="text/plain"][data-category]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const API = ds.api ? ds.api.replace(/\/+$/, '') : originOf(me && me.src) || location.origin;
const gpc = nav.globalPrivacyControl === true, cookiesEnabled = nav.cookieEnabled !== false;
const nowS = () => Math.floor(Date.now() / 1000);
if (w.fkConsent) return; // loaded twice: the first copy is in charge

// Consent Mode defaults, synchronously, before anything else.
w.dataLayer = w.dataLayer || [];
w.gtag = w.gtag || function () { w.dataLayer.push(arguments); };
let prevId = null, state = SETUP && copies() === 1 ? parseCookie(readCookies().get(NAME)) : null;
w.gtag('consent', 'default', consentModeFor(state));

function originOf(src) {
  try { return src ? new URL(src).origin : ''; } catch (e) { return ''; }
}

function readCookies() { // Map name => first value
  const out = new Map();
  let raw = '';
  try { raw = d.cookie; } catch (e) {} // sandboxed
  raw.split(/; */).forEach(p => {
    const i = p.indexOf('='), k = p.slice(0, i);
    if (i > 0 && !out.has(k)) out.set(k, p.slice(i + 1));
  });
  return out;
}

// How many fk_consent cookies the page sees. A second one can only come from a parent domain
// (set by a sibling site): it must not decide for this one, so two or more mean no choice.
function copies() {
  let raw = '';
  try { raw = d.cookie; } catch (e) {}
  return raw.split(/; */).filter(p => p.slice(0, NAME.length + 1) === NAME + '=').length;
}

// A UUID v4; crypto.randomUUID exists only on https and localhost.
function uuid() {
  if (w.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)), h = [];
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  b.forEach(x => h.push((x < 16 ? '0' : '') + x.toString(16)));
  const x = h.join('');
  return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-');
}

// base64url of UTF-8 (escape/unescape convert between UTF-8 bytes and code units).
function b64dec(s) {
  if (!/^[\w-]*$/.test(s)) throw Error();
  s = s.replace(/-/g, '+').replace(/_/g, '/');
  while (s.length % 4) s += '=';
  return decodeURIComponent(escape(atob(s)));
}
function b64enc(s) {
  return btoa(unescape(encodeURIComponent(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The stored choice, or null unless every rule of the README holds.
function parseCookie(v) {
  try {
    if (typeof v !== 'string' || v.slice(0, 2) !== '1.') return null;
    const o = JSON.parse(b64dec(v.slice(2)));
    if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
    const c = o.c, t = o.t, now = nowS(), idOk = typeof o.id === 'string' && UUID.test(o.id);
    if (idOk) prevId = o.id; // the next choice keeps it even if the rest is stale
    return idOk && Object.keys(o).sort().join() === 'c,id,p,r,t' &&
      Array.isArray(c) && c.includes('necessary') && new Set(c).size === c.length &&
      c.every(x => SETUP.categories.includes(x)) && o.r === SETUP.revision && o.p === SETUP.policyVersion &&
      Number.isInteger(t) && t <= now + DAY && t >= now - MAX_AGE ? makeState(o.id, c, t) : null;
  } catch (e) { return null; }
}
function makeState(id, c, time) {
  const categories = Object.freeze(c.slice());
  return Object.freeze({ id, categories, revision: SETUP.revision, policyVersion: SETUP.policyVersion, time });
}

function writeCookie(st) {
  const v = b64enc(JSON.stringify({ id: st.id, c: st.categories, r: st.revision, p: st.policyVersion, t: st.time }));
  try {
    d.cookie = NAME + '=1.' + v + '; Path=/; Max-Age=' + MAX_AGE + '; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
  } catch (e) {}
}

const matches = (pat, n) => (pat.slice(-1) === '*' ? n.startsWith(pat.slice(0, -1)) : n === pat);

// '' (this host only) and '; Domain=.x' for the host and each parent domain.
function domainForms() {
  const host = location.hostname || '', parts = host.split('.'), doms = [''];
  if (!/^[\d.]+$|:/.test(host)) {
    for (let i = 0; i < parts.length - 1; i++) doms.push('; Domain=.' + parts.slice(i).join('.'));
  }
  return doms;
}

// Expires the cookies named by `pats` (not those named by `keep`) on each path and domain form.
function deleteCookies(pats, keep) {
  const present = [...readCookies().keys()], names = new Set();
  pats.forEach(p => (p.slice(-1) === '*' ? present.filter(n => matches(p, n)) : [p]).forEach(n => names.add(n)));
  const path = location.pathname || '/', doms = domainForms();
  const paths = new Set(['/', path, path.slice(0, path.lastIndexOf('/')) || '/']);
  names.forEach(n => {
    if (n === NAME || keep.some(p => matches(p, n))) return;
    paths.forEach(p => doms.forEach(dm => {
      try { d.cookie = n + '=; Max-Age=0; Path=' + p + dm; } catch (e) {}
    }));
  });
}

function consentModeFor(st) {
  const g = c => (st && st.categories.includes(c) ? 'granted' : 'denied'), m = g('marketing'), p = g('preferences');
  return {
    ad_storage: m, ad_user_data: m, ad_personalization: m, analytics_storage: g('statistics'),
    functionality_storage: p, personalization_storage: p, security_storage: 'granted',
  };
}

const allowed = c => c === 'necessary' || !!(state && state.categories.includes(c));

// Script gating: a text/plain script runs, once, when its category is allowed. They run in
// document order, an external script (unless async) waited for before the next, as the parser
// would: a library and the inline call that uses it must not swap.
const waitingFor = [];
let scriptBusy = false;
function gate(el) {
  const cat = el.getAttribute('data-category');
  if (el.getAttribute('type') === 'text/plain' && cat && !el.hasAttribute('data-fk-ran') &&
    el.parentNode && allowed(cat)) {
    el.setAttribute('data-fk-ran', '');
    waitingFor.push(el);
    pump();
  }
}
function pump() {
  while (!scriptBusy && waitingFor.length) scriptBusy = runScript(waitingFor.shift());
}
// Inserts the runnable copy; true when the next must wait for it to load.
function runScript(old) {
  if (!old.parentNode) return false;
  const s = d.createElement('script'), type = old.getAttribute('data-type');
  Array.from(old.attributes).forEach(a => {
    if (a.name !== 'type' && a.name !== 'data-category' && a.name !== 'data-fk-ran') s.setAttribute(a.name, a.value);
  });
  if (old.nonce) s.nonce = old.nonce; // the nonce attribute is hidden once connected
  const waits = old.hasAttribute('src') && !old.hasAttribute('async');
  if (waits) {
    s.async = false;
    s.onload = s.onerror = () => { scriptBusy = false; pump(); };
  }
  if (type) s.setAttribute('type', type);
  s.textContent = old.textContent;
  old.parentNode.insertBefore(s, old.nextSibling);
  return waits;
}
const sweep = () => Array.from(d.querySelectorAll(SEL)).forEach(gate);

function observe() {
  if (typeof MutationObserver !== 'function') return;
  new MutationObserver(recs => recs.forEach(r => {
    Array.from(r.addedNodes).forEach(n => {
      if (n.nodeType !== 1) return;
      // While the page is parsed, the DOMContentLoaded sweep runs everything, in order.
      if (d.readyState === 'loading') return;
      if (n.nodeName === 'SCRIPT') gate(n);
      else if (n.nodeName === 'IFRAME') { if (n.hasAttribute('data-src')) frame(n); }
      else if (n.querySelectorAll) {
        Array.from(n.querySelectorAll(SEL)).forEach(gate);
        Array.from(n.querySelectorAll(FRAMES)).forEach(frame);
      }
    });
    // A frame the page removes takes its placeholder along, and gets its own display back:
    // put in again (moved), it is measured and blocked afresh.
    Array.from(r.removedNodes || []).forEach(n => { if (n.nodeName === 'IFRAME') release(n); });
  })).observe(d.documentElement, { childList: true, subtree: true });
  if (!ds.lang) new MutationObserver(relang).observe(d.documentElement, { attributes: true, attributeFilter: ['lang'] });
}

// Receipts: queued in localStorage (in memory when storage is disabled), sent one at a time.
let memQ = [], busy = false, timer = 0, delay = 2000;
const sent = new Set(), key = x => JSON.stringify(x);
function loadQ() {
  try {
    const q = JSON.parse(w.localStorage.getItem(QKEY));
    memQ = Array.isArray(q) ? q : [];
  } catch (e) {} // storage disabled
  return memQ;
}
function saveQ(q) {
  memQ = q;
  try {
    if (q.length) w.localStorage.setItem(QKEY, key(q)); else w.localStorage.removeItem(QKEY);
  } catch (e) {}
}
function queue(st) {
  saveQ(loadQ().concat([{
    consent_id: st.id, categories: st.categories, config_revision: st.revision,
    policy_version: st.policyVersion, gpc, queued_at: Date.now(),
  }]).slice(-20));
}
// true when done with the item (2xx, or 4xx which can never succeed), false to retry. A 429
// (the visitor's address recorded its hourly number of receipts) is kept and sent again after
// the wait the answer names: a choice is never dropped for being made behind a busy address.
async function send(it) {
  try {
    const body = JSON.stringify(it, ['consent_id', 'categories', 'config_revision', 'policy_version', 'gpc']);
    const r = await fetch(API + '/api/consent', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body, credentials: 'include', keepalive: true,
    });
    if (r.status === 429) {
      const wait = await r.json().then(e => +e.retry_after, () => 0);
      if (wait > 0) delay = Math.min(wait, 3600) * 1000;
      return false;
    }
    if (r.status >= 400 && r.status < 500) console.warn('fkConsent: receipt rejected', r.status);
    return r.status < 500;
  } catch (e) { return false; }
}
// Re-reads the queue after each POST, so choices made meanwhile are sent by the same run.
async function flush() {
  if (busy) return;
  busy = true;
  try {
    for (let it; (it = loadQ().find(x => !sent.has(key(x))));) {
      if (!(await send(it))) return retry();
      sent.add(key(it));
      delay = 2000;
      saveQ(loadQ().filter(x => !sent.has(key(x))));
    }
  } finally { busy = false; }
}
function retry() {
  clearTimeout(timer);
  timer = setTimeout(() => { timer = 0; flush(); }, delay);
  delay = Math.min(delay * 2, 60000);
}

// The banner. Its first view comes with this script (`SETUP.views`: HTML the server rendered
// from the app's components, in each language) and is painted at once into a Shadow DOM root,
// so a visitor can answer without any WebAssembly. The module is imported only for the
// preferences dialog; from then on it draws everything in that root.
let root = null, mod = null, loading = null, shown = null; // shown: what the loader painted
const NOTICE = 'fk_consent_nocookies';
function lang() {
  const l = String(ds.lang || d.documentElement.lang || 'ru').split(/[-_]/)[0].trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(SETUP.views, l) ? l : 'ru';
}
const view = () => SETUP.views[lang()];

// The first view is the server's own markup. Under Trusted Types it goes through a policy
// named `fk-consent`, which such a page allows by name; a page that does not gets one clear
// error, and the rest (the choice, gating, receipts) keeps working.
let tt = null, ttTried = false, ttFailed = false;
function setHTML(el, html) {
  if (!ttTried && w.trustedTypes) {
    ttTried = true;
    try { tt = w.trustedTypes.createPolicy('fk-consent', { createHTML: x => x }); } catch (e) {}
  }
  try {
    el.innerHTML = tt ? tt.createHTML(html) : html;
    return true;
  } catch (e) {
    if (!ttFailed) console.error("fkConsent: the page's Trusted Types policy must allow 'fk-consent' for the banner", e);
    ttFailed = true;
    return false;
  }
}

// The stylesheet, adopted by every shadow root of ours (CSSOM: no CSP rule applies to it).
// A browser without constructable stylesheets links the same file and is shown nothing until
// it applies: an unstyled banner would sit in the page flow for a moment and then jump.
let sheet = null;
function style(sr, box) {
  try {
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(SETUP.css); }
    sr.adoptedStyleSheets = [sheet];
    return;
  } catch (e) { sheet = null; }
  if (!SETUP.banner) return;
  const link = d.createElement('link');
  link.rel = 'stylesheet';
  link.href = API + SETUP.banner.css;
  box.style.display = 'none';
  link.onload = link.onerror = () => { box.style.display = ''; };
  sr.insertBefore(link, sr.firstChild);
}

function ensureRoot() {
  if (root) {
    if (!root.host.isConnected) (d.body || d.documentElement).appendChild(root.host);
    return root;
  }
  const host = d.createElement('div'), box = d.createElement('div');
  const sr = host.attachShadow({ mode: 'open' });
  host.id = 'fk-consent';
  style(sr, box);
  sr.append(box);
  box.addEventListener('click', onClick);
  reserveFor(box);
  root = { host, box };
  (d.body || d.documentElement).appendChild(host);
  return root;
}

// A bar at the bottom of the window must leave the page usable: as much padding under the
// page as the bar is high lets its end scroll clear of it, and the same bottom scroll padding
// keeps a focused element from hiding under it (WCAG 2.4.11). Both on <html>, so they stay at
// the very end whatever the page appends to <body> later, and only add there: nothing in view
// moves. Kept here for whatever the root shows, painted or drawn by the module: the root's
// own changes (and the bar's size) trigger it.
function reserveFor(box) {
  let bar = null, own = null; // the page's own inline values, while ours are set
  const resized = typeof ResizeObserver === 'function' ? new ResizeObserver(() => reserve()) : null;
  function reserve() {
    const now = box.querySelector('.fk-banner');
    if (now !== bar && resized) {
      resized.disconnect();
      if (now) resized.observe(now);
    }
    bar = now;
    const h = bar ? bar.offsetHeight : 0, html = d.documentElement, st = html.style;
    if (h > 0) {
      if (!own) {
        // Added to what the page has (its stylesheet's values included), never instead of it.
        const cs = w.getComputedStyle ? w.getComputedStyle(html) : {};
        const base = v => (v && v !== 'auto' ? v : '0px');
        own = { pad: st.paddingBottom, scroll: st.scrollPaddingBottom, padBase: base(cs.paddingBottom), scrollBase: base(cs.scrollPaddingBottom) };
      }
      st.paddingBottom = 'calc(' + own.padBase + ' + ' + h + 'px)';
      st.scrollPaddingBottom = 'calc(' + own.scrollBase + ' + ' + h + 'px)';
    } else if (own) {
      st.paddingBottom = own.pad;
      st.scrollPaddingBottom = own.scroll;
      own = null;
    }
  }
  if (typeof MutationObserver === 'function') new MutationObserver(reserve).observe(box, { childList: true, subtree: true });
}

// Links in the first view are relative to the API origin; the GPC note shows when it applies.
function complete(el) {
  el.querySelectorAll('a[href^="/"]').forEach(a => a.setAttribute('href', API + a.getAttribute('href')));
  const note = el.querySelector('[data-fk="gpc"]');
  if (note) note.hidden = !gpc;
}

function paint(mode) { // 'banner' or 'nocookies'
  const r = ensureRoot();
  lastLang = lang();
  if (!setHTML(r.box, mode === 'banner' ? view().banner : view().notice)) return;
  complete(r.box);
  shown = mode;
  current = null;
}
function unpaint() {
  if (!shown) return;
  root.box.textContent = '';
  shown = null;
}

function onClick(ev) {
  // Our links go where they say, as a full page load: a router of the page (the Privacy
  // Center's own bundles among them) must not take them for one of its routes.
  if (ev.target.closest && ev.target.closest('a[href]')) return ev.stopPropagation();
  const b = shown && ev.target.closest && ev.target.closest('[data-action]');
  if (!b) return; // the module handles what it drew
  const act = b.getAttribute('data-action');
  if (act === 'accept') set(SETUP.acceptAll[gpc ? 1 : 0]);
  else if (act === 'reject') set(['necessary']);
  else if (act === 'customise') preferences();
  else if (act === 'retry') {
    // The retry button is about to hide: the focus goes back to what opens the dialog.
    const c = root.box.querySelector('[data-action="customise"]');
    if (c) c.focus();
    preferences();
  }
  else if (act === 'dismiss') {
    try { w.sessionStorage.setItem(NOTICE, '1'); } catch (e) {}
    unpaint();
  }
}

// The dialog's state in the banner, which stays and keeps working meanwhile.
let current = null;
function status(which) {
  if (shown !== 'banner') return;
  current = which;
  root.box.querySelectorAll('[data-fk="loading"], [data-fk="failed"]').forEach(el => {
    el.hidden = el.getAttribute('data-fk') !== which;
  });
  // It is the bar's last row: a bar taller than its room (a phone, 200% zoom) scrolls to it.
  const bar = root.box.querySelector('.fk-banner');
  if (bar) bar.scrollTop = bar.scrollHeight;
}

// Asked for and not yet drawn: a choice made meanwhile (here or by the page) withdraws the
// request, so a dialog never opens over an answered question.
let wanted = false;
function preferences() {
  if (mod) return mod.show('preferences', lang());
  wanted = true;
  if (shown !== 'banner') {
    paint('banner');
    // A live region is announced when its text changes, not when it arrives with it.
    setTimeout(() => { if (wanted && !mod) status('loading'); }, 50);
  } else status('loading');
  loadModule().then(m => {
    if (!wanted || mod) return;
    if (!m) return status('failed');
    wanted = false;
    mod = m;
    unpaint();
    m.mount(root.box, 'preferences', lang(), true);
  });
}

let attempts = 0;
function loadModule() {
  if (!loading) {
    loading = (async () => {
      const b = SETUP.banner;
      if (!b) throw Error('the banner module is not built');
      const wasm = fetch(API + b.wasm); // downloads beside the script
      wasm.catch(() => {});
      // A browser remembers a failed import by its address: a retry asks at another one.
      const m = await import(API + b.js + (attempts++ ? '?retry=' + attempts : ''));
      await m.default({ module_or_path: wasm });
      return m;
    })().catch(e => {
      console.error('fkConsent: the preferences dialog could not be loaded', e);
      loading = null; // the next click tries again (a flaky network, files replaced by a release)
      return null;
    });
  }
  return loading;
}

function request(mode) {
  if (!SETUP) return;
  if (mod) return mod.show(mode, lang());
  if (mode === 'preferences') return preferences();
  paint(mode);
}

// Frames of third parties (`<iframe data-src data-category>`, no `src`): loaded when their
// category is allowed; until then a placeholder of the same size names the provider and
// offers to load this one once or to allow the category.
const FRAMES = 'iframe[data-src]';
const placeholders = new WeakMap(), warned = new WeakSet(), hiddenAs = new WeakMap();
let once = new WeakSet(); // loaded for this page view only, until the next choice
function providerOf(el) {
  let host = '', web = false;
  try {
    const u = new URL(el.getAttribute('data-src'), location.href);
    host = u.hostname;
    web = u.protocol === 'https:' || u.protocol === 'http:';
  } catch (e) {}
  const p = (SETUP.frames || []).find(f => f.hosts.some(h => host === h || host.endsWith('.' + h)));
  return { p, host, web, cat: el.getAttribute('data-category') || (p ? p.category : '') };
}
function warnOnce(el, why) {
  if (warned.has(el)) return;
  warned.add(el);
  console.warn('fkConsent: blocked a frame ' + why + ': ' + el.getAttribute('data-src'));
}
function frame(el) {
  const { p, host, web, cat } = providerOf(el);
  // Only a web page becomes a frame's `src`: never `javascript:` or the like.
  if (!web) return warnOnce(el, 'whose data-src is not an http(s) address');
  if (!SETUP.categories.includes(cat)) {
    return warnOnce(el, 'of unknown category "' + cat + '" (known: ' + SETUP.categories.join(', ') + ')');
  }
  if (allowed(cat) || once.has(el)) showFrame(el); else blockFrame(el, p, host, cat);
}
function showFrame(el) {
  release(el);
  const src = el.getAttribute('data-src');
  if (el.getAttribute('src') !== src) el.setAttribute('src', src);
}
function blockFrame(el, p, host, cat) {
  if (el.hasAttribute('src') && el.getAttribute('src') !== 'about:blank') el.setAttribute('src', 'about:blank');
  const held = placeholders.get(el);
  if (held && held.isConnected) return fillFrame(held, el, p, host, cat);
  if (!el.parentNode) return;
  // The frame's own box, measured while it still shows, is the placeholder's.
  const r = el.getBoundingClientRect(), cs = w.getComputedStyle ? w.getComputedStyle(el) : {};
  const ph = d.createElement('div'), sr = ph.attachShadow({ mode: 'open' }), box = d.createElement('div');
  ph.className = cs.display === 'block' ? 'fk-frame-host fk-block' : 'fk-frame-host';
  box.className = 'fk-frame-box';
  style(sr, box);
  sr.appendChild(box);
  box.style.width = (r.width || +el.getAttribute('width') || 300) + 'px'; // a hidden frame: its own size
  box.style.height = (r.height || +el.getAttribute('height') || 150) + 'px';
  if (cs.margin) box.style.margin = cs.margin;
  box.addEventListener('click', ev => {
    const b = ev.target.closest && ev.target.closest('[data-action]');
    if (!b) return;
    if (b.getAttribute('data-action') === 'once') once.add(el);
    else set((state ? state.categories : []).concat([cat]));
    frame(el);
    if (el.focus) el.focus(); // the button is gone: the content takes its place, and the focus
  });
  placeholders.set(el, ph);
  fillFrame(ph, el, p, host, cat);
  el.parentNode.insertBefore(ph, el);
  if (!hiddenAs.has(el)) hiddenAs.set(el, [el.style.getPropertyValue('display'), el.style.getPropertyPriority('display')]);
  el.style.setProperty('display', 'none', 'important');
}
// The frame as the page made it: no placeholder, its own display.
function release(el) {
  const ph = placeholders.get(el);
  placeholders.delete(el);
  if (ph && ph.parentNode) ph.parentNode.removeChild(ph);
  const own = hiddenAs.get(el);
  hiddenAs.delete(el);
  if (own) {
    if (own[0]) el.style.setProperty('display', own[0], own[1]); else el.style.removeProperty('display');
  }
}
function fillFrame(ph, el, p, host, cat) {
  const box = ph.shadowRoot.lastChild;
  if (!setHTML(box, view().frame)) return;
  box.firstElementChild.setAttribute('aria-label', el.getAttribute('title') || (p ? p.provider : host));
  box.querySelectorAll('[data-fk="provider"]').forEach(x => { x.textContent = p ? p.provider : host; });
  box.querySelectorAll('[data-fk="category"]').forEach(x => { x.textContent = SETUP.names[lang()][cat] || cat; });
  const link = box.querySelector('[data-fk="policy"]'), line = box.querySelector('[data-fk="policy-line"]');
  if (p && link) link.setAttribute('href', p.policy);
  else if (line) line.parentNode.removeChild(line);
}
const sweepFrames = () => Array.from(d.querySelectorAll(FRAMES)).forEach(frame);

// A page that switches its language (`<html lang>`) gets the banner and placeholders in it.
let lastLang = null;
function relang() {
  if (lang() === lastLang) return;
  lastLang = lang();
  if (shown) {
    const was = current, focused = root.box.contains(root.host.shadowRoot.activeElement) && root.host.shadowRoot.activeElement;
    const act = focused && focused.getAttribute('data-action');
    paint(shown);
    if (was) status(was);
    const again = act && root.box.querySelector('[data-action="' + act + '"]');
    if (again) again.focus();
  }
  sweepFrames(); // refills the placeholders
  if (mod && mod.set_lang) mod.set_lang(lang());
}

const subs = [];
function onChange(cb) {
  if (typeof cb === 'function') subs.push(cb);
  return () => { const i = subs.indexOf(cb); if (i >= 0) subs.splice(i, 1); };
}
function notify(st) {
  subs.slice().forEach(cb => { try { cb(st); } catch (e) { console.error(e); } });
  d.dispatchEvent(new CustomEvent('fk:consent', { detail: st }));
}

function set(list) {
  if (!SETUP) return null;
  try {
    const want = Array.isArray(list) ? list : [], cookies = SETUP.cookies || {};
    const cats = ['necessary'].concat(SETUP.categories.filter(c => c !== 'necessary' && want.includes(c)));
    const names = ok => [].concat(...SETUP.categories.filter(c => cats.includes(c) === ok).map(c => cookies[c] || []));
    state = makeState(state ? state.id : prevId || uuid(), cats, nowS());
    wanted = false;
    if (shown === 'banner') unpaint(); // answered, here or by the page's own script
    // Copies set for parent domains go: from now on this host's own cookie decides.
    domainForms().slice(1).forEach(dm => { try { d.cookie = NAME + '=; Max-Age=0; Path=/' + dm; } catch (e) {} });
    writeCookie(state);
    deleteCookies(names(false), names(true));
    w.gtag('consent', 'update', consentModeFor(state));
    queue(state);
    flush();
    sweep();
    once = new WeakSet(); // a new choice decides for every frame
    try { sweepFrames(); } catch (e) { console.error('fkConsent: frames:', e); }
    notify(state);
  } catch (e) { console.error('fkConsent:', e); }
  return state;
}

const fk = w.fkConsent = {
  get: () => state, allowed, show: () => request('banner'), showPreferences: () => request('preferences'),
  onChange, set, setup: SETUP, api: API, gpc, cookiesEnabled,
};
if (!SETUP) return console.warn('fkConsent: served without its setup; nothing is allowed but necessary');

function ready() {
  sweep();
  sweepFrames();
  let dismissed = false;
  try { dismissed = w.sessionStorage.getItem(NOTICE) === '1'; } catch (e) {}
  if (!state && (cookiesEnabled || !dismissed)) request(cookiesEnabled ? 'banner' : 'nocookies');
}
observe();
if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', ready, { once: true }); else ready();
w.addEventListener('online', () => { delay = 2000; flush(); });
flush();
})();
