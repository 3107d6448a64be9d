/**
 * The analysis of one file. With kernel conventions it is objtool's pass order for one object: read the kernel tables and annotations into the program,
 * resolve destinations, walk every function, run the checks, and collect what the output sections
 * need. Mirrors objtool 6.12's decode_sections() + check(), including where a fatal problem stops it.
 */
import { readFileSync } from 'node:fs';
import { InsnKind, isCall } from './arch/arch.js';
import { Context, Fatal, SF } from './cfg/context.js';
import type { CheckOptions } from './cfg/context.js';
import { addSpecialSectionAlts } from './cfg/alternatives.js';
import { addCallDestinations, addJumpDestinations } from './cfg/destinations.js';
import { assignSymbols, classifySymbols } from './cfg/functions.js';
import { addJumpTableAlts } from './cfg/jump-tables.js';
import { addUnownedEntries } from './cfg/entry-points.js';
import { validateReachable } from './checks/reachable.js';
import { validateRetpoline, validateSls } from './checks/speculation.js';
import { validateFunctions, validateNoinstrSections, validateUnwindHints } from './frame/functions.js';
import { validateUnrets } from './checks/unret.js';
import { analyseLandingPads, tablePads } from './frame/landing-pads.js';
import { analyseFdeEntries } from './frame/fde-entries.js';
import type { CfiSection } from './dwarf/index.js';
import { validateIbt } from './checks/ibt.js';
import { StateType } from './frame/state.js';
import { Validator } from './frame/validate.js';
import type { Program } from './program/program.js';
import { B, SecRole } from './program/program.js';
import { buildOrc } from './unwind/orc-gen.js';
import { recoverJumpTables, TARGET_OUTSIDE } from './cfg/switch-tables.js';
import type { SwitchTableResult } from './cfg/switch-tables.js';
import { proveTables } from './frame/table-proof.js';
import type { OrcTable } from './unwind/orc-gen.js';
import { readAnnotations } from './kernel/annotations.js';
import type { AnnotationTable } from './kernel/annotations.js';
import { UACCESS_SAFE_BUILTIN } from './kernel/names.js';
import { readSpecialAlts } from './kernel/special.js';
import { BUGFLAG_WARNING, readBugTable } from './kernel/bug-table.js';
import { readUnwindHints } from './kernel/unwind-hints.js';
import { PvOps } from './kernel/pv-ops.js';
import { orcSectionWarning, sectionWarnings } from './kernel/objtool-output.js';
import type { KernelWarning } from './kernel/warnings.js';
import { SHT_REL, SHT_RELA, STT_FUNC } from './elf/constants.js';

export interface CheckResult {
  ctx: Context;
  /** a fatal problem stopped the analysis (objtool still writes the hacks' byte changes) */
  stopped: boolean;
  orc: OrcTable | undefined;
  /** functions that get a `__pfx_` symbol (symbol indices), in order */
  prefixFuncs: number[];
}

/**
 * `tables` (userspace): the file's unwind tables, whose FDE starts and exception landing pads are
 * walked too (code no branch leads to).
 */
export function runChecks(prog: Program, opts: CheckOptions, objname: string, tables?: readonly CfiSection[]): CheckResult {
  const ctx = new Context(prog, opts, objname);
  if (tables) ctx.unwindTables = tables;
  const result: CheckResult = { ctx, stopped: false, orc: undefined, prefixFuncs: [] };
  if (opts.stats) readStats(ctx);
  try {
    decodeSections(ctx);
    check(ctx, result);
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
    result.stopped = true;
    // what the tables lead to is still walked: verify reports on the FDEs it reaches
    if (!opts.kernel && !ctx.tablesWalked) {
      try {
        walkFromTables(ctx);
      } catch (f) {
        if (!(f instanceof Fatal)) throw f;
      }
    }
  }
  return result;
}

/**
 * The jump tables of a file without kernel conventions as the analysis finds them (after symbols, call
 * destinations and noreturn inference, which decide the control flow the recovery proves over): what
 * `objflow jumptables` prints is what check, unwind and verify use.
 */
