/**
 * Branch and call destinations: through relocations where the object has them, from the immediate
 * otherwise. Decides sibling (tail) calls, retpoline/return-thunk calls, and which calls never return.
 */
import { fallsThrough, InsnKind, isCall } from '../arch/arch.js';
import { STB_GLOBAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_SECTION } from '../elf/constants.js';
import { B } from '../program/program.js';
import type { Program } from '../program/program.js';
import type { Context } from './context.js';
import { SF } from './context.js';
import { NORETURN_NAMES, USERSPACE_NORETURNS, isRustNoreturn, stripVersion } from './noreturns.js';

export function isStaticJump(kind: number): boolean {
  return kind === InsnKind.JumpCond || kind === InsnKind.JumpUncond;
}

/**
 * Relocations of rows asked for in ascending order (a pass over `Program.branchRows`): what
 * `Program.insnReloc` answers (the index in the relocation table of the row's section, or -1, and
 * rows without one marked NoReloc), found by walking each section's sorted relocations alongside
 * the rows instead of a binary search per row. A section's relocations are read when a row of it
 * is first asked about, as insnReloc reads them.
 */
class RelocCursor {
  private sec = -1;
  private offsets: Float64Array | undefined;
  private order: Int32Array | undefined;
  private k = 0;

  constructor(private readonly p: Program) {}

  of(i: number): number {
    const p = this.p;
    const bits = p.bits;
    if (bits[i] & (B.NoReloc | B.Synthetic)) return -1;
    const sec = p.sec[i];
    if (sec !== this.sec) {
      this.sec = sec;
      const r = p.relocs.of(sec);
      this.offsets = r?.offsets;
      this.order = r?.order;
      this.k = 0;
    }
    const offsets = this.offsets;
    if (offsets !== undefined) {
      const o = p.off[i];
      let k = this.k;
      while (k < offsets.length && offsets[k] < o) k++;
      this.k = k;
      if (k < offsets.length && offsets[k] < o + p.len[i]) return this.order![k];
    }
    bits[i] |= B.NoReloc;
    return -1;
  }
}

export function callDest(ctx: Context, i: number): number {
  const k = ctx.prog.kind[i];
  if (k === InsnKind.JumpDynamic || k === InsnKind.CallDynamic) return -1;
  return ctx.prog.callDestOf(i);
}

export function isJumpTableJump(ctx: Context, i: number): boolean {
  const p = ctx.prog;
  if (p.hasJumpTable(i)) return true;
  const g = p.altGroupOf(i);
  if (g < 0) return false;
  const grp = p.altGroups[g];
  return grp.orig >= 0 && p.hasJumpTable(p.altGroups[grp.orig].first);
}

export function isSiblingCall(ctx: Context, i: number): boolean {
  const p = ctx.prog;
  if (p.func(i) >= 0 && p.kind[i] === InsnKind.JumpDynamic) return !isJumpTableJump(ctx, i);
  return isStaticJump(p.kind[i]) && (callDest(ctx, i) >= 0 || (p.bits[i] & B.ExternalTail) !== 0);
}

/** Does row `i` dispatch through a jump table left unproven (`Context.unresolvedDispatches`)? */
export function isUnresolvedDispatch(ctx: Context, i: number): boolean {
  return ctx.prog.kind[i] === InsnKind.JumpDynamic && ctx.unresolvedDispatches.has(i);
}

/**
 * A dynamic jump the walks take as a tail call: a sibling call, unless it dispatches through a jump
 * table left unproven (the walk's path ends there). Only the walks ask this: whether a function
 * returns is inferred before the tables are recovered.
 */
export function isDynamicTailCall(ctx: Context, i: number): boolean {
  return isSiblingCall(ctx, i) && !isUnresolvedDispatch(ctx, i);
}

