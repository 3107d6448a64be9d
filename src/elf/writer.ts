/**
 * ElfEditor: the changes objtool 6.12 makes to an object (elf.c), reproduced so that `readelf -WS`
 * (apart from offsets), `readelf -Wr`, `readelf -Ws` and `objdump -s` come out identical.
 *
 * What objtool does, and so what this does:
 * - a created section is SHT_PROGBITS, SHF_ALLOC, alignment 1, zero-filled, `entsize * nr` bytes,
 *   its name appended (never shared) to `.shstrtab` (or `.strtab` when there is no `.shstrtab`);
 * - its `.rela` twin is SHT_RELA, SHF_INFO_LINK, alignment 8, entsize 24, linked to `.symtab`,
 *   `nr` all-zero relocations that the caller fills in by index;
 * - a new LOCAL symbol takes slot `sh_info` of `.symtab`: the symbol there (the first global) moves to
 *   the end and every relocation naming it follows; `sh_info` grows by one. A new non-local symbol
 *   is appended. `.symtab_shndx`, when present, grows with `.symtab`;
 * - relocations against code use the code section's STT_SECTION symbol (created on first use:
 *   no name, LOCAL, value 0, size 0);
 * - prefix symbols `__pfx_NAME` copy the function's st_info, start `size` bytes before it, st_other 0.
 *
 * Symbols are named by handles that never change: an original symbol's handle is its index in the
 * file; created symbols get handles after those. `symbolIndex(handle)` gives the index it has now.
 *
 * `serialize()` writes the file objtool's libelf writes (elf_update(ELF_C_WRITE) without
 * ELF_F_LAYOUT), byte for byte, for relocatable objects: sections in index order from offset 64,
 * each aligned to its sh_addralign, padding zero-filled, the section header table last, aligned to
 * 8. Linked files whose loaded sections that layout would move keep the old way instead: untouched
 * sections stay where they are, grown and new ones are appended.
 */
import {
  ELF64_EHDR_SIZE, ELF64_REL_SIZE, ELF64_RELA_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE, EM_AARCH64, ET_REL,
  R_AARCH64_ABS32, R_AARCH64_ABS64, R_AARCH64_PREL32, R_X86_64_32, R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32,
  SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SHT_DYNSYM, SHT_GROUP, SHT_NOBITS,
  SHT_PROGBITS, SHT_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX, STB_LOCAL, STT_SECTION,
} from './constants.js';
import type { ElfFile, Section } from './reader.js';
import { FormatError } from './errors.js';
import type { ByteSource } from './file-pieces.js';
import { CHUNK_BYTES, FilePieces, concatSource, wholeSource } from './file-pieces.js';
import { grown } from '../typed-arrays.js';

/** What a section's bytes are made of when written: an array, or bytes computed while writing. */
type Contents = Uint8Array | ByteSource;

/** The relocation types objtool uses for one machine (arch/<arch>/include/arch/elf.h). */
export interface RelocTypes {
  readonly none: number;
  /** elf_init_reloc_text_sym */
  readonly text: number;
  /** elf_init_reloc_data_sym */
  readonly data: number;
  readonly abs32: number;
  readonly abs64: number;
}

export const X86_64_RELOC_TYPES: RelocTypes = {
  none: R_X86_64_NONE, text: R_X86_64_PC32, data: R_X86_64_PC32, abs32: R_X86_64_32, abs64: R_X86_64_64,
};
export const AARCH64_RELOC_TYPES: RelocTypes = {
  none: 0, text: R_AARCH64_PREL32, data: R_AARCH64_PREL32, abs32: R_AARCH64_ABS32, abs64: R_AARCH64_ABS64,
};