export function recoverUserspaceJumpTables(prog: Program, opts: CheckOptions, objname: string,
  tables: readonly CfiSection[]): SwitchTableResult {
  const ctx = new Context(prog, { ...opts, kernel: false }, objname);
  ctx.unwindTables = tables;
  try {
    decodeUserspace(ctx);
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
  }
  return ctx.switchTables ?? { tables: [], unresolved: [] };
}

/** OBJFLOW_TIMING=1: stage times on stderr (development aid). */
const TIMING = process.env.OBJFLOW_TIMING === '1';
let threadTimingAtExit = false;
function mark(ctx: Context, label: string): void {
  if (!TIMING) return;
  // user CPU of the whole process (V8's compiler and GC threads too), steadier than wall time on a busy machine
  const now = process.cpuUsage().user / 1000;
  if (label) {
    const m = process.memoryUsage();
    // system time and page faults: first touches of memory, which cost as much as the work on a VM
    const r = process.resourceUsage();
    process.stderr.write(`objflow: timing: ${label} ${(now - ctx.timingMark).toFixed(1)} ms cpu, at ${performance.now().toFixed(0)} ms; main thread ${procCpuMs('/proc/thread-self/stat')} ms; sys ${(r.systemCPUTime / 1000).toFixed(0)} ms, ${r.minorPageFault} faults; rss ${(m.rss / 1e6).toFixed(0)} heap ${(m.heapUsed / 1e6).toFixed(0)}/${(m.heapTotal / 1e6).toFixed(0)} ext ${(m.external / 1e6).toFixed(0)} ab ${(m.arrayBuffers / 1e6).toFixed(0)} MB\n`);
  } else if (!threadTimingAtExit) {
    threadTimingAtExit = true;
    // what the other threads cost (compiling, collecting, helpers), which the stage figures mix in
    process.on('exit', () => {
      const all = procCpuMs('/proc/self/stat');
      const main = procCpuMs('/proc/thread-self/stat');
      process.stderr.write(`objflow: timing: process ${all} ms cpu (user+sys): main thread ${main} ms, other threads ${all - main} ms\n`);
    });
  }
  ctx.timingMark = now;
}

/** User + system CPU of a /proc stat file (Linux; clock ticks of 10 ms), or -1 where there is none. */
function procCpuMs(path: string): number {
  try {
    const s = readFileSync(path, 'latin1');
    // fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return -1;
  }
}

/**
 * --stats lines objtool prints before its checks: the ELF reader's table sizes and hash-table bits
 * (a table of n entries gets max(10, floor(log2 n)) bits; the CFI hash gets the symbol bits less 3),
 * then the instruction count.
 */
function readStats(ctx: Context): void {
  const elf = ctx.prog.elf;
  const bits = (n: number): number => Math.max(10, n > 0 ? Math.floor(Math.log2(n)) : -1);
  const nsym = elf.symtab?.count ?? 0;
  let maxReloc = 0;
  let numRelocs = 0;
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA && s.type !== SHT_REL) continue;
    const n = s.entsize ? Math.floor(s.size / s.entsize) : 0;
    numRelocs += n;
    maxReloc = Math.max(maxReloc, n);
  }
  const out = ctx.stdout;
  out.push(`nr_sections: ${elf.sections.length}`, `section_bits: ${bits(elf.sections.length)}`);
  out.push(`nr_symbols: ${nsym}`, `symbol_bits: ${bits(nsym)}`);
  out.push(`max_reloc: ${maxReloc}`, `num_relocs: ${numRelocs}`, `reloc_bits: ${bits(numRelocs)}`);
  out.push(`cfi_bits: ${Math.max(10, bits(nsym) - 3)}`);
  if (ctx.opts.kernel) out.push(`nr_insns: ${ctx.prog.count}`);
}

function emit(ctx: Context, w: KernelWarning): void {
  if (w.kind === 'plain') ctx.diag.warn(w.text);
  else ctx.warnAt(w.sec, w.off, w.text);
}

