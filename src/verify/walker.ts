/**
 * Walks of one function's reached code that verify does itself: the shortest path from the entry
 * to an instruction (for reports), and the AArch64 return-address signing state at each
 * instruction (the frame state does not carry it). Scratch arrays are sized once per walker (the
 * signing walk's per-row columns) or grow as needed (the path walk's table), and are reused; a
 * generation counter clears them in O(1) between walks.
 */
import { InsnFlag } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { Edge, successorRoom, successors } from './successors.js';
import { grown, sparseColumns } from '../typed-arrays.js';
import { REACHED } from '../frame/table-proof.js';

/** One branch on the path to an instruction: the branch's row and whether it was taken. */
export interface PathStep {
  row: number;
  taken: boolean;
}

/** Visits at most this many instructions per walk (bounded work on huge functions). */
const MAX_VISITS = 1 << 20;

export class Walker {
  private readonly gen: Uint32Array;
  private readonly queue: Int32Array;
  /** signing state per row during a PAC walk: 0 unsigned, 1 signed, 2 both (paths disagree) */
  readonly pac: Uint8Array;
  private generation = 0;
  /** signing-state walks started so far (the walks that write the per-row columns) */
  walks = 0;
  private out = new Int32Array(8);
  private how = new Uint8Array(8);
  /**
   * pathTo's rows: an open-addressing table by row, stamped with the walk's generation, with the row
   * each was reached from and how, and its queue. A path walk visits a few rows of one function; per-row
   * columns would have a page touched wherever each of a library's walks lands (AArch64 libLLVM's text
   * report walks 69,517 paths: ~130 MB of columns touched, against a table of a few KB used again).
   */
  private pathRow = new Int32Array(256);
  private pathGen = new Uint32Array(256);
  private pathParent = new Int32Array(256);
  private pathEdge = new Uint8Array(256);
  private pathCount = 0;
  private pathQueue = new Int32Array(256);

  /**
   * `dense`: the per-row columns are plain arrays. A signing walk touches the rows of one function:
   * with glibc's huge pages, plain arrays cost a 2 MiB page (zeroed) for each new place a walk lands
   * in (6-12 ms each on x86-64 libLLVM), so a file's first walks use columns paged 4 KiB at a time;
   * when there are many (verify.ts, DENSE_AFTER_WALKS), every page is touched anyway, and huge ones
   * cost less.
   */
  constructor(private readonly ctx: Context, readonly dense = false) {
    const n = ctx.prog.rows;
    if (dense) {
      this.gen = new Uint32Array(n);
      this.pac = new Uint8Array(n);
    } else {
      [this.gen, this.pac] = sparseColumns([Uint32Array, Uint8Array], n);
    }
    this.queue = new Int32Array(2 * n + 1);
  }

  /**
   * Branches on a shortest path from `entry` to `target` through code the analysis reached, in
   * order (conditional branches taken or not, unconditional jumps). Empty when target is the entry
   * or no path was found.
   */
  pathTo(entry: number, target: number): PathStep[] {
    const g = this.next();
    const p = this.ctx.prog;
    // rows of settled FDEs are reached without a state of the walk's (table-proof.ts)
    const skip = this.ctx.tableProof?.skipWalk;
    this.pathCount = 0;
    let head = 0;
    let tail = 0;
    this.pathQueue[tail++] = entry;
    this.pathAdd(entry, -1, Edge.Fall, g);
    let found = entry === target;
    while (!found && head < tail && head < MAX_VISITS) {
      const i = this.pathQueue[head++];
      const n = this.succ(i);
      for (let k = 0; k < n; k++) {
        const j = this.out[k];
        if (this.pathSlot(j, g) >= 0 || (p.cfi[j] < 0 && skip?.[j] !== REACHED)) continue;
        this.pathAdd(j, i, this.how[k], g);
        if (j === target) { found = true; break; }
        if (tail === this.pathQueue.length) this.pathQueue = grown(this.pathQueue, 2 * tail);
        this.pathQueue[tail++] = j;
      }
    }
    if (!found) return [];
    const steps: PathStep[] = [];
    for (let j = target; ;) {
      const s = this.pathSlot(j, g);
      const from = this.pathParent[s];
      if (from < 0) break;
      // a fall-through from an ordinary instruction is no branch; a not-taken conditional branch is
      if (this.pathEdge[s] !== Edge.Fall || this.succ(from) >= 2) steps.push({ row: from, taken: this.pathEdge[s] !== Edge.Fall });
      j = from;
    }
    return steps.reverse();
  }