/** A section header as the editor holds it (what will be written). */
export interface SectionHeader {
  name: string;
  nameOff: number;
  type: number;
  flags: number;
  addr: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/** Symbol fields for `createSymbol`. */
export interface NewSymbol {
  name: string;
  /** st_info: bind << 4 | type */
  info: number;
  other?: number;
  /** section index, or SHN_ABS/SHN_COMMON, or 0 for undefined */
  shndx: number;
  value: number;
  size: number;
}

/**
 * Relocations of a rela section the editor created, as columns (one entry per index): the symbol is
 * held as its handle, since final indices are known only once every symbol exists; the section's
 * bytes (Elf64_Rela) are made from the columns while it is written, so each entry is encoded once.
 */
interface NewRelocs {
  readonly offset: Float64Array;
  /** symbol handle */
  readonly sym: Int32Array;
  readonly type: Uint32Array;
  readonly addend: Float64Array;
  /** entries filled by initReloc (the others stay all-zero, as objtool leaves them, but for a type set on them) */
  readonly set: Uint8Array;
}

/** Bytes appended to a string table: one growing buffer (many small names, no object per name). */
interface Appended {
  bytes: Uint8Array;
  length: number;
}

interface EditSection extends SectionHeader {
  readonly index: number;
  readonly orig: Section | undefined;
  /** replaced contents (copy-on-write), undefined while the original bytes stand */
  data: Uint8Array | undefined;
  /** bytes appended to a string table, in order */
  appended: Appended | undefined;
  relocs: NewRelocs | undefined;
  /** r_info type changes in an existing relocation section: entry index -> type */
  typeEdits: Map<number, number> | undefined;
  /** handle of the section's STT_SECTION symbol (objtool's sec->sym), -1 if none */
  sym: number;
  headerChanged: boolean;
}

/** Where serialize() puts things. */
interface Layout {
  /** sh_offset of each section */
  offsets: Float64Array;
  phoff: number;
  shoff: number;
  /** file size */
  size: number;
}

const U32 = 0x100000000;
/** objtool's name for the symbol of a function's prefix NOPs: this + the function's name */
const PREFIX_SYMBOL = '__pfx_';
const ELF64_PHDR_SIZE = 56;
const ELF64_DYN_SIZE = 16;
/** libelf aligns the section header table to sizeof(Elf64_Off) */
const ELF64_SHDR_TABLE_ALIGN = 8;
/** alignment of Elf64_Chdr, which libelf gives SHF_COMPRESSED sections */
const ELF64_CHDR_ALIGN = 8;
const SHF_COMPRESSED = 0x800;
const SHT_HASH = 5;
const SHT_DYNAMIC = 6;
const SHT_SUNW_MOVE = 0x6ffffffa;
const SHT_SUNW_SYMINFO = 0x6ffffffc;
const EM_S390 = 22;
const EM_ALPHA = 0x9026;
/** whether typed arrays on this machine are little-endian (they use the host's byte order) */
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class ElfEditor {
  readonly le: boolean;
  readonly relocTypes: RelocTypes;
  private readonly secs: EditSection[] = [];
  private readonly symtabIndex: number;
  private readonly shndxIndex: number;
  private readonly origSymCount: number;
  /** final position -> symbol handle */
  private order: Int32Array;
  private symCount: number;
  /** positions whose entry was rewritten */
  private readonly touched: number[] = [];
  // created symbols, indexed by handle - origSymCount
  private readonly newNameOff: number[] = [];
  private readonly newName: string[] = [];
  private readonly newInfo: number[] = [];
  private readonly newOther: number[] = [];
  private readonly newShndx: number[] = [];
  private readonly newValue: number[] = [];
  private readonly newSize: number[] = [];
  private changedAny = false;

  constructor(readonly elf: ElfFile, relocTypes?: RelocTypes) {
    this.le = elf.le;
    // objtool's types are per arch (x86-64 unless told otherwise or the file is AArch64)
    this.relocTypes = relocTypes ?? (elf.machine === EM_AARCH64 ? AARCH64_RELOC_TYPES : X86_64_RELOC_TYPES);
    for (const s of elf.sections) {
      this.secs.push({
        index: s.index, orig: s, name: s.name, nameOff: s.nameOff, type: s.type, flags: s.flags, addr: s.addr,
        size: s.size, link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize,
        data: undefined, appended: undefined, relocs: undefined, typeEdits: undefined, sym: -1, headerChanged: false,
      });
    }
    this.symtabIndex = this.findSection('.symtab');
    this.shndxIndex = this.symtabIndex >= 0 ? this.findSection('.symtab_shndx') : -1;
    const st = elf.symtab && elf.symtab.section === this.symtabIndex ? elf.symtab : undefined;
    this.origSymCount = st ? st.count : 0;
    this.symCount = this.origSymCount;
    this.order = new Int32Array(Math.max(16, this.origSymCount + (this.origSymCount >> 3)));
    for (let i = 0; i < this.origSymCount; i++) this.order[i] = i;
    if (st) {
      // objtool's sec->sym: the last STT_SECTION symbol of each section
      for (let i = 0; i < st.count; i++) {
        if ((st.info[i] & 0xf) !== STT_SECTION) continue;
        const raw = st.rawShndx[i];
        const inSection = (raw > SHN_UNDEF && raw < SHN_LORESERVE) || (raw === SHN_XINDEX && this.shndxIndex >= 0);
        if (inSection && st.shndx[i] < this.secs.length) this.secs[st.shndx[i]].sym = i;
      }
    }
  }

  /** True once anything was changed (objtool writes the file only then). */
  get changed(): boolean { return this.changedAny; }
  get sectionCount(): number { return this.secs.length; }
  get symbolCount(): number { return this.symCount; }

  /** objtool's find_section_by_name: the most recently added section of that name, or -1. */
  findSection(name: string): number {
    for (let i = this.secs.length - 1; i >= 0; i--) if (this.secs[i].name === name) return i;
    return -1;
  }

  /**
   * The header as it will be written (a copy), apart from what libelf fixes on writing: the file
   * offset, sh_entsize of the table types it knows, sh_addralign 0 (written as 1).
   */
  sectionHeader(sec: number): SectionHeader {
    const s = this.sec(sec);
    return {
      name: s.name, nameOff: s.nameOff, type: s.type, flags: s.flags, addr: s.addr, size: s.size,
      link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize,
    };
  }

  /** Changes header fields (objtool sets SHF_WRITE on .static_call_sites, alignment 8 on __mcount_loc). */
  updateSectionHeader(sec: number, fields: Partial<Pick<SectionHeader, 'flags' | 'addralign' | 'addr' | 'link' | 'info' | 'entsize'>>): void {
    const s = this.sec(sec);
    if (fields.flags !== undefined) s.flags = fields.flags;
    if (fields.addralign !== undefined) s.addralign = fields.addralign;
    if (fields.addr !== undefined) s.addr = fields.addr;
    if (fields.link !== undefined) s.link = fields.link;
    if (fields.info !== undefined) s.info = fields.info;
    if (fields.entsize !== undefined) s.entsize = fields.entsize;
    this.relaOfSection = undefined;
    this.markChanged(s);
  }

  /** The relocation section objtool pairs with `sec` (the last one naming it in sh_info), or -1. */
  relaSectionOf(sec: number): number {
    // asked once per relocation written: answered from a table, rebuilt when sections change
    let t = this.relaOfSection;
    if (!t) {
      t = new Int32Array(this.secs.length).fill(-1);
      for (const s of this.secs) {
        if ((s.type === SHT_RELA || s.type === SHT_REL) && s.info < t.length) t[s.info] = s.index;
      }
      this.relaOfSection = t;
    }
    return sec >= 0 && sec < t.length ? t[sec] : -1;
  }

  /** relaSectionOf by section index, undefined until asked for and after any change of types or sh_info */
  private relaOfSection: Int32Array | undefined;

  /** elf_create_section: a zero-filled SHT_PROGBITS, SHF_ALLOC section of `entsize * nr` bytes. */
  createSection(name: string, entsize: number, nr: number): number {
    return this.newSection(name, entsize, nr, true);
  }

  private newSection(name: string, entsize: number, nr: number, withData: boolean): number {
    const size = entsize * nr;
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`elf_create_section: bad size for ${name}`);
    const index = this.secs.length;
    let strtab = this.findSection('.shstrtab');
    if (strtab < 0) strtab = this.findSection('.strtab');
    if (strtab < 0) throw new FormatError("can't find .shstrtab or .strtab section");
    const nameOff = this.addString(strtab, name);
    const s: EditSection = {
      index, orig: undefined, name, nameOff, type: SHT_PROGBITS, flags: SHF_ALLOC, addr: 0, size, link: 0, info: 0,
      addralign: 1, entsize, data: withData ? new Uint8Array(size) : undefined, appended: undefined, relocs: undefined, typeEdits: undefined,
      sym: -1, headerChanged: true,
    };
    this.secs.push(s);
    this.relaOfSection = undefined;
    this.changedAny = true;
    return index;
  }

