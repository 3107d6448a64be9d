/**
 * The fast start-up path (bin/objflow-objtool, bin/objflow-fast.cjs: one bundled CommonJS file plus
 * V8's code cache, output straight to the descriptors) must behave exactly like bin/objflow.js: the
 * same stdout, stderr, exit status and rewritten object for the same command line. The oracle is the
 * ordinary CLI (tsc's modules, Node's streams), run on a second copy of the same input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
const FAST = join(repo, 'bin', 'objflow-fast.cjs');
const OBJTOOL_LAUNCHER = join(repo, 'bin', 'objflow-objtool');
const BUNDLE = join(repo, 'dist', 'objflow.cjs');
const GOOD = join(repo, 'examples', 'bin', 'good.o');
const BAD = join(repo, 'examples', 'bin', 'bad.o');
/** kbuild's objtool arguments for x86-64 (as logged in the kernel corpus' objtool-args.log) */
const KBUILD = ['--hacks=jump_label', '--hacks=noinstr', '--hacks=skylake', '--orc', '--retpoline', '--rethunk',
  '--static-call', '--uaccess', '--prefix=16'];

// bin/objflow.js itself runs the bundle when it is built; the oracle here is tsc's modules
process.env.OBJFLOW_ESM = '1';

const work = mkdtempSync(join(tmpdir(), 'objflow-fast-'));
after(() => rmSync(work, { recursive: true, force: true }));

before(() => {
  // `npm ci`/`npm run build` make the bundle; after a bare `tsc` it may be missing or older than dist/src
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestMtime(join(repo, 'dist', 'src'))) {
    const r = spawnSync(process.execPath, [join(repo, 'dist', 'tools', 'bundle.js')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `building the bundle failed: ${r.stderr}`);
  }
});

interface Run { status: number | null; out: string; err: string }

function run(cmd: string, args: readonly string[], cwd = work): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'latin1', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The same objtool command line on two copies of `input` (same relative name, so messages match). */
function objtoolBoth(input: string, args: readonly string[]): { fast: Run; slow: Run; fastBytes: Buffer; slowBytes: Buffer } {
  const a = join(work, `fast-${Math.random().toString(36).slice(2)}`);
  const b = join(work, `slow-${Math.random().toString(36).slice(2)}`);
  mkdirSync(a);
  mkdirSync(b);
  copyFileSync(input, join(a, 'obj.o'));
  copyFileSync(input, join(b, 'obj.o'));
  const fast = run(OBJTOOL_LAUNCHER, [...args, 'obj.o'], a);
  const slow = run(process.execPath, [OBJFLOW, 'objtool', ...args, 'obj.o'], b);
  return { fast, slow, fastBytes: readFileSync(join(a, 'obj.o')), slowBytes: readFileSync(join(b, 'obj.o')) };
}

test('objflow-objtool with kbuild arguments: same warnings, status and rewritten object as objflow objtool', () => {
  for (const input of [GOOD, BAD]) {
    const r = objtoolBoth(input, KBUILD);
    assert.deepEqual(r.fast, r.slow, input);
    assert.ok(r.slowBytes.equals(r.fastBytes), `${input}: rewritten objects differ`);
    // a run that did something: objtool's ORC sections were added (the file grew)
    assert.ok(r.slowBytes.length > readFileSync(input).length, `${input}: nothing was written`);
  }
  // what the real objtool 6.12 prints for bad.o with these arguments (run by hand), so a launcher that
  // analysed nothing, or something else, cannot pass by agreeing with a broken CLI
  const bad = objtoolBoth(BAD, KBUILD);
  assert.equal(bad.fast.err,
    "obj.o: warning: objtool: unbalanced_return+0xa: 'naked' return found in MITIGATION_RETHUNK build\n" +
    "obj.o: warning: objtool: path_mismatch+0x8: 'naked' return found in MITIGATION_RETHUNK build\n" +
    "obj.o: warning: objtool: dead_code+0x2: 'naked' return found in MITIGATION_RETHUNK build\n" +
    'obj.o: warning: objtool: falls_off() falls through to next function dead_code()\n');
  assert.equal(bad.fast.status, 0);
});

