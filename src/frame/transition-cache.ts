/**
 * A cache of state transitions: (incoming state id, an instruction's stack ops) → outgoing state id.
 * Functions repeat the same prologue and epilogue shapes from the same states, so most instructions
 * with stack ops map a known state to a known state; a hit replaces applying the ops, hashing and
 * comparing the result with one lookup. Direct-mapped: a colliding entry is replaced. Only
 * successful transitions are cached (errors are always recomputed, so warnings stay exact).
 *
 * The incoming ids live in an array of their own: most misses are decided by that one word, and
 * 256 KB of tags stay in the processor's cache where the whole table (4 MB) would not.
 */
import { OP_WORDS } from '../program/insns.js';

const WAYS_LOG2 = 16;
/** words per entry body: flags, 2 ops × 6 words, outId */
const E = 2 + 2 * OP_WORDS;

export class TransitionCache {
  /** incoming state id per entry (-1: empty) */
  private readonly tag = new Int32Array(1 << WAYS_LOG2).fill(-1);
  private readonly body = new Int32Array((1 << WAYS_LOG2) * E);
  hits = 0;

  /** Outgoing state id for (inId, flags, ops), or -1. Instructions with more than two ops are never cached. */
  get(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    if (count > 2 || inId < 0) return -1;
    const slot = this.slot(inId, flags, ops, start, count);
    if (this.tag[slot] !== inId) return -1;
    const b = slot * E;
    const t = this.body;
    if (t[b] !== flags) return -1;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) if (t[b + 1 + k] !== (k < n ? ops[start + k] : 0)) return -1;
    this.hits++;
    return t[b + E - 1];
  }

  set(inId: number, flags: number, ops: Int32Array, start: number, count: number, outId: number): void {
    if (count > 2 || inId < 0 || outId < 0) return;
    const slot = this.slot(inId, flags, ops, start, count);
    this.tag[slot] = inId;
    const b = slot * E;
    const t = this.body;
    t[b] = flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < 2 * OP_WORDS; k++) t[b + 1 + k] = k < n ? ops[start + k] : 0;
    t[b + E - 1] = outId;
  }

  private slot(inId: number, flags: number, ops: Int32Array, start: number, count: number): number {
    let h = Math.imul(inId ^ 0x9e3779b9, 0x85ebca6b) ^ flags;
    const n = count * OP_WORDS;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ ops[start + k], 0x01000193);
    return (h ^ (h >>> 16)) & ((1 << WAYS_LOG2) - 1);
  }
}
