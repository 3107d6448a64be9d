/**
 * Table-guided proof: an FDE whose rules hold along every edge the frame walk would take is `agrees`
 * without the walk. The table's row at each instruction is taken as the claim; each instruction's
 * stack ops are applied to it and the result compared with the row at every successor. When the
 * first row of every walk root is the entry state and every such step holds, every path from a root
 * carries the table's rules (induction over path length), which is what the walk would find.
 *
 * The semantics are the stack-op model's (the same ops, the same blind spots) reduced to what verify
 * compares: the CFA as distances from sp and from fp, and for the frame pointer and the return address
 * whether the caller's value is still in its register and in which frame slot it was saved. Anything
 * else (another CFA register, DWARF expressions, realignment, outgoing arguments popped before a landing pad, hints, pointer signing,
 * code outside functions, a path the walk would stop at with a warning) leaves the FDE to the walk.
 * So does an FDE that code the proof does not cover can jump into, and an FDE whose code jumps into
 * an FDE left to the walk keeps its own walk (that walk gives the other FDE its states).
 *
 * Used by verify (pipeline option `proveTables`): its verdict for a proven FDE is `agrees` and the
 * walk skips the code of proven FDEs. Which rows a walk reaches is decided here from the structure
 * (roots, jumps, jump tables, falling through), so the proof needs no walk of its own.
 */
import { InsnKind, isCall, OpDest, OpSrc } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { isDynamicTailCall, isSiblingCall, isUnresolvedDispatch } from '../cfg/destinations.js';
import { isPadding } from '../checks/reachable.js';
import { CfaEvaluator, CfaKind, RuleKind, dwarfFramePointer, dwarfStackPointer } from '../dwarf/index.js';
import type { CfiSection, Fde } from '../dwarf/index.js';
import { FormatError } from '../elf/errors.js';
import { CodeSections } from '../program/fde-code.js';
import { OP_WORDS, opDestReg, opDestType, opSrcReg, opSrcType } from '../program/insns.js';
import { B } from '../program/program.js';
import { PAC_FLAGS, PLAIN_KINDS } from './validate.js';
import { tablePads } from './landing-pads.js';
import type { Program } from '../program/program.js';
import { STT_FUNC } from '../elf/constants.js';
import { grown } from '../typed-arrays.js';

export interface TableProof {
  /** FDEs shown to agree at every instruction */
  proven: ProvenFdes;
  /** FDEs whose code's CFA was worked out at every instruction, and where it differs from the table */
  settled: SettledFdes;
  /**
   * FDEs whose rules hold wherever the walk would reach, with code it would not reach or a jump table
   * left unproven on the way: the walk's verdict, `unknown`, and the row its reason names
   */
  partial: PartialFdes;
  /**
   * rows no walk needs to visit (their FDE is proven or settled and leads only into such FDEs):
   * REACHED where a settled FDE's code is reached (what the walk would have reached), else 1
   */
  skipWalk: Uint8Array;
}

/** `TableProof.skipWalk`: a settled FDE's row that paths from the function entries reach. */
export const REACHED = 2;

/** `fde`'s index in `table`, or -1 when it is none of its FDEs (or there is no table). */
function indexIn(table: CfiSection | undefined, fde: Fde): number {
  return table !== undefined && table.fdes[fde.index] === fde ? fde.index : -1;
}

/** Entries of a per-FDE column that are set (>= 0). */
function countSet(col: Int32Array): number {
  let n = 0;
  for (let k = 0; k < col.length; k++) if (col[k] >= 0) n++;
  return n;
}

/** FDEs of one table, by their index in it (a Set of some 10^5 FDE objects costs a hash per object). */
export class ProvenFdes {
  readonly size: number;

  constructor(private readonly table: CfiSection | undefined, private readonly byIndex: Uint8Array) {
    let n = 0;
    for (let k = 0; k < byIndex.length; k++) n += byIndex[k];
    this.size = n;
  }

  has(fde: Fde): boolean {
    const k = indexIn(this.table, fde);
    return k >= 0 && this.byIndex[k] === 1;
  }
}

/**
 * FDEs of one table whose every reached row holds the table's rules (or, settled, whose differences
 * are known) but that the walk leaves `unknown` (a settled one: where no difference is compared): by
 * FDE index, the row its reason names: the first reached dispatch through a jump table left unproven,
 * else the first row not reached that is no padding (-1: none).
 */
export class PartialFdes {
  readonly size: number;

  constructor(private readonly table: CfiSection | undefined, private readonly rowOf: Int32Array,
    private readonly reachedOf: Uint8Array) {
    this.size = countSet(rowOf);
  }

  /** The row the FDE's reason names, or -1 when it is not one of these. */
  row(fde: Fde): number {
    const k = indexIn(this.table, fde);
    return k < 0 ? -1 : this.rowOf[k];
  }

  /** The row is reached (a dispatch whose table was not proven), not unreached code. */
  reached(fde: Fde): boolean {
    return this.row(fde) >= 0 && this.reachedOf[fde.index] === 1;
  }
}

/**
 * FDEs of one table settled with differences: their code is self-contained (nothing outside leads in,
 * nothing leads out but returns and tail calls), paths never meet with different states, and every
 * row where the code's CFA differs from the table's is listed with the code's distance, from the
 * table's base register (sp or fp), to the CFA. Every other rule holds at every row.
 */
export class SettledFdes {
  readonly size: number;

  constructor(private readonly table: CfiSection | undefined, private readonly startOf: Int32Array,
    private readonly countOf: Int32Array, readonly rows: Int32Array, readonly dist: Int32Array) {
    this.size = countSet(startOf);
  }

  /** Where the FDE's differing rows start in `rows`/`dist`, or -1 when it is not settled. */
  start(fde: Fde): number {
    const k = indexIn(this.table, fde);
    return k < 0 ? -1 : this.startOf[k];
  }

  count(fde: Fde): number {
    return this.start(fde) < 0 ? 0 : this.countOf[fde.index];
  }
}

/** Distance not known. */
const UNK = 0x7fffffff;
/** A register rule: the caller's value is in the register (else: a negative CFA offset where it is saved). */
const SAME = 1;

// Row flags (`mark`):
/** something other than the row before leads here (a jump, a jump table, a root, code outside the FDE) */
const JOIN = 1;
/** a walk starts here with the function-entry state */
const ROOT = 2;
/** code outside the row's FDE may lead here: its state is the table's rules alone */
const EXT_IN = 4;
/** the first row of an FDE */
const FDE_FIRST = 8;
/** a call whose call-site records name landing pads (`padsOf`) */
const PADS = 16;

/** Kinds whose only successor is the next row (calls: when no landing pad follows them). */
const FALL_KINDS = PLAIN_KINDS | (1 << InsnKind.Call) | (1 << InsnKind.CallDynamic);

/** Outcome of `edges`: the successors are in `succ`; EXIT: a return or tail call (the entry state is due). */
const EXIT = -2;
const FAIL = -1;
/** Outcomes of a pass of `proveFde` (or FAIL): no state of a row already passed changed, or one did. */
const DONE = 0;
const AGAIN = 1;

/**
 * Proves what it can of the run's unwind tables (one table, the usual case for linked files; with
 * several, a row may be described twice and nothing is proven) against the analysed program before the walk.
 */