  /** elf_create_section_pair: `name` plus `.rela<name>` with `relocNr` empty relocations; returns `name`'s index. */
  createSectionPair(name: string, entsize: number, nr: number, relocNr: number): number {
    const sec = this.createSection(name, entsize, nr);
    this.createRelaSection(sec, relocNr);
    return sec;
  }

  /** elf_create_rela_section: the `.rela` twin of `sec`. */
  createRelaSection(sec: number, relocNr: number): number {
    const base = this.sec(sec);
    const r = this.newSection(`.rela${base.name}`, ELF64_RELA_SIZE, relocNr, false);
    const s = this.secs[r];
    s.type = SHT_RELA;
    s.addralign = 8;
    if (this.symtabIndex < 0) throw new FormatError('no .symtab');
    s.link = this.symtabIndex;
    s.info = sec;
    s.flags = SHF_INFO_LINK;
    this.relaOfSection = undefined;
    s.relocs = {
      offset: new Float64Array(relocNr), sym: new Int32Array(relocNr), type: new Uint32Array(relocNr),
      addend: new Float64Array(relocNr), set: new Uint8Array(relocNr),
    };
    return r;
  }

  /** The current contents of a section (a copy the editor owns; changes through it are kept). */
  sectionBytes(sec: number): Uint8Array {
    const s = this.sec(sec);
    if (s.relocs) return readAll(this.relaSource(s, this.positions()));
    if (s.appended) return readAll(this.stringTableSource(s));
    if (!s.data) {
      if (s.type === SHT_NOBITS || !s.orig) return new Uint8Array(0);
      s.data = copyBytes(this.elf.sectionData(s.orig));
    }
    return s.data;
  }

  /** Copies `bytes` into section `sec` at `off` (e.g. ORC entries into .orc_unwind). */
  setSectionBytes(sec: number, off: number, bytes: Uint8Array): void {
    const s = this.sec(sec);
    if (s.relocs || s.appended || s.type === SHT_NOBITS || sec === this.symtabIndex || sec === this.shndxIndex) {
      throw new Error(`write to unexpected data for section: ${s.name}`);
    }
    if (!Number.isSafeInteger(off) || off < 0 || off + bytes.length > s.size) {
      throw new Error(`${s.name}: write of ${bytes.length} bytes at ${off} is outside the section (size ${s.size})`);
    }
    this.sectionBytes(sec).set(bytes, off);
    this.markChanged(s);
  }

  /** elf_write_insn: patches an instruction in place. */
  writeInsn(sec: number, off: number, bytes: Uint8Array): void {
    this.setSectionBytes(sec, off, bytes);
  }

  /** Handle of section `sec`'s STT_SECTION symbol, -1 if it has none yet. */
  sectionSymbol(sec: number): number {
    return this.sec(sec).sym;
  }

  /** elf_create_section_symbol: a LOCAL STT_SECTION symbol for `sec`; becomes its section symbol. */
  createSectionSymbol(sec: number): number {
    const s = this.sec(sec);
    const h = this.createSymbolEntry('', 0, STT_SECTION, 0, sec, 0, 0);
    s.sym = h;
    return h;
  }

  /** elf_create_prefix_symbol: `__pfx_NAME`, `size` bytes before function `func` (a handle). */
  createPrefixSymbol(func: number, size: number): number {
    return this.prefixSymbol(this.strtabForSymbols(), func, size);
  }

  /** createPrefixSymbol for each function of `funcs` in order (one loop for the 10 K of a large object). */
  createPrefixSymbols(funcs: ArrayLike<number>, size: number): void {
    if (funcs.length === 0) return;
    const strtab = this.strtabForSymbols();
    for (let k = 0; k < funcs.length; k++) this.prefixSymbol(strtab, funcs[k], size);
  }

  private prefixSymbol(strtab: number, func: number, size: number): number {
    const base = this.symbolName(func);
    const nameOff = this.addString(strtab, PREFIX_SYMBOL, base);
    return this.createSymbolEntry(PREFIX_SYMBOL + base, nameOff, this.symbolInfo(func), 0, this.symbolSection(func),
      this.symbolValue(func) - size, size);
  }

  /** A new symbol with its name appended to .strtab (placed as objtool places any new symbol). */
  createSymbol(sym: NewSymbol): number {
    const nameOff = sym.name === '' ? 0 : this.addString(this.strtabForSymbols(), sym.name);
    return this.createSymbolEntry(sym.name, nameOff, sym.info, sym.other ?? 0, sym.shndx, sym.value, sym.size);
  }

  /** objtool's find_symbol_by_name: the most recently added symbol of that name, or -1. */
  findSymbol(name: string): number {
    const created = this.createdSymbolNamed(name);
    return created >= 0 ? created : this.origByName().get(name) ?? -1;
  }

  /**
   * findSymbol for a name whose last original symbol the caller already knows (`orig`, -1: none, by
   * the symbols' own names), so that the index of every original name is built only when a section
   * symbol could answer instead (that index names those after their sections).
   */
  findSymbolKnown(name: string, orig: number): number {
    const created = this.createdSymbolNamed(name);
    if (created >= 0) return created;
    const st = this.elf.symtab;
    const sectionSymbol = orig >= 0 && st !== undefined && (st.info[orig] & 0xf) === STT_SECTION;
    if (this.origNames || sectionSymbol || this.findSection(name) >= 0) return this.origByName().get(name) ?? -1;
    return orig;
  }

  /** The most recently created symbol of that name, or -1. */
  private createdSymbolNamed(name: string): number {
    for (let k = this.newName.length - 1; k >= 0; k--) if (this.newName[k] === name) return this.origSymCount + k;
    return -1;
  }

  /** Original symbols by name, the last of each name winning (built once: lookups are per call site). */
  private origByName(): Map<string, number> {
    if (this.origNames) return this.origNames;
    const m = new Map<string, number>();
    const st = this.elf.symtab;
    if (st && st.section === this.symtabIndex) {
      for (let i = 0; i < st.count; i++) {
        if ((st.info[i] & 0xf) === STT_SECTION) {
          const sh = st.shndx[i];
          if (sh > 0 && sh < this.secs.length) m.set(this.secs[sh].name, i);
        } else {
          m.set(st.name(i), i);
        }
      }
    }
    this.origNames = m;
    return m;
  }

  private origNames: Map<string, number> | undefined;

  /** The symbol's index in .symtab now (it changes when a local symbol is created); a linear search, for occasional use. */
  symbolIndex(handle: number): number {
    for (let p = 0; p < this.symCount; p++) if (this.order[p] === handle) return p;
    return -1;
  }

