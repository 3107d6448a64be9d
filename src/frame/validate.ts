/**
 * Walks every path of every function with a frame state, recording the state on entry to each
 * instruction and checking that paths agree where they meet. The walk is depth-first in the same
 * order as objtool's (alternatives first, then the taken branch, then the fall-through), so the first
 * problem found — and therefore the warning printed — is the same. Recursion is an explicit stack:
 * functions can nest thousands of branches deep.
 */
import { InsnFlag, InsnKind } from '../arch/arch.js';
import { CfiBase } from '../arch/arch.js';
import { OP_WORDS } from '../program/insns.js';
import { B, VISITED_MASK } from '../program/program.js';
import type { Context } from '../cfg/context.js';
import { SF } from '../cfg/context.js';
import { callDest, isSiblingCall } from '../cfg/destinations.js';
import { OpDest, OpSrc } from '../arch/arch.js';
import { UPDATE_MESSAGES, UpdateError, hasModifiedStackFrame, hasValidStackFrame, updateState } from './update.js';
import type { Op, UpdateEnv } from './update.js';
import { frameRecordMessage, hasFrameRecord } from '../checks/frame-record.js';
import { TransitionCache } from './transition-cache.js';
import { placeText } from '../report/diag.js';

/** Extra per-path fields stored after the frame state. */
const X_UACCESS_STACK = 0;
const X_UACCESS = 1;
const X_DF = 2;
const X_NOINSTR = 3;
const X_INSTR = 4;
const EXTRA = 5;

const enum Phase { Start, Alts, AfterAlts, AfterBranch }

interface Frame {
  func: number;
  insn: number;
  prev: number;
  sec: number;
  phase: Phase;
  altIdx: number;
  skipOrig: boolean;
  next: number;
  /** the path state may differ from the state recorded at `prev` (ops applied, hint loaded) */
  dirty: boolean;
  /** when dirty: the interned id the state is known to equal (transition cache hit), else -1 */
  knownId: number;
  /** on a cache miss: the transition to record once the outgoing state is interned */
  pendIn: number;
  pendFlags: number;
  pendInsn: number;
}

export class Validator {
  private readonly S: number;
  private readonly states: Int32Array[] = [];
  private readonly frames: Frame[] = [];
  private readonly env: UpdateEnv;
  private readonly op: Op = { destType: 0, destReg: 0, destOff: 0, srcType: 0, srcReg: 0, srcOff: 0 };

  constructor(private readonly ctx: Context) {
    this.S = ctx.L.size + EXTRA;
    this.env = { arch: ctx.prog.arch, L: ctx.L, stackval: ctx.opts.stackval, inFunc: false, nextIsHint: false, framePointerSym: false, trackRestores: !ctx.opts.kernel };
  }

  /** A fresh path state: the function-entry state (or all-undefined), flags cleared. */
  newState(funcEntry: boolean, uaccess: boolean): Int32Array {
    const s = new Int32Array(this.S);
    this.ctx.pool.load(funcEntry ? this.ctx.funcStateId : this.ctx.initStateId, s);
    s[this.ctx.L.size + X_UACCESS] = uaccess ? 1 : 0;
    return s;
  }

  /** objtool's validate_branch from `start` with path state `init` (copied). Returns 0 or 1. */
  validateBranch(func: number, start: number, init: Int32Array): number {
    let depth = 0;
    this.push(depth, func, start, init);
    let result = 0;
    let returning = false;
    while (depth >= 0) {
      const f = this.frames[depth];
      const s = this.states[depth];
      let r: number;
      if (returning) {
        r = this.resume(f, s, result);
        returning = false;
      } else {
        r = this.run(f, s);
      }
      if (r === CALL) {
        // the child starts from this path's state: when that is a recorded state, say which,
        // so the child's first instruction takes the id instead of interning again
        const known = !f.dirty ? this.ctx.prog.cfi[f.insn] : f.knownId;
        depth++;
        this.push(depth, f.func, this.childStart, s);
        this.frames[depth].knownId = known;
        continue;
      }
      // frame finished with r
      result = r;
      depth--;
      returning = depth >= 0;
    }
    return result;
  }

  private childStart = -1;
  private readonly cache = new TransitionCache();

