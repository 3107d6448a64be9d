/**
 * A cache of state transitions: (incoming state id, an instruction's stack ops) → outgoing state id.
 * Functions repeat the same prologue and epilogue shapes from the same states, so most instructions
 * with stack ops map a known state to a known state; a hit replaces applying the ops, hashing and
 * comparing the result with one lookup. Direct-mapped: a colliding entry is replaced. Only
 * successful transitions are cached (errors are always recomputed, so warnings stay exact).
 */
import { OP_WORDS } from '../program/insns.js';

const WAYS_LOG2 = 16;
/** words per entry: inId, flags, 2 ops × 6 words, outId */
const E = 3 + 2 * OP_WORDS;

export class TransitionCache {
  private readonly t = new Int32Array((1 << WAYS_LOG2) * E).fill(-1);
  hits = 0;

  /** Outgoing state id for (inId, flags, ops), or -1. Instructions with more than two ops are never cached. */
  get(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    if (count > 2 || inId < 0) return -1;
    const b = this.slot(inId, flags, ops, start, count) * E;
    const t = this.t;
    if (t[b] !== inId || t[b + 1] !== flags) return -1;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) if (t[b + 2 + k] !== (k < n ? ops[start + k] : 0)) return -1;
    this.hits++;
    return t[b + E - 1];
  }

  set(inId: number, flags: number, ops: Int32Array, start: number, count: number, outId: number): void {
    if (count > 2 || inId < 0 || outId < 0) return;
    const b = this.slot(inId, flags, ops, start, count) * E;
    const t = this.t;
    t[b] = inId;
    t[b + 1] = flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) t[b + 2 + k] = k < n ? ops[start + k] : 0;
    t[b + E - 1] = outId;
  }

  private slot(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    let h = Math.imul(inId ^ 0x9e3779b9, 0x85ebca6b) ^ flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ ops[start + k], 0x01000193);
    return (h ^ (h >>> 16)) & ((1 << WAYS_LOG2) - 1);
  }
}