  /** Where row `row` is in pathTo's table in generation `g`, or -1. */
  private pathSlot(row: number, g: number): number {
    const mask = this.pathRow.length - 1;
    for (let h = (Math.imul(row, 0x9e3779b1) >>> 0) & mask; ; h = (h + 1) & mask) {
      if (this.pathGen[h] !== g) return -1;
      if (this.pathRow[h] === row) return h;
    }
  }

  /** Enters row `row` (not yet in the table), reached from `parent` by `edge`. */
  private pathAdd(row: number, parent: number, edge: number, g: number): void {
    if (2 * (this.pathCount + 1) > this.pathRow.length) this.pathGrow(g);
    const mask = this.pathRow.length - 1;
    let h = (Math.imul(row, 0x9e3779b1) >>> 0) & mask;
    while (this.pathGen[h] === g) h = (h + 1) & mask;
    this.pathGen[h] = g;
    this.pathRow[h] = row;
    this.pathParent[h] = parent;
    this.pathEdge[h] = edge;
    this.pathCount++;
  }

  /** Doubles pathTo's table, keeping generation `g`'s rows. */
  private pathGrow(g: number): void {
    const { pathRow, pathGen, pathParent, pathEdge } = this;
    const n = 2 * pathRow.length;
    this.pathRow = new Int32Array(n);
    this.pathGen = new Uint32Array(n);
    this.pathParent = new Int32Array(n);
    this.pathEdge = new Uint8Array(n);
    this.pathCount = 0;
    for (let s = 0; s < pathRow.length; s++) if (pathGen[s] === g) this.pathAdd(pathRow[s], pathParent[s], pathEdge[s], g);
  }

  /**
   * AArch64 signing state of the return address before each instruction reachable from `entry`
   * (which starts with `initial`), kept in `pac`; rows of other functions are not entered.
   * Returns the generation under which `isPacSet(row)` tells whether a row was walked.
   */
  walkPac(entry: number, initial: number, inRange: (row: number) => boolean): number {
    const g = this.next();
    this.walks++;
    const p = this.ctx.prog;
    let tail = 0;
    this.queue[tail++] = entry;
    this.gen[entry] = g;
    this.pac[entry] = initial;
    let visits = 0;
    while (tail > 0 && visits++ < MAX_VISITS) {
      const i = this.queue[--tail];
      const f = p.flags[i];
      let after = this.pac[i];
      if (f & InsnFlag.PacSign) after = 1;
      else if (f & InsnFlag.PacAuth) after = 0;
      const n = this.succ(i);
      for (let k = 0; k < n; k++) {
        const j = this.out[k];
        if (!inRange(j)) continue;
        if (this.gen[j] !== g) {
          this.gen[j] = g;
          this.pac[j] = after;
          this.queue[tail++] = j;
        } else if (this.pac[j] !== after && this.pac[j] !== 2) {
          // paths disagree: the table can be right for at most one of them
          this.pac[j] = 2;
          this.queue[tail++] = j;
        }
      }
    }
    return g;
  }

  /** Was `row` walked in generation `g`? */
  walked(row: number, g: number): boolean {
    return this.gen[row] === g;
  }

  private next(): number {
    this.generation++;
    if (this.generation === 0xffffffff) { this.gen.fill(0); this.pathGen.fill(0); this.generation = 1; }
    return this.generation;
  }

  private succ(i: number): number {
    const room = successorRoom(this.ctx, i);
    if (room > this.out.length) { this.out = new Int32Array(room * 2); this.how = new Uint8Array(room * 2); }
    return successors(this.ctx, i, this.out, this.how);
  }
}
