/**
 * Walks every path of every function with a frame state, recording the state on entry to each
 * instruction and checking that paths agree where they meet. The walk is depth-first in the same
 * order as objtool's (alternatives first, then the taken branch, then the fall-through), so the first
 * problem found — and therefore the warning printed — is the same. Recursion is an explicit stack:
 * functions can nest thousands of branches deep.
 */
import { InsnFlag, InsnKind } from '../arch/arch.js';
import { CfiBase } from '../arch/arch.js';
import { OP_WORDS, loadOp } from '../program/insns.js';
import { B, SecRole, VISITED_MASK } from '../program/program.js';
import type { Program } from '../program/program.js';
import type { Context } from '../cfg/context.js';
import { SF } from '../cfg/context.js';
import { callDest, isDynamicTailCall, isSiblingCall } from '../cfg/destinations.js';
import { OpDest, OpSrc } from '../arch/arch.js';
import { UPDATE_MESSAGES, UpdateError, callClobberedValueWords, forgetCallClobbered, hasModifiedStackFrame, holdsCallClobbered, hasValidStackFrame, updateState } from './update.js';
import type { Op, UpdateEnv } from './update.js';
import { frameRecordMessage, hasFrameRecord } from '../checks/frame-record.js';
import { TransitionCache } from './transition-cache.js';
import { MeetMemo } from './meet-memo.js';
import { placeText } from '../report/diag.js';
import { UBSAN_HANDLER_PREFIX } from '../kernel/names.js';

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
  /**
   * The interned id whose contents the path state holds right now, or -1 when unknown. Unlike
   * `knownId` and the recorded states (which the walk with kernel conventions takes on trust, as
   * objtool's order of events does), this is exact, so comparing two states becomes comparing two
   * ids. Without kernel conventions the walk goes by it alone: there a meeting of paths can weaken
   * a record after a path read it.
   */
  trueId: number;
  /** a meeting of paths weakened the state: the meet-memo slot waiting for the resulting id */
  pendMeet: number;
  /** an interned id the path state is known to differ from (its state before ops that changed it), or -1 */
  unlike: number;
  /**
   * The frame part of the path state is interned state `trueId` and not copied into the path's
   * array yet (transitions and meetings known by id need no copy; `materialize` makes it when the
   * words are read or changed).
   */
  lazy: boolean;
}

export class Validator {
  private readonly S: number;
  private readonly states: Int32Array[] = [];
  private readonly frames: Frame[] = [];
  private readonly env: UpdateEnv;
  private readonly op: Op = { destType: 0, destReg: 0, destOff: 0, srcType: 0, srcReg: 0, srcOff: 0 };
  /** a second decoded pool state, for comparing two (the pool's `view` holds one) */
  private readonly otherState: Int32Array;
  /** the state words a call may make stale (`holdsCallClobbered`), as a set for the pool */
  private readonly clobberedWords: Int32Array;

  constructor(private readonly ctx: Context) {
    this.S = ctx.L.size + EXTRA;
    this.otherState = new Int32Array(ctx.L.size);
    this.scratch = new Int32Array(this.S);
    // about one state per 12 rows at most on the libraries measured (x86-64 libLLVM: one per 19)
    ctx.pool.reserve(ctx.prog.count / 12);
    this.env = { arch: ctx.prog.arch, L: ctx.L, stackval: ctx.opts.stackval, inFunc: false, nextIsHint: false, framePointerSym: false, trackRestores: !ctx.opts.kernel, changed: false };
    this.clobberedWords = ctx.pool.wordSet(callClobberedValueWords(this.env));
  }

  /**
   * A fresh path state: the function-entry state (or all-undefined), flags cleared. `noinstr`: the
   * path starts in a noinstr section and its calls and returns are checked (--noinstr with --link).
   */
  newState(funcEntry: boolean, uaccess: boolean, noinstr = false): Int32Array {
    const s = new Int32Array(this.S);
    this.ctx.pool.load(funcEntry ? this.ctx.funcStateId : this.ctx.initStateId, s);
    s[this.ctx.L.size + X_UACCESS] = uaccess ? 1 : 0;
    s[this.ctx.L.size + X_NOINSTR] = noinstr ? 1 : 0;
    return s;
  }

