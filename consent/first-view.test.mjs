// Tests for what the consent loader (as served: consent/build.mjs) paints, in a real DOM (jsdom, installed by xtask into
// xtask/npm): the banner's first view and its buttons, the dialog's loading state, the
// cookies-disabled notice, the page's language, and placeholders for third-party frames.
// `node --test consent/`. The markup below has the hooks of the server-rendered views
// (src/consent/ui.rs; the server's tests check the real views carry them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { JSDOM, VirtualConsole } = createRequire(import.meta.url)(path.join(here, '../xtask/npm/node_modules/jsdom'));
const { code: SOURCE } = build();
const PLACEHOLDER = '/*FK_SETUP*/null';
const API = 'https://privacy.fortekassa.kz';

const banner = l => `<section class="fk-consent fk-banner" role="region"><div class="fk-banner__text"><h2>banner ${l}</h2>
  <p>text <a href="/policy#section-6">policy</a></p><p class="fk-note" data-fk="gpc" hidden>gpc ${l}</p>
  <p class="fk-status" role="status"><span data-fk="loading" hidden>loading ${l}</span><span data-fk="failed" hidden>failed ${l}
  <button type="button" data-action="retry">retry</button></span></p></div>
  <div class="fk-actions"><button type="button" data-action="accept">accept</button><button type="button" data-action="reject">reject</button>
  <button type="button" data-action="customise">customise</button></div></section>`;
const notice = l => `<section class="fk-consent fk-banner"><h2>notice ${l}</h2><button type="button" data-action="dismiss">ok</button></section>`;
const frame = l => `<div class="fk-consent fk-frame" role="group"><p>${l}: <span data-fk="provider"></span> / <span data-fk="category"></span></p>
  <button type="button" data-action="once">once</button><button type="button" data-action="allow">allow <span data-fk="category"></span></button>
  <p data-fk="policy-line"><a data-fk="policy">policy of <span data-fk="provider"></span></a></p></div>`;
const LANGS = ['ru', 'kk', 'en'];
const SETUP = {
  revision: '3f2a9c0d1e4b5a69',
  policyVersion: 1,
  categories: ['necessary', 'preferences', 'statistics', 'marketing'],
  cookies: { necessary: ['fk_consent'], preferences: ['fk_prefs'], statistics: ['_ga'], marketing: ['_fbp'] },
  acceptAll: [['necessary', 'preferences', 'statistics', 'marketing'], ['necessary', 'preferences', 'statistics']],
  names: Object.fromEntries(LANGS.map(l => [l, { necessary: 'N-' + l, preferences: 'P-' + l, statistics: 'S-' + l, marketing: 'M-' + l }])),
  frames: [{ provider: 'YouTube', hosts: ['www.youtube-nocookie.com', 'youtube.com'], category: 'marketing', policy: 'https://policies.google.com/privacy' }],
  views: Object.fromEntries(LANGS.map(l => [l, { banner: banner(l), notice: notice(l), frame: frame(l) }])),
  css: '.fk-banner { position: fixed; }',
  banner: { js: '/consent/fk_consent-abc.js', wasm: '/consent/fk_consent-abc_bg.wasm', css: '/consent/consent-abc.css' },
};

