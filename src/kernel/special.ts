/**
 * The kernel's patchable-code tables as objtool 6.12 reads them (special.c, arch/x86/special.c):
 * `.altinstructions` (ALTERNATIVE groups), `__jump_table` (static keys) and `__ex_table`
 * (exception fixups), each entry turned into one `SpecialAlt`: an original site, optionally a new
 * site, and the flags that tell the analysis how to follow them.
 *
 * Reading rules reproduced from objtool:
 * - tables are read in the order .altinstructions, __jump_table, __ex_table, entries in order;
 * - a table whose size is not a multiple of its entry size, or an entry missing the relocation for
 *   a pointer field, stops everything (fatal warning, objtool abandons the file);
 * - a group (alternative) entry with new_len 0 has no new site and its new relocation is not read;
 * - a new offset >= 0x7ffffff0 has 0x7ffffff0 taken off (old _ASM_EXTABLE_EX encoding);
 * - x86 alternatives sharing an original site with the previous group get the largest orig_len of
 *   the group (nested ALTERNATIVE_2/3), X86_FEATURE_SMAP alternatives skip the original path under
 *   --uaccess and the replacement path otherwise, X86_FEATURE_POPCNT ones skip the original path;
 * - a jump-label entry keeps the low byte of the key relocation's addend (`key_addend`): bit 0 is
 *   the branch's initial direction, bit 1 asks objtool (--hacks=jump_label) to turn the site's JMP
 *   into a NOP.
 *
 * AArch64 `.altinstructions` (12-byte `struct alt_instr`) and its `__jump_table`/`__ex_table`
 * (same layouts as x86's for the fields read) fill the same type. objtool 6.12 has no arm64 support,
 * so there are no feature special cases there; callback alternatives (cpucap bit 15) point their new
 * site at the callback function and are flagged `callback`.
 *
 * Checks that need the instruction table are the caller's (analysis order, after this list is read):
 * for each alt in order, `MSG.specialNoOrigInsn` (fatal, WARN_FUNC at orig) when no instruction starts
 * at (origSec, origOff); then if `hasNew`, `MSG.specialNoNewInsn` (fatal, WARN_FUNC at new); then for
 * groups with origLen 0 `MSG.emptyAlternative` (WARN_INSN, entry dropped, not fatal); jump-label
 * sites must be an unconditional jump or a NOP (`MSG.unsupportedJumpLabel`, fatal). Finally
 * `skipAlt` sets the original instruction's "ignore alternatives" flag, and `skipOrig` marks the
 * alternative path as the only one.
 */
import { EM_AARCH64 } from '../elf/constants.js';
import { FormatError } from '../elf/errors.js';
import type { ElfFile, SymbolTable } from '../elf/reader.js';
import { findSectionByName, relocsFor, symSection, type RelocsByOffset } from './reloc-lookup.js';
import { funcWarning, plainWarning, type KernelWarning } from './warnings.js';

export type SpecialKind = 'alternative' | 'jump_label' | 'ex_table';

export interface SpecialAlt {
  readonly kind: SpecialKind;
  /** section index of the table and the entry's index in it */
  readonly table: number;
  readonly index: number;
  /** alternative group (patched in place, lengths matter) */
  readonly group: boolean;
  /** jump label: the site is a JMP or a NOP that can be flipped */
  readonly jumpOrNop: boolean;
  /** follow only the new path */
  skipOrig: boolean;
  /** follow only the original path (objtool sets the original insn's ignore_alts) */
  skipAlt: boolean;
  /** low byte of the key relocation's addend (jump labels), else 0 */
  readonly keyAddend: number;
  /** original site; origSec 0 when the relocation's symbol has no section */
  readonly origSec: number;
  readonly origOff: number;
  /** whether a new site was read (all but groups with newLen 0) */
  readonly hasNew: boolean;
  /** new site (-1/-1 when !hasNew) */
  readonly newSec: number;
  readonly newOff: number;
  /** group only (0 otherwise); origLen may be raised for nested alternatives */
  origLen: number;
  readonly newLen: number;
  /** alternatives: CPU feature (x86 cpuid bits 0-15 / arm64 cpucap without the callback bit), else -1 */
  readonly feature: number;
  /** x86 alternatives: the flags half of ft_flags (ALT_FLAG_NOT = 1, ALT_FLAG_DIRECT_CALL = 2), else 0 */
  readonly featureFlags: number;
  /** arm64 callback alternative (cpucap bit 15) */
  readonly callback: boolean;
  /** jump labels: the key symbol (index), its section and st_value + addend with the low 2 bits cleared; else -1 */
  readonly keySym: number;
  readonly keySec: number;
  readonly keyOff: number;
  /** ex_table: the `data` word (x86: type bits 0-7, reg 8-11, flags 12-15, imm 16-31; arm64: type s16, data s16), else 0 */
  readonly exData: number;
}

