/**
 * Symbols by section, with the lookup rules the analysis relies on:
 * - `list(sec)`: every symbol of a section ordered by offset, ties in symbol-table order
 *   (the order functions are validated in);
 * - containing/by-offset queries consider only sized symbols (zero-sized labels inside a function
 *   would otherwise confuse them) and answer the first match in offset order;
 * - `.cold` children know their parent (`pfunc`), parents their child (`cfunc`), and a parent that
 *   encloses its child is shortened so the two do not overlap;
 * - aliases (same offset, type and size) resolve to the last one in the table (`alias`).
 */
import { SHN_LORESERVE, SHN_UNDEF, STB_GLOBAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_SECTION } from '../elf/constants.js';
import type { ElfFile, SymbolTable } from '../elf/reader.js';
import { symBind, symType } from '../elf/reader.js';

/** GNU indirect function (the value is its resolver); ELF gABI's OS-specific type range */
const STT_GNU_IFUNC = 10;

export class Symbols {
  readonly count: number;
  readonly type: Uint8Array;
  readonly bind: Uint8Array;
  /** defining section index, 0 when undefined/absolute/common */
  readonly sec: Uint32Array;
  readonly offset: Float64Array;
  /** size, shortened for parents that enclose their `.cold` child */
  readonly len: Float64Array;
  readonly pfunc: Int32Array;
  readonly cfunc: Int32Array;
  readonly alias: Int32Array;
  private readonly bySec: Int32Array[];
  private readonly sizedBySec: Int32Array[];
  private readonly maxEndBySec: Float64Array[];
  private byName: Map<string, number> | undefined;
  /** first `.cold` child whose parent does not exist (objtool stops there), or -1 */
  missingParent = -1;

  /** names of the synthetic functions appended after the table's symbols */
  private readonly extraNames: string[];
  /** number of symbols from the table; indices from here on are synthetic functions */
  readonly tableCount: number;

  /**
   * `userspace` (userspace analysis; kernel checks report unsized functions instead, and kernel
   * objects have no IFUNCs):
   * - a function symbol without a size (crt code, hand-written assembly) reaches to the next
   *   symbol of its section;
   * - an STT_GNU_IFUNC symbol is a function: its value is the resolver's code, which is called
   *   and returns like any function (glibc's `memcpy`, `strlen`, ... in `.dynsym`).
   */
  constructor(readonly elf: ElfFile, readonly table: SymbolTable | undefined, extra: readonly SyntheticSymbol[] = [], userspace = false) {
    const nt = table?.count ?? 0;
    const n = nt + extra.length;
    this.tableCount = nt;
    this.extraNames = extra.map((e) => e.name);
    this.count = n;
    this.type = new Uint8Array(n);
    this.bind = new Uint8Array(n);
    this.sec = new Uint32Array(n);
    this.offset = new Float64Array(n);
    this.len = new Float64Array(n);
    this.pfunc = new Int32Array(n).fill(-1);
    this.cfunc = new Int32Array(n).fill(-1);
    this.alias = new Int32Array(n);
    const nsec = elf.sections.length;
    const counts = new Int32Array(nsec);
    if (table) this.readTable(table, counts, userspace);
    for (let k = 0; k < extra.length; k++) {
      const i = nt + k;
      const e = extra[k];
      this.type[i] = STT_FUNC;
      this.bind[i] = 0;
      this.sec[i] = e.sec;
      this.offset[i] = e.offset;
      this.len[i] = e.len;
      this.alias[i] = i;
      counts[e.sec]++;
    }
    // per-section lists sorted by (offset, index)
    this.bySec = [];
    for (let s = 0; s < nsec; s++) this.bySec.push(new Int32Array(counts[s]));
    fillSectionLists(this.sec, this.bySec);
    const off = this.offset;
    for (let sec = 0; sec < nsec; sec++) {
      const list = this.bySec[sec];
      if (list.length > 1) sortByOffset(list, off);
    }
    if (userspace) this.sizeUnsizedFunctions();
    this.linkAliases();
    this.linkColdChildren();
    // sized symbols per section, for containing queries
    this.sizedBySec = [];
    this.maxEndBySec = [];
    for (let sec = 0; sec < this.bySec.length; sec++) this.addSizedList(this.bySec[sec]);
  }