// A page with the loader run in it. `body`: the page's markup before the loader runs.
async function page({ body = '', lang = 'ru', gpc = false, cookieEnabled = true, setup = SETUP, cookie = '', htmlStyle = '', before = () => {} } = {}) {
  const logs = { warn: [], error: [] };
  const console = new VirtualConsole();
  console.on('warn', (...a) => logs.warn.push(a.join(' ')));
  console.on('error', (...a) => logs.error.push(a.join(' ')));
  console.on('jsdomError', e => logs.error.push(String(e)));
  const dom = new JSDOM(`<!doctype html><html lang="${lang}" style="${htmlStyle}"><head></head><body>${body}</body></html>`, {
    url: 'https://shop.fortekassa.kz/page', runScripts: 'outside-only', pretendToBeVisual: true, virtualConsole: console,
  });
  const w = dom.window, posts = [];
  w.fetch = async (url, init) => {
    if (init && init.method === 'POST') posts.push(JSON.parse(init.body));
    return { status: 201, json: async () => ({}) };
  };
  // Every browser has these; jsdom does not.
  w.TextEncoder = TextEncoder;
  w.TextDecoder = TextDecoder;
  if (cookie) w.document.cookie = cookie;
  before(w);
  Object.defineProperty(w.navigator, 'globalPrivacyControl', { value: gpc });
  Object.defineProperty(w.navigator, 'cookieEnabled', { value: cookieEnabled });
  // The module cannot be imported here: `import()` from jsdom's eval fails, as a lost network would.
  w.eval(`document.currentScript; (function(){ const me = document.createElement('script'); me.src = '${API}/consent.js'; document.head.appendChild(me); })();`);
  // jsdom has no current script for code run from outside: the loader's own tag stands in.
  Object.defineProperty(w.document, 'currentScript', { configurable: true, get: () => w.document.head.lastElementChild });
  w.eval(SOURCE.replace(PLACEHOLDER, () => JSON.stringify(setup)));
  delete w.document.currentScript;
  // The loader paints at DOMContentLoaded, which jsdom fires once this task is done.
  if (w.document.readyState === 'loading') await new Promise(r => w.document.addEventListener('DOMContentLoaded', r));
  const shadow = () => w.document.getElementById('fk-consent')?.shadowRoot;
  const $ = sel => shadow()?.querySelector(sel) ?? null;
  const click = sel => { const el = $(sel); assert.ok(el, 'no ' + sel); el.click(); };
  const choice = () => JSON.parse(JSON.stringify(w.fkConsent.get()?.categories ?? null)); // across realms
  return { w, d: w.document, fk: w.fkConsent, logs, posts, $, click, choice };
}
const settle = () => new Promise(r => setTimeout(r, 0)); // MutationObserver callbacks, fetches
const until = async cond => {
  for (const end = Date.now() + 10000; !cond();) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + cond);
    await new Promise(r => setTimeout(r, 5));
  }
};
const shown = el => !!el && !el.hidden;

test('the painted banner answers with no module: accept all, reject all, each recorded', async () => {
  const p = await page();
  assert.match(p.$('h2').textContent, /banner ru/);
  assert.equal(p.$('a').getAttribute('href'), API + '/policy#section-6', 'links lead to the Privacy Center');
  assert.ok(!shown(p.$('[data-fk="gpc"]')), 'no GPC, no note');
  p.click('[data-action="accept"]');
  assert.deepEqual(p.choice(), SETUP.acceptAll[0]);
  assert.equal(p.$('.fk-banner'), null, 'answered, it goes');
  assert.match(p.d.cookie, /fk_consent=1\./);
  await settle();
  assert.deepEqual(p.posts.map(x => x.categories), [SETUP.acceptAll[0]]);
  const r = await page();
  r.click('[data-action="reject"]');
  assert.deepEqual(r.choice(), ['necessary']);
  await settle();
  assert.deepEqual(r.posts.map(x => x.categories), [['necessary']]);
});

test('with Global Privacy Control the note shows and accept all leaves marketing off', async () => {
  const p = await page({ gpc: true });
  assert.ok(shown(p.$('[data-fk="gpc"]')));
  p.click('[data-action="accept"]');
  assert.deepEqual(p.choice(), SETUP.acceptAll[1]);
});