export function proveTables(ctx: Context): TableProof | undefined {
  const tables = ctx.unwindTables;
  if (tables.length !== 1 || ctx.prog.count === 0) return undefined;
  return new Prover(ctx, tables[0]).run();
}

class Prover {
  private readonly p: Program;
  private readonly flags: Uint8Array;
  private succ = new Int32Array(64);
  /** index in `succ` of the fall-through successor, or -1 */
  private fallIdx = -1;
  private readonly SP: number;
  private readonly FP: number;
  private readonly RA: number;
  private readonly slot: number;
  private readonly lr: boolean;
  private readonly entrySp: number;
  private readonly dwarfSp: number;
  private readonly dwarfFp: number;
  // the state being stepped (see the file comment): CFA-sp, CFA-fp, fp and ra rules
  private sp = UNK;
  private fpd = UNK;
  private fpIn = 0;
  private fpSlot = 0;
  private raIn = 0;
  private raSlot = 0;
  // per-FDE table rows by row index from the FDE's first row
  private tBase = new Int8Array(256);
  private tOff = new Int32Array(256);
  private tFp = new Int32Array(256);
  private tRa = new Int32Array(256);
  /** 1 where the next row has the same rules */
  private tSame = new Uint8Array(256);
  // the table being read (beginRows/rowsUpTo): its FDE's rows, the next row to fill, the current
  // table row's end (section offset) and rules
  private ev!: CfaEvaluator;
  private rowsFirst = 0;
  private rowsLast = -1;
  private rowsNext = 0;
  private rowsBase = 0;
  private rowEndOff = -1;
  private rowCb = 0;
  private rowCo = 0;
  private rowFp = 0;
  private rowRa = 0;
  // per-FDE incoming states merged from the rows before (inSet: any yet); seen: stepped in this pass
  private inSet = new Uint8Array(256);
  private seen = new Uint8Array(256);
  /** the row's incoming state changed since it was last stepped */
  private dirty = new Uint8Array(256);
  private inSp = new Int32Array(256);
  private inFpd = new Int32Array(256);
  private inFpIn = new Uint8Array(256);
  private inFpSlot = new Int32Array(256);
  private inRaIn = new Uint8Array(256);
  private inRaSlot = new Int32Array(256);
  /** passes the last `passes` made */
  private passesRun = 0;
  /**
   * the last `passes` stepped an EXT_IN row (when they held, they stepped every one: the first pass
   * steps each such row, from the table's rules)
   */
  private extInSeen = false;
  /**
   * settling (`settle`): a row where the stepped state breaks the table's rules is noted in `mism`
   * (with the code's CFA distance from the table's base register in `mismVal`) instead of ending the
   * proof; `broken`: paths met with different states (the walk decides what the code does there)
   */
  private settling = false;
  private broken = false;
  private mism = new Uint8Array(256);
  private mismVal = new Int32Array(256);
  /** the proof of the last FDE ended where a stepped state did not give a row's rules */
  private heldNot = false;
  /**
   * the last `passes` that held: the row the walk's reason names, from the FDE's first (the first reached
   * dispatch through a table left unproven, else the first row not reached and no padding; -1: none),
   * and which of the two
   */
  private partialAt = -1;
  private partialReached = false;
  /** settled FDEs: their index among the sorted FDEs, where their rows start, how many */
  private readonly settledK: number[] = [];
  private readonly settledAt: number[] = [];
  private readonly settledN: number[] = [];
  /** settled FDEs: the row the walk's reason would name were there no difference (`PartialFdes`; -1: none), and whether reached */
  private readonly settledPartialRow: number[] = [];
  private readonly settledPartialReached: boolean[] = [];
  private settledRows = new Int32Array(1024);
  private settledDist = new Int32Array(1024);
  private settledCount = 0;
  /** rows of settled FDEs no path reaches (padding) */
  private readonly settledUnreached: number[] = [];
  /** rows stepped only because code outside their FDE may lead there, with their FDE: pairs */
  readonly entered: number[] = [];
  /** exception landing pads by the call rows whose call-site records name them */
  private readonly padsOf = new Map<number, number[]>();

  constructor(private readonly ctx: Context, private readonly table: CfiSection) {
    const p = ctx.prog;
    this.p = p;
    this.flags = new Uint8Array(p.count);
    const regs = p.arch.regs;
    this.SP = regs.sp;
    this.FP = regs.fp;
    this.RA = regs.ra;
    this.slot = p.arch.slot;
    this.lr = !p.arch.callPushesRa;
    this.entrySp = p.arch.entryCfa.offset;
    this.dwarfSp = dwarfStackPointer(p.elf.machine);
    this.dwarfFp = dwarfFramePointer(p.elf.machine);
  }

