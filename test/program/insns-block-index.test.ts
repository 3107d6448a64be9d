/** The instruction table's block index: offset lookups agree with a plain scan of the rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InsnKind } from '../../src/arch/arch.js';
import { InsnTableBuilder, NO_TARGET, findInsn, findInsnContaining } from '../../src/program/insns.js';

/** A deterministic pseudo-random sequence (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('findInsn and findInsnContaining through the block index match a scan (gaps, long rows, several sections)', () => {
  const rand = rng(7);
  const b = new InsnTableBuilder(6, 4);
  const rows: { sec: number; off: number; len: number }[] = [];
  for (const sec of [1, 2, 4]) {
    b.beginSection(sec);
    let off = sec === 2 ? 100 : 0; // section 2 starts after a gap
    const n = sec === 4 ? 1 : 2000;
    for (let k = 0; k < n; k++) {
      // mostly short rows, some long ones, some gaps (padding no row covers), one far jump
      const len = rand() < 0.05 ? 15 + Math.floor(rand() * 100) : 1 + Math.floor(rand() * 8);
      b.add(off, Math.min(len, 255), InsnKind.Other, NO_TARGET, 0);
      rows.push({ sec, off, len: Math.min(len, 255) });
      off += len + (rand() < 0.1 ? Math.floor(rand() * 80) : 0) + (k === 1000 ? 5000 : 0);
    }
  }
  b.beginSection(5); // a section without rows
  const t = b.finish();
  assert.ok(t.blockRow !== undefined);
  for (const sec of [0, 1, 2, 3, 4, 5]) {
    const mine = rows.map((r, i) => ({ ...r, i })).filter((r) => r.sec === sec);
    const last = mine.length ? mine[mine.length - 1].off + 300 : 300;
    const probes = [-1, -0.5, NaN, 0.5, 2 ** 32 + 3, 1e15];
    for (let off = 0; off < last; off++) probes.push(off);
    for (const off of probes) {
      const at = mine.find((r) => r.off === off);
      assert.equal(findInsn(t, sec, off), at ? at.i : -1, `findInsn ${sec} ${off}`);
      let c = -1;
      for (const r of mine) if (r.off <= off && off < r.off + r.len) c = r.i;
      assert.equal(findInsnContaining(t, sec, off), c, `findInsnContaining ${sec} ${off}`);
    }
  }
});
