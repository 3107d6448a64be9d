/**
 * ELF64 reader: a zero-copy view over one Uint8Array, little- or big-endian.
 *
 * Every size and offset taken from the file is checked against the bytes that exist when the file
 * is opened (header, section table, string tables, symbol and relocation tables), so accessors
 * afterwards cannot read out of bounds. Symbols and relocations are struct-of-arrays, decoded once.
 */
import {
  ELF64_EHDR_SIZE, ELF64_REL_SIZE, ELF64_RELA_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE,
  SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS, SHT_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX,
} from './constants.js';
import { FormatError } from './errors.js';

export interface Section {
  readonly index: number;
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** offset of this section's header in the file */
  readonly headerOffset: number;
}

/** Symbols of one symbol table, struct of arrays. */
export interface SymbolTable {
  readonly section: number;
  readonly count: number;
  readonly nameOff: Uint32Array;
  readonly value: Float64Array;
  readonly size: Float64Array;
  readonly info: Uint8Array;
  readonly other: Uint8Array;
  /** section index, SHN_XINDEX resolved through SHT_SYMTAB_SHNDX */
  readonly shndx: Uint32Array;
  /** raw st_shndx as stored */
  readonly rawShndx: Uint16Array;
  name(i: number): string;
}

/** The columns of a symbol table being read. */
type SymbolColumns = Pick<SymbolTable, 'nameOff' | 'value' | 'size' | 'info' | 'other' | 'shndx' | 'rawShndx'>;

/** Relocations of one SHT_RELA/SHT_REL section, struct of arrays, sorted as in the file. */
export interface RelocTable {
  readonly section: number;
  /** section the relocations apply to (sh_info) */
  readonly target: number;
  readonly rela: boolean;
  readonly count: number;
  readonly offset: Float64Array;
  readonly type: Uint32Array;
  readonly sym: Uint32Array;
  readonly addend: Float64Array;
}


export class ElfFile {
  readonly dv: DataView;
  readonly le: boolean;
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly flags: number;
  readonly phoff: number;
  readonly phnum: number;
  readonly shoff: number;
  readonly shstrndx: number;
  readonly sections: readonly Section[];
  /** .symtab, or undefined (stripped) */
  readonly symtab: SymbolTable | undefined;
  /** .dynsym, or undefined */
  readonly dynsym: SymbolTable | undefined;
  private readonly relocCache = new Map<number, RelocTable>();
  private readonly relocsFor = new Map<number, number[]>();

  constructor(readonly bytes: Uint8Array, readonly path = '') {
    const b = bytes;
    if (b.length < 16 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
      throw new FormatError('not an ELF file');
    }
    if (b[4] !== 2) throw new FormatError(b[4] === 1 ? 'ELF32 is not supported (ELF64 only)' : 'bad ELF class');
    if (b[5] !== 1 && b[5] !== 2) throw new FormatError('bad ELF data encoding');
    if (b.length < ELF64_EHDR_SIZE) throw new FormatError('truncated ELF header');
    this.le = b[5] === 1;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.type = this.u16(16);
    this.machine = this.u16(18);
    this.entry = this.u64(24);
    this.phoff = this.u64(32);
    this.shoff = this.u64(40);
    this.flags = this.u32(48);
    const shentsize = this.u16(58);
    this.phnum = this.u16(56);
    let shnum = this.u16(60);
    let shstrndx = this.u16(62);
    if (this.shoff === 0) {
      shnum = 0;
    } else {
      if (shentsize !== ELF64_SHDR_SIZE) throw new FormatError(`bad section header size ${shentsize}`, 58);
      this.checkRange(this.shoff, ELF64_SHDR_SIZE, 'section header table');
      // extended numbering: the real counts live in section 0
      if (shnum === 0) shnum = this.u64(this.shoff + 32);
      if (shstrndx === SHN_XINDEX) shstrndx = this.u32(this.shoff + 40);
      this.checkRange(this.shoff, shnum * ELF64_SHDR_SIZE, 'section header table');
    }
    this.shstrndx = shstrndx;
    const raw: Section[] = [];
    for (let i = 0; i < shnum; i++) {
      const h = this.shoff + i * ELF64_SHDR_SIZE;
      const sec: Section = {
        index: i, name: '', nameOff: this.u32(h), type: this.u32(h + 4), flags: this.u64(h + 8),
        addr: this.u64(h + 16), offset: this.u64(h + 24), size: this.u64(h + 32), link: this.u32(h + 40),
        info: this.u32(h + 44), addralign: this.u64(h + 48), entsize: this.u64(h + 56), headerOffset: h,
      };
      if (sec.type !== SHT_NOBITS && i !== 0) this.checkRange(sec.offset, sec.size, `section ${i}`);
      raw.push(sec);
    }
    if (shnum > 0 && (shstrndx >= shnum || raw[shstrndx].type === SHT_NOBITS)) {
      throw new FormatError(`bad section name table index ${shstrndx}`, 62);
    }
    const shstr = asBuffer(shnum > 0 ? this.sectionData(raw[shstrndx]) : new Uint8Array(0));
    this.sections = raw.map((s) => ({ ...s, name: cstring(shstr, s.nameOff) }));
    let symtab: SymbolTable | undefined;
    let dynsym: SymbolTable | undefined;
    for (const s of this.sections) {
      if (s.type === SHT_SYMTAB && !symtab) symtab = this.readSymbols(s);
      else if (s.type === 11 && !dynsym) dynsym = this.readSymbols(s);
      if ((s.type === SHT_RELA || s.type === SHT_REL) && s.info < shnum) {
        const list = this.relocsFor.get(s.info);
        if (list) list.push(s.index); else this.relocsFor.set(s.info, [s.index]);
      }
    }
    this.symtab = symtab;
    this.dynsym = dynsym;
  }

