/**
 * `objflow verify`: the compiler's unwind tables (.eh_frame, .debug_frame) against the frame state
 * objflow's analysis finds, FDE by FDE and instruction by instruction. Rules compared: the CFA by
 * value (an sp-based and an fp-based description of one frame agree), the return address, the
 * frame pointer and, on AArch64, the return-address signing state.
 *
 * Each FDE ends `agrees` (every instruction), `mismatch` (with every disagreeing instruction and
 * the first one spelled out), or `unknown` with the reason it could not be checked: a DWARF
 * expression, code the analysis did not reach, a frame the analysis lost track of.
 */
import { InsnFlag, InsnKind } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { archFor } from '../arch/registry.js';
import { userspaceOptions } from '../cli/analyze.js';
import { openElf } from '../cli/io.js';
import type { ElfFile } from '../elf/reader.js';
import { runChecks } from '../pipeline.js';
import { Program } from '../program/program.js';
import { dropCallPushes, markNoreturnCalls, markNoreturnPltCalls } from './call-targets.js';
import { CfaEvaluator, CfaKind, RuleSpeller, dwarfFramePointer, dwarfStackPointer, readCfi } from '../dwarf/index.js';
import type { CfiKind, CfiSection, Fde, OracleRules } from '../dwarf/index.js';
import { EM_AARCH64 } from '../elf/constants.js';
import { FormatError } from '../elf/errors.js';
import { rowFields } from '../unwind/table.js';
import type { UnwindRow } from '../unwind/table.js';
import { CfaBaseKind, disagreementParsed } from './compare-rows.js';
import type { OracleRow } from './compare-rows.js';
import { CodeSections } from './fde-code.js';
import { analyseFdeEntries } from './fde-entries.js';
import { analyseLandingPads, collectPads } from './landing-pads.js';
import { PAC_FLAGS, Validator } from '../frame/validate.js';
import { unchangedSinceSave } from './prologue.js';
import { Walker } from './walker.js';

export type FdeStatus = 'agrees' | 'mismatch' | 'unknown';
export type RuleName = 'cfa' | 'ra' | 'fp' | 'pac';

export interface FirstDifference {
  addr: number;
  rule: RuleName;
  /** the table's rule, spelled as `unwind` spells rules */
  table: string;
  /** the rule the code establishes */
  code: string;
}

/** One branch on the way from the function entry to the first difference. */
export interface PathBranch {
  addr: number;
  /** `func+0xoff` (or `section+0xoff`) */
  where: string;
  taken: boolean;
}

export interface FdeVerdict {
  table: CfiKind;
  func: string;
  /** section of the code */
  sec: string;
  /** as `unwind` gives addresses: section offsets in relocatable objects, addresses in linked files */
  start: number;
  end: number;
  status: FdeStatus;
  /** every instruction where table and code disagree */
  addrs: number[];
  first: FirstDifference | null;
  /** `func+0xoff` of `first` */
  firstWhere: string | null;
  reason: string | null;
  /** function entry of the path (`func+0x0`), then its branches */
  entry: string | null;
  path: PathBranch[];
  /** a mismatch whose every differing instruction is not a call (what a synchronous table allows) */
  betweenCalls: boolean;
  /**
   * `betweenCalls`, and the first difference comes before the FDE's first call: a prologue described
   * only once complete, the shape of a synchronous table (an epilogue bug differs after the calls)
   */
  synchronousShape: boolean;
}

/** How verify compares. */
export interface VerifyOptions {
  /**
   * The tables are synchronous (`-fno-asynchronous-unwind-tables` with `-funwind-tables`): exact
   * only where an unwinder can stop in this frame through a call, so rules are compared at call
   * instructions only. Reachability is still required of every instruction.
   */
  synchronous?: boolean;
}

export interface VerifySummary {
  fdes: number;
  agrees: number;
  mismatch: number;
  unknown: number;
}

export interface VerifyReport {
  file: string;
  machine: number;
  /** relocatable object: addresses are section offsets */
  relocatable: boolean;
  verdicts: FdeVerdict[];
  summary: VerifySummary;
  /** entries of the tables that could not be read */
  problems: string[];
}

