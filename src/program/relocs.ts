/**
 * Relocations of one section, sorted by offset, with range queries. Where several relocations share
 * an offset the one later in the file is answered first.
 */
import type { ElfFile, RelocTable } from '../elf/reader.js';
import { lowerBound } from '../typed-arrays.js';

export class SectionRelocs {
  /** relocation indices sorted by (offset asc, index desc) */
  readonly order: Int32Array;
  /** offsets in `order`: the table's own array when it is already sorted (no copy) */
  readonly offsets: Float64Array;

  constructor(readonly table: RelocTable) {
    const n = table.count;
    const order = new Int32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && table.offset[i] <= table.offset[i - 1]) sorted = false;
    }
    if (!sorted) {
      const off = table.offset;
      order.sort((a, b) => off[a] - off[b] || b - a);
    }
    this.order = order;
    if (sorted) {
      this.offsets = table.offset;
    } else {
      this.offsets = new Float64Array(n);
      for (let k = 0; k < n; k++) this.offsets[k] = table.offset[order[k]];
    }
  }

  /** Relocation index of the first relocation in [off, off+len), or -1. */
  inRange(off: number, len: number): number {
    const k = this.lowerBound(off);
    if (k < this.order.length && this.offsets[k] < off + len) return this.order[k];
    return -1;
  }

  /**
   * Position (in `order`) of the first relocation at a greater offset than the one at position k: the
   * next relocation objtool's range look-up finds when it walks a range offset by offset.
   */
  nextOffset(k: number): number {
    const o = this.offsets;
    let j = k + 1;
    while (j < o.length && o[j] === o[k]) j++;
    return j;
  }

  /** Position (in `order`) of the first relocation at or after `off`. */
  lowerBound(off: number): number {
    return lowerBound(this.offsets, off);
  }
}

/** Sorted relocations per target section, built on first use. */
export class RelocIndex {
  /** by section index (an array: the branch passes ask once per branch row) */
  private readonly cache: (SectionRelocs | null | undefined)[] = [];
  constructor(readonly elf: ElfFile) {}

  of(sec: number): SectionRelocs | null {
    let r = this.cache[sec];
    if (r === undefined) {
      const t = this.elf.relocsOf(sec);
      r = t ? new SectionRelocs(t) : null;
      this.cache[sec] = r;
    }
    return r;
  }
}
