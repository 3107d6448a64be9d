/**
 * Jump-table (switch table) recovery by code and data analysis, without relocation conventions:
 * for every dynamic jump, the jump's target is evaluated backwards over the function's control flow
 * into `C + k * ext(load(T + size * INDEX))`; the table's length comes from a bound check on INDEX
 * proven on every path that reaches the table load. Works on relocatable objects (table entries may
 * be relocations) and linked files (entries are resolved bytes). Without a bound check, an index
 * loaded or extended as an unsigned byte or halfword is bounded by its type (computed goto through
 * `static void *tbl[256]`), when the file says the table is exactly that long (its data symbol's size,
 * or a section of its own).
 *
 * The arch says what one instruction does (`SwitchArch.describe`); everything else is here. Nothing
 * is guessed: a jump whose target has the table shape but whose table, bound or targets cannot be
 * proven is reported with a reason instead.
 *
 * Control flow of dispatches still unknown: first every unknown dynamic jump may reach every row no
 * branch names (safe); tables proven that way become edges and the rest is tried again. Dispatches in
 * loops (table base kept in a register or frame slot across the back edges through the cases) then get
 * an optimistic round: candidates found with the unknown edges left out (then with the edges of the
 * candidates found so far, for dispatches reached through another's cases) are assumed as the dispatches'
 * exact edges and every candidate is proven again under that assumption, until the assumption
 * reproduces itself. A self-reproducing set is sound by induction over the executed path: up to the
 * first dispatch leaving its assumed table, every step follows an assumed edge, so that dispatch's own
 * proof covers the path and it cannot leave its table.
 *
 * What the proofs take from the conventions of compiled code: a dynamic jump that is no table reaches
 * only rows no branch names; callees keep callee-saved registers (and a known local callee keeps every
 * register it does not write); spill slots are written only at fixed offsets from the stack or frame
 * pointer, never through an index or another register (those are array elements and other memory);
 * nops no branch reaches are alignment padding; a call the pipeline marked as not returning, a call of
 * a C library function that never returns (`exit`, `abort`, ...) or of known code with no way back has
 * no successor; no table is indexed by what a callee its compiler could not see (undefined symbol, PLT
 * stub) left in a call-clobbered register, so a path where that would happen is not taken.
 */
import { InsnFlag, InsnKind, fallsThrough } from '../arch/arch.js';
import { SHF_ALLOC, SHT_NOBITS, STB_LOCAL, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION } from '../elf/constants.js';
import { relocDest, type RelocDest } from '../elf/reloc-target.js';
import { B } from '../program/program.js';
import type { Program } from '../program/program.js';
import { USERSPACE_NORETURNS, stripVersion } from './noreturns.js';
import { x86SwitchArch } from '../arch/x86/jump-tables.js';
import { arm64SwitchArch } from '../arch/arm64/jump-tables.js';
import { doubledUntil, grown, lowerBound, sparseColumns } from '../typed-arrays.js';
import { RowChunks } from './row-chunks.js';

export interface RecoveredTable {
  /** row of the dynamic jump */
  jump: number;
  tableSec: number;
  /** section offset of the first entry */
  tableOff: number;
  entrySize: number;
  /** rows of the targets, in table order (duplicates kept) */
  targets: number[];
  /**
   * the targets the dispatch goes to: those in its function (an entry just past the function's end,
   * where only padding is, is Clang's `unreachable` default: a label after the last instruction)
   */
  edges: number[];
  /**
   * the compiler's bound on the index is not in the code: an `and` mask alone (no compare on the path that
   * gives the largest bound) or the index's type bounds it for the machine, and the table was read to that
   * bound or, where another table starts before it, up to there
   */
  openEnd: boolean;
}

export interface TableDiagnostic {
  jump: number;
  reason: string;
}

export interface SwitchTableResult {
  tables: RecoveredTable[];
  unresolved: TableDiagnostic[];
}

/**
 * The reason for a table read whole (its bound proven) with an entry outside the dispatch's function:
 * its targets are known, and a jump out of the function is a tail call.
 */
export const TARGET_OUTSIDE = 'a table entry points outside the function';

/** An address: a section offset (`sec` >= 0, relocatable files) or a plain number / virtual address (`sec` -1). */
export interface Addr {
  sec: number;
  off: number;
}

/** `ext(loc) << shift`: the low `bits` of a location, zero- or sign-extended, shifted left. */
export interface Term {
  loc: number;
  shift: number;
  bits: number;
  signed: boolean;
}

/** What an instruction writes into its destination location, when the recogniser models it. */
export type Rhs =
  | { op: 'const'; c: Addr; page: boolean }
  | { op: 'copy'; src: number; bits: number; signed: boolean }
  | { op: 'and'; src: number; mask: number }
  | { op: 'add'; c: Addr | null; terms: Term[] }
  | { op: 'load'; c: Addr | null; terms: Term[]; size: number; signed: boolean; width: number }
  /** AArch64 `add xd, xn, #:lo12:sym` in relocatable files: xd = sym when xn holds sym's page */
  | { op: 'pagelo'; src: number; c: Addr };

/** One instruction as the recogniser sees it. Locations: registers 0..63, stack slots from `slotLoc`. */
export interface InsnSem {
  /** every location written (registers, including implicit writes and call clobbers; stack slots) */
  writes: number[];
  writesFlags: boolean;
  /** the location `rhs` describes, -1 when none */
  dst: number;
  rhs: Rhs | undefined;
  /** further destinations with their values (register pairs: `stp`/`ldp` of frame slots) */
  also?: { dst: number; rhs: Rhs | undefined }[];
  /** registers whose bits 32-63 this instruction zeroes (every write of a 32-bit register) */
  zx32?: number[];
  /** a memory cell `dst` equals after this instruction (a load from it), -1 when none */
  alias?: number;
  /** flags set as for `loc - imm` (cmp, or sub/subs which also write loc), unsigned, `width` bits */
  cmp: { loc: number; imm: number; width: number } | undefined;
  /** conditional jump on unsigned flags: index <= imm + adj on the taken / fall-through edge (null: nothing) */
  cond: { taken: number | null; fall: number | null } | undefined;
  /**
   * the recovery's number for this description, -1 until it has one (describers give rows with the
   * same bytes one description: the recovery keeps what it derives from it once, not once per row)
   */
  listed: number;
}

export interface SwitchArch {
  /** what one instruction means, for one recovery over `p` (what it keeps lives as long as the recovery) */
  open(p: Program, cells: MemCells): SwitchDescriber;
  /** relocation types a table entry may carry: `abs` (entry = S + A) and `pcrel` (entry = S + A - P) */
  readonly absRelocs: readonly number[];
  readonly pcrelRelocs: readonly number[];
  /** registers a call may change by the calling convention (`describe` lists them as written) */
  readonly callClobbers?: readonly number[];
  /** of those, the ones a direct call changes whatever its callee does (link register, veneer scratch) */
  readonly callAlways?: readonly number[];
}

/** The arch's describer of one program's instructions, for one recovery. */
export interface SwitchDescriber {
  /** the instruction at `row`, in the recogniser's terms (slow path; the driver caches it) */
  describe(row: number): InsnSem;
  /** the target of a dynamic jump as a value, or undefined */
  jumpTarget(row: number): Rhs | undefined;
  /** the row a direct branch goes to (through its relocation in relocatable files), or -1 */
  branchDest(row: number): number;
  /** frees what the describer holds outside the JS heap, once the recovery is done */
  close?(): void;
}

const SLOT_BASE = 1000;
const SLOT_SPAN = 1 << 20;

/** Location id of the stack slot [base + disp] (base a register number), or -1 when out of range. */
export function slotLoc(base: number, disp: number): number {
  if (disp <= -(SLOT_SPAN >> 1) || disp >= SLOT_SPAN >> 1) return -1;
  return SLOT_BASE + base * SLOT_SPAN + disp + (SLOT_SPAN >> 1);
}

function slotBase(loc: number): number {
  return loc < SLOT_BASE || loc >= CELL_BASE ? -1 : Math.floor((loc - SLOT_BASE) / SLOT_SPAN);
}

/**
 * Archs name a store into the frame by the slot of every 8-byte chunk it writes (a store of 16 bytes at
 * d writes slots d and d + 8), so a slot write overlaps a slot when their starts are less than 8 apart.
 * A store of fewer than 8 bytes is named with its size (`NARROW_BASE`), so that a 4-byte store at d - 4
 * is not taken for a write of the slot at d.
 */
const SLOT_CHUNK = 8;
/** Narrow frame stores: NARROW_BASE + (slot - SLOT_BASE) * SLOT_CHUNK + size (above every other location). */
const NARROW_BASE = 2 ** 40;

/** The slots a frame store of `size` bytes at [base + disp] writes, or undefined when one is out of range. */
export function slotChunks(base: number, disp: number, size: number): number[] | undefined {
  if (size >= 1 && size < SLOT_CHUNK) {
    const s = slotLoc(base, disp);
    return s < 0 ? undefined : [NARROW_BASE + (s - SLOT_BASE) * SLOT_CHUNK + size];
  }
  const out: number[] = [];
  for (let d = 0; d < Math.max(size, 1); d += SLOT_CHUNK) {
    const s = slotLoc(base, disp + d);
    if (s < 0) return undefined;
    out.push(s);
  }
  return out;
}

/**
 * Pseudo location written by a store into the frame (through the stack or frame pointer, at a fixed
 * place) whose bytes the arch cannot tell: kills every stack slot.
 */
export const FRAME_ANY = 998;

/** Pseudo location written by any store the recogniser cannot place (and by calls): kills memory cells. */
export const MEM_ANY = 999;
const CELL_BASE = 100_000_000;

/**
 * The memory cells of one recovery: location ids of [base + key] (`key` names the displacement,
 * relocation included; base -1 for none), numbered from `CELL_BASE` in the order first named. Cells die
 * when their base or index register or memory (`MEM_ANY`) is written.
 */
export class MemCells {
  private readonly ids = new Map<string, number>();
  /** the registers each cell's address depends on, by id - CELL_BASE */
  readonly regs: number[][] = [];

