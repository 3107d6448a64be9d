/**
 * AArch64 kernel hooks: the arch facts the kernel path needs (relocation conventions, NOP/RET words,
 * hint registers, thunk names). objtool 6.12 has no arm64 support, so these are the kernel's own
 * arm64 conventions (arch/arm64/include/asm/{insn-def,alternative-macros,jump_label}.h), not objtool's.
 */
import type { KernelHooks } from '../arch.js';
import {
  R_AARCH64_ABS64, R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_CALL26, R_AARCH64_JUMP26, R_AARCH64_PREL32,
  R_AARCH64_PREL64,
} from '../../elf/constants.js';

const R_AARCH64_PREL16 = 262;
const R_AARCH64_LD_PREL_LO19 = 273;
const R_AARCH64_ADR_PREL_LO21 = 274;
const R_AARCH64_ADR_PREL_PG_HI21_NC = 276;
const R_AARCH64_TSTBR14 = 279;
const R_AARCH64_CONDBR19 = 280;

/** Relocation types computed as S + A - P (or its page form): their value depends on the place. */
const PC_RELATIVE = new Set<number>([
  R_AARCH64_PREL64, R_AARCH64_PREL32, R_AARCH64_PREL16, R_AARCH64_LD_PREL_LO19, R_AARCH64_ADR_PREL_LO21,
  R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_ADR_PREL_PG_HI21_NC, R_AARCH64_TSTBR14, R_AARCH64_CONDBR19,
  R_AARCH64_JUMP26, R_AARCH64_CALL26,
]);

/** `nop` and `ret` (x30), little-endian words (instructions are little-endian in every AArch64 ELF). */
const NOP_WORD = [0x1f, 0x20, 0x03, 0xd5];
const RET_WORD = [0xc0, 0x03, 0x5f, 0xd6];

/**
 * ORC register numbers an unwind hint names (the generic ORC_REG_* values) → AArch64 slots:
 * undefined, the frame pointer x29, sp, and the sp-indirect base.
 */
const HINT_REG: Record<number, number> = { 0: -1, 4: 29, 5: 31, 9: -3 };

export const arm64KernelHooks: KernelHooks = {
  // branch relocations (JUMP26, CALL26, CONDBR19, TSTBR14) are S + A - P with P the branch itself:
  // the addend names the target directly (x86's displacement is relative to the next instruction)
  destRelocOffset: (addend) => addend,
  isPcRelativeReloc: (t) => PC_RELATIVE.has(t),
  hintRegToSlot: (r) => HINT_REG[r],
  nopBytes: (len) => wordsOf(len, NOP_WORD, NOP_WORD),
  retBytes: (len) => wordsOf(len, RET_WORD, NOP_WORD),
  // no retpolines or return thunks on arm64; ftrace patches -fpatchable-function-entry NOPs, not calls
  isRetpolineThunk: () => false,
  isReturnThunk: () => false,
  isEmbeddedInsn: () => false,
  isFtraceCall: () => false,
  absReloc: R_AARCH64_ABS64,
  pcRel32Reloc: R_AARCH64_PREL32,
  // x86's "table entry relative to the end of the word" relocation has no arm64 counterpart
  pc32Reloc: -1,
};

/** `first` then NOPs up to `len` bytes; undefined unless `len` is a positive multiple of 4. */
function wordsOf(len: number, first: readonly number[], fill: readonly number[]): Uint8Array | undefined {
  if (len < 4 || len % 4 !== 0 || len > 64) return undefined;
  const out = new Uint8Array(len);
  out.set(first, 0);
  for (let o = 4; o < len; o += 4) out.set(fill, o);
  return out;
}