  symbolName(h: number): string {
    if (h >= this.origSymCount) return this.newName[h - this.origSymCount];
    const st = this.origSyms();
    // objtool names section symbols after their section
    if ((st.info[h] & 0xf) === STT_SECTION) {
      const sec = this.origSymSection(h);
      return sec > 0 ? this.secs[sec].name : st.name(h);
    }
    return st.name(h);
  }
  symbolInfo(h: number): number {
    return h >= this.origSymCount ? this.newInfo[h - this.origSymCount] : this.origSyms().info[h];
  }
  symbolValue(h: number): number {
    return h >= this.origSymCount ? this.newValue[h - this.origSymCount] : this.origSyms().value[h];
  }
  /** objtool's sym->sec index (0 for undefined, absolute and common symbols). */
  symbolSection(h: number): number {
    return h >= this.origSymCount ? this.newShndx[h - this.origSymCount] : this.origSymSection(h);
  }

  /**
   * elf_init_reloc: fills relocation `idx` of relocation section `rsec` (one the editor created).
   * Each entry may be filled once.
   */
  initReloc(rsec: number, idx: number, offset: number, sym: number, addend: number, type: number): void {
    const s = this.sec(rsec);
    const r = s.relocs;
    if (!r) throw new Error(`elf_init_reloc: ${s.name} is not a relocation section created here`);
    if (!Number.isInteger(idx) || idx < 0 || idx >= r.set.length) {
      throw new Error(`elf_init_reloc: bad reloc_idx ${idx} for ${s.name} with ${r.set.length} relocs`);
    }
    if (r.set[idx]) throw new Error(`elf_init_reloc: ${s.name}: reloc ${idx} already initialized!`);
    if (sym < 0 || sym >= this.origSymCount + this.newName.length) throw new Error(`elf_init_reloc: bad symbol ${sym}`);
    r.set[idx] = 1;
    r.offset[idx] = offset;
    r.sym[idx] = sym;
    r.type[idx] = type >>> 0;
    r.addend[idx] = addend;
    this.markChanged(s);
  }

  /**
   * elf_init_reloc_text_sym: relocation `idx` of `sec`'s relocation section points at
   * `insnSec + insnOff` through insnSec's section symbol (created if missing); type relocTypes.text.
   */
  initRelocTextSym(sec: number, offset: number, idx: number, insnSec: number, insnOff: number): void {
    const sym = this.textSymbol(insnSec);
    // objtool keeps the offset in an int
    this.initReloc(this.relaOf(sec), idx, offset, sym, insnOff | 0, this.relocTypes.text);
  }

  /**
   * initRelocTextSym for a whole table of `entsize`-byte entries: relocation k, at offset
   * k * entsize, points at insnSec[k] + insnOff[k], for k < count (the same relocations and section
   * symbols, created in the same order, as one call per entry; one loop for tables of 100 K entries).
   */
  initRelocsTextSym(sec: number, entsize: number, count: number, insnSec: Uint32Array, insnOff: Uint32Array): void {
    if (count === 0) return;
    const s = this.sec(this.relaOf(sec));
    const r = s.relocs;
    if (!r) throw new Error(`elf_init_reloc: ${s.name} is not a relocation section created here`);
    if (count > r.set.length) throw new Error(`elf_init_reloc: bad reloc_idx ${r.set.length} for ${s.name} with ${r.set.length} relocs`);
    const type = this.relocTypes.text >>> 0;
    const { set, offset, sym, addend } = r;
    let lastSec = -1;
    let lastSym = -1;
    for (let k = 0; k < count; k++) {
      const code = insnSec[k];
      // tables list their sites section by section: the symbol is looked up once per run
      if (code !== lastSec) { lastSym = this.textSymbol(code); lastSec = code; }
      if (set[k]) throw new Error(`elf_init_reloc: ${s.name}: reloc ${k} already initialized!`);
      set[k] = 1;
      offset[k] = k * entsize;
      sym[k] = lastSym;
      r.type[k] = type;
      addend[k] = insnOff[k] | 0;
    }
    this.markChanged(s);
  }

  /** objtool's section symbol for relocations against code in `insnSec` (created on first use). */
  private textSymbol(insnSec: number): number {
    const code = this.sec(insnSec);
    if (!(code.flags & SHF_EXECINSTR)) throw new Error(`bad call to elf_init_reloc_text_sym() for data symbol ${code.name}`);
    return code.sym >= 0 ? code.sym : this.createSectionSymbol(insnSec);
  }

  /** elf_init_reloc_data_sym: relocation `idx` of `sec`'s relocation section names `sym`; type relocTypes.data. */
  initRelocDataSym(sec: number, offset: number, idx: number, sym: number, addend: number): void {
    const s = this.sec(sec);
    // objtool tests the table section here, not the symbol's
    if (s.flags & SHF_EXECINSTR) throw new Error(`bad call to elf_init_reloc_data_sym() for text symbol ${this.symbolName(sym)}`);
    this.initReloc(this.relaOf(sec), idx, offset, sym, addend, this.relocTypes.data);
  }

  /** set_reloc_type on relocation `idx` of relocation section `rsec` (created or existing). */
  setRelocType(rsec: number, idx: number, type: number): void {
    const s = this.sec(rsec);
    if (s.relocs) {
      if (!Number.isInteger(idx) || idx < 0 || idx >= s.relocs.set.length) throw new Error(`${s.name}: no relocation ${idx}`);
      s.relocs.type[idx] = type >>> 0;
    } else {
      if (s.type !== SHT_RELA && s.type !== SHT_REL) throw new Error(`${s.name} is not a relocation section`);
      const n = s.entsize > 0 ? Math.floor(s.size / s.entsize) : 0;
      if (!Number.isInteger(idx) || idx < 0 || idx >= n) throw new Error(`${s.name}: no relocation ${idx}`);
      (s.typeEdits ??= new Map()).set(idx, type);
    }
    this.markChanged(s);
  }

  /**
   * The new file: the original bytes when nothing changed (objtool writes nothing then).
   * Otherwise relocatable objects are laid out again as objtool's libelf does it, so the result is
   * byte for byte what objtool writes. Linked files get that layout too when it leaves every loaded
   * byte where it is; otherwise their sections stay put and changed ones are appended.
   */
  serialize(): Uint8Array {
    // objtool writes nothing when it changed nothing
    if (!this.changedAny) return copyBytes(this.elf.bytes);
    return this.filePieces().toBytes();
  }

