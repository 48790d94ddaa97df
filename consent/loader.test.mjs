// Tests for the consent loader (consent/loader/, built by consent/build.mjs): `node --test consent/`.
// The loader as served (minified) runs in a node:vm context
// with small fakes of the browser objects it touches (written below, no npm packages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID, webcrypto } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, source } from './build.mjs';

// What the server serves (minified when esbuild is installed, as `cargo xtask test` makes sure),
// and the parts as written.
const { code: SOURCE } = build();
const WRITTEN = source();
const PLACEHOLDER = '/*FK_SETUP*/null';
const SEL = 'script[type="text/plain"][data-category]';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY = 86400;
const API = 'https://api.fortekassa.kz';
const SETUP = {
  revision: '3f2a9c0d1e4b5a69',
  policyVersion: 1,
  categories: ['necessary', 'preferences', 'statistics', 'marketing'],
  cookies: {
    necessary: ['fk_consent', 'fk_session'],
    preferences: ['fk_prefs'],
    statistics: ['_ga', '_ga_*'],
    marketing: ['_fbp'],
  },
  acceptAll: [['necessary', 'preferences', 'statistics', 'marketing'], ['necessary', 'preferences', 'statistics']],
  names: Object.fromEntries(['ru', 'kk', 'en'].map(l => [l, { necessary: 'N-' + l, preferences: 'P-' + l, statistics: 'S-' + l, marketing: 'M-' + l }])),
  frames: [],
  views: Object.fromEntries(['ru', 'kk', 'en'].map(l => [l, { banner: `<section class="fk-banner">banner ${l}</section>`, notice: `<section class="fk-banner">notice ${l}</section>`, frame: `<div>frame ${l}</div>` }])),
  css: '.fk-banner { position: fixed; }',
  banner: { js: '/consent/fk_consent-abc.js', wasm: '/consent/fk_consent-abc_bg.wasm', css: '/consent/consent-abc.css' },
};
const DENIED = {
  ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied',
  functionality_storage: 'denied', personalization_storage: 'denied', security_storage: 'granted',
};

// ---- helpers --------------------------------------------------------------------------------

const now = () => Math.floor(Date.now() / 1000);
const b64url = s => Buffer.from(s, 'utf8').toString('base64url');
const cookieValue = obj => '1.' + b64url(JSON.stringify(obj));
const validChoice = (over = {}) => ({ id: randomUUID(), c: ['necessary', 'statistics'], r: SETUP.revision, p: 1, t: now(), ...over });
// Objects from the vm realm have other prototypes: compare them as plain JSON.
const plain = x => JSON.parse(JSON.stringify(x));
const tick = async (n = 3) => { for (let i = 0; i < n; i++) await new Promise(r => setImmediate(r)); };
// Waits (up to 10 s) for something asynchronous the loader does, such as importing a module.
const until = async cond => {
  for (const end = Date.now() + 10000; !cond();) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + cond);
    await new Promise(r => setTimeout(r, 5));
  }
};

// ---- a tiny DOM ---------------------------------------------------------------------------

function eventTarget(obj) {
  const listeners = {};
  obj.addEventListener = (type, fn, opts) => (listeners[type] ||= []).push({ fn, once: !!(opts && opts.once) });
  obj.removeEventListener = (type, fn) => { listeners[type] = (listeners[type] || []).filter(l => l.fn !== fn); };
  obj.dispatchEvent = ev => {
    for (const l of [...(listeners[ev.type] || [])]) {
      if (l.once) obj.removeEventListener(ev.type, l.fn);
      l.fn.call(obj, ev);
    }
    return true;
  };
  return obj;
}

function fakeStyle() {
  const props = new Map();
  return {
    setProperty(k, v, prio = '') { props.set(k, [String(v), prio]); },
    removeProperty(k) { props.delete(k); },
    getPropertyValue(k) { return (props.get(k) || [''])[0]; },
    getPropertyPriority(k) { return (props.get(k) || ['', ''])[1]; },
  };
}

