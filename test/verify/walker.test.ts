/**
 * verify's scratch walks (src/verify/walker.ts) give the same answers on either kind of column: sparse
 * (a file's first walks) and plain (verify.ts switches after many walks). Every reached instruction of
 * the committed fixtures is a target of a path walk from its function's entry, and of a signing-state
 * walk on AArch64, on both walkers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyseUserspace } from '../helpers/userspace-analysis.js';
import { Walker } from '../../src/verify/walker.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

for (const name of ['x86-64-cfi.o', 'aarch64-cfi.o']) {
  test(`walker: sparse and plain columns walk ${name} alike`, async () => {
    const { ctx } = await analyseUserspace(`${dir}${name}`, { orc: true });
    const prog = ctx.prog;
    const sparse = new Walker(ctx);
    const plain = new Walker(ctx, true);
    assert.equal(sparse.dense, false);
    assert.equal(plain.dense, true);
    let paths = 0;
    let branches = 0;
    for (let f = 0; f < prog.syms.count; f++) {
      if (prog.syms.pfunc[f] !== f) continue;
      const entry = prog.find(prog.syms.sec[f], prog.syms.offset[f]);
      if (entry < 0 || prog.cfi[entry] < 0) continue;
      const sec = prog.sec[entry];
      const lo = prog.syms.offset[f];
      const hi = lo + prog.syms.len[f];
      const inFunc = (row: number): boolean => prog.sec[row] === sec && prog.off[row] >= lo && prog.off[row] < hi;
      for (let r = entry; r >= 0 && inFunc(r); r = prog.next(r)) {
        if (prog.cfi[r] < 0) continue;
        const a = sparse.pathTo(entry, r);
        assert.deepEqual(plain.pathTo(entry, r), a, `path to row ${r}`);
        paths++;
        branches += a.length;
      }
      const gs = sparse.walkPac(entry, 0, inFunc);
      const gp = plain.walkPac(entry, 0, inFunc);
      for (let r = entry; r >= 0 && inFunc(r); r = prog.next(r)) {
        assert.equal(plain.walked(r, gp), sparse.walked(r, gs), `walked row ${r}`);
        if (sparse.walked(r, gs)) assert.equal(plain.pac[r], sparse.pac[r], `signing state at row ${r}`);
      }
    }
    // the fixtures have functions with branches: the walks had something to find
    assert.ok(paths > 20, `${paths} paths`);
    assert.ok(branches > 0);
    assert.equal(sparse.walks, plain.walks);
  });
}