  /**
   * The same file as `serialize()`, front to back in pieces (views of the input and of what the
   * editor built, relocations renumbered a block at a time), for writing without a second copy.
   */
  *chunks(): Generator<Uint8Array> {
    if (!this.changedAny) { yield this.elf.bytes; return; }
    yield* this.filePieces().chunks();
  }

  private filePieces(): FilePieces {
    const pos = this.positions();
    const remap = this.symbolRemap(pos);
    const contents = new Map<number, Contents>();
    for (const s of this.secs) {
      const c = this.finalContents(s, pos, remap);
      if (c) contents.set(s.index, c);
    }
    const headers = this.secs.map((s) => this.writtenHeader(s));
    const layout = this.libelfLayout(headers);
    if (this.elf.type === ET_REL || !this.movesLoadedBytes(layout)) return this.writeLibelf(headers, layout, contents);
    return this.writeAppending(headers, contents);
  }

  // ---- file layout -----------------------------------------------------------------------------

  /**
   * A section header as libelf writes it: elf_update fixes sh_entsize of the types it knows, turns
   * sh_addralign 0 into 1, and gives compressed sections the alignment of their Chdr.
   */
  private writtenHeader(s: EditSection): SectionHeader {
    const h: SectionHeader = {
      name: s.name, nameOff: s.nameOff, type: s.type, flags: s.flags, addr: s.addr, size: s.size,
      link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize,
    };
    if (s.index === 0) return h;
    const entsize = libelfEntsize(s.type, this.elf.machine);
    if (entsize > 0) h.entsize = entsize;
    if (h.flags & SHF_COMPRESSED) h.addralign = ELF64_CHDR_ALIGN;
    else if (h.addralign === 0) h.addralign = 1;
    return h;
  }

  /**
   * Where libelf puts everything: the ELF header, the program headers right after it, then each
   * section in index order at the current end rounded up to its alignment (a SHT_NOBITS section
   * takes no room, but the end still moves up to its aligned offset), then the section header
   * table aligned to 8.
   */
  private libelfLayout(headers: SectionHeader[]): Layout {
    const n = headers.length;
    const phnum = this.elf.phnum;
    const phoff = phnum > 0 ? ELF64_EHDR_SIZE : 0;
    let end = ELF64_EHDR_SIZE + phnum * ELF64_PHDR_SIZE;
    const offsets = new Float64Array(n);
    offsets[0] = this.secs[0]?.orig?.offset ?? 0;
    for (let i = 1; i < n; i++) {
      const h = headers[i];
      checkAlignment(h.name, h.addralign);
      // the padding stays even in front of a SHT_NOBITS section
      end = alignUp(end, Math.max(1, h.addralign));
      offsets[i] = end;
      if (h.type !== SHT_NOBITS) end += h.size;
    }
    const shoff = n > 0 ? alignUp(end, ELF64_SHDR_TABLE_ALIGN) : 0;
    const size = n > 0 ? shoff + n * ELF64_SHDR_SIZE : end;
    // the new file is the old one plus what was added: anything far larger comes from the input's headers
    if (size > 2 * this.elf.bytes.length + (64 << 20)) throw new FormatError(`section layout would need ${size} bytes`);
    return { offsets, phoff, shoff, size };
  }

  /** Would the libelf layout move the program headers or a section that is loaded? */
  private movesLoadedBytes(layout: Layout): boolean {
    if (this.elf.phnum > 0 && this.elf.phoff !== layout.phoff) return true;
    for (const s of this.secs) {
      const o = s.orig;
      if (o && s.index !== 0 && (o.flags & SHF_ALLOC) && o.type !== SHT_NOBITS && layout.offsets[s.index] !== o.offset) return true;
    }
    return false;
  }

  /**
   * The file objtool's libelf writes over the original one (ELF_C_RDWR, then elf_update): the old
   * file cut or extended to the new size, then the headers and every section libelf holds data for,
   * with the gaps in front of them zero-filled. libelf holds data for the sections objtool read
   * (all but empty and .debug_* ones), the new ones, and any whose offset changed; a section it
   * holds none for is not written, and the gap before it is filled only when the section before
   * was written. Whatever is left keeps the old file's bytes.
   */
  private writeLibelf(headers: SectionHeader[], layout: Layout, contents: Map<number, Contents>): FilePieces {
    const src = this.elf.bytes;
    const out = new FilePieces(src, layout.size);
    out.put(0, this.elfHeader(layout.shoff, layout.phoff, headers.length));
    if (this.elf.phnum > 0) {
      const table = src.subarray(this.elf.phoff, this.elf.phoff + this.elf.phnum * ELF64_PHDR_SIZE);
      out.put(layout.phoff, table);
    }
    const order: number[] = [];
    for (let i = 1; i < headers.length; i++) order.push(i);
    // libelf writes in file order: by offset, then size (empty sections first), then index
    order.sort((a, b) => layout.offsets[a] - layout.offsets[b] || headers[a].size - headers[b].size || a - b);
    let last = ELF64_EHDR_SIZE + this.elf.phnum * ELF64_PHDR_SIZE;
    let previousWritten = true;
    for (const i of order) {
      const s = this.secs[i];
      const h = headers[i];
      if (h.type === SHT_NOBITS) continue;
      const at = layout.offsets[i];
      const o = s.orig;
      const held = !o || (o.size !== 0 && !o.name.startsWith('.debug_')) || o.offset !== at;
      if (held) {
        if (at > last) out.zero(last, at);
        const c = contents.get(i) ?? (o ? this.elf.sectionData(o) : undefined);
        if (c) out.put(at, c.length > h.size ? truncated(c, h.size) : c);
      } else if (at > last && previousWritten) {
        out.zero(last, at);
      }
      last = at + h.size;
      previousWritten = held;
    }
    if (last < layout.shoff) out.zero(last, layout.shoff);
    out.put(layout.shoff, this.sectionHeaderTable(headers, layout.offsets));
    return out;
  }