  /**
   * The symbol table's columns as the analysis reads them, and the symbol count of each section.
   * The constructor's loops live in methods of their own: V8 compiles a function while a loop of it
   * runs, and throws that code away at the first statement after the loop that has not run yet (then
   * compiles it again in the next loop); a function that is only its loop is compiled once.
   */
  private readTable(t: SymbolTable, counts: Int32Array, userspace: boolean): void {
    const elf = this.elf;
    const nsec = elf.sections.length;
    const linked = elf.type !== 1;
    for (let i = 0; i < t.count; i++) {
      const type = symType(t.info[i]);
      this.type[i] = userspace && type === STT_GNU_IFUNC ? STT_FUNC : type;
      this.bind[i] = symBind(t.info[i]);
      const sh = t.shndx[i];
      const inSec = sh !== SHN_UNDEF && (sh < SHN_LORESERVE || t.rawShndx[i] === 0xffff) && sh < nsec;
      this.sec[i] = inSec ? sh : 0;
      // in linked files symbol values are addresses; the analysis works in section offsets
      this.offset[i] = inSec && linked ? t.value[i] - elf.sections[sh].addr : t.value[i];
      this.len[i] = t.size[i];
      this.alias[i] = i;
      if (inSec) counts[sh]++;
    }
  }

  /**
   * Appends the sized symbols of one section's list and their running maximum end. A method of its
   * own: the constructor's loops are compiled while they run (each time V8 meets code after a loop
   * for the first time it throws the compiled constructor away), so they are kept out of it.
   */
  private addSizedList(list: Int32Array): void {
    const count = countSized(list, this.len);
    const sized = new Int32Array(count);
    const maxEnd = new Float64Array(count);
    fillSized(list, this.offset, this.len, sized, maxEnd);
    this.sizedBySec.push(sized);
    this.maxEndBySec.push(maxEnd);
  }

  name(i: number): string {
    if (i < 0) return '';
    if (i < this.tableCount && this.type[i] === STT_SECTION) return this.elf.sections[this.sec[i]]?.name ?? '';
    return this.nonSectionName(i);
  }

  /** `name(i)` of a symbol that is no STT_SECTION one. */
  private nonSectionName(i: number): string {
    if (i >= this.tableCount) return this.extraNames[i - this.tableCount] ?? '';
    return this.table ? this.table.name(i) : '';
  }

  /** All symbols defined in section `sec`, by offset. */
  list(sec: number): Int32Array {
    return this.bySec[sec] ?? new Int32Array(0);
  }

  /** The symbol a name lookup finds: the last one in the table with that name, or -1. */
  byNameLookup(name: string): number {
    if (!this.byName) {
      const m = new Map<string, number>();
      for (let i = 0; i < this.count; i++) m.set(this.name(i), i);
      this.byName = m;
    }
    return this.byName.get(name) ?? -1;
  }

  /** First sized non-section symbol at exactly `off`, or -1. */
  symbolAt(sec: number, off: number): number {
    return this.firstContaining(sec, off, 1);
  }

  /** First sized STT_FUNC at exactly `off`, or -1. */
  funcAt(sec: number, off: number): number {
    return this.firstContaining(sec, off, 2);
  }

  /** First sized non-section symbol whose range contains `off`, or -1. */
  symbolContaining(sec: number, off: number): number {
    return this.firstContaining(sec, off, 0);
  }

  /** First sized STT_FUNC whose range contains `off`, or -1. */
  funcContaining(sec: number, off: number): number {
    return this.firstContaining(sec, off, 3);
  }

