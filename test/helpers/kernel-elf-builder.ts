/**
 * Builds small ELF64 relocatable objects (little-endian, or big-endian on request) for unit tests of
 * the kernel table readers: named sections with bytes, symbols (section symbols created on demand),
 * and RELA sections. Field layout from the ELF64 specification.
 */
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const SHT_PROGBITS = 1;
export const SHT_RELA = 4;
export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const R_X86_64_64 = 1;
export const R_X86_64_PC32 = 2;
export const R_X86_64_PC64 = 24;

export interface SymHandle { readonly id: number }

interface SecSpec { name: string; type: number; flags: number; data: Uint8Array; align: number; entsize: number }
interface SymSpec { name: string; sec: string | null; value: number; size: number; type: number; bind: number; shndx?: number }
interface RelaSpec { offset: number; type: number; sym: SymHandle | null; addend: number }

export class KernelElfBuilder {
  private readonly secs: SecSpec[] = [];
  private readonly syms: SymSpec[] = [];
  private readonly secSyms = new Map<string, SymHandle>();
  private readonly relas: { name: string; target: string; entries: RelaSpec[] }[] = [];

  constructor(readonly machine = EM_X86_64, readonly bigEndian = false) {}

  section(name: string, data: Uint8Array, opts: { type?: number; flags?: number; align?: number; entsize?: number } = {}): this {
    this.secs.push({ name, data, type: opts.type ?? SHT_PROGBITS, flags: opts.flags ?? SHF_ALLOC, align: opts.align ?? 1, entsize: opts.entsize ?? 0 });
    return this;
  }

  /** The STT_SECTION symbol of section `name` (created once). */
  sectionSym(name: string): SymHandle {
    let h = this.secSyms.get(name);
    if (!h) {
      h = this.addSym({ name: '', sec: name, value: 0, size: 0, type: STT_SECTION, bind: STB_LOCAL });
      this.secSyms.set(name, h);
    }
    return h;
  }

  /** A symbol; `sec` null for undefined. */
  symbol(name: string, sec: string | null, value = 0, opts: { size?: number; type?: number; bind?: number; shndx?: number } = {}): SymHandle {
    return this.addSym({ name, sec, value, size: opts.size ?? 0, type: opts.type ?? STT_NOTYPE, bind: opts.bind ?? STB_LOCAL, shndx: opts.shndx });
  }

  /** A RELA section `relaName` applying to section `target`; sym null means symbol 0. */
  rela(target: string, entries: RelaSpec[], relaName = `.rela${target}`): this {
    this.relas.push({ name: relaName, target, entries });
    return this;
  }

