/**
 * The analysis context: one per file and run. It carries the program, the options, the diagnostics
 * sink, the interned frame states, per-symbol classification, and what the passes collect for the
 * output sections. Passes are functions of this context; nothing lives at module scope.
 */
import type { CfiSection } from '../dwarf/index.js';
import type { TableProof } from '../frame/table-proof.js';
import type { SwitchTableResult } from './switch-tables.js';
import type { Pads } from '../frame/landing-pads.js';
import type { Program } from '../program/program.js';
import { Diagnostics } from '../report/diag.js';
import { StatePool, initState, setFuncState, stateLayout } from '../frame/state.js';
import type { StateLayout } from '../frame/state.js';
import type { PvOps } from '../kernel/pv-ops.js';

export interface CheckOptions {
  stackval: boolean;
  orc: boolean;
  uaccess: boolean;
  retpoline: boolean;
  rethunk: boolean;
  sls: boolean;
  staticCall: boolean;
  mcount: boolean;
  mnop: boolean;
  ibt: boolean;
  noinstr: boolean;
  unret: boolean;
  cfi: boolean;
  prefix: number;
  hackJumpLabel: boolean;
  hackNoinstr: boolean;
  hackSkylake: boolean;
  module: boolean;
  link: boolean;
  noUnreachable: boolean;
  backtrace: boolean;
  verbose: boolean;
  secAddress: boolean;
  stats: boolean;
  /** kernel conventions (special sections, annotations, name tables); off for userspace `check` */
  kernel: boolean;
  /** `check --frame-pointer`: every call needs a frame record (src/checks/frame-record.ts) */
  framePointer?: boolean;
  /**
   * verify: FDEs whose rules hold along every edge are proven before the walk, which then skips
   * their code (src/frame/table-proof.ts); the walk's states of that code are not computed
   */
  proveTables?: boolean;
}

export function defaultOptions(): CheckOptions {
  return {
    stackval: false, orc: false, uaccess: false, retpoline: false, rethunk: false, sls: false, staticCall: false,
    mcount: false, mnop: false, ibt: false, noinstr: false, unret: false, cfi: false, prefix: 0,
    hackJumpLabel: false, hackNoinstr: false, hackSkylake: false, module: false, link: false,
    noUnreachable: false, backtrace: false, verbose: false, secAddress: false, stats: false, kernel: true,
  };
}

/** Per-symbol classification bits (`Context.symFlags`). */
export const SF = {
  Warned: 1 << 0,
  UaccessSafe: 1 << 1,
  StaticCallTramp: 1 << 2,
  RetpolineThunk: 1 << 3,
  ReturnThunk: 1 << 4,
  EmbeddedInsn: 1 << 5,
  Fentry: 1 << 6,
  ProfilingFunc: 1 << 7,
  LocalLabel: 1 << 8,
} as const;

/** A byte rewrite of an instruction (hacks), applied by the writer. */
export interface InsnPatch {
  sec: number;
  off: number;
  bytes: Uint8Array;
}

/** A relocation whose type is changed (to R_NONE by the hacks). */
export interface RelocTypeChange {
  sec: number;
  reloc: number;
  type: number;
}

/** Thrown to stop the pipeline the way objtool's fatal errors do (after the warning was printed). */
export class Fatal {
  constructor(readonly why: string) {}
}