/** Does calling symbol `f` never return? (global noreturn list, or a local function without a return) */
export function deadEndFunction(ctx: Context, f: number, depth = 0): boolean {
  const p = ctx.prog;
  const { syms } = p;
  if (f < 0) return false;
  if (syms.bind[f] === STB_GLOBAL || syms.bind[f] === STB_WEAK) {
    const name = syms.name(f);
    if (isRustNoreturn(name) || NORETURN_NAMES.has(name)) return true;
    if (!ctx.opts.kernel && USERSPACE_NORETURNS.has(stripVersion(name))) return true;
  }
  if (!ctx.opts.kernel && syms.type[f] === STT_FUNC) {
    const name = syms.name(f);
    if (name.endsWith('@plt') && USERSPACE_NORETURNS.has(stripVersion(name.slice(0, -4)))) return true;
  }
  if (syms.bind[f] === STB_WEAK) return false;
  if (!syms.len[f] || syms.sec[f] === 0) return false;
  const i = p.find(syms.sec[f], syms.offset[f]);
  if (i < 0 || p.func(i) < 0) return false;
  if (scanFunction(ctx, i, SCAN_RETURN) >= 0) return false;
  if (!ctx.opts.kernel && continuesIntoReturningCode(ctx, f, i, depth)) return false;
  const j = scanFunction(ctx, i, SCAN_SIBLING);
  if (j < 0) return true;
  const d = p.jumpDestOf(j);
  if (d < 0) return false;
  if (depth === 5) return false;
  return deadEndFunction(ctx, p.func(d), depth + 1);
}

/**
 * Userspace: does function `f` continue into another function (not its `.cold` part) whose code
 * returns, by a jump into its middle or by running off its own end? Hand-written assembly shares a
 * tail that way: GMP's `__gmpn_sub_nc` (AArch64) sets the borrow and branches into `__gmpn_sub_n` after
 * its first instruction, and x86-64 `__gmpn_modexact_1_odd` is one `mov $0,%ecx` that runs on into
 * `__gmpn_modexact_1c_odd`. Neither is a sibling call (none lands on a function start through a
 * jump), so without this `f` would look like a function that never returns.
 */
function continuesIntoReturningCode(ctx: Context, f: number, start: number, depth: number): boolean {
  const p = ctx.prog;
  const end = Math.min(p.count, p.secRange(p.sec[start])[1]);
  let last = -1;
  for (let r = start; r < end && p.sym[r] === f; r++) {
    const k = p.kind[r];
    if (k !== InsnKind.Nop) last = r;
    if (k !== InsnKind.JumpCond && k !== InsnKind.JumpUncond) continue;
    const d = p.jumpDestOf(r);
    if (d >= 0 && continuesInto(ctx, f, d, depth)) return true;
  }
  if (last < 0) return false;
  const next = p.next(last);
  // a function whose code ends in a call is taken to end in a call that never returns
  const k = p.kind[last];
  return next >= 0 && fallsThrough(k) && !isCall(k) && continuesInto(ctx, f, next, depth);
}

/** Does row `d`, reached from function `f`, lie in another function that can return? */
function continuesInto(ctx: Context, f: number, d: number, depth: number): boolean {
  const { syms } = ctx.prog;
  const df = ctx.prog.func(d);
  if (df < 0 || syms.pfunc[df] === syms.pfunc[f]) return false;
  return depth === 5 || !deadEndFunction(ctx, df, depth + 1);
}


/** `scanFunction` modes: the first return, or the first jump that is a sibling call. */
const SCAN_RETURN = 0;
const SCAN_SIBLING = 1;

/**
 * The first row, in `nextInFunc` order from row `i`, that is a return (SCAN_RETURN) or a jump
 * that is a sibling call (SCAN_SIBLING); -1 when there is none. The same rows `nextInFunc` visits
 * (the function's contiguous rows in its section, then its `.cold` child's), read straight from the
 * columns: a row belongs to function `f` exactly when its symbol is `f` (a function symbol).
 */
function scanFunction(ctx: Context, i: number, mode: number): number {
  const p = ctx.prog;
  const { kind, sym } = p;
  const count = p.count;
  const cfunc = p.syms.cfunc;
  let j = i;
  while (j >= 0) {
    const f = p.func(j);
    // the run: row j, then the rows after it that belong to f, up to its section's end (synthetic
    // rows have no successor)
    const lim = f >= 0 && j < count ? Math.min(count, p.secRange(p.sec[j])[1]) : j + 1;
    if (mode === SCAN_RETURN) {
      if (kind[j] === InsnKind.Return) return j;
      for (let r = j + 1; r < lim && sym[r] === f; r++) if (kind[r] === InsnKind.Return) return r;
    } else {
      for (let r = j; r === j || (r < lim && sym[r] === f); r++) {
        // only jumps can be sibling calls
        const k = kind[r];
        if ((k === InsnKind.JumpDynamic || k === InsnKind.JumpCond || k === InsnKind.JumpUncond) && isSiblingCall(ctx, r)) return r;
      }
    }
    if (f < 0) return -1;
    const c = cfunc[f];
    if (c === f || c < 0) return -1;
    j = p.find(p.syms.sec[c], p.syms.offset[c]);
  }
  return -1;
}