  run(): TableProof {
    const p = this.p;
    // a landing pad is where the personality resumes after a call its call-site record covers:
    // each such call leads there, with the state the call leaves
    const pads = tablePads(this.ctx);
    for (let k = 0; k < pads.count; k++) {
      const sec = p.sec[pads.first[k]];
      for (let i = pads.first[k]; i >= 0 && p.sec[i] === sec && p.off[i] < pads.end[k]; i = p.next(i)) {
        if (!isCall(p.kind[i])) continue;
        const l = this.padsOf.get(i);
        if (l) { if (!l.includes(pads.pad[k])) l.push(pads.pad[k]); } else this.padsOf.set(i, [pads.pad[k]]);
      }
    }
    // the FDEs with code, by first row
    const fdes: Fde[] = [];
    const first: number[] = [];
    const last: number[] = [];
    const code = new CodeSections(p);
    let ascending = true;
    for (const fde of this.table.fdes) {
      if (fde.pcRange <= 0) continue;
      const c = code.locate(fde);
      if (!c || c.first < 0) continue;
      const secEnd = p.secRange(c.sec)[1];
      const endOff = fde.pcBegin + fde.pcRange - c.base;
      if (first.length > 0 && c.first < first[first.length - 1]) ascending = false;
      fdes.push(fde);
      first.push(c.first);
      last.push(lastBefore(p.off, c.first, secEnd, endOff));
    }
    // (linkers write FDEs in address order: then the stable sort would keep the order as it is)
    const n = fdes.length;
    const order = ascending ? undefined : fdes.map((_, k) => k).sort((a, b) => first[a] - first[b]);
    const aFde: Fde[] = new Array<Fde>(n);
    const aFirst = new Int32Array(n);
    const aLast = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const o = order ? order[k] : k;
      aFde[k] = fdes[o];
      aFirst[k] = first[o];
      aLast[k] = last[o];
      // FDEs sharing code: which one a row belongs to is no longer one lookup; left to the walk
      if (k > 0 && aFirst[k] <= aLast[k - 1]) {
        const none = new Int32Array(0);
        return {
          proven: new ProvenFdes(undefined, new Uint8Array(0)), settled: new SettledFdes(undefined, none, none, none, none),
          partial: new PartialFdes(undefined, none, new Uint8Array(0)), skipWalk: new Uint8Array(0),
        };
      }
    }
    this.mark(aFirst, aLast);
    const proven = new Uint8Array(n);
    /** proven FDEs the walk would leave `unknown` (`PartialFdes`): the row named, and whether reached */
    const partialRow = new Int32Array(n).fill(-1);
    const partialReached = new Uint8Array(n);
    /** out-edge of an FDE into code no proven FDE covers: the FDE keeps its walk */
    const leaks = new Uint8Array(n);
    // edges between FDEs: source FDE, target FDE, target row, and the state carried
    const cross = new CrossEdges();
    const ev = new CfaEvaluator(this.table);
    for (let k = 0; k < n; k++) {
      // (an FDE's first row is marked here, not in `mark`: only its own proof and later passes read
      // that mark, and its rows are in the cache here)
      const r = aFirst[k];
      this.flags[r] |= FDE_FIRST;
      const before = p.prev(r);
      if (before >= 0 && mayRunInto(p, before)) this.flags[r] |= EXT_IN | JOIN;
      proven[k] = this.proveFde(ev, aFde[k], r, aLast[k], k, cross, aFirst, aLast) ? 1 : 0;
      if (proven[k] && this.partialAt >= 0) {
        partialRow[k] = r + this.partialAt;
        partialReached[k] = this.partialReached ? 1 : 0;
      }
      // a rule broken on the way: worked out row by row instead when the code keeps to itself
      if (!proven[k] && this.heldNot) this.settle(ev, aFde[k], r, aLast[k], k, cross, aFirst, aLast);
    }
    // code outside the FDEs that held (in no FDE, or in one that did not) that can go on into an
    // FDE: its walk (or one from a root the proof does not model: a landing pad, an FDE entry, a hint)
    // gives that FDE its states, so that FDE is left to the walk too (a settled FDE's code goes
    // nowhere but into itself)
    const settledIn = new Uint8Array(n);
    for (const k of this.settledK) settledIn[k] = 1;
    let g = 0;
    for (let k = 0; k <= n; k++) {
      const end = k < n ? (proven[k] || settledIn[k] ? aFirst[k] : aLast[k] + 1) : p.count;
      for (let r = g; r < end; r++) {
        // (most rows: no branch, and the next row starts no FDE)
        if (((PLAIN_KINDS >> p.kind[r]) & 1) === 1 && !(p.bits[r] & B.HasAlts) && !(r + 1 < p.count && (this.flags[r + 1] & FDE_FIRST))) continue;
        this.taintTargets(r, proven, aFirst, aLast);
      }
      if (k < n) g = Math.max(g, aLast[k] + 1);
    }
    // cross edges: each must meet the target's rules, and come from a proven FDE (to a fixed point)
    for (let e = 0; e < cross.count; e++) {
      const t = cross.to[e];
      if (t < 0) { leaks[cross.from[e]] = 1; continue; }
      if (proven[t] && !this.crossHolds(ev, aFde[t], aFirst[t], cross, e)) proven[t] = 0;
    }
    // rows entered only from outside: the edges that enter each
    const enteredBy = new Map<number, number[]>();
    for (let k = 0; k < this.entered.length; k += 2) enteredBy.set(this.entered[k], []);
    for (let e = 0; e < cross.count; e++) enteredBy.get(cross.row[e])?.push(cross.from[e]);
    for (let changed = true; changed;) {
      changed = false;
      for (let e = 0; e < cross.count; e++) {
        const t = cross.to[e];
        if (t >= 0 && proven[t] && !proven[cross.from[e]]) { proven[t] = 0; changed = true; }
      }
      for (let k = 0; k < this.entered.length; k += 2) {
        const t = this.entered[k + 1];
        const from = enteredBy.get(this.entered[k]) ?? [];
        if (proven[t] && !from.some((f) => proven[f] === 1)) { proven[t] = 0; changed = true; }
      }
    }
    // a proven FDE skips its walk unless it leads into code that still needs one
    const skip = new Uint8Array(n);
    for (let k = 0; k < n; k++) skip[k] = proven[k] && !leaks[k] ? 1 : 0;
    for (let changed = true; changed;) {
      changed = false;
      for (let e = 0; e < cross.count; e++) {
        const f = cross.from[e];
        const t = cross.to[e];
        if (skip[f] && t >= 0 && !skip[t]) { skip[f] = 0; changed = true; }
      }
    }
    const byIndex = new Uint8Array(this.table.fdes.length);
    const partialOf = new Int32Array(this.table.fdes.length).fill(-1);
    const partialReachedOf = new Uint8Array(this.table.fdes.length);
    const skipWalk = this.flags;
    skipWalk.fill(0);
    for (let k = 0; k < n; k++) {
      if (proven[k] && partialRow[k] >= 0) {
        partialOf[aFde[k].index] = partialRow[k];
        partialReachedOf[aFde[k].index] = partialReached[k];
      } else if (proven[k]) byIndex[aFde[k].index] = 1;
      if (skip[k]) skipWalk.fill(1, aFirst[k], aLast[k] + 1);
    }
    // settled FDEs: no edge leads in or out, so nothing above changes them
    const nf = this.table.fdes.length;
    const startOf = new Int32Array(nf).fill(-1);
    const countOf = new Int32Array(nf);
    for (let q = 0; q < this.settledK.length; q++) {
      const k = this.settledK[q];
      startOf[aFde[k].index] = this.settledAt[q];
      countOf[aFde[k].index] = this.settledN[q];
      if (this.settledPartialRow[q] >= 0) {
        partialOf[aFde[k].index] = this.settledPartialRow[q];
        partialReachedOf[aFde[k].index] = this.settledPartialReached[q] ? 1 : 0;
      }
      skipWalk.fill(REACHED, aFirst[k], aLast[k] + 1);
    }
    for (const r of this.settledUnreached) skipWalk[r] = 1;
    const settled = new SettledFdes(this.table, startOf, countOf, this.settledRows, this.settledDist);
    return { proven: new ProvenFdes(this.table, byIndex), settled, partial: new PartialFdes(this.table, partialOf, partialReachedOf), skipWalk };
  }

  /**
   * Marks, from the code's structure alone: the roots (function entries a walk starts at), JOIN rows
   * (a jump, a jump table or a root leads there) and EXT_IN rows (code outside their FDE, ranges
   * aFirst..aLast, may lead there: a jump from elsewhere; the row before an FDE running into it is
   * marked by `run`).
   */
  private mark(aFirst: Int32Array, aLast: Int32Array): void {
    const p = this.p;
    // `dest` holds jump destinations as rows >= 0 (call destinations are negative)
    const { syms, kind, bits, dest } = p;
    const flags = this.flags;
    for (let f = 0; f < syms.count; f++) {
      if (syms.type[f] !== STT_FUNC || !syms.len[f] || syms.pfunc[f] !== f || syms.alias[f] !== f) continue;
      const i = p.find(syms.sec[f], syms.offset[f]);
      if (i >= 0 && !(bits[i] & B.Ignore)) flags[i] |= ROOT | JOIN;
    }
    for (const [call, pl] of this.padsOf) {
      flags[call] |= PADS;
      const from = findRange(aFirst, aLast, call);
      for (const pad of pl) flags[pad] |= from < 0 || pad < aFirst[from] || pad > aLast[from] ? JOIN | EXT_IN : JOIN;
    }
    // direct jumps: only rows decoded as direct branches can be one (Program.branchRows, ascending,
    // so the FDE holding each is found by moving one cursor forward)
    const rows = p.branchRows;
    let cur = 0;
    const n = aFirst.length;
    for (let q = 0; q < rows.length; q++) {
      const i = rows[q];
      const k = kind[i];
      if ((k !== InsnKind.JumpCond && k !== InsnKind.JumpUncond) || dest[i] < 0 || i >= p.count) continue;
      while (cur < n && aLast[cur] < i) cur++;
      const lo = cur < n && aFirst[cur] <= i ? aFirst[cur] : -1;
      const hi = lo >= 0 ? aLast[cur] : -2;
      const j = dest[i];
      flags[j] |= j < lo || j > hi ? JOIN | EXT_IN : JOIN;
    }
    for (const [i, alts] of p.alts) {
      if (i >= p.count || !(bits[i] & B.HasAlts)) continue;
      const from = findRange(aFirst, aLast, i);
      const lo = from >= 0 ? aFirst[from] : -1;
      const hi = from >= 0 ? aLast[from] : -2;
      for (const a of alts) {
        const j = a.insn;
        if (j >= 0) flags[j] |= j < lo || j > hi ? JOIN | EXT_IN : JOIN;
      }
    }
  }

  /**
   * The rows the walk goes on to from row i, in `succ` (count returned; `fallIdx` says which one
   * falls through); EXIT for a return or tail call (no successor; the entry state is due), FAIL where
   * the walk would stop with a warning or the proof does not follow it.
   */
  private edges(i: number): number {
    const p = this.p;
    const bits = p.bits[i];
    this.fallIdx = -1;
    if (bits & B.Hint) return FAIL;
    const fi = p.func(i);
    if (fi < 0) return FAIL;
    const k = p.kind[i];
    if (((PLAIN_KINDS >> k) & 1) && !(bits & (B.HasAlts | B.DeadEnd))) {
      // most rows: the next row, in the same symbol or one of the same function
      const n = p.next(i);
      if (n < 0 || (p.sym[n] !== fi && !this.sameOwner(n, p.syms.pfunc[fi]))) return FAIL;
      this.fallIdx = 0;
      this.succ[0] = n;
      return 1;
    }
    const owner = p.syms.pfunc[fi];
    let m = 0;
    const alts = p.followedAlts(i);
    if (alts) {
      for (const a of alts) {
        if (a.skipOrig) return FAIL;
        if (a.insn < 0) continue;
        if (!this.sameOwner(a.insn, owner)) return FAIL;
        m = this.add(m, a.insn);
      }
    }
    let falls = true;
    switch (k) {
      case InsnKind.Return:
        return m === 0 ? EXIT : FAIL;
      case InsnKind.Call:
      case InsnKind.CallDynamic: {
        const pl = this.flags[i] & PADS ? this.padsOf.get(i) : undefined;
        if (pl) {
          for (const pad of pl) {
            if (!this.sameOwner(pad, owner)) return FAIL;
            m = this.add(m, pad);
          }
        }
        break;
      }
      case InsnKind.JumpCond:
      case InsnKind.JumpUncond:
        if (isSiblingCall(this.ctx, i)) {
          if (k === InsnKind.JumpUncond && m === 0) return EXIT;
          return FAIL; // a conditional tail call: the entry state would be due on one edge only
        }
        if (p.jumpDestOf(i) >= 0) {
          if (!this.sameOwner(p.jumpDestOf(i), owner)) return FAIL;
          m = this.add(m, p.jumpDestOf(i));
        }
        falls = k === InsnKind.JumpCond;
        break;
      case InsnKind.JumpDynamic:
      case InsnKind.JumpDynamicCond:
        if (isDynamicTailCall(this.ctx, i)) {
          if (k === InsnKind.JumpDynamic && m === 0) return EXIT;
          return FAIL;
        }
        // (a jump table left unproven ends the path, as in the walk; `passes` notes it as the reason
        // the FDE is not `agrees`)
        falls = k === InsnKind.JumpDynamicCond;
        break;
      case InsnKind.ContextSwitch:
      case InsnKind.Stac:
      case InsnKind.Clac:
      case InsnKind.Std:
      case InsnKind.Cld:
        return FAIL;
      default:
        break;
    }
    if (bits & B.DeadEnd) falls = false;
    if (falls) {
      const n = p.next(i);
      if (n < 0 || !this.sameOwner(n, owner)) return FAIL;
      this.fallIdx = m;
      m = this.add(m, n);
    }
    return m;
  }

  /** Marks unproven the FDEs row r may go on to (a superset of the walk's edges, without its stops). */
  private taintTargets(r: number, proven: Uint8Array, aFirst: Int32Array, aLast: Int32Array): void {
    const p = this.p;
    const k = p.kind[r];
    const bits = p.bits[r];
    const jump = k === InsnKind.JumpCond || k === InsnKind.JumpUncond || k === InsnKind.JumpDynamic || k === InsnKind.JumpDynamicCond;
    if (jump && isSiblingCall(this.ctx, r)) {
      if (k === InsnKind.JumpUncond || k === InsnKind.JumpDynamic) return;
    } else if ((k === InsnKind.JumpCond || k === InsnKind.JumpUncond) && p.jumpDestOf(r) >= 0) {
      taint(proven, aFirst, aLast, p.jumpDestOf(r));
    }
    if (bits & B.HasAlts) for (const a of p.alts.get(r) ?? []) if (a.insn >= 0) taint(proven, aFirst, aLast, a.insn);
    if (isCall(k) && (this.flags[r] & PADS)) {
      for (const pad of this.padsOf.get(r) ?? []) taint(proven, aFirst, aLast, pad);
    }
    // falling through leaves the row's FDE (or code in none) only into an FDE's first row
    const n = p.next(r);
    if (n >= 0 && (this.flags[n] & FDE_FIRST) && mayRunInto(p, r)) taint(proven, aFirst, aLast, n);
  }

  private sameOwner(j: number, owner: number): boolean {
    const f = this.p.func(j);
    return f >= 0 && this.p.syms.pfunc[f] === owner;
  }

  private add(m: number, j: number): number {
    if (m === this.succ.length) this.succ = grown(this.succ, m * 2);
    this.succ[m] = j;
    return m + 1;
  }

  /**
   * Starts reading an FDE's rows into the t* arrays (indexed from `firstRow`); `rowsUpTo` reads them
   * as far as they are needed, so an FDE that fails early (a table made exact only at calls fails
   * in its prologue) costs little of its table.
   */
  private beginRows(ev: CfaEvaluator, fde: Fde, firstRow: number, lastRow: number): void {
    const p = this.p;
    const rows = lastRow - firstRow + 1;
    if (rows > this.tOff.length) {
      const cap = Math.max(rows, this.tOff.length * 2);
      this.tBase = grown(this.tBase, cap);
      this.tOff = grown(this.tOff, cap);
      this.tFp = grown(this.tFp, cap);
      this.tRa = grown(this.tRa, cap);
      this.tSame = grown(this.tSame, cap);
    }
    if (rows > this.inSp.length) this.growIn(rows);
    this.ev = ev;
    this.rowsFirst = firstRow;
    this.rowsLast = lastRow;
    this.rowsNext = firstRow;
    this.rowsBase = p.elf.type === 1 ? 0 : p.sectionAddr(p.sec[firstRow]);
    this.rowEndOff = -1;
    ev.begin(fde);
  }

  /**
   * Reads the table's rules for rows up to `r` (and on to the end of the table row holding `r`); false
   * when a rule is not of a compared kind or the table ends first.
   */
  private rowsUpTo(r: number): boolean {
    if (r < this.rowsNext) return true;
    const ev = this.ev;
    const off = this.p.off;
    const last = Math.min(r, this.rowsLast);
    try {
      while (this.rowsNext <= last) {
        if (off[this.rowsNext] >= this.rowEndOff) {
          if (!ev.next()) return false;
          // (outgoing arguments the unwinder pops before a landing pad: left to the walk)
          if (ev.cfaKind !== CfaKind.RegOffset || ev.raSigned || ev.argsSize !== 0) return false;
          const cb = ev.cfaReg === this.dwarfSp ? 0 : ev.cfaReg === this.dwarfFp ? 1 : -1;
          const co = ev.cfaOffset;
          if (cb < 0 || (co | 0) !== co) return false;
          const fp = this.ruleOf(ev, this.dwarfFp);
          const ra = this.ruleOf(ev, ev.cie ? ev.cie.raColumn : -1);
          if (fp === 0 || ra === 0) return false;
          this.rowEndOff = ev.rowEnd - this.rowsBase;
          this.rowCb = cb; this.rowCo = co; this.rowFp = fp; this.rowRa = ra;
          continue;
        }
        // every row the table row covers at once: one call per table row, not per instruction
        const end = this.rowEndOff;
        const lastRow = this.rowsLast;
        const cb = this.rowCb;
        const co = this.rowCo;
        const fp = this.rowFp;
        const ra = this.rowRa;
        const { tBase, tOff, tFp, tRa, tSame } = this;
        let i = this.rowsNext;
        let t = i - this.rowsFirst;
        if (t > 0) tSame[t - 1] = tOff[t - 1] === co && tBase[t - 1] === cb && tFp[t - 1] === fp && tRa[t - 1] === ra ? 1 : 0;
        // (off[i] < end here; the span's last row is found by a search, not by reading every row's offset)
        const spanLast = lastBefore(off, i, lastRow + 1, end);
        for (; i <= spanLast; i++, t++) {
          tBase[t] = cb;
          tOff[t] = co;
          tFp[t] = fp;
          tRa[t] = ra;
          tSame[t] = 1;
        }
        this.rowsNext = i;
      }
    } catch (e) {
      if (e instanceof FormatError) return false;
      throw e;
    }
    return r <= this.rowsLast;
  }

  /** SAME, a negative CFA offset, or 0 for a rule the proof does not compare. */
  private ruleOf(ev: CfaEvaluator, col: number): number {
    if (col < 0) return 0;
    const k = ev.rule(col);
    if (k === RuleKind.Unspecified || k === RuleKind.SameValue) return SAME;
    if (k !== RuleKind.Offset) return 0;
    const v = ev.value[col];
    return v < 0 && (v | 0) === v ? v : 0;
  }

  /** The state from row t of the current FDE's table. */
  private loadRow(t: number): void {
    const b = this.tBase[t];
    this.sp = b === 0 ? this.tOff[t] : UNK;
    this.fpd = b === 1 ? this.tOff[t] : UNK;
    const fp = this.tFp[t];
    this.fpIn = fp === SAME ? 1 : 0;
    this.fpSlot = fp === SAME ? 0 : fp;
    const ra = this.tRa[t];
    this.raIn = ra === SAME ? 1 : 0;
    this.raSlot = ra === SAME ? 0 : ra;
  }

  /** Does the stepped state give row t's rules? */
  private holds(t: number): boolean {
    const off = this.tOff[t];
    if (this.tBase[t] === 0 ? this.sp !== off : this.fpd !== off) return false;
    const fp = this.tFp[t];
    if (fp === SAME ? !this.fpIn : this.fpSlot !== fp) return false;
    const ra = this.tRa[t];
    return ra === SAME ? this.raIn === 1 : this.raSlot === ra;
  }

  /**
   * The stepped state arrives at row t: true when it gives the row's rules. When it does not and
   * `settling`, the row is noted as one where the code's CFA differs from the table's (true), or
   * the FDE is left to the walk (false) where the difference is one this cannot spell as the walk
   * would (a return-address or frame-pointer rule, or a CFA distance not known).
   */
  private arrive(t: number): boolean {
    if (this.holds(t)) {
      if (this.settling) this.mism[t] = 0;
      return true;
    }
    if (!this.settling) {
      this.heldNot = true;
      return false;
    }
    const off = this.tOff[t];
    const v = this.tBase[t] === 0 ? this.sp : this.fpd;
    if (v === off) return false;
    // a table CFA on fp where fp holds the caller's value (not yet set up, or restored): the walk
    // knows no distance from it either, so the rules differ; a distance not known otherwise is the walk's to find
    if (v === UNK && !(this.tBase[t] === 1 && this.fpIn)) return false;
    this.mism[t] = 1;
    this.mismVal[t] = v;
    return true;
  }

  /** Is the stepped state the function-entry state (what a return or tail call needs, and a root starts with)? */
  private isEntry(): boolean {
    if (this.sp !== this.entrySp || !this.fpIn) return false;
    return this.lr ? this.raIn === 1 : this.raSlot === -this.slot;
  }

  /** Sets the stepped state to the function-entry state. */
  private loadEntry(): void {
    this.sp = this.entrySp;
    this.fpd = UNK;
    this.fpIn = 1;
    this.fpSlot = 0;
    this.raIn = this.lr ? 1 : 0;
    this.raSlot = this.lr ? 0 : -this.slot;
  }

  /**
   * One FDE: forward passes over its rows in address order, each reached row's ops applied to its
   * state and the result checked against the table at every successor. A row's state is what its
   * predecessors in the FDE give it, merged (a distance or slot they disagree on is unknown), or
   * the table's rules alone where code from outside the FDE also leads (those edges are checked
   * against the table by `crossHolds`). A row no stepped row leads to yet waits for a later pass;
   * merging only weakens, and an edge back to a row already passed that sets or weakens its state
   * starts another pass, so each row ends with the state of every path to it.
   */
  private proveFde(ev: CfaEvaluator, fde: Fde, firstRow: number, lastRow: number, self: number, cross: CrossEdges,
    aFirst: Int32Array, aLast: Int32Array): boolean {
    const crossStart = cross.count;
    this.heldNot = false;
    let held = this.passes(ev, fde, firstRow, lastRow, self, cross, aFirst, aLast, true);
    // the edges out of the FDE are those of the last pass (up to the step that failed): when later
    // passes stepped only some rows, one run of full passes finds them
    if (this.passesRun > 1 && cross.count > crossStart) {
      cross.count = crossStart;
      held = this.passes(ev, fde, firstRow, lastRow, self, cross, aFirst, aLast, false);
    }
    if (!held) return false;
    // a row stepped only as something outside leads to: some proven code must lead there (run())
    if (!this.extInSeen) return true;
    const flags = this.flags;
    const inSet = this.inSet;
    for (let t = 0, rows = lastRow - firstRow + 1; t < rows; t++) {
      if ((flags[firstRow + t] & (EXT_IN | ROOT)) === EXT_IN && !inSet[t]) this.entered.push(firstRow + t, self);
    }
    return true;
  }

  /**
   * An FDE whose proof broke a rule, stepped again from the function entries with the rows that
   * break the table's rules noted (`arrive`), not ending the passes. Settled when the code keeps to
   * itself (no code outside leads in: its rows' states are the entries' alone; no edge leads out
   * but returns and tail calls, which must find the entry state), no two paths bring a row different
   * states (where they do, the walk's frame is the first path's, or a conflict), and every difference
   * is in the CFA with the code's distance known: then these rows are exactly where the walk's
   * states would differ from the table, and the walk is not needed.
   */
  private settle(ev: CfaEvaluator, fde: Fde, firstRow: number, lastRow: number, self: number, cross: CrossEdges,
    aFirst: Int32Array, aLast: Int32Array): void {
    const rows = lastRow - firstRow + 1;
    if (rows > this.inSp.length) this.growIn(rows);
    this.mism.fill(0, 0, rows);
    this.settling = true;
    this.broken = false;
    // (settling, an edge out of the FDE or into it from outside ends the passes: no cross edge is added)
    const held = this.passes(ev, fde, firstRow, lastRow, self, cross, aFirst, aLast, true);
    this.settling = false;
    if (!held || this.broken) return;
    // code not reached, or a table left unproven: the verdict where no difference is compared (--synchronous)
    const partialAt = this.partialAt;
    const partialReached = this.partialReached;
    const { mism, mismVal, seen } = this;
    const kind = this.p.kind;
    let n = 0;
    // the first difference, and the first at a call (what --synchronous compares), are spelled with
    // the code's distance: it must be known there
    let firstAny = true;
    let firstCall = true;
    for (let t = 0; t < rows; t++) {
      if (!(mism[t] & seen[t])) continue;
      n++;
      const k = kind[firstRow + t];
      const call = isCall(k);
      if ((firstAny || (call && firstCall)) && mismVal[t] === UNK) return;
      firstAny = false;
      if (call) firstCall = false;
    }
    if (n === 0) return;
    const at = this.settledCount;
    if (at + n > this.settledRows.length) {
      const cap = Math.max(at + n, 2 * this.settledRows.length);
      this.settledRows = grown(this.settledRows, cap);
      this.settledDist = grown(this.settledDist, cap);
    }
    let q = at;
    for (let t = 0; t < rows; t++) {
      if (!seen[t]) { this.settledUnreached.push(firstRow + t); continue; }
      if (!mism[t]) continue;
      this.settledRows[q] = firstRow + t;
      this.settledDist[q++] = mismVal[t];
    }
    this.settledCount = q;
    this.settledK.push(self);
    this.settledAt.push(at);
    this.settledN.push(n);
    this.settledPartialRow.push(partialAt >= 0 ? firstRow + partialAt : -1);
    this.settledPartialReached.push(partialReached);
  }

  /**
   * The passes of `proveFde` (their number in `passesRun`); `changedOnly`: after the first pass, step
   * only the rows whose incoming state changed (see `pass`).
   */
  private passes(ev: CfaEvaluator, fde: Fde, firstRow: number, lastRow: number, self: number, cross: CrossEdges,
    aFirst: Int32Array, aLast: Int32Array, changedOnly: boolean): boolean {
    const p = this.p;
    this.beginRows(ev, fde, firstRow, lastRow);
    const rows = lastRow - firstRow + 1;
    const seen = this.seen;
    this.inSet.fill(0, 0, rows);
    this.dirty.fill(0, 0, rows);
    seen.fill(0, 0, rows);
    const crossStart = cross.count;
    this.extInSeen = false;
    for (let pass = 0; ; pass++) {
      // each pass sets or weakens some row's state, a bounded number of times; blocks laid out
      // far from the order of their paths can need many passes: left to the walk
      if (pass > 16) return false;
      this.passesRun = pass + 1;
      if (!changedOnly) {
        cross.count = crossStart;
        seen.fill(0, 0, rows);
      }
      const done = this.pass(firstRow, lastRow, self, cross, aFirst, aLast, changedOnly && pass > 0);
      if (done === FAIL) return false;
      if (done === AGAIN) continue;
      // what no path from a root reaches, unless padding, and a reached dispatch through a table left
      // unproven make the walk's verdict `unknown`; its reason names the first such dispatch, else
      // the first row not reached (verify.ts: the dispatch is what leaves its cases unreached)
      this.partialAt = -1;
      const ctx = this.ctx;
      for (let t = 0; t < rows; t++) {
        const r = firstRow + t;
        if (seen[t] ? isUnresolvedDispatch(ctx, r) : this.partialAt < 0 && !isPadding(p, r)) {
          this.partialAt = t;
          this.partialReached = seen[t] === 1;
          if (this.partialReached) break;
        }
      }
      if (this.partialAt < 0) return true;
      // an FDE whose first row no function entry reaches is walked from there (`fde-entries.ts`); and
      // the table's rules at rows not reached are read by the walk too, which gives its own reason
      // for a rule the proof does not compare: left to the walk
      return seen[0] === 1 && this.rowsUpTo(lastRow);
    }
  }

  /**
   * One pass of `proveFde`: DONE when no state of a row already passed changed, AGAIN when one did,
   * FAIL when a step does not hold. `changedOnly`: a row not carried into is stepped only when its
   * incoming state changed since its last step (`seen` then keeps the rows of earlier passes). Stepping
   * it from the same state again would merge the same states into rows whose states are already
   * merged with them, which changes nothing, so the pass ends as a full one would.
   */
  private pass(firstRow: number, lastRow: number, self: number, cross: CrossEdges, aFirst: Int32Array, aLast: Int32Array,
    changedOnly: boolean): number {
    const p = this.p;
    // the columns read at every row, in locals (nothing a pass calls replaces them)
    // `dest`: a jump's destination row (>= 0), a call's symbol (<= -2), none (-1)
    const { kind, bits, opCount, sym, dest } = p;
    const insnFlags = p.flags;
    const symType = p.syms.type;
    const { flags, inSet, seen, dirty, tBase, tSame } = this;
    const lr = this.lr;
    let again = false;
    // the stepped state is row r's: r is reached only by falling through from the row before
    let carried = false;
    for (let r = firstRow; r <= lastRow; r++) {
      const t = r - firstRow;
      if (!carried && changedOnly && !dirty[t]) continue;
      const fl = flags[r];
      const need = r < lastRow ? r + 1 : r;
      if (need >= this.rowsNext && !this.rowsUpTo(need)) return FAIL;
      const k = kind[r];
      const b = bits[r];
      // the next row in the same symbol, falling through only (a call with no landing pad too):
      // `edges` would find it alone
      const fallsOnly = r < lastRow && ((FALL_KINDS >> k) & 1) === 1 && !(b & (B.Hint | B.HasAlts | B.DeadEnd)) &&
        !(fl & PADS) && sym[r + 1] === sym[r];
      if (carried && fl === 0 && fallsOnly && ((PLAIN_KINDS >> k) & 1) === 1 && opCount[r] === 0 && tSame[t] &&
        !(lr && (insnFlags[r] & PAC_FLAGS)) && !(flags[r + 1] & JOIN)) {
        // no ops, no branch, reached only from here, the table unchanged: the state holds at the
        // next row as it holds here (or differs from it as here)
        seen[t] = 1;
        if (this.settling) { this.mism[t + 1] = this.mism[t]; this.mismVal[t + 1] = this.mismVal[t]; }
        continue;
      }
      if (fl & ROOT) {
        this.loadEntry();
        if (!this.arrive(t)) return FAIL;
        this.merge(t);
      }
      if (!carried) {
        if (fl & EXT_IN) {
          // (the table's rules are the claim a settled FDE is found to break: no state to start from)
          if (this.settling) return FAIL;
          this.loadRow(t);
          this.extInSeen = true;
        } else if (inSet[t]) this.loadIn(t);
        else continue; // no stepped path leads here yet (a later row may: a pass after this one)
      }
      carried = false;
      seen[t] = 1;
      dirty[t] = 0;
      // return-address signing is compared by a walk of its own (verify.ts); only where the return
      // address is in a register are instructions flagged so (the walk's test, validate.ts)
      if (lr && (insnFlags[r] & PAC_FLAGS)) return FAIL;
      // (no ops: only a call changes the state, where the return address is in a register)
      if ((opCount[r] !== 0 || lr) && !this.applyOps(r)) return FAIL;
      const inFunc = sym[r] >= 0 && symType[sym[r]] === STT_FUNC;
      if (fallsOnly && inFunc) {
        // in a function: what `edges` gives, the next row, which is in this FDE
        if (!this.arrive(t + 1)) return FAIL;
        if (!(flags[r + 1] & JOIN)) carried = true;
        else this.merge(t + 1);
        continue;
      }
      const j = dest[r];
      // j > -2: no call destination (a sibling call)
      if ((k === InsnKind.JumpCond || k === InsnKind.JumpUncond) && inFunc && !(b & (B.Hint | B.HasAlts | B.ExternalTail)) &&
        j > -2 && j >= firstRow && j <= lastRow && sym[j] === sym[r]) {
        // a jump within the function and this FDE, no tail call: what `edges` gives, the
        // destination, then for a conditional jump the next row (when in the function and the FDE)
        const falls = k === InsnKind.JumpCond && !(b & B.DeadEnd);
        if (!falls || (r < lastRow && sym[r + 1] === sym[r])) {
          if ((j >= this.rowsNext && !this.rowsUpTo(j)) || !this.arrive(j - firstRow)) return FAIL;
          if (this.merge(j - firstRow) && j <= r) again = true;
          if (falls) {
            if (!this.arrive(t + 1)) return FAIL;
            if (!(flags[r + 1] & JOIN)) carried = true;
            else this.merge(t + 1);
          }
          continue;
        }
      }
      const m = this.edges(r);
      if (m === FAIL) return FAIL;
      if (m === EXIT) {
        // (settling: the row's own difference from the table is noted; the code must leave as it came)
        if ((tBase[t] !== 0 && !this.settling) || !this.isEntry()) return FAIL;
        continue;
      }
      for (let e = 0; e < m; e++) {
        const j = this.succ[e];
        if (j >= firstRow && j <= lastRow) {
          if ((j >= this.rowsNext && !this.rowsUpTo(j)) || !this.arrive(j - firstRow)) return FAIL;
          if (e === this.fallIdx && !(flags[j] & JOIN)) carried = true;
          else if (this.merge(j - firstRow) && j <= r) again = true;
        } else {
          if (this.settling) return FAIL;
          cross.add(self, findRange(aFirst, aLast, j), j, this.sp, this.fpd, this.fpIn, this.fpSlot, this.raIn, this.raSlot);
        }
      }
    }
    return again ? AGAIN : DONE;
  }

  /** Merges the stepped state into row t's incoming state; true when that changed it. */
  private merge(t: number): boolean {
    if (t >= this.inSp.length) this.growIn(t + 1);
    if (!this.inSet[t]) {
      this.inSet[t] = 1;
      this.dirty[t] = 1;
      this.inSp[t] = this.sp; this.inFpd[t] = this.fpd; this.inFpIn[t] = this.fpIn;
      this.inFpSlot[t] = this.fpSlot; this.inRaIn[t] = this.raIn; this.inRaSlot[t] = this.raSlot;
      return true;
    }
    if (this.settling && (this.inSp[t] !== this.sp || this.inFpd[t] !== this.fpd || this.inFpSlot[t] !== this.fpSlot ||
      this.inRaSlot[t] !== this.raSlot || (this.inFpIn[t] !== this.fpIn && !this.fpSlot) || (this.inRaIn[t] !== this.raIn && !this.raSlot))) {
      // paths meeting with different frames: the walk decides what the code does there (one path
      // still holding a saved register's value, the other not, is the walk's weaker state too)
      this.broken = true;
    }
    let changed = false;
    if (this.inSp[t] !== this.sp && this.inSp[t] !== UNK) { this.inSp[t] = UNK; changed = true; }
    if (this.inFpd[t] !== this.fpd && this.inFpd[t] !== UNK) { this.inFpd[t] = UNK; changed = true; }
    if (this.inFpIn[t] && !this.fpIn) { this.inFpIn[t] = 0; changed = true; }
    if (this.inFpSlot[t] !== this.fpSlot && this.inFpSlot[t] !== 0) { this.inFpSlot[t] = 0; changed = true; }
    if (this.inRaIn[t] && !this.raIn) { this.inRaIn[t] = 0; changed = true; }
    if (this.inRaSlot[t] !== this.raSlot && this.inRaSlot[t] !== 0) { this.inRaSlot[t] = 0; changed = true; }
    if (changed) this.dirty[t] = 1;
    return changed;
  }

  private loadIn(t: number): void {
    this.sp = this.inSp[t]; this.fpd = this.inFpd[t]; this.fpIn = this.inFpIn[t];
    this.fpSlot = this.inFpSlot[t]; this.raIn = this.inRaIn[t]; this.raSlot = this.inRaSlot[t];
  }

  private growIn(n: number): void {
    const cap = Math.max(n, this.inSp.length * 2);
    this.inSet = grown(this.inSet, cap);
    this.seen = grown(this.seen, cap);
    this.dirty = grown(this.dirty, cap);
    this.mism = grown(this.mism, cap); this.mismVal = grown(this.mismVal, cap);
    this.inSp = grown(this.inSp, cap); this.inFpd = grown(this.inFpd, cap); this.inFpIn = grown(this.inFpIn, cap);
    this.inFpSlot = grown(this.inFpSlot, cap); this.inRaIn = grown(this.inRaIn, cap); this.inRaSlot = grown(this.inRaSlot, cap);
  }

  /** Applies row r's stack ops to the stepped state; false for an op the proof does not follow. */
  private applyOps(r: number): boolean {
    const p = this.p;
    const n = p.opCount[r];
    const k = p.kind[r];
    if (n === 0) {
      if (this.lr && isCall(k)) this.raIn = 0;
      return true;
    }
    const ops = p.ops;
    const SP = this.SP;
    const FP = this.FP;
    const RA = this.RA;
    let w = p.opStartOf(r) * OP_WORDS;
    for (let q = 0; q < n; q++, w += OP_WORDS) {
      const tr = ops[w];
      const dt = opDestType(tr);
      const dr = opDestReg(tr);
      const doff = ops[w + 1];
      const st = opSrcType(tr);
      const sr = opSrcReg(tr);
      const soff = ops[w + 2];
      if (dt === OpDest.Push || dt === OpDest.PushF) {
        if (this.sp !== UNK) this.sp += this.slot;
        if (dt === OpDest.Push && st === OpSrc.Reg) this.saved(sr, this.sp === UNK ? UNK : -this.sp);
        continue;
      }
      if (dt === OpDest.Mem) {
        if (st !== OpSrc.Pop && st !== OpSrc.PopF) continue;
        if (this.sp !== UNK) this.sp -= this.slot;
        continue;
      }
      if (dt === OpDest.RegIndirect) {
        if (st === OpSrc.Reg) this.saved(sr, this.slotAt(dr, doff));
        continue;
      }
      if (dt !== OpDest.Reg) return false;
      if (dr === SP) {
        if (st === OpSrc.Add && sr === SP) { if (this.sp !== UNK) this.sp -= soff; continue; }
        if (st === OpSrc.Add && sr === FP) { if (this.fpd === UNK) return false; this.sp = this.fpd - soff; continue; }
        if (st === OpSrc.Reg && sr === FP) { if (this.fpd === UNK) return false; this.sp = this.fpd; continue; }
        // realignment and anything else moving sp: left to the walk
        return false;
      }
      if (st === OpSrc.Pop) {
        const at = this.sp === UNK ? UNK : -this.sp;
        if (this.sp !== UNK) this.sp -= this.slot;
        this.loaded(dr, at);
        continue;
      }
      if (dr === FP) {
        this.fpIn = 0;
        if (st === OpSrc.Reg && sr === SP) this.fpd = this.sp;
        else if (st === OpSrc.Add && sr === SP) this.fpd = this.sp === UNK ? UNK : this.sp - soff;
        else if (st === OpSrc.Add && sr === FP) this.fpd = this.fpd === UNK ? UNK : this.fpd - soff;
        else if (st === OpSrc.RegIndirect) this.loaded(dr, this.slotAt(sr, soff));
        else this.fpd = UNK;
        continue;
      }
      if (dr === RA) {
        if (st === OpSrc.RegIndirect) this.loaded(dr, this.slotAt(sr, soff));
        else this.raIn = 0;
        continue;
      }
      // other registers: not compared (a CFA kept in one is left to the walk by rowsUpTo)
    }
    if (this.lr && isCall(k)) this.raIn = 0;
    return true;
  }

  /** The CFA offset of [reg + disp], or UNK. */
  private slotAt(reg: number, disp: number): number {
    if (reg === this.SP) return this.sp === UNK ? UNK : disp - this.sp;
    if (reg === this.FP) return this.fpd === UNK ? UNK : disp - this.fpd;
    return UNK;
  }

  /** Register `reg` stored at CFA offset `at`: the first save of a caller's value is where the rule points. */
  private saved(reg: number, at: number): void {
    if (at === UNK) return;
    if (reg === this.FP) { if (this.fpIn && !this.fpSlot) this.fpSlot = at; }
    else if (reg === this.RA && this.lr) { if (this.raIn && !this.raSlot) this.raSlot = at; }
  }

  /** Register `reg` loaded from CFA offset `at`: the caller's value again when that is its slot. */
  private loaded(reg: number, at: number): void {
    if (reg === this.FP) {
      this.fpIn = at !== UNK && this.fpSlot !== 0 && at === this.fpSlot ? 1 : 0;
      this.fpd = UNK;
    } else if (reg === this.RA && this.lr) {
      this.raIn = at !== UNK && this.raSlot !== 0 && at === this.raSlot ? 1 : 0;
    }
  }

  /** Does cross edge e's carried state meet the target FDE's row? */
  private crossHolds(ev: CfaEvaluator, fde: Fde, firstRow: number, cross: CrossEdges, e: number): boolean {
    const j = cross.row[e];
    this.beginRows(ev, fde, firstRow, j);
    if (!this.rowsUpTo(j)) return false;
    this.sp = cross.sp[e];
    this.fpd = cross.fpd[e];
    this.fpIn = cross.fpIn[e];
    this.fpSlot = cross.fpSlot[e];
    this.raIn = cross.raIn[e];
    this.raSlot = cross.raSlot[e];
    return this.holds(j - firstRow);
  }
}