  /**
   * Size of the gap between symbols that starts at `off`: 0 when a symbol contains `off` or no symbol
   * lies before it, -1 when no symbol follows, else the distance to the next symbol.
   */
  holeContaining(sec: number, off: number): number {
    const sized = this.sizedBySec[sec];
    if (!sized || sized.length === 0) return 0;
    if (this.symbolContainingAny(sec, off) >= 0) return 0;
    // last symbol starting at or before off
    let lo = 0;
    let hi = sized.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offset[sized[mid]] <= off) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return 0;
    if (best + 1 >= sized.length) return -1;
    return this.offset[sized[best + 1]] - off;
  }

  isFunc(i: number): boolean {
    return i >= 0 && this.type[i] === STT_FUNC;
  }

  isGlobalOrWeak(i: number): boolean {
    return this.bind[i] === STB_GLOBAL || this.bind[i] === STB_WEAK;
  }

  private symbolContainingAny(sec: number, off: number): number {
    const sized = this.sizedBySec[sec];
    const maxEnd = this.maxEndBySec[sec];
    let lo = 0;
    let hi = sized.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (maxEnd[mid] > off) hi = mid; else lo = mid + 1;
    }
    for (let k = lo; k < sized.length; k++) {
      const s = sized[k];
      if (this.offset[s] > off) break;
      if (this.offset[s] + this.len[s] > off) return s;
    }
    return -1;
  }

  /** mode 0: containing non-section, 1: at offset non-section, 2: at offset func, 3: containing func */
  private firstContaining(sec: number, off: number, mode: number): number {
    const sized = this.sizedBySec[sec];
    if (!sized) return -1;
    const maxEnd = this.maxEndBySec[sec];
    let lo = 0;
    let hi = sized.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (maxEnd[mid] > off) hi = mid; else lo = mid + 1;
    }
    for (let k = lo; k < sized.length; k++) {
      const s = sized[k];
      const so = this.offset[s];
      if (so > off) break;
      if (so + this.len[s] <= off) continue;
      const t = this.type[s];
      switch (mode) {
        case 0: if (t !== STT_SECTION) return s; break;
        case 1: if (so === off && t !== STT_SECTION) return s; break;
        case 2: if (so === off && t === STT_FUNC) return s; break;
        default: if (t === STT_FUNC) return s;
      }
    }
    return -1;
  }

  private sizeUnsizedFunctions(): void {
    const off = this.offset;
    for (let sec = 0; sec < this.bySec.length; sec++) {
      const list = this.bySec[sec];
      const end = this.elf.sections[sec]?.size ?? 0;
      for (let k = 0; k < list.length; k++) {
        const s = list[k];
        if (this.type[s] !== STT_FUNC || this.len[s] !== 0) continue;
        let e = end;
        // AArch64 `$x` mapping symbols mark where code starts, not a new function: crtn.o's half of
        // `_init` follows crti.o's under one of its own
        for (let j = k + 1; j < list.length; j++) if (off[list[j]] > off[s] && !isCodeMappingSymbol(this.name(list[j]))) { e = off[list[j]]; break; }
        this.len[s] = Math.max(0, e - off[s]);
      }
    }
  }

  private linkAliases(): void {
    // an earlier symbol with the same offset, type and size points at the later one
    // indexed loops, not for-of: see linkColdChildren
    for (let sec = 0; sec < this.bySec.length; sec++) {
      const list = this.bySec[sec];
      let k = 0;
      while (k < list.length) {
        let e = k + 1;
        while (e < list.length && this.offset[list[e]] === this.offset[list[k]]) e++;
        for (let a = k; a < e; a++) {
          const sa = list[a];
          if (this.len[sa] === 0) continue;
          for (let b = e - 1; b > a; b--) {
            const sb = list[b];
            if (this.type[sb] === this.type[sa] && this.len[sb] === this.len[sa]) { this.alias[sa] = sb; break; }
          }
        }
        k = e;
      }
    }
  }

  private linkColdChildren(): void {
    // indexed loops: a for-of's iterator call is compiled away while the first (long) list runs and
    // then throws the compiled code away at the next list
    for (let sec = 0; sec < this.bySec.length; sec++) {
      const list = this.bySec[sec];
      for (let k = 0; k < list.length; k++) {
        const s = list[k];
        if (this.type[s] !== STT_FUNC) continue;
        if (this.pfunc[s] < 0) this.pfunc[s] = s;
        if (this.cfunc[s] < 0) this.cfunc[s] = s;
        // `name` less its section-symbol case: asked here first, it would be compiled without that case
        // and thrown away at the first section symbol named later
        const name = this.nonSectionName(s);
        const cold = name.indexOf('.cold');
        if (cold < 0) continue;
        const p = this.byNameLookup(name.slice(0, cold));
        if (p < 0) {
          if (this.missingParent < 0) this.missingParent = s;
          continue;
        }
        this.pfunc[s] = p;
        this.cfunc[p] = s;
        if (this.sec[s] === this.sec[p] && this.offset[s] >= this.offset[p] &&
            this.offset[s] + this.len[s] === this.offset[p] + this.len[p]) {
          this.len[p] -= this.len[s];
        }
      }
    }
  }
}

