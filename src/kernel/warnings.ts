/**
 * Warnings objtool 6.12 prints while reading kernel tables, as data: the message text and, for
 * warnings with a place, the (section, offset) objtool names. The caller formats them in objtool's
 * line format `FILE: warning: objtool: [PLACE: ]TEXT`, where PLACE is `func+0xoff` or `sec+0xoff`.
 *
 * - `plain`: WARN, no place.
 * - `func`:  WARN_FUNC, placed at (sec, off) (the containing function symbol if the section is
 *            executable, else any containing symbol, else the section name).
 * - `insn`:  WARN_INSN, placed at an instruction; printed only if the instruction's function has
 *            not already warned, and marks it as warned.
 *
 * `fatal` warnings end objtool's whole check of the file (it returns early without further
 * warnings or generated sections); the others are printed and reading goes on.
 */
export type WarningKind = 'plain' | 'func' | 'insn';

export interface KernelWarning {
  readonly kind: WarningKind;
  readonly text: string;
  /** place for `func`/`insn` warnings; sec 0 when the symbol had no section; -1/-1 for `plain` */
  readonly sec: number;
  readonly off: number;
  readonly fatal: boolean;
}

export function plainWarning(text: string, fatal: boolean): KernelWarning {
  return { kind: 'plain', text, sec: -1, off: -1, fatal };
}

export function funcWarning(text: string, sec: number, off: number, fatal: boolean): KernelWarning {
  return { kind: 'func', text, sec, off, fatal };
}

/**
 * Texts of the messages that need the instruction table, which the analysis emits itself after
 * looking up the (section, offset) these readers return. Kept here so every text lives in one place.
 */
export const MSG = {
  /** WARN_FUNC at (orig sec, off), fatal: no instruction starts at an alternative's original site */
  specialNoOrigInsn: 'special: can\'t find orig instruction',
  /** WARN_FUNC at (new sec, off), fatal: replacement site (when there is one) has no instruction */
  specialNoNewInsn: 'special: can\'t find new instruction',
  /** WARN_INSN at the original instruction, NOT fatal: a group alternative with orig_len 0 is dropped */
  emptyAlternative: 'empty alternative entry',
  /** WARN_INSN at the jump-label site, fatal: the site is neither an unconditional jump nor a NOP */
  unsupportedJumpLabel: 'unsupported instruction at jump label',
  /** plain, fatal (the text is the entry kind): see `badEntry` */
  badEntry: (what: string): string => `bad .discard.${what} entry`,
  /** plain, fatal: `.discard.reachable` target is no instruction (and not the section end) */
  reachableNoInsn: (secName: string, off: number): string => `can't find reachable insn at ${secName}+0x${hex(off)}`,
  /** plain, fatal */
  hintNoInsn: (i: number): string => `can't find insn for unwind_hints[${i}]`,
  /** WARN_INSN, fatal */
  hintBadSpReg: (reg: number): string => `unsupported unwind_hint sp base reg ${reg}`,
  /** WARN_INSN, not fatal; only with --ibt (not in kbuild's x86 options list) */
  iretRegsWithoutEndbr: 'UNWIND_HINT_IRET_REGS without ENDBR',
  /** WARN_INSN, fatal */
  retpolineSafeNotIndirect: 'retpoline_safe hint not an indirect jump/call/ret/nop',
  /** WARN_INSN, fatal */
  intraCallNotDirect: 'intra_function_call not a direct call',
  /** WARN_INSN, fatal */
  intraCallNoDest: (secName: string, off: number): string => `can't find call dest at ${secName}+0x${hex(off)}`,
} as const;

/** `%lx` of an unsigned long: negative numbers print as their 64-bit two's complement. */
export function hex(n: number): string {
  if (n >= 0) return n.toString(16);
  return (BigInt.asUintN(64, BigInt(Math.trunc(n)))).toString(16);
}