test('customise shows at once that the dialog loads; a failed load offers to retry; the banner keeps working', async () => {
  const p = await page();
  p.click('[data-action="customise"]');
  assert.ok(shown(p.$('[data-fk="loading"]')), 'loading, in the same click');
  assert.ok(!shown(p.$('[data-fk="failed"]')));
  for (let i = 0; i < 100 && !shown(p.$('[data-fk="failed"]')); i++) await settle();
  assert.ok(shown(p.$('[data-fk="failed"]')), 'the failure is said');
  assert.ok(!shown(p.$('[data-fk="loading"]')));
  assert.equal(p.logs.error.length, 1);
  p.click('[data-action="retry"]');
  assert.ok(shown(p.$('[data-fk="loading"]')), 'retry tries again');
  for (let i = 0; i < 100 && p.logs.error.length < 2; i++) await settle();
  assert.equal(p.logs.error.length, 2);
  p.click('[data-action="reject"]');
  assert.deepEqual(p.choice(), ['necessary']);
});

test('showPreferences() for a visitor who has chosen shows the banner, then its loading state', async () => {
  const p = await page();
  p.click('[data-action="reject"]');
  p.fk.showPreferences();
  assert.ok(p.$('.fk-banner'));
  // A live region filled as it arrives is not announced: the state follows a moment later.
  await until(() => shown(p.$('[data-fk="loading"]')) || shown(p.$('[data-fk="failed"]')));
});

test('the bar adds its place under the page and gives the page its own values back', async () => {
  // jsdom lays nothing out: the bar says it is 80 px high.
  const before = w => Object.defineProperty(w.HTMLElement.prototype, 'offsetHeight', {
    get() { return this.classList.contains('fk-banner') ? 80 : 0; },
  });
  const p = await page({ htmlStyle: 'padding-bottom: 7px; scroll-padding-bottom: 3px', before });
  const html = p.d.documentElement.style;
  assert.equal(html.paddingBottom, 'calc(87px)', 'added to the page\'s own (7 + 80)');
  assert.equal(html.scrollPaddingBottom, 'calc(3px + 80px)');
  p.click('[data-action="accept"]');
  await settle();
  assert.equal(html.paddingBottom, '7px');
  assert.equal(html.scrollPaddingBottom, '3px');
});

test('cookies disabled: the notice, dismissed for the rest of the visit', async () => {
  const p = await page({ cookieEnabled: false });
  assert.match(p.$('h2').textContent, /notice ru/);
  p.click('[data-action="dismiss"]');
  assert.equal(p.$('.fk-banner'), null);
  assert.equal(p.w.sessionStorage.getItem('fk_consent_nocookies'), '1');
});

test('a page that switches its language gets the banner in it', async () => {
  const p = await page({ lang: 'ru' });
  p.d.documentElement.lang = 'kk';
  await settle();
  assert.match(p.$('h2').textContent, /banner kk/);
  p.d.documentElement.lang = 'en-GB';
  await settle();
  assert.match(p.$('h2').textContent, /banner en/);
});

// ---- frames -------------------------------------------------------------------------------

const VIDEO = 'https://www.youtube-nocookie.com/embed/abc';
const iframe = (src, extra = '') => `<iframe data-src="${src}" title="A video" width="560" height="315" ${extra}></iframe>`;
const placeholderOf = el => el.previousElementSibling?.classList.contains('fk-frame-host') ? el.previousElementSibling : null;
const inPlaceholder = (el, sel) => placeholderOf(el).shadowRoot.querySelector(sel);

test('a marked frame shows a placeholder of its size, names provider and category, and loads nothing', async () => {
  const p = await page({ body: iframe(VIDEO, 'data-category="marketing"'), lang: 'kk' });
  const f = p.d.querySelector('iframe');
  assert.equal(f.getAttribute('src'), null, 'no request to the provider');
  assert.equal(f.style.getPropertyValue('display'), 'none');
  const ph = placeholderOf(f);
  assert.ok(ph, 'a placeholder in front of the frame');
  const box = ph.shadowRoot.lastElementChild;
  assert.equal(box.style.width, '560px');
  assert.equal(box.style.height, '315px');
  assert.equal(inPlaceholder(f, '[data-fk="provider"]').textContent, 'YouTube');
  assert.equal(inPlaceholder(f, '[data-fk="category"]').textContent, 'M-kk');
  assert.equal(inPlaceholder(f, '[data-fk="policy"]').getAttribute('href'), SETUP.frames[0].policy);
  assert.equal(inPlaceholder(f, '[role="group"]').getAttribute('aria-label'), 'A video');
});

