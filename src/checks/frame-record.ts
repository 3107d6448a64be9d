/**
 * The frame-record rule for code built with frame pointers (`objflow check --frame-pointer`): at
 * every call, the caller's frame pointer and return address are saved as a pair — frame pointer at
 * the lower address, return address one slot above (AArch64's x29/x30 frame record; x86's pushed
 * rbp under the return address) — and the frame pointer holds the address of that pair, so that a
 * frame-pointer unwinder can walk through the call.
 *
 * Read from the frame state only: where the two registers' caller values are saved (CFA-relative)
 * and where the frame pointer points (the CFA base itself, or a value `fp = CFA + off` the walk
 * tracked from `add x29, sp, #n`).
 */
import { CfiBase } from '../arch/arch.js';
import type { Arch } from '../arch/arch.js';
import type { StateLayout } from '../frame/state.js';

/** Is a frame record set up in state `s` (frame pointer and return address paired, fp pointing at them)? */
export function hasFrameRecord(arch: Arch, L: StateLayout, s: Int32Array): boolean {
  const FP = arch.regs.fp;
  const RA = arch.regs.ra;
  if (s[2 * FP] !== CfiBase.Cfa || s[2 * RA] !== CfiBase.Cfa) return false;
  const record = s[2 * FP + 1];
  if (s[2 * RA + 1] !== record + arch.slot) return false;
  return framePointerValue(arch, L, s) === record;
}

/** The warning text for a call without a frame record. */
export function frameRecordMessage(arch: Arch): string {
  const names = arch.regs.names;
  return `call without frame record (${names[arch.regs.fp]}/${names[arch.regs.ra]} saved as a pair with ${names[arch.regs.fp]} pointing at it)`;
}

/** The frame pointer's value as an offset from the CFA, or undefined when the state does not say. */
function framePointerValue(arch: Arch, L: StateLayout, s: Int32Array): number | undefined {
  const FP = arch.regs.fp;
  if (s[L.drap]) return undefined;
  if (s[L.cfaBase] === FP) return -s[L.cfaOff];
  if (s[L.vals + 2 * FP] === CfiBase.Cfa) return s[L.vals + 2 * FP + 1];
  return undefined;
}