  private push(depth: number, func: number, insn: number, state: Int32Array): void {
    let s = this.states[depth];
    if (!s) { s = new Int32Array(this.S); this.states[depth] = s; }
    s.set(state);
    let f = this.frames[depth];
    if (!f) { f = { func, insn, prev: -1, sec: 0, phase: Phase.Start, altIdx: 0, skipOrig: false, next: -1, dirty: true, knownId: -1, pendIn: -1, pendFlags: 0, pendInsn: -1 }; this.frames[depth] = f; }
    f.func = func; f.insn = insn; f.prev = -1; f.sec = this.ctx.prog.sec[insn]; f.phase = Phase.Start;
    f.altIdx = 0; f.skipOrig = false; f.next = -1; f.dirty = true; f.knownId = -1; f.pendIn = -1;
  }

  /** Continues frame f after a child path returned `childRet`. */
  private resume(f: Frame, s: Int32Array, childRet: number): number {
    const ctx = this.ctx;
    if (f.phase === Phase.Alts) {
      if (childRet) { ctx.backtrace(f.insn, '(alt)'); return childRet; }
      f.altIdx++;
      return this.run(f, s);
    }
    // AfterBranch
    if (childRet) { ctx.backtrace(f.insn, '(branch)'); return childRet; }
    if (ctx.prog.kind[f.insn] === InsnKind.JumpUncond) return 0;
    f.phase = Phase.AfterAlts;
    return this.run(f, s);
  }