  /** The old layout, for linked files: sections of unchanged size stay, grown and new ones go at the end. */
  private writeAppending(headers: SectionHeader[], contents: Map<number, Contents>): FilePieces {
    const src = this.elf.bytes;
    let end = src.length;
    const offsets = new Float64Array(this.secs.length);
    for (const s of this.secs) {
      offsets[s.index] = s.orig ? s.orig.offset : 0;
      const c = contents.get(s.index);
      const inPlace = s.orig && s.orig.type !== SHT_NOBITS && c && c.length <= s.orig.size && s.index !== 0;
      checkAlignment(s.name, headers[s.index].addralign);
      const align = Math.max(1, headers[s.index].addralign);
      if (c && !inPlace) {
        if (s.orig && (s.orig.flags & SHF_ALLOC) && this.elf.phnum > 0) {
          throw new FormatError(`${s.name}: cannot move an allocated section of a linked file`);
        }
        end = alignUp(end, align);
        offsets[s.index] = end;
        end += c.length;
      } else if (!s.orig && s.type === SHT_NOBITS) {
        offsets[s.index] = alignUp(end, align);
      }
    }
    const n = this.secs.length;
    const shoff = n > 0 ? alignUp(end, ELF64_SHDR_TABLE_ALIGN) : 0;
    const out = new FilePieces(src, Math.max(end, shoff + n * ELF64_SHDR_SIZE));
    for (const [i, c] of contents) out.put(offsets[i], c);
    out.put(0, this.elfHeader(shoff, this.elf.phnum > 0 ? this.elf.phoff : 0, n));
    out.put(shoff, this.sectionHeaderTable(headers, offsets));
    return out;
  }

  /** The original ELF header with the fields elf_update sets. */
  private elfHeader(shoff: number, phoff: number, n: number): Uint8Array {
    const out = copyBytes(this.elf.bytes.subarray(0, ELF64_EHDR_SIZE));
    const dv = new DataView(out.buffer);
    setU64(dv, 32, phoff, this.le);
    setU64(dv, 40, shoff, this.le);
    dv.setUint16(52, ELF64_EHDR_SIZE, this.le);
    if (n > 0) dv.setUint16(58, ELF64_SHDR_SIZE, this.le);
    // extended numbering: the count goes to section 0 when there are too many sections
    dv.setUint16(60, n >= SHN_LORESERVE ? 0 : n, this.le);
    const shstrndx = this.elf.shstrndx;
    dv.setUint16(62, shstrndx >= SHN_LORESERVE ? SHN_XINDEX : shstrndx, this.le);
    return out;
  }

