/**
 * The frame state: where the CFA is and where each tracked register's caller value lives, plus the
 * bookkeeping the stack-op interpreter needs (stack size, DRAP, scratch values). One state is a
 * fixed-layout Int32Array; identical states are interned in a `StatePool` so that instructions
 * share them by id (a function's instructions typically use a handful).
 */
import { CfiBase } from '../arch/arch.js';
import type { Arch } from '../arch/arch.js';
import { grown } from '../typed-arrays.js';

/** Unwind-hint / state types (objtool's UNWIND_HINT_TYPE_*). */
export const StateType = {
  Undefined: 0,
  EndOfStack: 1,
  Call: 2,
  Regs: 3,
  RegsPartial: 4,
  Func: 5,
  Save: 6,
  Restore: 7,
} as const;

/** Offsets of the fields of a state of an arch with `n` register slots. */
export interface StateLayout {
  readonly n: number;
  /** regs[i].base at 2i, regs[i].offset at 2i+1 */
  readonly regs: 0;
  /** vals[i] (a register's value as an offset from the CFA or SP-indirect) at vals + 2i */
  readonly vals: number;
  readonly cfaBase: number;
  readonly cfaOff: number;
  readonly stackSize: number;
  readonly drapReg: number;
  readonly drapOff: number;
  readonly type: number;
  readonly bpScratch: number;
  readonly drap: number;
  readonly signal: number;
  readonly end: number;
  readonly forceUndefined: number;
  /**
   * AArch64 return-address signing state: 1 while the link register holds a signed (PAC) return
   * address (after paciasp/pacibsp and before autiasp/retaa..), else 0. Always 0 on x86.
   */
  readonly pac: number;
  /**
   * restored[i] at restored + i: the CFA offset of the slot register i was last saved to or reloaded
   * from, while both are known to still hold the same value (0: none). Tracked only without kernel
   * conventions, where it lets `cfa-N` and `same` be recognised as the same value between a save and
   * the first write of the register, and after an epilogue's pop.
   */
  readonly restored: number;
  readonly size: number;
}

export function stateLayout(n: number): StateLayout {
  const v = 2 * n;
  const c = 4 * n;
  return {
    n, regs: 0, vals: v, cfaBase: c, cfaOff: c + 1, stackSize: c + 2, drapReg: c + 3, drapOff: c + 4,
    type: c + 5, bpScratch: c + 6, drap: c + 7, signal: c + 8, end: c + 9, forceUndefined: c + 10, pac: c + 11,
    restored: c + 12, size: c + 12 + n,
  };
}

/** Everything undefined (objtool's init_cfi_state). */
export function initState(L: StateLayout, s: Int32Array): Int32Array {
  s.fill(0);
  for (let i = 0; i < L.n; i++) {
    s[2 * i] = CfiBase.Undefined;
    s[L.vals + 2 * i] = CfiBase.Undefined;
  }
  s[L.cfaBase] = CfiBase.Undefined;
  s[L.drapReg] = CfiBase.Undefined;
  s[L.drapOff] = -1;
  return s;
}

/** The state at a function's entry, from the arch (objtool's set_func_state). */
export function setFuncState(arch: Arch, L: StateLayout, s: Int32Array): Int32Array {
  s[L.cfaBase] = arch.entryCfa.base;
  s[L.cfaOff] = arch.entryCfa.offset;
  for (let i = 0; i < L.n; i++) {
    s[2 * i] = arch.entryRegs[i].base;
    s[2 * i + 1] = arch.entryRegs[i].offset;
  }
  s[L.stackSize] = arch.entryCfa.offset;
  s[L.type] = StateType.Call;
  return s;
}

/**
 * Interned states: id → contents; equal contents get the same id.
 *
 * A state is stored as the words where it differs from the layout's initial state (everything
 * undefined): a bit mask of those words, then their values in word order. A state has 92 words on
 * x86-64 and 172 on AArch64, of which a function's frame changes a dozen or two (the CFA, the stack
 * size, the saved registers), and a library's analysis interns hundreds of thousands: stored whole
 * they were hundreds of megabytes, each first written page a fault, and comparing a candidate read a
 * whole cold state. A record is hashed and compared as it is stored.
 */
export class StatePool {
  readonly size: number;
  count = 0;
  /** lookups answered by an existing state (reported by --stats) */
  hits = 0;
  /** words of a record's bit mask */
  private readonly maskWords: number;
  /** the state every record is a difference from */
  private readonly template: Int32Array;
  /** the records, one after another, and where each starts (`recAt[id + 1]` ends record id) */
  private recs: Int32Array;
  private recAt: Int32Array;
  /** the record of the state being looked up */
  private readonly enc: Int32Array;
  /** what `view` decodes into */
  private readonly viewBuf: Int32Array;
  /**
   * Open addressing, two words a slot: state id + 1 (0: empty, so a new table needs no filling) and
   * that state's hash, so a probe compares hashes without touching the states, and rehashing never
   * rereads them.
   */
  private slots: Int32Array;
  private mask: number;

  constructor(readonly layout: StateLayout, capacity = 256) {
    this.size = layout.size;
    this.maskWords = (this.size + 31) >>> 5;
    this.template = initState(layout, new Int32Array(this.size));
    this.recAt = new Int32Array(capacity + 1);
    this.recs = new Int32Array(capacity * (this.maskWords + RESERVED_VALUES));
    this.enc = new Int32Array(this.maskWords + this.size);
    this.viewBuf = new Int32Array(this.size);
    this.mask = 1023;
    this.slots = new Int32Array(2 * (this.mask + 1));
  }

