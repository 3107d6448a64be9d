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

/** Interned states: id → contents; equal contents get the same id. */
export class StatePool {
  readonly size: number;
  data: Int32Array;
  count = 0;
  /** lookups answered by an existing state (reported by --stats) */
  hits = 0;
  /**
   * Open addressing, two words a slot: state id + 1 (0: empty, so a new table needs no filling) and
   * that state's hash, so a probe compares hashes without touching the states, and rehashing never
   * rereads them.
   */
  private slots: Int32Array;
  private mask: number;

  constructor(readonly layout: StateLayout, capacity = 256) {
    this.size = layout.size;
    this.data = new Int32Array(capacity * this.size);
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
    const words = Math.ceil(states) * this.size;
    if (words <= this.data.length) return;
    try {
      this.data = grown(this.data, words);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }

  /** Id of the state equal to `s`, adding it when new. */
  intern(s: Int32Array): number {
    const h = hashState(s, this.size);
    let slot = h & this.mask;
    const slots = this.slots;
    for (;;) {
      const id = slots[2 * slot] - 1;
      if (id < 0) break;
      if (slots[2 * slot + 1] === h && this.equals(id, s)) { this.hits++; return id; }
      slot = (slot + 1) & this.mask;
    }
    const id = this.count++;
    if (this.count * this.size > this.data.length) this.data = grown(this.data, this.data.length * 2);
    this.data.set(s.length === this.size ? s : s.subarray(0, this.size), id * this.size);
    slots[2 * slot] = id + 1;
    slots[2 * slot + 1] = h;
    if (this.count * 2 > this.mask) this.rehash();
    return id;
  }

  /** Copies state `id` into the first words of `out` (nothing for a negative id). */
  load(id: number, out: Int32Array): Int32Array {
    if (id < 0) return out;
    // a native copy: several times faster than a loop over the words, view and all
    out.set(this.data.subarray(id * this.size, (id + 1) * this.size));
    return out;
  }

  get(id: number, field: number): number {
    return this.data[id * this.size + field];
  }

  view(id: number): Int32Array {
    return this.data.subarray(id * this.size, (id + 1) * this.size);
  }

  equals(id: number, s: Int32Array): boolean {
    const d = this.data;
    const base = id * this.size;
    // the CFA offset and stack size change with nearly every op: a differing state usually differs there
    const co = this.layout.cfaOff;
    const ss = this.layout.stackSize;
    if (d[base + co] !== s[co] || d[base + ss] !== s[ss]) return false;
    for (let k = 0; k < this.size; k++) if (d[base + k] !== s[k]) return false;
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

/** Do the first `n` words of `a` and `b` agree (all of `a` by default)? */
export function statesEqual(a: Int32Array, b: Int32Array, n = a.length): boolean {
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Hash of the first `n` words (a path state carries extra words after the frame state). */
function hashState(s: Int32Array, n: number): number {
  // two independent chains: half the latency of one multiply chain over the whole state
  let h = 0x811c9dc5;
  let g = 0x01000193;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    h = Math.imul(h ^ s[k], 0x01000193);
    g = Math.imul(g ^ s[k + 1], 0x5bd1e995);
  }
  if (k < n) h = Math.imul(h ^ s[k], 0x01000193);
  h = Math.imul(h ^ (g >>> 13), 0x85ebca6b) ^ g;
  return (h ^ (h >>> 15)) & 0x7fffffff;
}