  build(): Uint8Array {
    const le = !this.bigEndian;
    // section indices: 0 null, user sections, then .symtab, .strtab, relas, .shstrtab
    const names = ['', ...this.secs.map((s) => s.name)];
    const idxOf = (n: string): number => {
      const i = names.indexOf(n);
      if (i < 0) throw new Error(`no section ${n}`);
      return i;
    };
    const symtabIdx = names.length;
    const strtabIdx = symtabIdx + 1;
    const relaBase = strtabIdx + 1;
    const shstrIdx = relaBase + this.relas.length;
    const shnum = shstrIdx + 1;

    // symbols: null, locals, globals; handles map to final indices
    const order = [...this.syms.keys()].sort((a, b) => (this.syms[a].bind === STB_LOCAL ? 0 : 1) - (this.syms[b].bind === STB_LOCAL ? 0 : 1) || a - b);
    const finalIdx = new Map<number, number>();
    order.forEach((id, k) => finalIdx.set(id, k + 1));
    const firstGlobal = 1 + order.filter((id) => this.syms[id].bind === STB_LOCAL).length;

    const strtab = new StrTab();
    const symtab = new Uint8Array((order.length + 1) * 24);
    const sdv = new DataView(symtab.buffer);
    order.forEach((id, k) => {
      const s = this.syms[id];
      const p = (k + 1) * 24;
      sdv.setUint32(p, s.name ? strtab.add(s.name) : 0, le);
      symtab[p + 4] = (s.bind << 4) | s.type;
      sdv.setUint16(p + 6, s.shndx ?? (s.sec === null ? 0 : idxOf(s.sec)), le);
      setU64(sdv, p + 8, s.value, le);
      setU64(sdv, p + 16, s.size, le);
    });

    const relaData = this.relas.map((r) => {
      const b = new Uint8Array(r.entries.length * 24);
      const dv = new DataView(b.buffer);
      r.entries.forEach((e, k) => {
        const p = k * 24;
        setU64(dv, p, e.offset, le);
        const symIdx = e.sym ? finalIdx.get(e.sym.id)! : 0;
        // r_info = sym << 32 | type
        if (le) { dv.setUint32(p + 8, e.type, true); dv.setUint32(p + 12, symIdx, true); }
        else { dv.setUint32(p + 8, symIdx, false); dv.setUint32(p + 12, e.type, false); }
        setI64(dv, p + 16, e.addend, le);
      });
      return b;
    });

    const shstr = new StrTab();
    const allNames = [...names, '.symtab', '.strtab', ...this.relas.map((r) => r.name), '.shstrtab'];
    const nameOffs = allNames.map((n) => (n ? shstr.add(n) : 0));

    interface Out { type: number; flags: number; data: Uint8Array; link: number; info: number; align: number; entsize: number }
    const outs: Out[] = [{ type: 0, flags: 0, data: new Uint8Array(0), link: 0, info: 0, align: 0, entsize: 0 }];
    for (const s of this.secs) outs.push({ type: s.type, flags: s.flags, data: s.data, link: 0, info: 0, align: s.align, entsize: s.entsize });
    outs.push({ type: 2, flags: 0, data: symtab, link: strtabIdx, info: firstGlobal, align: 8, entsize: 24 });
    outs.push({ type: 3, flags: 0, data: strtab.bytes(), link: 0, info: 0, align: 1, entsize: 0 });
    this.relas.forEach((r, k) => outs.push({ type: SHT_RELA, flags: 0x40, data: relaData[k], link: symtabIdx, info: idxOf(r.target), align: 8, entsize: 24 }));
    outs.push({ type: 3, flags: 0, data: shstr.bytes(), link: 0, info: 0, align: 1, entsize: 0 });

    let off = 64;
    const offsets: number[] = [];
    for (const o of outs) {
      off = (off + 7) & ~7;
      offsets.push(off);
      if (o.type !== 8) off += o.data.length;
    }
    const shoff = (off + 7) & ~7;
    const total = shoff + shnum * 64;
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1], 0);
    dv.setUint16(16, 1, le); // ET_REL
    dv.setUint16(18, this.machine, le);
    dv.setUint32(20, 1, le);
    setU64(dv, 40, shoff, le);
    dv.setUint16(52, 64, le);
    dv.setUint16(58, 64, le);
    dv.setUint16(60, shnum, le);
    dv.setUint16(62, shstrIdx, le);
    outs.forEach((o, i) => {
      if (i > 0 && o.type !== 8) out.set(o.data, offsets[i]);
      const h = shoff + i * 64;
      dv.setUint32(h, nameOffs[i], le);
      dv.setUint32(h + 4, o.type, le);
      setU64(dv, h + 8, o.flags, le);
      setU64(dv, h + 24, i === 0 ? 0 : offsets[i], le);
      setU64(dv, h + 32, o.data.length, le);
      dv.setUint32(h + 40, o.link, le);
      dv.setUint32(h + 44, o.info, le);
      setU64(dv, h + 48, o.align, le);
      setU64(dv, h + 56, o.entsize, le);
    });
    return out;
  }

  private addSym(s: SymSpec): SymHandle {
    this.syms.push(s);
    return { id: this.syms.length - 1 };
  }
}

/** Little helpers to lay out table bytes. */
export class Bytes {
  private buf = new Uint8Array(64);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  constructor(readonly le = true) {}
  u8(v: number): this { this.grow(1); this.buf[this.length++] = v & 0xff; return this; }
  u16(v: number): this { this.grow(2); this.dv.setUint16(this.length, v & 0xffff, this.le); this.length += 2; return this; }
  i16(v: number): this { this.grow(2); this.dv.setInt16(this.length, v, this.le); this.length += 2; return this; }
  u32(v: number): this { this.grow(4); this.dv.setUint32(this.length, v >>> 0, this.le); this.length += 4; return this; }
  u64(v: number): this { this.grow(8); setU64(this.dv, this.length, v, this.le); this.length += 8; return this; }
  zeros(n: number): this { this.grow(n); this.length += n; return this; }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf);
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
}

class StrTab {
  private parts: number[] = [0];
  add(s: string): number {
    const off = this.parts.length;
    for (let i = 0; i < s.length; i++) this.parts.push(s.charCodeAt(i) & 0xff);
    this.parts.push(0);
    return off;
  }
  bytes(): Uint8Array { return Uint8Array.from(this.parts); }
}

function setU64(dv: DataView, p: number, v: number, le: boolean): void {
  dv.setBigUint64(p, BigInt.asUintN(64, BigInt(v)), le);
}

function setI64(dv: DataView, p: number, v: number, le: boolean): void {
  dv.setBigInt64(p, BigInt(v), le);
}