function removeOps(ctx: Context, i: number): void {
  ctx.prog.opCount[i] = 0;
}

/** `r`: the row's relocation (`RelocCursor.of`). */
function annotateCallSite(ctx: Context, i: number, sibling: boolean, r: number): void {
  const p = ctx.prog;
  let sym = callDest(ctx, i);
  if (sym < 0 && r >= 0) sym = p.relocs.of(p.sec[i])!.table.sym[r];
  if (p.elf.sections[p.sec[i]].name === '.altinstr_replacement') return;
  const fl = ctx.symFlags[sym];
  if (fl & SF.StaticCallTramp) { ctx.staticCallList.push(i); return; }
  if (fl & SF.RetpolineThunk) { ctx.retpolineCallList.push(i); return; }
  const k = p.arch.kernel;
  if (ctx.opts.hackNoinstr && (p.secRole[p.sec[i]] & 2) && (fl & SF.ProfilingFunc) && k) {
    if (r >= 0) ctx.relocTypeChanges.push({ sec: p.sec[i], reloc: r, type: 0 });
    const bytes = sibling ? k.retBytes(p.len[i]) : k.nopBytes(p.len[i]);
    if (bytes) ctx.patches.push({ sec: p.sec[i], off: p.off[i], bytes });
    else ctx.diag.warn(`invalid ${sibling ? 'RET' : 'NOP'} size: ${p.len[i]}\n`);
    p.kind[i] = sibling ? InsnKind.Return : InsnKind.Nop;
    if (sibling) p.bits[i] |= B.RetpolineSafe;
    return;
  }
  if (ctx.opts.mcount && (fl & SF.Fentry)) {
    if (sibling) ctx.warnInsn(i, 'tail call to __fentry__ !?!?');
    if (ctx.opts.mnop && k) {
      if (r >= 0) ctx.relocTypeChanges.push({ sec: p.sec[i], reloc: r, type: 0 });
      const bytes = k.nopBytes(p.len[i]);
      if (bytes) ctx.patches.push({ sec: p.sec[i], off: p.off[i], bytes });
      p.kind[i] = InsnKind.Nop;
    }
    ctx.mcountLocList.push(i);
    return;
  }
  // the list is only written out with these options (objtool-output.ts, .call_sites): a library's
  // 700 K calls would otherwise grow a JS array through ~20 MB of fresh pages for nothing
  if (ctx.opts.rethunk && ctx.opts.hackSkylake && p.kind[i] === InsnKind.Call && !(p.secRole[p.sec[i]] & 4)) ctx.callList.push(i);
  if (!sibling && deadEndCallee(ctx, sym)) p.bits[i] |= B.DeadEnd;
}

/** deadEndFunction for a call site, through `ctx.deadEndMemo` while call destinations are added. */
function deadEndCallee(ctx: Context, sym: number): boolean {
  const memo = ctx.deadEndMemo;
  if (memo === null || sym < 0 || sym >= memo.length) return deadEndFunction(ctx, sym);
  if (memo[sym] === 0) memo[sym] = deadEndFunction(ctx, sym) ? 1 : 2;
  return memo[sym] === 1;
}

/** `r`: the row's relocation (`RelocCursor.of`). */
function addCallDest(ctx: Context, i: number, dest: number, sibling: boolean, r: number): void {
  ctx.prog.setCallDest(i, dest);
  if (dest < 0) return;
  removeOps(ctx, i);
  annotateCallSite(ctx, i, sibling, r);
}

/** `r`: the row's relocation (`RelocCursor.of`). */
function addRetpolineCall(ctx: Context, i: number, r: number): void {
  const p = ctx.prog;
  switch (p.kind[i]) {
    case InsnKind.Call: p.kind[i] = InsnKind.CallDynamic; break;
    case InsnKind.JumpUncond: p.kind[i] = InsnKind.JumpDynamic; break;
    case InsnKind.JumpCond: p.kind[i] = InsnKind.JumpDynamicCond; break;
    default: return;
  }
  p.bits[i] |= B.RetpolineSafe;
  removeOps(ctx, i);
  annotateCallSite(ctx, i, false, r);
}