class FakeElement {
  constructor(tag) {
    eventTarget(this);
    this.style = fakeStyle();
    this.nodeType = 1;
    this.nodeName = this.tagName = tag.toUpperCase();
    this.attrs = new Map();
    this.childNodes = [];
    this.parentNode = null;
    this.text = '';
  }
  get textContent() { return this.text; }
  set textContent(v) { this.text = String(v); this.html = ''; }
  getAttribute(n) { return this.attrs.has(n) ? this.attrs.get(n) : null; }
  setAttribute(n, v) { this.attrs.set(n, String(v)); }
  hasAttribute(n) { return this.attrs.has(n); }
  get attributes() { return [...this.attrs].map(([name, value]) => ({ name, value })); }
  get dataset() {
    const out = {};
    for (const [k, v] of this.attrs) if (k.startsWith('data-')) out[k.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v;
    return out;
  }
  get id() { return this.getAttribute('id') || ''; }
  set id(v) { this.setAttribute('id', v); }
  get rel() { return this.getAttribute('rel') || ''; }
  set rel(v) { this.setAttribute('rel', v); }
  get href() { return this.getAttribute('href') || ''; }
  set href(v) { this.setAttribute('href', v); }
  get src() { return this.getAttribute('src') || ''; }
  set src(v) { this.setAttribute('src', v); }
  insertBefore(child, ref) {
    if (child.parentNode) child.parentNode.childNodes.splice(child.parentNode.childNodes.indexOf(child), 1);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(child); else this.childNodes.splice(i, 0, child);
    child.parentNode = this;
    return child;
  }
  appendChild(child) {
    // A stylesheet "loads" once it is in a tree, as in a browser.
    if (child.nodeName === 'LINK' && typeof child.onload === 'function') queueMicrotask(() => child.onload({ type: 'load' }));
    return this.insertBefore(child, null);
  }
  append(...children) { children.forEach(c => this.appendChild(c)); }
  get nextSibling() {
    if (!this.parentNode) return null;
    const s = this.parentNode.childNodes;
    return s[s.indexOf(this) + 1] || null;
  }
  get firstChild() { return this.childNodes[0] || null; }
  get lastChild() { return this.childNodes.at(-1) || null; }
  get isConnected() {
    let n = this;
    while (n.parentNode) n = n.parentNode;
    return n.nodeName === 'HTML' || n.nodeName === '#SHADOW-ROOT';
  }
  // What the loader painted: the markup it was given (the DOM tests in first-view.test.mjs parse it).
  set innerHTML(html) { this.html = String(html); this.childNodes = []; }
  get innerHTML() { return this.html || ''; }
  *descendants() { for (const c of this.childNodes) { yield c; yield* c.descendants(); } }
  // The gating selector; the frames selector (no frames here: see first-view.test.mjs); any
  // selector into painted markup finds nothing.
  querySelectorAll(sel) {
    if (sel !== SEL) return [];
    return [...this.descendants()].filter(e => e.nodeName === 'SCRIPT' && e.getAttribute('type') === 'text/plain' && e.hasAttribute('data-category'));
  }
  querySelector() { return null; }
  attachShadow(init) {
    this.shadowRoot = new FakeElement('#shadow-root');
    this.shadowRoot.mode = init.mode;
    return this.shadowRoot;
  }
}

// document.cookie: a jar by name (paths and domains are recorded in `cookieWrites`, not modelled).
class FakeDocument {
  constructor({ cookie = '', readyState = 'complete', lang = '' }) {
    eventTarget(this);
    this.jar = new Map();
    for (const part of cookie.split(/; */).filter(Boolean)) this.jar.set(part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1));
    this.cookieWrites = [];
    this.readyState = readyState;
    this.documentElement = new FakeElement('html');
    this.documentElement.lang = lang;
    this.head = this.documentElement.appendChild(new FakeElement('head'));
    this.body = this.documentElement.appendChild(new FakeElement('body'));
    this.created = [];
  }
  get cookie() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  set cookie(s) {
    this.cookieWrites.push(s);
    const [pair, ...attrs] = s.split(';').map(x => x.trim());
    const name = pair.slice(0, pair.indexOf('=')), value = pair.slice(pair.indexOf('=') + 1);
    const maxAge = attrs.find(a => /^max-age=/i.test(a));
    if (maxAge && Number(maxAge.split('=')[1]) <= 0) this.jar.delete(name); else this.jar.set(name, value);
  }
  createElement(tag) { const e = new FakeElement(tag); this.created.push(e); return e; }
  querySelectorAll(sel) { return this.documentElement.querySelectorAll(sel); }
}

function fakeStorage(init = {}) {
  const m = new Map(Object.entries(init));
  return { map: m, getItem: k => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: k => m.delete(k) };
}

const inlineScript = (doc, category, text, attrs = {}) => {
  const s = doc.createElement('script');
  s.setAttribute('type', 'text/plain');
  s.setAttribute('data-category', category);
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  s.textContent = text;
  return s;
};

// Runs the loader in a fresh context. Options describe the page; returns the fakes to inspect.
function load(opts = {}) {
  const {
    setup = SETUP, cookie = '', readyState = 'complete', scriptData = { api: API + '/' }, scriptSrc = API + '/consent.js',
    currentScript = true, gpc, cookieEnabled = true, respond = () => ({ status: 201 }), storage = fakeStorage(),
    session = fakeStorage(), lang = 'ru', before = () => {}, href = 'https://shop.fortekassa.kz/shop/page', importer,
  } = opts;
  const doc = new FakeDocument({ cookie, readyState, lang });
  if (currentScript) {
    const me = doc.createElement('script');
    me.src = scriptSrc;
    for (const [k, v] of Object.entries(scriptData)) me.setAttribute('data-' + k, v);
    doc.head.appendChild(me);
    doc.currentScript = me;
  } else doc.currentScript = null;
  const u = new URL(href);
  const logs = { warn: [], error: [] };
  const fetchCalls = [], timers = [], observers = [], changes = [];
  const win = eventTarget({
    document: doc,
    navigator: { cookieEnabled, ...(gpc === undefined ? {} : { globalPrivacyControl: gpc }) },
    location: { origin: u.origin, hostname: u.hostname, pathname: u.pathname, protocol: u.protocol, href },
    sessionStorage: session,
    crypto: { randomUUID, getRandomValues: a => webcrypto.getRandomValues(a) },
    console: { warn: (...a) => logs.warn.push(a), error: (...a) => logs.error.push(a), log() {} },
    fetch: async (url, init) => { fetchCalls.push({ url, init }); return respond(url, init); },
    setTimeout: (fn, ms) => timers.push({ fn, ms, cleared: false }),
    clearTimeout: id => { if (timers[id - 1]) timers[id - 1].cleared = true; },
    CustomEvent: class CustomEvent { constructor(type, init) { this.type = type; this.detail = init && init.detail; } },
    MutationObserver: class MutationObserver {
      constructor(cb) { this.cb = cb; observers.push(this); }
      observe(target, options) { this.target = target; this.options = options; }
      trigger(records) { this.cb(records, this); }
    },
    URL, atob, btoa, TextEncoder, TextDecoder,
  });
  if (storage === 'throws') Object.defineProperty(win, 'localStorage', { get() { throw new Error('SecurityError'); } });
  else win.localStorage = storage;
  win.window = win;
  doc.addEventListener('fk:consent', e => changes.push(e.detail));
  before(win, doc);
  const keysBefore = new Set(Object.keys(win));
  const code = setup === null ? SOURCE : SOURCE.replace(PLACEHOLDER, () => JSON.stringify(setup));
  const script = new vm.Script(code, { filename: 'loader.js', importModuleDynamically: importer });
  vm.createContext(win);
  script.runInContext(win);
  const newGlobals = Object.keys(win).filter(k => !keysBefore.has(k)).sort();
  const runTimer = () => { const t = timers.filter(x => !x.cleared).pop(); t.cleared = true; t.fn(); };
  const queue = () => JSON.parse(storage.map?.get('fk_consent_queue') ?? '[]');
  // The loader's shadow root (`#fk-consent`) and what it painted into it.
  const painted = () => {
    const host = doc.body.childNodes.find(e => e.id === 'fk-consent');
    return host ? host.shadowRoot.childNodes.find(e => e.nodeName === 'DIV').innerHTML : null;
  };
  return { win, doc, fk: win.fkConsent, logs, fetchCalls, timers, runTimer, observers, painted, changes, newGlobals, queue, storage };
}

