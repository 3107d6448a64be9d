#!/usr/bin/env node
'use strict';
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// When the bundle (dist/objflow.cjs and its V8 code cache, see bin/objflow-fast.cjs) is at least as
// new as tsc's output, it runs instead of tsc's ~90 modules: one file to read and precompiled code
// (a start-up cost paid on every run, large or small). After a bare `tsc` the bundle is older and tsc's
// modules run. OBJFLOW_ESM=1 always runs tsc's modules (the tests compare the two paths).
// CommonJS (bin/package.json), not an ES module: Node's ES module loader costs ~15 ms more to start.
const { statSync } = require('node:fs');
const { join } = require('node:path');

const argv = process.argv.slice(2);

/*
 * Memory first touched costs as much as the analysis itself on a large input: on a virtual machine
 * each new 4 KiB page is a fault through the hypervisor (about 4 ms per MiB measured here). For the
 * userspace commands on a large input the process runs again with glibc told to back its large
 * blocks with transparent huge pages and to keep freed memory for reuse instead of returning it
 * (docs/ARCHITECTURE.md, "Memory"). glibc reads these settings only at start-up, so this costs one
 * more Node start-up (~50 ms), repaid many times over on a large library. Not for `objtool`: on a
 * whole kernel build the second start-up costs what the huge pages save, and memory kept for reuse
 * would raise its peak; kbuild's entry, bin/objflow-objtool, asks for huge pages without a second
 * process. OBJFLOW_MALLOC=default keeps glibc's defaults; a GLIBC_TUNABLES that already says how to
 * use huge pages is left as it is.
 */
const TUNED_MALLOC = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824';
const TUNED_COMMANDS = new Set(['check', 'verify', 'unwind', 'jumptables']);
const LARGE_INPUT_BYTES = 4 << 20;

const tuned = tunedMallocEnv(argv);
if (tuned) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: tuned });
  if (r.error) {
    // could not start it: run here with the defaults
    process.env.OBJFLOW_MALLOC = 'default';
  } else {
    // a death by signal is reported as a shell reports it (128 + its number)
    process.exit(r.status ?? 128 + (require('node:os').constants.signals[r.signal] ?? 0));
  }
}

function tunedMallocEnv(args) {
  const env = process.env;
  if (process.platform !== 'linux' || env.OBJFLOW_MALLOC === 'default' || !TUNED_COMMANDS.has(args[0])) return undefined;
  // an argument that is not UTF-8 reaches a child only as U+FFFD (the CLI reads it back from /proc)
  if (args.some((a) => a.includes('\ufffd'))) return undefined;
  const current = env.GLIBC_TUNABLES ?? '';
  if (current.includes('glibc.malloc.hugetlb')) return undefined;
  let bytes = 0;
  for (const a of args.slice(1)) {
    if (a.startsWith('-')) continue;
    try {
      const st = statSync(a);
      if (st.isFile()) bytes += st.size;
    } catch {
      // not a file name: an option's value
    }
  }
  if (bytes < LARGE_INPUT_BYTES) return undefined;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${TUNED_MALLOC}` : TUNED_MALLOC };
}

const mtime = (rel) => {
  try {
    return statSync(join(__dirname, rel)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = process.env.OBJFLOW_ESM !== '1' && mtime('../dist/objflow.cjs.cache') >= 0 &&
  mtime('../dist/objflow.cjs') >= mtime('../dist/src/cli/main.js');
const cli = bundled
  ? Promise.resolve(require('./objflow-fast.cjs').load().exports)
  : import('../dist/src/cli/main.js').then((m) => ({ run: (args) => m.main(args) }));
cli.then((m) => m.run(argv)).then((code) => {
  process.exitCode = code;
});