  /** The section header table, as its own bytes. */
  private sectionHeaderTable(headers: SectionHeader[], offsets: Float64Array): Uint8Array {
    const n = headers.length;
    const out = new Uint8Array(n * ELF64_SHDR_SIZE);
    const dv = new DataView(out.buffer);
    const shstrndx = this.elf.shstrndx;
    for (let i = 0; i < n; i++) {
      const s = headers[i];
      const h = i * ELF64_SHDR_SIZE;
      const size = i === 0 ? (n >= SHN_LORESERVE ? n : (this.secs[0].orig?.size ?? 0)) : s.size;
      const link = i === 0 && shstrndx >= SHN_LORESERVE ? shstrndx : s.link;
      dv.setUint32(h, s.nameOff, this.le);
      dv.setUint32(h + 4, s.type, this.le);
      setU64(dv, h + 8, s.flags, this.le);
      setU64(dv, h + 16, s.addr, this.le);
      setU64(dv, h + 24, offsets[i], this.le);
      setU64(dv, h + 32, size, this.le);
      dv.setUint32(h + 40, link, this.le);
      dv.setUint32(h + 44, s.info, this.le);
      setU64(dv, h + 48, s.addralign, this.le);
      setU64(dv, h + 56, s.entsize, this.le);
    }
    return out;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private sec(i: number): EditSection {
    const s = this.secs[i];
    if (!s) throw new Error(`no section ${i}`);
    return s;
  }

  private relaOf(sec: number): number {
    const r = this.relaSectionOf(sec);
    if (r < 0) throw new Error(`section ${this.sec(sec).name} has no relocation section`);
    return r;
  }

  private markChanged(s: EditSection): void {
    s.headerChanged = true;
    this.changedAny = true;
  }

  private origSyms(): NonNullable<ElfFile['symtab']> {
    const st = this.elf.symtab;
    if (!st) throw new FormatError('no .symtab');
    return st;
  }

  /** objtool's sym->sec for a symbol read from the file (section 0 when not in a section). */
  private origSymSection(h: number): number {
    const st = this.origSyms();
    const raw = st.rawShndx[h];
    if ((raw > SHN_UNDEF && raw < SHN_LORESERVE) || (raw === SHN_XINDEX && this.shndxIndex >= 0)) return st.shndx[h];
    return 0;
  }

  private strtabForSymbols(): number {
    const i = this.findSection('.strtab');
    if (i < 0) throw new FormatError("can't find .strtab section");
    return i;
  }

  /**
   * elf_add_string: appends `head` + `str` and a NUL (no sharing); returns its offset. (Two parts, so
   * that a prefixed name is written without being joined into a string first.)
   */
  private addString(tab: number, head: string, str = ''): number {
    const s = this.sec(tab);
    const a = (s.appended ??= { bytes: new Uint8Array(4096), length: 0 });
    const n = head.length + str.length;
    const need = a.length + n + 1;
    if (need > a.bytes.length) {
      const grown = new Uint8Array(Math.max(need, a.bytes.length * 2));
      grown.set(a.bytes.subarray(0, a.length));
      a.bytes = grown;
    }
    const b = a.bytes;
    let w = a.length;
    for (let i = 0; i < head.length; i++) b[w++] = head.charCodeAt(i) & 0xff;
    for (let i = 0; i < str.length; i++) b[w++] = str.charCodeAt(i) & 0xff;
    b[w++] = 0;
    a.length = w;
    const off = s.size;
    s.size += n + 1;
    this.markChanged(s);
    return off;
  }

  /** __elf_create_symbol: LOCAL symbols take slot sh_info (its occupant moves to the end), others go last. */
  private createSymbolEntry(name: string, nameOff: number, info: number, other: number, shndx: number, value: number, size: number): number {
    if (this.symtabIndex < 0) throw new FormatError('no .symtab');
    const symtab = this.secs[this.symtabIndex];
    const h = this.origSymCount + this.newName.length;
    this.newName.push(name);
    this.newNameOff.push(nameOff);
    this.newInfo.push(info);
    this.newOther.push(other);
    this.newShndx.push(shndx);
    this.newValue.push(value);
    this.newSize.push(size);
    if (this.symCount + 1 > this.order.length) this.order = grown(this.order, this.order.length * 2);
    let at = this.symCount;
    if ((info >> 4) === STB_LOCAL) {
      const first = symtab.info;
      if (first < this.symCount) {
        this.order[this.symCount] = this.order[first];
        this.touched.push(this.symCount);
        at = first;
      }
      symtab.info += 1;
    }
    this.order[at] = h;
    this.touched.push(at);
    this.symCount++;
    symtab.size += ELF64_SYM_SIZE;
    this.markChanged(symtab);
    if (this.shndxIndex >= 0) {
      const x = this.secs[this.shndxIndex];
      x.size += 4;
      this.markChanged(x);
    }
    return h;
  }

  /** handle -> final index */
  private positions(): Int32Array {
    const pos = new Int32Array(this.origSymCount + this.newName.length);
    for (let p = 0; p < this.symCount; p++) pos[this.order[p]] = p;
    return pos;
  }

  /** original index -> final index, or undefined when no original symbol moved */
  private symbolRemap(pos: Int32Array): Int32Array | undefined {
    let moved = false;
    for (let i = 0; i < this.origSymCount && !moved; i++) moved = pos[i] !== i;
    return moved ? pos : undefined;
  }

  /** The bytes a section will have in the new file, or undefined when it keeps its original bytes. */
  private finalContents(s: EditSection, pos: Int32Array, remap: Int32Array | undefined): Contents | undefined {
    if (s.type === SHT_NOBITS) return undefined;
    if (s.relocs) return this.relaSource(s, pos);
    if (s.index === this.symtabIndex && this.symCount !== this.origSymCount) {
      return wholeSource(this.symCount * ELF64_SYM_SIZE, () => this.symtabBytes());
    }
    if (s.index === this.shndxIndex && this.symCount !== this.origSymCount) {
      return wholeSource(this.symCount * 4, () => this.shndxBytes());
    }
    if (s.appended) return this.stringTableSource(s);
    if ((s.type === SHT_RELA || s.type === SHT_REL) && s.orig && (s.typeEdits || (remap && s.link === this.symtabIndex))) {
      return this.patchedRelocs(s, remap);
    }
    return s.data;
  }

  /** The original table followed by the appended names. */
  private stringTableSource(s: EditSection): ByteSource {
    const a = s.appended as Appended;
    const parts: Uint8Array[] = [];
    if (s.orig && s.orig.type !== SHT_NOBITS) parts.push(this.elf.sectionData(s.orig));
    parts.push(a.bytes.subarray(0, a.length));
    return concatSource(parts);
  }

  /** A created relocation section with symbol handles turned into final indices, a block at a time. */
  private relaSource(s: EditSection, pos: Int32Array): ByteSource {
    const r = s.relocs as NewRelocs;
    const le = this.le;
    const n = r.set.length;
    return {
      length: n * ELF64_RELA_SIZE,
      read(from: number, to: number): Uint8Array {
        const first = Math.floor(from / ELF64_RELA_SIZE);
        const end = Math.min(n, Math.ceil(to / ELF64_RELA_SIZE));
        const out = new Uint8Array((end - first) * ELF64_RELA_SIZE);
        encodeRelas(new DataView(out.buffer), r, pos, first, end, le);
        const start = first * ELF64_RELA_SIZE;
        return out.subarray(from - start, to - start);
      },
    };
  }

  /** An existing relocation section with types changed and moved symbols renumbered, a block at a time. */
  private patchedRelocs(s: EditSection, remap: Int32Array | undefined): Contents {
    const le = this.le;
    const es = s.entsize;
    const data = this.elf.sectionData(s.orig as Section);
    // entries too small to hold r_info (a corrupt sh_entsize) are left as they are
    if (es < 16) return data;
    if (le && HOST_LE && es % 4 === 0) return this.patchedRelocsLE(data, es, s.typeEdits, remap);
    return entrySource(data, es, (dv, p, i) => {
      let sym = le ? dv.getUint32(p + 12, true) : dv.getUint32(p + 8, false);
      let type = le ? dv.getUint32(p + 8, true) : dv.getUint32(p + 12, false);
      if (remap && sym < this.origSymCount) sym = remap[sym];
      const t = s.typeEdits?.get(i);
      if (t !== undefined) type = t;
      setInfo(dv, p + 8, sym, type, le);
    });
  }

  /**
   * patchedRelocs for a little-endian file on a little-endian host: r_info's halves are read and
   * written as 32-bit words of the copy (no call per entry: a large object has 100 K relocations
   * to renumber); type changes are put in after.
   */
  private patchedRelocsLE(data: Uint8Array, es: number, edits: Map<number, number> | undefined, remap: Int32Array | undefined): ByteSource {
    const words = es >> 2;
    const whole = Math.floor(data.length / es);
    const origCount = this.origSymCount;
    return {
      length: data.length,
      read(from: number, to: number): Uint8Array {
        const first = Math.floor(from / es);
        const start = first * es;
        const out = copyBytes(data.subarray(start, Math.min(data.length, Math.ceil(to / es) * es)));
        const u32 = new Uint32Array(out.buffer, 0, out.length >> 2);
        // entries wholly in the copy
        const end = Math.min(whole, first + Math.floor(out.length / es));
        if (remap) {
          for (let k = first, w = 3; k < end; k++, w += words) {
            const sym = u32[w];
            if (sym < origCount) u32[w] = remap[sym];
          }
        }
        if (edits) for (const [k, t] of edits) if (k >= first && k < end) u32[(k - first) * words + 2] = t >>> 0;
        return out.subarray(from - start, to - start);
      },
    };
  }

  private symtabBytes(): Uint8Array {
    const orig = this.secs[this.symtabIndex].orig as Section;
    const out = new Uint8Array(this.symCount * ELF64_SYM_SIZE);
    out.set(this.elf.sectionData(orig).subarray(0, this.origSymCount * ELF64_SYM_SIZE));
    const dv = new DataView(out.buffer);
    const src = this.elf.bytes;
    const touched = this.touched;
    const order = this.order;
    const origCount = this.origSymCount;
    const raw = origCount > 0 ? this.origSyms().rawShndx : undefined;
    for (let t = 0; t < touched.length; t++) {
      const p = touched[t];
      const h = order[p];
      const q = p * ELF64_SYM_SIZE;
      if (h < origCount) {
        // a moved symbol: its bytes, with st_shndx rewritten the way elf_update_symbol does (which
        // gives back what was there unless it is a reserved index)
        const from = orig.offset + h * ELF64_SYM_SIZE;
        for (let b = 0; b < ELF64_SYM_SIZE; b++) out[q + b] = src[from + b];
        if (raw![h] >= SHN_LORESERVE) dv.setUint16(q + 6, this.stShndx(h), this.le);
      } else {
        const k = h - this.origSymCount;
        dv.setUint32(q, this.newNameOff[k], this.le);
        out[q + 4] = this.newInfo[k];
        out[q + 5] = this.newOther[k];
        dv.setUint16(q + 6, this.stShndx(h), this.le);
        setU64(dv, q + 8, this.newValue[k], this.le);
        setU64(dv, q + 16, this.newSize[k], this.le);
      }
    }
    return out;
  }

  private shndxBytes(): Uint8Array {
    const x = this.secs[this.shndxIndex];
    const out = new Uint8Array(this.symCount * 4);
    if (x.orig && x.orig.type !== SHT_NOBITS) out.set(this.elf.sectionData(x.orig).subarray(0, Math.min(x.orig.size, out.length)));
    const dv = new DataView(out.buffer);
    // gelf_update_symshndx stores the section index for every symbol objtool writes
    for (const p of this.touched) dv.setUint32(p * 4, this.xShndx(this.order[p]), this.le);
    return out;
  }

  /** elf_update_symbol's section index before the SHN_XINDEX escape. */
  private xShndx(h: number): number {
    return this.isSpecialShndx(h) ? this.rawShndxOf(h) : this.symbolSection(h);
  }

  /** SHN_ABS, SHN_COMMON and the like are kept as they are */
  private isSpecialShndx(h: number): boolean {
    const raw = this.rawShndxOf(h);
    return raw >= SHN_LORESERVE && raw !== SHN_XINDEX;
  }

  private rawShndxOf(h: number): number {
    return h < this.origSymCount ? this.origSyms().rawShndx[h] : this.newShndx[h - this.origSymCount];
  }

  private stShndx(h: number): number {
    const x = this.xShndx(h);
    if (x < SHN_LORESERVE || this.isSpecialShndx(h)) return x;
    if (this.shndxIndex < 0) throw new Error('no .symtab_shndx');
    return SHN_XINDEX;
  }
}

/**
 * Bytes of a table of `size`-byte entries, each whole entry passed through `patch` (a DataView over
 * the copy, the entry's offset in it, the entry's number); made per block, so never all at once.
 */
function entrySource(data: Uint8Array, size: number, patch: (dv: DataView, at: number, k: number) => void): ByteSource {
  const whole = Math.floor(data.length / size);
  return {
    length: data.length,
    read(from: number, to: number): Uint8Array {
      const first = Math.floor(from / size);
      const start = first * size;
      const end = Math.min(data.length, Math.ceil(to / size) * size);
      const out = copyBytes(data.subarray(start, end));
      const dv = new DataView(out.buffer);
      for (let k = first, at = 0; k < whole && at + size <= out.length; k++, at += size) patch(dv, at, k);
      return out.subarray(from - start, to - start);
    },
  };
}

/**
 * Entries [first, end) of created relocations as Elf64_Rela bytes at the start of `dv`, symbols as
 * final indices (`pos` by handle). Entries never filled stay zero but for a type set on them.
 */
function encodeRelas(dv: DataView, r: NewRelocs, pos: Int32Array, first: number, end: number, le: boolean): void {
  const { set, offset, sym, type, addend } = r;
  for (let k = first, at = 0; k < end; k++, at += ELF64_RELA_SIZE) {
    if (set[k]) {
      setU64(dv, at, offset[k], le);
      setInfo(dv, at + 8, pos[sym[k]], type[k], le);
      setI64(dv, at + 16, addend[k], le);
    } else if (type[k] !== 0) {
      setInfo(dv, at + 8, 0, type[k], le);
    }
  }
}

/** A source's bytes in one array. */
function readAll(src: ByteSource): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let p = 0; p < src.length; p += CHUNK_BYTES) {
    const to = Math.min(src.length, p + CHUNK_BYTES);
    out.set(src.read(p, to), p);
  }
  return out;
}

