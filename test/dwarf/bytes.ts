/**
 * Tiny byte assembler for CFI tests, `bytes().u8(DW_CFA.def_cfa).uleb(7).uleb(8)`, and a minimal
 * ELF64 little-endian writer that wraps the bytes as .eh_frame / .debug_frame (with optional
 * symbols and RELA relocations) so the reader sees a real file.
 */
export class Bytes {
  readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }

  u8(...v: number[]): this {
    for (const x of v) this.out.push(x & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v, v >>> 8);
  }

  u32(v: number): this {
    return this.u8(v, v >>> 8, v >>> 16, v >>> 24);
  }

  /** 64-bit little-endian from a number (exact below 2^53) or a bigint */
  u64(v: number | bigint): this {
    let b = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 8; i++, b >>= 8n) this.out.push(Number(b & 0xffn));
    return this;
  }

  uleb(v: number | bigint): this {
    let b = BigInt(v);
    do {
      let byte = Number(b & 0x7fn);
      b >>= 7n;
      if (b !== 0n) byte |= 0x80;
      this.out.push(byte);
    } while (b !== 0n);
    return this;
  }

  sleb(v: number | bigint): this {
    let b = BigInt(v);
    for (;;) {
      const byte = Number(b & 0x7fn);
      b >>= 7n;
      const done = (b === 0n && (byte & 0x40) === 0) || (b === -1n && (byte & 0x40) !== 0);
      this.out.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  str(s: string): this {
    for (let i = 0; i < s.length; i++) this.out.push(s.charCodeAt(i));
    this.out.push(0);
    return this;
  }

  raw(b: Bytes | ArrayLike<number>): this {
    const src = b instanceof Bytes ? b.out : Array.from(b);
    for (const x of src) this.out.push(x);
    return this;
  }

  /** a 32-bit length field followed by what `body` writes (the length counts the body) */
  entry(body: (b: Bytes) => void): this {
    const b = new Bytes();
    body(b);
    return this.u32(b.length).raw(b);
  }

  /** a 64-bit DWARF entry: 0xffffffff, 64-bit length, body */
  entry64(body: (b: Bytes) => void): this {
    const b = new Bytes();
    body(b);
    return this.u32(0xffffffff).u64(b.length).raw(b);
  }

  pad(n: number, v = 0): this {
    for (let i = 0; i < n; i++) this.out.push(v);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export function bytes(): Bytes {
  return new Bytes();
}

export interface SectionSpec {
  name: string;
  type?: number;
  flags?: number;
  addr?: number;
  data: Uint8Array;
}

export interface SymbolSpec {
  name: string;
  /** index into the `sections` list given to `elf64` (0 = first spec section); -1 = undefined */
  section: number;
  value: number;
  /** STT_* (default STT_SECTION when name is '') */
  type?: number;
  global?: boolean;
}

export interface RelaSpec {
  /** index into the `sections` list of the section the relocations apply to */
  target: number;
  entries: { offset: number; type: number; sym: number; addend: number }[];
}

export interface ElfSpec {
  machine?: number;
  type?: number;
  sections: SectionSpec[];
  /** symbols (after the null symbol); relocation `sym` numbers count from 1 */
  symbols?: SymbolSpec[];
  relas?: RelaSpec[];
}

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_RELA = 4;

/**
 * An ELF64 LE file: null section, the spec sections (indices 1..n, in order), then .symtab,
 * .strtab, the .rela sections and .shstrtab.
 */
export function elf64(spec: ElfSpec): Uint8Array {
  type Sh = { name: string; type: number; flags: number; addr: number; data: Uint8Array; link: number; info: number; align: number; entsize: number };
  const shs: Sh[] = [];
  for (const s of spec.sections) {
    shs.push({ name: s.name, type: s.type ?? SHT_PROGBITS, flags: s.flags ?? 2, addr: s.addr ?? 0, data: s.data, link: 0, info: 0, align: 1, entsize: 0 });
  }
  const n = spec.sections.length;
  const syms = spec.symbols ?? [];
  const symtabIndex = n + 1;
  if (syms.length > 0 || (spec.relas ?? []).length > 0) {
    const strtab = bytes().u8(0);
    const symtab = bytes().pad(24);
    for (const s of syms) {
      const nameOff = strtab.length;
      strtab.str(s.name);
      const type = s.type ?? (s.name === '' ? 3 : 2);
      symtab.u32(s.name === '' ? 0 : nameOff).u8(((s.global ? 1 : 0) << 4) | type).u8(0).u16(s.section < 0 ? 0 : s.section + 1).u64(s.value).u64(0);
    }
    shs.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, addr: 0, data: symtab.bytes(), link: n + 2, info: 1, align: 8, entsize: 24 });
    shs.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, addr: 0, data: strtab.bytes(), link: 0, info: 0, align: 1, entsize: 0 });
    for (const r of spec.relas ?? []) {
      const b = bytes();
      for (const e of r.entries) b.u64(e.offset).u32(e.type).u32(e.sym).u64(e.addend);
      shs.push({ name: '.rela' + spec.sections[r.target].name, type: SHT_RELA, flags: 0x40, addr: 0, data: b.bytes(), link: symtabIndex, info: r.target + 1, align: 8, entsize: 24 });
    }
  }
  const shstr = bytes().u8(0);
  const nameOffs = shs.map((s) => {
    const o = shstr.length;
    shstr.str(s.name);
    return o;
  });
  const shstrName = shstr.length;
  shstr.str('.shstrtab');
  shs.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0, data: shstr.bytes(), link: 0, info: 0, align: 1, entsize: 0 });
  nameOffs.push(shstrName);
  // layout: header, section data (8-aligned), section headers
  const file = bytes().pad(64);
  const offsets: number[] = [];
  for (const s of shs) {
    while (file.length % 8) file.u8(0);
    offsets.push(file.length);
    file.raw(s.data);
  }
  while (file.length % 8) file.u8(0);
  const shoff = file.length;
  file.pad(64); // null section header
  shs.forEach((s, i) => {
    file.u32(nameOffs[i]).u32(s.type).u64(s.flags).u64(s.addr).u64(offsets[i]).u64(s.data.length)
      .u32(s.link).u32(s.info).u64(s.align).u64(s.entsize);
  });
  const out = file.bytes();
  const h = bytes()
    .u8(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0).pad(8)
    .u16(spec.type ?? 3).u16(spec.machine ?? 62).u32(1)
    .u64(0).u64(0).u64(shoff).u32(0)
    .u16(64).u16(56).u16(0).u16(64).u16(shs.length + 1).u16(shs.length)
    .bytes();
  out.set(h, 0);
  return out;
}
