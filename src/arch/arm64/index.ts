/**
 * The AArch64 arch plug-in: registers by role, entry state, and a hand-written decoder producing
 * objtool-style instruction kinds and stack ops (see decode.ts).
 */
import type { Arch } from '../arch.js';
import { decodeArm64Section } from './decode.js';
import { disassembleArm64 } from './disasm.js';
import { arm64WritesRegister } from './writes.js';
import { arm64KernelHooks } from './kernel.js';
import { arm64EntryCfa, arm64EntryRegs, arm64Regs } from './regs.js';

/** ELF e_machine of AArch64 */
export const EM_AARCH64 = 183;

export const aarch64: Arch = {
  name: 'aarch64',
  // fixed-width code: 4 bytes a row, less the data in text; 1.66 op words a row on libLLVM-14
  typicalRows: { bytesPerRow: 4.1, opWordsPerRow: 1.6 },
  machine: EM_AARCH64,
  regs: arm64Regs,
  slot: 8,
  entryCfa: arm64EntryCfa,
  entryRegs: arm64EntryRegs,
  callPushesRa: false,
  decodeSection: decodeArm64Section,
  disassemble: disassembleArm64,
  writesRegister: arm64WritesRegister,
  kernel: arm64KernelHooks,
};

export { decodeOperands, OperandForm, Extend, COND_NAMES, type Operands } from './operands.js';
export { disassembleWord } from './disasm.js';
