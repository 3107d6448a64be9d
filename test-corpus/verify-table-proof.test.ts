/**
 * The table proof (src/frame/table-proof.ts) on real code: every SQLite corpus build (x86-64 and
 * AArch64, GCC 12 and Clang 19, -O0..-O3/-Os, object and shared library) and Debian's C and C++
 * libraries are verified with the proof and with the walk alone.
 *
 * Oracle: the walk, itself checked against the compilers' tables (verify.test.ts). Every verdict
 * must be the walk's, with one exception: where the walk gave up on code (paths meeting with
 * different states of registers verify does not compare, or a stack pointer the model tracks where
 * the table uses the frame pointer — "code not reached", "paths reach the code with different
 * frames"), the proof, which needs only the compared rules to hold on every edge, may still find
 * that they all do. A proven mismatch or unknown of any other kind, or a walk `agrees` the proof
 * turns into something else, fails. The proof must also settle most FDEs (that is its point).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REASON, verifyFile } from '../src/verify/verify.js';
import type { VerifyReport } from '../src/verify/verify.js';

const US = '/root/.cache/objcorpus/us';
const builds = existsSync(US) ? readdirSync(US).filter((d) => existsSync(join(US, d, 'sqlite', 'build.ok'))).sort() : [];

/** Compares the two reports; returns how many FDEs the proof settled where the walk gave up. */
function compare(label: string, proved: VerifyReport, walked: VerifyReport): number {
  assert.equal(proved.verdicts.length, walked.verdicts.length, label);
  assert.deepEqual(proved.problems, walked.problems, label);
  let gaveUp = 0;
  for (let k = 0; k < walked.verdicts.length; k++) {
    const a = proved.verdicts[k];
    const b = walked.verdicts[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const where = `${label}: ${b.func} 0x${b.start.toString(16)}`;
    assert.equal(a.status, 'agrees', `${where}: the proof gave ${a.status}, the walk ${b.status}`);
    assert.equal(b.status, 'unknown', `${where}: the walk said ${b.status}`);
    const r = b.reason ?? '';
    assert.ok(r.startsWith(REASON.notReached) || r.startsWith(REASON.conflict), `${where}: the walk's reason: ${r}`);
    gaveUp++;
  }
  return gaveUp;
}

async function both(path: string, label: string, minShare: number): Promise<void> {
  const proved = await verifyFile(path, true, { prove: true });
  const walked = await verifyFile(path, true, { prove: false });
  const gaveUp = compare(label, proved, walked);
  const share = proved.proven / proved.summary.fdes;
  console.log(`# ${label}: ${proved.summary.fdes} FDEs, ${proved.proven} proven (${(100 * share).toFixed(1)}%), ` +
    `${gaveUp} settled where the walk gave up`);
  assert.ok(share >= minShare, `${label}: ${(100 * share).toFixed(1)}% proven`);
  // few: each is a place the walk's model loses track, not a routine outcome
  assert.ok(gaveUp <= Math.max(3, proved.summary.fdes / 500), `${label}: ${gaveUp}`);
}

test('table proof on the SQLite corpus: the walk\'s verdicts, most FDEs proven', { skip: builds.length === 0 && 'corpus not built' }, async () => {
  for (const b of builds) {
    for (const f of ['sqlite3.o', 'libsqlite3.so']) {
      const path = join(US, b, 'sqlite', f);
      if (!existsSync(path)) continue;
      await both(path, `${b}/${f}`, 0.6);
    }
  }
});

const LIBS = [
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/aarch64-linux-gnu/lib/libc.so.6',
  '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
  '/usr/aarch64-linux-gnu/lib/libstdc++.so.6',
].filter((p) => existsSync(p));

test('table proof on Debian\'s C and C++ libraries: the walk\'s verdicts', { skip: LIBS.length === 0 && 'libraries not installed' }, async () => {
  for (const path of LIBS) await both(path, path, 0.5);
});
