// The consent loader (/consent.js), part 2: script gating and the queue of receipts.
// consent/build.mjs joins consent/loader/*.js, in name order, into the body of one strict-mode
// function and minifies it: the parts share its scope, and a `return` here ends the loader.

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
  new MutationObserver(recs => (recs.forEach(r => {
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
    // Then: does a page's own choice stand in for the banner now (`hold`, part 4)?
  }), d.readyState === 'loading' || hold())).observe(d.documentElement, { childList: true, subtree: true });
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
