/**
 * objtool 6.12's `.discard.*` annotations: each is a `.rela.discard.NAME` section whose relocations
 * point at instructions (or functions). Only the relocation section is read (found by name, the
 * last with that name); the contents of `.discard.NAME` itself are never looked at. Targets come
 * out in relocation order as (section, offset), with objtool's per-table rules for which symbol
 * types are accepted and how the offset is formed:
 *
 * | table                         | symbol accepted          | offset                | bad type |
 * |-------------------------------|--------------------------|-----------------------|----------|
 * | func_stack_frame_non_standard | STT_FUNC, STT_SECTION    | function at addend    | warn, skip |
 * | ignore_alts, retpoline_safe, instr_end, instr_begin, validate_unret, intra_function_calls | STT_SECTION | addend | fatal |
 * | reachable                     | STT_SECTION, .L label    | addend / label value  | fatal |
 * | noendbr                       | any                      | st_value + addend     | -        |
 *
 * "fatal" is `unexpected relocation symbol type in .rela.discard.NAME` (plain WARN); objtool stops
 * the whole file there. A section symbol's st_value is ignored (objtool uses the addend alone) and a
 * local label's addend is ignored.
 *
 * The caller (which has the instruction table) then walks `entries` in order and, for each target
 * without an instruction, prints `entry.noInsnText` (plain WARN, fatal), except for
 * func_stack_frame_non_standard (no instruction check: all instructions of `entry.func` are ignored).
 * If every entry passes and `error` is set, it prints `error` and stops. Per-table after-effects:
 * - reachable: the instruction BEFORE the target is no longer a dead end; a target equal to the
 *   section size (`atEnd`) means the last instruction starting in the section's last 10 bytes
 *   (objtool's find_last_insn), failing which `noInsnText` is printed.
 * - retpoline_safe: the instruction must be an indirect jump/call, a return or a NOP, else
 *   `MSG.retpolineSafeNotIndirect` (WARN_INSN, fatal).
 * - intra_function_calls: must be a direct call (`MSG.intraCallNotDirect`, WARN_INSN, fatal), whose
 *   destination must be an instruction (`MSG.intraCallNoDest`, WARN_INSN, fatal).
 * - instr_end decrements and instr_begin increments the instruction's instrumentation counter.
 * - ignore_alts, noendbr, validate_unret set a flag on the instruction.
 *
 * objtool reads them at different points of its pass (see `OBJTOOL_READ_ORDER`); `instr_begin` is
 * not read at all when the file has no `.rela.discard.instr_end` (objtool returns early).
 */
import { FormatError } from '../elf/errors.js';
import type { ElfFile } from '../elf/reader.js';
import { STT_FUNC, STT_SECTION } from '../elf/constants.js';
import { findFuncByOffset, findSectionByName, isLocalLabel, symSection, symTypeOf } from './reloc-lookup.js';
import { MSG, plainWarning, type KernelWarning } from './warnings.js';

export type AnnotationKind =
  | 'func_stack_frame_non_standard' | 'ignore_alts' | 'noendbr' | 'reachable' | 'retpoline_safe'
  | 'instr_end' | 'instr_begin' | 'validate_unret' | 'intra_function_calls';

/** Which symbols a table accepts and how it forms the offset. */
type Rule = 'func' | 'section' | 'section-or-label' | 'any';

interface TableSpec {
  readonly rule: Rule;
  /** the exact text objtool prints when a target has no instruction ('' when it does not check) */
  readonly noInsn: string;
}

const SPECS: Readonly<Record<AnnotationKind, TableSpec>> = {
  func_stack_frame_non_standard: { rule: 'func', noInsn: '' },
  ignore_alts: { rule: 'section', noInsn: MSG.badEntry('ignore_alts') },
  noendbr: { rule: 'any', noInsn: MSG.badEntry('noendbr') },
  reachable: { rule: 'section-or-label', noInsn: '' },
  retpoline_safe: { rule: 'section', noInsn: MSG.badEntry('retpoline_safe') },
  instr_end: { rule: 'section', noInsn: MSG.badEntry('instr_end') },
  instr_begin: { rule: 'section', noInsn: MSG.badEntry('instr_begin') },
  // objtool 6.12 prints these two texts as they are (copy-paste and singular forms included)
  validate_unret: { rule: 'section', noInsn: MSG.badEntry('instr_end') },
  intra_function_calls: { rule: 'section', noInsn: MSG.badEntry('intra_function_call') },
};

