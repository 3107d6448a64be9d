/**
 * DW_EH_PE encoded pointers, as found in .eh_frame CIE augmentation data and FDE headers.
 *
 * In a relocatable object a pointer field usually holds a placeholder and the real value is the
 * target of the relocation on that field: the decoder then answers (section index, offset) from
 * the relocation (symbol's section + st_value + addend) instead of computing from the bytes.
 * In a linked file the value is an address; `indirect` pointers are followed through the file's
 * allocated sections when the address is in one.
 */
import { SHT_NOBITS, SHF_ALLOC, ET_REL } from '../elf/constants.js';
import type { ElfFile, RelocTable, Section } from '../elf/reader.js';
import { relocDest, type RelocDest } from '../elf/reloc-target.js';
import { DW_EH_PE } from './constants.js';
import type { ByteReader } from './byte-reader.js';

/** A decoded pointer. Reused by the caller: the decoder fills it, never allocates. */
export interface PointerValue {
  /** section the value is an offset into (from a relocation in a relocatable object), or -1 for an address */
  sec: number;
  value: number;
  /**
   * DW_EH_PE_indirect: `value` is where the pointer is stored; `target` is what the file stores
   * there (linked files only; NaN when not in an allocated section). Before dynamic relocation, so
   * often 0 in shared libraries, whose DW.ref slots the dynamic linker fills.
   */
  indirect: boolean;
  target: number;
}

export function newPointerValue(): PointerValue {
  return { sec: -1, value: 0, indirect: false, target: NaN };
}

/** Bases for DW_EH_PE_textrel / datarel (not stored in the section; the ABI decides them). */
export interface PointerBases {
  text?: number;
  data?: number;
}

/** True when `enc` is a valid DW_EH_PE encoding (or omit). */
export function isValidPointerEncoding(enc: number): boolean {
  if (enc === DW_EH_PE.omit) return true;
  const fmt = enc & 0x0f;
  const app = enc & 0x70;
  const fmtOk = fmt <= 4 || (fmt >= 8 && fmt <= 12);
  return fmtOk && app <= DW_EH_PE.aligned;
}

export class PointerDecoder {
  private readonly relocs: RelocTable | undefined;
  /** relocation indices sorted by offset (files usually are sorted; not trusted) */
  private readonly order: Uint32Array | undefined;
  private readonly dest: RelocDest = { sec: -1, off: 0, sym: 0 };
  private readonly relocatable: boolean;

  constructor(
    private readonly elf: ElfFile,
    private readonly section: Section,
    readonly addressSize: number,
    private readonly bases: PointerBases = {},
  ) {
    this.relocatable = elf.type === ET_REL;
    this.relocs = this.relocatable && elf.symtab ? elf.relocsOf(section.index) : undefined;
    if (this.relocs) {
      const r = this.relocs;
      const order = new Uint32Array(r.count);
      for (let i = 0; i < r.count; i++) order[i] = i;
      let sorted = true;
      for (let i = 1; i < r.count && sorted; i++) if (r.offset[i] < r.offset[i - 1]) sorted = false;
      if (!sorted) order.sort((a, b) => r.offset[a] - r.offset[b]);
      this.order = order;
    }
  }