/** Reasons for `unknown`, the part before any detail in parentheses. */
export const REASON = {
  notReached: 'code not reached by analysis',
  cfaExpression: 'CFA is a DWARF expression',
  raExpression: 'return-address rule is a DWARF expression',
  fpExpression: 'frame-pointer rule is a DWARF expression',
  lost: 'code objflow cannot follow (frame state lost)',
  otherBase: 'CFA based on a register the analysis does not track',
  raRegister: 'return address kept in a register, not tracked by the analysis',
  outermost: 'outermost frame (return address undefined)',
  pacPaths: 'paths disagree on the return-address signing state',
  aboveCfa: 'a register saved above the CFA, in the caller\'s frame (a trampoline: glibc\'s _dl_runtime_resolve after PLT0)',
  conflict: 'paths reach the code with different frames (a call not known to end, or a branch the compiler knew unreachable)',
  noCode: 'FDE covers no code',
  notInsn: 'FDE start is not an instruction boundary',
  badProgram: 'bad CFA program',
} as const;

/**
 * Analyses `path` and verifies its tables; FormatError for an unusable file or one with no tables.
 * Linked files are analysed with the userspace symbol set (`dynamicSymbols`, as `unwind` does:
 * .dynsym when there is no .symtab, PLT stubs, FDE-derived functions), so that code of stripped
 * libraries sits in functions (jump tables are found only there); `false` is the symbol table alone.
 */
export async function verifyFile(path: string, dynamicSymbols = true, options: VerifyOptions = {}): Promise<VerifyReport> {
  const elf = openElf(path);
  const arch = await archFor(elf.machine);
  if (!arch) throw new FormatError(`unsupported machine ${elf.machine} (x86-64 and AArch64 only)`);
  const tables = readTables(elf);
  const prog = new Program(elf, arch, false, dynamicSymbols);
  dropCallPushes(prog, tables);
  markNoreturnCalls(prog, tables);
  markNoreturnPltCalls(prog);
  // the options `unwind` analyses with (analyzeFile), so that rows are the ones it prints; no
  // unreachable-instruction warnings (verify reports unreached code per FDE, and a stripped
  // library would build one warning per instruction before its FDE entries are walked)
  const opts = userspaceOptions();
  const r = runChecks(prog, { ...opts, orc: true, noUnreachable: true }, path);
  return verifyAnalysis(r.ctx, path, tables, options);
}

/** The unwind tables of a file; FormatError when it has none. */
export function readTables(elf: ElfFile): CfiSection[] {
  const tables: CfiSection[] = [];
  for (const which of ['eh_frame', 'debug_frame'] as const) {
    const t = readCfi(elf, which);
    if (t) tables.push(t);
  }
  if (tables.length === 0) throw new FormatError('no .eh_frame or .debug_frame: nothing to verify');
  return tables;
}

/**
 * Verifies the tables of an analysed file (the analysis is extended from unreached FDE starts and
 * from exception landing pads).
 */
export function verifyAnalysis(ctx: Context, file: string, tables: readonly CfiSection[] = readTables(ctx.prog.elf),
  options: VerifyOptions = {}): VerifyReport {
  const elf = ctx.prog.elf;
  // pads whose call the symbol-driven walk reached go first: a `.cold` part may open with a nop
  // before its pad (GCC's way to give a pad offset 1), which would otherwise look like a function
  // entry and carry the entry state into the pad; pads behind FDE-entry code follow
  const walk = new Validator(ctx);
  const pads = collectPads(ctx, tables);
  analyseLandingPads(ctx, tables, walk, pads);
  analyseFdeEntries(ctx, tables, walk);
  analyseLandingPads(ctx, tables, walk, pads);
  const checker = new FdeChecker(ctx, options.synchronous ?? false);
  const verdicts: FdeVerdict[] = [];
  const problems: string[] = [];
  for (const t of tables) {
    checker.useTable(t);
    for (const fde of t.fdes) verdicts.push(checker.check(fde));
    for (const pr of t.problems) problems.push(`${t.section.name}+0x${pr.offset.toString(16)}: ${pr.message}`);
  }
  const summary: VerifySummary = { fdes: verdicts.length, agrees: 0, mismatch: 0, unknown: 0 };
  for (const v of verdicts) {
    if (v.status === 'agrees') summary.agrees++;
    else if (v.status === 'mismatch') summary.mismatch++;
    else summary.unknown++;
  }
  return { file, machine: elf.machine, relocatable: elf.type === 1, verdicts, summary, problems };
}

/** Checks FDEs one by one; per-file caches (code rows by state) live here. */
class FdeChecker {
  private readonly p: Program;
  private readonly code: CodeSections;
  private walkerMemo: Walker | undefined;
  private readonly codeRows: (UnwindRow | undefined)[] = [];
  private readonly labels = new Map<number, Map<number, number>>();
  private readonly spName: string;
  private readonly fpName: string;
  private readonly aarch64: boolean;
  private readonly dwarfSp: number;
  private readonly dwarfFp: number;
  private readonly speller: RuleSpeller;
  /** the table's rules at the current row (reused) */
  private readonly rules: OracleRules = { cfa: '', ra: '', fp: '' };
  private table!: CfiSection;
  private ev!: CfaEvaluator;

