/**
 * OBJFLOW_TIMING=1, the development aid that the performance notes in docs/BENCH.md quote: each stage's
 * line gives the main thread's CPU so far, and the process' CPU is split at exit into the main thread
 * and the others (V8's compiler and GC threads). It writes to stderr only: the report is the same bytes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
const INPUT = join(repo, 'test', 'fixtures', 'verify', 'aarch64-cfi.o');

function run(timing: boolean): { status: number | null; out: string; err: string } {
  const env = { ...process.env };
  if (timing) env.OBJFLOW_TIMING = '1';
  else delete env.OBJFLOW_TIMING;
  const r = spawnSync(process.execPath, [OBJFLOW, 'verify', '--format', 'json', INPUT], { encoding: 'utf8', env });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('timing lines: the main thread per stage, the process split at exit, the report unchanged',
  { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    const plain = run(false);
    const timed = run(true);
    assert.equal(timed.status, plain.status);
    assert.equal(timed.out, plain.out);
    assert.equal(plain.err, '');

    const stages = [...timed.err.matchAll(/^objflow: timing: (.+?) [\d.]+ ms cpu, at \d+ ms; main thread (-?\d+) ms;/gm)];
    assert.ok(stages.length >= 5, `stage lines:\n${timed.err}`);
    const labels = stages.map((m) => m[1]);
    assert.ok(labels.includes('jump tables') && labels.some((l) => l.startsWith('table proof')), labels.join(', '));
    const mains = stages.map((m) => Number(m[2]));
    for (let k = 0; k < mains.length; k++) {
      assert.ok(mains[k] >= 0 && mains[k] % 10 === 0, `a main thread's CPU is clock ticks of 10 ms: ${mains[k]}`);
      if (k > 0) assert.ok(mains[k] >= mains[k - 1], `main-thread CPU went back: ${mains.join(', ')}`);
    }

    const exit = [...timed.err.matchAll(/^objflow: timing: process (\d+) ms cpu \(user\+sys\): main thread (\d+) ms, other threads (-?\d+) ms$/gm)];
    assert.equal(exit.length, 1, `one exit line:\n${timed.err}`);
    const [all, main, other] = [1, 2, 3].map((g) => Number(exit[0][g]));
    assert.equal(all, main + other);
    assert.ok(other >= 0 && main >= mains[mains.length - 1], `${all} = ${main} + ${other}, last stage ${mains[mains.length - 1]}`);
  });
