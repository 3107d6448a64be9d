/**
 * Exception landing pads as entry points of the analysis. Nothing branches to a landing pad: the
 * personality routine resumes the frame there when an exception passes a call its LSDA call-site
 * record covers (`.gcc_except_table`, src/dwarf/lsda.ts). The unwinder has then restored the frame
 * as it was at that call, so the pad starts with the state right after the call instruction.
 *
 * Pads are seeded to a fixed point: a call site inside a catch block is reached only once that
 * block's own pad has been walked, so each round seeds the pads whose call is now reached, until
 * a round adds none. Rounds are bounded by the number of pads (each seeds at most once).
 */
import { InsnKind, isCall } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { CfaEvaluator, LsdaReader } from '../dwarf/index.js';
import type { CfiSection, Fde } from '../dwarf/index.js';
import { FormatError } from '../elf/errors.js';
import { updateState, UpdateError } from './update.js';
import type { Op, UpdateEnv } from './update.js';
import { Validator } from './validate.js';
import { OP_WORDS, loadOp } from '../program/insns.js';
import { VISITED_MASK } from '../program/program.js';
import { CodeSections } from '../program/fde-code.js';

/** Walks every landing pad whose call is reached; returns how many pads were walked. */
export function analyseLandingPads(ctx: Context, tables: readonly CfiSection[], validator?: Validator, pads = collectPads(ctx, tables)): number {
  if (pads.count === 0) return 0;
  const p = ctx.prog;
  let v = validator;
  let s: Int32Array | undefined;
  const env: UpdateEnv = {
    arch: p.arch, L: ctx.L, stackval: ctx.opts.stackval, inFunc: true, nextIsHint: false, framePointerSym: false,
    trackRestores: !ctx.opts.kernel, changed: false,
  };
  const done = new Uint8Array(pads.count);
  const evaluators = new Map<CfiSection, CfaEvaluator>();
  let walked = 0;
  for (let progress = true; progress;) {
    progress = false;
    for (let k = 0; k < pads.count; k++) {
      if (done[k]) continue;
      const lp = pads.pad[k];
      if (p.cfi[lp] >= 0 || (p.bits[lp] & VISITED_MASK)) { done[k] = 1; continue; }
      const call = reachedCall(ctx, pads.first[k], pads.end[k]);
      if (call < 0) continue;
      done[k] = 1;
      v ??= new Validator(ctx);
      s ??= v.newState(false, false);
      if (!stateAfterCall(ctx, env, call, s)) continue;
      popArgs(ctx, s, pads, k, call, evaluators);
      const f = p.func(lp);
      v.validateBranch(f >= 0 ? p.syms.pfunc[f] : -1, lp, s);
      walked++;
      progress = true;
    }
  }
  return walked;
}

/** Landing pads with their call-site ranges, as rows: pad row, first row of the range, range end (section offset). */
export interface Pads {
  count: number;
  pad: Int32Array;
  first: Int32Array;
  end: Float64Array;
  /** the pad's FDE and its table (for DW_CFA_GNU_args_size at the call), and the FDE's address of section offset 0 */
  fde: Fde[];
  table: CfiSection[];
  base: number[];
}

/** The landing pads of the run's unwind tables, read once: the table proof and the pad walks both use them. */
export function tablePads(ctx: Context): Pads {
  return (ctx.landingPads ??= collectPads(ctx, ctx.unwindTables));
}

/** The landing pads of every LSDA, read once (`analyseLandingPads` runs more than once per file). */
export function collectPads(ctx: Context, tables: readonly CfiSection[]): Pads {
  const p = ctx.prog;
  const out: Pads = { count: 0, pad: new Int32Array(64), first: new Int32Array(64), end: new Float64Array(64), fde: [], table: [], base: [] };
  const code = new CodeSections(p);
  let lsda: LsdaReader | undefined;
  for (const cfi of tables) {
    if (cfi.kind !== 'eh_frame') continue; // LSDAs belong to .eh_frame's augmentation
    for (const fde of cfi.fdes) {
      if (!fde.lsda) continue;
      const c = code.locate(fde);
      if (!c) continue;
      lsda ??= new LsdaReader(p.elf);
      let n: number;
      try {
        n = lsda.read(cfi, fde);
      } catch (e) {
        if (e instanceof FormatError) continue; // an unreadable LSDA: its pads stay unreached
        throw e;
      }
      const size = p.elf.sections[c.sec].size;
      for (let k = 0; k < n; k++) {
        const lpOff = lsda.landingPad[k] - c.base;
        const startOff = lsda.csStart[k] - c.base;
        if (lpOff < 0 || lpOff >= size || startOff < 0 || startOff >= size) continue;
        const pad = p.find(c.sec, lpOff);
        const first = firstRowAtOrAfter(ctx, c.sec, startOff, lsda.csEnd[k] - c.base);
        if (pad < 0 || first < 0) continue;
        add(out, pad, first, lsda.csEnd[k] - c.base, fde, cfi, c.base);
      }
    }
  }
  return out;
}