const consentArgs = entry => { assert.equal(Object.prototype.toString.call(entry), '[object Arguments]'); return plain([...entry]); };
const decodeCookie = v => { assert.match(v, /^1\.[\w-]+$/); return JSON.parse(Buffer.from(v.slice(2), 'base64url').toString('utf8')); };
const ranScripts = doc => doc.created.filter(e => e.nodeName === 'SCRIPT' && e.parentNode && e.getAttribute('type') !== 'text/plain' && e !== doc.currentScript);

// ---- the file -----------------------------------------------------------------------------

test('the placeholder appears exactly once and the file avoids eval and inline styles', () => {
  // As written and as served (the minifier writes double quotes and drops spaces).
  for (const code of [WRITTEN, SOURCE]) {
    assert.equal(code.split(PLACEHOLDER).length - 1, 1);
    // Styles only through the CSSOM, which no CSP rule covers; markup only the server's, in one place.
    assert.doesNotMatch(code, /\beval\s*\(|new Function|style\s*=[^=]|<style|setAttribute\(['"]style['"]|\.style\.cssText/);
    assert.equal(code.split('innerHTML').length - 1, 1, 'one place sets markup: setHTML');
  }
  assert.match(WRITTEN, /^\(function \(\) \{\n'use strict';/m);
  assert.match(SOURCE, /^\(function ?\(\) ?\{\s*['"]use strict['"];/m);
});

test('served raw (no setup): fails soft', () => {
  const t = load({ setup: null, cookie: 'fk_consent=' + cookieValue(validChoice()) });
  assert.equal(t.logs.warn.length, 1);
  assert.equal(t.fk.get(), null);
  assert.equal(t.fk.allowed('necessary'), true);
  assert.equal(t.fk.allowed('statistics'), false);
  assert.equal(t.fk.set(['statistics']), null);
  assert.equal(t.fk.setup, null);
  assert.deepEqual(consentArgs(t.win.dataLayer[0]), ['consent', 'default', DENIED]);
  assert.equal(t.painted(), null);
  assert.equal(t.fetchCalls.length, 0);
});

test('exposes exactly the documented members and no other global', () => {
  const t = load();
  assert.deepEqual(Object.keys(t.fk).sort(),
    ['allowed', 'api', 'cookiesEnabled', 'get', 'gpc', 'onChange', 'set', 'setup', 'show', 'showPreferences']);
  assert.deepEqual(t.newGlobals, ['dataLayer', 'fkConsent', 'gtag']);
  assert.deepEqual(plain(t.fk.setup), SETUP);
  assert.equal(t.fk.gpc, false);
  assert.equal(t.fk.cookiesEnabled, true);
});

test('loaded twice, the second copy does nothing', () => {
  const t = load();
  const first = t.fk, observers = t.observers.length;
  vm.runInContext(SOURCE.replace(PLACEHOLDER, () => JSON.stringify(SETUP)), t.win);
  assert.equal(t.win.fkConsent, first);
  assert.equal(t.win.dataLayer.length, 1);
  assert.equal(t.observers.length, observers);
});

test('the API origin: data-api (trailing slash trimmed), else the script origin, else the page origin', () => {
  assert.equal(load({ scriptData: { api: 'https://a.example.kz//' } }).fk.api, 'https://a.example.kz');
  assert.equal(load({ scriptData: {}, scriptSrc: 'https://b.example.kz:8443/consent.js?v=1' }).fk.api, 'https://b.example.kz:8443');
  assert.equal(load({ currentScript: false }).fk.api, 'https://shop.fortekassa.kz');
});

// ---- the cookie ---------------------------------------------------------------------------

test('a valid cookie gives the state; allowed() follows it; no banner is requested', () => {
  const choice = validChoice({ c: ['necessary', 'statistics'] });
  const t = load({ cookie: 'a=1; fk_consent=' + cookieValue(choice) + '; b=2', scriptData: { api: API } });
  assert.deepEqual(plain(t.fk.get()), { id: choice.id, categories: choice.c, revision: SETUP.revision, policyVersion: 1, time: choice.t });
  assert.equal(t.fk.allowed('necessary'), true);
  assert.equal(t.fk.allowed('statistics'), true);
  assert.equal(t.fk.allowed('marketing'), false);
  assert.equal(t.painted(), null);
});

test('the time limits are inclusive of one day ahead and 182 days back', () => {
  for (const time of [now() + DAY - 60, now() - 182 * DAY + 60]) {
    assert.notEqual(load({ cookie: 'fk_consent=' + cookieValue(validChoice({ t: time })) }).fk.get(), null, String(time));
  }
});

const INVALID = {
  'bad prefix': () => '2.' + b64url(JSON.stringify(validChoice())),
  'no prefix': () => b64url(JSON.stringify(validChoice())),
  'bad base64': () => '1.eyJp$ZCI6',
  'base64 with padding chars': () => '1.' + Buffer.from(JSON.stringify(validChoice())).toString('base64') + '==',
  'bad JSON': () => '1.' + b64url('{"id":'),
  'JSON array': () => '1.' + b64url('[1,2]'),
  'extra key': () => cookieValue(validChoice({ x: 1 })),
  'missing key': () => { const c = validChoice(); delete c.t; return cookieValue(c); },
  'upper-case UUID': () => cookieValue(validChoice({ id: randomUUID().toUpperCase() })),
  'UUID v1': () => cookieValue(validChoice({ id: 'c232ab00-9414-11ec-b3c8-9f6bdeced846' })),
  'UUID bad variant': () => { const u = randomUUID(); return cookieValue(validChoice({ id: u.slice(0, 19) + 'c' + u.slice(20) })); },
  'unknown category': () => cookieValue(validChoice({ c: ['necessary', 'ads'] })),
  'missing necessary': () => cookieValue(validChoice({ c: ['statistics'] })),
  'duplicate category': () => cookieValue(validChoice({ c: ['necessary', 'statistics', 'statistics'] })),
  'categories not an array': () => cookieValue(validChoice({ c: 'necessary' })),
  'wrong revision': () => cookieValue(validChoice({ r: '0000000000000000' })),
  'wrong policy version': () => cookieValue(validChoice({ p: 2 })),
  'policy version as a string': () => cookieValue(validChoice({ p: '1' })),
  't too old': () => cookieValue(validChoice({ t: now() - 183 * DAY })),
  't in the future': () => cookieValue(validChoice({ t: now() + 2 * DAY })),
  't not an integer': () => cookieValue(validChoice({ t: now() + 0.5 })),
};
for (const [name, make] of Object.entries(INVALID)) {
  test(`invalid cookie (${name}): no choice, denied defaults, and a banner request`, () => {
    const t = load({ cookie: 'fk_consent=' + make(), scriptData: { api: API } });
    assert.equal(t.fk.get(), null);
    assert.equal(t.fk.allowed('statistics'), false);
    assert.equal(t.fk.allowed('necessary'), true);
    assert.deepEqual(consentArgs(t.win.dataLayer[0]), ['consent', 'default', DENIED]);
    assert.equal(t.painted(), SETUP.views.ru.banner);
  });
}

// ---- Consent Mode ---------------------------------------------------------------------------

test('Consent Mode: denied defaults pushed synchronously, before DOMContentLoaded, as arguments objects', () => {
  const t = load({ readyState: 'loading', before: win => { win.dataLayer = [{ event: 'earlier' }]; } });
  assert.equal(t.win.dataLayer.length, 2);
  assert.deepEqual(plain(t.win.dataLayer[0]), { event: 'earlier' });
  assert.deepEqual(consentArgs(t.win.dataLayer[1]), ['consent', 'default', DENIED]);
  assert.equal(typeof t.win.gtag, 'function');
});

test('Consent Mode: the granted mapping comes from a valid choice; an existing gtag is used', () => {
  const calls = [];
  const t = load({
    cookie: 'fk_consent=' + cookieValue(validChoice({ c: ['necessary', 'marketing', 'statistics'] })),
    before: win => { win.gtag = (...a) => calls.push(a); },
  });
  assert.equal(t.win.dataLayer.length, 0);
  assert.deepEqual(plain(calls), [['consent', 'default', {
    ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted', analytics_storage: 'granted',
    functionality_storage: 'denied', personalization_storage: 'denied', security_storage: 'granted',
  }]]);
});

test('Consent Mode: update pushed after set()', () => {
  const t = load();
  t.fk.set(['preferences']);
  const last = consentArgs(t.win.dataLayer.at(-1));
  assert.deepEqual(last, ['consent', 'update', { ...DENIED, functionality_storage: 'granted', personalization_storage: 'granted' }]);
  t.fk.set(['statistics', 'marketing', 'preferences']);
  assert.deepEqual(consentArgs(t.win.dataLayer.at(-1))[2], Object.fromEntries(Object.keys(DENIED).map(k => [k, 'granted'])));
});

// ---- set() and receipts ---------------------------------------------------------------------

test('the cookie is base64url of UTF-8: text beyond ASCII round-trips; bad UTF-8 or a BOM is no choice', () => {
  // The revision is the one free-text field the cookie carries.
  const setup = { ...SETUP, revision: 'ревизия-ü-€-😀' };
  const t = load({ setup });
  t.fk.set(['statistics']);
  assert.equal(decodeCookie(t.doc.jar.get('fk_consent')).r, setup.revision);
  const choice = validChoice({ r: setup.revision });
  assert.deepEqual(plain(load({ setup, cookie: 'fk_consent=' + cookieValue(choice) }).fk.get().categories), choice.c);
  const bytes = b => '1.' + Buffer.from(b).toString('base64url');
  const json = Buffer.from(JSON.stringify(choice), 'utf8');
  for (const bad of [Buffer.concat([json.subarray(0, 20), Buffer.from([0xff]), json.subarray(20)]), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json])]) {
    assert.equal(load({ setup, cookie: 'fk_consent=' + bytes(bad) }).fk.get(), null);
  }
});

test('set() writes the cookie in the documented format and returns the state', async () => {
  const t = load();
  const st = t.fk.set(['statistics', 'bogus', 'statistics']);
  const write = t.doc.cookieWrites.find(w => w.startsWith('fk_consent=1.'));
  assert.match(write, /^fk_consent=1\.[\w-]+; Path=\/; Max-Age=15724800; SameSite=Lax; Secure$/);
  const stored = decodeCookie(t.doc.jar.get('fk_consent'));
  assert.deepEqual(Object.keys(stored).sort(), ['c', 'id', 'p', 'r', 't']);
  assert.match(stored.id, UUID_V4);
  assert.deepEqual(stored.c, ['necessary', 'statistics']);
  assert.equal(stored.r, SETUP.revision);
  assert.equal(stored.p, 1);
  assert.ok(Math.abs(stored.t - now()) <= 2);
  assert.deepEqual(plain(st), { id: stored.id, categories: stored.c, revision: stored.r, policyVersion: 1, time: stored.t });
  assert.deepEqual(plain(t.fk.get()), plain(st));
  assert.equal(t.fk.allowed('statistics'), true);
  // A reload reads the same choice back.
  assert.deepEqual(plain(load({ cookie: 'fk_consent=' + t.doc.jar.get('fk_consent') }).fk.get()), plain(st));
  // The id is kept by later choices; bad input is ignored, never thrown.
  assert.equal(t.fk.set([]).id, st.id);
  assert.deepEqual(plain(t.fk.set('statistics').categories), ['necessary']);
  assert.deepEqual(plain(t.fk.set(undefined).categories), ['necessary']);
});

test('set() on http pages leaves out Secure; a stale cookie\'s id is kept', () => {
  const old = validChoice({ r: 'ffffffffffffffff' });
  const t = load({ href: 'http://localhost:8080/', cookie: 'fk_consent=' + cookieValue(old) });
  assert.equal(t.fk.get(), null);
  t.fk.set([]);
  assert.match(t.doc.cookieWrites.find(w => w.startsWith('fk_consent=')), /; SameSite=Lax$/);
  assert.equal(decodeCookie(t.doc.jar.get('fk_consent')).id, old.id);
});

test('set() queues a receipt with exactly the five fields and POSTs it; 2xx empties the queue', async () => {
  let inQueue;
  const t = load({ gpc: true, respond: () => { inQueue = t.queue(); return { status: 201 }; } });
  const st = t.fk.set(['statistics']);
  await tick();
  assert.equal(t.fetchCalls.length, 1);
  const { url, init } = t.fetchCalls[0];
  assert.equal(url, API + '/api/consent');
  assert.equal(init.method, 'POST');
  assert.deepEqual(plain(init.headers), { 'Content-Type': 'application/json' });
  assert.equal(init.credentials, 'include');
  assert.equal(init.keepalive, true);
  assert.deepEqual(JSON.parse(init.body), {
    consent_id: st.id, categories: ['necessary', 'statistics'], config_revision: SETUP.revision, policy_version: 1, gpc: true,
  });
  assert.equal(inQueue.length, 1);
  assert.equal(typeof inQueue[0].queued_at, 'number');
  assert.deepEqual(t.queue(), []);
  assert.equal(t.storage.map.has('fk_consent_queue'), false);
});

test('a network error or 5xx keeps the receipt and retries with growing delays; online retries too', async () => {
  let mode = 'offline';
  const t = load({ respond: () => { if (mode === 'offline') throw new TypeError('Failed to fetch'); return { status: mode }; } });
  t.fk.set(['statistics']);
  await tick();
  assert.equal(t.fetchCalls.length, 1);
  assert.equal(t.queue().length, 1);
  assert.deepEqual(t.timers.map(x => x.ms), [2000]);
  t.runTimer();
  await tick();
  assert.equal(t.fetchCalls.length, 2);
  mode = 503;
  t.runTimer();
  await tick();
  assert.equal(t.queue().length, 1);
  for (let i = 0; i < 6; i++) { t.runTimer(); await tick(); }
  assert.deepEqual(t.timers.map(x => x.ms), [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
  mode = 200;
  t.win.dispatchEvent({ type: 'online' });
  await tick();
  assert.deepEqual(t.queue(), []);
  assert.equal(JSON.parse(t.fetchCalls.at(-1).init.body).consent_id, t.fk.get().id);
});

test('a 4xx removes the receipt with a warning', async () => {
  const t = load({ respond: () => ({ status: 400 }) });
  t.fk.set(['statistics']);
  await tick();
  assert.deepEqual(t.queue(), []);
  assert.equal(t.logs.warn.length, 1);
  assert.equal(t.timers.length, 0);
});

test('a 429 keeps the receipt and sends it again after the wait the answer names', async () => {
  let limited = true;
  const t = load({ respond: () => (limited ? { status: 429, json: async () => ({ code: 'too_many_requests', retry_after: 1200 }) } : { status: 201 }) });
  t.fk.set(['statistics']);
  await tick();
  assert.equal(t.fetchCalls.length, 1);
  assert.equal(t.queue().length, 1, 'kept, in storage for later pages too');
  assert.equal(t.storage.map.has('fk_consent_queue'), true);
  assert.deepEqual(t.timers.map(x => x.ms), [1200000]);
  assert.equal(t.logs.warn.length, 0);
  limited = false;
  t.runTimer();
  await tick();
  assert.equal(t.fetchCalls.length, 2);
  assert.deepEqual(t.queue(), [], 'recorded once the hour allowed it');
});

test('a 429 without a readable wait retries like a failure', async () => {
  const t = load({ respond: () => ({ status: 429, json: async () => { throw new SyntaxError('not JSON'); } }) });
  t.fk.set(['statistics']);
  await tick();
  assert.equal(t.queue().length, 1);
  assert.deepEqual(t.timers.map(x => x.ms), [2000]);
});

test('receipts queued on an earlier page are sent on load, without the extra field', async () => {
  const item = { consent_id: randomUUID(), categories: ['necessary'], config_revision: SETUP.revision, policy_version: 1, gpc: false, queued_at: 1 };
  const storage = fakeStorage({ fk_consent_queue: JSON.stringify([item]) });
  const t = load({ storage });
  await tick();
  assert.equal(t.fetchCalls.length, 1);
  const { queued_at, ...sent } = item;
  assert.deepEqual(JSON.parse(t.fetchCalls[0].init.body), sent);
  assert.deepEqual(t.queue(), []);
});

test('one flush at a time: a second choice waits for the first POST', async () => {
  const pending = [];
  const t = load({ respond: () => new Promise(resolve => pending.push(() => resolve({ status: 201 }))) });
  t.fk.set(['statistics']);
  t.fk.set(['marketing']);
  await tick();
  assert.equal(t.fetchCalls.length, 1);
  assert.equal(t.queue().length, 2);
  pending.shift()();
  await tick();
  assert.equal(t.fetchCalls.length, 2);
  assert.deepEqual(JSON.parse(t.fetchCalls[1].init.body).categories, ['necessary', 'marketing']);
  pending.shift()();
  await tick();
  assert.deepEqual(t.queue(), []);
});

test('disabled localStorage: set() still works and sends the receipt', async () => {
  const t = load({ storage: 'throws' });
  assert.doesNotThrow(() => t.fk.set(['statistics']));
  assert.equal(t.fk.allowed('statistics'), true);
  await tick();
  assert.equal(t.fetchCalls.length, 1);
});

// ---- withdrawal ---------------------------------------------------------------------------

test('withdrawal expires the listed cookies on every path and domain form, never fk_consent', () => {
  const t = load({ cookie: '_ga=GA1.1; _ga_XYZ=GS1.1; _fbp=fb.1; fk_session=s; fk_prefs=p; other=1; _gaother=1' });
  t.fk.set(['statistics', 'preferences']);
  assert.ok(t.doc.jar.has('_ga') && t.doc.jar.has('_ga_XYZ') && t.doc.jar.has('fk_prefs'));
  assert.equal(t.doc.jar.has('_fbp'), false, 'marketing is not allowed');
  t.doc.cookieWrites.length = 0;
  t.fk.set([]);
  const expired = new Set(t.doc.cookieWrites.filter(w => /Max-Age=0/.test(w) && !/; Domain=/.test(w)).map(w => w.split('=')[0]));
  assert.deepEqual([...expired].sort(), ['_fbp', '_ga', '_ga_XYZ', 'fk_prefs']);
  for (const form of ['; Path=/', '; Path=/shop/page', '; Path=/shop', '; Path=/; Domain=.shop.fortekassa.kz', '; Path=/shop; Domain=.fortekassa.kz']) {
    assert.ok(t.doc.cookieWrites.includes('_ga_XYZ=; Max-Age=0' + form), form);
  }
  assert.ok(!t.doc.cookieWrites.some(w => /Domain=\.kz\b/.test(w)), 'no top-level domain');
  assert.ok(!t.doc.cookieWrites.some(w => /^(fk_session|other|_gaother)=;/.test(w)));
  // fk_consent is only ever expired for parent domains (copies a sibling site may have set).
  assert.ok(t.doc.cookieWrites.filter(w => /^fk_consent=;/.test(w)).every(w => /; Domain=\./.test(w)));
  assert.deepEqual([...t.doc.jar.keys()].sort(), ['_gaother', 'fk_consent', 'fk_session', 'other']);
  assert.deepEqual(decodeCookie(t.doc.jar.get('fk_consent')).c, ['necessary']);
});

test('withdrawal never deletes fk_consent even when a prefix would match it; allowed names are kept', () => {
  // Even when the configuration forgets to list it under necessary.
  const setup = { ...SETUP, cookies: { ...SETUP.cookies, necessary: ['fk_session'], marketing: ['fk_*', '_ga'] } };
  const t = load({ setup, cookie: '_ga=1; fk_x=1; fk_session=s' });
  t.fk.set(['statistics']);
  assert.ok(!t.doc.cookieWrites.some(w => /^(fk_session|_ga)=;/.test(w)));
  assert.ok(t.doc.cookieWrites.filter(w => /^fk_consent=;/.test(w)).every(w => /; Domain=\./.test(w)));
  assert.ok(t.doc.cookieWrites.some(w => w.startsWith('fk_x=; Max-Age=0')));
  assert.ok(t.doc.jar.has('fk_consent'));
});

// ---- gating -------------------------------------------------------------------------------

test('gating: a statistics script waits for consent, then runs exactly once', () => {
  let stats, stats2, market, nec;
  const t = load({
    before: (win, doc) => {
      stats = doc.body.appendChild(inlineScript(doc, 'statistics', 'window.ran = 1', { id: 'ga', 'data-foo': 'bar' }));
      stats2 = doc.body.appendChild(inlineScript(doc, 'statistics', '', { src: 'https://www.googletagmanager.com/gtag/js', async: '', 'data-type': 'module', crossorigin: 'anonymous' }));
      stats2.nonce = 'n0nce';
      market = doc.body.appendChild(inlineScript(doc, 'marketing', 'fbq()'));
      nec = doc.body.appendChild(inlineScript(doc, 'necessary', 'essential()'));
      doc.body.appendChild(doc.createElement('div'));
    },
  });
  // necessary runs at once; the others wait.
  assert.deepEqual(ranScripts(t.doc).map(s => s.textContent), ['essential()']);
  assert.equal(stats.hasAttribute('data-fk-ran'), false);

  t.fk.set(['statistics']);
  const ran = ranScripts(t.doc);
  assert.equal(ran.length, 3);
  const [a, b] = [stats.nextSibling, stats2.nextSibling];
  assert.ok(ran.includes(a) && ran.includes(b));
  assert.equal(a.nodeName, 'SCRIPT');
  assert.equal(a.getAttribute('type'), null);
  assert.equal(a.textContent, 'window.ran = 1');
  assert.deepEqual(Object.fromEntries(a.attrs), { id: 'ga', 'data-foo': 'bar' });
  assert.equal(b.getAttribute('type'), 'module');
  assert.equal(b.getAttribute('src'), 'https://www.googletagmanager.com/gtag/js');
  assert.equal(b.getAttribute('crossorigin'), 'anonymous');
  assert.equal(b.hasAttribute('data-category'), false);
  assert.equal(b.nonce, 'n0nce');
  assert.ok(stats.hasAttribute('data-fk-ran') && stats2.hasAttribute('data-fk-ran'));
  assert.equal(market.hasAttribute('data-fk-ran'), false);

  t.fk.set(['statistics', 'marketing']);
  t.fk.set(['statistics']);
  assert.equal(ranScripts(t.doc).length, 4);
  assert.equal(ranScripts(t.doc).filter(s => s.textContent === 'window.ran = 1').length, 1);
  assert.equal(market.nextSibling.textContent, 'fbq()');
});

test('gating: a valid choice runs allowed scripts already in the page', () => {
  const t = load({
    cookie: 'fk_consent=' + cookieValue(validChoice()),
    before: (win, doc) => { doc.body.appendChild(inlineScript(doc, 'statistics', 'x()')); doc.body.appendChild(inlineScript(doc, 'marketing', 'y()')); },
  });
  assert.deepEqual(ranScripts(t.doc).map(s => s.textContent), ['x()']);
});

test('gating: the MutationObserver watches the document and gates added scripts and subtrees', () => {
  const t = load({ cookie: 'fk_consent=' + cookieValue(validChoice()) });
  const [mo, ...others] = t.observers.filter(o => o.options.childList);
  assert.deepEqual(others, [], 'one observer of the document (none of a banner: none was painted)');
  assert.equal(mo.target, t.doc.documentElement);
  assert.deepEqual(plain(mo.options), { childList: true, subtree: true });
  const s = t.doc.body.appendChild(inlineScript(t.doc, 'statistics', 'late()'));
  const div = t.doc.body.appendChild(t.doc.createElement('div'));
  const inner = div.appendChild(inlineScript(t.doc, 'statistics', 'nested()'));
  const m = t.doc.body.appendChild(inlineScript(t.doc, 'marketing', 'no()'));
  const text = { nodeType: 3 };
  mo.trigger([{ addedNodes: [s, text] }, { addedNodes: [div, m] }]);
  assert.deepEqual(ranScripts(t.doc).map(x => x.textContent).sort(), ['late()', 'nested()']);
  assert.equal(s.nextSibling.textContent, 'late()');
  assert.equal(inner.nextSibling.textContent, 'nested()');
  mo.trigger([{ addedNodes: [s, div, s.nextSibling] }]);
  assert.equal(ranScripts(t.doc).length, 2);
});

test('gating while parsing: nothing runs until DOMContentLoaded, then all in document order', () => {
  const t = load({ readyState: 'loading', cookie: 'fk_consent=' + cookieValue(validChoice()) });
  const mo = t.observers[0];
  const inline = t.doc.body.appendChild(inlineScript(t.doc, 'statistics', 'partial('));
  const ext = t.doc.body.appendChild(inlineScript(t.doc, 'statistics', '', { src: '/a.js' }));
  mo.trigger([{ addedNodes: [inline, ext] }]);
  assert.deepEqual(ranScripts(t.doc), []);
  inline.textContent = 'partial(1)';
  t.doc.readyState = 'interactive';
  t.doc.dispatchEvent({ type: 'DOMContentLoaded' });
  assert.deepEqual(ranScripts(t.doc).map(x => x.textContent || x.getAttribute('src')), ['partial(1)', '/a.js']);
});

test('gating keeps the order of a library and the inline call that uses it', () => {
  let lib, call;
  const t = load({
    before: (win, doc) => {
      lib = doc.body.appendChild(inlineScript(doc, 'statistics', '', { src: '/gtag.js' }));
      call = doc.body.appendChild(inlineScript(doc, 'statistics', 'gtag("config")'));
    },
  });
  t.fk.set(['statistics']);
  // The library is inserted; its caller waits for it to load.
  assert.deepEqual(ranScripts(t.doc).map(x => x.getAttribute('src')), ['/gtag.js']);
  assert.equal(call.hasAttribute('data-fk-ran'), true, 'queued, so never queued twice');
  lib.nextSibling.onload({ type: 'load' });
  assert.deepEqual(ranScripts(t.doc).map(x => x.textContent || x.getAttribute('src')), ['/gtag.js', 'gtag("config")']);
});

test('without crypto.randomUUID (plain http) the ID still is a UUID v4', () => {
  const t = load({ before: win => { delete win.crypto.randomUUID; } });
  const st = t.fk.set(['statistics']);
  assert.match(st.id, UUID_V4);
});

test('a second fk_consent cookie (from a parent domain) is no choice', () => {
  const two = 'fk_consent=' + cookieValue(validChoice()) + '; fk_consent=' + cookieValue(validChoice());
  // The fake jar keeps one value per name; a browser sends both (host-only and parent-domain).
  const t = load({ scriptData: { api: API }, before: (win, doc) => Object.defineProperty(doc, 'cookie', { get: () => two, set() {} }) });
  assert.equal(t.fk.get(), null);
  assert.equal(t.painted(), SETUP.views.ru.banner);
});

// ---- notifications --------------------------------------------------------------------------

test('onChange callbacks and the fk:consent event get the state; a throwing callback does not stop others', () => {
  const t = load();
  const seen = [];
  t.fk.onChange(() => { throw new Error('boom'); });
  const off = t.fk.onChange(st => seen.push(st));
  const st = t.fk.set(['marketing']);
  assert.equal(seen.length, 1);
  assert.equal(seen[0], st);
  assert.equal(t.changes[0], st);
  assert.equal(t.logs.error.length, 1);
  assert.equal(typeof off, 'function');
  off();
  t.fk.set([]);
  assert.equal(seen.length, 1);
  assert.equal(t.changes.length, 2);
  assert.deepEqual(plain(t.changes[1].categories), ['necessary']);
});

// ---- asking for a choice ------------------------------------------------------------------

test('the first view is painted at DOMContentLoaded, in the page language, from the setup alone', () => {
  const t = load({ readyState: 'loading', lang: 'kk-KZ' });
  assert.equal(t.painted(), null);
  t.doc.readyState = 'interactive';
  t.doc.dispatchEvent({ type: 'DOMContentLoaded' });
  assert.equal(t.painted(), SETUP.views.kk.banner);
  assert.equal(t.fetchCalls.length, 0, 'no module, no wasm: the first view needs nothing more');
  t.fk.set(['statistics']);
  assert.equal(t.painted(), '', 'a choice answers the banner');
  t.fk.show();
  assert.equal(t.painted(), SETUP.views.kk.banner, 'show() paints it again');
  assert.equal(load({ lang: 'de' }).painted(), SETUP.views.ru.banner, 'a language we do not have: Russian');
  assert.equal(load({ lang: 'en', scriptData: { api: API, lang: 'kk' } }).painted(), SETUP.views.kk.banner, 'data-lang first');
});

test('without constructable stylesheets the stylesheet is linked, and nothing shows until it applies', () => {
  const t = load();
  const host = t.doc.body.childNodes.find(e => e.id === 'fk-consent');
  const [link, box] = host.shadowRoot.childNodes;
  assert.equal(link.rel, 'stylesheet');
  assert.equal(link.href, API + SETUP.banner.css);
  assert.equal(box.style.display, 'none');
  link.onload({ type: 'load' });
  assert.equal(box.style.display, '');
});

test('cookies disabled: a nocookies notice once per page view', () => {
  const t = load({ cookieEnabled: false, scriptData: { api: API } });
  assert.equal(t.fk.cookiesEnabled, false);
  assert.equal(t.painted(), SETUP.views.ru.notice);
  const dismissed = load({ cookieEnabled: false, scriptData: { api: API }, session: fakeStorage({ fk_consent_nocookies: '1' }) });
  assert.equal(dismissed.painted(), null);
});

// The banner module for the embed tests: a real ES module file that records its calls.
function bannerModule(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fk-consent-test-'))) {
  fs.mkdirSync(path.join(dir, 'consent'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'consent', 'fk_consent-abc.js'), `
    const rec = globalThis.__fkBannerCalls;
    rec.push(['url', import.meta.url]);
    export default async function init(opts) { rec.push(['init', typeof (await opts.module_or_path)]); }
    export function mount(el, mode, lang, fromBanner) { rec.push(['mount', el.nodeName, mode, lang, fromBanner]); }
    export function show(mode, lang) { rec.push(['show', mode, lang]); }
  `);
  return pathToFileURL(dir).href;
}
const canImport = !!vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

test('the module is imported for the preferences only, once, and then draws in the same root', { skip: !canImport && 'needs vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER' }, async () => {
  const api = bannerModule();
  const calls = globalThis.__fkBannerCalls = [];
  const t = load({ scriptData: { api, lang: 'kk' }, importer: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  assert.equal(t.painted(), SETUP.views.kk.banner);
  t.fk.show();
  assert.deepEqual(calls, [], 'the banner needs no module');
  assert.equal(t.fetchCalls.length, 0);
  t.fk.showPreferences();
  t.fk.showPreferences(); // while the first load is under way
  await until(() => calls.some(c => c[0] === 'mount'));
  assert.ok(t.fetchCalls.some(c => c.url === api + SETUP.banner.wasm), 'the wasm is fetched alongside the module');
  assert.deepEqual(calls.filter(c => c[0] !== 'url'), [['init', 'object'], ['mount', 'DIV', 'preferences', 'kk', true]]);
  assert.equal(t.painted(), '', 'the module draws in place of the first view');
  t.fk.show();
  assert.deepEqual(calls.at(-1), ['show', 'banner', 'kk']);
  assert.equal(t.doc.created.filter(e => e.id === 'fk-consent').length, 1);
});

test('a choice made while the module loads withdraws the request: no dialog over an answer', { skip: !canImport && 'needs vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER' }, async () => {
  const api = bannerModule();
  const calls = globalThis.__fkBannerCalls = [];
  const t = load({ scriptData: { api }, importer: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  t.fk.showPreferences();
  t.fk.set(['necessary']);
  await until(() => calls.some(c => c[0] === 'init'));
  await tick();
  assert.deepEqual(calls.map(c => c[0]), ['url', 'init'], 'loaded, not mounted');
  t.fk.showPreferences();
  await until(() => calls.some(c => c[0] === 'mount'));
  assert.deepEqual(calls.at(-1), ['mount', 'DIV', 'preferences', 'ru', true], 'asked again, it opens');
});

test('after a failed import, a retry asks at another address (a browser keeps the failure by its address)', { skip: !canImport && 'needs vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fk-consent-test-'));
  const calls = globalThis.__fkBannerCalls = [];
  const t = load({ scriptData: { api: pathToFileURL(dir).href }, importer: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  t.fk.showPreferences();
  await until(() => t.logs.error.length === 1); // the module is not there yet: a lost network
  bannerModule(dir);
  t.fk.showPreferences();
  await until(() => calls.some(c => c[0] === 'mount'));
  assert.match(calls.find(c => c[0] === 'url')[1], /fk_consent-abc\.js\?retry=2$/);
});

test('a module that cannot load is logged, and the banner keeps working', async () => {
  const t = load({ setup: { ...SETUP, banner: null }, scriptData: { api: API } });
  t.fk.showPreferences();
  await until(() => t.logs.error.length === 1);
  assert.equal(t.painted(), SETUP.views.ru.banner);
  assert.equal(t.fk.set(['statistics']).categories.length, 2);
  const t2 = load({ scriptData: { api: API }, importer: async () => { throw new Error('network'); } });
  t2.fk.showPreferences();
  await until(() => t2.logs.error.length === 1);
  t2.fk.showPreferences();
  await until(() => t2.logs.error.length === 2); // asked again, it tries again
});
