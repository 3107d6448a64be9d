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
import { CfiBase, InsnFlag, isCall } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { isUnresolvedDispatch } from '../cfg/destinations.js';
import { archFor } from '../arch/registry.js';
import { userspaceOptions } from '../cli/analyze.js';
import { openForAnalysis } from '../cli/io.js';
import type { ElfFile } from '../elf/reader.js';
import { runChecks } from '../pipeline.js';
import { Program } from '../program/program.js';
import { prepareUserspaceCalls } from '../cfg/linked-calls.js';
import { CfaEvaluator, CfaKind, RuleKind, RuleSpeller, dwarfFramePointer, dwarfStackPointer, readCfiTables } from '../dwarf/index.js';
import type { CfiKind, CfiSection, Fde } from '../dwarf/index.js';
import { EM_AARCH64 } from '../elf/constants.js';
import { FormatError } from '../elf/errors.js';
import { CfaBaseKind } from './compare-rows.js';
import { CodeRules, FP_SAVED, RA_SAVED, RULE_NAMES, Rule } from './code-rules.js';
import { CodeSections } from '../program/fde-code.js';
import { isPadding } from '../checks/reachable.js';
import { PAC_FLAGS, Validator } from '../frame/validate.js';
import { unchangedSinceSave } from './prologue.js';
import { Walker } from './walker.js';
import { REACHED } from '../frame/table-proof.js';

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
  /** function entry of the path (`func+0x0`), then its branches (none unless `VerifyOptions.paths`) */
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
  /**
   * Prove FDEs from their own rules first and walk only the rest (src/frame/table-proof.ts): the
   * walk's verdicts, except that an FDE the walk gives up on over registers verify does not compare
   * can still be proven; cheaper. Default true.
   */
  prove?: boolean;
  /**
   * Work out each mismatch's path from the function entry (`entry`, `path`: what the text and SARIF
   * reports show). Default true; JSON leaves them out, so it asks for none (a breadth-first walk per
   * mismatch, a few milliseconds each in a large function).
   */
  paths?: boolean;
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
  /** the analysis stopped early (objtool's fatal problems): its last message; FDEs it did not reach are unknown */
  stopped?: string;
  /** FDEs the table proof settled (agrees) without walking their code */
  proven: number;
  /** FDEs the table proof settled as mismatches without walking their code */
  settled: number;
}

/** Signing-state walks of a file after which verify's walker uses plain columns (walker.ts). */
const DENSE_AFTER_WALKS = 512;

/** Reasons for `unknown`, the part before any detail in parentheses. */
export const REASON = {
  notReached: 'code not reached by analysis',
  /** a table-shaped dispatch whose table was not proven: where it leads is not known */
  unresolvedTable: 'jump table not recovered',
  cfaExpression: 'CFA is a DWARF expression',
  raExpression: 'return-address rule is a DWARF expression',
  fpExpression: 'frame-pointer rule is a DWARF expression',
  lost: 'code objflow cannot follow (frame state lost)',
  otherBase: 'CFA based on a register the analysis does not track',
  raRegister: 'return address kept in a register, not tracked by the analysis',
  fpRegister: 'frame pointer kept in another register, not tracked by the analysis',
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
  return (await verifyFileAnalysed(path, dynamicSymbols, options)).report;
}