export interface SpecialAlts {
  readonly alts: SpecialAlt[];
  /** the fatal warning that stopped reading (alts holds the entries read before it), or undefined */
  readonly error: KernelWarning | undefined;
}

export interface SpecialOptions {
  /** objtool --uaccess (kbuild passes it for x86-64): decides the X86_FEATURE_SMAP case */
  readonly uaccess: boolean;
}

/** X86_FEATURE_POPCNT = word 4 bit 23, X86_FEATURE_SMAP = word 9 bit 20 (arch/x86/include/asm/cpufeatures.h). */
export const X86_FEATURE_POPCNT = 4 * 32 + 23;
export const X86_FEATURE_SMAP = 9 * 32 + 20;
export const ALT_FLAG_NOT = 1;
export const ALT_FLAG_DIRECT_CALL = 2;
/** arm64: alternatives with this cpucap bit call a patching callback instead of copying code */
export const ARM64_CB_BIT = 1 << 15;

/** Layout of one table: entry size and the offsets of its fields (-1: field absent). */
export interface SpecialLayout {
  readonly name: string;
  readonly kind: SpecialKind;
  readonly size: number;
  readonly orig: number;
  readonly new: number;
  readonly origLen: number;
  readonly newLen: number;
  readonly feature: number;
  readonly key: number;
  readonly data: number;
}

/** x86-64: struct alt_instr (14 bytes, packed), struct jump_entry (16), struct exception_table_entry (12). */
export const X86_SPECIAL_LAYOUTS: readonly SpecialLayout[] = [
  { name: '.altinstructions', kind: 'alternative', size: 14, orig: 0, new: 4, feature: 8, origLen: 12, newLen: 13, key: -1, data: -1 },
  { name: '__jump_table', kind: 'jump_label', size: 16, orig: 0, new: 4, key: 8, feature: -1, origLen: -1, newLen: -1, data: -1 },
  { name: '__ex_table', kind: 'ex_table', size: 12, orig: 0, new: 4, data: 8, feature: -1, origLen: -1, newLen: -1, key: -1 },
];

/** AArch64: struct alt_instr (12 bytes), struct jump_entry (16), struct exception_table_entry (12). */
export const ARM64_SPECIAL_LAYOUTS: readonly SpecialLayout[] = [
  { name: '.altinstructions', kind: 'alternative', size: 12, orig: 0, new: 4, feature: 8, origLen: 10, newLen: 11, key: -1, data: -1 },
  { name: '__jump_table', kind: 'jump_label', size: 16, orig: 0, new: 4, key: 8, feature: -1, origLen: -1, newLen: -1, data: -1 },
  { name: '__ex_table', kind: 'ex_table', size: 12, orig: 0, new: 4, data: 8, feature: -1, origLen: -1, newLen: -1, key: -1 },
];

/** Reads every special table of `elf` in objtool's order. */
export function readSpecialAlts(elf: ElfFile, opts: SpecialOptions): SpecialAlts {
  const arm64 = elf.machine === EM_AARCH64;
  const layouts = arm64 ? ARM64_SPECIAL_LAYOUTS : X86_SPECIAL_LAYOUTS;
  const alts: SpecialAlt[] = [];
  const nested: NestedState = { group: -1, prev: -1 };
  for (const layout of layouts) {
    const secIdx = findSectionByName(elf, layout.name);
    if (secIdx < 0) continue;
    const sec = elf.sections[secIdx];
    if (sec.size % layout.size !== 0) {
      return { alts, error: plainWarning(`${sec.name} size not a multiple of ${layout.size}`, true) };
    }
    const n = sec.size / layout.size;
    if (n === 0) continue;
    const data = elf.sectionData(sec);
    if (data.length < sec.size) throw new FormatError(`section ${sec.name} has no contents`, sec.headerOffset);
    const relocs = relocsFor(elf, secIdx);
    const syms = elf.symtab;
    if (relocs && !syms) throw new FormatError('relocations without a symbol table');
    for (let idx = 0; idx < n; idx++) {
      const r = readEntry(elf, layout, secIdx, idx, relocs, syms, arm64, opts, alts, nested);
      if ('text' in r) return { alts, error: r };
      alts.push(r);
    }
  }
  return { alts, error: undefined };
}

interface NestedState {
  /** first alt of the current x86 group (same original site), index into alts */
  group: number;
  /** last alt passed to the nesting rule (may be an entry that failed to read; then reading stops anyway) */
  prev: number;
}

