/**
 * Which FDE covers a code location: FDEs sorted by (section, start) in typed arrays, binary search.
 * Section is the FDE's `pcSec` (relocatable objects) or -1 (linked files, where starts are addresses).
 */
import type { CfiSection, Fde } from './cfi.js';

export class FdeLookup {
  private readonly order: Uint32Array;
  private readonly sec: Int32Array;
  private readonly start: Float64Array;
  private readonly end: Float64Array;

  constructor(readonly cfi: CfiSection) {
    const fdes = cfi.fdes;
    const n = fdes.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => fdes[a].pcSec - fdes[b].pcSec || fdes[a].pcBegin - fdes[b].pcBegin || a - b);
    this.order = order;
    this.sec = new Int32Array(n);
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = fdes[order[i]];
      this.sec[i] = f.pcSec;
      this.start[i] = f.pcBegin;
      this.end[i] = f.pcBegin + f.pcRange;
    }
  }

  /** The FDE covering `addr` in section `sec` (-1 for linked files); the one starting last wins when FDEs overlap. */
  find(sec: number, addr: number): Fde | undefined {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sec[mid] < sec || (this.sec[mid] === sec && this.start[mid] <= addr)) lo = mid + 1; else hi = mid;
    }
    const i = lo - 1;
    if (i < 0 || this.sec[i] !== sec || addr >= this.end[i]) return undefined;
    return this.cfi.fdes[this.order[i]];
  }
}