  /** The bytes of a section (empty for SHT_NOBITS), a view into the file. */
  sectionData(s: Section): Uint8Array {
    if (s.type === SHT_NOBITS || s.index === 0) return new Uint8Array(0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Relocation sections that apply to section `index` (usually zero or one). */
  relocSectionsFor(index: number): readonly number[] {
    return this.relocsFor.get(index) ?? [];
  }

  /** The relocations of section `index` (its first SHT_RELA/SHT_REL section), or undefined. */
  relocsOf(index: number): RelocTable | undefined {
    const secs = this.relocsFor.get(index);
    if (!secs || secs.length === 0) return undefined;
    return this.relocs(secs[0]);
  }

  /** Decodes relocation section `index` (cached). */
  relocs(index: number): RelocTable {
    const hit = this.relocCache.get(index);
    if (hit) return hit;
    const s = this.sections[index];
    const { rela, entrySize, count: n, symCount } = this.relocLayout(index);
    const t: RelocTable = {
      section: index, target: s.info, rela, count: n,
      offset: new Float64Array(n), type: new Uint32Array(n), sym: new Uint32Array(n), addend: new Float64Array(n),
    };
    let p = s.offset;
    for (let i = 0; i < n; i++, p += entrySize) {
      t.offset[i] = this.u64(p);
      t.type[i] = this.relocInfoType(p);
      const sym = this.relocInfoSym(p);
      this.checkRelocSym(s, i, p, sym, symCount);
      t.sym[i] = sym;
      t.addend[i] = rela ? this.i64(p + 16) : 0;
    }
    this.relocCache.set(index, t);
    return t;
  }

  /**
   * Relocation section `index` as its entries are read in place: REL or RELA, the entry size and count
   * (checked: a section of another entry size or a partial entry is refused), and how many symbols
   * its entries may name (those of `.symtab` when it links there, else `.dynsym`'s).
   */
  relocLayout(index: number): { rela: boolean; entrySize: number; count: number; symCount: number } {
    const s = this.sections[index];
    const rela = s.type === SHT_RELA;
    const es = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
    if (s.entsize !== es && s.size !== 0) throw new FormatError(`section ${s.name}: bad relocation entry size ${s.entsize}`, s.headerOffset);
    if (s.size % es !== 0) throw new FormatError(`section ${s.name}: size is not a multiple of its entry size`, s.headerOffset);
    const symCount = this.sections[s.link]?.type === SHT_SYMTAB ? (this.symtab?.count ?? 0) : this.dynsym?.count ?? 0;
    return { rela, entrySize: es, count: s.size / es, symCount };
  }

  /** r_info of the relocation entry at file offset `p`: its type (the low 32 bits) ... */
  relocInfoType(p: number): number {
    return this.le ? this.dv.getUint32(p + 8, true) : this.dv.getUint32(p + 12, false);
  }

  /** ... and its symbol (the high 32 bits). */
  relocInfoSym(p: number): number {
    return this.le ? this.dv.getUint32(p + 12, true) : this.dv.getUint32(p + 8, false);
  }

  /** Refuses entry `i` (at `p`) of relocation section `s` naming a symbol past the `symCount` it may name. */
  checkRelocSym(s: Section, i: number, p: number, sym: number, symCount: number): void {
    if (sym >= symCount && sym !== 0) throw new FormatError(`section ${s.name}: relocation ${i} names symbol ${sym} of ${symCount}`, p);
  }

  u8(off: number): number { return this.bytes[off]; }
  u16(off: number): number { return this.dv.getUint16(off, this.le); }
  u32(off: number): number { return this.dv.getUint32(off, this.le); }
  i32(off: number): number { return this.dv.getInt32(off, this.le); }
  /** unsigned 64-bit as a double (exact below 2^53) */
  u64(off: number): number {
    const a = this.dv.getUint32(off, this.le);
    const b = this.dv.getUint32(off + 4, this.le);
    return this.le ? b * 0x100000000 + a : a * 0x100000000 + b;
  }
  /** signed 64-bit as a double (exact within ±2^53) */
  i64(off: number): number {
    if (this.le) return this.dv.getInt32(off + 4, true) * 0x100000000 + this.dv.getUint32(off, true);
    return this.dv.getInt32(off, false) * 0x100000000 + this.dv.getUint32(off + 4, false);
  }

  private checkRange(off: number, size: number, what: string): void {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(size) || off < 0 || size < 0 || off + size > this.bytes.length) {
      throw new FormatError(`${what} extends past the end of the file (offset ${off}, size ${size}, file ${this.bytes.length})`);
    }
  }

  private readSymbols(s: Section): SymbolTable {
    if (s.entsize !== ELF64_SYM_SIZE) throw new FormatError(`section ${s.name}: bad symbol entry size ${s.entsize}`, s.headerOffset);
    if (s.size % ELF64_SYM_SIZE !== 0) throw new FormatError(`section ${s.name}: size is not a multiple of 24`, s.headerOffset);
    if (s.link >= this.sections.length) throw new FormatError(`section ${s.name}: bad string table link ${s.link}`, s.headerOffset);
    const strs = asBuffer(this.sectionData(this.sections[s.link]));
    const n = s.size / ELF64_SYM_SIZE;
    let xindex: Uint8Array | undefined;
    for (const x of this.sections) if (x.type === SHT_SYMTAB_SHNDX && x.link === s.index) xindex = this.sectionData(x);
    const nameOff = new Uint32Array(n);
    const value = new Float64Array(n);
    const size = new Float64Array(n);
    const info = new Uint8Array(n);
    const other = new Uint8Array(n);
    const shndx = new Uint32Array(n);
    const rawShndx = new Uint16Array(n);
    this.readSymbolEntries(s.offset, n, xindex, { nameOff, value, size, info, other, shndx, rawShndx });
    const names: (string | undefined)[] = new Array(n);
    return {
      section: s.index, count: n, nameOff, value, size, info, other, shndx, rawShndx,
      name(i: number): string {
        let v = names[i];
        if (v === undefined) names[i] = v = cstring(strs, nameOff[i]);
        return v;
      },
    };
  }

  /**
   * The `n` entries at `at` into the columns. A method of its own: V8 compiles a loop while it runs,
   * and code after it that has not run yet would make it throw that away and compile again.
   */
  private readSymbolEntries(at: number, n: number, xindex: Uint8Array | undefined, cols: SymbolColumns): void {
    const { nameOff, value, size, info, other, shndx, rawShndx } = cols;
    let p = at;
    for (let i = 0; i < n; i++, p += ELF64_SYM_SIZE) {
      nameOff[i] = this.u32(p);
      info[i] = this.bytes[p + 4];
      other[i] = this.bytes[p + 5];
      const sh = this.u16(p + 6);
      rawShndx[i] = sh;
      if (sh === SHN_XINDEX) {
        if (!xindex || (i + 1) * 4 > xindex.length) throw new FormatError(`symbol ${i}: SHN_XINDEX without SHT_SYMTAB_SHNDX entry`, p);
        shndx[i] = new DataView(xindex.buffer, xindex.byteOffset, xindex.byteLength).getUint32(i * 4, this.le);
      } else {
        shndx[i] = sh;
      }
      // through SHN_XINDEX any index is a real one (files with 0xff00 sections and more), so it must exist
      if (shndx[i] >= this.sections.length && (sh === SHN_XINDEX || shndx[i] < SHN_LORESERVE)) {
        throw new FormatError(`symbol ${i}: section index ${shndx[i]} out of range`, p);
      }
      value[i] = this.u64(p + 8);
      size[i] = this.u64(p + 16);
    }
  }
}

/**
 * NUL-terminated string at `off` in a string table; empty when out of range, cut at the table's end.
 * One character per byte (ISO-8859-1), so that `charCodeAt(k) & 0xff` gives the bytes back exactly
 * (the writer copies names into new symbols that way). TextDecoder's 'latin1' is windows-1252 by the
 * WHATWG standard, which maps 0x80..0x9f elsewhere (Node 20 happens not to); a Buffer's latin1 is the
 * identity by definition, and decodes big.o's 39 K names in about half the time.
 */
export function cstring(tab: Uint8Array, off: number): string {
  if (off >= tab.length) return '';
  let e = off;
  while (e < tab.length && tab[e] !== 0) e++;
  return bytesAsLatin1(tab, off, e);
}

/** tab[from, to) as a string of one character per byte. */
export function bytesAsLatin1(tab: Uint8Array, from: number, to: number): string {
  const buf = tab instanceof Buffer ? tab : Buffer.from(tab.buffer, tab.byteOffset, tab.byteLength);
  return buf.toString('latin1', from, to);
}

export function symBind(info: number): number { return info >> 4; }
export function symType(info: number): number { return info & 0xf; }

/** A Buffer view of the same bytes (no copy), for its native latin1 decoding. */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
