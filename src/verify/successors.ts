/**
 * Control-flow successors of one instruction as the frame walk follows them (taken branch,
 * fall-through, alternatives and jump-table cases), for the walks verify does on its own: the path
 * to a mismatch and the AArch64 return-address signing state.
 */
import { InsnKind } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { isSiblingCall } from '../cfg/destinations.js';
import { B } from '../program/program.js';

/** Edge kinds written beside each successor. */
export const Edge = { Fall: 0, Taken: 1, Alt: 2 } as const;

/**
 * Writes the successors of row `i` into `out` (row) and `how` (Edge) and returns their count.
 * `out`/`how` need room for 2 + the largest alternative list.
 */
export function successors(ctx: Context, i: number, out: Int32Array, how: Uint8Array): number {
  const p = ctx.prog;
  let n = 0;
  const alts = p.followedAlts(i);
  let skipOrig = false;
  if (alts) {
    for (const a of alts) {
      if (a.skipOrig) skipOrig = true;
      if (a.insn >= 0 && n < out.length - 2) { out[n] = a.insn; how[n++] = Edge.Alt; }
    }
  }
  if (skipOrig) return n;
  const k = p.kind[i];
  if (k === InsnKind.Return || k === InsnKind.ContextSwitch) return n;
  if (k === InsnKind.JumpCond || k === InsnKind.JumpUncond) {
    const d = p.jumpDestOf(i);
    if (d >= 0 && !isSiblingCall(ctx, i)) { out[n] = d; how[n++] = Edge.Taken; }
    if (k === InsnKind.JumpUncond) return n;
  } else if (k === InsnKind.JumpDynamic) {
    return n;
  }
  if (p.bits[i] & B.DeadEnd) return n;
  const next = p.next(i);
  if (next >= 0) { out[n] = next; how[n++] = Edge.Fall; }
  return n;
}

/** Room `successors` needs for row `i`'s edges. */
export function successorRoom(ctx: Context, i: number): number {
  const p = ctx.prog;
  const alts = (p.bits[i] & B.HasAlts) ? p.alts.get(i) : undefined;
  return 2 + (alts ? alts.length : 0);
}
