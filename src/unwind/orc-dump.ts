/**
 * `objtool --dump=orc FILE`, byte for byte: one line per `.orc_unwind` entry, named by its
 * `.rela.orc_unwind_ip` relocation (`SYMBOL+ADDEND:` in hex, the section's name for section symbols)
 * or, without relocations (linked files), by the address the `.orc_unwind_ip` entry encodes.
 *
 * objtool prints lines as it goes and stops at the first problem, so the result keeps the text
 * printed so far, the warning objtool writes to stderr, and its exit status. Sections are found by
 * name (the last one of each name wins), as objtool does.
 */
import { SHT_NOBITS, SHT_RELA, SHT_STRTAB, STT_SECTION, ELF64_RELA_SIZE, ELF64_SYM_SIZE } from '../elf/constants.js';
import { bytesAsLatin1, type ElfFile, type Section } from '../elf/reader.js';
import { ORC_ENTRY_SIZE, decodeOrcEntry, formatOrcEntry, type OrcEntry } from './orc-format.js';

export interface OrcDumpResult {
  /** what objtool prints on stdout */
  stdout: string;
  /** what objtool prints on stderr ('' when all went well) */
  stderr: string;
  /** objtool's exit status: 0, or 255 after a warning */
  status: number;
}

/** Dumps the ORC tables of `elf`; `objname` is the path objtool would print in warnings. */
export function dumpOrc(elf: ElfFile, objname: string): OrcDumpResult {
  const out: string[] = [];
  const fail = (msg: string): OrcDumpResult => ({
    stdout: out.join(''), stderr: `${objname}: warning: objtool: ${msg}\n`, status: 255,
  });
  const shstr = elf.sections.length > 0 ? elf.sections[elf.shstrndx] : undefined;
  let symtab: Section | undefined;
  let strtab: Section | undefined;
  let orc: Section | undefined;
  let orcIp: Section | undefined;
  let relaOrcIp: Section | undefined;
  for (const s of elf.sections) {
    const name = strptr(elf, shstr, s.nameOff);
    if (typeof name !== 'string') return fail(`elf_strptr: ${name.error}`);
    if (name === '.symtab') symtab = s;
    else if (name === '.strtab') strtab = s;
    else if (name === '.orc_unwind') orc = s;
    else if (name === '.orc_unwind_ip') orcIp = s;
    else if (name === '.rela.orc_unwind_ip') relaOrcIp = s;
  }
  // objtool keeps data pointers: an empty or NOBITS section has none, and then nothing is dumped
  if (!symtab || !strtab || strtab.index === 0 || !hasBytes(orc) || !hasBytes(orcIp)) {
    return { stdout: '', stderr: '', status: 0 };
  }
  if (orc.size % ORC_ENTRY_SIZE !== 0) return fail('bad .orc_unwind section size');
  const n = orc.size / ORC_ENTRY_SIZE;
  const orcBytes = elf.sectionData(orc);
  const entry: OrcEntry = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };
  const rela = relaOrcIp && relaOrcIp.type !== SHT_NOBITS ? relaOrcIp : undefined;
  if (rela && rela.type !== SHT_RELA && n > 0) return fail('gelf_getrela: invalid data');
  const nRela = rela ? Math.floor(rela.size / ELF64_RELA_SIZE) : 0;
  const nSyms = symtab.type === SHT_NOBITS ? 0 : Math.floor(symtab.size / ELF64_SYM_SIZE);
  const ipBytes = elf.sectionData(orcIp);
  for (let i = 0; i < n; i++) {
    if (rela) {
      if (i >= nRela) return fail('gelf_getrela: invalid section index');
      const p = rela.offset + i * ELF64_RELA_SIZE;
      const info = elf.relocInfoSym(p);
      const addend = elf.i64(p + 16);
      if (info >= nSyms) return fail('gelf_getsym: invalid section index');
      const sp = symtab.offset + info * ELF64_SYM_SIZE;
      let name: string | { error: string };
      if ((elf.u8(sp + 4) & 0xf) === STT_SECTION) {
        // the raw st_shndx, as objtool uses it (no SHN_XINDEX lookup)
        const shndx = elf.u16(sp + 6);
        if (shndx >= elf.sections.length) return fail('elf_getscn: invalid section index');
        name = strptr(elf, shstr, elf.sections[shndx].nameOff);
      } else {
        name = strptr(elf, strtab, elf.u32(sp));
      }
      if (typeof name !== 'string') return fail(`elf_strptr: ${name.error}`);
      out.push(`${name}+${hex64(addend)}:`);
    } else {
      // objtool reads .orc_unwind_ip as host (little-endian) ints; past its end we stop instead of reading garbage
      if ((i + 1) * 4 > ipBytes.length) return fail('bad .orc_unwind_ip section size');
      const rel = ipBytes[i * 4] | (ipBytes[i * 4 + 1] << 8) | (ipBytes[i * 4 + 2] << 16) | (ipBytes[i * 4 + 3] << 24);
      const addr = (BigInt(orcIp.addr) + BigInt(i * 4) + BigInt(rel)) & 0xffffffffffffffffn;
      out.push(`${addr.toString(16)}:`);
    }
    decodeOrcEntry(orcBytes, i * ORC_ENTRY_SIZE, elf.le, entry);
    out.push(formatOrcEntry(entry), '\n');
  }
  return { stdout: out.join(''), stderr: '', status: 0 };
}

function hasBytes(s: Section | undefined): s is Section {
  return s !== undefined && s.type !== SHT_NOBITS && s.size > 0;
}

/** A signed 64-bit value printed as C's `%llx` of its unsigned reinterpretation. */
function hex64(v: number): string {
  return (BigInt(v) & 0xffffffffffffffffn).toString(16);
}

/** libelf's elf_strptr: the string must lie in a SHT_STRTAB section and end before the section does. */
function strptr(elf: ElfFile, tab: Section | undefined, off: number): string | { error: string } {
  if (!tab || tab.index === 0) return { error: 'invalid section index' };
  if (tab.type !== SHT_STRTAB) return { error: 'invalid section' };
  if (off >= tab.size) return { error: 'offset out of range' };
  const data = elf.sectionData(tab);
  let e = off;
  while (e < data.length && data[e] !== 0) e++;
  if (e >= data.length) return { error: 'invalid section index' };
  return bytesAsLatin1(data, off, e);
}