test('"load this once" loads only that frame and records nothing', async () => {
  const p = await page({ body: iframe(VIDEO + '1') + iframe(VIDEO + '2') });
  const [a, b] = p.d.querySelectorAll('iframe');
  inPlaceholder(a, '[data-action="once"]').click();
  assert.equal(a.getAttribute('src'), VIDEO + '1');
  assert.equal(a.style.getPropertyValue('display'), '', 'shown again');
  assert.equal(placeholderOf(a), null);
  assert.equal(b.getAttribute('src'), null);
  assert.ok(placeholderOf(b));
  assert.equal(p.choice(), null, 'no choice made');
});

test('"allow" records the category, loads every frame of it; withdrawing brings the placeholders back', async () => {
  const p = await page({ body: iframe(VIDEO + '1') + iframe(VIDEO + '2', 'data-category="marketing"') + iframe('https://player.example.com/x', 'data-category="statistics"') });
  const [a, b, c] = p.d.querySelectorAll('iframe');
  inPlaceholder(a, '[data-action="allow"]').click();
  assert.deepEqual(p.choice(), ['necessary', 'marketing']);
  assert.equal(a.getAttribute('src'), VIDEO + '1');
  assert.equal(b.getAttribute('src'), VIDEO + '2');
  assert.equal(c.getAttribute('src'), null, 'statistics is still not allowed');
  await settle();
  assert.deepEqual(p.posts.map(x => x.categories), [['necessary', 'marketing']]);
  p.fk.set(['necessary']);
  for (const f of [a, b]) {
    assert.equal(f.getAttribute('src'), 'about:blank', 'the provider\'s page is gone');
    assert.ok(placeholderOf(f));
    assert.equal(f.style.getPropertyValue('display'), 'none');
  }
});

test('a frame allowed by the stored choice loads at once; one added later is handled', async () => {
  const p = await page({ body: iframe(VIDEO) });
  p.fk.set(['statistics']);
  const late = p.d.createElement('div');
  late.innerHTML = iframe('https://player.vimeo.com/video/1', 'data-category="statistics"') + iframe(VIDEO + 'late');
  p.d.body.appendChild(late);
  await settle();
  const [s, m] = late.querySelectorAll('iframe');
  assert.equal(s.getAttribute('src'), 'https://player.vimeo.com/video/1', 'statistics is allowed');
  assert.ok(placeholderOf(m), 'marketing is not');
  const unknownHost = inPlaceholder(m, '[data-fk="provider"]');
  assert.equal(unknownHost.textContent, 'YouTube');
  m.remove();
  await settle();
  assert.equal(late.querySelectorAll('.fk-frame-host').length, 0, 'a removed frame takes its placeholder along');
});

test('a provider not in the configuration is named by its host, without a policy link', async () => {
  const p = await page({ body: iframe('https://maps.example.org/embed', 'data-category="preferences"') });
  const f = p.d.querySelector('iframe');
  assert.equal(inPlaceholder(f, '[data-fk="provider"]').textContent, 'maps.example.org');
  assert.equal(inPlaceholder(f, '[data-fk="policy"]'), null);
  assert.equal(inPlaceholder(f, '[data-fk="category"]').textContent, 'P-ru');
});

test('a frame of an unknown category stays blocked, with one warning naming it', async () => {
  const p = await page({ body: iframe('https://x.example.org/e', 'data-category="media"') });
  const f = p.d.querySelector('iframe');
  p.fk.set(['statistics', 'marketing', 'preferences']);
  p.fk.set(['statistics']);
  assert.equal(f.getAttribute('src'), null);
  assert.equal(placeholderOf(f), null, 'nothing to offer: no category to allow');
  assert.equal(p.logs.warn.length, 1);
  assert.match(p.logs.warn[0], /"media".*https:\/\/x\.example\.org\/e/);
});