  /**
   * The function-entry (or all-undefined) path state in a scratch array the validator reuses: for
   * callers that hand it straight to `validateBranch`, which copies it.
   */
  entryState(funcEntry: boolean, uaccess: boolean, noinstr = false): Int32Array {
    const s = this.scratch;
    s.fill(0);
    this.ctx.pool.load(funcEntry ? this.ctx.funcStateId : this.ctx.initStateId, s);
    s[this.ctx.L.size + X_UACCESS] = uaccess ? 1 : 0;
    s[this.ctx.L.size + X_NOINSTR] = noinstr ? 1 : 0;
    return s;
  }

  /**
   * objtool's validate_branch from `start` with path state `init` (copied). Returns 0 or 1.
   * `initId`: the interned state `init` holds (its frame part), when the caller knows it.
   */
  validateBranch(func: number, start: number, init: Int32Array, initId = -1): number {
    let depth = 0;
    this.push(depth, func, start, init, false);
    this.frames[0].trueId = initId;
    this.frames[0].lazy = false;
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
        // (without kernel conventions a record may have been weakened since: the child goes by the exact id)
        const known = this.env.trackRestores ? -1 : !f.dirty ? this.ctx.prog.cfi[f.insn] : f.knownId;
        depth++;
        // a child whose frame part is an interned state copies only the per-path words; the frame
        // part is copied from the pool if the child ever needs its words (most children end at once)
        const interned = f.trueId >= 0;
        this.push(depth, f.func, this.childStart, s, interned);
        this.frames[depth].knownId = known;
        this.frames[depth].trueId = f.trueId;
        this.frames[depth].lazy = interned;
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
  private readonly meets = new MeetMemo();
  private readonly scratch: Int32Array;

  /** Starts path `depth` at insn with a copy of `state` (`extrasOnly`: only the words after the frame part). */
  private push(depth: number, func: number, insn: number, state: Int32Array, extrasOnly: boolean): void {
    let s = this.states[depth];
    if (!s) { s = new Int32Array(this.S); this.states[depth] = s; }
    if (extrasOnly) {
      for (let k = this.ctx.L.size; k < this.S; k++) s[k] = state[k];
    } else {
      s.set(state);
    }
    let f = this.frames[depth];
    if (!f) {
      f = { func, insn, prev: -1, sec: 0, phase: Phase.Start, altIdx: 0, skipOrig: false, next: -1, dirty: true, knownId: -1,
        pendIn: -1, pendFlags: 0, pendInsn: -1, trueId: -1, pendMeet: -1, unlike: -1, lazy: false };
      this.frames[depth] = f;
    }
    f.func = func; f.insn = insn; f.prev = -1; f.sec = this.ctx.prog.sec[insn]; f.phase = Phase.Start;
    f.altIdx = 0; f.skipOrig = false; f.next = -1; f.dirty = true; f.knownId = -1; f.pendIn = -1;
    f.trueId = -1; f.pendMeet = -1; f.unlike = -1; f.lazy = false;
  }

  /** Copies the interned state a lazy path state stands for into its array. */
  private materialize(f: Frame, s: Int32Array): void {
    if (!f.lazy) return;
    this.ctx.pool.load(f.trueId, s);
    f.lazy = false;
  }

  /** Word k of the frame part of the path state (lazy or not). */
  private word(f: Frame, s: Int32Array, k: number): number {
    return f.lazy ? this.ctx.pool.get(f.trueId, k) : s[k];
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
    const track = this.env.trackRestores;
    // most files have no alternatives, and only link-register ISAs sign return addresses: those
    // columns are then not read per row
    const hasAlts = p.altGroups.length !== 0;
    const pacIsa = !p.arch.callPushesRa;
    for (;;) {
      // most rows change nothing: no stack op, no branch, not visited yet; they take their
      // predecessor's state in a loop of their own
      if (f.phase === Phase.Start && !f.dirty && f.prev >= 0) this.walkPlain(f, s, hasAlts, pacIsa);
      const i = f.insn;
      if (f.phase === Phase.Start) {
        f.next = hasAlts ? nextToValidate(p, i) : p.next(i);
        // the path can enter another function only where the owning symbol changes
        const fi = f.prev < 0 || p.sym[i] !== p.sym[f.prev] ? p.func(i) : -1;
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
          const r = this.meet(f, i, s, (p.bits[i] & visited) !== 0);
          if (r !== CONTINUE) return r;
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
          if (p.cfi[i] >= 0) {
            // the hint's state replaces the path's: no copy until its words are needed
            f.trueId = p.cfi[i];
            f.lazy = true;
          }
          f.dirty = true;
        } else if (f.prev >= 0 && p.cfi[f.prev] >= 0 && ((!f.dirty && !track) || this.holds(f, s, p.cfi[f.prev]))) {
          // not dirty: no op since `prev` was recorded, and its record is taken as it stands now (objtool's
          // order of events). Without kernel conventions a meeting may have weakened that record since,
          // so the path's own state decides.
          if (f.dirty || track) this.nowKnown(f, p.cfi[f.prev]);
          p.cfi[i] = p.cfi[f.prev];
          ctx.cfiReused++;
        } else {
          if (f.knownId >= 0 && !track) {
            // the transition cache or the parent path said which state this is; objtool looks it
            // up in its hash here and finds it (counted for --stats)
            p.cfi[i] = f.knownId;
            ctx.pool.hits++;
          } else {
            if (f.trueId >= 0) {
              // the state is known to be interned already: the lookup objtool makes finds it
              p.cfi[i] = f.trueId;
              ctx.pool.hits++;
            } else {
              p.cfi[i] = ctx.pool.intern(s);
              this.nowKnown(f, p.cfi[i]);
            }
            if (f.pendIn >= 0) {
              const pi = f.pendInsn;
              this.cache.set(f.pendIn, f.pendFlags, p.ops, p.opStartOf(pi) * OP_WORDS, p.opCount[pi], p.cfi[i]);
            }
          }
          // objtool keeps its forced-undefined state out of the hash: the first lookup allocates a copy
          if (p.cfi[i] === ctx.forceUndefinedId && !ctx.forceUndefinedCopied) { ctx.forceUndefinedCopied = true; ctx.pool.hits--; }
        }
        p.bits[i] |= visited;
        f.dirty = false;
        f.knownId = -1;
        f.pendIn = -1;
        f.pendMeet = -1;
        f.unlike = -1;
        if (hasAlts && p.altTag[i] !== 0 && this.propagateAltCfi(i)) return 1;
        f.phase = Phase.Alts;
        f.altIdx = 0;
        f.skipOrig = false;
      }
      if (f.phase === Phase.Alts) {
        const alts = p.followedAlts(i);
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
          const inId = track ? f.trueId : p.cfi[i];
          const flags = (p.func(i) >= 0 ? 1 : 0) | (f.next >= 0 && (p.bits[f.next] & B.Hint) ? 2 : 0);
          const cacheable = (!hasAlts || p.altTag[i] === 0) && !(p.bits[i] & B.Hint);
          const out = cacheable ? this.cache.get(inId, flags, p.ops, p.opStartOf(i) * OP_WORDS, p.opCount[i]) : -1;
          if (out >= 0) {
            f.knownId = out;
            f.trueId = out;
            f.lazy = true;
          } else {
            this.materialize(f, s);
            // without kernel conventions the state before the ops is known exactly: many ops (loads
            // and moves through untracked registers) leave it as it was, which the interpreter says
            // (`changed`), and the state keeps its id
            const before = track ? f.trueId : -1;
            f.trueId = -1;
            this.env.changed = false;
            if (this.handleOps(i, f.next, s)) return 1;
            if (before >= 0 && !this.env.changed) {
              f.trueId = before;
              if (cacheable) this.cache.set(inId, flags, p.ops, p.opStartOf(i) * OP_WORDS, p.opCount[i], before);
            } else {
              // usually the previous instruction's record: no need to compare with it
              f.unlike = before;
              if (cacheable) { f.pendIn = inId; f.pendFlags = flags; f.pendInsn = i; }
            }
          }
        }
        if (pacIsa && (p.flags[i] & PAC_FLAGS)) {
          // AArch64 return-address signing: paciasp.. sign x30, autiasp/retaa.. authenticate it
          const pac = p.flags[i] & InsnFlag.PacSign ? 1 : 0;
          if (this.word(f, s, L.pac) !== pac) {
            this.materialize(f, s);
            f.trueId = -1;
          }
          s[L.pac] = pac;
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

  /**
   * Walks path f on from its current row over the rows whose whole visit is to record the state of
   * the row before: in the same symbol, not visited, no hint, alternative, stack op, return-address
   * signing, dead end or kind the switch handles, and a next row in the section. Stops at the first
   * row that is not such (the full visit takes it from there). Only while the path state is the
   * previous row's record (clean; without kernel conventions its exact id says so).
   */
  private walkPlain(f: Frame, s: Int32Array, hasAlts: boolean, pacIsa: boolean): void {
    const ctx = this.ctx;
    const p = ctx.prog;
    let prev = f.prev;
    const id = p.cfi[prev];
    if (id < 0 || (this.env.trackRestores && f.trueId !== id)) return;
    const bits = p.bits;
    const cfi = p.cfi;
    const sym = p.sym;
    const sec = p.sec;
    const kind = p.kind;
    const opCount = p.opCount;
    const end = p.count;
    const plainKinds = ctx.opts.uaccess ? PLAIN_KINDS : PLAIN_KINDS | UACCESS_KINDS;
    const L = this.ctx.L;
    const visited = B.Visited << s[L.size + X_UACCESS];
    const noinstr = s[L.size + X_NOINSTR] !== 0;
    const owner = sym[prev];
    let i = f.insn;
    let n = 0;
    while (i + 1 < end && (bits[i] & PLAIN_STOP) === 0 && opCount[i] === 0 && ((plainKinds >>> kind[i]) & 1) !== 0 &&
        sym[i] === owner && sec[i + 1] === sec[i] && (!hasAlts || p.altTag[i] === 0) && (!pacIsa || (p.flags[i] & PAC_FLAGS) === 0)) {
      if (noinstr) s[L.size + X_INSTR] += p.instr[i];
      cfi[i] = id;
      bits[i] |= visited;
      n++;
      prev = i;
      i++;
    }
    if (n === 0) return;
    ctx.insnsVisited += n;
    ctx.cfiReused += n;
    f.prev = prev;
    f.insn = i;
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
        this.materialize(f, s);
        return this.validateReturn(func, i, s);
      case InsnKind.Call:
      case InsnKind.CallDynamic: {
        if (this.env.trackRestores && !p.arch.callPushesRa) {
          // a link-register call overwrites the return-address register: it no longer equals its slot
          if (this.word(f, s, L.restored + p.arch.regs.ra) !== 0) {
            this.materialize(f, s);
            f.trueId = -1;
            s[L.restored + p.arch.regs.ra] = 0;
          }
          f.dirty = true;
        }
        if (this.env.trackRestores) {
          // the callee may overwrite the call-clobbered registers: their CFA-relative values go
          const pool = ctx.pool;
          if (f.lazy ? pool.differsIn(f.trueId, this.clobberedWords) : holdsCallClobbered(this.env, s, 0)) {
            this.materialize(f, s);
            forgetCallClobbered(this.env, s);
            f.dirty = true;
            f.knownId = -1;
            f.trueId = -1;
          }
        }
        const r = this.validateCall(i, s);
        if (r) return r;
        if (ctx.opts.framePointer || ctx.opts.stackval) this.materialize(f, s);
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
          this.materialize(f, s);
          const r = this.validateSiblingCall(i, s);
          if (r) return r;
        } else if (p.jumpDestOf(i) >= 0) {
          f.phase = Phase.AfterBranch;
          this.childStart = p.jumpDestOf(i);
          return CALL;
        }
        if (p.kind[i] === InsnKind.JumpUncond) return 0;
        return CONTINUE;
      case InsnKind.JumpDynamic:
      case InsnKind.JumpDynamicCond:
        if (isDynamicTailCall(ctx, i)) {
          this.materialize(f, s);
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
      if (this.word(f, s, ctx.L.cfaBase) === CfiBase.Undefined) return 0;
      if (ctx.ignoreUnreachables) return 0;
      ctx.diag.warn(`${p.elf.sections[f.sec].name}: unexpected end of section`);
      return 1;
    }
    f.prev = i;
    f.insn = f.next;
    f.phase = Phase.Start;
    return CONTINUE;
  }

  private propagateAltCfi(i: number): number {
    const ctx = this.ctx;
    const p = ctx.prog;
    const g = p.altGroupOf(i);
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
    let w = p.opStartOf(i) * OP_WORDS;
    for (let k = 0; k < n; k++, w += OP_WORDS) {
      loadOp(ops, w, op);
      const e = updateState(env, s, op);
      if (e !== UpdateError.None) {
        ctx.warnInsn(i, UPDATE_MESSAGES[e]);
        return 1;
      }
      if (!ctx.opts.uaccess || p.altTag[i] === 0) continue;
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

  /**
   * Path state `s` arrives at visited instruction i (`same`: visited with this UACCESS state too).
   * Returns CONTINUE (walk on from i), 0 (this path ends here) or 1 (a warning). Two paths with the
   * same interned state agree without a look at their contents; for different ones the outcome of
   * `cfiMatch` and `meetRestores` depends on the two states only, so it is memoised by their ids.
   */
  private meet(f: Frame, i: number, s: Int32Array, same: boolean): number {
    const p = this.ctx.prog;
    const recorded = p.cfi[i];
    const arriving = f.trueId;
    if (arriving >= 0 && arriving === recorded) return same ? 0 : CONTINUE;
    const hint = (p.bits[i] & B.Hint) !== 0;
    const memo = this.meets;
    const memoable = same && arriving >= 0 && recorded >= 0;
    const slot = memoable ? memo.slot(arriving, recorded) : -1;
    if (memoable && memo.has(slot, arriving, recorded)) {
      if (!memo.weaker(slot)) return 0;
      const result = memo.result(slot);
      if (result >= 0) {
        f.trueId = result;
        f.lazy = true;
        return CONTINUE;
      }
    }
    this.materialize(f, s);
    if (!hint && !this.cfiMatch(i, s)) return 1;
    if (!same) return CONTINUE;
    const m = this.meetRestores(i, s);
    const weaker = (m & MEET_WEAKER) !== 0;
    const changed = (m & MEET_CHANGED) !== 0;
    // a hint skips cfiMatch, so its outcome says nothing about whether the frames agree
    if (memoable && !hint) {
      memo.store(slot, arriving, recorded, weaker, weaker && !changed ? arriving : -1);
      if (weaker && changed) f.pendMeet = slot;
    }
    if (!weaker) return 0;
    if (changed) {
      f.trueId = -1;
      // the state no longer is what the last instruction's ops made: that transition is not recorded
      f.pendIn = -1;
    }
    return CONTINUE;
  }

  /** The path state is now known to be interned state `id`; a pending meet outcome learns it too. */
  private nowKnown(f: Frame, id: number): void {
    f.trueId = id;
    if (f.pendMeet >= 0) {
      this.meets.setResult(f.pendMeet, id);
      f.pendMeet = -1;
    }
  }

  /**
   * Does the frame part of the path state equal interned state `id`? By id when it is known. (A wrong
   * no from a stale `unlike` only costs an intern, which finds the same id.)
   */
  private holds(f: Frame, s: Int32Array, id: number): boolean {
    return f.trueId >= 0 ? f.trueId === id : id !== f.unlike && this.ctx.pool.equals(id, s);
  }

  private cfiMatch(i: number, s: Int32Array): boolean {
    const ctx = this.ctx;
    const id = ctx.prog.cfi[i];
    if (id < 0) { ctx.diag.warn('CFI missing'); return false; }
    const diff = this.frameDiff(ctx.pool.view(id), 0, s, 0, this.env.trackRestores); // slow path: paths meet
    if (diff) {
      ctx.warnInsn(i, `stack state mismatch: ${diff}`);
      if (this.env.trackRestores) ctx.frameConflicts.add(i);
    }
    return diff === '';
  }

  /**
   * How frame `b` (at word `bo`) differs from frame `a` (at word `ao`) where paths meet (CFA, register
   * rules, type, DRAP, PAC), in objtool's wording ("cfa1=4+8 cfa2=4+16"), or '' when they agree.
   * `joinSaved`: a register saved and not written since agrees with one never saved (`savedUnchanged`).
   */
  private frameDiff(a: Int32Array, ao: number, b: Int32Array, bo: number, joinSaved: boolean): string {
    const L = this.ctx.L;
    if (a[ao + L.cfaBase] !== b[bo + L.cfaBase] || a[ao + L.cfaOff] !== b[bo + L.cfaOff]) {
      return `cfa1=${a[ao + L.cfaBase]}${sgn(a[ao + L.cfaOff])} cfa2=${b[bo + L.cfaBase]}${sgn(b[bo + L.cfaOff])}`;
    }
    for (let r = 0; r < L.n; r++) {
      if (a[ao + 2 * r] !== b[bo + 2 * r] || a[ao + 2 * r + 1] !== b[bo + 2 * r + 1]) {
        if (joinSaved && (this.savedUnchanged(b, bo, a, ao, r) || this.savedUnchanged(a, ao, b, bo, r))) continue;
        return `reg1[${r}]=${a[ao + 2 * r]}${sgn(a[ao + 2 * r + 1])} reg2[${r}]=${b[bo + 2 * r]}${sgn(b[bo + 2 * r + 1])}`;
      }
    }
    if (a[ao + L.type] !== b[bo + L.type]) return `type1=${a[ao + L.type]} type2=${b[bo + L.type]}`;
    const da = a[ao + L.drap];
    if (da !== b[bo + L.drap] || (da && (a[ao + L.drapReg] !== b[bo + L.drapReg] || a[ao + L.drapOff] !== b[bo + L.drapOff]))) {
      return `drap1=${da}(${a[ao + L.drapReg]},${a[ao + L.drapOff]}) drap2=${b[bo + L.drap]}(${b[bo + L.drapReg]},${b[bo + L.drapOff]})`;
    }
    if (a[ao + L.pac] !== b[bo + L.pac]) return `pac1=${a[ao + L.pac]} pac2=${b[bo + L.pac]}`;
    return '';
  }


  /**
   * Without kernel conventions: register r holds its caller's value on both paths, one where it was
   * never saved (or was reloaded: the entry rule) and one where it was saved and not written since
   * (`x` says "saved at CFA+k" and still equals that slot). Shrink-wrapping compilers join such paths
   * (GCC saves a pair only where it is used and skips the reload where it was not changed).
   * States are given as (array, first word).
   */
  private savedUnchanged(x: Int32Array, xo: number, y: Int32Array, yo: number, r: number): boolean {
    const e = this.ctx.prog.arch.entryRegs[r];
    if (y[yo + 2 * r] !== e.base || y[yo + 2 * r + 1] !== e.offset) return false;
    const restored = x[xo + this.ctx.L.restored + r];
    return x[xo + 2 * r] === CfiBase.Cfa && restored !== 0 && restored === x[xo + 2 * r + 1];
  }

  /**
   * Paths meet at visited instruction i. A register known equal to its slot on only one of them is
   * not known equal at all: when the recorded state claims more than this path, this path's state
   * becomes the weaker one (in `s`) and the walk goes on to record it downstream (MEET_WEAKER).
   * Claims only ever drop, so this ends. Only without kernel conventions (nothing is tracked there).
   * MEET_CHANGED: `s` was changed.
   */
  private meetRestores(i: number, s: Int32Array): number {
    if (!this.env.trackRestores) return 0;
    const ctx = this.ctx;
    const id = ctx.prog.cfi[i];
    if (id < 0) return 0;
    const R = ctx.L.restored;
    const a = ctx.pool.view(id);
    let out = 0;
    for (let r = 0; r < ctx.L.n; r++) {
      if (a[R + r] !== s[R + r]) {
        if (a[R + r] !== 0) out |= MEET_WEAKER;
        // saved and unchanged here, never saved there: what both agree on is that the register still
        // holds the caller's value (the slot is not written on the other path)
        if (this.savedUnchanged(s, 0, a, 0, r)) {
          s[2 * r] = a[2 * r];
          s[2 * r + 1] = a[2 * r + 1];
        }
        if (s[R + r] !== 0) out |= MEET_CHANGED;
        s[R + r] = 0;
      }
    }
    return out;
  }

  /**
   * Without kernel conventions, alternatives' variants conflict only as paths meeting would
   * (`frameDiff`: CFA, register rules, type, DRAP, PAC): scratch values (an sp-derived address in a
   * register, a provisional DRAP register) and which registers are known to still hold their saved
   * value are path-dependent bookkeeping, not the frame's layout.
   */
  private sameFrame(a: number, b: number): boolean {
    const pool = this.ctx.pool;
    return this.env.trackRestores && this.frameDiff(pool.load(a, this.otherState), 0, pool.view(b), 0, false) === '';
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
    if (s[L.size + X_NOINSTR] && s[L.size + X_INSTR] <= 0 && !this.noinstrCallDest(i)) {
      ctx.warnInsn(i, `call to ${this.callDestName(i)}() leaves .noinstr.text section`);
      return 1;
    }
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

  /**
   * May noinstr code call (or tail-call) the destination of row i? Yes for functions in noinstr
   * sections, static-call trampolines (their target is not known here) and the UBSAN handlers (like a
   * WARN, they only run when something is already wrong). An indirect call is taken as instrumented,
   * unless it goes through a paravirt table entry whose every target is noinstr.
   */
  private noinstrCallDest(i: number): boolean {
    const ctx = this.ctx;
    const p = ctx.prog;
    const d = callDest(ctx, i);
    if (d < 0) return ctx.pvOps ? ctx.pvOps.callIsClean(ctx, i) : false;
    if (p.secRole[p.syms.sec[d]] & SecRole.Noinstr) return true;
    if (ctx.symFlags[d] & SF.StaticCallTramp) return true;
    return p.syms.name(d).startsWith(UBSAN_HANDLER_PREFIX);
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
    if (s[L.size + X_NOINSTR] && s[L.size + X_INSTR] > 0) { ctx.warnInsn(i, 'return with instrumentation enabled'); return 1; }
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

/**
 * The instruction a path goes on to after row i: the next row, except at the ends of alternative
 * code, which go on after the original instructions they replace (through the padding NOPs, if any).
 */
export function nextToValidate(p: Program, i: number): number {
  const g = p.altGroupOf(i);
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

/** Synthetic PLT functions whose jump carries pushed words by design (PLT0, lazy-binding halves). */
function isPltTrampoline(ctx: Context, f: number): boolean {
  const syms = ctx.prog.syms;
  if (f < syms.tableCount) return false;
  const name = syms.name(f);
  return name === '.plt' || name.endsWith('@plt.lazy');
}

/** Kinds the switch on the kind passes over (as a bit mask by kind); UACCESS_KINDS too without --uaccess. */
export const PLAIN_KINDS = (1 << InsnKind.Other) | (1 << InsnKind.Bug) | (1 << InsnKind.Nop) | (1 << InsnKind.Trap) |
  (1 << InsnKind.Endbr) | (1 << InsnKind.Invalid) | (1 << InsnKind.Syscall);
const UACCESS_KINDS = (1 << InsnKind.Stac) | (1 << InsnKind.Clac);
/** Row bits that need the full visit of a row. */
const PLAIN_STOP = B.DeadEnd | B.Ignore | B.Hint | VISITED_MASK | B.HasAlts;

const CALL = -100;
/** meetRestores: the recorded state claimed more than the arriving one; the arriving state changed */
const MEET_WEAKER = 1;
const MEET_CHANGED = 2;
/** AArch64 instructions that sign (paciasp..) or authenticate (autiasp, retaa..) x30 */
export const PAC_FLAGS = InsnFlag.PacSign | InsnFlag.PacAuth;
const CONTINUE = -101;

function sgn(n: number): string {
  return n >= 0 ? `+${n}` : `${n}`;
}