export class Context {
  readonly diag: Diagnostics;
  readonly L: StateLayout;
  readonly pool: StatePool;
  readonly symFlags: Uint16Array;
  /** the entry state of a function (interned id) and the all-undefined state */
  readonly funcStateId: number;
  readonly initStateId: number;
  readonly forceUndefinedId: number;
  ignoreUnreachables = false;
  /** the file could not be opened in objtool's sense (exit status 1, nothing written) */
  openFailed = false;
  hasRodata = false;
  hints = false;
  /** userspace: the file's unwind tables (runChecks' argument; empty when it has none or was not given them) */
  unwindTables: readonly CfiSection[] = [];
  /** userspace: the jump tables recovered by analysis and the table-shaped jumps left unproven */
  switchTables: SwitchTableResult | undefined;
  /**
   * userspace: rows of the table-shaped dispatches left unproven (`switchTables.unresolved`) whose
   * targets are not known (not those read whole with an entry outside the function: tail calls). A
   * walk ends its path there (the cases it cannot name stay unreached) instead of taking the jump as a
   * tail call from the function, and verify leaves the FDE `unknown`.
   */
  readonly unresolvedDispatches = new Set<number>();
  /** `proveTables`: what the proof settled (undefined: no proof ran) */
  tableProof: TableProof | undefined;
  /** the landing pads of `unwindTables`, once read (`tablePads`) */
  landingPads: Pads | undefined;
  /** the unwind tables' FDE starts and landing pads have been walked (userspace; once, also after a fatal stop) */
  tablesWalked = false;
  /** paravirt call tables (--noinstr on a file with `pv_ops`), else null */
  pvOps: PvOps | null = null;
  /** rows collected for the output sections, in objtool's list order */
  readonly staticCallList: number[] = [];
  /** per static-call site: its trampoline's name and the key symbol objtool looks up by name (-1: none); found once */
  staticCallKeys: { readonly tramp: readonly string[]; readonly key: Int32Array } | undefined;
  readonly retpolineCallList: number[] = [];
  readonly returnThunkList: number[] = [];
  readonly callList: number[] = [];
  readonly mcountLocList: number[] = [];
  readonly endbrList: number[] = [];
  readonly endbrInList = new Set<number>();
  nrEndbr = 0;
  nrEndbrInt = 0;
  readonly patches: InsnPatch[] = [];
  /** lines objtool prints to stdout (--stats) */
  readonly stdout: string[] = [];
  readonly relocTypeChanges: RelocTypeChange[] = [];
  /**
   * While call destinations are added: per callee symbol, 1 never returns, 2 returns, 0 not scanned
   * yet. A callee is scanned once instead of once per call; valid only then, because what the scan
   * reads (returns, sibling calls) is settled by addJumpDestinations and call annotation does not change it.
   */
  deadEndMemo: Int8Array | null = null;
  /** OBJFLOW_TIMING: CPU time of the last stage mark */
  timingMark = 0;
  /**
   * Rows where paths met with different frames (userspace analysis): a call that does not return
   * but is not known to, or a branch the compiler knew unreachable aimed at another function's code.
   * The row keeps the first path's state; verify does not judge a table against it.
   */
  readonly frameConflicts = new Set<number>();
  /** --stats counters */
  insnsVisited = 0;
  /** a walked state equalled the forced-undefined one (objtool counts that as one more allocation) */
  forceUndefinedCopied = false;
  cfiReused = 0;
  // jump-label statistics
  jlNopShort = 0; jlNopLong = 0; jlShort = 0; jlLong = 0;

  constructor(readonly prog: Program, readonly opts: CheckOptions, objname: string) {
    this.diag = new Diagnostics(objname, opts.secAddress);
    this.L = stateLayout(prog.arch.regs.count);
    this.pool = new StatePool(this.L);
    this.symFlags = new Uint16Array(prog.syms.count);
    const s = new Int32Array(this.L.size);
    initState(this.L, s);
    this.initStateId = this.pool.intern(s);
    setFuncState(prog.arch, this.L, s);
    this.funcStateId = this.pool.intern(s);
    initState(this.L, s);
    s[this.L.forceUndefined] = 1;
    this.forceUndefinedId = this.pool.intern(s);
  }

  /** objtool's WARN_INSN: once per function. */
  warnInsn(i: number, message: string): void {
    const p = this.prog;
    const s = p.sym[i];
    if (s < 0 || !(this.symFlags[s] & SF.Warned)) this.diag.warnAt(p.placeOf(i), message);
    if (s >= 0) this.symFlags[s] |= SF.Warned;
  }

  /** objtool's WARN_FUNC: a place, no once-per-function rule. */
  warnAt(sec: number, off: number, message: string): void {
    this.diag.warnAt(this.prog.place(sec, off), message);
  }

  /** objtool's BT_INSN: a backtrace line, only with --verbose/--backtrace. */
  backtrace(i: number, message: string): void {
    if (this.opts.verbose || this.opts.backtrace) this.diag.noteAt(this.prog.placeOf(i), message);
  }

  fatal(message: string): never {
    this.diag.warn(message);
    throw new Fatal(message);
  }

  /** Stops the pipeline after the warning(s) already emitted. */
  stop(): never {
    throw new Fatal('stopped');
  }

  fatalInsn(i: number, message: string): never {
    this.warnInsn(i, message);
    throw new Fatal(message);
  }
}