/** The first `n` bytes of a section's contents. */
function truncated(c: Contents, n: number): Contents {
  if (c instanceof Uint8Array) return c.subarray(0, n);
  return { length: n, read: (from: number, to: number): Uint8Array => c.read(from, to) };
}

/** A fresh copy (Buffer#slice would return a view of the caller's bytes). */
function copyBytes(a: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length);
  c.set(a);
  return c;
}

function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

function setU64(dv: DataView, off: number, v: number, le: boolean): void {
  const hi = Math.floor(v / U32);
  const lo = v - hi * U32;
  dv.setUint32(le ? off : off + 4, lo >>> 0, le);
  dv.setUint32(le ? off + 4 : off, hi >>> 0, le);
}

function setI64(dv: DataView, off: number, v: number, le: boolean): void {
  const hi = Math.floor(v / U32);
  const lo = v - hi * U32;
  dv.setUint32(le ? off : off + 4, lo >>> 0, le);
  dv.setInt32(le ? off + 4 : off, hi | 0, le);
}

/** r_info = sym << 32 | type, in the file's byte order */
function setInfo(dv: DataView, off: number, sym: number, type: number, le: boolean): void {
  dv.setUint32(le ? off : off + 4, type >>> 0, le);
  dv.setUint32(le ? off + 4 : off, sym >>> 0, le);
}


/** The sh_entsize elf_update forces on a section type it knows (0: left alone). */
function libelfEntsize(type: number, machine: number): number {
  switch (type) {
    case SHT_SYMTAB: case SHT_DYNSYM: return ELF64_SYM_SIZE;
    case SHT_RELA: return ELF64_RELA_SIZE;
    case SHT_REL: return ELF64_REL_SIZE;
    case SHT_DYNAMIC: return ELF64_DYN_SIZE;
    case SHT_GROUP: case SHT_SYMTAB_SHNDX: return 4;
    // 64-bit hash tables have 8-byte entries on Alpha and s390x only
    case SHT_HASH: return machine === EM_ALPHA || machine === EM_S390 ? 8 : 4;
    case SHT_SUNW_MOVE: return 32;
    case SHT_SUNW_SYMINFO: return 4;
    default: return 0;
  }
}

/** Alignments are powers of two; a larger one than any real object uses means a corrupt header. */
function checkAlignment(name: string, align: number): void {
  if (align > 1 << 16 || (align > 1 && (align & (align - 1)) !== 0)) {
    throw new FormatError(`section ${name}: unsupported alignment ${align}`);
  }
}
