// The consent loader (/consent.js), part 1: the setup, the stored choice, its cookie, and
// Consent Mode defaults. consent/build.mjs joins consent/loader/*.js, in name order, into the
// body of one strict-mode function and minifies it: the parts share its scope, and a `return`
// here ends the loader.

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

// base64url of UTF-8. Invalid UTF-8 throws, as a damaged cookie must (parseCookie: no choice).
function b64dec(s) {
  if (!/^[\w-]*$/.test(s)) throw Error();
  s = s.replace(/-/g, '+').replace(/_/g, '/');
  while (s.length % 4) s += '=';
  const bin = atob(s), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}
function b64enc(s) {
  let bin = '';
  new TextEncoder().encode(s).forEach(b => { bin += String.fromCharCode(b); });
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
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