/**
 * The order objtool's decode_sections() consumes kernel inputs in, so the caller can emit their
 * warnings in the same order. 'special' is `readSpecialAlts` (read fully first, then checked entry by
 * entry), 'unwind_hints' is `readUnwindHints`.
 */
export const OBJTOOL_READ_ORDER = [
  'func_stack_frame_non_standard', 'ignore_alts', 'noendbr', 'special', 'intra_function_calls',
  'reachable', 'unwind_hints', 'retpoline_safe', 'instr_end', 'instr_begin', 'validate_unret',
] as const;

export interface AnnotationEntry {
  /** relocation index in the .rela.discard section */
  readonly reloc: number;
  readonly sym: number;
  /** target section (0: the symbol has none) and offset */
  readonly sec: number;
  readonly off: number;
  /** func_stack_frame_non_standard: the function symbol whose instructions are ignored, else -1 */
  readonly func: number;
  /** reachable: the target is the end of its section */
  readonly atEnd: boolean;
  /** what objtool prints (plain WARN, fatal) when no instruction is found for this entry; '' if it never checks */
  readonly noInsnText: string;
}

export interface AnnotationTable {
  readonly kind: AnnotationKind;
  /** the `.rela.discard.*` section read, or -1 when the file has none */
  readonly relocSection: number;
  readonly entries: AnnotationEntry[];
  /** non-fatal warnings printed while reading (func_stack_frame_non_standard only), in order */
  readonly warnings: KernelWarning[];
  /** fatal warning after `entries` (objtool stops the file), or undefined */
  readonly error: KernelWarning | undefined;
}

/** Reads one annotation table. */
export function readAnnotation(elf: ElfFile, kind: AnnotationKind): AnnotationTable {
  const spec = SPECS[kind];
  const rname = `.rela.discard.${kind}`;
  const rsec = findSectionByName(elf, rname);
  const entries: AnnotationEntry[] = [];
  const warnings: KernelWarning[] = [];
  if (rsec < 0) return { kind, relocSection: -1, entries, warnings, error: undefined };
  const r = elf.relocs(rsec);
  const syms = elf.symtab;
  if (r.count > 0 && !syms) throw new FormatError(`${rname}: relocations without a symbol table`);
  for (let i = 0; i < r.count; i++) {
    const s = r.sym[i];
    const type = symTypeOf(syms!, s);
    const sec = symSection(syms!, s);
    const addend = r.addend[i];
    let off: number;
    let func = -1;
    switch (spec.rule) {
      case 'func':
        if (type === STT_FUNC) {
          func = s;
          off = syms!.value[s];
        } else if (type === STT_SECTION) {
          off = addend;
          func = findFuncByOffset(syms!, sec, addend);
          if (func < 0) continue;
        } else {
          warnings.push(plainWarning(`unexpected relocation symbol type in ${rname}: ${type}`, false));
          continue;
        }
        break;
      case 'section':
        if (type !== STT_SECTION) return fail(kind, rsec, entries, warnings, rname);
        off = addend;
        break;
      case 'section-or-label':
        if (type === STT_SECTION) off = addend;
        else if (isLocalLabel(syms!, s)) off = syms!.value[s];
        else return fail(kind, rsec, entries, warnings, rname);
        break;
      case 'any':
        off = syms!.value[s] + addend;
        break;
    }
    let noInsnText = spec.noInsn;
    let atEnd = false;
    if (kind === 'reachable') {
      atEnd = off === elf.sections[sec].size;
      noInsnText = MSG.reachableNoInsn(elf.sections[sec]?.name ?? '', off);
    }
    entries.push({ reloc: i, sym: s, sec, off, func, atEnd, noInsnText });
  }
  return { kind, relocSection: rsec, entries, warnings, error: undefined };
}

/** All annotation tables in objtool's reading order, with its instr_begin quirk applied. */
export function readAnnotations(elf: ElfFile): Record<AnnotationKind, AnnotationTable> {
  const out = {} as Record<AnnotationKind, AnnotationTable>;
  for (const k of OBJTOOL_READ_ORDER) {
    if (k === 'special' || k === 'unwind_hints') continue;
    if (k === 'instr_begin' && out.instr_end.relocSection < 0) {
      out.instr_begin = { kind: k, relocSection: -1, entries: [], warnings: [], error: undefined };
      continue;
    }
    out[k] = readAnnotation(elf, k);
  }
  return out;
}

function fail(kind: AnnotationKind, rsec: number, entries: AnnotationEntry[], warnings: KernelWarning[], rname: string): AnnotationTable {
  return { kind, relocSection: rsec, entries, warnings, error: plainWarning(`unexpected relocation symbol type in ${rname}`, true) };
}
