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
const HOST = ds.ui === 'host';
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
  new MutationObserver(recs => recs.forEach(r => Array.from(r.addedNodes).forEach(n => {
    if (n.nodeType !== 1) return;
    // While the page is parsed, the DOMContentLoaded sweep runs everything, in order.
    if (d.readyState === 'loading') return;
    if (n.nodeName === 'SCRIPT') gate(n);
    else if (n.querySelectorAll) Array.from(n.querySelectorAll(SEL)).forEach(gate);
  }))).observe(d.documentElement, { childList: true, subtree: true });
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

// The banner: an event for the host app, or the wasm module in a Shadow DOM root. The
// preferences dialog always comes from the module, even on the host app: it is only needed
// when asked for, so the app's own first download stays small.
let loading = null;
const lang = () => ds.lang || d.documentElement.lang || 'ru';
function request(mode) {
  if (!SETUP) return;
  if (!HOST || mode === 'preferences') return loadBanner(mode);
  fk.pending = mode;
  d.dispatchEvent(new CustomEvent('fk:consent-show', { detail: mode }));
}
function loadBanner(mode) {
  if (loading) return loading.then(m => m && m.show(mode, lang()));
  return (loading = (async () => {
    const b = SETUP.banner;
    if (!b) throw Error('no banner built');
    const host = d.createElement('div'), link = d.createElement('link'), box = d.createElement('div');
    // Drawn only once its stylesheet applies: an unstyled banner would sit in the page flow
    // for a moment and then jump (a layout shift).
    const styled = new Promise(res => { link.onload = link.onerror = res; });
    host.id = 'fk-consent';
    link.rel = 'stylesheet';
    link.href = API + b.css;
    host.attachShadow({ mode: 'open' }).append(link, box);
    (d.body || d.documentElement).appendChild(host);
    // Module, wasm and stylesheet download side by side.
    const wasm = fetch(API + b.wasm);
    const mod = await import(API + b.js);
    await mod.default({ module_or_path: wasm });
    await styled;
    mod.mount(box, mode, lang());
    return mod;
  })().catch(e => {
    console.error('fkConsent: the banner failed to load', e);
    // Let the next request try again (a flaky network, or files replaced by a new release).
    loading = null;
    const el = d.getElementById && d.getElementById('fk-consent');
    if (el && el.parentNode) el.parentNode.removeChild(el);
    return null;
  }));
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
    fk.pending = null;
    // Copies set for parent domains go: from now on this host's own cookie decides.
    domainForms().slice(1).forEach(dm => { try { d.cookie = NAME + '=; Max-Age=0; Path=/' + dm; } catch (e) {} });
    writeCookie(state);
    deleteCookies(names(false), names(true));
    w.gtag('consent', 'update', consentModeFor(state));
    sweep();
    notify(state);
    queue(state);
    flush();
  } catch (e) { console.error('fkConsent:', e); }
  return state;
}

const fk = w.fkConsent = {
  get: () => state, allowed, show: () => request('banner'), showPreferences: () => request('preferences'),
  onChange, set, setup: SETUP, api: API, gpc, cookiesEnabled, pending: null,
};
if (!SETUP) return console.warn('fkConsent: served without its setup; nothing is allowed but necessary');

function ready() {
  sweep();
  let dismissed = false;
  try { dismissed = w.sessionStorage.getItem('fk_consent_nocookies') === '1'; } catch (e) {}
  if (!state && (cookiesEnabled || !dismissed)) request(cookiesEnabled ? 'banner' : 'nocookies');
}
observe();
if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', ready, { once: true }); else ready();
w.addEventListener('online', () => { delay = 2000; flush(); });
flush();
})();
