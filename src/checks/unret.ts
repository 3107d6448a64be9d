/**
 * --unret (vmlinux.o): from every VALIDATE_UNRET_BEGIN annotation, every path must pass the return
 * untraining (VALIDATE_UNRET_END: a retpoline-safe NOP) before it can execute a RET or an indirect
 * branch. Paths follow branches, alternatives and calls (a call is followed into its callee and the
 * path ends there: a callee that returns without a warning has untrained). Each instruction is
 * walked once for all paths (its own visited bit), as objtool does.
 */
import { InsnKind } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { callDest, isSiblingCall } from '../cfg/destinations.js';
import { nextToValidate } from '../frame/validate.js';
import { B } from '../program/program.js';

/** Where a path stopped to walk a child path. */
const enum Waiting { Nothing, Alt, Branch, Call }

/** Result of a path: 0 fine, 1 a warning, -1 a fatal problem (objtool stops checking). */
type PathResult = 0 | 1 | -1;

interface UnretFrame {
  insn: number;
  waiting: Waiting;
  altIdx: number;
  skipOrig: boolean;
}

export function validateUnrets(ctx: Context): number {
  const p = ctx.prog;
  const walk = new UnretWalk(ctx);
  let warnings = 0;
  for (let i = 0; i < p.count; i++) {
    if (!(p.bits[i] & B.Unret)) continue;
    const r = walk.run(i);
    if (r < 0) {
      ctx.warnInsn(i, 'Failed UNRET validation');
      ctx.stop();
    }
    warnings += r;
  }
  return warnings;
}

/** objtool's recursive walk with an explicit stack: call chains and branch nests can be deep. */
class UnretWalk {
  private readonly frames: UnretFrame[] = [];

  constructor(private readonly ctx: Context) {}

  run(start: number): PathResult {
    let depth = 0;
    this.enter(0, start);
    let result: PathResult = 0;
    let returning = false;
    while (depth >= 0) {
      const f = this.frames[depth];
      const r: PathResult | typeof CHILD = returning ? this.resume(f, result) : this.step(f);
      returning = false;
      if (r === CHILD) {
        depth++;
        this.enter(depth, this.child);
        continue;
      }
      result = r;
      depth--;
      returning = depth >= 0;
    }
    return result;
  }

  private child = -1;

  private enter(depth: number, insn: number): void {
    const f = this.frames[depth];
    if (f) {
      f.insn = insn; f.waiting = Waiting.Nothing; f.altIdx = 0; f.skipOrig = false;
    } else {
      this.frames[depth] = { insn, waiting: Waiting.Nothing, altIdx: 0, skipOrig: false };
    }
  }

  /** A child path of frame f ended with `r`. */
  private resume(f: UnretFrame, r: PathResult): PathResult | typeof CHILD {
    const ctx = this.ctx;
    const p = ctx.prog;
    let next: Outcome;
    switch (f.waiting) {
      case Waiting.Alt:
        if (r) { ctx.backtrace(f.insn, '(alt)'); return r; }
        f.altIdx++;
        next = this.alternatives(f);
        break;
      case Waiting.Branch:
        if (r) { ctx.backtrace(f.insn, `(branch${p.kind[f.insn] === InsnKind.JumpCond ? '-cond' : ''})`); return r; }
        if (p.kind[f.insn] === InsnKind.JumpUncond) return 0;
        next = this.advance(f);
        break;
      default:
        // a call: its callee untrained, or warned
        if (r) { ctx.backtrace(f.insn, '(call)'); return r; }
        return 0;
    }
    return next === GO_ON ? this.step(f) : next;
  }

  /** Walks from f.insn, instruction by instruction, until the path ends or needs a child path. */
  private step(f: UnretFrame): PathResult | typeof CHILD {
    const p = this.ctx.prog;
    for (;;) {
      if (p.bits[f.insn] & B.VisitedUnret) return 0;
      p.bits[f.insn] |= B.VisitedUnret;
      f.waiting = Waiting.Nothing;
      f.altIdx = 0;
      f.skipOrig = false;
      const r = this.alternatives(f);
      if (r !== GO_ON) return r;
    }
  }

  /** The alternatives of f.insn from f.altIdx on, one child path each, then the instruction itself. */
  private alternatives(f: UnretFrame): Outcome {
    const p = this.ctx.prog;
    const i = f.insn;
    const alts = p.followedAlts(i);
    if (alts) {
      for (; f.altIdx < alts.length; f.altIdx++) {
        const a = alts[f.altIdx];
        if (a.skipOrig) f.skipOrig = true;
        if (a.insn < 0) continue;
        f.waiting = Waiting.Alt;
        this.child = a.insn;
        return CHILD;
      }
      if (f.skipOrig) return 0;
    }
    return this.dispatch(f);
  }

  private dispatch(f: UnretFrame): Outcome {
    const ctx = this.ctx;
    const p = ctx.prog;
    const i = f.insn;
    switch (p.kind[i]) {
      case InsnKind.CallDynamic:
      case InsnKind.JumpDynamic:
      case InsnKind.JumpDynamicCond:
        ctx.warnInsn(i, 'early indirect call');
        return 1;
      case InsnKind.JumpUncond:
      case InsnKind.JumpCond:
        if (!isSiblingCall(ctx, i)) {
          if (p.jumpDestOf(i) < 0) {
            ctx.warnInsn(i, 'unresolved jump target after linking?!?');
            return -1;
          }
          f.waiting = Waiting.Branch;
          this.child = p.jumpDestOf(i);
          return CHILD;
        }
        return this.follow(f);
      case InsnKind.Call:
        return this.follow(f);
      case InsnKind.Return:
        ctx.warnInsn(i, 'RET before UNTRAIN');
        return 1;
      case InsnKind.ContextSwitch:
        if (p.func(i) < 0) return 0;
        break;
      case InsnKind.Nop:
        if (p.bits[i] & B.RetpolineSafe) return 0;
        break;
      default:
        break;
    }
    return this.advance(f);
  }

  /** A call or sibling call: the path goes on in the callee. */
  private follow(f: UnretFrame): Outcome {
    const ctx = this.ctx;
    const p = ctx.prog;
    const d = callDest(ctx, f.insn);
    const dest = d >= 0 ? p.find(p.syms.sec[d], p.syms.offset[d]) : -1;
    if (dest < 0) {
      ctx.diag.warn(`Unresolved function after linking!?: ${d >= 0 ? p.syms.name(d) : '(null)'}`);
      return -1;
    }
    f.waiting = Waiting.Call;
    this.child = dest;
    return CHILD;
  }

  /** Past the instruction: a dead end stops the path, otherwise it goes on at the next one (GO_ON). */
  private advance(f: UnretFrame): Outcome {
    const ctx = this.ctx;
    const p = ctx.prog;
    const i = f.insn;
    if (p.bits[i] & B.DeadEnd) return 0;
    const next = nextToValidate(p, i);
    if (next < 0) {
      ctx.warnInsn(i, 'teh end!');
      return -1;
    }
    f.insn = next;
    return GO_ON;
  }
}

/** The frame waits for a child path (starting at `child`). */
const CHILD = 2;
/** The frame goes on at its (new) instruction. */
const GO_ON = 3;
type Outcome = PathResult | typeof CHILD | typeof GO_ON;
