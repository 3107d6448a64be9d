/**
 * "Same value" and "saved at CFA-N" describe one value while the register still holds what it
 * held at the save. Compilers rely on that in prologues: Clang emits every `.cfi_offset` after the
 * last push, so between `push %rbp` and its `.cfi_offset %rbp` the table says "same" while the
 * code has already saved it. Both are right as long as no instruction since the save can have
 * changed the register: only stack ops that do not write it (more pushes, sp adjustments) and
 * padding lie between. For the AArch64 link register, which compiled code writes only by calls
 * and by restores (both seen: a branch kind, a stack op), ordinary instructions may lie between as
 * well: GCC schedules `str x30, [sp, #N]` ahead of its `.cfi_offset 30`.
 */
import { InsnKind, OpDest, OpSrc } from '../arch/arch.js';
import { OP_WORDS, opDestReg, opDestType, opSrcReg, opSrcType } from '../program/insns.js';
import type { Program } from '../program/program.js';

/** Instructions looked at backwards before giving up (prologues are short). */
const MAX_BACK = 64;

/**
 * Is register slot `reg` unchanged since the code saved it, looking backwards from row `i` no
 * further than section offset `lo`? False when anything else (a body instruction, a branch) lies
 * between.
 */
export function unchangedSinceSave(p: Program, i: number, lo: number, reg: number, bodyKeeps: boolean): boolean {
  let j = p.prev(i);
  for (let n = 0; j >= 0 && p.off[j] >= lo && n < MAX_BACK; n++, j = p.prev(j)) {
    const k = p.kind[j];
    const count = p.opCount[j];
    if (count === 0) {
      if (k === InsnKind.Nop || k === InsnKind.Endbr || (bodyKeeps && k === InsnKind.Other)) continue;
      return false;
    }
    if (k !== InsnKind.Other) return false;
    let saved = false;
    for (let q = 0; q < count; q++) {
      const w = (p.opStartOf(j) + q) * OP_WORDS;
      const tr = p.ops[w];
      const destType = opDestType(tr);
      const destReg = opDestReg(tr);
      const srcType = opSrcType(tr);
      const srcReg = opSrcReg(tr);
      if (destType === OpDest.Reg && destReg === reg) return false;
      if ((destType === OpDest.Push || destType === OpDest.RegIndirect) && srcType === OpSrc.Reg && srcReg === reg) saved = true;
    }
    if (saved) return true;
  }
  return false;
}
