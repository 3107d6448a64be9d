/**
 * AArch64 registers as the frame analysis sees them: slots x0..x30 = 0..30 and sp = 31, numbered
 * like their DWARF registers; x19..x29 and the link register x30 are the callee-saved slots whose
 * saves are tracked.
 */
import { CfiBase, type ArchRegs, type CfiReg } from '../arch.js';

const COUNT = 32;

export const arm64Regs: ArchRegs = {
  count: COUNT,
  sp: 31,
  fp: 29,
  ra: 30,
  dwarf: Array.from({ length: COUNT }, (_, i) => i),
  names: Array.from({ length: COUNT }, (_, i) => (i === 31 ? 'sp' : `x${i}`)),
  calleeSaved: Array.from({ length: COUNT }, (_, i) => i >= 19 && i <= 30),
};

/** At entry the CFA is sp itself (no return address on the stack). */
export const arm64EntryCfa: CfiReg = { base: 31, offset: 0 };

/** At entry every register still holds its caller's value ("same value"). */
export const arm64EntryRegs: readonly CfiReg[] = Array.from({ length: COUNT }, () => ({ base: CfiBase.Undefined, offset: 0 }));
