/**
 * A cache of state transitions: (incoming state id, an instruction's stack ops) → outgoing state id.
 * Functions repeat the same prologue and epilogue shapes from the same states, so most instructions
 * with stack ops map a known state to a known state; a hit replaces applying the ops, hashing and
 * comparing the result with one lookup. Direct-mapped: a colliding entry is replaced. Only
 * successful transitions are cached (errors are always recomputed, so warnings stay exact).
 *
 * An entry is 16 words, one cache line: a lookup (hit or miss) and a store each touch one line of
 * the table (4 MB) at a random place, which is what they cost on a large library (tags in an array
 * of their own made a store touch two lines and a hit read two). An entry holds its incoming id plus
 * one, so that a fresh table (all zero) is empty: pages of it never used are never touched (on a
 * small object, most of it).
 */
import { OP_WORDS } from '../program/insns.js';

const WAYS_LOG2 = 16;
/** words per entry: incoming id + 1 (0: empty), flags, 2 ops × OP_WORDS words, outgoing id, padding to 64 bytes */
const E = 16;
const OUT = 2 + 2 * OP_WORDS;

export class TransitionCache {
  private readonly table = new Int32Array((1 << WAYS_LOG2) * E);
  hits = 0;

  /** Outgoing state id for (inId, flags, ops), or -1. Instructions with more than two ops are never cached. */
  get(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    if (count > 2 || inId < 0) return -1;
    const b = this.slot(inId, flags, ops, start, count) * E;
    const t = this.table;
    if (t[b] !== inId + 1 || t[b + 1] !== flags) return -1;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) if (t[b + 2 + k] !== (k < n ? ops[start + k] : 0)) return -1;
    this.hits++;
    return t[b + OUT];
  }

  set(inId: number, flags: number, ops: Int32Array, start: number, count: number, outId: number): void {
    if (count > 2 || inId < 0 || outId < 0) return;
    const b = this.slot(inId, flags, ops, start, count) * E;
    const t = this.table;
    t[b] = inId + 1;
    t[b + 1] = flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) t[b + 2 + k] = k < n ? ops[start + k] : 0;
    t[b + OUT] = outId;
  }

  private slot(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    let h = Math.imul(inId ^ 0x9e3779b9, 0x85ebca6b) ^ flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ ops[start + k], 0x01000193);
    return (h ^ (h >>> 16)) & ((1 << WAYS_LOG2) - 1);
  }
}