/** Edges from one FDE's code into another's (or into none: target -1), with the state they carry. */
class CrossEdges {
  count = 0;
  from = new Int32Array(64);
  to = new Int32Array(64);
  row = new Int32Array(64);
  sp = new Int32Array(64);
  fpd = new Int32Array(64);
  fpIn = new Uint8Array(64);
  fpSlot = new Int32Array(64);
  raIn = new Uint8Array(64);
  raSlot = new Int32Array(64);

  add(from: number, to: number, row: number, sp: number, fpd: number, fpIn: number, fpSlot: number, raIn: number, raSlot: number): void {
    const k = this.count++;
    if (k === this.from.length) {
      const n = k * 2;
      this.from = grown(this.from, n); this.to = grown(this.to, n); this.row = grown(this.row, n);
      this.sp = grown(this.sp, n); this.fpd = grown(this.fpd, n); this.fpIn = grown(this.fpIn, n);
      this.fpSlot = grown(this.fpSlot, n); this.raIn = grown(this.raIn, n); this.raSlot = grown(this.raSlot, n);
    }
    this.from[k] = from; this.to[k] = to; this.row[k] = row;
    this.sp[k] = sp; this.fpd[k] = fpd; this.fpIn[k] = fpIn; this.fpSlot[k] = fpSlot; this.raIn[k] = raIn; this.raSlot[k] = raSlot;
  }
}

