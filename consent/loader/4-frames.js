// The consent loader (/consent.js), part 4: third-party frames, the page's language,
// `window.fkConsent` and the start. consent/build.mjs joins consent/loader/*.js, in name order,
// into the body of one strict-mode function and minifies it: the parts share its scope, and a
// `return` here ends the loader.

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

// A page that offers the choice itself (its controls marked `data-fk-choice`, as the Privacy
// Center's cookie settings) is not covered by the banner: the question is asked there. The
// banner stands back while such controls are in the document, and comes back when they go
// unanswered (a single-page app moving on).
// Only their coming and going counts: a page may still call `show()` on such a page.
let held = false, owned = false;
const asks = () => !!(d.querySelector && d.querySelector('[data-fk-choice]'));
function hold() {
  const own = asks();
  if (own === owned) return;
  owned = own;
  if (state || mod || !cookiesEnabled) held = false;
  else if (own && shown === 'banner' && !wanted) { unpaint(); held = true; }
  // Gone for good, not redrawn (an app taking over its server-drawn page) by the next frame.
  else if (!own && held) (w.requestAnimationFrame || setTimeout)(() => {
    if (held && !state && !mod && !asks()) { held = false; paint('banner'); }
  });
}

function ready() {
  sweep();
  sweepFrames();
  let dismissed = false;
  try { dismissed = w.sessionStorage.getItem(NOTICE) === '1'; } catch (e) {}
  if (!state && cookiesEnabled && (owned = asks())) held = true;
  else if (!state && (cookiesEnabled || !dismissed)) request(cookiesEnabled ? 'banner' : 'nocookies');
}
observe();
if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', ready, { once: true }); else ready();
w.addEventListener('online', () => { delay = 2000; flush(); });
flush();