  loc(base: number, key: string, index = -1): number {
    const k = `${base}|${index}|${key}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = CELL_BASE + this.regs.length;
      this.regs.push([base, index].filter((r) => r >= 0));
      this.ids.set(k, id);
    }
    return id;
  }
}

/** reachingDefs: some path has no definition */
const NO_DEFS = -1;
/** DefsMemo.get: not asked yet */
const NOT_KNOWN = -4;

/**
 * reachingDefs answers by (location, row), in an open-addressing table (a location passes 2^31) whose
 * entries are valid in the generation that wrote them (`clear` is a new generation): the number of
 * definitions (or NO_DEFS), the rows from `start` in `arena`, which only grows until cleared.
 */
class DefsMemo {
  private locs = new Float64Array(1 << 12);
  private rows = new Int32Array(1 << 12);
  private gens = new Int32Array(1 << 12);
  private starts = new Int32Array(1 << 12);
  private counts = new Int32Array(1 << 12);
  private gen = 1;
  private size = 0;
  arena = new Int32Array(1 << 12);
  private top = 0;
  /** set by `get` when it finds an answer: where its rows start in `arena` */
  at = 0;

  clear(): void {
    this.gen++;
    this.size = 0;
    this.top = 0;
  }

  private slot(loc: number, row: number): number {
    const mask = this.locs.length - 1;
    let h = Math.imul((loc >>> 0) ^ Math.imul((loc / 0x100000000) | 0, 0x9e3779b1), 0x85ebca6b);
    h = Math.imul(h ^ row, 0xc2b2ae35);
    let i = (h ^ (h >>> 15)) & mask;
    const gen = this.gen;
    while (this.gens[i] === gen && (this.locs[i] !== loc || this.rows[i] !== row)) i = (i + 1) & mask;
    return i;
  }

  /** The answer's count (rows from `at` in `arena`), NO_DEFS, or NOT_KNOWN. */
  get(loc: number, row: number): number {
    const i = this.slot(loc, row);
    if (this.gens[i] !== this.gen) return NOT_KNOWN;
    this.at = this.starts[i];
    return this.counts[i];
  }

  /** Keeps `n` (NO_DEFS or a count of rows from `src`) for (loc, row), and sets `at` to its rows. */
  set(loc: number, row: number, src: Int32Array, n: number): void {
    if (2 * (this.size + 1) > this.locs.length) this.grow();
    const start = this.top;
    if (n > 0) {
      if (start + n > this.arena.length) this.arena = grown(this.arena, doubledUntil(this.arena.length, start + n));
      for (let x = 0; x < n; x++) this.arena[start + x] = src[x];
      this.top = start + n;
    }
    const i = this.slot(loc, row);
    this.gens[i] = this.gen;
    this.locs[i] = loc;
    this.rows[i] = row;
    this.starts[i] = start;
    this.counts[i] = n;
    this.size++;
    this.at = start;
  }

  private grow(): void {
    const { locs, rows, gens, starts, counts, gen } = this;
    const cap = locs.length * 2;
    this.locs = new Float64Array(cap);
    this.rows = new Int32Array(cap);
    this.gens = new Int32Array(cap);
    this.starts = new Int32Array(cap);
    this.counts = new Int32Array(cap);
    for (let k = 0; k < locs.length; k++) {
      if (gens[k] !== gen) continue;
      const i = this.slot(locs[k], rows[k]);
      this.gens[i] = gen;
      this.locs[i] = locs[k];
      this.rows[i] = rows[k];
      this.starts[i] = starts[k];
      this.counts[i] = counts[k];
    }
  }
}

/** A proof step's answer for a path that compiled code cannot take. */
const IMPOSSIBLE = -2;
/** a definition search ran out of its budget (an answer not to keep) */
const BUDGET_SPENT = -3;
/** firstDefs: there are at least SOME_DEFS_FOUND definitions (the search stopped at that many) */
const SOME_DEFS = -5;
/** Definitions evalLoc's first search stops at: two already show that most values are not one constant. */
const SOME_DEFS_FOUND = 2;

/** Largest table accepted (entries); a bound above it is not a switch. */
const MAX_ENTRIES = 1 << 16;
/** Rows a backward search may visit per question. */
const BUDGET = 4096;
/** Largest callee (rows) whose writes are read to see which call-clobbered registers survive a call. */
const CALLEE_ROWS = 2048;
/** Rows visited by all definition searches of one dynamic jump together. */
const VISIT_BUDGET = 1 << 21;
/** Location evaluations per dynamic jump (joins of joins could otherwise multiply). */
const EVAL_BUDGET = 2000;
/** Optimistic rounds before giving up on dispatches whose tables keep changing. */
const OPTIMISTIC_ROUNDS = 4;

/** Recovers the jump tables of every dynamic jump in the program. */
export function recoverJumpTables(p: Program): SwitchTableResult {
  const arch = switchArchFor(p);
  if (!arch) return { tables: [], unresolved: [] };
  return recoverWith(p, arch);
}

/** The arch's recogniser, or undefined for an arch without one. */
export function switchArchFor(p: Program): SwitchArch | undefined {
  if (p.arch.name === 'x86_64') return x86SwitchArch;
  if (p.arch.name === 'aarch64') return arm64SwitchArch;
  return undefined;
}

/** Recovery with a given recogniser (synchronous). */
export function recoverWith(p: Program, arch: SwitchArch): SwitchTableResult {
  const cells = new MemCells();
  const describer = arch.open(p, cells);
  try {
    return new Recoverer(p, arch, describer, cells.regs).run();
  } finally {
    describer.close?.();
  }
}

// ------------------------------------------------------------------ expressions

type Expr =
  | { t: 'c'; c: Addr; page: boolean }
  | { t: 'x'; loc: number; row: number; bits: number; signed: boolean }
  | { t: 'ld'; addr: Lin; size: number; signed: boolean; width: number; from?: [number, number] }
  | { t: 'lin'; lin: Lin };

/** c + sum of coef * atom (atoms: index variables 'x' and loads 'ld'). */
interface Lin {
  c: Addr;
  terms: { k: number; a: Expr }[];
}

const ZERO: Addr = { sec: -1, off: 0 };

/** The family of function symbol `f` (-1: none): its parent when it is a `.cold` part, else itself. */
function familyOfSymbol(syms: Program['syms'], f: number): number {
  if (f < 0 || syms.type[f] !== STT_FUNC) return -1;
  const pf = syms.pfunc[f];
  return pf >= 0 ? pf : f;
}

/** The index atom for the value of `loc` just before `row`. */
function xAtom(loc: number, row: number): Expr {
  return { t: 'x', loc, row, bits: 64, signed: false };
}

function linOf(e: Expr): Lin | undefined {
  switch (e.t) {
    case 'c': return { c: e.c, terms: [] };
    case 'lin': return e.lin;
    default: return { c: ZERO, terms: [{ k: 1, a: e }] };
  }
}

/** ext(e) from its low `bits` (64: identity); undefined when the result is not expressible. */
function extend(e: Expr, bits: number, signed: boolean): Expr | undefined {
  if (bits >= 64) return e;
  switch (e.t) {
    case 'x':
      return { ...e, bits: Math.min(bits, e.bits), signed: bits < e.bits ? signed : e.signed };
    case 'ld': {
      const lb = e.size * 8;
      if (bits < lb) return undefined;
      if (bits === lb) return { ...e, signed, width: 64 };
      // wider than the load: a zero-extended load stays as it is; a sign-extended one must already cover `bits`
      if (!e.signed) return { ...e, width: 64 };
      if (e.width >= bits && signed) return { ...e, width: 64 };
      return undefined;
    }
    case 'c': {
      if (e.c.sec >= 0) return undefined;
      const m = 2 ** bits;
      let v = ((e.c.off % m) + m) % m;
      if (signed && v >= m / 2) v -= m;
      return { t: 'c', c: { sec: -1, off: v }, page: false };
    }
    default: return undefined;
  }
}

/** An index: a location just before a row, its low `bits` (zero- or sign-extended). */
interface IndexAt { loc: number; row: number; bits: number; signed: boolean }

/** indexAt(e) !== undefined, without making the index. */
function isIndex(e: Expr): boolean {
  return e.t === 'x' || (e.t === 'ld' && e.from !== undefined);
}

/** The index an address term stands for: an unmodelled value, or a value loaded elsewhere (bounded there). */
function indexAt(e: Expr): IndexAt | undefined {
  if (e.t === 'x') return e;
  if (e.t === 'ld' && e.from) return { loc: e.from[0], row: e.from[1], bits: 64, signed: false };
  return undefined;
}

// ------------------------------------------------------------------ the recoverer

interface ProofState {
  /** locations holding the index value at this point */
  I: number[];
  /** the narrowest zero/sign extension crossed between here and the use */
  w: number;
  /** locations holding the value a pending guard bounds, or null */
  G: number[] | null;
  gN: number;
  gw: number;
  /** a bound already proven for this path by a low-bits mask (`and` with 2^k - 1) met on the way, -1 when none */
  cap: number;
  /** proveBound's number for the state's value, -1 until it is numbered (a state lives in one proof) */
  id: number;
}

/** A proof state (always made here: one object shape). */
function proofState(I: number[], w: number, G: number[] | null, gN: number, gw: number, cap: number): ProofState {
  return { I, w, G, gN, gw, cap, id: -1 };
}

/** `Recoverer.writeFlags` bits: what a described row writes besides registers 0..31 */
const WRITES_MEM_ANY = 1;
const WRITES_FRAME_ANY = 2;
/** frame slot chunks, narrow stores, or anything else the fast check does not cover */
const WRITES_OTHER = 4;
/** searchDefs: how a row's writes are asked about the location searched for */
const ASK_ANY = 0;
const ASK_REG = 1;
const ASK_CELL = 2;
const ASK_SLOT = 3;
/** `Recoverer.noReturnKnown` values */
const RETURNS = 1;
const NO_RETURN = 2;

/**
 * The predecessor lists of one family's rows, by local row number: the rows of its ranges one after
 * another (a row in two ranges takes its place in the first), then the table targets outside them.
 * Only the rows of this family are looked up here (a row of another family has that family's lists).
 *
 * A row's list is made when first asked for (`Recoverer.listPreds`, from `lazy`): the searches visit
 * about one row in eight of the families they enter, and a family's lists are made again whenever
 * its tables change.
 */
class FamilyCfg {
  constructor(
    /** the first range, where nearly every row asked for lies */
    readonly lo: number,
    readonly hi: number,
    readonly ranges: readonly (readonly [number, number])[],
    /** local numbers of table targets outside the ranges, null when none */
    readonly extra: ReadonlyMap<number, number> | null,
    /** per row of the first range: 1 when it belongs to this family (a function nested in it does not) */
    readonly own: Uint8Array,
    /**
     * per local row l, valid while `rec[4l]` is `gen`: its list starts at `lists[rec[4l + 1]]` and holds
     * `rec[4l + 2]` rows (-1: not made yet); `rec[4l + 3]` is its place in `Recoverer.semList` + 1, 0
     * until the search asks (read with the list for every row a search visits). Lazily built families
     * share one array (`Recoverer.recArena`) under a `gen` of their own: a family's records are what it
     * finds stamped with it, and another family writing the same place only makes them again.
     */
    readonly rec: Int32Array,
    readonly gen: number,
    /** the lists (the unknown dynamic jumps' list first), and where the next one goes */
    public lists: Int32Array,
    public top: number,
    /** what the lists are made from, null when every list was made with the family's control flow */
    readonly lazy: LazyEdges | null,
  ) {}

  /** The local number of `row`, -1 when the family's control flow does not hold it. */
  local(row: number): number {
    if (row >= this.lo && row < this.hi) return row - this.lo;
    const l = rangeLocal(row, this.ranges);
    return l >= 0 ? l : this.extra?.get(row) ?? -1;
  }
}

/** `row`'s place in the concatenated ranges `rs` (its first range holding it), -1 outside them. */
function rangeLocal(row: number, rs: readonly (readonly [number, number])[]): number {
  let base = 0;
  for (let x = 0; x < rs.length; x++) {
    const a = rs[x][0];
    const b = rs[x][1];
    if (row >= a && row < b) return base + row - a;
    base += b - a;
  }
  return -1;
}

/**
 * What a family's control flow keeps between rebuilds (only table edges change): its direct branch
 * edges inside the family sorted by the local row reached (rows they come from in scan order), its
 * dynamic jumps, and the memory its lists are made in (used again by every build).
 */
interface FixedEdges {
  rows: number;
  /** branch edges: local row reached, row it comes from and that row's local number */
  bTo: Int32Array;
  bFrom: Int32Array;
  bFromLocal: Int32Array;
  /** the dynamic jumps, in scan order */
  dyn: Int32Array;
  /** FamilyCfg.own */
  own: Uint8Array;
  /** FamilyCfg.lists of the last build */
  lists: Int32Array;
}

/** The table edges of one build (sorted as `FixedEdges`' branch edges), with the family's fixed edges. */
interface LazyEdges {
  fixed: FixedEdges;
  tTo: Int32Array;
  tFrom: Int32Array;
  tFromLocal: Int32Array;
  /** the unknown dynamic jumps' list: `lists[0 .. unknown)` */
  unknown: number;
}

/** sortedEdges: most edges sorted by insertion */
const SMALL_SORT = 64;

/**
 * Edges (`to[e]`, `from[e]`, `fromLocal[e]`) for e < n sorted by `to` (< `locals`), keeping their order
 * among equal `to` (the order the scan found them in): a counting sort in `counts` (at least
 * `locals` + 1 long, any contents).
 */
function sortedEdges(to: Int32Array, from: Int32Array, fromLocal: Int32Array, n: number, locals: number,
  counts: Int32Array): [Int32Array, Int32Array, Int32Array] {
  const sTo = new Int32Array(n);
  const sFrom = new Int32Array(n);
  const sLocal = new Int32Array(n);
  if (n <= SMALL_SORT) {
    // a few edges (a build's table edges) in a large family that is built again and again: an insertion
    // sort, instead of counts over all its rows
    for (let e = 0; e < n; e++) {
      const t = to[e];
      let k = e;
      for (; k > 0 && sTo[k - 1] > t; k--) { sTo[k] = sTo[k - 1]; sFrom[k] = sFrom[k - 1]; sLocal[k] = sLocal[k - 1]; }
      sTo[k] = t;
      sFrom[k] = from[e];
      sLocal[k] = fromLocal[e];
    }
    return [sTo, sFrom, sLocal];
  }
  counts.fill(0, 0, locals + 1);
  for (let e = 0; e < n; e++) counts[to[e] + 1]++;
  for (let l = 0; l < locals; l++) counts[l + 1] += counts[l];
  for (let e = 0; e < n; e++) {
    const k = counts[to[e]]++;
    sTo[k] = to[e];
    sFrom[k] = from[e];
    sLocal[k] = fromLocal[e];
  }
  return [sTo, sFrom, sLocal];
}

class Recoverer {
  /**
   * Per-row caches (only rows near dynamic jumps are ever filled, and 0 means not yet known): the
   * row's InsnSem (`semList[semIndex - 1]`), whether a call returns. Memory first written costs a page
   * fault (about 18 us per 4 KiB page here): what is wanted for every row of a family is kept by
   * family instead (`FixedEdges`), what belongs to a description by its place in `semList`, and the
   * column written most in chunks.
   */
  private readonly semIndex: RowChunks;
  private readonly semList: InsnSem[] = [];
  /**
   * by place in `semList`: the registers the row writes as a bit mask and `WRITES_*` flags, so that a
   * backward search asks "does this row write loc" without looking at the InsnSem
   */
  private semRegs = new Uint32Array(1024);
  private semFlags = new Uint8Array(1024);
  /** destOf's answers by row (a few thousand conditional jumps on the bound proofs' paths) */
  private readonly destRow = new Map<number, number>();
  /**
   * family(): the function symbol last found and the offsets [famLo, famHi) of its section where
   * funcContaining answers it (its family famLast). Rows are asked about in runs inside one function:
   * no per-row column (its pages, written near every dynamic jump, cost more than the lookups).
   */
  private famSym = -1;
  private famSec = -1;
  private famLo = 0;
  private famHi = 0;
  private famLast = -1;
  private readonly noReturnKnown: Uint8Array;
  /**
   * Predecessors, built per family (parent function symbol) on first need and again when its edges
   * change (null until then), in arrays of the family's own size: a row's lists are those of its
   * family, and a row its family's control flow does not hold has none.
   */
  private readonly famCfg: (FamilyCfg | null)[];
  private readonly famBudget: Int32Array;
  /** set by `preds(row)`: the list holding the row's predecessors and where they start */
  private predList: Int32Array = new Int32Array(0);
  private predAt = 0;
  /**
   * bound proofs: the row a step continues from (with the state it returns); by place in the first range
   * of the proof's family, the proof's number and where the row's list of (successor, state id, next)
   * triples done starts in `proofPairs`
   */
  private stepFrom = -1;
  private boundProofs = 0;
  private proofRowStamp = new Int32Array(4096);
  private proofRowHead = new Int32Array(4096);
  private proofPairs = new Int32Array(3 * 256);
  /** bound proofs' work stacks and numbered states, and the states' hash chains (see proveBound) */
  private proofWorkRow = new Int32Array(256);
  private proofWorkSucc = new Int32Array(256);
  private readonly proofWorkState: ProofState[] = [];
  private readonly proofStates: ProofState[] = [];
  private stateBucketStamp = new Int32Array(1024);
  private stateBucketHead = new Int32Array(1024);
  private stateNext = new Int32Array(1024);
  private stateHashes = new Int32Array(1024);
  /** definition search: rows seen (stamped with the search's number) and the work stack */
  private readonly seenStamp: Int32Array;
  private seenNear = new Int32Array(4096);
  private searches = 0;
  private work = new Int32Array(1024);
  private defsFound = new Int32Array(64);
  /**
   * buildPreds scratch: edges (local number of the row reached, row it comes from, local number of
   * that row) in the order they are found
   */
  private edgeTo = new Int32Array(1024);
  private edgeFrom = new Int32Array(1024);
  private edgeFromLocal = new Int32Array(1024);
  /** buildPreds scratch: sortedEdges' counts */
  private edgeCounts = new Int32Array(1024);
  /** buildPreds: fixed edges by family (ranges not overlapping) */
  private readonly fixedEdges = new Map<number, FixedEdges>();
  /**
   * FamilyCfg.rec of the families built lazily, and the last `gen` given (one array used again by every
   * build: an array per family was 16 bytes of fresh memory for every row of every family built, a
   * page fault per 256 rows, for the one row in eight a search asks about)
   */
  private recArena = new Int32Array(4 * 4096);
  private recGen = 0;
  /** buildPreds: local numbers of table targets outside the family's ranges */
  private extraLocal = new Map<number, number>();
  /** linked files: loaded sections by address (`sectionOf`), and the offset its last answer left */
  private loadedByAddr: { index: number[]; start: number[]; end: number[] } | undefined;
  private mappedOff = 0;
  /** the dispatch target of each dynamic jump tried (a jump is tried again in every round) */
  private readonly jumpTargets = new Map<number, Rhs | undefined>();
  /** ranges by family (a family is a symbol), and of any other number asked for */
  private readonly famRanges: ([number, number][] | undefined)[];
  private readonly otherRanges = new Map<number, [number, number][]>();
  private readonly linked: boolean;
  private readonly rd: RelocDest = { sec: -1, off: 0, sym: 0 };
  /** tableAt: the last table read for each jump, with what it was read from */
  private readonly tablesRead = new Map<number, {
    tSec: number; tOff: number; size: number; signed: boolean; count: number; cSec: number; cOff: number; k: number; out: number[] | string;
  }>();
  /** targets of the tables recovered so far, by jump row */
  private readonly recovered = new Map<number, number[]>();
  /**
   * where tables start (offsets by section, ascending): those recovered and the bases of table-shaped
   * dispatches, proven or not. A table whose bound is not in the code ends where the next one starts, so a
   * proof that read these is redone when one is added inside the extent its bound allows (`startedIn`)
   */
  private readonly tableStarts = new Map<number, number[]>();
  /** the starts in the order they were added (section, offset): a generation is a place in these */
  private readonly startSec: number[] = [];
  private readonly startOff: number[] = [];
  /**
   * set by recoverOne when its answer depends on `tableStarts`: the section and the extent of the table
   * its bound allows (a start added there later changes the answer)
   */
  private readSec = -1;
  private readLo = 0;
  private readHi = 0;
  /**
   * set by proveBound: the largest bound is a mask's alone (`maskOnly`), and the largest a compare gives on
   * some path (`guardFloor`, -1 when none): the table holds at least that many entries plus one
   */
  private maskOnly = false;
  private guardFloor = -1;
  /** set by proofStep: the number it returned is a mask's bound, not a compare's */
  private boundByMask = false;
  /** optimistic rounds: dispatches whose edges are assumed to be exactly these targets (none when absent) */
  private assumed: Map<number, number[]> | null = null;
  /** candidate search: a row no edge reaches (but its function's entry) is dead, not a way in */
  private lenient = false;
  /** bound proof, second try: an unsigned narrow load or extension bounds the index by its type */
  private typeBounds = false;
  /**
   * definitions (row, location) being evaluated on the current evaluation path, as two stacks (the path
   * is at most a few dozen deep: a scan beats building a string key per definition)
   */
  private readonly evalRows: number[] = [];
  /** sumTerms: the terms of the sums being evaluated, innermost last */
  private readonly termStack: { k: number; a: Expr }[] = [];
  private termTop = 0;
  private readonly evalLocs: number[] = [];
  /** evaluations left for the current jump */
  private evalBudget = 0;
  /** rows all definition searches for the current jump may still visit */
  private visits = 0;
  /** linked files: callees (function symbols) named as C library functions that never return */
  private readonly noReturnByName: Uint8Array;
  /** linked files: whether a call returns, by its section and its target address */
  private readonly noReturnByTarget = new Map<number, Map<number, boolean>>();
  /** callees (function symbols entered at their start) with no way back, by symbol */
  private readonly calleeEndsMemo: Uint8Array;
  /** registers written by a callee (function symbol) and its callees, null when unknown */
  private readonly calleeMemo = new Map<number, Set<number> | null>();
  /** calleeWrites(row, 0) by call row */
  private readonly calleeWritesAt = new Map<number, Set<number> | null>();

  /**
   * What one jump's proof reads of the changing state: its family's edges (recovered and assumed
   * tables) and the search mode. A family's generation moves when its edges change; a proof is
   * redone only when its family's generation or the mode moved (a large library has tens of
   * thousands of dispatches, and most families never change between rounds).
   */
  private readonly famGen = new Map<number, number>();
  private modeGen = 0;
  /** families whose edges changed since their control flow was last rebuilt */
  private readonly dirty = new Set<number>();
  private readonly proofs = new Map<number, {
    fam: number; gen: number; mode: number; starts: number; sec: number; lo: number; hi: number; r: RecoveredTable | string | undefined;
  }>();
  /**
   * reachingDefs answers by location and row; cleared when control flow or mode changes. In typed
   * arrays (a nested Map and an array per answer were most of the recovery's garbage).
   */
  private readonly defsMemo = new DefsMemo();
  /** firstDefs' answers cut short (SOME_DEFS), cleared with defsMemo */
  private readonly someDefsMemo = new DefsMemo();

  constructor(private readonly p: Program, private readonly arch: SwitchArch, private readonly describer: SwitchDescriber,
    private readonly cellRegs: readonly (readonly number[])[]) {
    this.linked = p.elf.type !== 1;
    const n = p.count;
    // zero means "not yet known" everywhere, so pages of rows never looked at stay untouched
    [this.noReturnKnown, this.seenStamp] = sparseColumns([Uint8Array, Int32Array], n);
    this.semIndex = new RowChunks(n);
    const nsym = p.syms.count;
    this.famCfg = new Array<FamilyCfg | null>(nsym).fill(null);
    this.famBudget = new Int32Array(nsym);
    // by symbol, RETURNS or NO_RETURN once known (a Map grew and rehashed with every callee)
    this.noReturnByName = new Uint8Array(nsym);
    this.calleeEndsMemo = new Uint8Array(nsym);
    this.famRanges = new Array<[number, number][] | undefined>(nsym).fill(undefined);
  }

  /** recoverOne, redone only when what it reads has changed. */
  private attempt(j: number): RecoveredTable | string | undefined {
    const fam = this.family(j);
    const gen = this.famGen.get(fam) ?? 0;
    const m = this.proofs.get(j);
    if (m && m.fam === fam && m.gen === gen && m.mode === this.modeGen && !this.startedIn(m.starts, m.sec, m.lo, m.hi)) {
      m.starts = this.startSec.length;
      return m.r;
    }
    this.readSec = -1;
    const r = this.recoverOne(j);
    this.proofs.set(j, { fam, gen, mode: this.modeGen, starts: this.startSec.length, sec: this.readSec, lo: this.readLo, hi: this.readHi, r });
    return r;
  }

  /** A table start was added since generation `since` in section `sec`, inside (lo, hi). */
  private startedIn(since: number, sec: number, lo: number, hi: number): boolean {
    if (sec < 0) return false;
    for (let x = since; x < this.startSec.length; x++) if (this.startSec[x] === sec && this.startOff[x] > lo && this.startOff[x] < hi) return true;
    return false;
  }

  /** The edges of jump `j`'s family change (recovered or assumed targets). */
  private touch(j: number): void {
    const fam = this.family(j);
    if (fam >= 0) this.dirty.add(fam);
  }

  /** Control flow is rebuilt for the families whose edges changed. */
  private rebuild(): void {
    if (this.dirty.size > 0) this.clearDefs();
    for (const fam of this.dirty) {
      this.famCfg[fam] = null;
      this.famGen.set(fam, (this.famGen.get(fam) ?? 0) + 1);
    }
    this.dirty.clear();
  }

  private clearDefs(): void {
    this.defsMemo.clear();
    this.someDefsMemo.clear();
  }

  private setAssumed(next: Map<number, number[]> | null): void {
    const old = this.assumed;
    if (old) for (const [j, t] of old) if (!next || !sameTargets(t, next.get(j))) this.touch(j);
    if (next) for (const [j, t] of next) if (!old || !sameTargets(t, old.get(j))) this.touch(j);
    this.assumed = next;
  }

  private setLenient(v: boolean): void {
    if (this.lenient !== v) { this.modeGen++; this.clearDefs(); }
    this.lenient = v;
  }

  run(): SwitchTableResult {
    const p = this.p;
    const jumps: number[] = [];
    // a native scan of the kind column (a library has millions of rows and thousands of dispatches)
    const kinds = p.kind.subarray(0, p.count);
    for (let i = kinds.indexOf(InsnKind.JumpDynamic); i >= 0; i = kinds.indexOf(InsnKind.JumpDynamic, i + 1)) jumps.push(i);
    const tables: RecoveredTable[] = [];
    const reasons = new Map<number, string>();
    // a table found adds edges that can prove another (nested switches): repeat until nothing changes
    let pending = jumps;
    for (;;) {
      const next: number[] = [];
      let progress = false;
      for (const j of pending) {
        const r = this.attempt(j);
        if (r === undefined) { next.push(j); continue; }
        if (typeof r === 'string') { reasons.set(j, r); next.push(j); continue; }
        reasons.delete(j);
        tables.push(r);
        this.recovered.set(j, r.edges);
        this.addStart(r);
        this.touch(j);
        progress = true;
      }
      // a table whose bound is not in the code that reads into a table found since is proven again, up to it
      for (const t of this.crossing(tables)) {
        tables.splice(tables.indexOf(t), 1);
        this.recovered.delete(t.jump);
        this.touch(t.jump);
        next.push(t.jump);
        progress = true;
      }
      // only the jumps still unproven go on (a pass that proves the last ones leaves none)
      pending = next;
      if (!progress || next.length === 0) break;
      // control flow again, with the tables found as edges and only the rest as unknown jumps
      this.rebuild();
    }
    if (pending.length > 0) {
      const found = this.optimistic(pending, reasons);
      for (const t of this.settleWith(found, tables, reasons)) {
        reasons.delete(t.jump);
        tables.push(t);
        this.addStart(t);
      }
      this.proveCrossingAgain(tables, reasons);
    }
    tables.sort((a, b) => a.jump - b.jump);
    const unresolved = [...reasons].sort((a, b) => a[0] - b[0]).map(([jump, reason]) => ({ jump, reason }));
    return { tables, unresolved };
  }

  /** The targets in family `fam` (a table's edges: not Clang's `unreachable` label past its end). */
  private inFamily(targets: readonly number[], fam: number): number[] {
    return targets.filter((t) => this.family(t) === fam);
  }

  /** Notes where table `t` starts (see `tableStarts`). */
  private addStart(t: RecoveredTable): void {
    this.noteStart(t.tableSec, t.tableOff);
  }

  private noteStart(sec: number, off: number): void {
    let list = this.tableStarts.get(sec);
    if (!list) this.tableStarts.set(sec, list = []);
    // kept sorted: each is asked for the first start past an offset
    const at = firstAbove(list, off - 1);
    if (list[at] === off) return;
    list.splice(at, 0, off);
    this.startSec.push(sec);
    this.startOff.push(off);
  }

  /** The tables whose bound is not in the code that read past where another table starts. */
  private crossing(tables: readonly RecoveredTable[]): RecoveredTable[] {
    const out: RecoveredTable[] = [];
    for (const t of tables) {
      if (t.openEnd && this.entriesBefore(t.tableSec, t.tableOff, t.entrySize, t.targets.length) < t.targets.length) out.push(t);
    }
    return out;
  }

  /**
   * Entries of `size` bytes from section offset `off` that end at or before the first table start after
   * `off`, at most `count`.
   */
  private entriesBefore(sec: number, off: number, size: number, count: number): number {
    const starts = this.tableStarts.get(sec);
    if (!starts) return count;
    const next = starts[firstAbove(starts, off)];
    return next !== undefined && next < off + count * size ? Math.floor((next - off) / size) : count;
  }

  /**
   * After the optimistic rounds: the tables whose bound is not in the code that read into a table those found,
   * until none does. Each is assumed to end where the next table starts (its dispatch may be one whose
   * table base comes around its own cases, as the optimistic rounds' are) and proven again with that:
   * kept when the proof gives the same table, else left unproven.
   */
  private proveCrossingAgain(tables: RecoveredTable[], reasons: Map<number, string>): void {
    for (let again = this.crossing(tables); again.length > 0; again = this.crossing(tables)) {
      // each table's targets up to where the next table starts
      const cut = again.map((t) => t.targets.slice(0, this.entriesBefore(t.tableSec, t.tableOff, t.entrySize, t.targets.length)));
      for (let x = 0; x < again.length; x++) {
        const t = again[x];
        tables.splice(tables.indexOf(t), 1);
        this.recovered.set(t.jump, this.inFamily(cut[x], this.family(t.jump)));
        this.touch(t.jump);
      }
      this.rebuild();
      for (let x = 0; x < again.length; x++) {
        const t = again[x];
        const r = this.attempt(t.jump);
        if (r !== undefined && typeof r !== 'string' && sameTargets(r.targets, cut[x])) {
          tables.push(r);
          this.recovered.set(r.jump, r.edges);
          this.addStart(r);
        } else {
          this.recovered.delete(t.jump);
          reasons.set(t.jump, typeof r === 'string' ? r : 'table and control flow do not settle');
        }
        this.touch(t.jump);
      }
      this.rebuild();
    }
  }

  /**
   * Dispatches the safe rounds could not prove (typically in loops whose back edges come through their
   * own cases): candidates from a search that leaves unknown edges out, then rounds proving every
   * candidate with all candidates assumed as exact edges, until a round reproduces its assumption.
   */
  private optimistic(pending: number[], reasons: Map<number, string>): RecoveredTable[] {
    this.setAssumed(new Map(pending.map((j) => [j, []])));
    this.setLenient(true);
    let cand = new Map<number, RecoveredTable>();
    // a dispatch reached only through the cases of another unknown one is found once that one's
    // candidate gives its edges: search again with the candidates so far until none is added
    for (let pass = 0; pass < OPTIMISTIC_ROUNDS; pass++) {
      this.rebuild();
      let grew = false;
      for (const j of pending) {
        if (cand.has(j)) continue;
        const r = this.attempt(j);
        if (r !== undefined && typeof r !== 'string') { cand.set(j, r); grew = true; }
      }
      if (!grew) break;
      this.setAssumed(new Map(pending.map((j) => [j, cand.get(j)?.edges ?? []])));
    }
    this.setLenient(false);
    for (let round = 0; round < OPTIMISTIC_ROUNDS && cand.size > 0; round++) {
      // the candidates' edges exactly; the other pending jumps are unknown again
      this.setAssumed(new Map([...cand].map(([j, t]) => [j, t.edges])));
      this.rebuild();
      const next = new Map<number, RecoveredTable>();
      let stable = true;
      for (const [j, t] of cand) {
        const r = this.attempt(j);
        if (r !== undefined && typeof r !== 'string') {
          next.set(j, r);
          if (!sameTable(r, t)) stable = false;
        } else {
          stable = false;
          if (typeof r === 'string') reasons.set(j, r);
        }
      }
      if (stable) {
        this.setAssumed(null);
        this.rebuild();
        return [...next.values()];
      }
      cand = next;
    }
    for (const j of cand.keys()) if (!reasons.has(j)) reasons.set(j, 'table and control flow do not settle');
    this.setAssumed(null);
    this.rebuild();
    return [];
  }

  /**
   * The optimistic tables whose function's earlier tables still hold with them as edges (the earlier
   * proofs let unknown jumps reach only rows no branch names; a table may name others). A function
   * where one does not keeps its earlier tables and loses the optimistic ones.
   */
  private settleWith(found: RecoveredTable[], earlier: RecoveredTable[], reasons: Map<number, string>): RecoveredTable[] {
    if (found.length === 0) return found;
    for (const t of found) { this.recovered.set(t.jump, t.edges); this.touch(t.jump); }
    this.rebuild();
    const fams = new Set(found.map((t) => this.family(t.jump)));
    const broken = new Set<number>();
    for (const t of earlier) {
      const fam = this.family(t.jump);
      if (!fams.has(fam) || broken.has(fam)) continue;
      const r = this.attempt(t.jump);
      if (r === undefined || typeof r === 'string' || !sameTable(r, t)) broken.add(fam);
    }
    const kept = found.filter((t) => !broken.has(this.family(t.jump)));
    for (const t of found) {
      if (kept.includes(t)) continue;
      this.recovered.delete(t.jump);
      this.touch(t.jump);
      reasons.set(t.jump, 'table and control flow do not settle');
    }
    this.rebuild();
    return kept;
  }

  /** A table, a reason (table-shaped but unproven), or undefined (not a table dispatch). */
  private recoverOne(j: number): RecoveredTable | string | undefined {
    const fam = this.family(j);
    if (fam < 0) return undefined;
    let rhs = this.jumpTargets.get(j);
    if (rhs === undefined && !this.jumpTargets.has(j)) { rhs = this.describer.jumpTarget(j); this.jumpTargets.set(j, rhs); }
    if (!rhs) return undefined;
    this.evalBudget = EVAL_BUDGET;
    this.visits = VISIT_BUDGET;
    const target = this.evalRhs(rhs, j, 0);
    if (!target) return undefined;
    const lin = linOf(target);
    if (!lin) return undefined;
    const shape = this.dispatchShape(lin);
    if (shape === undefined || typeof shape === 'string') return shape;
    const { k, ld, C, ix } = shape;
    const T = ld.addr.c;
    if (!this.linked && T.sec < 0) return undefined;
    if (ld.signed && ld.width < 64) return undefined;
    // table-shaped from here on: a table starts at T whether or not it is proven (its place in a section,
    // kept: the searches below map other addresses)
    const tSec = this.sectionOf(T.sec, T.off);
    const tOff = this.mappedOff;
    if (tSec >= 0) this.noteStart(tSec, tOff);
    let n = this.proveBound(ix.loc, ix.row, ix.bits);
    const byType = n === undefined;
    const byMask = !byType && this.maskOnly;
    const floor = this.guardFloor;
    if (byType) {
      // no guard: the index's type may bound it (`goto *tbl[u8]`), if the table is exactly that long
      this.typeBounds = true;
      n = this.proveBound(ix.loc, ix.row, ix.bits);
      this.typeBounds = false;
    }
    if (n === undefined) return 'no bound check on the index';
    if (ix.signed && ix.bits < 64 && n >= 2 ** (ix.bits - 1)) return 'index may be negative';
    let count = n + 1;
    // (a bound too large for a table is refused before any cut: such an index is not a case number)
    if (count > MAX_ENTRIES) return `bound ${n} too large`;
    const openEnd = byMask || byType;
    if (openEnd) {
      // a mask or the index's type bounds the index for the machine; the compiler's table may be shorter
      // (the values an enum or a pointer's tag bits take), and tables do not overlap: it ends where
      // another table starts
      if (tSec >= 0) {
        this.readSec = tSec;
        this.readLo = tOff;
        this.readHi = tOff + count * ld.size;
        count = this.entriesBefore(tSec, tOff, ld.size, count);
      }
      if (byMask && count <= floor) return 'table overlaps another table';
    }
    // bounded by its type and not cut by another table: the table must be a known object that long
    if (byType && count === n + 1 && !this.tableSpans(T, count * ld.size)) {
      return `index bounded only by its type (0..${n}), and no table object or section of that size`;
    }
    const targets = this.tableAt(j, T, ld.size, ld.signed, count, C, k);
    if (typeof targets === 'string') return targets;
    let past = 0;
    for (const t of targets) {
      if (this.family(t) === fam) continue;
      if (!this.pastEnd(t, fam)) return TARGET_OUTSIDE;
      past++;
    }
    if (past === targets.length) return TARGET_OUTSIDE;
    const edges = past === 0 ? targets : this.inFamily(targets, fam);
    return { jump: j, tableSec: tSec, tableOff: tOff, entrySize: ld.size, targets, edges, openEnd };
  }

  /**
   * `C + k * load(T + size * index)` with constant C and T; a reason when the target has that shape
   * but C or T is not a proven constant and the index is bounded (a table whose base is lost);
   * undefined for other jumps.
   */
  private dispatchShape(lin: Lin): { k: number; ld: Extract<Expr, { t: 'ld' }>; C: Addr; ix: IndexAt } | string | undefined {
    // the one load among the terms, and its address terms scaled by its size that are indexes (counted
    // without arrays: every jump tried in every round comes here)
    let loads = 0;
    let lt = lin.terms[0];
    for (let x = 0; x < lin.terms.length; x++) if (lin.terms[x].a.t === 'ld') { loads++; lt = lin.terms[x]; }
    if (loads !== 1) return undefined;
    const ld = lt.a as Extract<Expr, { t: 'ld' }>;
    const at = ld.addr.terms;
    let first = -1;
    for (let x = 0; x < at.length; x++) if (at[x].k === ld.size && isIndex(at[x].a)) { first = x; break; }
    if (first < 0) return undefined;
    if (lin.terms.length === 1 && at.length === 1) {
      return { k: lt.k, ld, C: lin.c, ix: indexAt(at[first].a)! };
    }
    if (lin.terms.length > 2 || at.length > 2) return undefined;
    for (let x = first; x < at.length; x++) {
      if (at[x].k !== ld.size || !isIndex(at[x].a)) continue;
      const ix = indexAt(at[x].a)!;
      if (this.proveBound(ix.loc, ix.row, ix.bits) !== undefined) return 'table base not proven constant';
    }
    return undefined;
  }

  // -------------------------------------------------------------- table contents

  /**
   * Is row `t` just past the end of a part of family `fam`, with no function starting there and only
   * padding (a no-op or a trap): where Clang puts the label of an `unreachable` default, after the
   * function's last instruction. A jump there would run out of the function: no path takes it.
   */
  private pastEnd(t: number, fam: number): boolean {
    const p = this.p;
    const syms = p.syms;
    const k = p.kind[t];
    if ((k !== InsnKind.Nop && k !== InsnKind.Trap) || this.family(t) >= 0) return false;
    const sec = p.sec[t];
    const off = p.off[t];
    if (syms.funcAt(sec, off) >= 0) return false;
    const c = syms.cfunc[fam];
    for (const f of c >= 0 && c !== fam ? [fam, c] : [fam]) {
      if (syms.sec[f] === sec && syms.offset[f] + syms.len[f] === off) return true;
    }
    return false;
  }

  /**
   * readTargets for jump `j`, kept by jump: a jump is proven again whenever its family's edges change,
   * mostly with the same table, whose every entry costs a search for its row.
   */
  private tableAt(j: number, T: Addr, size: number, signed: boolean, count: number, C: Addr, k: number): number[] | string {
    const m = this.tablesRead.get(j);
    if (m && m.tSec === T.sec && m.tOff === T.off && m.size === size && m.signed === signed && m.count === count &&
      m.cSec === C.sec && m.cOff === C.off && m.k === k) return m.out;
    const out = this.readTargets(T, size, signed, count, C, k);
    this.tablesRead.set(j, { tSec: T.sec, tOff: T.off, size, signed, count, cSec: C.sec, cOff: C.off, k, out });
    return out;
  }

  private readTargets(T: Addr, size: number, signed: boolean, count: number, C: Addr, k: number): number[] | string {
    const p = this.p;
    const sec = this.sectionOf(T.sec, T.off);
    const off = this.mappedOff;
    if (sec < 0) return 'table address is not in a section';
    const s = p.elf.sections[sec];
    if (s.type === SHT_NOBITS || !(Number(s.flags) & SHF_ALLOC)) return 'table is not in loaded data';
    if (off < 0 || off + count * size > s.size) return 'table extends past its section';
    const data = p.elf.sectionData(s);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const relocs = this.linked ? null : p.relocs.of(sec);
    const syms = p.elf.symtab;
    // as long as the table from the start (a table of thousands of entries grown by push was copied
    // over and over: most of the recovery's garbage from reading tables)
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const eo = off + i * size;
      // the entry's target, as an address
      let tSec: number;
      let tOff: number;
      const ri = relocs ? relocs.inRange(eo, size) : -1;
      if (ri >= 0) {
        const rt = relocs!.table;
        if (rt.offset[ri] !== eo || !syms) return 'table entry relocation is misplaced';
        const d = relocDest(syms, rt, ri, this.rd);
        if (d.sec < 0) return 'table entry names an undefined symbol';
        const type = rt.type[ri];
        if (this.arch.absRelocs.includes(type)) {
          if (k !== 1 || C.sec >= 0 || C.off !== 0) return 'absolute entry in an offset table';
          tSec = d.sec;
          tOff = d.off;
        } else if (this.arch.pcrelRelocs.includes(type)) {
          // entry = S + A - P; target = C + entry, with C in the table's own section
          if (k !== 1 || C.sec !== sec) return 'pc-relative entry not relative to its table';
          tSec = d.sec;
          tOff = d.off - eo + C.off;
        } else {
          return `table entry relocation type ${type}`;
        }
      } else {
        const v = readInt(dv, eo, size, signed, p.elf.le);
        if (v === undefined) return 'bad entry size';
        // C + k * v (a plain number added to an address stays in its section)
        tSec = C.sec;
        tOff = C.off + k * v;
        if (!this.linked && tSec < 0) return 'table entries need relocations';
      }
      const ts = this.sectionOf(tSec, tOff);
      const row = ts >= 0 ? p.find(ts, this.mappedOff) : -1;
      if (row < 0) return `table entry ${i} is not an instruction`;
      out[i] = row;
    }
    return out;
  }

  /**
   * The table at `T` is `bytes` long by the file's own account: a data symbol starts there with that
   * size (`static void *tbl[256]`), or the table fills a section of its own.
   */
  private tableSpans(T: Addr, bytes: number): boolean {
    const sec = this.sectionOf(T.sec, T.off);
    const off = this.mappedOff;
    if (sec < 0) return false;
    const s = this.p.elf.sections[sec];
    if (off === 0 && s.size === bytes) return true;
    const st = this.p.elf.symtab;
    if (!st) return false;
    const value = this.linked ? s.addr + off : off;
    for (let i = 0; i < st.count; i++) {
      if (st.shndx[i] !== sec || st.value[i] !== value || st.size[i] !== bytes) continue;
      const type = st.info[i] & 15;
      if (type === STT_OBJECT || type === STT_NOTYPE) return true;
    }
    return false;
  }

  /**
   * The section of the address (`sec`, `off`), -1 when none: relocatable addresses carry their section;
   * linked ones are mapped. The offset in that section (or `off` when none) is left in `mappedOff`.
   */
  private sectionOf(sec: number, off: number): number {
    this.mappedOff = off;
    if (sec >= 0) return sec;
    if (!this.linked) return -1;
    const by = this.loadedByAddr ??= this.sortLoaded();
    if (by.start.length > 0) {
      // the sections do not overlap: the one starting last at or before the address is the only candidate
      let lo = 0;
      let hi = by.start.length - 1;
      let k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (by.start[mid] <= off) { k = mid; lo = mid + 1; } else hi = mid - 1;
      }
      if (k >= 0 && off < by.end[k]) { this.mappedOff = off - by.start[k]; return by.index[k]; }
      return -1;
    }
    for (const s of this.p.elf.sections) {
      if (!(Number(s.flags) & SHF_ALLOC) || s.type === SHT_NOBITS || s.size === 0) continue;
      if (off >= s.addr && off < s.addr + s.size) { this.mappedOff = off - s.addr; return s.index; }
    }
    return -1;
  }

  /**
   * The loaded sections with contents (those `sectionOf` maps addresses into), sorted by address; empty
   * when two overlap, and the search goes through them in file order instead.
   */
  private sortLoaded(): { index: number[]; start: number[]; end: number[] } {
    const secs = this.p.elf.sections.filter((s) => (Number(s.flags) & SHF_ALLOC) && s.type !== SHT_NOBITS && s.size !== 0);
    secs.sort((x, y) => x.addr - y.addr);
    const out = { index: secs.map((s) => s.index), start: secs.map((s) => s.addr), end: secs.map((s) => s.addr + s.size) };
    for (let k = 1; k < secs.length; k++) if (out.start[k] < out.end[k - 1]) return { index: [], start: [], end: [] };
    return out;
  }

  // -------------------------------------------------------------- value evaluation

  private sem(row: number): InsnSem {
    return this.semList[this.semAt(row)];
  }

  /** The place of the row's InsnSem in `semList` (described on first need). */
  private semAt(row: number): number {
    const i = this.semIndex.get(row);
    if (i > 0) return i - 1;
    const s = this.describer.describe(row);
    if (s.listed >= 0) {
      this.semIndex.set(row, s.listed + 1);
      return s.listed;
    }
    const at = this.semList.length;
    this.semList.push(s);
    s.listed = at;
    this.semIndex.set(row, at + 1);
    if (at === this.semRegs.length) {
      this.semRegs = grown(this.semRegs, 2 * at);
      this.semFlags = grown(this.semFlags, 2 * at);
    }
    let regs = 0;
    let flags = 0;
    const ws = s.writes;
    for (let x = 0; x < ws.length; x++) {
      const w = ws[x];
      if (w >= 0 && w < 32) regs |= 1 << w;
      else if (w === MEM_ANY) flags |= WRITES_MEM_ANY;
      else if (w === FRAME_ANY) flags |= WRITES_FRAME_ANY;
      else flags |= WRITES_OTHER;
    }
    this.semRegs[at] = regs;
    this.semFlags[at] = flags;
    return at;
  }

  /**
   * The value `rhs` gives at `row`; null when it only copies a value still being evaluated further up
   * (a copy on a cycle: it holds what the cycle's other definitions give).
   */
  private evalRhs(rhs: Rhs, row: number, depth: number): Expr | null | undefined {
    if (depth > 24) return undefined;
    switch (rhs.op) {
      case 'const': return { t: 'c', c: rhs.c, page: rhs.page };
      case 'copy': {
        const v = this.evalLoc(rhs.src, row, depth + 1);
        if (v === null) return rhs.bits >= 64 ? null : undefined;
        return extend(v, rhs.bits, rhs.signed);
      }
      case 'and': return undefined;
      case 'pagelo': {
        const v = this.evalLoc(rhs.src, row, depth + 1);
        if (!v || v.t !== 'c' || !v.page || v.c.sec !== rhs.c.sec || v.c.off !== rhs.c.off) return undefined;
        return { t: 'c', c: rhs.c, page: false };
      }
      case 'add': {
        const lin = this.sumTerms(rhs.c, rhs.terms, row, depth);
        if (lin && lin.terms.length === 0) return { t: 'c', c: lin.c, page: false };
        return lin && { t: 'lin', lin };
      }
      case 'load': {
        const lin = this.sumTerms(rhs.c, rhs.terms, row, depth);
        return lin && { t: 'ld', addr: lin, size: rhs.size, signed: rhs.signed, width: rhs.width, from: undefined };
      }
    }
  }

  private sumTerms(c: Addr | null, terms: Term[], row: number, depth: number): Lin | undefined {
    const c0 = c ?? ZERO;
    if (terms.length === 0) return { c: c0, terms: [] };
    // c + sum of 2^shift * term: a plain number scales, an address only adds to plain numbers
    let sec = c0.sec;
    let off = c0.off;
    // the terms go on a stack shared with the sums evaluated inside this one (each takes its own off
    // the top before returning), then into an array of their number
    const out = this.termStack;
    const base = this.termTop;
    for (let x = 0; x < terms.length; x++) {
      const t = terms[x];
      const e = this.evalLoc(t.loc, row, depth + 1);
      // an index computed from another (`add x5, x4, #-c`) and then scaled or extended: the bound proof
      // takes it as a value of its own, from here (compilers compare the rebased index, not its source)
      const rebased = e && e.t === 'lin' && e.lin.terms.length > 0 && (t.shift > 0 || t.bits < 64);
      const v = rebased ? { t: 'x' as const, loc: t.loc, row, bits: t.bits, signed: t.signed } : e && extend(e, t.bits, t.signed);
      if (!v) { this.termTop = base; return undefined; }
      const k = 2 ** t.shift;
      const vc = v.t === 'c' ? v.c : v.t === 'lin' ? v.lin.c : ZERO;
      let vSec = vc.sec;
      let vOff = vc.off;
      if (k !== 1) {
        // only a plain number scales
        if (vSec >= 0) { this.termTop = base; return undefined; }
        vSec = -1;
        vOff = vOff * k;
      }
      // two section-relative addresses do not add
      if (sec >= 0 && vSec >= 0) { this.termTop = base; return undefined; }
      sec = sec >= 0 ? sec : vSec;
      off = off + vOff;
      if (v.t === 'lin') {
        const vt = v.lin.terms;
        for (let y = 0; y < vt.length; y++) out[this.termTop++] = k === 1 ? vt[y] : { k: vt[y].k * k, a: vt[y].a };
      } else if (v.t !== 'c') {
        out[this.termTop++] = { k, a: v };
      }
    }
    const mine = out.slice(base, this.termTop);
    this.termTop = base;
    return { c: { sec, off }, terms: mine };
  }

  /**
   * The value of `loc` just before `row`: the modelled definition reaching it, or an index atom when the
   * definition is not modelled, not unique, or a plain copy of something that is not a constant or a load
   * (the bound proof follows copies itself, from the point of use). Several definitions must all give
   * the same constant; a definition already being evaluated further up (a loop carrying the value
   * through copies) is assumed to give it too, which the other definitions then prove by induction.
   * null: every definition is such a cycle.
   */
  private evalLoc(loc: number, row: number, depth: number): Expr | null {
    if (depth > 24 || --this.evalBudget < 0) return xAtom(loc, row);
    // several definitions must all give one constant, which the first two found rarely do: the search
    // stops at the second, and the rest are searched for only when those two leave the question open
    // (the full search finds the same two first)
    const found = this.firstDefs(loc, row);
    let partial = found === SOME_DEFS;
    if (!partial && found <= 0) return xAtom(loc, row);
    let nd = partial ? SOME_DEFS_FOUND : found;
    // the answer stays where it is in its memo's arena; the arena may be replaced by a longer one meanwhile
    let memo = partial ? this.someDefsMemo : this.defsMemo;
    let at = memo.at;
    let first: Expr | undefined;
    let cyclic = false;
    const rows = this.evalRows;
    const locs = this.evalLocs;
    for (let x = 0; ; x++) {
      if (x === nd) {
        if (!partial) break;
        // the first ones left the question open: all of them
        nd = this.reachingDefs(loc, row);
        if (nd <= 0) return xAtom(loc, row);
        memo = this.defsMemo;
        at = memo.at;
        partial = false;
        if (x === nd) break;
      }
      const d = memo.arena[at + x];
      let busy = false;
      for (let y = 0; y < rows.length; y++) if (rows[y] === d && locs[y] === loc) { busy = true; break; }
      if (busy) { cyclic = true; continue; }
      const rhs = rhsAt(this.sem(d), loc);
      if (!rhs) return xAtom(loc, row);
      rows.push(d);
      locs.push(loc);
      const v = this.evalRhs(rhs, d, depth);
      rows.pop();
      locs.pop();
      if (v === null) { cyclic = true; continue; }
      if (!v || v.t === 'x') return xAtom(loc, row);
      if ((nd > 1 || cyclic) && (v.t !== 'c' || (first && (first.t !== 'c' || first.c.sec !== v.c.sec || first.c.off !== v.c.off)))) return xAtom(loc, row);
      first ??= v;
    }
    if (!first) return cyclic ? null : xAtom(loc, row);
    if (cyclic && first.t !== 'c') return xAtom(loc, row);
    if (first.t === 'ld') first.from = [loc, row];
    return first;
  }

  /**
   * The number of rows defining `loc` on the paths reaching `row` (they are `defsMemo.arena` from
   * `defsMemo.at`), or NO_DEFS when some path has no definition. Answers stand while control flow and search mode do (`defsMemo`); a search cut short by a budget
   * is not kept.
   */
  private reachingDefs(loc: number, row: number): number {
    const memo = this.defsMemo;
    const known = memo.get(loc, row);
    if (known !== NOT_KNOWN) return known;
    const n = this.searchDefs(loc, row, 0x7fffffff);
    if (n === BUDGET_SPENT) return NO_DEFS;
    memo.set(loc, row, this.defsFound, n);
    return n;
  }

  /**
   * reachingDefs, or SOME_DEFS when there are at least SOME_DEFS_FOUND: then the first SOME_DEFS_FOUND
   * of them (those reachingDefs lists first) are `someDefsMemo.arena` from `someDefsMemo.at`.
   */
  private firstDefs(loc: number, row: number): number {
    const known = this.defsMemo.get(loc, row);
    if (known !== NOT_KNOWN) return known;
    const some = this.someDefsMemo;
    if (some.get(loc, row) !== NOT_KNOWN) return SOME_DEFS;
    const n = this.searchDefs(loc, row, SOME_DEFS_FOUND);
    if (n === BUDGET_SPENT) return NO_DEFS;
    if (n === SOME_DEFS) {
      some.set(loc, row, this.defsFound, SOME_DEFS_FOUND);
      return SOME_DEFS;
    }
    this.defsMemo.set(loc, row, this.defsFound, n);
    return n;
  }

  /**
   * The definitions of `loc` reaching `row`: their number, with the rows in `defsFound`; NO_DEFS when
   * some path has none, BUDGET_SPENT when a budget ran out.
   */
  private searchDefs(loc: number, row: number, most: number): number {
    // the definitions found, in order (copied out at the end: most searches find one or two)
    let defs = this.defsFound;
    let nd = 0;
    // depth-first over predecessors, rows marked seen when popped (the order decides which budget runs out first)
    const n0 = this.preds(row);
    if (n0 === 0) return this.deadEnd(row) ? 0 : NO_DEFS;
    const stamp = ++this.searches;
    let work = this.work;
    let top = 0;
    if (n0 > work.length) work = this.growWork(n0);
    const list0 = this.predList;
    const at0 = this.predAt;
    for (let k = 0; k < n0; k++) work[k] = list0[at0 + k];
    top = n0;
    let budget = this.budget(row);
    // what "row r writes loc" reads (as writesAt answers it): a register's bit; a memory cell whose
    // address registers are all below 32: any of their bits or an unplaced store; a frame slot: its base
    // register's bit or an unplaced frame store, when the row stores nothing narrower or elsewhere
    let mode = ASK_ANY;
    let cellMask = 0;
    const slotReg = loc >= SLOT_BASE && loc < CELL_BASE ? slotBase(loc) : -1;
    if (loc >= 0 && loc < 32) mode = ASK_REG;
    else if (loc >= CELL_BASE && loc < NARROW_BASE) {
      const cr = this.cellRegs[loc - CELL_BASE];
      mode = ASK_CELL;
      for (let x = 0; x < cr.length; x++) if (cr[x] < 32) cellMask |= 1 << cr[x]; else mode = ASK_ANY;
    } else if (slotReg >= 0 && slotReg < 32) mode = ASK_SLOT;
    // the lists of the rows of the start's family's first range (nearly every row visited) are read
    // straight from its arrays; preds() answers for any other row
    const cfg = this.famCfg[this.family(row)]!;
    const lo = cfg.lo;
    const span = cfg.hi - lo;
    const own = cfg.own;
    const rec = cfg.rec;
    const gen = cfg.gen;
    // rows seen: by place in that range (an array used again by every search), others by row
    if (span > this.seenNear.length) this.seenNear = new Int32Array(doubledUntil(this.seenNear.length, span));
    const near = this.seenNear;
    const seen = this.seenStamp;
    // the jump's visits left, kept here and given back on every way out
    let visits = this.visits;
    while (top > 0) {
      let r = work[--top];
      // a row with one predecessor goes on to it directly: pushing it and popping it next is the same order
      for (;;) {
        const x = r - lo;
        const inFirst = x >= 0 && x < span;
        if (inFirst) {
          if (near[x] === stamp) break;
          near[x] = stamp;
          // the row's record, from another family or build: nothing known yet
          if (rec[4 * x] !== gen) { rec[4 * x] = gen; rec[4 * x + 2] = -1; rec[4 * x + 3] = 0; }
        } else {
          if (seen[r] === stamp) break;
          seen[r] = stamp;
        }
        if (--budget < 0 || --visits < 0) { this.visits = visits; return BUDGET_SPENT; }
        // registers (most questions) straight from the row's write mask
        let defines: boolean;
        if (mode === ASK_ANY) defines = this.writesAt(r, loc);
        else {
          let si: number;
          if (inFirst) {
            si = rec[4 * x + 3] - 1;
            if (si < 0) { si = this.semAt(r); rec[4 * x + 3] = si + 1; }
          } else si = this.semAt(r);
          const regs = this.semRegs[si];
          const flags = this.semFlags[si];
          if (mode === ASK_REG) defines = ((regs >>> loc) & 1) !== 0 && !this.keptByCallee(r, loc);
          else if (mode === ASK_CELL) defines = (flags & WRITES_MEM_ANY) !== 0 || (regs & cellMask) !== 0;
          else if ((flags & WRITES_OTHER) === 0) defines = ((regs >>> slotReg) & 1) !== 0 || (flags & WRITES_FRAME_ANY) !== 0;
          else defines = this.writesLoc(this.semList[si], loc, r);
        }
        if (defines) {
          if (nd === defs.length) defs = this.defsFound = grown(defs, 2 * nd);
          defs[nd++] = r;
          if (nd >= most) { this.visits = visits; return SOME_DEFS; }
          break;
        }
        let n: number;
        let list: Int32Array;
        let at: number;
        if (inFirst && own[x] !== 0) {
          if (rec[4 * x] !== gen || rec[4 * x + 2] < 0) this.listPreds(cfg, x);
          at = rec[4 * x + 1];
          n = rec[4 * x + 2];
          list = cfg.lists;
        } else {
          n = this.preds(r);
          list = this.predList;
          at = this.predAt;
        }
        if (n === 1) { r = list[at]; continue; }
        if (n === 0) { if (this.deadEnd(r)) break; this.visits = visits; return NO_DEFS; }
        // rows already seen are skipped when popped: they need no place on the stack
        if (top + n > work.length) work = this.growWork(top + n);
        for (let k = 0; k < n; k++) {
          const q = list[at + k];
          const y = q - lo;
          if ((y >= 0 && y < span ? near[y] : seen[q]) !== stamp) work[top++] = q;
        }
        break;
      }
    }
    this.visits = visits;
    return nd;
  }

  private growEdges(need: number): void {
    const len = doubledUntil(this.edgeTo.length, need);
    this.edgeTo = grown(this.edgeTo, len);
    this.edgeFrom = grown(this.edgeFrom, len);
    this.edgeFromLocal = grown(this.edgeFromLocal, len);
  }

  private growWork(need: number): Int32Array {
    this.work = grown(this.work, doubledUntil(this.work.length, need));
    return this.work;
  }

  /** writesLoc for a row, answered from the row's write mask when the location is a register, cell or plain slot. */
  private writesAt(row: number, loc: number): boolean {
    const at = this.semAt(row);
    const s = this.semList[at];
    const flags = this.semFlags[at];
    const regs = this.semRegs[at];
    if (loc >= 0 && loc < 32) return ((regs >>> loc) & 1) !== 0 && !this.keptByCallee(row, loc);
    if (loc >= CELL_BASE) {
      if (flags & WRITES_MEM_ANY) return true;
      const cr = this.cellRegs[loc - CELL_BASE];
      for (let x = 0; x < cr.length; x++) {
        const r = cr[x];
        if (r < 32 ? (regs >>> r) & 1 : s.writes.includes(r)) return true;
      }
      return false;
    }
    if (loc >= SLOT_BASE && !(flags & WRITES_OTHER)) {
      // no slot chunk or narrow store among the writes: only the base register or an unplaced frame store
      const b = slotBase(loc);
      return (b < 32 ? ((regs >>> b) & 1) !== 0 : s.writes.includes(b)) || (flags & WRITES_FRAME_ANY) !== 0;
    }
    return this.writesLoc(s, loc, row);
  }

  private writesLoc(s: InsnSem, loc: number, row = -1): boolean {
    if (s.writes.includes(loc)) return row < 0 || !this.keptByCallee(row, loc);
    if (loc >= CELL_BASE) {
      if (s.writes.includes(MEM_ANY)) return true;
      const cr = this.cellRegs[loc - CELL_BASE];
      for (let x = 0; x < cr.length; x++) if (s.writes.includes(cr[x])) return true;
      return false;
    }
    const b = slotBase(loc);
    if (b < 0) return false;
    if (s.writes.includes(b) || s.writes.includes(FRAME_ANY)) return true;
    // a store at another offset of the same base that may overlap the slot's 8 bytes
    const ws = s.writes;
    for (let x = 0; x < ws.length; x++) {
      const w = ws[x];
      let size = SLOT_CHUNK;
      let at = w;
      if (w >= NARROW_BASE) {
        size = (w - NARROW_BASE) % SLOT_CHUNK;
        at = SLOT_BASE + (w - NARROW_BASE - size) / SLOT_CHUNK;
      }
      if (at < SLOT_BASE || at >= CELL_BASE || slotBase(at) !== b) continue;
      const d = at - loc;
      if (d > -size && d < SLOT_CHUNK) return true;
    }
    return false;
  }

  // -------------------------------------------------------------- bound proof

  /**
   * The largest value the index (low `bits` of `loc` just before `row`) can have on any path, from an
   * unsigned compare-and-branch guarding it (or an `and` mask), following copies; undefined when some
   * path has no guard.
   */
  private proveBound(loc: number, row: number, bits: number): number | undefined {
    // work items (row, its successor on the path, state) as parallel stacks, kept between proofs (a
    // proof never starts another)
    let workRow = this.proofWorkRow;
    let workSucc = this.proofWorkSucc;
    const workState = this.proofWorkState;
    workState.length = 0;
    let top = 0;
    const start = proofState([loc], bits, null, 0, 0, -1);
    const n0 = this.preds(row);
    if (n0 === 0) return undefined;
    if (n0 > workRow.length) [workRow, workSucc] = this.growProofWork(n0);
    for (let k = 0; k < n0; k++) { workRow[top] = this.predList[this.predAt + k]; workSucc[top] = row; workState[top++] = start; }
    // a step is done once per edge and state value: states are numbered by value (each state object
    // is numbered once, as one is pushed for every predecessor), and the (successor, state) pairs done
    // at a row kept as a list through `pairs`, whose head is kept by the row's place in the first range
    // of the row's family (stamped with this proof's number), or for another row in `otherHead`
    const states = this.proofStates;
    states.length = 0;
    const stamp = ++this.boundProofs;
    // states by hash: chains through `stateNext` from the bucket heads (stamped with this proof's number)
    let bucketStamp = this.stateBucketStamp;
    let bucketHead = this.stateBucketHead;
    let stateNext = this.stateNext;
    let stateHash_ = this.stateHashes;
    let bucketMask = bucketStamp.length - 1;
    const cfg = this.famCfg[this.family(row)]!;
    const lo = cfg.lo;
    const hi = cfg.hi;
    if (hi - lo > this.proofRowStamp.length) {
      const len = doubledUntil(this.proofRowStamp.length, hi - lo);
      this.proofRowStamp = grown(this.proofRowStamp, len);
      this.proofRowHead = grown(this.proofRowHead, len);
    }
    const doneStamp = this.proofRowStamp;
    const doneHead = this.proofRowHead;
    let otherHead: Map<number, number> | null = null;
    let pairs = this.proofPairs;
    let npairs = 0;
    // the largest bound a compare gives on some path, and one a mask alone gives on another
    let best = -1;
    let bestGuard = -1;
    let budget = 4 * this.budget(row);
    while (top > 0) {
      const r = workRow[--top];
      const succ = workSucc[top];
      const st = workState[top];
      let id = st.id;
      if (id < 0) {
        const h = stateHash(st);
        const b = h & bucketMask;
        let x = bucketStamp[b] === stamp ? bucketHead[b] : -1;
        for (; x >= 0; x = stateNext[x]) if (stateHash_[x] === h && sameState(states[x], st)) { id = x; break; }
        if (id < 0) {
          id = states.length;
          states.push(st);
          if (id === stateNext.length) {
            [stateNext, stateHash_] = this.growStateIds(id + 1);
            // a fuller table: the states so far hashed again into twice the buckets
            if (id > 2 * bucketStamp.length) {
              [bucketStamp, bucketHead] = this.growStateBuckets(id, stamp);
              bucketMask = bucketStamp.length - 1;
            }
          }
          const hb = h & bucketMask;
          stateNext[id] = bucketStamp[hb] === stamp ? bucketHead[hb] : -1;
          stateHash_[id] = h;
          bucketStamp[hb] = stamp;
          bucketHead[hb] = id;
        }
        st.id = id;
      }
      // (successor, state) pairs done at row r
      const inRange = r >= lo && r < hi;
      let head = -1;
      if (inRange) {
        if (doneStamp[r - lo] === stamp) head = doneHead[r - lo];
      } else if (otherHead !== null) head = otherHead.get(r) ?? -1;
      let again = false;
      for (let x = head; x >= 0; x = pairs[x + 2]) if (pairs[x] === succ && pairs[x + 1] === id) { again = true; break; }
      if (again) continue;
      if (npairs + 3 > pairs.length) pairs = this.proofPairs = grown(pairs, doubledUntil(pairs.length, npairs + 3));
      pairs[npairs] = succ;
      pairs[npairs + 1] = id;
      pairs[npairs + 2] = head;
      if (inRange) { doneStamp[r - lo] = stamp; doneHead[r - lo] = npairs; } else (otherHead ??= new Map()).set(r, npairs);
      npairs += 3;
      if (--budget < 0) return undefined;
      this.boundByMask = false;
      const out = this.proofStep(r, succ, st);
      if (out === IMPOSSIBLE) continue;
      // a path without a tighter guard keeps the bound of a mask it crossed
      if (out === undefined) { if (st.cap < 0) return undefined; if (st.cap > best) best = st.cap; continue; }
      if (typeof out === 'number') {
        const byMask = this.boundByMask || (st.cap >= 0 && st.cap < out);
        const b = st.cap >= 0 ? Math.min(out, st.cap) : out;
        if (b > best) best = b;
        if (!byMask && b > bestGuard) bestGuard = b;
        continue;
      }
      const from = this.stepFrom;
      const next = out;
      const n = this.preds(from);
      if (n === 0) {
        if (this.deadEnd(from)) continue;
        if (next.cap < 0) return undefined;
        if (next.cap > best) best = next.cap;
        continue;
      }
      const list = this.predList;
      const at = this.predAt;
      if (top + n > workRow.length) [workRow, workSucc] = this.growProofWork(top + n);
      for (let k = 0; k < n; k++) { workRow[top] = list[at + k]; workSucc[top] = from; workState[top++] = next; }
    }
    this.maskOnly = best > bestGuard;
    this.guardFloor = bestGuard;
    return best >= 0 ? best : undefined;
  }

  private growProofWork(need: number): [Int32Array, Int32Array] {
    const len = doubledUntil(this.proofWorkRow.length, need);
    this.proofWorkRow = grown(this.proofWorkRow, len);
    this.proofWorkSucc = grown(this.proofWorkSucc, len);
    return [this.proofWorkRow, this.proofWorkSucc];
  }

  private growStateIds(need: number): [Int32Array, Int32Array] {
    const len = doubledUntil(this.stateNext.length, need);
    this.stateNext = grown(this.stateNext, len);
    this.stateHashes = grown(this.stateHashes, len);
    return [this.stateNext, this.stateHashes];
  }

  /** Twice the buckets, with states 0 .. n - 1 of proof `stamp` chained again (each chain keeps id order). */
  private growStateBuckets(n: number, stamp: number): [Int32Array, Int32Array] {
    const len = 2 * this.stateBucketStamp.length;
    const bs = new Int32Array(len);
    const bh = new Int32Array(len);
    const mask = len - 1;
    for (let id = 0; id < n; id++) {
      const b = this.stateHashes[id] & mask;
      this.stateNext[id] = bs[b] === stamp ? bh[b] : -1;
      bs[b] = stamp;
      bh[b] = id;
    }
    this.stateBucketStamp = bs;
    this.stateBucketHead = bh;
    return [bs, bh];
  }

  /**
   * Backward step over row `r` (reached from `succ`): a bound (path proven), undefined (path fails), or the
   * new state, with the row to continue from in `stepFrom`.
   */
  private proofStep(r: number, succ: number, st: ProofState): number | ProofState | undefined {
    const s = this.sem(r);
    const p = this.p;
    if (s.cond) {
      const taken = this.destOf(r);
      const fallsHere = p.next(r) === succ;
      const takenHere = taken === succ;
      const adj = takenHere && !fallsHere ? s.cond.taken : fallsHere && !takenHere ? s.cond.fall : null;
      if (adj !== null) {
        const g = this.guardAt(r, st, adj);
        if (g !== undefined) return g;
      }
    }
    return this.transfer(r, s, st);
  }

  /** The flags setter feeding the conditional jump `j` (same block, nothing in between writes flags). */
  private guardAt(j: number, st: ProofState, adj: number): number | ProofState | undefined {
    let cur = st;
    let r = j;
    for (let steps = 0; steps < 24; steps++) {
      if (this.preds(r) !== 1) return undefined;
      const q = this.predList[this.predAt];
      if (q !== this.p.prev(r)) return undefined;
      r = q;
      const s = this.sem(r);
      if (s.cmp) {
        const N = s.cmp.imm + adj;
        if (N < 0 || s.cmp.imm < 0) return undefined;
        const next = this.transfer(r, s, cur);
        if (typeof next !== 'object') return undefined;
        const from = this.stepFrom;
        if (next.I.includes(s.cmp.loc) && this.widthOk(s.cmp.width, next.w, s.cmp.loc, r, N)) return this.withNarrow(next, N);
        this.stepFrom = from;
        if (next.G !== null) return next;
        return proofState(next.I, next.w, [s.cmp.loc], N, s.cmp.width, next.cap);
      }
      if (s.writesFlags) return undefined;
      const t = this.transfer(r, s, cur);
      if (typeof t !== 'object') return t;
      cur = t;
    }
    return undefined;
  }

  /** A full bound `n`, tightened by a pending narrow guard on the same value when `n` fits its width. */
  private withNarrow(st: ProofState, n: number): number {
    if (st.G && st.gw < 53 && n < 2 ** st.gw && st.I.some((l) => st.G!.includes(l))) return Math.min(n, st.gN);
    return n;
  }

  /**
   * A guard on `gw` bits bounds an index of `w` bits (the value of `loc` just before `row`) when it covers
   * them, or when it covers 32 and every definition of `loc` reaching `row` zeroes bits 32-63 (or, when the
   * guard's bound `n` is below 2^31, sign-extends 32 bits or fewer).
   */
  private widthOk(gw: number, w: number, loc: number, row: number, n: number): boolean {
    if (gw >= w) return true;
    if (gw < 32) return false;
    // a guard `low 32 bits <= n` with n below 2^31 also says that bit 31 is clear
    return this.upperZero(loc, row, 0, new Set(), gw === 32 && n < 2 ** 31);
  }

  /**
   * Bits 32-63 of `loc` just before `row` are zero on every path: each reaching definition writes a
   * 32-bit register, zero-extends something narrower, masks, or copies 64 bits of a value with that
   * property (a definition met again on the way is assumed to have it, proven by the others); with
   * `bit31Clear` (the value's bit 31 is known to be 0), also sign-extends 32 bits or fewer (`movslq`
   * of an `int` index bounded by a 32-bit compare: every bit from 31 up copies that 0).
   */
  private upperZero(loc: number, row: number, depth: number, seen: Set<string>, bit31Clear: boolean): boolean {
    const nd = this.reachingDefs(loc, row);
    if (nd <= 0 || depth > 8) return false;
    const at = this.defsMemo.at;
    for (let x = 0; x < nd; x++) {
      const d = this.defsMemo.arena[at + x];
      const s = this.sem(d);
      if (s.zx32?.includes(loc)) continue;
      const rhs = rhsAt(s, loc);
      if (!rhs) return false;
      if (rhs.op === 'and' && rhs.mask < 2 ** 32) continue;
      const reg = loc < 64;
      // 32 bits or fewer, extended: with zeros, or with a copy of bit 31 when that is clear
      if (reg && ((rhs.op === 'copy' && rhs.bits <= 32) || (rhs.op === 'load' && rhs.size <= 4)) && (!rhs.signed || bit31Clear)) continue;
      if (rhs.op !== 'copy' || rhs.bits < 64) return false;
      const key = `${d}/${loc}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!this.upperZero(rhs.src, d, depth + 1, seen, bit31Clear)) return false;
    }
    return true;
  }

  private transfer(r: number, s: InsnSem, st: ProofState): number | ProofState | undefined {
    let { I, w, G, gw, cap } = st;
    if (this.writesAny(r, I)) {
      // a pending narrow guard on this value holds for all of it when the definition fits its width
      if (G && I.includes(s.dst) && G.includes(s.dst) && st.gw < 64) {
        const fits = s.rhs?.op === 'copy' ? !s.rhs.signed && s.rhs.bits <= st.gw
          : s.rhs?.op === 'load' ? !s.rhs.signed && s.rhs.size * 8 <= st.gw : false;
        if (fits) return st.gN;
      }
      // second try: an unsigned byte or halfword (ldrb, ldrh, uxtb, uxth) no narrower extension crossed
      // since bounds the index by its type; the caller checks the table's extent agrees
      if (this.typeBounds && s.rhs && I.includes(s.dst)) {
        const k = s.rhs.op === 'load' && !s.rhs.signed && s.rhs.size <= 2 ? s.rhs.size * 8
          : s.rhs.op === 'copy' && !s.rhs.signed && s.rhs.bits <= 16 ? s.rhs.bits : 0;
        if (k > 0 && w > k) { this.boundByMask = cap >= 0 && cap < 2 ** k - 1; return cap >= 0 ? Math.min(2 ** k - 1, cap) : 2 ** k - 1; }
      }
      if (s.rhs && I.includes(s.dst)) {
        const low = s.rhs.op === 'and' ? lowMaskBits(s.rhs.mask) : 0;
        if (s.rhs.op === 'and' && s.rhs.mask >= 0 && (low === 0 || (G && G.includes(s.dst)))) {
          const m = s.rhs.mask;
          const guarded = G !== null && G.includes(s.dst) && (st.gw >= 53 || m < 2 ** st.gw);
          const n = guarded ? Math.min(m, st.gN) : m;
          const v = cap >= 0 ? Math.min(n, cap) : n;
          this.boundByMask = !(guarded && v === st.gN);
          return v;
        }
        if (s.rhs.op === 'and') {
          // the low `low` bits of the source: bounded by the mask, or tighter by a guard on the same bits
          // further up (Clang AArch64 masks a 16-bit index twice: once for the compare, once for the load)
          const m = s.rhs.mask;
          I = this.notWrittenAnd(r, I, s.rhs.src);
          w = Math.min(w, low);
          cap = cap >= 0 ? Math.min(cap, m) : m;
        } else if (s.rhs.op === 'copy') {
          I = this.notWrittenAnd(r, I, s.rhs.src);
          w = Math.min(w, s.rhs.bits);
        } else if (s.alias !== undefined && s.alias >= 0 && s.rhs.op === 'load') {
          I = this.notWrittenAnd(r, I, s.alias);
          w = Math.min(w, s.rhs.size * 8);
        } else {
          I = this.notWritten(r, I);
        }
      } else {
        I = this.notWritten(r, I);
      }
    }
    if (G && this.writesAny(r, G)) {
      const low = s.rhs && s.rhs.op === 'and' ? lowMaskBits(s.rhs.mask) : 0;
      if (s.rhs && s.rhs.op === 'copy' && G.includes(s.dst) && (s.rhs.bits >= gw || !s.rhs.signed)) {
        // the guard bounded the low `bits` of the source (zero-extended): a narrower compare from here
        G = this.notWrittenAnd(r, G, s.rhs.src);
        gw = Math.min(gw, s.rhs.bits);
      } else if (s.rhs && s.rhs.op === 'and' && low > 0 && G.includes(s.dst)) {
        G = this.notWrittenAnd(r, G, s.rhs.src);
        gw = Math.min(gw, low);
      } else if (s.rhs && s.rhs.op === 'load' && s.alias !== undefined && s.alias >= 0 && G.includes(s.dst)) G = this.notWrittenAnd(r, G, s.alias);
      else G = this.notWritten(r, G);
    }
    // the index is whatever a callee the compiler could not see left in a call-clobbered register: no
    // compiled code indexes a table with that, so the callee does not return and the path is not taken
    if (I.length === 0) return this.opaqueCall(r) && st.I.every((l) => l < 64 && this.arch.callClobbers?.includes(l)) ? IMPOSSIBLE : undefined;
    if (G && G.length === 0) G = null;
    const met = G ? I.find((l) => G!.includes(l)) : undefined;
    if (met !== undefined && this.widthOk(gw, w, met, r, st.gN)) { this.boundByMask = cap >= 0 && cap < st.gN; return cap >= 0 ? Math.min(st.gN, cap) : st.gN; }
    this.stepFrom = r;
    const gN = G ? st.gN : 0;
    if (!G) gw = 0;
    // most rows leave the state as it was: the same object goes on (its number stands for its value)
    if (I === st.I && G === st.G && w === st.w && gN === st.gN && gw === st.gw && cap === st.cap) return st;
    return proofState(I, w, G, gN, gw, cap);
  }

  /** Row `r` writes one of the locations (asked in order, up to the first written). */
  private writesAny(r: number, locs: readonly number[]): boolean {
    for (let x = 0; x < locs.length; x++) if (this.writesAt(r, locs[x])) return true;
    return false;
  }

  /** notWritten(r, locs) with `extra` after them (one array: every step that moves the index makes one). */
  private notWrittenAnd(r: number, locs: readonly number[], extra: number): number[] {
    const out: number[] = [];
    for (let x = 0; x < locs.length; x++) if (!this.writesAt(r, locs[x])) out.push(locs[x]);
    out.push(extra);
    return out;
  }

  /** The locations row `r` leaves as they were, in order (each asked once, in order). */
  private notWritten(r: number, locs: readonly number[]): number[] {
    const out: number[] = [];
    for (let x = 0; x < locs.length; x++) if (!this.writesAt(r, locs[x])) out.push(locs[x]);
    return out;
  }

  // -------------------------------------------------------------- control flow of one function family

  /** Parent function symbol of the row's function ('.cold' parts belong to their parent), or -1. */
  private family(row: number): number {
    const p = this.p;
    const sec = p.sec[row];
    const off = p.off[row];
    if (off >= this.famLo && off < this.famHi && sec === this.famSec) return this.famLast;
    const syms = p.syms;
    const f = syms.funcContaining(sec, off);
    const fam = familyOfSymbol(syms, f);
    if (f < 0) return fam;
    // funcContaining answers f from `off` to f's end: a function before f (by start) containing a
    // later offset of f starts at or before f, so it contains `off` too and would have been answered.
    // Answered at two offsets, it is answered between them.
    if (f === this.famSym && sec === this.famSec) {
      this.famLo = Math.min(this.famLo, off);
    } else {
      this.famSym = f;
      this.famSec = sec;
      this.famLo = off;
      this.famHi = syms.offset[f] + syms.len[f];
      this.famLast = fam;
    }
    return fam;
  }

  /**
   * A direct call at `row` leaves `loc`, a register the calling convention lets it change, as it was:
   * the callee's code is known (a local function, or any function of a linked file reached without a
   * stub) and neither it nor anything it calls writes `loc`.
   */
  private keptByCallee(row: number, loc: number): boolean {
    const cl = this.arch.callClobbers;
    if (!cl || this.p.kind[row] !== InsnKind.Call || !cl.includes(loc) || this.arch.callAlways?.includes(loc)) return false;
    // a call's answer is final once given (its callee's entry in `calleeMemo` never changes again)
    let w = this.calleeWritesAt.get(row);
    if (w === undefined) {
      w = this.calleeWrites(row, 0);
      this.calleeWritesAt.set(row, w);
    }
    return w !== null && !w.has(loc);
  }

  /** Registers the callee of the direct call at `row` may write (itself and its callees), or null when unknown. */
  private calleeWrites(row: number, depth: number): Set<number> | null {
    const p = this.p;
    const dest = this.destOnce(row);
    if (dest < 0 || depth > 3) return null;
    const f = p.syms.funcContaining(p.sec[dest], p.off[dest]);
    if (f < 0 || p.syms.offset[f] !== p.off[dest] || p.syms.sec[f] !== p.sec[dest]) return null;
    if (!this.linked && !this.callsLocal(row)) return null;
    const known = this.calleeMemo.get(f);
    if (known !== undefined) return known;
    this.calleeMemo.set(f, null); // recursion: unknown
    const rs = this.ranges(familyOfSymbol(p.syms, f));
    const inside = (r: number): boolean => rs.some(([a, b]) => r >= a && r < b);
    let n = 0;
    for (const [a, b] of rs) n += b - a;
    if (n > CALLEE_ROWS) return null;
    const out = new Set<number>();
    for (const [a, b] of rs) {
      for (let r = a; r < b; r++) {
        const k = p.kind[r];
        if (k === InsnKind.CallDynamic || k === InsnKind.JumpDynamic || k === InsnKind.JumpDynamicCond ||
          k === InsnKind.Syscall || k === InsnKind.ContextSwitch || k === InsnKind.Invalid) return null;
        if ((k === InsnKind.JumpCond || k === InsnKind.JumpUncond) && !inside(this.destOnce(r))) return null;
        if (k === InsnKind.Call) {
          const inner = this.calleeWrites(r, depth + 1);
          if (inner === null) return null;
          for (const x of inner) out.add(x);
          for (const x of this.arch.callAlways ?? []) out.add(x);
          continue;
        }
        for (const x of this.sem(r).writes) if (x < 64) out.add(x);
      }
    }
    this.calleeMemo.set(f, out);
    return out;
  }

  /**
   * The call at `row` (relocatable file) cannot be bound elsewhere at link time: the assembler resolved
   * it (no relocation), or its relocation names a local symbol or a section.
   */
  private callsLocal(row: number): boolean {
    if (this.p.insnReloc(row) < 0) return true;
    const sym = this.relocSymbol(row);
    if (sym < 0) return false;
    const info = this.p.elf.symtab!.info[sym];
    return info >> 4 === STB_LOCAL || (info & 15) === STT_SECTION;
  }

  /**
   * A row without predecessors that leads nowhere (instead of being an unknown way in): alignment
   * padding, i.e. nops falling through into a row that is a branch target; in a candidate search, any
   * such row but the function's entry.
   */
  private deadEnd(row: number): boolean {
    const p = this.p;
    const rs = this.ranges(this.family(row));
    if (rs.length === 0 || rs[0][0] === row) return false;
    if (this.lenient) return true;
    let q = row;
    for (let n = 0; n < 64 && q >= 0 && p.kind[q] === InsnKind.Nop; n++) q = p.next(q);
    if (q < 0 || q === row || p.kind[q] === InsnKind.Nop) return false;
    const n = this.preds(q);
    const list = this.predList;
    const at = this.predAt;
    for (let k = 0; k < n; k++) {
      const r = list[at + k];
      if (p.kind[r] !== InsnKind.Nop || this.preds(r) > 0) return true;
    }
    return false;
  }

  /**
   * The call at `row` does not come back: the pipeline marked it so (noreturn callee), or it calls a C
   * library function that never returns, named by its relocation's symbol (objects) or by the function
   * it reaches (linked files: the symbol, or the PLT stub `NAME@plt` of userspace programs).
   */
  private noReturn(row: number): boolean {
    const known = this.noReturnKnown[row];
    if (known !== 0) return known === NO_RETURN;
    const out = this.noReturnUncached(row);
    this.noReturnKnown[row] = out ? NO_RETURN : RETURNS;
    return out;
  }

  private noReturnUncached(row: number): boolean {
    const p = this.p;
    if (p.bits[row] & B.DeadEnd) return true;
    // linked files: the rest depends only on where the call goes (its section and target), and calls
    // repeat their callees
    const target = p.target[row];
    if (this.linked && (p.flags[row] & InsnFlag.HasTarget) && target >= 0 && target < 2 ** 36 && p.sec[row] < 65536) {
      // by section, then by target: a target alone is a small integer key, which a Map hashes fastest
      const sec = p.sec[row];
      let byTarget = this.noReturnByTarget.get(sec);
      if (byTarget === undefined) { byTarget = new Map(); this.noReturnByTarget.set(sec, byTarget); }
      let out = byTarget.get(target);
      if (out === undefined) {
        out = this.callNeverReturns(row);
        byTarget.set(target, out);
      }
      return out;
    }
    return this.callNeverReturns(row);
  }

  /** noReturnUncached past the row's own mark. */
  private callNeverReturns(row: number): boolean {
    const p = this.p;
    if (this.calleeNeverReturns(row)) return true;
    let name: string | undefined;
    if (!this.linked) {
      const sym = this.relocSymbol(row);
      const st = p.elf.symtab;
      if (sym < 0 || !st || (st.info[sym] >> 4) === STB_LOCAL) return false;
      name = st.name(sym);
    } else {
      // the callee may be in another section (.plt): by address, not through the branch's own section
      if (!(p.flags[row] & InsnFlag.HasTarget) || p.target[row] < 0) return false;
      const d = p.findAddr(p.target[row]);
      if (d < 0) return false;
      const f = p.syms.funcContaining(p.sec[d], p.off[d]);
      if (f < 0 || p.syms.offset[f] !== p.off[d] || p.syms.sec[f] !== p.sec[d]) return false;
      const known = this.noReturnByName[f];
      if (known !== 0) return known === NO_RETURN;
      name = p.syms.name(f);
      if (name.endsWith('@plt')) name = name.slice(0, -4);
      const out = USERSPACE_NORETURNS.has(stripVersion(name));
      this.noReturnByName[f] = out ? NO_RETURN : RETURNS;
      return out;
    }
    return USERSPACE_NORETURNS.has(stripVersion(name));
  }

  /**
   * The direct call at `row` reaches code that has no way back: the callee is known (local, or any
   * function of a linked file reached without a stub) and has no return, no dynamic jump and no branch
   * out of itself (flex's yy_fatal_error, dtc's util_usage: they end in exit()).
   */
  private calleeNeverReturns(row: number): boolean {
    const p = this.p;
    let out = false;
    const dest = this.destOnce(row);
    if (dest >= 0 && (this.linked || this.callsLocal(row))) {
      const f = p.syms.funcContaining(p.sec[dest], p.off[dest]);
      const atStart = f >= 0 && p.syms.offset[f] === p.off[dest] && p.syms.sec[f] === p.sec[dest];
      const byCallee = atStart ? this.calleeEndsMemo[f] : 0;
      if (byCallee !== 0) {
        out = byCallee === NO_RETURN;
      } else if (atStart) {
        const rs = this.ranges(familyOfSymbol(p.syms, f));
        const inside = (r: number): boolean => rs.some(([a, b]) => r >= a && r < b);
        out = rs.length > 0;
        // first the kinds alone (most callees return, most near their end: searched from there), then
        // where their branches go
        for (const [a, b] of rs) {
          for (let r = b - 1; r >= a && out; r--) {
            const k = p.kind[r];
            if (k === InsnKind.Return || k === InsnKind.JumpDynamic || k === InsnKind.JumpDynamicCond ||
              k === InsnKind.ContextSwitch || k === InsnKind.Invalid) out = false;
          }
        }
        // from the end too: a callee that leaves by a tail call mostly does so last
        for (const [a, b] of rs) {
          for (let r = b - 1; r >= a && out; r--) {
            const k = p.kind[r];
            if ((k === InsnKind.JumpCond || k === InsnKind.JumpUncond) && !inside(this.destOnce(r))) out = false;
          }
        }
        this.calleeEndsMemo[f] = out ? NO_RETURN : RETURNS;
      }
    }
    return out;
  }

  /** Symbol-table index of the relocation within the bytes of `row` (objects), or -1. */
  private relocSymbol(row: number): number {
    const p = this.p;
    const ri = p.insnReloc(row);
    const st = p.elf.symtab;
    if (ri < 0 || !st) return -1;
    const sym = p.relocs.of(p.sec[row])!.table.sym[ri];
    return sym < st.count ? sym : -1;
  }

  /**
   * The call at `row` goes to code its caller's compiler could not see (an undefined symbol of an
   * object, a PLT stub of a linked file): it knew nothing of what the callee returns.
   */
  private opaqueCall(row: number): boolean {
    const p = this.p;
    if (p.kind[row] !== InsnKind.Call) return false;
    if (!this.linked) {
      const sym = this.relocSymbol(row);
      const st = p.elf.symtab;
      return sym >= 0 && !!st && st.shndx[sym] === 0 && (st.info[sym] >> 4) !== STB_LOCAL;
    }
    if (!(p.flags[row] & InsnFlag.HasTarget) || p.target[row] < 0) return false;
    const d = p.findAddr(p.target[row]);
    if (d < 0) return false;
    const name = p.elf.sections[p.sec[d]].name;
    return name === '.plt' || name === '.plt.sec' || name === '.iplt';
  }

  /**
   * destOf for a row asked about once (a family's or callee's branches, whose answers are kept with
   * what is made of them): not kept in `destRow`, which would hold every branch of every family.
   */
  private destOnce(r: number): number {
    const d = this.describer.branchDest(r);
    return d >= 0 ? d : -1;
  }

  private destOf(r: number): number {
    const known = this.destRow.get(r);
    if (known !== undefined) return known;
    const d = this.describer.branchDest(r);
    // every negative answer means "none"
    const out = d >= 0 ? d : -1;
    this.destRow.set(r, out);
    return out;
  }

  /** Number of predecessors of `row`; they are `predList[predAt ..]` until the next call. */
  private preds(row: number): number {
    const fam = this.family(row);
    if (fam < 0) return 0;
    const c = this.famCfg[fam] ?? this.buildPreds(fam);
    const l = c.local(row);
    if (l < 0) return 0;
    const rec = c.rec;
    if (rec[4 * l] !== c.gen || rec[4 * l + 2] < 0) this.listPreds(c, l);
    this.predList = c.lists;
    this.predAt = rec[4 * l + 1];
    return rec[4 * l + 2];
  }

  /**
   * Makes the list of local row `l` of a family built lazily, as buildPreds' scan would have found
   * it: the rows it comes from in scan order (fall-through from the row before, direct branches, table
   * jumps), without repeats; a row nothing reaches but the entry may be reached by any unknown
   * dynamic jump.
   */
  private listPreds(c: FamilyCfg, l: number): void {
    const lazy = c.lazy!;
    const f = lazy.fixed;
    const rs = c.ranges;
    // the row before, when it falls through into this one (inside the same range)
    let ftRow = -1;
    if (l < f.rows) {
      let base = 0;
      for (let x = 0; x < rs.length; x++) {
        const len = rs[x][1] - rs[x][0];
        if (l < base + len) {
          if (l > base) {
            const i = rs[x][0] + l - base - 1;
            const k = this.p.kind[i];
            if (fallsThrough(k) && !(k === InsnKind.Call && this.noReturnUncached(i))) ftRow = i;
          }
          break;
        }
        base += len;
      }
    }
    const bTo = f.bTo;
    const tTo = lazy.tTo;
    let b = lowerBound(bTo, l);
    let t = lowerBound(tTo, l);
    const bEnd = lowerBound(bTo, l + 1);
    const tEnd = lowerBound(tTo, l + 1);
    const most = (ftRow >= 0 ? 1 : 0) + (bEnd - b) + (tEnd - t);
    let lists = c.lists;
    const start = c.top;
    if (start + most > lists.length) {
      lists = c.lists = f.lists = grown(lists, doubledUntil(lists.length, start + most));
    }
    let n = 0;
    // a merge by the local number of the row each edge comes from (the scan's order)
    let ftLocal = ftRow >= 0 ? l - 1 : -1;
    for (;;) {
      const bl = b < bEnd ? f.bFromLocal[b] : 0x7fffffff;
      const tl = t < tEnd ? lazy.tFromLocal[t] : 0x7fffffff;
      const fl = ftLocal >= 0 ? ftLocal : 0x7fffffff;
      let from: number;
      if (fl <= bl && fl <= tl) {
        if (fl === 0x7fffffff) break;
        from = ftRow;
        ftLocal = -1;
      } else if (bl <= tl) from = f.bFrom[b++];
      else from = lazy.tFrom[t++];
      if (n > 0 && lists[start + n - 1] === from) continue;
      lists[start + n++] = from;
    }
    const rec = c.rec;
    if (rec[4 * l] !== c.gen) { rec[4 * l] = c.gen; rec[4 * l + 3] = 0; }
    if (n === 0 && lazy.unknown > 0 && l >= 1 && l < f.rows) {
      rec[4 * l + 1] = 0;
      rec[4 * l + 2] = lazy.unknown;
      return;
    }
    rec[4 * l + 1] = start;
    rec[4 * l + 2] = n;
    c.top = start + n;
  }

  /** Rows a backward search from `row` may visit: the function's size, at least BUDGET. */
  private budget(row: number): number {
    const fam = this.family(row);
    if (fam >= 0 && this.famBudget[fam] > 0) return this.famBudget[fam];
    let n = 0;
    for (const [a, b] of this.ranges(fam)) n += b - a;
    const out = Math.max(BUDGET, n);
    if (fam >= 0) this.famBudget[fam] = out;
    return out;
  }

  private ranges(fam: number): [number, number][] {
    const bySym = fam >= 0 && fam < this.famRanges.length;
    let rs = bySym ? this.famRanges[fam] : this.otherRanges.get(fam);
    if (rs) return rs;
    const p = this.p;
    rs = [];
    const parts = [fam];
    const c = p.syms.cfunc[fam];
    if (c >= 0 && c !== fam) parts.push(c);
    for (const f of parts) {
      const first = p.find(p.syms.sec[f], p.syms.offset[f]);
      if (first < 0) continue;
      const end = p.syms.offset[f] + p.syms.len[f];
      // the section's rows are sorted by offset: the last one before `end` by bisection, then on row by
      // row past the section's decoded rows, as far as next() goes
      const sec = p.sec[first];
      const top = p.table.secFirst[sec] + p.table.secRows[sec] - 1;
      let lo = first;
      let hi = top;
      // galloping first (a function is short next to its section), then bisection in the window found
      for (let step = 1; lo < top; step *= 2) {
        const probe = Math.min(lo + step, top);
        if (p.off[probe] < end) lo = probe;
        else { hi = probe - 1; break; }
      }
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (p.off[mid] < end) lo = mid; else hi = mid - 1;
      }
      let last = lo;
      while (p.next(last) >= 0 && p.off[p.next(last)] < end) last = p.next(last);
      rs.push([first, last + 1]);
    }
    if (bySym) this.famRanges[fam] = rs; else this.otherRanges.set(fam, rs);
    return rs;
  }

  /**
   * Predecessor lists of the family's rows: the fall-through, direct branches inside the family and
   * the targets of tables recovered or assumed; a row nothing reaches (but the entry) may be reached
   * by any dynamic jump still unknown. Each list keeps the order edges are found in, without repeats.
   */
  private buildPreds(fam: number): FamilyCfg {
    const rs = this.ranges(fam);
    let overlap = false;
    for (let x = 0; x < rs.length; x++) {
      for (let y = x + 1; y < rs.length; y++) if (rs[x][0] < rs[y][1] && rs[y][0] < rs[x][1]) overlap = true;
    }
    if (overlap) return this.buildPredsOverlapping(fam, rs);
    let fixed = this.fixedEdges.get(fam);
    if (fixed === undefined) {
      fixed = this.fixedEdgesOf(fam, rs);
      this.fixedEdges.set(fam, fixed);
    }
    return this.assemblePreds(fam, rs, fixed);
  }

  /**
   * The edges of a family (ranges not overlapping) that no table changes and that a row's list cannot
   * make by itself: direct branches inside the family (sorted by the row they reach); and its dynamic
   * jumps.
   */
  private fixedEdgesOf(fam: number, rs: readonly (readonly [number, number])[]): FixedEdges {
    const kind = this.p.kind;
    let rows = 0;
    for (let x = 0; x < rs.length; x++) rows += rs[x][1] - rs[x][0];
    const own = this.ownRows(fam, rs.length > 0 ? rs[0][0] : 0, rs.length > 0 ? rs[0][1] : 0);
    let ne = 0;
    const dyn: number[] = [];
    let base = 0;
    for (let x = 0; x < rs.length; x++) {
      const a = rs[x][0];
      const b = rs[x][1];
      for (let i = a; i < b; i++) {
        const k = kind[i];
        if (k === InsnKind.JumpCond || k === InsnKind.JumpUncond) {
          const d = this.destOnce(i);
          if (d < 0) continue;
          // its place in the first range holding it, if one does
          let at = 0;
          for (let y = 0; y < rs.length; y++) {
            const c = rs[y][0];
            const e = rs[y][1];
            if (d >= c && d < e) {
              if (ne === this.edgeTo.length) this.growEdges(ne + 1);
              this.edgeTo[ne] = at + (d - c);
              this.edgeFrom[ne] = i;
              this.edgeFromLocal[ne++] = base + (i - a);
              break;
            }
            at += e - c;
          }
        } else if (k === InsnKind.JumpDynamic) {
          dyn.push(i);
        }
      }
      base += b - a;
    }
    const [bTo, bFrom, bFromLocal] = sortedEdges(this.edgeTo, this.edgeFrom, this.edgeFromLocal, ne, rows, this.countsFor(rows));
    return {
      rows, bTo, bFrom, bFromLocal, dyn: Int32Array.from(dyn), own,
      lists: new Int32Array(Math.max(16, dyn.length)),
    };
  }

  /** sortedEdges' counts for `locals` local rows. */
  private countsFor(locals: number): Int32Array {
    if (locals + 1 > this.edgeCounts.length) this.edgeCounts = new Int32Array(doubledUntil(this.edgeCounts.length, locals + 1));
    return this.edgeCounts;
  }

  /** buildPreds of a family whose ranges do not overlap: the tables known now, each row's list made when asked. */
  private assemblePreds(fam: number, rs: readonly (readonly [number, number])[], fixed: FixedEdges): FamilyCfg {
    const { rows, dyn, own } = fixed;
    if (this.extraLocal.size > 0) this.extraLocal = new Map();
    // the tables' edges, jump by jump in row order; the jumps without a table are the unknown ones
    let nt = 0;
    let unknown = 0;
    let lists = fixed.lists;
    for (let x = 0; x < dyn.length; x++) {
      const i = dyn[x];
      const ts = this.recovered.get(i) ?? this.assumed?.get(i);
      if (!ts) {
        if (unknown === lists.length) lists = fixed.lists = grown(lists, 2 * unknown);
        lists[unknown++] = i;
        continue;
      }
      if (nt + ts.length > this.edgeTo.length) this.growEdges(nt + ts.length);
      const iLocal = rangeLocal(i, rs);
      for (let y = 0; y < ts.length; y++) {
        this.edgeTo[nt] = this.localRow(ts[y], rs, rows);
        this.edgeFrom[nt] = i;
        this.edgeFromLocal[nt++] = iLocal;
      }
    }
    const locals = rows + this.extraLocal.size;
    const [tTo, tFrom, tFromLocal] = sortedEdges(this.edgeTo, this.edgeFrom, this.edgeFromLocal, nt, locals, this.countsFor(locals));
    // a longer array (zeros: no record) for the builds from here on; families built before keep theirs
    if (this.recArena.length < 4 * locals) this.recArena = new Int32Array(doubledUntil(this.recArena.length, 4 * locals));
    const gen = ++this.recGen;
    const lo = rs.length > 0 ? rs[0][0] : 0;
    const hi = rs.length > 0 ? rs[0][1] : 0;
    const cfg = new FamilyCfg(lo, hi, rs, this.extraLocal.size > 0 ? this.extraLocal : null, own,
      this.recArena, gen, lists, unknown, { fixed, tTo, tFrom, tFromLocal, unknown });
    this.famCfg[fam] = cfg;
    return cfg;
  }

  /**
   * Which rows [a, b) belong to family `fam`, as `family` answers (its memo holds over a function's
   * rows, so this looks a symbol up only where the rows leave one).
   */
  private ownRows(fam: number, a: number, b: number): Uint8Array {
    const out = new Uint8Array(b - a);
    for (let i = a; i < b; i++) if (this.family(i) === fam) out[i - a] = 1;
    return out;
  }

  /** buildPreds of a family whose ranges overlap (a row in two ranges takes its place in the first). */
  private buildPredsOverlapping(fam: number, rs: [number, number][]): FamilyCfg {
    const p = this.p;
    const overlap = true;
    const dynamic: number[] = [];
    // rows are numbered locally: the ranges' rows one after another, then any other row a table names
    let rows = 0;
    for (const [a, b] of rs) rows += b - a;
    if (this.extraLocal.size > 0) this.extraLocal = new Map();
    let ne = 0;
    let edgeTo = this.edgeTo;
    let edgeFrom = this.edgeFrom;
    const kind = p.kind;
    let base = 0;
    for (const [a, b] of rs) {
      // room for a fall-through and a branch edge per row (table edges make room for themselves)
      if (ne + 2 * (b - a) > edgeTo.length) { this.growEdges(ne + 2 * (b - a)); edgeTo = this.edgeTo; edgeFrom = this.edgeFrom; }
      for (let i = a; i < b; i++) {
        const k = kind[i];
        if (i + 1 < b && fallsThrough(k) && !(k === InsnKind.Call && this.noReturn(i))) {
          edgeTo[ne] = overlap ? this.localRow(i + 1, rs, rows) : base + (i + 1 - a);
          edgeFrom[ne++] = i;
        }
        if (k === InsnKind.JumpCond || k === InsnKind.JumpUncond) {
          const d = this.destOf(i);
          let inside = false;
          if (d >= 0) for (let x = 0; x < rs.length; x++) if (d >= rs[x][0] && d < rs[x][1]) { inside = true; break; }
          if (inside) { edgeTo[ne] = this.localRow(d, rs, rows); edgeFrom[ne++] = i; }
        } else if (k === InsnKind.JumpDynamic) {
          const ts = this.recovered.get(i) ?? this.assumed?.get(i);
          if (ts) {
            if (ne + ts.length + 2 * (b - i) > edgeTo.length) { this.growEdges(ne + ts.length + 2 * (b - i)); edgeTo = this.edgeTo; edgeFrom = this.edgeFrom; }
            for (let x = 0; x < ts.length; x++) { edgeTo[ne] = this.localRow(ts[x], rs, rows); edgeFrom[ne++] = i; }
          } else dynamic.push(i);
        }
      }
      base += b - a;
    }
    // the unknown dynamic jumps first (shared by every row they may reach), then one data per row reached
    const nd = dynamic.length;
    const locals = rows + this.extraLocal.size;
    // one array: the local rows' records (start, count), then the lists
    const data = new Int32Array(2 * locals + nd + ne);
    const dynAt = 2 * locals;
    for (let e = 0; e < ne; e++) data[2 * edgeTo[e] + 1]++;
    startLists(data, locals, dynamic, nd);
    for (let e = 0; e < ne; e++) {
      const to = 2 * edgeTo[e];
      const from = edgeFrom[e];
      const s0 = data[to];
      const c = data[to + 1];
      // edges from one row come together, so a repeat is the last one added (unless ranges overlap)
      if (c > 0 && (data[s0 + c - 1] === from || (overlap && data.subarray(s0, s0 + c).includes(from)))) continue;
      data[s0 + c] = from;
      data[to + 1] = c + 1;
    }
    if (nd > 0) {
      const entry = rs.length > 0 ? rs[0][0] : -1;
      base = 0;
      for (const [a, b] of rs) {
        for (let i = a; i < b; i++) {
          const l = overlap ? this.localRow(i, rs, rows) : base + (i - a);
          if (i === entry || data[2 * l + 1] > 0) continue;
          data[2 * l] = dynAt;
          data[2 * l + 1] = nd;
        }
        base += b - a;
      }
    }
    const lo = rs.length > 0 ? rs[0][0] : 0;
    const hi = rs.length > 0 ? rs[0][1] : 0;
    const own = this.ownRows(fam, lo, hi);
    // every list is made: records (generation 1, start, count, no description yet) over the lists in `data`
    const rec = new Int32Array(4 * locals);
    for (let l = 0; l < locals; l++) {
      rec[4 * l] = 1;
      rec[4 * l + 1] = data[2 * l];
      rec[4 * l + 2] = data[2 * l + 1];
    }
    const cfg = new FamilyCfg(lo, hi, rs, this.extraLocal.size > 0 ? this.extraLocal : null, own, rec, 1, data, data.length, null);
    this.famCfg[fam] = cfg;
    return cfg;
  }

  /**
   * buildPreds' local number of `row` in the family of ranges `rs` (`rows` rows in all): its place in
   * the first range holding it, else a number past them given on first sight (a table target outside).
   */
  private localRow(row: number, rs: readonly (readonly [number, number])[], rows: number): number {
    const inRanges = rangeLocal(row, rs);
    if (inRanges >= 0) return inRanges;
    let l = this.extraLocal.get(row);
    if (l === undefined) {
      l = rows + this.extraLocal.size;
      this.extraLocal.set(row, l);
    }
    return l;
  }


}

function hashLocs(h: number, locs: readonly number[]): number {
  for (const l of locs) h = Math.imul(h ^ (l | 0) ^ ((l / 0x100000000) | 0), 0x9e3779b1);
  return h;
}

/**
 * Predecessor lists in one array: `locals` records (start, count) holding each row's count, then the
 * list of the `nd` dynamic jumps, then the rows' lists. Turns the counts into starts (counts back to 0,
 * for the fill that follows) and copies the dynamic jumps' list in.
 */
function startLists(data: Int32Array, locals: number, dynamic: readonly number[], nd: number): void {
  const dynList = 2 * locals;
  let at = dynList + nd;
  for (let l = 0; l < locals; l++) {
    data[2 * l] = at;
    at += data[2 * l + 1];
    data[2 * l + 1] = 0;
  }
  for (let x = 0; x < nd; x++) data[dynList + x] = dynamic[x];
}

function stateHash(st: ProofState): number {
  let h = hashLocs(st.I.length, st.I);
  h = Math.imul(h ^ st.w, 0x85ebca6b);
  h = st.G ? hashLocs(h ^ (st.G.length + 1), st.G) : Math.imul(h ^ -1, 0x85ebca6b);
  h = Math.imul(h ^ (st.gN | 0), 0xc2b2ae35);
  h = Math.imul(h ^ st.gw, 0x85ebca6b);
  return Math.imul(h ^ st.cap, 0xc2b2ae35);
}

function sameLocs(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal proof states: the same locations in the same order and the same numbers. */
function sameState(a: ProofState, b: ProofState): boolean {
  return a.w === b.w && a.gN === b.gN && a.gw === b.gw && a.cap === b.cap && sameLocs(a.I, b.I) &&
    (a.G === null ? b.G === null : b.G !== null && sameLocs(a.G, b.G));
}

/** k when `mask` is 2^k - 1 (1 <= k < 53), else 0. */
function lowMaskBits(mask: number): number {
  for (let k = 1; k < 53; k++) if (mask === 2 ** k - 1) return k;
  return 0;
}

/**
 * The place of the first number above `v` in the ascending `list` (its length when none is). For the
 * plain arrays of table starts, which grow by insertion; typed-arrays.ts' lowerBound serves the typed
 * columns of the hot searches, whose keyed loads stay monomorphic that way.
 */
function firstAbove(list: readonly number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function sameTargets(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameTable(a: RecoveredTable, b: RecoveredTable): boolean {
  return a.tableSec === b.tableSec && a.tableOff === b.tableOff && a.entrySize === b.entrySize && sameTargets(a.targets, b.targets);
}

/** The value an instruction gives `loc`, when `loc` is one of its modelled destinations. */
function rhsAt(s: InsnSem, loc: number): Rhs | undefined {
  if (s.dst === loc) return s.rhs;
  const also = s.also;
  if (also) for (let x = 0; x < also.length; x++) if (also[x].dst === loc) return also[x].rhs;
  return undefined;
}

function readInt(dv: DataView, off: number, size: number, signed: boolean, le: boolean): number | undefined {
  switch (size) {
    case 1: return signed ? dv.getInt8(off) : dv.getUint8(off);
    case 2: return signed ? dv.getInt16(off, le) : dv.getUint16(off, le);
    case 4: return signed ? dv.getInt32(off, le) : dv.getUint32(off, le);
    case 8: {
      const lo = dv.getUint32(off + (le ? 0 : 4), le);
      const hi = le ? dv.getInt32(off + 4, le) : dv.getInt32(off, le);
      return hi * 0x100000000 + lo;
    }
    default: return undefined;
  }
}