function decodeSections(ctx: Context): void {
  const p0 = ctx.prog;
  for (let s = 0; s < p0.elf.sections.length; s++) if (p0.secRole[s] & SecRole.Rodata) ctx.hasRodata = true;
  if (!ctx.opts.kernel) return decodeUserspace(ctx);
  const p = ctx.prog;
  const o = ctx.opts;
  const missing = p.syms.missingParent;
  if (missing >= 0) {
    // objtool reads symbols while opening the file: it stops there with status 1 and writes nothing
    ctx.openFailed = true;
    ctx.fatal(`${p.syms.name(missing)}(): can't find parent function`);
  }
  mark(ctx, '');
  kernelKinds(ctx);
  classifySymbols(ctx);
  assignSymbols(ctx);
  mark(ctx, 'symbols');
  if (o.noinstr) ctx.pvOps = PvOps.read(p);
  const ann = readAnnotations(p.elf);
  // func_stack_frame_non_standard: every instruction of the function is ignored
  for (const w of ann.func_stack_frame_non_standard.warnings) emit(ctx, w);
  for (const e of ann.func_stack_frame_non_standard.entries) {
    for (let i = p.find(p.syms.sec[e.func], p.syms.offset[e.func]); i >= 0; i = p.nextInFunc(i)) p.bits[i] |= B.Ignore;
  }
  if (o.uaccess) {
    for (const name of UACCESS_SAFE_BUILTIN) {
      const s = p.syms.byNameLookup(name);
      if (s >= 0) ctx.symFlags[s] |= SF.UaccessSafe;
    }
  }
  eachInsn(ctx, ann.ignore_alts, (i) => { p.bits[i] |= B.IgnoreAlts; });
  eachInsn(ctx, ann.noendbr, (i) => { p.bits[i] |= B.NoEndbr; });
  if (o.stackval || o.orc || o.uaccess || o.noinstr || o.hackJumpLabel) {
    const sp = readSpecialAlts(p.elf, { uaccess: o.uaccess });
    if (sp.error) { emit(ctx, sp.error); ctx.stop(); }
    addSpecialSectionAlts(ctx, sp.alts);
  }
  mark(ctx, 'annotations+special');
  addJumpDestinations(ctx);
  mark(ctx, 'jump destinations');
  eachInsn(ctx, ann.intra_function_calls, (i) => {
    if (p.kind[i] !== InsnKind.Call) ctx.fatalInsn(i, 'intra_function_call not a direct call');
    p.kind[i] = InsnKind.JumpUncond;
    const t = p.target[i];
    const dest = t < 0 ? -1 : p.find(p.sec[i], p.elf.type === 1 ? t : t - p.elf.sections[p.sec[i]].addr);
    if (dest < 0) ctx.fatalInsn(i, `can't find call dest at ${p.elf.sections[p.sec[i]].name}+0x${(t < 0 ? 0 : t).toString(16)}`);
    p.setJumpDest(i, dest);
  });
  addCallDestinations(ctx);
  mark(ctx, 'call destinations');
  // .discard.reachable: the instruction before the target is no dead end after all
  for (const e of ann.reachable.entries) {
    let i = p.find(e.sec, e.off);
    if (i >= 0) i = p.prev(i);
    else if (e.atEnd) {
      i = findLastInsn(ctx, e.sec);
      if (i < 0) ctx.fatal(e.noInsnText);
    } else ctx.fatal(e.noInsnText);
    if (i >= 0) p.bits[i] &= ~B.DeadEnd;
  }
  if (ann.reachable.error) { emit(ctx, ann.reachable.error); ctx.stop(); }
  addJumpTableAlts(ctx);
  mark(ctx, 'jump tables');
  readHints(ctx);
  eachInsn(ctx, ann.retpoline_safe, (i) => {
    const k = p.kind[i];
    if (k !== InsnKind.JumpDynamic && k !== InsnKind.CallDynamic && k !== InsnKind.Return && k !== InsnKind.Nop) {
      ctx.fatalInsn(i, 'retpoline_safe hint not an indirect jump/call/ret/nop');
    }
    p.bits[i] |= B.RetpolineSafe;
  });
  eachInsn(ctx, ann.instr_end, (i) => { p.instr[i]--; });
  eachInsn(ctx, ann.instr_begin, (i) => { p.instr[i]++; });
  eachInsn(ctx, ann.validate_unret, (i) => { p.bits[i] |= B.Unret; });
}