  constructor(private readonly ctx: Context, private readonly synchronous: boolean) {
    this.p = ctx.prog;
    this.code = new CodeSections(this.p);
    const regs = this.p.arch.regs;
    this.spName = regs.names[regs.sp];
    this.fpName = regs.names[regs.fp];
    this.aarch64 = this.p.elf.machine === EM_AARCH64;
    this.dwarfSp = dwarfStackPointer(this.p.elf.machine);
    this.dwarfFp = dwarfFramePointer(this.p.elf.machine);
    this.speller = new RuleSpeller(this.p.elf.machine);
  }

  /** Scratch walks (paths to mismatches, AArch64 signing state), allocated on first need. */
  private get walker(): Walker {
    return (this.walkerMemo ??= new Walker(this.ctx));
  }

  useTable(t: CfiSection): void {
    this.table = t;
    this.ev = new CfaEvaluator(t);
  }

  check(fde: Fde): FdeVerdict {
    const p = this.p;
    const start = fde.pcBegin;
    const end = fde.pcBegin + fde.pcRange;
    const v: FdeVerdict = {
      table: this.table.kind, func: '', sec: '', start, end, status: 'unknown', addrs: [], first: null, firstWhere: null,
      reason: null, entry: null, path: [], betweenCalls: false, synchronousShape: false,
    };
    const c = this.code.locate(fde);
    if (!c || fde.pcRange <= 0) {
      v.func = c ? this.label(c.sec, start - c.base) : `0x${start.toString(16)}`;
      v.reason = REASON.noCode;
      return v;
    }
    v.sec = p.elf.sections[c.sec].name;
    v.func = this.funcName(c.sec, start - c.base);
    if (c.first < 0) { v.reason = `${REASON.notInsn} (0x${start.toString(16)})`; return v; }
    const ev = this.ev;
    const endOff = end - c.base;
    let unknown: string | null = null;
    let firstRow = -1;
    let callDiffers = false;
    let callBeforeFirst = false;
    let pacGen = 0;
    let pacInRange: boolean | undefined;
    let initialSigned = -1;
    let i = c.first;
    try {
      ev.begin(fde);
      while (i >= 0 && p.off[i] < endOff && ev.next()) {
        const t = this.speller.spell(ev, this.rules);
        if (t.cfa === 'expr') { unknown = `${REASON.cfaExpression} (at 0x${ev.rowStart.toString(16)})`; firstRow = -1; v.addrs.length = 0; break; }
        // outermost frame (thread and process entry): nothing to unwind to, no rule to check
        const outermost = t.ra === 'undef';
        if (outermost) unknown ??= REASON.outermost + this.at(ev.rowStart);
        // the table's CFA base as a number (no parsing per instruction); a CFA on a register other
        // than sp/fp compares only when the code names the same rule
        const cfaDwarf = ev.cfaKind === CfaKind.RegOffset ? ev.cfaReg : this.dwarfSp;
        const cfaBase = cfaDwarf === this.dwarfSp ? CfaBaseKind.Sp : cfaDwarf === this.dwarfFp ? CfaBaseKind.Fp : CfaBaseKind.Other;
        const cfaOff = ev.cfaKind === CfaKind.RegOffset ? ev.cfaOffset : 0;
        const otherBase = cfaBase === CfaBaseKind.Other;
        const o: OracleRow = { addr: 0, cfa: t.cfa };
        if (aboveCfa(t.ra)) unknown ??= REASON.aboveCfa + this.at(ev.rowStart);
        else if (t.ra === 'expr' || t.ra === 'vexpr') unknown ??= REASON.raExpression + this.at(ev.rowStart);
        else if (t.ra.startsWith('reg:')) unknown ??= `${REASON.raRegister} (${t.ra}, at 0x${ev.rowStart.toString(16)})`;
        else if (!outermost) o.ra = t.ra;
        if (aboveCfa(t.fp)) unknown ??= REASON.aboveCfa + this.at(ev.rowStart);
        else if (t.fp === 'expr' || t.fp === 'vexpr') unknown ??= REASON.fpExpression + this.at(ev.rowStart);
        else o.fp = t.fp;
        const signed = ev.raSigned;
        if (initialSigned < 0) initialSigned = signed;
        let lastId = -2;
        let lastD = '';
        for (; i >= 0 && p.off[i] < endOff && p.off[i] + c.base < ev.rowEnd; i = p.next(i)) {
          const id = p.cfi[i];
          const addr = p.off[i] + c.base;
          if (id < 0) {
            if (!isPadding(p, i)) unknown ??= `${REASON.notReached} (first at 0x${addr.toString(16)})`;
            continue;
          }
          if (outermost) continue;
          const call = isCall(p, i);
          if (call && firstRow < 0) callBeforeFirst = true;
          if (this.synchronous && !call) continue;
          const r = this.codeRow(id);
          if (r.cfa === null) { unknown ??= `${REASON.lost} (at 0x${addr.toString(16)})`; continue; }
          if (otherBase && r.cfa !== t.cfa) { unknown ??= `${REASON.otherBase} (${t.cfa}, at 0x${addr.toString(16)})`; continue; }
          let d = id === lastId ? lastD : disagreementParsed(o, cfaBase, cfaOff, r);
          lastId = id;
          lastD = d;
          if ((d === 'fp' || d === 'ra') && this.sameAsSaved(d, o, r, i, fde.pcBegin - c.base)) {
            // "same" in the table, saved in the code, register untouched since: one value
            d = disagreementParsed({ ...o, [d]: r[d] ?? undefined }, cfaBase, cfaOff, r);
            lastId = -2;
          }
          let codePac = 0;
          if (!d && this.aarch64 && (pacGen !== 0 || initialSigned !== 0 || signed !== 0 || (pacInRange ??= hasPacInsn(p, c.first, endOff)))) {
            // (no signing instruction in the FDE and unsigned on entry: unsigned everywhere, no walk)
            if (pacGen === 0) pacGen = this.walkPac(c.first, initialSigned, c.sec, fde.pcBegin - c.base, endOff);
            codePac = this.walker.walked(i, pacGen) ? this.walker.pac[i] : 0;
            if (codePac === 2) { unknown ??= `${REASON.pacPaths} (at 0x${addr.toString(16)})`; continue; }
            if (codePac !== signed) d = 'pac';
          }
          if (!d) continue;
          if (call) callDiffers = true;
          v.addrs.push(addr);
          if (firstRow < 0) {
            firstRow = i;
            v.first = { addr, rule: d as RuleName, table: tableSpelling(d, t.cfa, o, signed), code: this.codeSpelling(d, t.cfa, r, codePac) };
          }
        }
      }
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      v.reason = `${REASON.badProgram} (${e.message})`;
      v.addrs.length = 0;
      v.first = null;
      return v;
    }
    if (firstRow >= 0 && this.ctx.frameConflicts.size > 0) {
      // the code state is the first path's where paths with different frames meet: not a verdict
      const at = this.conflictIn(c.first, endOff);
      if (at >= 0) {
        firstRow = -1;
        v.addrs.length = 0;
        v.first = null;
        unknown = `${REASON.conflict} (at 0x${(p.off[at] + c.base).toString(16)})`;
      }
    }
    if (firstRow >= 0) {
      v.status = 'mismatch';
      v.betweenCalls = !callDiffers;
      v.synchronousShape = !callDiffers && !callBeforeFirst;
      v.firstWhere = this.label(c.sec, p.off[firstRow]);
      this.explainPath(v, firstRow, c.first);
    } else if (unknown !== null) {
      v.reason = unknown;
      v.first = null;
    } else {
      v.status = 'agrees';
    }
    return v;
  }

