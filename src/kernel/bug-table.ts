/**
 * The kernel's `__bug_table`: one `struct bug_entry` per BUG()/WARN() site (include/asm-generic/bug.h
 * with CONFIG_GENERIC_BUG_RELATIVE_POINTERS, the 64-bit layout on x86-64 and arm64):
 *   int bug_addr_disp; [int file_disp; unsigned short line;] unsigned short flags;
 * 12 bytes with CONFIG_DEBUG_BUGVERBOSE (file and line present), else 8 (flags then 2 bytes padding).
 * A WARN() site (BUGFLAG_WARNING) traps and then carries on at the next instruction: its trap
 * (ud2, brk #0x800) is no dead end, unlike a BUG().
 */
import type { ElfFile } from '../elf/reader.js';
import { findSectionByName, relocsFor, symSection } from './reloc-lookup.js';

/** include/asm-generic/bug.h */
export const BUGFLAG_WARNING = 1 << 0;

export interface BugSite {
  readonly sec: number;
  readonly off: number;
  readonly flags: number;
}

/**
 * The sites of `__bug_table` whose address relocation can be read; entries without one are skipped
 * (never throws on odd sizes: a partial last entry is ignored).
 */
export function readBugTable(elf: ElfFile): BugSite[] {
  const idx = findSectionByName(elf, '__bug_table');
  if (idx < 0 || !elf.symtab) return [];
  const sec = elf.sections[idx];
  const relocs = relocsFor(elf, idx);
  if (!relocs) return [];
  const data = elf.sectionData(sec);
  // the verbose layout has a second pc-relative word (the file name) right after the address
  const size = relocs.at(4) >= 0 ? 12 : 8;
  const flagsAt = size === 12 ? 10 : 4;
  const syms = elf.symtab;
  const out: BugSite[] = [];
  for (let off = 0; off + size <= data.length; off += size) {
    const r = relocs.at(off);
    if (r < 0) continue;
    const s = relocs.table.sym[r];
    const flags = elf.u16(sec.offset + off + flagsAt);
    out.push({ sec: symSection(syms, s), off: syms.value[s] + relocs.table.addend[r], flags });
  }
  return out;
}