/** Without kernel conventions: symbols, destinations and jump tables found by analysis. */
function decodeUserspace(ctx: Context): void {
  const p = ctx.prog;
  mark(ctx, '');
  // a trap (int3, brk #n, __builtin_trap) does not come back (marked first: what still runs after
  // a fatal problem below, verify's walks, sees it too)
  const { kind, bits } = p;
  for (let i = 0; i < p.count; i++) if (kind[i] === InsnKind.Trap) bits[i] |= B.DeadEnd;
  classifySymbols(ctx);
  assignSymbols(ctx);
  mark(ctx, 'symbols');
  addPatchSites(ctx);
  pltEntryState(ctx);
  adoptErratumVeneers(ctx);
  mark(ctx, 'patch sites+plt+veneers');
  addJumpDestinations(ctx);
  mark(ctx, 'jump destinations');
  addCallDestinations(ctx);
  addUnownedEntries(ctx);
  mark(ctx, 'call destinations');
  inferNoreturnCalls(ctx);
  mark(ctx, 'noreturn inference');
  addRecoveredJumpTables(ctx);
  mark(ctx, 'jump tables');
}

/**
 * Kernel objects carry their patch sites as tables (`.altinstructions`, `__jump_table`,
 * `__ex_table`; kernel-only section names): code reached only through them (a replacement, the
 * other side of a static key or of a boot-patched branch, an exception fixup) is walked like any
 * other path. Entries naming no instruction are left out instead of stopping the analysis. WARN()
 * sites in `__bug_table` continue after their trap.
 */
function addPatchSites(ctx: Context): void {
  const p = ctx.prog;
  if (!p.arch.kernel) return;
  const sp = readSpecialAlts(p.elf, { uaccess: false });
  if (sp.error) ctx.diag.warn(sp.error.text);
  const usable = sp.alts.filter((a) => p.find(a.origSec, a.origOff) >= 0 && (!a.hasNew || p.find(a.newSec, a.newOff) >= 0));
  if (usable.length) addSpecialSectionAlts(ctx, usable);
  // a WARN() traps and carries on: its trap is no dead end
  for (const b of readBugTable(p.elf)) {
    if (!(b.flags & BUGFLAG_WARNING)) continue;
    const i = p.find(b.sec, b.off);
    if (i >= 0 && p.kind[i] === InsnKind.Bug) p.bits[i] &= ~B.DeadEnd;
  }
}

/**
 * x86-64 PLT0 is entered by a lazy stub's `jmp` after it pushed the relocation index: one word more
 * than a call leaves. Its first instruction starts from that state, as an unwind hint would say.
 */
function pltEntryState(ctx: Context): void {
  const p = ctx.prog;
  const { syms } = p;
  if (p.arch.name !== 'x86_64') return;
  for (let f = syms.tableCount; f < syms.count; f++) {
    if (syms.name(f) !== '.plt') continue;
    const i = p.find(syms.sec[f], syms.offset[f]);
    if (i < 0) continue;
    const s = new Int32Array(ctx.L.size);
    ctx.pool.load(ctx.funcStateId, s);
    s[ctx.L.cfaOff] += p.arch.slot;
    s[ctx.L.stackSize] += p.arch.slot;
    p.cfi[i] = ctx.pool.intern(s);
    p.bits[i] |= B.Hint;
  }
}

/**
 * AArch64 linkers move an instruction that trips a Cortex-A53 erratum (843419: adrp then a load or
 * store at a page's last words; 835769: multiply-accumulate after a load) out of line into a veneer
 * named `e843419@…`/`e835769@…`: `b veneer`, the moved instruction, `b` back. The veneer is part of
 * the function that jumps back into: it becomes that function's child (like a `.cold` part), so the
 * detour is an ordinary jump walked with the function's frame, not a tail call.
 */