  /**
   * Reads a pointer with encoding `enc` at `rd.pos` into `out`. `funcBase` is the FDE's start
   * (DW_EH_PE_funcrel). Throws FormatError for a bad encoding or truncation.
   */
  read(rd: ByteReader, enc: number, funcBase: number, out: PointerValue): PointerValue {
    out.sec = -1;
    out.indirect = false;
    out.target = NaN;
    if (enc === DW_EH_PE.omit) {
      out.value = 0;
      return out;
    }
    if (!isValidPointerEncoding(enc)) rd.fail(`bad pointer encoding 0x${enc.toString(16)}`);
    const app = enc & 0x70;
    if (app === DW_EH_PE.aligned) {
      const a = this.addressSize;
      const abs = this.section.addr + rd.pos;
      const pad = (a - (abs % a)) % a;
      rd.pos += pad;
    }
    const field = rd.pos;
    let v = this.readFormat(rd, enc & 0x0f);
    if (this.relocatedAt(field)) {
      out.sec = this.dest.sec;
      v = this.dest.off;
    } else {
      switch (app) {
        case DW_EH_PE.pcrel:
          v += this.section.addr + field;
          if (this.relocatable) out.sec = this.section.index;
          break;
        case DW_EH_PE.textrel:
          if (this.bases.text === undefined) rd.fail('DW_EH_PE_textrel pointer without a text base', field);
          v += this.bases.text;
          break;
        case DW_EH_PE.datarel:
          if (this.bases.data === undefined) rd.fail('DW_EH_PE_datarel pointer without a data base', field);
          v += this.bases.data;
          break;
        case DW_EH_PE.funcrel:
          v += funcBase;
          break;
        default:
          break;
      }
      // addresses wrap modulo 2^64 (a negative pcrel result is still a valid 64-bit value)
      if (v < 0 && this.addressSize === 8 && app !== 0) v += 18446744073709551616;
    }
    out.value = v;
    if (enc & DW_EH_PE.indirect) {
      out.indirect = true;
      if (out.sec < 0) out.target = this.loadAddress(v);
    }
    return out;
  }

  /** Reads the bare value of format nibble `fmt` (no base applied): used for pc_range. */
  readFormat(rd: ByteReader, fmt: number): number {
    switch (fmt) {
      case DW_EH_PE.absptr: return rd.uN(this.addressSize);
      case DW_EH_PE.uleb128: return rd.uleb();
      case DW_EH_PE.udata2: return rd.u16();
      case DW_EH_PE.udata4: return rd.u32();
      case DW_EH_PE.udata8: return rd.u64();
      case 0x08: return this.addressSize === 8 ? rd.i64() : rd.i32(); // DW_EH_PE_signed: signed, address-sized
      case DW_EH_PE.sleb128: return rd.sleb();
      case DW_EH_PE.sdata2: return rd.i16();
      case DW_EH_PE.sdata4: return rd.i32();
      case DW_EH_PE.sdata8: return rd.i64();
      default: return rd.fail(`bad pointer format 0x${fmt.toString(16)}`);
    }
  }

  /** Value of a plain (non-encoded) field such as a .debug_frame CIE pointer: the relocation wins when present. */
  relocatedOr(field: number, raw: number): number {
    return this.relocatedAt(field) ? this.dest.off : raw;
  }

  /** Where the relocation at section offset `field` points (an object reused by the next call), or undefined. */
  relocationAt(field: number): Readonly<RelocDest> | undefined {
    return this.relocatedAt(field) ? this.dest : undefined;
  }

  /** True (and `dest` filled) when a relocation applies at section offset `field`. */
  private relocatedAt(field: number): boolean {
    const r = this.relocs;
    const order = this.order;
    const syms = this.elf.symtab;
    if (!r || !order || !syms) return false;
    let lo = 0;
    let hi = r.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r.offset[order[mid]] < field) lo = mid + 1; else hi = mid;
    }
    if (lo >= r.count || r.offset[order[lo]] !== field) return false;
    relocDest(syms, r, order[lo], this.dest);
    return true;
  }

  /** The address-sized value stored at address `addr` in the file, or NaN. */
  private loadAddress(addr: number): number {
    for (const s of this.elf.sections) {
      if (!(s.flags & SHF_ALLOC) || s.type === SHT_NOBITS) continue;
      if (addr >= s.addr && addr + this.addressSize <= s.addr + s.size) {
        const off = s.offset + (addr - s.addr);
        return this.addressSize === 8 ? this.elf.u64(off) : this.elf.u32(off);
      }
    }
    return NaN;
  }
}
