/**
 * x86-64 register slots as the frame analysis numbers them: the hardware encoding order
 * (the numbering objtool's CFI_* constants use), plus a pseudo slot for the return address.
 */
import { CfiBase, type ArchRegs, type CfiReg } from '../arch.js';

export const X86_AX = 0;
export const X86_CX = 1;
export const X86_DX = 2;
export const X86_BX = 3;
export const X86_SP = 4;
export const X86_BP = 5;
export const X86_SI = 6;
export const X86_DI = 7;
export const X86_R12 = 12;
export const X86_R13 = 13;
export const X86_R14 = 14;
export const X86_R15 = 15;
/** pseudo slot: where the return address lives */
export const X86_RA = 16;
export const X86_SLOT_COUNT = 17;

export const x86Regs: ArchRegs = {
  count: X86_SLOT_COUNT,
  sp: X86_SP,
  fp: X86_BP,
  ra: X86_RA,
  // DWARF (SysV x86-64 psABI) numbers of slots 0..16
  dwarf: [0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16],
  names: [
    'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
    'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip',
  ],
  calleeSaved: [
    false, false, false, true, false, true, false, false,
    false, false, false, false, true, true, true, true, false,
  ],
};

/** At entry the CFA is sp+8: the call pushed the return address just below it. */
export const x86EntryCfa: CfiReg = { base: X86_SP, offset: 8 };

export const x86EntryRegs: readonly CfiReg[] = Array.from({ length: X86_SLOT_COUNT }, (_, i) =>
  i === X86_RA ? { base: CfiBase.Cfa, offset: -8 } : { base: CfiBase.Undefined, offset: 0 });
