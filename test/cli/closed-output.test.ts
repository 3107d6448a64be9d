/**
 * A reader that goes away (`objflow verify lib.so | head`) ends the output quietly: no stack trace,
 * the exit status of the run. Both entries: the bundle (output straight to the descriptors) and tsc's
 * modules (Node's streams, whose write errors arrive later as events).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
const BAD = join(repo, 'examples', 'bin', 'bad.o');
/** planted unwind-table errors: verify finds mismatches */
const PLANTED = join(repo, 'test', 'fixtures', 'verify', 'x86-64-cfi.o');

/** Runs objflow with its stdout's reader closed before it writes; its status and stderr. */
function withClosedReader(args: string[], esm: boolean): Promise<{ status: number | null; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [OBJFLOW, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OBJFLOW_ESM: esm ? '1' : '0' },
    });
    child.stdout.destroy();
    let err = '';
    child.stderr.setEncoding('latin1');
    child.stderr.on('data', (s: string) => { err += s; });
    child.on('error', fail);
    child.on('close', (status) => done({ status, err }));
  });
}

for (const esm of [false, true]) {
  for (const args of [['verify', '--format', 'json', PLANTED], ['verify', PLANTED], ['check', BAD]]) {
    test(`${args.slice(0, -1).join(' ')} into a closed pipe (${esm ? "tsc's modules" : 'bundle'}): quiet`, async () => {
      const r = await withClosedReader(args, esm);
      // check's findings are on stderr (objtool's form), as in a run whose output is read; nothing else is
      const read = spawnSync(process.execPath, [OBJFLOW, ...args], { env: { ...process.env, OBJFLOW_ESM: esm ? '1' : '0' }, encoding: 'latin1' });
      assert.equal(r.err, read.stderr);
      assert.doesNotMatch(r.err, /Error|\n\s+at /);
      // the findings still decide the status (both files have some)
      assert.equal(r.status, 1);
    });
  }
}
