/**
 * The x86-64 arch plug-in: registers by role, entry state, and section decoding with objtool's
 * instruction kinds and stack ops (see classify.ts); lengths come from a table-driven decoder (length.ts), iced-x86 only serves the slow paths.
 */
import type { Arch } from '../arch.js';
import { decodeX86Section } from './decode.js';
import { disassemble, x86WritesGpr } from './operands.js';
import { x86EntryCfa, x86EntryRegs, x86Regs } from './regs.js';

/** ELF e_machine of x86-64 */
export const EM_X86_64 = 62;

export const x86_64: Arch = {
  name: 'x86_64',
  // a little below what Linux 6.12's kernel/, mm/ and lib/ decode to (3.36-3.42 bytes and 1.36-1.46 op
  // words a row, GCC and Clang) and Debian's libc, libstdc++, libicui18n and libLLVM-14 (3.98-4.16; 1.85-2.76)
  typicalRows: { bytesPerRow: 3.5, opWordsPerRow: 1.3, userspace: { bytesPerRow: 4.2, opWordsPerRow: 1.8 } },
  machine: EM_X86_64,
  regs: x86Regs,
  slot: 8,
  entryCfa: x86EntryCfa,
  entryRegs: x86EntryRegs,
  callPushesRa: true,
  decodeSection: decodeX86Section,
  disassemble,
  writesRegister: x86WritesGpr,
};

export { x86Operands, type X86Operands, type X86MemOperand, type X86OperandKind } from './operands.js';