  /**
   * Makes room for `states` states in one allocation. Growing by doubling from a few hundred copies
   * the pool again and again on a large library (hundreds of thousands of states), and at its last
   * step holds the old copy and the new one at once; pages of the room never used are never touched.
   * Best effort: when the system refuses that much address space, the pool grows as before.
   */
  reserve(states: number): void {
    const n = Math.ceil(states);
    try {
      if (n + 1 > this.recAt.length) this.recAt = grown(this.recAt, n + 1);
      const words = n * (this.maskWords + RESERVED_VALUES);
      if (words > this.recs.length) this.recs = grown(this.recs, words);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }

  /** Id of the state equal to `s` (its first `size` words), adding it when new. */
  intern(s: Int32Array): number {
    const enc = this.enc;
    const len = this.encode(s, enc);
    const h = hashWords(enc, len);
    let slot = h & this.mask;
    const slots = this.slots;
    for (;;) {
      const id = slots[2 * slot] - 1;
      if (id < 0) break;
      if (slots[2 * slot + 1] === h && this.recordIs(id, enc, len)) { this.hits++; return id; }
      slot = (slot + 1) & this.mask;
    }
    const id = this.count++;
    if (id + 2 > this.recAt.length) this.recAt = grown(this.recAt, this.recAt.length * 2);
    const at = this.recAt[id];
    if (at + len > this.recs.length) this.recs = grown(this.recs, Math.max(this.recs.length * 2, at + len));
    this.recs.set(enc.subarray(0, len), at);
    this.recAt[id + 1] = at + len;
    slots[2 * slot] = id + 1;
    slots[2 * slot + 1] = h;
    if (this.count * 2 > this.mask) this.rehash();
    return id;
  }

  /** Copies state `id` into the first words of `out` (nothing for a negative id). */
  load(id: number, out: Int32Array): Int32Array {
    if (id < 0) return out;
    // a native copy of the template, then the record's words in their places
    out.set(this.template);
    const recs = this.recs;
    const base = this.recAt[id];
    let at = base + this.maskWords;
    for (let w = 0; w < this.maskWords; w++) {
      let m = recs[base + w];
      while (m !== 0) {
        out[(w << 5) + 31 - Math.clz32(m & -m)] = recs[at++];
        m &= m - 1;
      }
    }
    return out;
  }

  /** Word `field` of state `id`. */
  get(id: number, field: number): number {
    const recs = this.recs;
    const base = this.recAt[id];
    const w = field >>> 5;
    const bit = 1 << (field & 31);
    const m = recs[base + w];
    if ((m & bit) === 0) return this.template[field];
    let at = base + this.maskWords + popcount(m & ((bit - 1) | 0));
    for (let k = 0; k < w; k++) at += popcount(recs[base + k]);
    return recs[at];
  }

  /**
   * Does state `id` differ from the initial state (everything undefined) in a word of `words`, a set
   * made by `wordSet`? Reads the record's mask only.
   */
  differsIn(id: number, words: Int32Array): boolean {
    const recs = this.recs;
    const base = this.recAt[id];
    for (let w = 0; w < this.maskWords; w++) if ((recs[base + w] & words[w]) !== 0) return true;
    return false;
  }

  /** A set of word numbers, for `differsIn`. */
  wordSet(words: readonly number[]): Int32Array {
    const set = new Int32Array(this.maskWords);
    for (const k of words) set[k >>> 5] |= 1 << (k & 31);
    return set;
  }

  /** State `id` decoded, in a buffer the next `view` reuses. */
  view(id: number): Int32Array {
    return this.load(id, this.viewBuf);
  }

  equals(id: number, s: Int32Array): boolean {
    const enc = this.enc;
    return this.recordIs(id, enc, this.encode(s, enc));
  }

  /** Writes `s`'s record into `out`; returns its length. */
  private encode(s: Int32Array, out: Int32Array): number {
    const t = this.template;
    const mw = this.maskWords;
    const size = this.size;
    let len = mw;
    for (let w = 0; w < mw; w++) {
      // the mask word in a local: one store per 32 words
      const lo = w << 5;
      const hi = Math.min(size, lo + 32);
      let m = 0;
      for (let k = lo; k < hi; k++) {
        const v = s[k];
        if (v !== t[k]) {
          m |= 1 << (k - lo);
          out[len++] = v;
        }
      }
      out[w] = m;
    }
    return len;
  }

  private recordIs(id: number, enc: Int32Array, len: number): boolean {
    const recs = this.recs;
    const base = this.recAt[id];
    if (this.recAt[id + 1] - base !== len) return false;
    for (let k = 0; k < len; k++) if (recs[base + k] !== enc[k]) return false;
    return true;
  }

  private rehash(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    const slots = new Int32Array(2 * (this.mask + 1));
    for (let k = 0; k < old.length; k += 2) {
      if (old[k] === 0) continue;
      const h = old[k + 1];
      let slot = h & this.mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
      slots[2 * slot] = old[k];
      slots[2 * slot + 1] = h;
    }
    this.slots = slots;
  }
}

/** Differing words a record is given room for ahead (a function's frame sets a dozen or two). */
const RESERVED_VALUES = 16;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Do the first `n` words of `a` and `b` agree (all of `a` by default)? */
export function statesEqual(a: Int32Array, b: Int32Array, n = a.length): boolean {
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Hash of the first `n` words of `s`. */
function hashWords(s: Int32Array, n: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ s[k], 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) & 0x7fffffff;
}
