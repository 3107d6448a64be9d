#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// When the bundle (dist/objflow.cjs and its V8 code cache, see bin/objflow-fast.cjs) is at least as
// new as tsc's output, it runs instead of tsc's ~90 modules: one file to read and precompiled code
// (a start-up cost paid on every run, large or small). After a bare `tsc` the bundle is older and tsc's
// modules run. OBJFLOW_ESM=1 always runs tsc's modules (the tests compare the two paths).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = process.env.OBJFLOW_ESM !== '1' && mtime('../dist/objflow.cjs.cache') >= 0 &&
  mtime('../dist/objflow.cjs') >= mtime('../dist/src/cli/main.js');
const cli = bundled
  ? Promise.resolve(createRequire(import.meta.url)('./objflow-fast.cjs').load().exports)
  : import('../dist/src/cli/main.js').then((m) => ({ run: (args) => m.main(args) }));
cli.then((m) => m.run(argv)).then((code) => {
  process.exitCode = code;
});