function adoptErratumVeneers(ctx: Context): void {
  const p = ctx.prog;
  const { syms } = p;
  if (p.arch.name !== 'aarch64') return;
  for (let v = 0; v < syms.count; v++) {
    if (syms.type[v] !== STT_FUNC || !ERRATUM_VENEER.test(syms.name(v))) continue;
    const first = p.find(syms.sec[v], syms.offset[v]);
    if (first < 0) continue;
    let last = first;
    for (let j = p.nextInFunc(first); j >= 0 && p.func(j) === v; j = p.nextInFunc(j)) last = j;
    if (p.kind[last] !== InsnKind.JumpUncond || p.target[last] < 0) continue;
    const back = p.findAddr(p.target[last]);
    const owner = back >= 0 ? p.func(back) : -1;
    if (owner < 0 || owner === v) continue;
    syms.pfunc[v] = syms.pfunc[owner];
  }
}

const ERRATUM_VENEER = /^e(843419|835769)@/;

/**
 * Without a noreturn list for every library, a call after which the function's code ends (only
 * padding follows up to the next function) is taken to never return: compilers do not let
 * control run off a function's end.
 */
function inferNoreturnCalls(ctx: Context): void {
  const p = ctx.prog;
  const { kind, bits, sym, sec } = p;
  const type = p.syms.type;
  const n = p.count;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (!isCall(k)) continue;
    // the row's function (`func`): a row belongs to function f exactly when its symbol is f
    const f = sym[i];
    if (f < 0 || type[f] !== STT_FUNC || (bits[i] & B.DeadEnd)) continue;
    const s = sec[i];
    let j = i + 1;
    while (j < n && sec[j] === s && sym[j] === f && (kind[j] === InsnKind.Nop || kind[j] === InsnKind.Trap)) j++;
    if (j >= n || sec[j] !== s || sym[j] !== f) bits[i] |= B.DeadEnd;
  }
}

/**
 * Kernel readings of two x86 instructions: `syscall` ends a path like the other context switches,
 * and `iret` inside a function is the IRET-to-self of sync_core(), an ordinary instruction that
 * pops its frame (the decoder marks it a context switch carrying that stack op). Both are rare: the
 * kind column is searched for them (a native scan) rather than read row by row.
 */
function kernelKinds(ctx: Context): void {
  const p = ctx.prog;
  const kind = p.kind.subarray(0, p.count);
  // the context switches the decoder found (before syscalls join them)
  for (let i = kind.indexOf(InsnKind.ContextSwitch); i >= 0; i = kind.indexOf(InsnKind.ContextSwitch, i + 1)) {
    if (p.opCount[i] === 0) continue;
    const s = p.syms.symbolContaining(p.sec[i], p.off[i]);
    if (s >= 0 && p.syms.type[s] === STT_FUNC) kind[i] = InsnKind.Other;
    else p.opCount[i] = 0;
  }
  for (let i = kind.indexOf(InsnKind.Syscall); i >= 0; i = kind.indexOf(InsnKind.Syscall, i + 1)) kind[i] = InsnKind.ContextSwitch;
}

/** For each annotation entry in order: its instruction, or objtool's fatal warning when there is none. */
function eachInsn(ctx: Context, t: AnnotationTable, fn: (i: number) => void): void {
  const p = ctx.prog;
  for (const e of t.entries) {
    const i = p.find(e.sec, e.off);
    if (i < 0) ctx.fatal(e.noInsnText);
    fn(i);
  }
  if (t.error) { emit(ctx, t.error); ctx.stop(); }
}

function findLastInsn(ctx: Context, sec: number): number {
  const p = ctx.prog;
  const size = p.elf.sections[sec].size;
  const end = size > 10 ? size - 10 : 0;
  for (let off = size - 1; off >= end; off--) {
    const i = p.find(sec, off);
    if (i >= 0) return i;
  }
  return -1;
}

