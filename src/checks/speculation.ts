/** Speculation checks: indirect branches outside retpolines, bare returns, missing int3 after ret/jmp*. */
import { InsnKind } from '../arch/arch.js';
import { B, SecRole } from '../program/program.js';
import type { Context } from '../cfg/context.js';

export function validateRetpoline(ctx: Context): number {
  const p = ctx.prog;
  let warnings = 0;
  for (let i = 0; i < p.count; i++) {
    const k = p.kind[i];
    if (k !== InsnKind.JumpDynamic && k !== InsnKind.CallDynamic && k !== InsnKind.Return) continue;
    if (p.bits[i] & B.RetpolineSafe) continue;
    if (p.secRole[p.sec[i]] & SecRole.Init) continue;
    if (k === InsnKind.Return) {
      if (!ctx.opts.rethunk) continue;
      ctx.warnInsn(i, "'naked' return found in MITIGATION_RETHUNK build");
    } else {
      ctx.warnInsn(i, `indirect ${k === InsnKind.JumpDynamic ? 'jump' : 'call'} found in MITIGATION_RETPOLINE build`);
    }
    warnings++;
  }
  return warnings;
}

export function validateSls(ctx: Context): number {
  const p = ctx.prog;
  let warnings = 0;
  for (let i = 0; i < p.count; i++) {
    const next = p.next(i);
    if (p.bits[i] & B.RetpolineSafe) continue;
    const k = p.kind[i];
    if (k === InsnKind.Return) {
      if (next < 0 || p.kind[next] !== InsnKind.Trap) { ctx.warnInsn(i, 'missing int3 after ret'); warnings++; }
    } else if (k === InsnKind.JumpDynamic) {
      if (next < 0 || p.kind[next] !== InsnKind.Trap) { ctx.warnInsn(i, 'missing int3 after indirect jump'); warnings++; }
    }
  }
  return warnings;
}