/** `verifyFile`, with the analysis its verdicts come from (for tests that look at the states behind them). */
export async function verifyFileAnalysed(path: string, dynamicSymbols = true, options: VerifyOptions = {}): Promise<{ report: VerifyReport; ctx: Context }> {
  const elf = openForAnalysis(path);
  const arch = await archFor(elf.machine);
  if (!arch) throw new FormatError(`unsupported machine ${elf.machine} (x86-64 and AArch64 only)`);
  const tables = readTables(elf);
  const prog = new Program(elf, arch, false, dynamicSymbols);
  prepareUserspaceCalls(prog, tables);
  // the options `unwind` analyses with (analyzeFile), so that rows are the ones it prints; no
  // unreachable-instruction warnings (verify reports unreached code per FDE, and a stripped
  // library would build one warning per instruction before its FDE entries are walked)
  const opts = userspaceOptions();
  const r = runChecks(prog, { ...opts, orc: true, noUnreachable: true, proveTables: options.prove ?? true }, path, tables);
  const report = verifyAnalysis(r.ctx, path, tables, options);
  if (r.stopped) report.stopped = r.ctx.diag.list.at(-1)?.message ?? 'a fatal problem';
  return { report, ctx: r.ctx };
}

/** The unwind tables of a file; FormatError when it has none. */
export function readTables(elf: ElfFile): CfiSection[] {
  const tables = readCfiTables(elf);
  if (tables.length === 0) throw new FormatError('no .eh_frame or .debug_frame: nothing to verify');
  return tables;
}

/** Verifies the tables of an analysed file (analysed with those tables: its FDE starts and landing pads walked). */
export function verifyAnalysis(ctx: Context, file: string, tables: readonly CfiSection[] = readTables(ctx.prog.elf),
  options: VerifyOptions = {}): VerifyReport {
  const elf = ctx.prog.elf;
  const checker = new FdeChecker(ctx, options.synchronous ?? false, options.paths ?? true);
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
  return { file, machine: elf.machine, relocatable: elf.type === 1, verdicts, summary, problems, proven: ctx.tableProof?.proven.size ?? 0,
    settled: ctx.tableProof?.settled.size ?? 0 };
}

/** Checks FDEs one by one; per-file caches (code rows by state) live here. */
class FdeChecker {
  private readonly p: Program;
  private readonly code: CodeSections;
  private walkerMemo: Walker | undefined;
  private readonly labels = new Map<number, Map<number, number>>();
  private readonly spName: string;
  private readonly fpName: string;
  private readonly aarch64: boolean;
  private readonly dwarfSp: number;
  private readonly dwarfFp: number;
  /** numbers every rule spelling, the table's and the code's alike */
  private readonly speller: RuleSpeller;
  /** the code's rules by state, as numbers */
  private readonly codeRules: CodeRules;
  private table!: CfiSection;
  private ev!: CfaEvaluator;

  constructor(private readonly ctx: Context, private readonly synchronous: boolean, private readonly paths: boolean) {
    this.p = ctx.prog;
    this.code = new CodeSections(this.p);
    const regs = this.p.arch.regs;
    this.spName = regs.names[regs.sp];
    this.fpName = regs.names[regs.fp];
    this.aarch64 = this.p.elf.machine === EM_AARCH64;
    this.dwarfSp = dwarfStackPointer(this.p.elf.machine);
    this.dwarfFp = dwarfFramePointer(this.p.elf.machine);
    this.speller = new RuleSpeller(this.p.elf.machine);
    this.codeRules = new CodeRules(ctx, this.speller);
  }

  /** Scratch walks (paths to mismatches, AArch64 signing state), allocated on first need. */
  private get walker(): Walker {
    return (this.walkerMemo ??= new Walker(this.ctx));
  }