function add(out: Pads, pad: number, first: number, end: number, fde: Fde, table: CfiSection, base: number): void {
  if (out.count === out.pad.length) {
    const m = out.count * 2;
    const pd = new Int32Array(m); pd.set(out.pad); out.pad = pd;
    const fr = new Int32Array(m); fr.set(out.first); out.first = fr;
    const en = new Float64Array(m); en.set(out.end); out.end = en;
  }
  out.pad[out.count] = pad;
  out.first[out.count] = first;
  out.end[out.count] = end;
  out.fde.push(fde);
  out.table.push(table);
  out.base.push(base);
  out.count++;
}

/** The first instruction of section `sec` at or after offset `off` and before `end`, or -1. */
function firstRowAtOrAfter(ctx: Context, sec: number, off: number, end: number): number {
  const p = ctx.prog;
  const exact = p.find(sec, off);
  if (exact >= 0) return exact;
  // a range need not start on an instruction boundary (Clang starts ranges at labels, GCC at the call)
  for (let o = off + 1; o < end && o < off + 16; o++) {
    const r = p.find(sec, o);
    if (r >= 0) return r;
  }
  return -1;
}

/** The last call in the range [first, end) the analysis reached, or -1. */
function reachedCall(ctx: Context, first: number, end: number): number {
  const p = ctx.prog;
  const sec = p.sec[first];
  let found = -1;
  for (let i = first; i >= 0 && p.sec[i] === sec && p.off[i] < end; i = p.next(i)) {
    const k = p.kind[i];
    if (isCall(k) && p.cfi[i] >= 0) found = i;
  }
  return found;
}

/**
 * The unwinder pops the outgoing arguments a call's caller pushed (DW_CFA_GNU_args_size at the call)
 * before it resumes at the pad: LLVM pushes stack arguments on x86-64 and says so, and its pads start
 * with the arguments gone. The size is the table's instruction to the unwinder, which the runtime
 * follows, so the code's state at the pad follows it too.
 */
function popArgs(ctx: Context, s: Int32Array, pads: Pads, k: number, call: number, evaluators: Map<CfiSection, CfaEvaluator>): void {
  const fde = pads.fde[k];
  const table = pads.table[k];
  let ev = evaluators.get(table);
  if (!ev) { ev = new CfaEvaluator(table); evaluators.set(table, ev); }
  let size = 0;
  try {
    ev.begin(fde);
    if (ev.seek(ctx.prog.off[call] + pads.base[k])) size = ev.argsSize;
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
  if (size <= 0) return;
  const L = ctx.L;
  s[L.stackSize] -= size;
  if (s[L.cfaBase] === ctx.prog.arch.regs.sp) s[L.cfaOff] -= size;
}

const op: Op = { destType: 0, destReg: 0, destOff: 0, srcType: 0, srcReg: 0, srcOff: 0 };

/**
 * The state after call row `i` into `s` (path flags cleared): the state recorded on entry, the
 * call's own stack ops applied, and on link-register machines the return-address register no
 * longer equal to its save slot (the call wrote it). False when the ops cannot be applied.
 */
function stateAfterCall(ctx: Context, env: UpdateEnv, i: number, s: Int32Array): boolean {
  const p = ctx.prog;
  const L = ctx.L;
  s.fill(0, L.size);
  ctx.pool.load(p.cfi[i], s.subarray(0, L.size));
  const n = p.opCount[i];
  let w = p.opStartOf(i) * OP_WORDS;
  env.inFunc = p.func(i) >= 0;
  for (let k = 0; k < n; k++, w += OP_WORDS) {
    loadOp(p.ops, w, op);
    if (updateState(env, s, op) !== UpdateError.None) return false;
  }
  if (env.trackRestores && !p.arch.callPushesRa) s[L.restored + p.arch.regs.ra] = 0;
  return true;
}