function readHints(ctx: Context): void {
  const p = ctx.prog;
  const h = readUnwindHints(p.elf);
  if (h.section < 0) return;
  ctx.hints = true;
  const L = ctx.L;
  const s = new Int32Array(L.size);
  for (const hint of h.hints) {
    const i = p.find(hint.sec, hint.off);
    if (i < 0) ctx.fatal(`can't find insn for unwind_hints[${hint.index}]`);
    p.bits[i] |= B.Hint;
    if (hint.type === StateType.Undefined) { p.cfi[i] = ctx.forceUndefinedId; continue; }
    if (hint.type === StateType.Save) { p.bits[i] &= ~B.Hint; p.bits[i] |= B.Save; continue; }
    if (hint.type === StateType.Restore) { p.bits[i] |= B.Restore; continue; }
    if (hint.type === StateType.RegsPartial && ctx.opts.ibt) {
      const sym = p.syms.symbolAt(p.sec[i], p.off[i]);
      if (sym >= 0 && p.syms.bind[sym] === 1 && p.kind[i] !== InsnKind.Endbr && !(p.bits[i] & B.NoEndbr)) {
        ctx.warnInsn(i, 'UNWIND_HINT_IRET_REGS without ENDBR');
      }
    }
    if (hint.type === StateType.Func) { p.cfi[i] = ctx.funcStateId; continue; }
    // a hint starts from the instruction's own state if it has one, else from the all-undefined state
    ctx.pool.load(p.cfi[i] >= 0 ? p.cfi[i] : ctx.initStateId, s);
    const k = p.arch.kernel;
    const base = k ? k.hintRegToSlot(hint.spReg) : undefined;
    if (base === undefined) ctx.fatalInsn(i, `unsupported unwind_hint sp base reg ${hint.spReg}`);
    s[L.cfaBase] = base;
    s[L.cfaOff] = hint.spOffset;
    s[L.type] = hint.type;
    s[L.signal] = hint.signal;
    p.cfi[i] = ctx.pool.intern(s);
  }
  if (h.error) { emit(ctx, h.error); ctx.stop(); }
}

function check(ctx: Context, result: CheckResult): void {
  const p = ctx.prog;
  const o = ctx.opts;
  ctx.ignoreUnreachables ||= o.noUnreachable;
  if (p.count === 0) return;
  let warnings = 0;
  if (o.retpoline) warnings += validateRetpoline(ctx);
  // without kernel conventions the frame walk is the whole point: it always runs
  if (o.stackval || o.orc || o.uaccess || !o.kernel) {
    const v = new Validator(ctx);
    mark(ctx, '');
    if (o.proveTables && !o.kernel) {
      ctx.tableProof = proveTables(ctx);
      mark(ctx, `table proof (${ctx.tableProof?.proven.size ?? 0} FDEs proven, ${ctx.tableProof?.partial.size ?? 0} up to code not reached)`);
    }
    warnings += validateFunctions(ctx, v);
    mark(ctx, 'validate functions');
    warnings += validateUnwindHints(ctx, v);
    if (!o.kernel) warnings += walkFromTables(ctx);
    if (!warnings) warnings += validateReachable(ctx);
    mark(ctx, 'reachable');
  } else if (o.noinstr) {
    warnings += validateNoinstrSections(ctx, new Validator(ctx));
  }
  // after the frame walks: it marks instructions visited in a walk of its own
  if (o.unret) warnings += validateUnrets(ctx);
  if (o.ibt) warnings += validateIbt(ctx);
  if (o.sls) warnings += validateSls(ctx);
  if (o.prefix) result.prefixFuncs = prefixFunctions(ctx);
  mark(ctx, 'prefix');
  // objtool writes its sections here, warning about ones already present; a problem ends its check
  // (what it made so far is still written)
  if (o.kernel && !sectionWarnings(ctx)) return;
  if (o.orc && o.kernel) {
    result.orc = buildOrc(ctx);
    if (!result.orc || !orcSectionWarning(ctx, result.orc.length)) return;
  }
  mark(ctx, 'orc');
  if (o.stats) {
    ctx.stdout.push(`nr_insns_visited: ${ctx.insnsVisited}`);
    // objtool's own three states (initial, function entry, forced undefined) are no allocations
    ctx.stdout.push(`nr_cfi: ${ctx.pool.count - 3 + (ctx.forceUndefinedCopied ? 1 : 0)}`);
    ctx.stdout.push(`nr_cfi_reused: ${ctx.cfiReused}`);
    ctx.stdout.push(`nr_cfi_cache: ${ctx.pool.hits}`);
  }
}

