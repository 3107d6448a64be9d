/** Unreachable instructions: code no path reached, except the padding and sanitizer shapes compilers leave. */
import { InsnFlag, InsnKind } from '../arch/arch.js';
import { B, VISITED_MASK } from '../program/program.js';
import type { Context } from '../cfg/context.js';
import type { Program } from '../program/program.js';
import { SF } from '../cfg/context.js';
import { callDest } from '../cfg/destinations.js';

export function validateReachable(ctx: Context): number {
  if (ctx.ignoreUnreachables) return 0;
  const p = ctx.prog;
  let warnings = 0;
  for (let i = 0; i < p.count; i++) {
    if ((p.bits[i] & VISITED_MASK) || ignoreUnreachable(ctx, i)) continue;
    const prev = p.prev(i);
    if (prev >= 0 && (p.bits[prev] & B.DeadEnd)) {
      const d = callDest(ctx, prev);
      if (d >= 0) {
        ctx.warnInsn(i, `${p.syms.name(d)}() is missing a __noreturn annotation`);
        warnings++;
        continue;
      }
    }
    ctx.warnInsn(i, 'unreachable instruction');
    warnings++;
  }
  return warnings;
}

function isCallTo(ctx: Context, i: number, name: string): boolean {
  if (ctx.prog.kind[i] !== InsnKind.Call) return false;
  const d = callDest(ctx, i);
  return d >= 0 && ctx.prog.syms.name(d) === name;
}

function ignoreUnreachable(ctx: Context, start: number): boolean {
  const p = ctx.prog;
  let i = start;
  const k = p.kind[i];
  if ((p.bits[i] & B.Ignore) || k === InsnKind.Nop || k === InsnKind.Trap) return true;
  const secName = p.elf.sections[p.sec[i]].name;
  if (secName === '.altinstr_replacement' || secName === '.altinstr_aux') return true;
  if (ctx.opts.link && p.func(i) < 0) {
    const size = p.syms.holeContaining(p.sec[i], p.off[i]);
    if (!size) return false;
    if (size < 0) return true;
    const end = p.off[i] + size;
    for (let j = p.next(i); j >= 0; j = p.next(j)) {
      if (p.bits[j] & VISITED_MASK) return true;
      if (p.off[j] >= end) break;
      const d = p.jumpDestOf(j);
      if (d >= 0 && p.func(d) >= 0 && p.syms.name(p.func(d)).includes('.cold')) {
        for (let x = d; x >= 0; x = p.nextInFunc(x)) p.bits[x] |= B.Ignore;
      }
    }
    return false;
  }
  const f = p.func(i);
  if (f < 0) return false;
  if (ctx.symFlags[f] & SF.StaticCallTramp) return true;
  const prev = p.prev(i);
  if (prev >= 0 && (p.bits[prev] & B.DeadEnd) &&
      (k === InsnKind.Bug || (k === InsnKind.JumpUncond && p.jumpDestOf(i) >= 0 && p.kind[p.jumpDestOf(i)] === InsnKind.Bug) ||
        (!ctx.opts.kernel && isTrapLoopJump(p, i)) ||
        // userspace: a guard call that never returns either (glibc's AArch64 `_start`: `bl abort` after `bl __libc_start_main`)
        (!ctx.opts.kernel && k === InsnKind.Call && (p.bits[i] & B.DeadEnd)))) {
    return true;
  }
  for (let n = 0; n < 5; n++) {
    if (isCallTo(ctx, i, '__asan_handle_no_return') || isCallTo(ctx, i, '__ubsan_handle_builtin_unreachable')) return true;
    if (p.kind[i] === InsnKind.JumpUncond) {
      const d = p.jumpDestOf(i);
      if (d >= 0 && p.func(d) === p.func(i)) { i = d; continue; }
      break;
    }
    const fi = p.func(i);
    if (p.off[i] + p.len[i] >= p.syms.offset[fi] + p.syms.len[fi]) break;
    i = p.next(i);
    if (i < 0) break;
  }
  return false;
}

/** Instructions no path needs to reach: alignment padding, traps, and the jump back of a trap loop. */
export function isPadding(p: Program, i: number): boolean {
  const k = p.kind[i];
  return k === InsnKind.Nop || k === InsnKind.Trap || k === InsnKind.Bug || k === InsnKind.Invalid || (p.flags[i] & InsnFlag.Padding) !== 0 ||
    isTrapLoopJump(p, i);
}

/**
 * A jump right after a trap back to a trap (glibc's `hlt; jmp .-1`): what would run if the trap
 * returned, which in user mode it does not.
 */
export function isTrapLoopJump(p: Program, i: number): boolean {
  if (p.kind[i] !== InsnKind.JumpUncond) return false;
  const prev = p.prev(i);
  const d = p.jumpDestOf(i);
  return prev >= 0 && p.kind[prev] === InsnKind.Trap && d >= 0 && p.kind[d] === InsnKind.Trap;
}
