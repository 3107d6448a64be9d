/**
 * Paths joining where a callee-saved register was saved on one and never saved on the other
 * (shrink-wrapping). test/fixtures/frame/shrink-wrap-a64.s, assembled by make-shrink-wrap.sh:
 * - `unchanged`: x27/x28 saved, not written, branch to the epilogue without a reload: both paths leave
 *   x27 holding the caller's value, so no warning, and the rows follow the assembler's CFI;
 * - `clobbered`: the same with `mov x27, x1` after the save: that path really leaves x27 changed, so
 *   objtool's "stack state mismatch" is reported at the join (0x4c = clobbered+0x24).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyzeFile, userspaceOptions } from '../../src/cli/analyze.js';
import { unwindRows } from '../../src/unwind/table.js';
import type { UnwindRow } from '../../src/unwind/table.js';

const obj = fileURLToPath(new URL('../../../test/fixtures/frame/shrink-wrap-a64.o', import.meta.url));

test('a register saved and not written joins a path that never saved it; a written one does not', async () => {
  const r = await analyzeFile(obj, userspaceOptions());
  const texts = r.ctx.diag.list.map((d) => d.text.replace(/^.*objtool: /, ''));
  assert.deepEqual(texts, ['clobbered+0x24: stack state mismatch: reg1[27]=-1+0 reg2[27]=-2-16']);
  const rows: UnwindRow[] = [];
  unwindRows(r.ctx, (row) => rows.push(row));
  // `unchanged` (0x0..0x28), from its .cfi directives: sp+0 at 0, sp+32 from 4 (x29-based from 8:
  // mov x29, sp), sp+0 again at the ret (0x24); every instruction has a state
  const at = (addr: number): UnwindRow | undefined => rows.filter((x) => x.addr <= addr && x.func === 'unchanged').pop();
  for (const [addr, sp] of [[0, 0], [4, 32], [0x10, 32], [0x18, 32], [0x1c, 32], [0x20, 32], [0x24, 0]] as const) {
    assert.equal(at(addr)?.sp, sp, `unchanged+0x${addr.toString(16)}`);
  }
});