/**
 * Userspace: code the unwind tables lead to and no branch does. An exception landing pad starts with
 * the state its call site leaves; an FDE start no function symbol names starts as a function when
 * its first row is what a call leaves. Pads whose call the symbol-driven walk reached go first: a
 * `.cold` part may open with a nop before its pad (GCC's way to give a pad offset 1), which would
 * otherwise look like a function entry and carry the entry state into the pad; pads behind FDE-entry
 * code follow. Returns the number of warnings these walks gave.
 */
function walkFromTables(ctx: Context): number {
  ctx.tablesWalked = true;
  const tables = ctx.unwindTables;
  if (tables.length === 0) return 0;
  const before = ctx.diag.warningCount;
  const walk = new Validator(ctx);
  const pads = tablePads(ctx);
  analyseLandingPads(ctx, tables, walk, pads);
  analyseFdeEntries(ctx, tables, walk);
  analyseLandingPads(ctx, tables, walk, pads);
  return ctx.diag.warningCount - before;
}

/**
 * Functions preceded by exactly `prefix` bytes of NOPs get a `__pfx_` symbol; the NOPs take the
 * function's state. The NOPs are found first and given their states after (the same copies in the
 * same order: a function's prefix lies before its first row, so no copy changes a state the search
 * or a later copy reads), so that each loop does one thing.
 */
function prefixFunctions(ctx: Context): number[] {
  const p = ctx.prog;
  const out: number[] = [];
  const size = ctx.opts.prefix;
  const { kind, off, cfi } = p;
  const { type, offset } = p.syms;
  // [from, to): prefix rows that take row `to`'s state
  const from: number[] = [];
  const to: number[] = [];
  for (const sec of p.elf.sections) {
    if (!(Number(sec.flags) & 4)) continue;
    const first = p.secRange(sec.index)[0];
    const list = p.syms.list(sec.index);
    for (let k = 0; k < list.length; k++) {
      const f = list[k];
      if (type[f] !== STT_FUNC) continue;
      const i = p.find(sec.index, offset[f]);
      if (i < 0) continue;
      // back over the NOPs before the function, in its section
      let prev = i - 1;
      let found = false;
      for (; prev >= first; prev--) {
        if (kind[prev] !== InsnKind.Nop) break;
        const d = offset[f] - off[prev];
        if (d > size) break;
        if (d < size) continue;
        out.push(f);
        found = true;
        break;
      }
      if (!found || cfi[i] < 0) continue;
      from.push(prev);
      to.push(i);
    }
  }
  for (let k = 0; k < from.length; k++) {
    ctx.pool.hits++; // objtool looks the state up again before copying it to the prefix
    const id = cfi[to[k]];
    for (let j = from[k]; j < to[k]; j++) cfi[j] = id;
  }
  return out;
}

/**
 * Jump tables recovered by code and data analysis become the dispatch's alternatives (so the
 * dispatch is no tail call and every case is walked); unproven ones are reported.
 */
function addRecoveredJumpTables(ctx: Context): void {
  const p = ctx.prog;
  const r = recoverJumpTables(p);
  ctx.switchTables = r;
  for (const t of r.tables) {
    const seen = new Set<number>();
    const list: { insn: number; skipOrig: boolean }[] = [];
    for (const target of t.edges) {
      if (seen.has(target)) continue;
      seen.add(target);
      list.unshift({ insn: target, skipOrig: false });
    }
    p.alts.set(t.jump, list);
    p.bits[t.jump] |= B.HasAlts;
    p.setJumpTable(t.jump, t.tableSec, t.tableOff);
  }
  for (const u of r.unresolved) {
    ctx.warnInsn(u.jump, `jump table not recovered: ${u.reason}`);
    // (a table read whole with targets outside the function: tail calls, as before)
    if (u.reason !== TARGET_OUTSIDE) ctx.unresolvedDispatches.add(u.jump);
  }
}
