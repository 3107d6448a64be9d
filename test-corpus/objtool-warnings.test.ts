/**
 * objflow's objtool mode against the real objtool 6.12 on hand-written cases for every warning it
 * can print (test-corpus/fixtures/objtool-warnings/*.s). Each `# objtool-args: OPTIONS` line of a
 * case is one test: the case is assembled with `as`, both tools run with OPTIONS on their own copy
 * (same file name, run from the copy's folder, so both print the same path), and stderr, stdout,
 * the exit status and the resulting object must be the same. Objects are compared byte for byte,
 * or, when the bytes differ, in the binutils views with file offsets taken out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { OBJTOOL, haveCommand, haveObjtool, scratchDir } from './helpers/objtool-tools.js';
import { elfViews, firstDiff } from './helpers/elf-views.js';

const FIXTURES = fileURLToPath(new URL('../../test-corpus/fixtures/objtool-warnings/', import.meta.url));
const OBJFLOW = fileURLToPath(new URL('../../bin/objflow.js', import.meta.url));

const missing = !haveCommand('as') ? 'no GNU as' : !haveObjtool() ? `no objtool at ${OBJTOOL}` : '';
if (missing) console.log(`# objtool warning cases skipped: ${missing}`);

interface Outcome { stdout: string; stderr: string; status: number; object: Buffer; path: string }

/** Runs `cmd args... NAME.o` in a fresh folder holding a copy of `obj`. */
function runOn(dir: string, obj: string, name: string, cmd: string, args: string[]): Outcome {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.o`);
  copyFileSync(obj, path);
  const env = { ...process.env };
  delete env.OBJTOOL_ARGS;
  delete env.OBJTOOL_VERBOSE;
  const r = spawnSync(cmd, [...args, `${name}.o`], { cwd: dir, env, encoding: 'latin1', maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1, object: readFileSync(path), path };
}

const cases = readdirSync(FIXTURES).filter((f) => f.endsWith('.s')).sort();
let work = '';

for (const file of cases) {
  const name = file.slice(0, -2);
  const source = readFileSync(join(FIXTURES, file), 'utf8');
  const runs = source.split('\n').filter((l) => l.startsWith('# objtool-args:')).map((l) => l.slice(15).trim());
  for (const [k, argText] of runs.entries()) {
    test(`objtool warnings: ${name} [${argText}]`, { skip: missing || false }, () => {
      if (!work) work = scratchDir('objtool-warnings');
      const dir = join(work, `${name}-${k}`);
      mkdirSync(dir, { recursive: true });
      const obj = join(dir, 'in.o');
      const as = spawnSync('as', ['--64', '-o', obj, join(FIXTURES, file)], { encoding: 'utf8' });
      assert.equal(as.status, 0, `as failed: ${as.stderr}`);
      const args = argText.split(/\s+/).filter((a) => a);
      const ref = runOn(join(dir, 'objtool'), obj, name, OBJTOOL, args);
      const ours = runOn(join(dir, 'objflow'), obj, name, process.execPath, [OBJFLOW, 'objtool', ...args]);
      assert.equal(ours.stderr, ref.stderr, `stderr differs:\n${firstDiff(ours.stderr, ref.stderr)}`);
      assert.equal(ours.stdout, ref.stdout, `stdout differs:\n${firstDiff(ours.stdout, ref.stdout)}`);
      assert.equal(ours.status, ref.status, 'exit status');
      if (!ours.object.equals(ref.object)) {
        const a = elfViews(ours.path);
        const b = elfViews(ref.path);
        for (const view of ['sections', 'relocs', 'symbols', 'contents'] as const) {
          assert.equal(a[view], b[view], `object differs (${view}):\n${firstDiff(a[view], b[view])}`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
  }
}

test('objtool warning cases: clean up', { skip: missing || false }, () => {
  if (work) rmSync(work, { recursive: true, force: true });
  assert.ok(cases.length > 0, 'no cases found');
});
