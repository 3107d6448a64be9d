/**
 * Relocation look-ups with objtool's rules, for reading kernel tables:
 * - a section's relocations are those of the LAST SHT_RELA/SHT_REL section whose sh_info names it
 *   (objtool keeps one `rsec` per section and each later one replaces the earlier);
 * - "the relocation at offset X" is the exact-offset match; when several share the offset, the one
 *   later in the file wins (objtool's hash chains are filled head-first);
 * - a section looked up by name is the last one with that name, for the same reason.
 * Relocation destinations follow objtool too: the symbol's section (0 stands for "none": undefined,
 * absolute and common symbols) and `st_value + addend`, whatever the relocation type.
 */
import { SHN_LORESERVE, SHN_UNDEF, SHT_REL, SHT_RELA, STT_FUNC, STT_NOTYPE, STT_SECTION } from '../elf/constants.js';
import type { ElfFile, RelocTable, SymbolTable } from '../elf/reader.js';
import { symType } from '../elf/reader.js';

/** Index of the last section named `name`, or -1. */
export function findSectionByName(elf: ElfFile, name: string): number {
  const secs = elf.sections;
  for (let i = secs.length - 1; i >= 0; i--) if (secs[i].name === name) return i;
  return -1;
}

/** Index of the relocation section objtool pairs with section `sec` (the last one), or -1. */
export function relocSectionOf(elf: ElfFile, sec: number): number {
  const list = elf.relocSectionsFor(sec);
  for (let k = list.length - 1; k >= 0; k--) {
    const t = elf.sections[list[k]].type;
    if (t === SHT_RELA || t === SHT_REL) return list[k];
  }
  return -1;
}

/** The relocations of one section with exact-offset look-up. */
export class RelocsByOffset {
  /** relocation indices sorted by offset, later file position first among equal offsets */
  private readonly order: Int32Array;

  constructor(readonly table: RelocTable) {
    const n = table.count;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const off = table.offset;
    order.sort((a, b) => off[a] - off[b] || b - a);
    this.order = order;
  }

  /** The relocation objtool finds at exactly `offset`, or -1. */
  at(offset: number): number {
    const off = this.table.offset;
    const order = this.order;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (off[order[mid]] < offset) lo = mid + 1; else hi = mid;
    }
    return lo < order.length && off[order[lo]] === offset ? order[lo] : -1;
  }
}

/** Relocations applying to section `sec` (objtool's choice of section), or undefined. */
export function relocsFor(elf: ElfFile, sec: number): RelocsByOffset | undefined {
  const r = relocSectionOf(elf, sec);
  return r < 0 ? undefined : new RelocsByOffset(elf.relocs(r));
}

/** Section index objtool gives symbol `s`: its defining section, or 0 when it has none. */
export function symSection(syms: SymbolTable, s: number): number {
  const sh = syms.shndx[s];
  if (sh === SHN_UNDEF) return 0;
  if (sh >= SHN_LORESERVE && syms.rawShndx[s] !== 0xffff) return 0;
  return sh;
}

export function symTypeOf(syms: SymbolTable, s: number): number {
  return symType(syms.info[s]);
}

/** objtool's `local_label`: an STT_NOTYPE symbol whose name starts with ".L". */
export function isLocalLabel(syms: SymbolTable, s: number): boolean {
  return symType(syms.info[s]) === STT_NOTYPE && syms.name(s).startsWith('.L');
}

/**
 * objtool's find_func_by_offset: an STT_FUNC symbol of section `sec` starting exactly at `off`.
 * Zero-sized symbols are not in objtool's lookup tree, so they never match. -1 when none.
 */
export function findFuncByOffset(syms: SymbolTable, sec: number, off: number): number {
  for (let s = 1; s < syms.count; s++) {
    if (symType(syms.info[s]) === STT_FUNC && symSection(syms, s) === sec && syms.value[s] === off && syms.size[s] > 0) return s;
  }
  return -1;
}

export function isSectionSymbol(syms: SymbolTable, s: number): boolean {
  return symType(syms.info[s]) === STT_SECTION;
}