/**
 * Sorts a section's symbol list (filled in index order) by offset, ties by index. Each symbol
 * becomes one number, offset * 2^bits + its position in the list, and the numbers are sorted by
 * the engine's native numeric sort (no comparator call per comparison: about 10x faster on the
 * 100 K symbols of a large library). When a number would not be exact (offsets negative, not
 * integral or too large for the positions' bits) the comparator sort does it.
 */
function sortByOffset(list: Int32Array, off: Float64Array): void {
  const n = list.length;
  let bits = 1;
  while (2 ** bits < n) bits++;
  const scale = 2 ** bits;
  const keys = new Float64Array(n);
  // the loops live in helpers: V8 compiles a function while its loop runs, before the code after
  // the loop has run once, and would throw that code away (and compile again) at every section
  // whose list needs the sort after one that did not
  const state = sortKeys(list, off, keys, scale, 2 ** (53 - bits));
  if (state === KEYS_INEXACT) {
    list.sort((a, b) => off[a] - off[b] || a - b);
  } else if (state === KEYS_UNSORTED) {
    // already in order (offsets ascending, ties in index order as filled) needs nothing
    keys.sort();
    placeBySortedKeys(list, keys, scale);
  }
}

const KEYS_SORTED = 0;
const KEYS_UNSORTED = 1;
const KEYS_INEXACT = 2;

/**
 * Fills `keys` with offset * scale + position; KEYS_INEXACT when a key would not be exact (offsets
 * negative, not integral or at `limit` or above), else whether the keys are in order already.
 */
function sortKeys(list: Int32Array, off: Float64Array, keys: Float64Array, scale: number, limit: number): number {
  let state = KEYS_SORTED;
  let prev = -1;
  for (let k = 0; k < list.length; k++) {
    const o = off[list[k]];
    if (!(o >= 0 && o < limit && Number.isInteger(o))) return KEYS_INEXACT;
    if (o < prev) state = KEYS_UNSORTED;
    prev = o;
    keys[k] = o * scale + k;
  }
  return state;
}

/** Reorders `list` by its sorted keys (each key's low bits are the element's old position). */
function placeBySortedKeys(list: Int32Array, keys: Float64Array, scale: number): void {
  const byPosition = list.slice();
  for (let k = 0; k < list.length; k++) {
    const key = keys[k];
    list[k] = byPosition[key - Math.floor(key / scale) * scale];
  }
}

/** Symbols of a list with a size. */
function countSized(list: Int32Array, len: Float64Array): number {
  let count = 0;
  for (let k = 0; k < list.length; k++) if (len[list[k]] > 0) count++;
  return count;
}

/** The sized symbols of a list in its order, and the running maximum of their ends. */
function fillSized(list: Int32Array, off: Float64Array, len: Float64Array, sized: Int32Array, maxEnd: Float64Array): void {
  let m = -Infinity;
  for (let k = 0, j = 0; k < list.length; k++) {
    const i = list[k];
    if (!(len[i] > 0)) continue;
    const e = off[i] + len[i];
    if (e > m) m = e;
    sized[j] = i;
    maxEnd[j++] = m;
  }
}

/** Each symbol's index into its section's list, in index order (`lists` sized by the counts). */
function fillSectionLists(sec: Uint32Array, lists: Int32Array[]): void {
  const fill = new Int32Array(lists.length);
  for (let i = 0; i < sec.length; i++) {
    const s = sec[i];
    if (s !== 0) lists[s][fill[s]++] = i;
  }
}

/** A function the symbol table does not name (PLT stub, FDE-covered code), given to the constructor. */
export interface SyntheticSymbol {
  name: string;
  sec: number;
  offset: number;
  len: number;
}

export { STT_FUNC, STT_NOTYPE, STT_SECTION };

/** An ARM ELF mapping symbol that marks code (`$x`, `$x.NAME`; `$a`, `$t` on 32-bit ARM). */
function isCodeMappingSymbol(name: string): boolean {
  return name.length >= 2 && name.charCodeAt(0) === 0x24 && 'xat'.includes(name[1]) && (name.length === 2 || name[2] === '.');
}
