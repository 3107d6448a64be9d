/**
 * A tiny ELF64 relocatable-object builder for tests: named sections, a symbol table, RELA
 * relocations, either byte order. Laid out the plain way (header, section data in order, string
 * tables, section header table last) so tests can compute every offset by hand.
 *
 * Section order in the output: NULL, the given sections, one `.rela<target>` per relocated section,
 * `.symtab`, `.strtab`, `.shstrtab` (plus `.symtab_shndx` after `.symtab` when asked for).
 */

export interface BuildSection {
  name: string;
  type?: number;
  flags?: number;
  data?: Uint8Array;
  /** for SHT_NOBITS */
  size?: number;
  addr?: number;
  addralign?: number;
  entsize?: number;
  link?: number;
  info?: number;
}

export interface BuildSymbol {
  name: string;
  /** STB_* */
  bind: number;
  /** STT_* */
  type: number;
  /** a section name, or a raw index (0 undefined, 0xfff1 absolute) */
  section: string | number;
  value?: number;
  size?: number;
  other?: number;
}

export interface BuildReloc {
  /** the relocated section's name */
  section: string;
  offset: number;
  /** symbol index (1-based as in the file: index 0 is the null symbol) or name */
  sym: number | string;
  type: number;
  addend?: number;
}

export interface BuildOptions {
  le?: boolean;
  machine?: number;
  type?: number;
  sections: BuildSection[];
  /** without the null symbol; LOCAL ones must come first */
  symbols?: BuildSymbol[];
  relocs?: BuildReloc[];
  /** add a .symtab_shndx (all zero entries) */
  symtabShndx?: boolean;
  /** leave out .shstrtab and put section names in .strtab (as some Clang output does) */
  noShstrtab?: boolean;
}

export interface BuiltElf {
  bytes: Uint8Array;
  /** section index by name */
  index: Map<string, number>;
  /** symbol index by name (null symbol is 0) */
  symIndex: Map<string, number>;
}