  /** Runs frame f from its phase until it finishes (0/1) or needs a child path (CALL). */
  private run(f: Frame, s: Int32Array): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const L = ctx.L;
    for (;;) {
      const i = f.insn;
      if (f.phase === Phase.Start) {
        f.next = this.nextToValidate(i);
        const fi = p.func(i);
        if (f.func >= 0 && fi >= 0 && f.func !== p.syms.pfunc[fi]) {
          const name = p.syms.name(f.func);
          if (name.startsWith('__cfi_') || name.startsWith('__pfx_')) return 0;
          if (ctx.ignoreUnreachables) return 0;
          ctx.diag.warn(`${name}() falls through to next function ${p.syms.name(fi)}()`);
          return 1;
        }
        if (f.func >= 0 && (p.bits[i] & B.Ignore)) {
          ctx.warnInsn(i, 'BUG: why am I validating an ignored function?');
          return 1;
        }
        const visited = B.Visited << s[L.size + X_UACCESS];
        if (p.bits[i] & VISITED_MASK) {
          if (!(p.bits[i] & B.Hint) && !this.cfiMatch(i, s)) return 1;
          if (p.bits[i] & visited && !this.meetRestores(i, s)) return 0;
          f.dirty = true;
        } else {
          ctx.insnsVisited++;
        }
        if (s[L.size + X_NOINSTR]) s[L.size + X_INSTR] += p.instr[i];
        if (p.bits[i] & B.Hint) {
          if (p.bits[i] & B.Restore) {
            let save = -1;
            if (f.func >= 0) {
              const fo = p.syms.offset[f.func];
              for (let j = p.prev(i); j >= 0 && p.off[j] >= fo; j = p.prev(j)) {
                if (p.bits[j] & B.Save) { save = j; break; }
              }
            }
            if (save < 0) { ctx.warnInsn(i, 'no corresponding CFI save for CFI restore'); return 1; }
            if (!(p.bits[save] & VISITED_MASK)) {
              if (f.prev < 0) return 0;
              ctx.warnInsn(i, "objtool isn't smart enough to handle this CFI save/restore combo");
              return 1;
            }
            p.cfi[i] = p.cfi[save];
            ctx.cfiReused++;
          }
          ctx.pool.load(p.cfi[i], s);
          f.dirty = true;
        } else if (f.prev >= 0 && p.cfi[f.prev] >= 0 && (!f.dirty || ctx.pool.equals(p.cfi[f.prev], s))) {
          p.cfi[i] = p.cfi[f.prev];
          ctx.cfiReused++;
        } else {
          if (f.knownId >= 0) {
            // the transition cache or the parent path said which state this is; objtool looks it
            // up in its hash here and finds it (counted for --stats)
            p.cfi[i] = f.knownId;
            ctx.pool.hits++;
          } else {
            p.cfi[i] = ctx.pool.intern(s);
            if (f.pendIn >= 0) {
              const pi = f.pendInsn;
              this.cache.set(f.pendIn, f.pendFlags, p.ops, p.opStart[pi] * OP_WORDS, p.opCount[pi], p.cfi[i]);
            }
          }
          // objtool keeps its forced-undefined state out of the hash: the first lookup allocates a copy
          if (p.cfi[i] === ctx.forceUndefinedId && !ctx.forceUndefinedCopied) { ctx.forceUndefinedCopied = true; ctx.pool.hits--; }
        }
        p.bits[i] |= visited;
        f.dirty = false;
        f.knownId = -1;
        f.pendIn = -1;
        if (p.altGroup[i] >= 0 && this.propagateAltCfi(i)) return 1;
        f.phase = Phase.Alts;
        f.altIdx = 0;
        f.skipOrig = false;
      }
      if (f.phase === Phase.Alts) {
        const alts = (p.bits[i] & (B.IgnoreAlts | B.HasAlts)) === B.HasAlts ? p.alts.get(i) : undefined;
        if (alts && f.altIdx < alts.length) {
          const a = alts[f.altIdx];
          if (a.skipOrig) f.skipOrig = true;
          this.childStart = a.insn;
          return CALL;
        }
        if (alts && f.skipOrig) return 0;
        f.phase = Phase.AfterAlts;
        if (p.opCount[i]) {
          f.dirty = true;
          const inId = p.cfi[i];
          const flags = (p.func(i) >= 0 ? 1 : 0) | (f.next >= 0 && (p.bits[f.next] & B.Hint) ? 2 : 0);
          const cacheable = p.altGroup[i] < 0 && !(p.bits[i] & B.Hint);
          const out = cacheable ? this.cache.get(inId, flags, p.ops, p.opStart[i] * OP_WORDS, p.opCount[i]) : -1;
          if (out >= 0) {
            ctx.pool.load(out, s);
            f.knownId = out;
          } else {
            if (this.handleOps(i, f.next, s)) return 1;
            if (cacheable) { f.pendIn = inId; f.pendFlags = flags; f.pendInsn = i; }
          }
        }
        if (p.flags[i] & PAC_FLAGS) {
          // AArch64 return-address signing: paciasp.. sign x30, autiasp/retaa.. authenticate it
          s[L.pac] = p.flags[i] & InsnFlag.PacSign ? 1 : 0;
          f.dirty = true;
          f.knownId = -1;
        }
        const r = this.dispatch(f, s);
        if (r !== CONTINUE) return r;
      }
      if (f.phase === Phase.AfterAlts) {
        const r = this.afterSwitch(f, s);
        if (r !== CONTINUE) return r;
      }
    }
  }

  /** The switch on the instruction kind. Returns CONTINUE, CALL (branch), or a final result. */
  private dispatch(f: Frame, s: Int32Array): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const L = ctx.L;
    const i = f.insn;
    const func = f.func;
    switch (p.kind[i]) {
      case InsnKind.Return:
        return this.validateReturn(func, i, s);
      case InsnKind.Call:
      case InsnKind.CallDynamic: {
        if (this.env.trackRestores && !p.arch.callPushesRa) {
          // a link-register call overwrites the return-address register: it no longer equals its slot
          s[L.restored + p.arch.regs.ra] = 0;
          f.dirty = true;
        }
        const r = this.validateCall(i, s);
        if (r) return r;
        if (ctx.opts.framePointer && func >= 0 && !this.isSpecialCall(i) && !hasFrameRecord(p.arch, L, s)) {
          ctx.warnInsn(i, frameRecordMessage(p.arch));
          return 1;
        }
        if (ctx.opts.stackval && func >= 0 && !this.isSpecialCall(i) && !hasValidStackFrame(p.arch, L, s)) {
          ctx.warnInsn(i, 'call without frame pointer save/setup');
          return 1;
        }
        if (p.bits[i] & B.DeadEnd) return 0;
        return CONTINUE;
      }
      case InsnKind.JumpCond:
      case InsnKind.JumpUncond:
        if (isSiblingCall(ctx, i)) {
          const r = this.validateSiblingCall(i, s);
          if (r) return r;
        } else if (p.jumpDest[i] >= 0) {
          f.phase = Phase.AfterBranch;
          this.childStart = p.jumpDest[i];
          return CALL;
        }
        if (p.kind[i] === InsnKind.JumpUncond) return 0;
        return CONTINUE;
      case InsnKind.JumpDynamic:
      case InsnKind.JumpDynamicCond:
        if (isSiblingCall(ctx, i)) {
          const r = this.validateSiblingCall(i, s);
          if (r) return r;
        }
        if (p.kind[i] === InsnKind.JumpDynamic) return 0;
        return CONTINUE;
      case InsnKind.ContextSwitch:
        if (func >= 0) {
          if (f.next < 0 || !(p.bits[f.next] & B.Hint)) {
            ctx.warnInsn(i, 'unsupported instruction in callable function');
            return 1;
          }
          return CONTINUE;
        }
        return 0;
      case InsnKind.Stac:
        if (!ctx.opts.uaccess) return CONTINUE;
        if (s[L.size + X_UACCESS]) { ctx.warnInsn(i, 'recursive UACCESS enable'); return 1; }
        s[L.size + X_UACCESS] = 1;
        return CONTINUE;
      case InsnKind.Clac:
        if (!ctx.opts.uaccess) return CONTINUE;
        if (!s[L.size + X_UACCESS] && func >= 0) { ctx.warnInsn(i, 'redundant UACCESS disable'); return 1; }
        if (this.uaccessSafe(func) && !s[L.size + X_UACCESS_STACK]) { ctx.warnInsn(i, 'UACCESS-safe disables UACCESS'); return 1; }
        s[L.size + X_UACCESS] = 0;
        return CONTINUE;
      case InsnKind.Std:
        if (s[L.size + X_DF]) { ctx.warnInsn(i, 'recursive STD'); return 1; }
        s[L.size + X_DF] = 1;
        return CONTINUE;
      case InsnKind.Cld:
        if (!s[L.size + X_DF] && func >= 0) { ctx.warnInsn(i, 'redundant CLD'); return 1; }
        s[L.size + X_DF] = 0;
        return CONTINUE;
      default:
        return CONTINUE;
    }
  }

  /** After the kind switch: dead ends, end of section, then the next instruction. */
  private afterSwitch(f: Frame, s: Int32Array): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const i = f.insn;
    if (p.bits[i] & B.DeadEnd) return 0;
    if (f.next < 0) {
      if (s[ctx.L.cfaBase] === CfiBase.Undefined) return 0;
      if (ctx.ignoreUnreachables) return 0;
      ctx.diag.warn(`${p.elf.sections[f.sec].name}: unexpected end of section`);
      return 1;
    }
    f.prev = i;
    f.insn = f.next;
    f.phase = Phase.Start;
    return CONTINUE;
  }

  private nextToValidate(i: number): number {
    const p = this.ctx.prog;
    const g = p.altGroup[i];
    if (g >= 0) {
      const grp = p.altGroups[g];
      if (grp.nop >= 0) {
        if (i === grp.last) return grp.nop;
        if (i === grp.nop) return p.next(p.altGroups[grp.orig].last);
      }
      if (i === grp.last && grp.orig >= 0) return p.next(p.altGroups[grp.orig].last);
    }
    return p.next(i);
  }

  private propagateAltCfi(i: number): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const g = p.altGroup[i];
    if (g < 0) return 0;
    const grp = p.altGroups[g];
    const off = p.off[i] - p.off[grp.first];
    const cur = grp.cfi[off];
    if (cur < 0) {
      grp.cfi[off] = p.cfi[i];
    } else if (cur !== p.cfi[i] && !this.sameFrame(cur, p.cfi[i])) {
      const orig = grp.orig >= 0 ? p.altGroups[grp.orig] : grp;
      ctx.warnInsn(orig.first, `stack layout conflict in alternatives: ${placeText(p.placeOf(i), ctx.opts.secAddress)}`);
      return 1;
    }
    return 0;
  }

  private handleOps(i: number, next: number, s: Int32Array): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const n = p.opCount[i];
    if (n === 0) return 0;
    const env = this.env;
    env.inFunc = p.func(i) >= 0;
    env.nextIsHint = next >= 0 && (p.bits[next] & B.Hint) !== 0;
    const op = this.op;
    const ops = p.ops;
    const L = ctx.L;
    let w = p.opStart[i] * OP_WORDS;
    for (let k = 0; k < n; k++, w += OP_WORDS) {
      op.destType = ops[w]; op.destReg = ops[w + 1]; op.destOff = ops[w + 2];
      op.srcType = ops[w + 3]; op.srcReg = ops[w + 4]; op.srcOff = ops[w + 5];
      const e = updateState(env, s, op);
      if (e !== UpdateError.None) {
        ctx.warnInsn(i, UPDATE_MESSAGES[e]);
        return 1;
      }
      if (!ctx.opts.uaccess || p.altGroup[i] < 0) continue;
      if (op.destType === OpDest.PushF) {
        const st = s[L.size + X_UACCESS_STACK] >>> 0;
        if (!st) s[L.size + X_UACCESS_STACK] = 1;
        else if (st >>> 31) { ctx.warnInsn(i, 'PUSHF stack exhausted'); return 1; }
        s[L.size + X_UACCESS_STACK] = ((s[L.size + X_UACCESS_STACK] << 1) | s[L.size + X_UACCESS]);
      }
      if (op.srcType === OpSrc.PopF) {
        const st = s[L.size + X_UACCESS_STACK] >>> 0;
        if (st) {
          s[L.size + X_UACCESS] = st & 1;
          s[L.size + X_UACCESS_STACK] = st >>> 1;
          if ((st >>> 1) === 1) s[L.size + X_UACCESS_STACK] = 0;
        }
      }
    }
    return 0;
  }

  private cfiMatch(i: number, s: Int32Array): boolean {
    const ctx = this.ctx;
    const id = ctx.prog.cfi[i];
    if (id < 0) { ctx.diag.warn('CFI missing'); return false; }
    const diff = this.frameDiff(ctx.pool.view(id), s, this.env.trackRestores); // slow path: paths meet
    if (diff) {
      ctx.warnInsn(i, `stack state mismatch: ${diff}`);
      if (this.env.trackRestores) ctx.frameConflicts.add(i);
    }
    return diff === '';
  }

  /**
   * How frame `b` differs from frame `a` where paths meet (CFA, register rules, type, DRAP, PAC), in
   * objtool's wording ("cfa1=4+8 cfa2=4+16"), or '' when they agree. `joinSaved`: a register saved and
   * not written since agrees with one never saved (`savedUnchanged`).
   */
  private frameDiff(a: Int32Array, b: Int32Array, joinSaved: boolean): string {
    const L = this.ctx.L;
    if (a[L.cfaBase] !== b[L.cfaBase] || a[L.cfaOff] !== b[L.cfaOff]) {
      return `cfa1=${a[L.cfaBase]}${sgn(a[L.cfaOff])} cfa2=${b[L.cfaBase]}${sgn(b[L.cfaOff])}`;
    }
    for (let r = 0; r < L.n; r++) {
      if (a[2 * r] !== b[2 * r] || a[2 * r + 1] !== b[2 * r + 1]) {
        if (joinSaved && (this.savedUnchanged(b, a, r) || this.savedUnchanged(a, b, r))) continue;
        return `reg1[${r}]=${a[2 * r]}${sgn(a[2 * r + 1])} reg2[${r}]=${b[2 * r]}${sgn(b[2 * r + 1])}`;
      }
    }
    if (a[L.type] !== b[L.type]) return `type1=${a[L.type]} type2=${b[L.type]}`;
    if (a[L.drap] !== b[L.drap] || (a[L.drap] && (a[L.drapReg] !== b[L.drapReg] || a[L.drapOff] !== b[L.drapOff]))) {
      return `drap1=${a[L.drap]}(${a[L.drapReg]},${a[L.drapOff]}) drap2=${b[L.drap]}(${b[L.drapReg]},${b[L.drapOff]})`;
    }
    if (a[L.pac] !== b[L.pac]) return `pac1=${a[L.pac]} pac2=${b[L.pac]}`;
    return '';
  }


  /**
   * Without kernel conventions: register r holds its caller's value on both paths, one where it was
   * never saved (or was reloaded: the entry rule) and one where it was saved and not written since
   * (`x` says "saved at CFA+k" and still equals that slot). Shrink-wrapping compilers join such paths
   * (GCC saves a pair only where it is used and skips the reload where it was not changed).
   */
  private savedUnchanged(x: Int32Array, y: Int32Array, r: number): boolean {
    const e = this.ctx.prog.arch.entryRegs[r];
    if (y[2 * r] !== e.base || y[2 * r + 1] !== e.offset) return false;
    return x[2 * r] === CfiBase.Cfa && x[this.ctx.L.restored + r] !== 0 && x[this.ctx.L.restored + r] === x[2 * r + 1];
  }

  /**
   * Paths meet at visited instruction i. A register known equal to its slot on only one of them is
   * not known equal at all: when the recorded state claims more than this path, this path's state
   * becomes the weaker one (in `s`) and the walk goes on to record it downstream (returns true).
   * Claims only ever drop, so this ends. Only without kernel conventions (nothing is tracked there).
   */
  private meetRestores(i: number, s: Int32Array): boolean {
    if (!this.env.trackRestores) return false;
    const ctx = this.ctx;
    const id = ctx.prog.cfi[i];
    if (id < 0) return false;
    const R = ctx.L.restored;
    const a = ctx.pool.view(id);
    let weaker = false;
    for (let r = 0; r < ctx.L.n; r++) {
      if (a[R + r] !== s[R + r]) {
        if (a[R + r] !== 0) weaker = true;
        // saved and unchanged here, never saved there: what both agree on is that the register still
        // holds the caller's value (the slot is not written on the other path)
        if (this.savedUnchanged(s, a, r)) {
          s[2 * r] = a[2 * r];
          s[2 * r + 1] = a[2 * r + 1];
        }
        s[R + r] = 0;
      }
    }
    return weaker;
  }

  /**
   * Without kernel conventions, alternatives' variants conflict only as paths meeting would
   * (`frameDiff`: CFA, register rules, type, DRAP, PAC): scratch values (an sp-derived address in a
   * register, a provisional DRAP register) and which registers are known to still hold their saved
   * value are path-dependent bookkeeping, not the frame's layout.
   */
  private sameFrame(a: number, b: number): boolean {
    return this.env.trackRestores && this.frameDiff(this.ctx.pool.view(a), this.ctx.pool.view(b), false) === '';
  }


  private uaccessSafe(func: number): boolean {
    return func >= 0 && (this.ctx.symFlags[func] & SF.UaccessSafe) !== 0;
  }

  private callDestName(i: number): string {
    const d = callDest(this.ctx, i);
    return d >= 0 ? this.ctx.prog.syms.name(d) : '{dynamic}';
  }

  private validateCall(i: number, s: Int32Array): number {
    const ctx = this.ctx;
    const L = ctx.L;
    if (s[L.size + X_UACCESS] && !this.uaccessSafe(callDest(ctx, i))) {
      ctx.warnInsn(i, `call to ${this.callDestName(i)}() with UACCESS enabled`);
      return 1;
    }
    if (s[L.size + X_DF]) {
      ctx.warnInsn(i, `call to ${this.callDestName(i)}() with DF set`);
      return 1;
    }
    return 0;
  }

  private validateSiblingCall(i: number, s: Int32Array): number {
    const ctx = this.ctx;
    const f = ctx.prog.func(i);
    // PLT stubs push the link map / relocation index before jumping to the resolver, by ABI
    if (f >= 0 && hasModifiedStackFrame(ctx.prog.arch, ctx.L, s) && !isPltTrampoline(ctx, f)) {
      ctx.warnInsn(i, 'sibling call from callable instruction with modified stack frame');
      return 1;
    }
    return this.validateCall(i, s);
  }

  private validateReturn(func: number, i: number, s: Int32Array): number {
    const ctx = this.ctx;
    const L = ctx.L;
    if (s[L.size + X_UACCESS] && !this.uaccessSafe(func)) { ctx.warnInsn(i, 'return with UACCESS enabled'); return 1; }
    if (!s[L.size + X_UACCESS] && this.uaccessSafe(func)) { ctx.warnInsn(i, 'return with UACCESS disabled from a UACCESS-safe function'); return 1; }
    if (s[L.size + X_DF]) { ctx.warnInsn(i, 'return with DF set'); return 1; }
    if (func >= 0 && hasModifiedStackFrame(ctx.prog.arch, L, s)) { ctx.warnInsn(i, 'return with modified stack frame'); return 1; }
    if (s[L.bpScratch]) { ctx.warnInsn(i, 'BP used as a scratch register'); return 1; }
    return 0;
  }

  private isSpecialCall(i: number): boolean {
    const ctx = this.ctx;
    if (ctx.prog.kind[i] !== InsnKind.Call) return false;
    const d = callDest(ctx, i);
    if (d < 0) return false;
    return (ctx.symFlags[d] & (SF.Fentry | SF.EmbeddedInsn)) !== 0;
  }
}

/** Synthetic PLT functions whose jump carries pushed words by design (PLT0, lazy-binding halves). */
function isPltTrampoline(ctx: Context, f: number): boolean {
  const syms = ctx.prog.syms;
  if (f < syms.tableCount) return false;
  const name = syms.name(f);
  return name === '.plt' || name.endsWith('@plt.lazy');
}

const CALL = -100;
/** AArch64 instructions that sign (paciasp..) or authenticate (autiasp, retaa..) x30 */
export const PAC_FLAGS = InsnFlag.PacSign | InsnFlag.PacAuth;
const CONTINUE = -101;

function sgn(n: number): string {
  return n >= 0 ? `+${n}` : `${n}`;
}
