// Builds the consent loader served as /consent.js: the parts in consent/loader/ joined, in name
// order, into one strict-mode function (`source()`), then minified by esbuild (`build()`).
// The server's build script runs `node consent/build.mjs OUT` and embeds OUT; the node tests
// (consent/*.test.mjs) import `build()` and test the same bytes.
//
// The placeholder the server fills with the setup (`/*FK_SETUP*/null`) is a comment, which a
// minifier drops (and `null` it would fold away): it goes in as a global name the minifier must
// leave alone, and comes back once minified.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PARTS = path.join(here, 'loader');
export const PLACEHOLDER = '/*FK_SETUP*/null';
const STAND_IN = '__FK_SETUP__';
// What the loader's syntax may need: no newer syntax is introduced by the minifier.
const TARGET = 'es2017';

export function parts() {
  return fs.readdirSync(PARTS).filter(n => n.endsWith('.js')).sort().map(n => path.join(PARTS, n));
}

/// The loader as written: every part, in order, in one function.
export function source() {
  const body = parts().map(p => fs.readFileSync(p, 'utf8')).join('\n');
  return "// ForteKassa cookie-consent loader, served as /consent.js. Contract: consent/README.md.\n" +
    "(function () {\n'use strict';\n" + body + '})();\n';
}

function once(text, what, where) {
  const n = text.split(what).length - 1;
  if (n !== 1) throw new Error(`consent loader: ${where} has ${what} ${n} times, not once`);
}

function esbuild() {
  const require = createRequire(path.join(here, '../xtask/npm/package.json'));
  try {
    return require('esbuild');
  } catch (e) {
    return null;
  }
}

/// The loader as served. `minified` is false only when esbuild is not installed (xtask/npm).
export function build() {
  const src = source();
  once(src, PLACEHOLDER, 'the source');
  const esb = esbuild();
  if (!esb) return { code: src, minified: false };
  const out = esb.transformSync(src.replace(PLACEHOLDER, STAND_IN), {
    minify: true,
    target: TARGET,
    legalComments: 'none',
    charset: 'utf8',
  }).code;
  once(out, STAND_IN, 'the minified loader');
  return { code: out.replace(STAND_IN, PLACEHOLDER), minified: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: node consent/build.mjs OUT_FILE');
    process.exit(2);
  }
  const { code, minified } = build();
  fs.writeFileSync(target, code);
  if (!minified) {
    console.log('NOT MINIFIED: esbuild is missing from xtask/npm (`cargo xtask run` installs it)');
  }
}