test('objflow-objtool: --dump=orc, usage errors and a missing file as objflow objtool', () => {
  const dumped = objtoolBoth(BAD, ['--orc']);
  // objtool 6.12 on bad.o with --orc (run by hand)
  assert.equal(dumped.fast.err,
    'obj.o: warning: objtool: unbalanced_return+0xa: return with modified stack frame\n' +
    'obj.o: warning: objtool: path_mismatch+0x8: return with modified stack frame\n' +
    'obj.o: warning: objtool: falls_off() falls through to next function dead_code()\n');
  assert.deepEqual(dumped.fast, dumped.slow);
  assert.ok(dumped.fastBytes.equals(dumped.slowBytes));
  const dir = join(work, 'dump');
  mkdirSync(dir);
  copyFileSync(GOOD, join(dir, 'obj.o'));
  run(OBJTOOL_LAUNCHER, ['--orc', 'obj.o'], dir);
  const fast = run(OBJTOOL_LAUNCHER, ['--dump=orc', 'obj.o'], dir);
  const slow = run(process.execPath, [OBJFLOW, 'objtool', '--dump=orc', 'obj.o'], dir);
  assert.deepEqual(fast, slow);
  assert.match(fast.out, /type:call/);
  for (const args of [[], ['--frobnicate', 'x.o'], ['--orc', 'no-such-file.o'], ['--orc', '--dump', 'x.o']]) {
    assert.deepEqual(run(OBJTOOL_LAUNCHER, args), run(process.execPath, [OBJFLOW, 'objtool', ...args]), args.join(' '));
  }
  assert.equal(run(OBJTOOL_LAUNCHER, []).status, 2);
});

test('objflow-fast.cjs: every command as bin/objflow.js', () => {
  const cases: string[][] = [
    ['--help'], [], ['frobnicate'],
    ['check', GOOD, BAD], ['check', '--format', 'json', GOOD, BAD], ['check', '--format', 'sarif', BAD],
    ['unwind', '--format', 'json', GOOD], ['jumptables', '--format', 'json', GOOD],
    ['verify', GOOD], ['verify', '--format', 'sarif', GOOD],
    ['check', join(work, 'no-such-file.o')],
  ];
  for (const argv of cases) {
    assert.deepEqual(run(process.execPath, [FAST, ...argv]), run(process.execPath, [OBJFLOW, ...argv]), argv.join(' '));
  }
  assert.equal(run(process.execPath, [FAST, 'check', GOOD, BAD]).status, 1);
});

test('bin/objflow.js runs the bundle when it is built, with the same results as tsc\'s modules', () => {
  const viaBundle = (argv: readonly string[]): Run => {
    const r = spawnSync(process.execPath, [OBJFLOW, ...argv], { cwd: work, encoding: 'latin1', env: { ...process.env, OBJFLOW_ESM: '0' } });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  for (const argv of [['check', GOOD, BAD], ['verify', '--format', 'json', GOOD], ['frobnicate']]) {
    assert.deepEqual(viaBundle(argv), run(process.execPath, [OBJFLOW, ...argv]), argv.join(' '));
  }
});

test('objflow-objtool found through a symbolic link (as node_modules/.bin makes) runs the same launcher', () => {
  const link = join(work, 'objtool-link');
  symlinkSync(OBJTOOL_LAUNCHER, link);
  assert.deepEqual(run(link, []), run(process.execPath, [OBJFLOW, 'objtool']));
});

test('the code cache was made by this Node and is accepted, so functions are not compiled again', () => {
  const probe = `const l = require(${JSON.stringify(FAST)}); process.stdout.write(String(l.load().cacheRejected));`;
  const r = run(process.execPath, ['-e', probe]);
  assert.equal(r.err, '');
  assert.equal(r.out, 'false');
  assert.ok(existsSync(`${BUNDLE}.cache`));
});

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}