export function buildElf(o: BuildOptions): BuiltElf {
  const le = o.le ?? true;
  const syms = o.symbols ?? [];
  const relocs = o.relocs ?? [];
  const relocTargets: string[] = [];
  for (const r of relocs) if (!relocTargets.includes(r.section)) relocTargets.push(r.section);
  const names: string[] = ['', ...o.sections.map((s) => s.name), ...relocTargets.map((t) => `.rela${t}`), '.symtab'];
  if (o.symtabShndx) names.push('.symtab_shndx');
  names.push('.strtab');
  if (!o.noShstrtab) names.push('.shstrtab');
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (i > 0) index.set(n, i); });
  const symIndex = new Map<string, number>();
  syms.forEach((s, i) => { if (s.name !== '') symIndex.set(s.name, i + 1); });

  // string tables
  const strtab = new StrTab();
  const shstrtab = o.noShstrtab ? strtab : new StrTab();
  const symNameOff = syms.map((s) => (s.name === '' ? 0 : strtab.add(s.name)));
  const secNameOff = names.map((n) => (n === '' ? 0 : shstrtab.add(n)));

  // symbol table
  const symBytes = new Uint8Array((syms.length + 1) * 24);
  const sdv = new DataView(symBytes.buffer);
  let firstGlobal = syms.length + 1;
  syms.forEach((s, i) => {
    const p = (i + 1) * 24;
    if (s.bind !== 0 && firstGlobal > syms.length) firstGlobal = i + 1;
    sdv.setUint32(p, symNameOff[i], le);
    symBytes[p + 4] = (s.bind << 4) | s.type;
    symBytes[p + 5] = s.other ?? 0;
    const shndx = typeof s.section === 'string' ? index.get(s.section) : s.section;
    if (shndx === undefined) throw new Error(`no section ${String(s.section)}`);
    sdv.setUint16(p + 6, shndx, le);
    put64(sdv, p + 8, s.value ?? 0, le);
    put64(sdv, p + 16, s.size ?? 0, le);
  });

  interface Out { name: string; type: number; flags: number; data: Uint8Array; size: number; addr: number; link: number; info: number; addralign: number; entsize: number }
  const out: Out[] = [{ name: '', type: 0, flags: 0, data: new Uint8Array(0), size: 0, addr: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  for (const s of o.sections) {
    const type = s.type ?? 1;
    const data = type === 8 ? new Uint8Array(0) : s.data ?? new Uint8Array(s.size ?? 0);
    out.push({
      name: s.name, type, flags: s.flags ?? 0, data, size: type === 8 ? s.size ?? 0 : data.length, addr: s.addr ?? 0,
      link: s.link ?? 0, info: s.info ?? 0, addralign: s.addralign ?? 1, entsize: s.entsize ?? 0,
    });
  }
  const symtabIdx = index.get('.symtab') as number;
  for (const t of relocTargets) {
    const list = relocs.filter((r) => r.section === t);
    const data = new Uint8Array(list.length * 24);
    const dv = new DataView(data.buffer);
    list.forEach((r, i) => {
      const sym = typeof r.sym === 'string' ? symIndex.get(r.sym) : r.sym;
      if (sym === undefined) throw new Error(`no symbol ${String(r.sym)}`);
      put64(dv, i * 24, r.offset, le);
      dv.setUint32(i * 24 + 8 + (le ? 0 : 4), r.type, le);
      dv.setUint32(i * 24 + 8 + (le ? 4 : 0), sym, le);
      put64(dv, i * 24 + 16, r.addend ?? 0, le);
    });
    out.push({ name: `.rela${t}`, type: 4, flags: 0x40, data, size: data.length, addr: 0, link: symtabIdx, info: index.get(t) as number, addralign: 8, entsize: 24 });
  }
  out.push({ name: '.symtab', type: 2, flags: 0, data: symBytes, size: symBytes.length, addr: 0, link: index.get('.strtab') as number, info: firstGlobal, addralign: 8, entsize: 24 });
  if (o.symtabShndx) {
    const x = new Uint8Array((syms.length + 1) * 4);
    out.push({ name: '.symtab_shndx', type: 18, flags: 0, data: x, size: x.length, addr: 0, link: symtabIdx, info: 0, addralign: 4, entsize: 4 });
  }
  const strBytes = strtab.bytes();
  out.push({ name: '.strtab', type: 3, flags: 0, data: strBytes, size: strBytes.length, addr: 0, link: 0, info: 0, addralign: 1, entsize: 0 });
  if (!o.noShstrtab) {
    const b = shstrtab.bytes();
    out.push({ name: '.shstrtab', type: 3, flags: 0, data: b, size: b.length, addr: 0, link: 0, info: 0, addralign: 1, entsize: 0 });
  }

  // layout
  let off = 64;
  const offsets: number[] = [];
  for (const s of out) {
    const a = Math.max(1, s.addralign);
    off = Math.ceil(off / a) * a;
    offsets.push(s.type === 0 ? 0 : off);
    off += s.data.length;
  }
  const shoff = Math.ceil(off / 8) * 8;
  const bytes = new Uint8Array(shoff + out.length * 64);
  const dv = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1, 0]);
  dv.setUint16(16, o.type ?? 1, le);
  dv.setUint16(18, o.machine ?? 62, le);
  dv.setUint32(20, 1, le);
  put64(dv, 40, shoff, le);
  dv.setUint16(52, 64, le);
  dv.setUint16(58, 64, le);
  dv.setUint16(60, out.length, le);
  dv.setUint16(62, o.noShstrtab ? (index.get('.strtab') as number) : (index.get('.shstrtab') as number), le);
  out.forEach((s, i) => {
    bytes.set(s.data, offsets[i]);
    const h = shoff + i * 64;
    dv.setUint32(h, secNameOff[names.indexOf(s.name)], le);
    dv.setUint32(h + 4, s.type, le);
    put64(dv, h + 8, s.flags, le);
    put64(dv, h + 16, s.addr, le);
    put64(dv, h + 24, offsets[i], le);
    put64(dv, h + 32, s.size, le);
    dv.setUint32(h + 40, s.link, le);
    dv.setUint32(h + 44, s.info, le);
    put64(dv, h + 48, s.addralign, le);
    put64(dv, h + 56, s.entsize, le);
  });
  return { bytes, index, symIndex };
}

class StrTab {
  private readonly parts: number[] = [0];
  add(s: string): number {
    const off = this.parts.length;
    for (let i = 0; i < s.length; i++) this.parts.push(s.charCodeAt(i) & 0xff);
    this.parts.push(0);
    return off;
  }
  bytes(): Uint8Array { return Uint8Array.from(this.parts); }
}

function put64(dv: DataView, off: number, v: number, le: boolean): void {
  const hi = Math.floor(v / 0x100000000);
  const lo = v - hi * 0x100000000;
  dv.setUint32(le ? off : off + 4, lo >>> 0, le);
  dv.setInt32(le ? off + 4 : off, hi | 0, le);
}