function readEntry(
  elf: ElfFile, L: SpecialLayout, secIdx: number, idx: number, relocs: RelocsByOffset | undefined,
  syms: SymbolTable | undefined, arm64: boolean, opts: SpecialOptions, alts: SpecialAlt[], nested: NestedState,
): SpecialAlt | KernelWarning {
  const base = elf.sections[secIdx].offset + idx * L.size;
  const off = idx * L.size;
  const group = L.kind === 'alternative';
  const origLen = group ? elf.u8(base + L.origLen) : 0;
  const newLen = group ? elf.u8(base + L.newLen) : 0;

  const ro = relocs && syms ? relocs.at(off + L.orig) : -1;
  if (ro < 0 || !relocs || !syms) return funcWarning('can\'t find orig reloc', secIdx, off + L.orig, true);
  const origSec = symSection(syms, relocs.table.sym[ro]);
  const origOff = syms.value[relocs.table.sym[ro]] + relocs.table.addend[ro];

  let feature = -1;
  let featureFlags = 0;
  let callback = false;
  let skipOrig = false;
  let skipAlt = false;
  let origLenFinal = origLen;
  if (L.feature >= 0) {
    const raw = elf.u16(base + L.feature);
    if (arm64) {
      callback = (raw & ARM64_CB_BIT) !== 0;
      feature = raw & ~ARM64_CB_BIT;
    } else {
      feature = raw;
      featureFlags = elf.u16(base + L.feature + 2);
      origLenFinal = applyNesting(alts, nested, origSec, origOff, origLen);
      if (feature === X86_FEATURE_SMAP) {
        if (opts.uaccess) skipOrig = true; else skipAlt = true;
      } else if (feature === X86_FEATURE_POPCNT) {
        skipOrig = true;
      }
    }
  }

  let hasNew = false;
  let newSec = -1;
  let newOff = -1;
  if (!group || newLen !== 0) {
    const rn = relocs.at(off + L.new);
    if (rn < 0) return funcWarning('can\'t find new reloc', secIdx, off + L.new, true);
    hasNew = true;
    newSec = symSection(syms, relocs.table.sym[rn]);
    newOff = syms.value[relocs.table.sym[rn]] + relocs.table.addend[rn];
    // objtool compares as unsigned long: a negative offset is huge, so it is adjusted too
    if (newOff >= 0x7ffffff0 || newOff < 0) newOff -= 0x7ffffff0;
  }

  let keyAddend = 0;
  let keySym = -1;
  let keySec = -1;
  let keyOff = -1;
  if (L.key >= 0) {
    const rk = relocs.at(off + L.key);
    if (rk < 0) return funcWarning('can\'t find key reloc', secIdx, off + L.key, true);
    const addend = relocs.table.addend[rk];
    keyAddend = lowByte(addend);
    keySym = relocs.table.sym[rk];
    keySec = symSection(syms, keySym);
    keyOff = syms.value[keySym] + addend - (keyAddend & 3);
  }

  const exData = L.data >= 0 ? elf.i32(base + L.data) : 0;
  return {
    kind: L.kind, table: secIdx, index: idx, group, jumpOrNop: L.kind === 'jump_label', skipOrig, skipAlt, keyAddend,
    origSec, origOff, hasNew, newSec, newOff, origLen: origLenFinal, newLen, feature, featureFlags, callback,
    keySym, keySec, keyOff, exData,
  };
}

/**
 * objtool's fix-up for nested x86 alternatives: when this entry has the same original site as the
 * current group's first entry, every entry from the group's first to the previous one and this
 * one get max(their orig_len, this one's running orig_len); otherwise this entry starts a group.
 * Returns this entry's orig_len. The entry itself is appended by the caller right after.
 */
function applyNesting(alts: SpecialAlt[], st: NestedState, origSec: number, origOff: number, origLen: number): number {
  let len = origLen;
  const g = st.group >= 0 && st.group < alts.length ? alts[st.group] : undefined;
  if (g && g.origSec === origSec && g.origOff === origOff) {
    const last = Math.min(st.prev, alts.length - 1);
    for (let i = st.group; i <= last; i++) {
      const m = Math.max(alts[i].origLen, len);
      alts[i].origLen = m;
      len = m;
    }
  } else {
    st.group = alts.length;
  }
  st.prev = alts.length;
  return len;
}

/** The low 8 bits of a 64-bit addend held as a double (exact within ±2^53). */
function lowByte(v: number): number {
  const m = v % 256;
  return m < 0 ? m + 256 : m;
}