test('a frame the page moves keeps one placeholder and its own display', async () => {
  const p = await page({ body: '<div id="here"></div>' + iframe(VIDEO, 'style="display: block"') });
  const f = p.d.querySelector('iframe');
  p.d.getElementById('here').appendChild(f);
  await settle();
  assert.equal(p.d.querySelectorAll('.fk-frame-host').length, 1, 'the old placeholder went with the move');
  assert.ok(placeholderOf(f));
  assert.equal(f.style.getPropertyValue('display'), 'none');
  inPlaceholder(f, '[data-action="allow"]').click();
  assert.equal(f.style.getPropertyValue('display'), 'block', 'the page\'s own display is back');
  assert.equal(f.getAttribute('src'), VIDEO);
});

test('a returning visitor who allowed the category gets the frames at once', async () => {
  const first = await page();
  first.fk.set(['marketing']);
  const cookie = first.d.cookie.split('; ').find(c => c.startsWith('fk_consent='));
  const p = await page({ body: iframe(VIDEO), cookie });
  const f = p.d.querySelector('iframe');
  assert.equal(f.getAttribute('src'), VIDEO);
  assert.equal(placeholderOf(f), null);
  assert.equal(p.$('.fk-banner'), null, 'and no banner');
});

test('only a web address becomes a frame: a javascript: data-src stays blocked with a warning', async () => {
  const p = await page({ body: iframe('javascript:alert(1)', 'data-category="marketing"') });
  p.fk.set(['marketing']);
  const f = p.d.querySelector('iframe');
  assert.equal(f.getAttribute('src'), null);
  assert.equal(p.logs.warn.length, 1);
  assert.match(p.logs.warn[0], /http\(s\)/);
});

test('a page that switches its language gets its placeholders and the banner state in it', async () => {
  const p = await page({ body: iframe(VIDEO) });
  p.click('[data-action="customise"]');
  await until(() => shown(p.$('[data-fk="failed"]')));
  p.d.documentElement.lang = 'en';
  await settle();
  assert.match(p.$('h2').textContent, /banner en/);
  assert.ok(shown(p.$('[data-fk="failed"]')), 'the failure is still said');
  assert.equal(inPlaceholder(p.d.querySelector('iframe'), '[data-fk="category"]').textContent, 'M-en');
});

test('a page that offers the choice itself is not covered by the banner, which comes back when it goes unanswered', async () => {
  const SETTINGS = '<form data-fk-choice><button type="button">save</button></form>';
  // A first visit straight to such a page: no banner, and the page's own choice is the answer.
  const p = await page({ body: SETTINGS });
  assert.equal(p.$('.fk-banner'), null, 'not over the page that asks itself');
  // A single-page app moves on without an answer: the question is asked again.
  p.d.querySelector('form').remove();
  await until(() => p.$('.fk-banner'));
  // And back: the banner stands back again; answered on the page, it stays away for good.
  p.d.body.insertAdjacentHTML('beforeend', SETTINGS);
  await until(() => !p.$('.fk-banner'));
  p.fk.set(['necessary', 'statistics']);
  p.d.querySelector('form').remove();
  await settle();
  assert.equal(p.$('.fk-banner'), null, 'answered: no banner');
  // Redrawn in place before the next frame (an app taking over the server's page): no flash.
  const r = await page({ body: SETTINGS });
  r.d.querySelector('form').remove();
  await settle();
  r.d.body.insertAdjacentHTML('beforeend', SETTINGS);
  await new Promise(res => r.w.requestAnimationFrame(() => r.w.requestAnimationFrame(res)));
  assert.equal(r.d.getElementById('fk-consent'), null, 'not painted, not even for a moment');
  // A page that asks for the banner itself still gets it.
  const q = await page({ body: SETTINGS });
  q.fk.show();
  await settle();
  assert.ok(q.$('.fk-banner'), 'show() is obeyed');
});