  /** The walker for a new walk: after DENSE_AFTER_WALKS on sparse columns, one on plain ones (walker.ts). */
  private walkerForNewWalk(): Walker {
    const w = this.walkerMemo;
    if (w && !w.dense && w.walks >= DENSE_AFTER_WALKS) return (this.walkerMemo = new Walker(this.ctx, true));
    return this.walker;
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
    if (this.ctx.tableProof?.proven.has(fde)) { v.status = 'agrees'; return v; }
    if ((this.ctx.tableProof?.settled.start(fde) ?? -1) >= 0) return this.settledVerdict(v, fde, c.first, c.base, c.sec);
    // proven wherever the walk reaches: the walk's verdict, unknown, with its reason
    if (this.partialReason(v, fde, c.base)) return v;
    const ev = this.ev;
    const sp = this.speller;
    const code = this.codeRules;
    const endOff = end - c.base;
    // rows of one section are contiguous: the FDE's rows end at the section's last row at the latest
    const secEnd = p.secRange(c.sec)[1];
    const off = p.off;
    const cfi = p.cfi;
    const kind = p.kind;
    const synchronous = this.synchronous;
    const base = c.base;
    let unknown: string | null = null;
    /** the first reached dispatch through a table left unproven: the cause of the code it leaves unreached */
    let unresolvedAt: string | null = null;
    let firstRow = -1;
    let callDiffers = false;
    let callBeforeFirst = false;
    let pacGen = 0;
    let pacInRange: boolean | undefined;
    let initialSigned = -1;
    let i = c.first;
    try {
      ev.begin(fde);
      while (i < secEnd && off[i] < endOff && ev.next()) {
        if (ev.cfaKind === CfaKind.Expression) { unknown = `${REASON.cfaExpression} (at 0x${ev.rowStart.toString(16)})`; firstRow = -1; v.addrs.length = 0; break; }
        // the table's rules as numbers: the CFA as base and offset, ra/fp as spelling numbers
        // (-1: not compared); text is made only for a reason or a mismatch
        const raKind = ev.rule(sp.raColumn(ev));
        const fpKind = ev.rule(this.dwarfFp);
        // outermost frame (thread and process entry): nothing to unwind to, no rule to check
        const outermost = raKind === RuleKind.Undefined;
        if (outermost) unknown ??= REASON.outermost + this.at(ev.rowStart);
        // a CFA on a register other than sp/fp compares only when the code names the same rule
        const cfaDwarf = ev.cfaKind === CfaKind.RegOffset ? ev.cfaReg : this.dwarfSp;
        const cfaBase = cfaDwarf === this.dwarfSp ? CfaBaseKind.Sp : cfaDwarf === this.dwarfFp ? CfaBaseKind.Fp : CfaBaseKind.Other;
        const cfaOff = ev.cfaKind === CfaKind.RegOffset ? ev.cfaOffset : 0;
        const otherBase = cfaBase === CfaBaseKind.Other;
        const tableCfa = otherBase ? sp.cfaId(ev) : -1;
        let oRa = -1;
        if (savedAboveCfa(ev, raKind, sp.raColumn(ev))) unknown ??= REASON.aboveCfa + this.at(ev.rowStart);
        else if (raKind === RuleKind.Expression || raKind === RuleKind.ValExpression) unknown ??= REASON.raExpression + this.at(ev.rowStart);
        else if (raKind === RuleKind.Register) unknown ??= `${REASON.raRegister} (${sp.text(sp.ruleId(ev, sp.raColumn(ev)))}, at 0x${ev.rowStart.toString(16)})`;
        else if (!outermost) oRa = sp.ruleId(ev, sp.raColumn(ev));
        let oFp = -1;
        if (savedAboveCfa(ev, fpKind, this.dwarfFp)) unknown ??= REASON.aboveCfa + this.at(ev.rowStart);
        else if (fpKind === RuleKind.Expression || fpKind === RuleKind.ValExpression) unknown ??= REASON.fpExpression + this.at(ev.rowStart);
        else if (fpKind === RuleKind.Register) unknown ??= `${REASON.fpRegister} (${sp.text(sp.ruleId(ev, this.dwarfFp))}, at 0x${ev.rowStart.toString(16)})`;
        else oFp = sp.ruleId(ev, this.dwarfFp);
        const signed = ev.raSigned;
        if (initialSigned < 0) initialSigned = signed;
        // the last state compared in this row (it had a call-frame CFA and passed the other-base
        // test), and what it gave: the next instruction usually has the same state
        let lastId = -2;
        let lastD: number = Rule.None;
        let lastSameCfa = tableCfa;
        // the row's instructions: up to the row's end and the FDE's, as section offsets
        const rowEndOff = Math.min(endOff, ev.rowEnd - base);
        for (; i < secEnd && off[i] < rowEndOff; i++) {
          const id = cfi[i];
          if (id < 0) {
            if (!isPadding(p, i)) unknown ??= `${REASON.notReached} (first at 0x${(off[i] + base).toString(16)})`;
            continue;
          }
          const k = kind[i];
          // the paths through it are not known: what was compared is not every path
          if (isUnresolvedDispatch(this.ctx, i)) unresolvedAt ??= `${REASON.unresolvedTable} (at 0x${(off[i] + base).toString(16)})`;
          if (outermost) continue;
          // where a synchronous table must be exact: calls (the unwinder looks up the return address - 1)
          const call = isCall(k);
          if (call && firstRow < 0) callBeforeFirst = true;
          if (synchronous && !call) continue;
          let d: number;
          let sameCfa: number;
          if (id === lastId) {
            d = lastD;
            sameCfa = lastSameCfa;
          } else {
            if (!code.ensure(id)) { unknown ??= `${REASON.lost} (at 0x${(off[i] + base).toString(16)})`; continue; }
            // a CFA on another register: the code must name the same rule, or that register must hold
            // the same CFA by value (CFA-k in the code's state)
            sameCfa = tableCfa;
            if (otherBase && code.cfaId(id) !== tableCfa) {
              if (!this.holdsCfaMinus(id, cfaDwarf, cfaOff)) { unknown ??= `${REASON.otherBase} (${sp.text(tableCfa)}, at 0x${(off[i] + base).toString(16)})`; continue; }
              sameCfa = code.cfaId(id);
            }
            d = differingRule(code, id, cfaBase, cfaOff, sameCfa, oRa, oFp);
            lastId = id;
            lastD = d;
            lastSameCfa = sameCfa;
          }
          if ((d === Rule.Fp || d === Rule.Ra) && this.sameAsSaved(d, d === Rule.Ra ? oRa : oFp, id, i, fde.pcBegin - base)) {
            // "same" in the table, saved in the code, register untouched since: one value (the
            // rules after the one that differed are still compared)
            d = d === Rule.Ra ? differingRule(code, id, cfaBase, cfaOff, sameCfa, -1, oFp) : Rule.None;
            lastId = -2;
          }
          let codePac = 0;
          if (d === Rule.None && this.aarch64 && (pacGen !== 0 || initialSigned !== 0 || signed !== 0 || (pacInRange ??= hasPacInsn(p, c.first, secEnd, endOff)))) {
            // (no signing instruction in the FDE and unsigned on entry: unsigned everywhere, no walk)
            if (pacGen === 0) pacGen = this.walkPac(c.first, initialSigned, c.sec, fde.pcBegin - base, endOff);
            codePac = this.walker.walked(i, pacGen) ? this.walker.pac[i] : 0;
            if (codePac === 2) { unknown ??= `${REASON.pacPaths} (at 0x${(off[i] + base).toString(16)})`; continue; }
            if (codePac !== signed) d = Rule.Pac;
          }
          if (d === Rule.None) continue;
          if (call) callDiffers = true;
          const addr = off[i] + base;
          v.addrs.push(addr);
          if (firstRow < 0) {
            firstRow = i;
            const tableCfaText = sp.text(sp.cfaId(ev));
            v.first = {
              addr, rule: RULE_NAMES[d] as RuleName, table: this.tableSpelling(d, tableCfaText, oRa, oFp, signed),
              code: this.codeSpelling(d, tableCfaText, id, codePac),
            };
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
    // code not reached is named by the dispatch whose cases it usually is, wherever it lies
    if (unresolvedAt !== null && (unknown === null || unknown.startsWith(REASON.notReached))) unknown = unresolvedAt;
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
      if (this.paths) this.explainPath(v, firstRow, c.first);
    } else if (unknown !== null) {
      v.reason = unknown;
      v.first = null;
    } else {
      v.status = 'agrees';
    }
    return v;
  }

  /**
   * The verdict of an FDE the table proof settled (table-proof.ts): the rows where the code's CFA
   * differs from the table's, and the code's distance there, are known; what the loop in `check`
   * makes of a walk's states, made of those.
   */
  private settledVerdict(v: FdeVerdict, fde: Fde, first: number, base: number, sec: number): FdeVerdict {
    const p = this.p;
    const settled = this.ctx.tableProof!.settled;
    const at = settled.start(fde);
    const n = settled.count(fde);
    const { rows, dist } = settled;
    const kind = p.kind;
    let firstRow = -1;
    let firstDist = 0;
    let callDiffers = false;
    for (let q = at; q < at + n; q++) {
      const i = rows[q];
      const call = isCall(kind[i]);
      if (this.synchronous && !call) continue;
      if (call) callDiffers = true;
      if (firstRow < 0) { firstRow = i; firstDist = dist[q]; }
      v.addrs.push(p.off[i] + base);
    }
    if (firstRow < 0) {
      if (!this.partialReason(v, fde, base)) v.status = 'agrees';
      return v;
    }
    // a call up to the first difference (the loop notes one there too)
    let callBeforeFirst = false;
    for (let i = first; i <= firstRow && !callBeforeFirst; i++) callBeforeFirst = isCall(kind[i]);
    // the table's row at the first difference (the proof read this far without a problem)
    const ev = this.ev;
    const off = p.off[firstRow];
    ev.begin(fde);
    while (ev.next() && off >= ev.rowEnd - base);
    const tableCfa = this.speller.text(this.speller.cfaId(ev));
    const name = ev.cfaReg === this.dwarfSp ? this.spName : this.fpName;
    v.status = 'mismatch';
    v.first = { addr: off + base, rule: 'cfa', table: tableCfa, code: name + signed(firstDist) };
    v.betweenCalls = !callDiffers;
    v.synchronousShape = !callDiffers && !callBeforeFirst;
    v.firstWhere = this.label(sec, off);
    if (this.paths) this.explainPath(v, firstRow, first);
    return v;
  }

  /**
   * The walk's reason for an FDE the proof found to hold wherever the walk reaches (`PartialFdes`):
   * code it does not reach, or a dispatch through a table left unproven; false when there is none.
   */
  private partialReason(v: FdeVerdict, fde: Fde, base: number): boolean {
    const partial = this.ctx.tableProof?.partial;
    const row = partial?.row(fde) ?? -1;
    if (row < 0) return false;
    const addr = (this.p.off[row] + base).toString(16);
    v.reason = partial!.reached(fde) ? `${REASON.unresolvedTable} (at 0x${addr})` : `${REASON.notReached} (first at 0x${addr})`;
    return true;
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
  private sameAsSaved(d: number, tableRule: number, id: number, i: number, lo: number): boolean {
    const bit = d === Rule.Fp ? FP_SAVED : RA_SAVED;
    if (tableRule !== this.speller.sameId || !(this.codeRules.savedBits[id] & bit)) return false;
    const regs = this.p.arch.regs;
    return unchangedSinceSave(this.p, i, lo, d === Rule.Fp ? regs.fp : regs.ra, d === Rule.Ra && this.aarch64);
  }

  /** Does the register of DWARF number `dwarf` hold CFA-`off` in state `id`? */
  private holdsCfaMinus(id: number, dwarf: number, off: number): boolean {
    const slot = this.p.arch.regs.dwarf.indexOf(dwarf);
    if (slot < 0) return false;
    const pool = this.ctx.pool;
    const V = this.ctx.L.vals;
    return pool.get(id, V + 2 * slot) === CfiBase.Cfa && pool.get(id, V + 2 * slot + 1) === -off;
  }

  private tableSpelling(d: number, cfa: string, ra: number, fp: number, signedRa: number): string {
    if (d === Rule.Pac) return signedRa ? 'signed' : 'unsigned';
    if (d === Rule.Ra) return ra >= 0 ? this.speller.text(ra) : 'undef';
    if (d === Rule.Fp) return fp >= 0 ? this.speller.text(fp) : 'same';
    return cfa;
  }

  private codeSpelling(d: number, tableCfa: string, id: number, pac: number): string {
    const code = this.codeRules;
    if (d === Rule.Pac) return pac ? 'signed' : 'unsigned';
    if (d === Rule.Ra) return this.speller.text(code.ra[id]);
    if (d === Rule.Fp) return this.speller.text(code.fp[id]);
    // the CFA in the table's own base register when the code knows it
    if (tableCfa.startsWith(this.spName) && !Number.isNaN(code.sp[id])) return this.spName + signed(code.sp[id]);
    if (tableCfa.startsWith(this.fpName) && !Number.isNaN(code.fpv[id])) return this.fpName + signed(code.fpv[id]);
    return code.cfaText(id);
  }

  private walkPac(entry: number, initial: number, sec: number, lo: number, hi: number): number {
    const p = this.p;
    return this.walkerForNewWalk().walkPac(entry, initial, (row) => p.sec[row] === sec && p.off[row] >= lo && p.off[row] < hi);
  }

  /** The function entry and the branches from it to row `target`. */
  private explainPath(v: FdeVerdict, target: number, fdeFirst: number): void {
    const p = this.p;
    let entry = fdeFirst;
    const f = p.func(target);
    if (f >= 0) {
      const pf = p.syms.pfunc[f];
      const e = p.find(p.syms.sec[pf], p.syms.offset[pf]);
      if (e >= 0 && (p.cfi[e] >= 0 || this.ctx.tableProof?.skipWalk[e] === REACHED)) entry = e;
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

/** Does any instruction of the section from row `first` (rows up to `secEnd`) up to offset `endOff` sign or authenticate x30? */
function hasPacInsn(p: Program, first: number, secEnd: number, endOff: number): boolean {
  const { off, flags } = p;
  for (let i = first; i < secEnd && off[i] < endOff; i++) if (flags[i] & PAC_FLAGS) return true;
  return false;
}


/**
 * The first rule (Rule.Cfa, Ra, Fp) in which code state `id` differs from the table's row, or
 * Rule.None. The table's CFA is `cfaOff` from sp or fp (`cfaBase`), or the rule numbered `tableCfa`
 * on another register; `ra`/`fp` are spelling numbers, -1 where the table's rule is not compared. A
 * code rule also agrees through its equal-valued other spelling (`same` for an untouched save slot).
 */
function differingRule(code: CodeRules, id: number, cfaBase: number, cfaOff: number, tableCfa: number, ra: number, fp: number): number {
  if (cfaBase === CfaBaseKind.Sp) { if (code.sp[id] !== cfaOff) return Rule.Cfa; }
  else if (cfaBase === CfaBaseKind.Fp) { if (code.fpv[id] !== cfaOff) return Rule.Cfa; }
  else if (code.cfaId(id) !== tableCfa) return Rule.Cfa;
  if (ra >= 0 && ra !== code.ra[id] && ra !== code.raEquiv[id]) return Rule.Ra;
  if (fp >= 0 && fp !== code.fp[id] && fp !== code.fpEquiv[id]) return Rule.Fp;
  return Rule.None;
}

/** A register saved at `cfa+N`, N >= 0: where the caller's frame is, by code before this function's entry. */
function savedAboveCfa(ev: CfaEvaluator, kind: number, col: number): boolean {
  return kind === RuleKind.Offset && ev.value[col] >= 0;
}

function signed(n: number): string {
  return n < 0 ? String(n) : `+${n}`;
}
