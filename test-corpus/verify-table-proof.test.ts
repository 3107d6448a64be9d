/**
 * The table proof (src/frame/table-proof.ts) on real code: every SQLite corpus build (x86-64 and
 * AArch64, GCC 12 and Clang 19, -O0..-O3/-Os, object and shared library) and Debian's C and C++
 * libraries are verified with the proof and with the walk alone.
 *
 * Oracle: the walk, itself checked against the compilers' tables (verify.test.ts). Every verdict
 * must be the walk's, with one exception: where the walk gave up on code (paths meeting with
 * different states of registers verify does not compare, a warning that ends a function's walk, or
 * a stack pointer the model tracks where the table uses the frame pointer — "code not reached",
 * "paths reach the code with different frames"), the proof, which needs only the compared rules,
 * may still find that they all hold, or settle where they differ. Then at every instruction the
 * walk did compare, the proof must find a difference exactly where the walk found one; or it reaches
 * further and names a later instruction the walk does not reach either (or a jump table left
 * unproven there) as the reason the FDE stays unknown. A proven
 * mismatch or unknown of any other kind, or a walk `agrees` the proof turns into something else,
 * fails. The proof must also settle most FDEs (that is its point).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REASON, verifyFile, verifyFileAnalysed } from '../src/verify/verify.js';
import type { FdeVerdict, VerifyReport } from '../src/verify/verify.js';
import type { Context } from '../src/cfg/context.js';
import { hasCallFrame } from '../src/unwind/table.js';

const US = '/root/.cache/objcorpus/us';
const builds = existsSync(US) ? readdirSync(US).filter((d) => existsSync(join(US, d, 'sqlite', 'build.ok'))).sort() : [];

/** Did the walk compare the instruction at `addr` (reached, with a frame it kept track of)? */
function walkCompared(ctx: Context, v: FdeVerdict, addr: number): boolean {
  const p = ctx.prog;
  const sec = p.elf.sections.findIndex((s) => s.name === v.sec);
  assert.ok(sec >= 0, v.sec);
  const row = p.find(sec, p.elf.type === 1 ? addr : addr - p.elf.sections[sec].addr);
  assert.ok(row >= 0, `0x${addr.toString(16)} is an instruction`);
  const id = p.cfi[row];
  return id >= 0 && hasCallFrame(ctx.L, ctx.pool.view(id), 0);
}

/** Compares the two reports; returns how many FDEs the proof settled where the walk gave up. */
function compare(label: string, proved: VerifyReport, walked: VerifyReport, walk: Context): number {
  assert.equal(proved.verdicts.length, walked.verdicts.length, label);
  assert.deepEqual(proved.problems, walked.problems, label);
  let gaveUp = 0;
  for (let k = 0; k < walked.verdicts.length; k++) {
    const a = proved.verdicts[k];
    const b = walked.verdicts[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const where = `${label}: ${b.func} 0x${b.start.toString(16)}`;
    if (a.status === 'mismatch') {
      // settled where the walk stopped short: the same differences wherever the walk compared
      assert.ok(b.status === 'mismatch' || (b.reason ?? '').startsWith(REASON.notReached) || (b.reason ?? '').startsWith(REASON.conflict),
        `${where}: the proof gave a mismatch, the walk ${b.status} (${b.reason})`);
      const mine = new Set(a.addrs);
      const its = new Set(b.addrs);
      let beyond = 0;
      for (const addr of new Set([...a.addrs, ...b.addrs])) {
        if (mine.has(addr) === its.has(addr)) continue;
        assert.ok(!walkCompared(walk, b, addr), `${where}: 0x${addr.toString(16)} differs in ${mine.has(addr) ? 'the proof' : 'the walk'} only`);
        beyond++;
      }
      assert.ok(beyond > 0 || b.status !== 'mismatch', `${where}: the same differences, another report`);
      gaveUp++;
      continue;
    }
    assert.equal(b.status, 'unknown', `${where}: the walk said ${b.status}`);
    const r = b.reason ?? '';
    assert.ok(r.startsWith(REASON.notReached) || r.startsWith(REASON.conflict), `${where}: the walk's reason: ${r}`);
    if (a.status === 'unknown') {
      // the proof went on where the walk gave up, to code neither reaches or a jump table left
      // unproven: its reason names a later instruction than the walk's first unreached one
      const mine = a.reason ?? '';
      assert.ok(mine.startsWith(REASON.notReached) || mine.startsWith(REASON.unresolvedTable), `${where}: the proof's reason: ${mine}`);
      const at = (s: string): number => parseInt(/0x([0-9a-f]+)\)$/.exec(s)?.[1] ?? '', 16);
      assert.ok(r.startsWith(REASON.notReached) && at(mine) > at(r), `${where}: the proof: ${mine}; the walk: ${r}`);
    } else assert.equal(a.status, 'agrees', `${where}: the proof gave ${a.status}, the walk ${b.status}`);
    gaveUp++;
  }
  return gaveUp;
}

async function both(path: string, label: string, minShare: number, minSettled = 0): Promise<void> {
  const proved = await verifyFile(path, true, { prove: true });
  // the walk alone, with its analysis kept to see which instructions it compared
  const { report: walked, ctx: walk } = await verifyFileAnalysed(path, true, { prove: false });
  const gaveUp = compare(label, proved, walked, walk);
  const share = proved.proven / proved.summary.fdes;
  console.log(`# ${label}: ${proved.summary.fdes} FDEs, ${proved.proven} proven (${(100 * share).toFixed(1)}%), ` +
    `${proved.settled} settled as mismatches, ${gaveUp} settled where the walk gave up`);
  assert.ok(share >= minShare, `${label}: ${(100 * share).toFixed(1)}% proven`);
  assert.equal(walked.settled, 0);
  assert.ok(proved.settled >= minSettled * proved.summary.fdes, `${label}: ${proved.settled} settled as mismatches`);
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

const A64_LLVM = join(process.env.CORPUS_DIR ?? '/root/.cache/objcorpus', 'dl/x/libllvm14-arm64/usr/lib/aarch64-linux-gnu/libLLVM-14.so.1');

// synchronous tables (docs/findings/libllvm14-aarch64-synchronous-tables.md): most FDEs differ in
// their prologues and epilogues, and the proof settles them without the walk
test('table proof on Debian\'s AArch64 libLLVM-14: the walk\'s verdicts, most mismatches settled', { skip: !existsSync(A64_LLVM) && 'corpus not built' }, async () => {
  await both(A64_LLVM, 'libLLVM-14 AArch64', 0.2, 0.5);
});
