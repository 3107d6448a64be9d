/** x86-64 kernel hooks: objtool's arch conventions (thunk names, NOP/RET bytes, hint registers). */
import type { KernelHooks } from '../arch.js';
import { R_X86_64_64, R_X86_64_GOTPCREL, R_X86_64_PC32, R_X86_64_PC64, R_X86_64_PLT32 } from '../../elf/constants.js';

const R_X86_64_PC16 = 13;
const R_X86_64_PC8 = 15;
const R_X86_64_GOTPC32 = 26;

// the kernel's preferred NOPs (BYTES_NOP1..5) and RET + INT3 padding
const NOPS: readonly number[][] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
];

// ORC register numbers → x86 slots (ax=0 cx=1 dx=2 bx=3 sp=4 bp=5 si=6 di=7 r8..r15)
const HINT_REG: Record<number, number> = { 0: -1, 5: 4, 4: 5, 9: -3, 6: 10, 7: 13, 3: 7, 2: 2 };

export const x86KernelHooks: KernelHooks = {
  destRelocOffset: (addend) => addend + 4,
  isPcRelativeReloc: (t) =>
    t === R_X86_64_PC8 || t === R_X86_64_PC16 || t === R_X86_64_PC32 || t === R_X86_64_PC64 ||
    t === R_X86_64_PLT32 || t === R_X86_64_GOTPC32 || t === R_X86_64_GOTPCREL,
  hintRegToSlot: (r) => HINT_REG[r],
  nopBytes: (len) => (len >= 1 && len <= 5 ? Uint8Array.from(NOPS[len - 1]) : undefined),
  retBytes: (len) => {
    if (len < 1 || len > 5) return undefined;
    const b = [0xc3];
    if (len >= 2) b.push(0xcc);
    if (len >= 3) b.push(...NOPS[len - 3]);
    return Uint8Array.from(b);
  },
  isRetpolineThunk: (n) => n.startsWith('__x86_indirect_'),
  isReturnThunk: (n) => n === '__x86_return_thunk',
  isEmbeddedInsn: (n) => n === 'retbleed_return_thunk' || n === 'srso_safe_ret',
  isFtraceCall: (n) => n === '__fentry__',
  absReloc: R_X86_64_64,
  pcRel32Reloc: R_X86_64_PC32,
  pc32Reloc: R_X86_64_PC32,
};
