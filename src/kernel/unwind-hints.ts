/**
 * `.discard.unwind_hints` as objtool 6.12 reads it (read_unwind_hints): an array of
 * `struct unwind_hint` (include/linux/objtool_types.h), 12 bytes each:
 *   u32 ip (relocated: `.long 987b - .`), s16 sp_offset, u8 sp_reg (an ORC_REG_*), u8 type
 *   (UNWIND_HINT_TYPE_*), u8 signal, then 3 bytes of padding (.balign 4).
 *
 * Reading rules and messages, in objtool's order (all plain WARN and fatal unless said otherwise):
 * 1. no relocation section for it: `missing .rela.discard.unwind_hints section`;
 * 2. size not a multiple of 12: `struct unwind_hint size mismatch`;
 * 3. per hint i: no relocation at i*12: `can't find reloc for unwind_hints[i]`; a symbol that is
 *    neither a section symbol (target = addend) nor a `.L` local label (target = its value):
 *    `unexpected relocation symbol type in <rela section>`;
 *    then (caller, needs instructions) no instruction at the target: `MSG.hintNoInsn(i)`; then, for
 *    types other than UNDEFINED, SAVE, RESTORE and FUNC, an sp_reg objtool cannot map
 *    (`cfaBase === undefined`): `MSG.hintBadSpReg(spReg)`, WARN_INSN at the instruction.
 * Readable hints before a fatal problem are returned in `hints`; `error` is the problem.
 * Under --ibt only (not in kbuild's x86 options list), a REGS_PARTIAL hint at a global symbol's
 * first instruction that is not ENDBR/noendbr gets `MSG.iretRegsWithoutEndbr` (WARN_INSN, not fatal).
 */
import { FormatError } from '../elf/errors.js';
import type { ElfFile } from '../elf/reader.js';
import { STT_SECTION } from '../elf/constants.js';
import { findSectionByName, isLocalLabel, relocSectionOf, RelocsByOffset, symSection, symTypeOf } from './reloc-lookup.js';
import { plainWarning, type KernelWarning } from './warnings.js';

export const UNWIND_HINT_SIZE = 12;

export const UnwindHintType = {
  Undefined: 0,
  EndOfStack: 1,
  Call: 2,
  Regs: 3,
  RegsPartial: 4,
  Func: 5,
  Save: 6,
  Restore: 7,
} as const;

/** UNWIND_HINT_TYPE_* names by value. */
export const UNWIND_HINT_TYPE_NAMES: readonly string[] = [
  'UNWIND_HINT_TYPE_UNDEFINED', 'UNWIND_HINT_TYPE_END_OF_STACK', 'UNWIND_HINT_TYPE_CALL', 'UNWIND_HINT_TYPE_REGS',
  'UNWIND_HINT_TYPE_REGS_PARTIAL', 'UNWIND_HINT_TYPE_FUNC', 'UNWIND_HINT_TYPE_SAVE', 'UNWIND_HINT_TYPE_RESTORE',
];

/** ORC_REG_* (arch/x86/include/asm/orc_types.h). */
export const OrcReg = {
  Undefined: 0,
  PrevSp: 1,
  Dx: 2,
  Di: 3,
  Bp: 4,
  Sp: 5,
  R10: 6,
  R13: 7,
  BpIndirect: 8,
  SpIndirect: 9,
} as const;

/**
 * objtool's x86 arch_decode_hint_reg: the CFA base a hint's sp_reg stands for, in objtool's CFI
 * numbering (x86 register encoding order; -1 undefined, -3 sp-indirect), or undefined when objtool
 * rejects it (PREV_SP and BP_INDIRECT included).
 */
export function x86HintCfaBase(spReg: number): number | undefined {
  switch (spReg) {
    case OrcReg.Undefined: return -1;
    case OrcReg.Sp: return 4;
    case OrcReg.Bp: return 5;
    case OrcReg.SpIndirect: return -3;
    case OrcReg.R10: return 10;
    case OrcReg.R13: return 13;
    case OrcReg.Di: return 7;
    case OrcReg.Dx: return 2;
    default: return undefined;
  }
}

export interface UnwindHint {
  readonly index: number;
  readonly reloc: number;
  readonly sym: number;
  /** target instruction (section 0: the symbol has none) */
  readonly sec: number;
  readonly off: number;
  readonly spOffset: number;
  readonly spReg: number;
  readonly type: number;
  readonly signal: number;
  /** x86HintCfaBase(spReg); only consulted for types other than UNDEFINED/SAVE/RESTORE/FUNC */
  readonly cfaBase: number | undefined;
}

export interface UnwindHints {
  /** the `.discard.unwind_hints` section, or -1 when absent (objtool then reads nothing) */
  readonly section: number;
  readonly hints: UnwindHint[];
  readonly error: KernelWarning | undefined;
}

export function readUnwindHints(elf: ElfFile): UnwindHints {
  const hints: UnwindHint[] = [];
  const secIdx = findSectionByName(elf, '.discard.unwind_hints');
  if (secIdx < 0) return { section: -1, hints, error: undefined };
  const sec = elf.sections[secIdx];
  const rsec = relocSectionOf(elf, secIdx);
  if (rsec < 0) return { section: secIdx, hints, error: plainWarning('missing .rela.discard.unwind_hints section', true) };
  if (sec.size % UNWIND_HINT_SIZE !== 0) return { section: secIdx, hints, error: plainWarning('struct unwind_hint size mismatch', true) };
  const data = elf.sectionData(sec);
  if (data.length < sec.size) throw new FormatError(`section ${sec.name} has no contents`, sec.headerOffset);
  const relocs = new RelocsByOffset(elf.relocs(rsec));
  const syms = elf.symtab;
  const rname = elf.sections[rsec].name;
  const n = sec.size / UNWIND_HINT_SIZE;
  for (let i = 0; i < n; i++) {
    const r = relocs.at(i * UNWIND_HINT_SIZE);
    if (r < 0) return { section: secIdx, hints, error: plainWarning(`can't find reloc for unwind_hints[${i}]`, true) };
    if (!syms) throw new FormatError(`${rname}: relocations without a symbol table`);
    const s = relocs.table.sym[r];
    let off: number;
    if (symTypeOf(syms, s) === STT_SECTION) off = relocs.table.addend[r];
    else if (isLocalLabel(syms, s)) off = syms.value[s];
    else return { section: secIdx, hints, error: plainWarning(`unexpected relocation symbol type in ${rname}`, true) };
    const p = sec.offset + i * UNWIND_HINT_SIZE;
    const spReg = elf.u8(p + 6);
    hints.push({
      index: i, reloc: r, sym: s, sec: symSection(syms, s), off,
      spOffset: elf.dv.getInt16(p + 4, elf.le), spReg, type: elf.u8(p + 7), signal: elf.u8(p + 8),
      cfaBase: x86HintCfaBase(spReg),
    });
  }
  return { section: secIdx, hints, error: undefined };
}

/** Whether objtool decodes the hint's sp_reg for this type (the others ignore sp_reg/sp_offset). */
export function hintUsesSpReg(type: number): boolean {
  return type !== UnwindHintType.Undefined && type !== UnwindHintType.Save && type !== UnwindHintType.Restore &&
    type !== UnwindHintType.Func;
}
