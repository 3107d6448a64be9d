/**
 * The table proof (src/frame/table-proof.ts) settles FDEs before the walk; it must never change a
 * verdict. Every committed verify fixture (both architectures, planted errors, landing pads, shared
 * code, PLT stubs) is verified with and without it and the reports compared whole; and the proof
 * must do real work: prove the correct functions' FDEs and leave their code unwalked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyAnalysis, verifyFile } from '../../src/verify/verify.js';
import type { VerifyReport } from '../../src/verify/verify.js';
import { readListing } from './listing.js';
import { analyseUserspace } from '../helpers/userspace-analysis.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.o') || f.endsWith('.so')).sort();

/** The report without the proof's own count. */
function verdictsOf(r: VerifyReport): unknown {
  return { verdicts: r.verdicts, summary: r.summary, problems: r.problems, stopped: r.stopped };
}

test('table proof: the fixtures exist', () => {
  assert.ok(fixtures.length >= 10, fixtures.join(' '));
});

for (const f of fixtures) {
  test(`table proof: ${f}: the same verdicts with and without it`, async () => {
    const proved = await verifyFile(dir + f, true, { prove: true });
    const walked = await verifyFile(dir + f, true, { prove: false });
    assert.deepEqual(verdictsOf(proved), verdictsOf(walked));
    assert.equal(walked.proven, 0);
    assert.ok(proved.proven <= proved.summary.agrees, `${proved.proven} proven of ${proved.summary.agrees} agreeing`);
    const a = await verifyFile(dir + f, true, { prove: true, synchronous: true });
    const b = await verifyFile(dir + f, true, { prove: false, synchronous: true });
    assert.deepEqual(verdictsOf(a), verdictsOf(b), '--synchronous');
  });
}

for (const name of ['x86-64-cfi', 'aarch64-cfi']) {
  test(`table proof: ${name}.o: most correct functions proven, no planted error`, async () => {
    const facts = readListing(readFileSync(`${dir}${name}.lst`, 'utf8'));
    const r = await verifyFile(`${dir}${name}.o`, true, { prove: true });
    const planted = new Set(facts.planted.map((p) => p.func));
    const correct = facts.funcs.filter((fn) => !planted.has(fn.name)).length;
    // the fixtures' correct functions are ordinary frames (pushes, frame pointer, sp adjustments,
    // epilogues on several paths); a few are left to the walk on purpose (realignment, DRAP)
    assert.ok(r.proven >= correct / 2, `${r.proven} of ${correct} correct functions proven`);
    assert.ok(r.proven <= correct);
  });
}

test('table proof: proven code is not walked, the rest is', async () => {
  const r = await analyseUserspace(`${dir}x86-64-cfi.o`, { proveTables: true });
  const prog = r.ctx.prog;
  const proof = r.ctx.tableProof;
  assert.ok(proof && proof.proven.size > 0);
  let skipped = 0;
  let walked = 0;
  for (let i = 0; i < prog.count; i++) {
    if (proof.skipWalk[i]) {
      skipped++;
      assert.equal(prog.cfi[i], -1, `row ${i} was walked although proven`);
    } else if (prog.cfi[i] >= 0) walked++;
  }
  assert.ok(skipped > 0 && walked > 0, `${skipped} rows skipped, ${walked} walked`);
});

for (const name of ['x86-64-cfi', 'aarch64-cfi']) {
  test(`table proof: ${name}.o: FDEs whose CFA breaks the table are settled without a walk, at the planted instructions`, async () => {
    const facts = readListing(readFileSync(`${dir}${name}.lst`, 'utf8'));
    const r = await analyseUserspace(`${dir}${name}.o`, { proveTables: true, orc: true });
    const proof = r.ctx.tableProof;
    assert.ok(proof);
    const report = verifyAnalysis(r.ctx, name, r.ctx.unwindTables);
    const prog = r.ctx.prog;
    const text = prog.elf.sections.findIndex((s) => s.name === '.text');
    let settled = 0;
    for (const [k, fde] of r.ctx.unwindTables[0].fdes.entries()) {
      const at: number = proof.settled.start(fde);
      if (at < 0) continue;
      settled++;
      const v = report.verdicts[k];
      assert.equal(v.status, 'mismatch', v.func);
      // every instruction listed is one the listing marks wrong in the CFA, and none of the FDE's
      // code was walked
      for (const addr of v.addrs) {
        assert.ok(facts.planted.some((p) => p.func === v.func && p.off === addr && p.rule === 'cfa'), `${v.func}: 0x${addr.toString(16)}`);
      }
      for (let q: number = at; q < at + proof.settled.count(fde); q++) assert.equal(prog.cfi[proof.settled.rows[q]], -1);
      const first = prog.find(text, v.start);
      assert.equal(prog.cfi[first], -1, `${v.func} was walked`);
    }
    assert.ok(settled >= 1, `${settled} settled`);
  });
}