function addReturnCall(ctx: Context, i: number, add: boolean): void {
  const p = ctx.prog;
  p.kind[i] = InsnKind.Return;
  p.bits[i] |= B.RetpolineSafe;
  if (add) ctx.returnThunkList.push(i);
}

function isFirstFuncInsn(ctx: Context, i: number, sym: number): boolean {
  const p = ctx.prog;
  if (p.off[i] === p.syms.offset[sym]) return true;
  if (ctx.opts.ibt) {
    const prev = p.prevSameSym(i);
    if (prev >= 0 && p.kind[prev] === InsnKind.Endbr && p.off[i] === p.syms.offset[sym] + p.len[prev]) return true;
  }
  return false;
}

function jumpIsSiblingCall(ctx: Context, from: number, to: number): boolean {
  const p = ctx.prog;
  const fs = p.sym[from];
  const ts = p.sym[to];
  if (ts < 0 || (fs < 0 && ctx.opts.kernel)) return false;
  if (!isFirstFuncInsn(ctx, to, ts)) return false;
  if (p.syms.type[ts] === STT_NOTYPE) return false;
  // userspace: code no symbol owns (a stripped binary's `.cold` parts, whose FDEs do not start like
  // functions) leaves by tail calls too, `jmp __cxa_end_catch@plt` after its epilogue
  return fs < 0 || p.syms.pfunc[fs] !== p.syms.pfunc[ts];
}

/** Immediate-relative destination of a direct branch, as a section offset. */
function immediateDest(ctx: Context, i: number): number {
  const p = ctx.prog;
  const t = p.target[i];
  if (t < 0) return -1;
  return p.elf.type === 1 ? t : t - p.sectionAddr(p.sec[i]);
}

export function addJumpDestinations(ctx: Context): void {
  const p = ctx.prog;
  const { syms } = p;
  const k = p.arch.kernel;
  // the kind column is read once per row here: a local (kinds change only at jumps already passed)
  const kind = p.kind;
  const rows = p.branchRows;
  const relocs = new RelocCursor(p);
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    const ki = kind[i];
    if (ki !== InsnKind.JumpCond && ki !== InsnKind.JumpUncond) continue;
    if (p.jumpDestOf(i) >= 0) continue;
    const func = p.func(i);
    const r = relocs.of(i);
    let destSec: number;
    let destOff: number;
    if (r < 0) {
      destSec = p.sec[i];
      destOff = immediateDest(ctx, i);
    } else {
      const rt = p.relocs.of(p.sec[i])!.table;
      const s = rt.sym[r];
      const fl = ctx.symFlags[s];
      if (syms.type[s] === STT_SECTION) {
        destSec = syms.sec[s];
        destOff = k ? k.destRelocOffset(rt.addend[r]) : rt.addend[r];
      } else if (fl & SF.RetpolineThunk) {
        addRetpolineCall(ctx, i, r);
        continue;
      } else if (fl & SF.ReturnThunk) {
        addReturnCall(ctx, i, true);
        continue;
      } else if (func >= 0) {
        addCallDest(ctx, i, s, true, r);
        continue;
      } else if (syms.sec[s] !== 0) {
        destSec = syms.sec[s];
        destOff = syms.offset[s] + (k ? k.destRelocOffset(rt.addend[r]) : rt.addend[r]);
      } else {
        continue;
      }
    }
    let dest = p.find(destSec, destOff);
    if (dest < 0 && !ctx.opts.kernel && r < 0) {
      // linked files: a jump may leave its section (to .plt, to another text section)
      const t = p.target[i];
      dest = t >= 0 ? p.findAddr(t) : -1;
      if (dest < 0 || p.func(dest) < 0) {
        p.bits[i] |= B.ExternalTail;
        continue;
      }
    }
    if (dest < 0) {
      const sym = syms.symbolAt(destSec, destOff);
      if (sym >= 0 && (ctx.symFlags[sym] & SF.EmbeddedInsn)) {
        addReturnCall(ctx, i, false);
        continue;
      }
      if (ctx.ignoreUnreachables && func >= 0 && destSec === p.sec[i] && destOff === syms.offset[func] + syms.len[func]) continue;
      ctx.fatalInsn(i, `can't find jump dest instruction at ${p.elf.sections[destSec]?.name ?? ''}+0x${destOff.toString(16)}`);
    }
    const ds = p.sym[dest];
    if (ds >= 0 && p.off[dest] === syms.offset[ds]) {
      if (ctx.symFlags[ds] & SF.RetpolineThunk) { addRetpolineCall(ctx, i, r); continue; }
      if (ctx.symFlags[ds] & SF.ReturnThunk) { addReturnCall(ctx, i, true); continue; }
    }
    const df = p.func(dest);
    if (func >= 0 && df >= 0 && func !== df) {
      if (!syms.name(func).includes('.cold') && syms.name(df).includes('.cold')) {
        syms.cfunc[func] = df;
        syms.pfunc[df] = func;
      }
    }
    if (jumpIsSiblingCall(ctx, i, dest)) {
      addCallDest(ctx, i, df, true, r);
      continue;
    }
    p.setJumpDest(i, dest);
  }
}

