// The consent loader (/consent.js), part 3: the banner (its first view, its buttons) and the
// preferences module. consent/build.mjs joins consent/loader/*.js, in name order, into the body
// of one strict-mode function and minifies it: the parts share its scope, and a `return` here
// ends the loader.

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