/**
 * May a walk run on from row r into the next row, by the row's structure alone? Not after a dead end
 * or a jump, return or context switch; padding is taken as never reached.
 */
function mayRunInto(p: Program, r: number): boolean {
  const k = p.kind[r];
  return !(p.bits[r] & B.DeadEnd) && k !== InsnKind.JumpUncond && k !== InsnKind.JumpDynamic && k !== InsnKind.Return &&
    !isPadding(p, r);
}

function taint(proven: Uint8Array, first: Int32Array, last: Int32Array, r: number): void {
  const t = findRange(first, last, r);
  if (t >= 0) proven[t] = 0;
}

/**
 * The last row of [first, end) (offsets ascending) whose offset is below `endOff`, or `first` when none
 * is. Steps that double from `first`, then a binary search: the rows read lie near `first` (an FDE's
 * code is short next to its section's).
 */
function lastBefore(off: Uint32Array, first: number, end: number, endOff: number): number {
  // off[lo - 1] < endOff (or lo - 1 = first), and off[hi] >= endOff or hi = end
  let lo = first + 1;
  let hi = end;
  for (let step = 1; first + step < end; step *= 2) {
    if (off[first + step] >= endOff) { hi = first + step; break; }
    lo = first + step + 1;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (off[mid] < endOff) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The range [first[k], last[k]] (sorted by first, disjoint) holding row r, or -1. */
function findRange(first: Int32Array, last: Int32Array, r: number): number {
  let lo = 0;
  let hi = first.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (first[mid] <= r) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && r <= last[hi] ? hi : -1;
}
