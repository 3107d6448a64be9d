#!/usr/bin/env node
'use strict';
/*
 * objflow's fast start-up path, for one short process per file (kbuild runs objtool once per object):
 * the whole CLI as one CommonJS file (dist/objflow.cjs) instead of ~90 ES modules to resolve, read and
 * compile, and V8's code cache for it (dist/objflow.cjs.cache), so that the functions a run needs are
 * deserialised rather than compiled. Both are built by `npm ci`/`npm run build` (tools/bundle.ts); the
 * cache is specific to the Node version and V8 flags that made it (plain `node`), and V8 ignores it
 * under others, e.g. V8 flags in NODE_OPTIONS (the bundle is then compiled from source: slower, same
 * output). Same commands and output as bin/objflow.js; output goes straight to the descriptors.
 */
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const BUNDLE = join(DIST, 'objflow.cjs');
const CACHE = `${BUNDLE}.cache`;

/** Compiles and runs the bundle; returns its exports and the script (tools/bundle-warmup.ts makes the cache from it). */
function load() {
  const source = readFileSync(BUNDLE, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(CACHE);
  } catch {
    // no cache (not built yet): compile from source
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: BUNDLE, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, DIST);
  return { exports: mod.exports, script, cacheRejected: cachedData !== undefined && script.cachedDataRejected === true };
}

module.exports = { load, BUNDLE, CACHE };

if (require.main === module) {
  let cli;
  try {
    cli = load().exports;
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    process.stderr.write(`objflow: ${BUNDLE} is missing: run \`npm run build\` (or use bin/objflow.js)\n`);
    process.exit(2);
  }
  cli.run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