function findCallDestination(ctx: Context, sec: number, off: number): number {
  const s = ctx.prog.syms.funcAt(sec, off);
  return s >= 0 ? s : ctx.prog.syms.symbolAt(sec, off);
}

export function addCallDestinations(ctx: Context): void {
  ctx.deadEndMemo = new Int8Array(ctx.prog.syms.count);
  try {
    addCallDestinationsMemo(ctx);
  } finally {
    ctx.deadEndMemo = null;
  }
}

function addCallDestinationsMemo(ctx: Context): void {
  const p = ctx.prog;
  const { syms } = p;
  const k = p.arch.kernel;
  const kind = p.kind;
  const rows = p.branchRows;
  const relocs = new RelocCursor(p);
  // a direct call's destination depends only on its section and target, and calls go to few
  // places (libLLVM: 707 K calls, 51 K targets): each is looked up once per section. The value is
  // the symbol found in the call's section (>= 0), or -2 - the function found by address.
  const destOf = new Map<number, number>();
  let destOfSec = -1;
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    if (kind[i] !== InsnKind.Call) continue;
    const r = relocs.of(i);
    if (r < 0) {
      if (p.sec[i] !== destOfSec) { destOf.clear(); destOfSec = p.sec[i]; }
      const t = p.target[i];
      let found = destOf.get(t);
      if (found === undefined) {
        found = findCallDestination(ctx, p.sec[i], immediateDest(ctx, i));
        // linked files: calls go to other sections (.plt) or to code without symbols
        // (`pltSymbol` is `funcAtAddr`: a stub has its own function, found the same way)
        if (found < 0 && !ctx.opts.kernel) found = -2 - (t >= 0 ? p.funcAtAddr(t) : -1);
        destOf.set(t, found);
      }
      let dest = found;
      if (!ctx.opts.kernel && dest < 0) {
        dest = -2 - found;
        addCallDest(ctx, i, dest, false, r);
        // a call returns to the next instruction with the stack as it was, wherever it goes;
        // only a call to the next instruction (a pc-reading idiom) keeps its push
        if (dest < 0 && p.target[i] !== p.addrOf(i) + p.len[i]) removeOps(ctx, i);
        continue;
      }
      addCallDest(ctx, i, dest, false, r);
      if (p.bits[i] & B.Ignore) continue;
      if (callDest(ctx, i) < 0) ctx.fatalInsn(i, 'unannotated intra-function call');
      if (p.func(i) >= 0 && syms.type[callDest(ctx, i)] !== STT_FUNC) ctx.fatalInsn(i, 'unsupported call to non-function');
      continue;
    }
    const rt = p.relocs.of(p.sec[i])!.table;
    const s = rt.sym[r];
    if (syms.type[s] === STT_SECTION) {
      const destOff = k ? k.destRelocOffset(rt.addend[r]) : rt.addend[r];
      const dest = findCallDestination(ctx, syms.sec[s], destOff);
      if (dest < 0) ctx.fatalInsn(i, `can't find call dest symbol at ${p.elf.sections[syms.sec[s]].name}+0x${destOff.toString(16)}`);
      addCallDest(ctx, i, dest, false, r);
    } else if (ctx.symFlags[s] & SF.RetpolineThunk) {
      addRetpolineCall(ctx, i, r);
    } else {
      addCallDest(ctx, i, s, false, r);
    }
  }
}