  /** The first row of [first, section offset endOff) where paths met with different frames, or -1. */
  private conflictIn(first: number, endOff: number): number {
    const p = this.p;
    for (let i = first; i >= 0 && p.off[i] < endOff; i = p.next(i)) if (this.ctx.frameConflicts.has(i)) return i;
    return -1;
  }

  /** ` (at 0xADDR)` for a reason, built only when a reason is kept. */
  private at(addr: number): string {
    return ` (at 0x${addr.toString(16)})`;
  }

  /** Table "same", code "cfa-N", nothing between the save and row `i` that could change the register. */
  private sameAsSaved(d: 'fp' | 'ra', o: OracleRow, r: UnwindRow, i: number, lo: number): boolean {
    const code = r[d];
    if (o[d] !== 'same' || code === null || !code.startsWith('cfa')) return false;
    const regs = this.p.arch.regs;
    return unchangedSinceSave(this.p, i, lo, d === 'fp' ? regs.fp : regs.ra, d === 'ra' && this.aarch64);
  }

  /** Code rules of state `id` (cached: states are interned). */
  private codeRow(id: number): UnwindRow {
    let r = this.codeRows[id];
    if (!r) {
      // the signing state is judged by this module's own PAC walk (it also sees paths that disagree)
      const { pac: _signed, ...fields } = rowFields(this.ctx, id);
      void _signed;
      r = { sec: '', addr: 0, func: null, ...fields };
      this.codeRows[id] = r;
    }
    return r;
  }

  private codeSpelling(d: string, tableCfa: string, r: UnwindRow, pac: number): string {
    if (d === 'pac') return pac ? 'signed' : 'unsigned';
    if (d === 'ra') return r.ra ?? 'undef';
    if (d === 'fp') return r.fp ?? 'undef';
    // the CFA in the table's own base register when the code knows it
    if (tableCfa.startsWith(this.spName) && r.sp !== null) return this.spName + signed(r.sp);
    if (tableCfa.startsWith(this.fpName) && r.fpv !== null) return this.fpName + signed(r.fpv);
    return r.cfa ?? 'undefined';
  }

  private walkPac(entry: number, initial: number, sec: number, lo: number, hi: number): number {
    const p = this.p;
    return this.walker.walkPac(entry, initial, (row) => p.sec[row] === sec && p.off[row] >= lo && p.off[row] < hi);
  }

  /** The function entry and the branches from it to row `target`. */
  private explainPath(v: FdeVerdict, target: number, fdeFirst: number): void {
    const p = this.p;
    let entry = fdeFirst;
    const f = p.func(target);
    if (f >= 0) {
      const pf = p.syms.pfunc[f];
      const e = p.find(p.syms.sec[pf], p.syms.offset[pf]);
      if (e >= 0 && p.cfi[e] >= 0) entry = e;
    }
    v.entry = this.label(p.sec[entry], p.off[entry]);
    const linked = p.elf.type !== 1;
    for (const s of this.walker.pathTo(entry, target)) {
      const sec = p.sec[s.row];
      const addr = p.off[s.row] + (linked ? p.elf.sections[sec].addr : 0);
      v.path.push({ addr, where: this.label(sec, p.off[s.row]), taken: s.taken });
    }
  }

  private funcName(sec: number, off: number): string {
    const syms = this.p.syms;
    let s = syms.funcContaining(sec, off);
    if (s < 0) s = syms.symbolContaining(sec, off);
    if (s < 0) s = this.labelAt(sec, off); // an assembly label without .type/.size
    return s >= 0 ? syms.name(s) : this.label(sec, off);
  }

  /** Any named symbol at exactly (sec, off), sized or not; -1 when none. */
  private labelAt(sec: number, off: number): number {
    let m = this.labels.get(sec);
    if (!m) {
      m = new Map();
      const syms = this.p.syms;
      for (const k of syms.list(sec)) if (!m.has(syms.offset[k]) && syms.name(k) !== '') m.set(syms.offset[k], k);
      this.labels.set(sec, m);
    }
    return m.get(off) ?? -1;
  }

  /** `func+0xoff`, else `section+0xoff`. */
  private label(sec: number, off: number): string {
    const pl = this.p.place(sec, off);
    if (pl.sym) return `${pl.sym}+0x${pl.symOff.toString(16)}`;
    // no symbol: the address in linked files, the section offset in objects
    return pl.addr !== undefined ? `0x${pl.addr.toString(16)}` : `${pl.sec}+0x${off.toString(16)}`;
  }
}

/** A rule `cfa+N`, N >= 0: saved where the caller's frame is, by code before this function's entry. */
function aboveCfa(rule: string): boolean {
  return rule.startsWith('cfa+');
}

/** Does any instruction of the section from row `first` up to offset `endOff` sign or authenticate x30? */
function hasPacInsn(p: Program, first: number, endOff: number): boolean {
  for (let i = first; i >= 0 && p.off[i] < endOff; i = p.next(i)) if (p.flags[i] & PAC_FLAGS) return true;
  return false;
}

/** Where a synchronous table must be exact: calls (the unwinder looks up the return address - 1). */
function isCall(p: Program, i: number): boolean {
  const k = p.kind[i];
  return k === InsnKind.Call || k === InsnKind.CallDynamic;
}

/** Instructions no path needs to reach: alignment padding and traps. */
function isPadding(p: Program, i: number): boolean {
  const k = p.kind[i];
  return k === InsnKind.Nop || k === InsnKind.Trap || k === InsnKind.Bug || k === InsnKind.Invalid || (p.flags[i] & InsnFlag.Padding) !== 0;
}

function tableSpelling(d: string, cfa: string, o: OracleRow, signedRa: number): string {
  if (d === 'pac') return signedRa ? 'signed' : 'unsigned';
  if (d === 'ra') return o.ra ?? 'undef';
  if (d === 'fp') return o.fp ?? 'same';
  return cfa;
}

function signed(n: number): string {
  return n < 0 ? String(n) : `+${n}`;
}
