/**
 * The program: an ELF file decoded into the instruction table, with its symbols and the per-instruction
 * analysis arrays every later stage reads and writes (struct of arrays, indexed by row).
 *
 * Rows [0, count) are real instructions, section by section in section order. Rows from `count` on are
 * synthetic (the padding NOP an alternative shorter than its original gets), never found by offset.
 */
import type { Arch } from '../arch/arch.js';
import { InsnKind } from '../arch/arch.js';
import { SHF_EXECINSTR, STT_FUNC, STT_NOTYPE } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import type { Place } from '../report/diag.js';
import type { InsnTable, SecColumn, TargetColumn } from './insns.js';
import { InsnTableBuilder, OP_BLOCK_BITS, OP_FIELDS, OP_WORDS, findInsn, opBlocks, opStartOf, targetColumnFor } from './insns.js';
import { RelocIndex } from './relocs.js';
import { Symbols } from './symbols.js';
import { syntheticFunctions } from './synthetic-functions.js';
import { grown } from '../typed-arrays.js';
import { column, commitAhead, committingAhead } from './commit-ahead.js';

/** Bits of `Program.bits` (a 16-bit column: there is no room for more). */
export const B = {
  DeadEnd: 1 << 0,
  Ignore: 1 << 1,
  IgnoreAlts: 1 << 2,
  Hint: 1 << 3,
  Save: 1 << 4,
  Restore: 1 << 5,
  RetpolineSafe: 1 << 6,
  NoEndbr: 1 << 7,
  Unret: 1 << 8,
  NoReloc: 1 << 9,
  Visited: 1 << 10,
  VisitedUaccess: 1 << 11,
  VisitedUnret: 1 << 12,
  Synthetic: 1 << 13,
  /** a jump that leaves the program's known code (to .plt, to another object): a tail call */
  ExternalTail: 1 << 14,
  /** `alts` has an entry for this row */
  HasAlts: 1 << 15,
} as const;
export const VISITED_MASK = B.Visited | B.VisitedUaccess;

/** Section roles (objtool's sec->text/noinstr/init/rodata). */
export const SecRole = { Text: 1, Noinstr: 2, Init: 4, Rodata: 8 } as const;

export interface Alternative {
  /** first row of the alternative code path (-1: an empty replacement with no padding) */
  insn: number;
  skipOrig: boolean;
}

/** Where a dispatch's table is: its section and a position in it (kernel objects: the index of its first entry's relocation in that section's relocations; linked files: the table's offset). */
export interface JumpTableRef {
  sec: number;
  at: number;
}

export interface AltGroup {
  /** the original group this replacement belongs to, or -1 when this is the original */
  orig: number;
  first: number;
  last: number;
  /** synthetic padding NOP row, or -1 */
  nop: number;
  /** flattened states by byte offset within the group, shared by the original and its replacements */
  cfi: Int32Array;
}

export class Program {
  readonly count: number;
  readonly syms: Symbols;
  readonly relocs: RelocIndex;
  readonly secRole: Uint8Array;
  // instruction facts (the decoder's arrays; mutable where the analysis rewrites them)
  sec: SecColumn;
  off: Uint32Array;
  len: Uint8Array;
  kind: Uint8Array;
  opBase: Uint32Array;
  opPre: Uint8Array;
  opCount: Uint8Array;
  readonly flags: Uint16Array;
  /** 32-bit while every target fits (TargetColumn); rewritten through `setTarget` */
  target: TargetColumn;
  readonly ops: Int32Array;
  // analysis arrays
  sym: Int32Array;
  /**
   * The row's branch destination, one column for both kinds: a jump's destination row (>= 0,
   * `jumpDestOf`), or a call's (or sibling call's) destination symbol s as -2 - s (`callDestOf`); -1:
   * none. A row never has both (a jump to another function is a sibling call instead), so one column
   * serves, half the first-touched memory of two (~50 MB on a library of 12 M rows).
   */
  dest: Int32Array;
  /**
   * The rows that dispatch through a jump table (set with `setJumpTable`) and their tables: few rows
   * have one, so a map rather than columns (a column's pages would be touched at rows spread over the
   * whole program). The sparse columns (`instr`, `altTag`) are 0 where nothing is recorded: their
   * pages stay untouched.
   */
  readonly jumpTables = new Map<number, JumpTableRef>();
  bits: Uint16Array;
  instr: Int8Array;
  cfi: Int32Array;
  /** the row's alternative group (index in `altGroups`) + 1, 0 for rows in none; `altGroupOf` reads it */
  altTag: Int32Array;
  readonly altGroups: AltGroup[] = [];
  readonly alts = new Map<number, Alternative[]>();
  /** The alternatives a walk follows at row `i`: none when it has none or they are to be ignored. */
  followedAlts(i: number): Alternative[] | undefined {
    return (this.bits[i] & (B.IgnoreAlts | B.HasAlts)) === B.HasAlts ? this.alts.get(i) : undefined;
  }
  /**
   * Rows decoded as direct jumps or calls, ascending. Analysis only turns such rows into other
   * kinds (or a call into a jump), never others into them, so a pass over direct branches reads
   * these rows (checking each one's kind now) instead of every row.
   */
  readonly branchRows: Int32Array;
  /** rows total, synthetic included */
  rows: number;
  /** instructions decoded (0 when the file has no code) */
  readonly table: InsnTable;
  /** `.cold` parent links changed by analysis are written here (symbol arrays are shared) */
  private readonly secText: boolean[];
  /** executable sections (in section order), their addresses in the branch-target space and sizes */
  private readonly execSecs: Int32Array;
  private readonly execBase: Float64Array;
  private readonly execSize: Float64Array;
  /** sh_addr by section index */
  private readonly secAddr: Float64Array;

  /**
   * `userspace`: linked files also get functions for PLT stubs and FDE-covered code without symbols,
   * and use .dynsym when there is no .symtab (stripped binaries).
   */
  constructor(readonly elf: ElfFile, readonly arch: Arch, module = false, userspace = false) {
    const nsec = elf.sections.length;
    let codeBytes = 0;
    for (const s of elf.sections) {
      if (Number(s.flags) & SHF_EXECINSTR) codeBytes += s.size;
    }
    const capacity = Math.ceil(codeBytes / (arch.insnBytesHint ?? 4)) + 16;
    const committed = committingAhead();
    const b = new InsnTableBuilder(nsec, capacity, committed);
    // with a commit-ahead helper the analysis columns are allocated now too, and the helper touches
    // their pages while the symbols are read and the code decoded
    const analysis = committed ? analysisColumns(capacity + Math.max(SYNTHETIC_ROOM, capacity >> 5)) : undefined;
    if (analysis) commitColumns(b, analysis, codeBytes, arch, userspace);
    const fdeStarts = new Map<number, number[]>();
    this.syms = buildSymbols(elf, userspace, fdeStarts);
    this.relocs = new RelocIndex(elf);
    this.secRole = new Uint8Array(nsec);
    this.secText = [];
    if (codeBytes >= WARM_UP_CODE_BYTES) warmUpDecoder(elf, arch, codeBytes, userspace);
    for (const s of elf.sections) {
      if (!(Number(s.flags) & SHF_EXECINSTR) || s.index === 0) continue;
      const name = s.name;
      let role = 0;
      if (name !== '.altinstr_replacement' && name !== '.altinstr_aux' && !name.startsWith('.discard.')) role |= SecRole.Text;
      if (name === '.noinstr.text' || name === '.entry.text' || name === '.cpuidle.text' || name.startsWith('.text..__x86.')) role |= SecRole.Noinstr;
      if (name === '.init.text' && !module) role |= SecRole.Init;
      this.secRole[s.index] = role;
      const linked = elf.type !== 1;
      arch.decodeSection(elf.sectionData(s), s.index, linked ? s.addr : 0, b, linked ? functionStarts(this.syms, s.index, s.size, fdeStarts.get(s.index)) : undefined, userspace);
    }
    for (const s of elf.sections) {
      const n = s.name;
      if ((n.startsWith('.rodata') && !n.includes('.str1.')) || n.startsWith('.data.rel.ro')) this.secRole[s.index] |= SecRole.Rodata;
    }
    // the program works on the decoder's arrays themselves (no copy), with room for synthetic rows
    b.reserve(b.count + 1);
    const t = b.finish();
    const n = t.count;
    this.table = t;
    this.count = n;
    this.rows = n;
    this.sec = b.sec;
    this.off = b.off;
    this.len = b.len;
    this.kind = b.kind;
    this.opBase = b.opBase;
    this.opPre = b.opPre;
    this.opCount = b.opCount;
    this.flags = t.flags;
    this.target = t.target;
    this.ops = t.ops;
    // the analysis arrays hold the rows and a little room for synthetic ones (`grow` adds more):
    // the decoder's capacity is an estimate, and its unused tail is never touched, while these
    // are filled, so sizing them by it would commit memory no row uses
    const cap = n + Math.max(SYNTHETIC_ROOM, n >> 5);
    const a = analysis && analysis.sym.length >= cap ? analysis : analysisColumns(cap);
    this.sym = a.sym.subarray(0, cap).fill(-1);
    this.dest = a.dest.subarray(0, cap).fill(-1);
    this.bits = a.bits.subarray(0, cap);
    this.instr = a.instr.subarray(0, cap);
    this.cfi = a.cfi.subarray(0, cap).fill(-1);
    this.altTag = a.altTag.subarray(0, cap);
    // "ud2" ends a path unless annotated reachable; direct branches are listed for the passes
    // that look only at them
    // the rows go to a column as long as the table (only the part written is ever touched, so
    // the rest costs no memory), then the list is copied to its length
    const direct = new Int32Array(n);
    this.branchRows = direct.slice(0, markDeadEndsListBranches(this.kind, this.bits, n, direct));
    // executable sections in section order, for address lookups
    const exec: number[] = [];
    for (const s of elf.sections) if ((Number(s.flags) & SHF_EXECINSTR) && s.index !== 0) exec.push(s.index);
    this.execSecs = Int32Array.from(exec);
    this.execBase = Float64Array.from(exec, (k) => (elf.type === 1 ? 0 : elf.sections[k].addr));
    this.execSize = Float64Array.from(exec, (k) => elf.sections[k].size);
    this.secAddr = Float64Array.from(elf.sections, (s) => s.addr);
  }

  /** Row at (sec, off), or -1. */
  find(sec: number, off: number): number {
    return findInsn(this.table, sec, off);
  }

  /** Row of the instruction at address `addr` (linked files: any executable section), or -1. */
  findAddr(addr: number): number {
    const base = this.execBase;
    for (let k = 0; k < base.length; k++) {
      if (addr >= base[k] && addr < base[k] + this.execSize[k]) return this.find(this.execSecs[k], addr - base[k]);
    }
    return -1;
  }

  /** Address of row i in the branch-target space (section offset in .o files, virtual address otherwise). */
  addrOf(i: number): number {
    return this.elf.type === 1 ? this.off[i] : this.secAddr[this.sec[i]] + this.off[i];
  }

  /** Address of offset 0 of section `sec` (its sh_addr; 0 in relocatable objects' own sections too). */
  sectionAddr(sec: number): number {
    return this.secAddr[sec];
  }

  /** The function symbol starting at address `addr`, or -1. */
  funcAtAddr(addr: number): number {
    const i = this.findAddr(addr);
    if (i < 0) return -1;
    return this.syms.funcAt(this.sec[i], this.off[i]);
  }

  /** The PLT stub function at `addr` (userspace programs name them NAME@plt), or -1. */
  pltSymbol(addr: number): number {
    return this.funcAtAddr(addr);
  }

  /** Next row in the same section, or -1. Synthetic rows have no successor in their section. */
  next(i: number): number {
    if (i >= this.count) return -1;
    const j = i + 1;
    return j < this.count && this.sec[j] === this.sec[i] ? j : -1;
  }

  prev(i: number): number {
    if (i >= this.count || i === 0) return -1;
    const j = i - 1;
    return this.sec[j] === this.sec[i] ? j : -1;
  }

  /** First and one-past-last row of a section ([-1, -1] when not decoded). */
  secRange(sec: number): [number, number] {
    const f = this.table.secFirst[sec];
    if (f === undefined || f < 0) return [-1, -1];
    return [f, f + this.table.secRows[sec]];
  }

  /** The function (STT_FUNC) a row belongs to, or -1. */
  func(i: number): number {
    const s = this.sym[i];
    return s >= 0 && this.syms.type[s] === STT_FUNC ? s : -1;
  }

  /** Next row of the same function, moving into the `.cold` child at the end of the parent. */
  nextInFunc(i: number): number {
    const f = this.func(i);
    if (f < 0) return -1;
    const n = this.next(i);
    if (n >= 0 && this.func(n) === f) return n;
    const c = this.syms.cfunc[f];
    if (c === f || c < 0) return -1;
    return this.find(this.syms.sec[c], this.syms.offset[c]);
  }

  /** Previous row when it belongs to the same symbol (function or none). */
  prevSameSym(i: number): number {
    const p = this.prev(i);
    return p >= 0 && this.func(p) === this.func(i) ? p : -1;
  }

  /** The alternative group of row i (index in `altGroups`), -1 when it is in none. */
  altGroupOf(i: number): number {
    // without groups (most programs) the column is never written: reading it would fault its pages in
    return this.altGroups.length === 0 ? -1 : this.altTag[i] - 1;
  }

  /** The row a jump at row i goes to, or -1 (none, or not a jump with a known destination). */
  jumpDestOf(i: number): number {
    const d = this.dest[i];
    return d >= 0 ? d : -1;
  }

  /** The symbol a call (or sibling call) at row i goes to, or -1. */
  callDestOf(i: number): number {
    const d = this.dest[i];
    return d <= -2 ? -2 - d : -1;
  }

  /** Rewrites row i's immediate target, widening the column first when an Int32 cannot hold it. */
  setTarget(i: number, t: number): void {
    this.target = targetColumnFor(this.target, t);
    this.target[i] = t;
  }

  /** Index in `ops` (in ops) of row i's first op; any value for a row without ops. */
  opStartOf(i: number): number {
    return opStartOf(this, i);
  }

  /** Records that the jump at row i goes to row `to` (>= 0). */
  setJumpDest(i: number, to: number): void {
    if (this.dest[i] <= -2) throw new Error(`row ${i} has a call destination already`);
    this.dest[i] = to;
  }

  /** Records that the call at row i goes to symbol `sym` (-1: unknown, no destination). */
  setCallDest(i: number, sym: number): void {
    const d = this.dest[i];
    if (d >= 0) throw new Error(`row ${i} has a jump destination already`);
    this.dest[i] = sym >= 0 ? -2 - sym : -1;
  }

  /** Puts row i in alternative group `g`. */
  setAltGroup(i: number, g: number): void {
    this.altTag[i] = g + 1;
  }

  /** Records that row i dispatches through the table at `at` in section `sec`. */
  setJumpTable(i: number, sec: number, at: number): void {
    this.jumpTables.set(i, { sec, at });
  }

  /** Row i dispatches through a jump table. */
  hasJumpTable(i: number): boolean {
    return this.jumpTables.has(i);
  }

  /** Adds a synthetic row (alternative padding). */
  addSynthetic(sec: number, off: number, len: number, kind: number): number {
    const i = this.rows++;
    if (i >= this.sec.length || i >= this.sym.length) this.grow(Math.max(i + (i >> 3) + 16, this.sec.length, this.sym.length));
    this.sec[i] = sec; this.off[i] = off; this.len[i] = len; this.kind[i] = kind;
    this.opPre[i] = 0; this.opCount[i] = 0; this.bits[i] = B.Synthetic;
    this.sym[i] = -1; this.dest[i] = -1;
    this.cfi[i] = -1; this.altTag[i] = 0; this.instr[i] = 0;
    return i;
  }

  /** The relocation (index in the section's table) within the bytes of row i, or -1. */
  insnReloc(i: number): number {
    if (this.bits[i] & (B.NoReloc | B.Synthetic)) return -1;
    const r = this.relocs.of(this.sec[i]);
    const k = r ? r.inRange(this.off[i], this.len[i]) : -1;
    if (k < 0) this.bits[i] |= B.NoReloc;
    return k;
  }

  /** Place of (sec, off) for messages: containing function, else containing symbol, else the section. */
  place(sec: number, off: number): Place {
    const s = this.elf.sections[sec];
    let sym = -1;
    if (Number(s.flags) & SHF_EXECINSTR) sym = this.syms.funcContaining(sec, off);
    if (sym < 0) sym = this.syms.symbolContaining(sec, off);
    const addr = this.elf.type !== 1 ? s.addr + off : undefined;
    if (sym < 0) return { sec: s.name, off, sym: '', symOff: 0, addr };
    return { sec: s.name, off, sym: this.syms.name(sym), symOff: off - this.syms.offset[sym], addr };
  }

  placeOf(i: number): Place {
    return this.place(this.sec[i], this.off[i]);
  }

  isText(sec: number): boolean { return (this.secRole[sec] & SecRole.Text) !== 0; }

  private grow(cap: number): void {
    this.sec = grown(this.sec, cap);
    this.off = grown(this.off, cap);
    this.len = grown(this.len, cap);
    this.kind = grown(this.kind, cap);
    this.opBase = grown(this.opBase, opBlocks(cap));
    this.opPre = grown(this.opPre, cap);
    this.opCount = grown(this.opCount, cap);
    this.sym = grown(this.sym, cap, -1);
    this.dest = grown(this.dest, cap, -1);
    this.cfi = grown(this.cfi, cap, -1);
    this.altTag = grown(this.altTag, cap);
    this.bits = grown(this.bits, cap);
    this.instr = grown(this.instr, cap);
  }
}

/**
 * Code size from which the decoder is warmed up first. The decoder's functions are compiled by V8
 * with the types and branches seen so far; decoding a large file front to back, each instruction form
 * met for the first time late in the file throws the optimised code away (a deoptimisation) and the
 * decoder runs slowly until it is compiled again. Decoding short windows spread over the whole file
 * first shows it most forms early, so it is compiled once, for all of them (big.o: the decode takes
 * about 170 ms after a 50 ms warm-up instead of about 430 ms). Below this size the windows would be
 * a large part of the file and the warm-up would cost more than it saves.
 */
const WARM_UP_CODE_BYTES = 1 << 20;
const WARM_UP_WINDOWS = 1024;
const WARM_UP_WINDOW_BYTES = 64;

/** Decodes WARM_UP_WINDOWS short windows evenly spaced over the executable sections; the rows are thrown away. */
function warmUpDecoder(elf: ElfFile, arch: Arch, codeBytes: number, userspace: boolean): void {
  const step = Math.floor(codeBytes / WARM_UP_WINDOWS);
  const scratch = new InsnTableBuilder(elf.sections.length, WARM_UP_WINDOW_BYTES);
  let before = 0; // code bytes of the sections already passed
  let next = 0; // position of the next window in that running count
  for (const s of elf.sections) {
    if (!(Number(s.flags) & SHF_EXECINSTR) || s.index === 0 || s.size === 0) continue;
    const data = elf.sectionData(s);
    for (; next < before + s.size; next += step) {
      // 16-byte aligned: an instruction start on every architecture more often than not
      const at = (next - before) & ~15;
      scratch.clear();
      // the section's own address: in linked files a large number (not a small integer to V8), as in the real decode
      const addr = elf.type !== 1 ? s.addr : 0;
      arch.decodeSection(data.subarray(at, Math.min(s.size, at + WARM_UP_WINDOW_BYTES)), s.index, addr, scratch, undefined, userspace);
    }
    before += s.size;
  }
}

/**
 * Marks the `ud2` rows as dead ends and lists the rows decoded as direct branches in `direct`;
 * returns their number. Only the loop: V8 compiles the constructor while the loop runs, and would
 * throw that code away at the first statement after it that had not run yet.
 */
function markDeadEndsListBranches(kind: Uint8Array, bits: Uint16Array, n: number, direct: Int32Array): number {
  let branches = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === InsnKind.Bug) bits[i] |= B.DeadEnd;
    else if (k === InsnKind.JumpCond || k === InsnKind.JumpUncond || k === InsnKind.Call) direct[branches++] = i;
  }
  return branches;
}

interface AnalysisColumns {
  sym: Int32Array; dest: Int32Array;
  bits: Uint16Array; instr: Int8Array; cfi: Int32Array; altTag: Int32Array;
}

/** The analysis columns for `rows` rows (shared memory while the commit-ahead helper runs). */
function analysisColumns(rows: number): AnalysisColumns {
  return {
    sym: column(Int32Array, rows), dest: column(Int32Array, rows),
    bits: column(Uint16Array, rows), instr: column(Int8Array, rows),
    cfi: column(Int32Array, rows), altTag: column(Int32Array, rows),
  };
}

/**
 * Asks the commit-ahead helper for the pages the decoder will write (its row columns and ops, in row
 * order), then those the analysis columns' fill will write. Only as many rows as the code typically
 * holds: a page committed and never used would only add to the peak.
 */
function commitColumns(b: InsnTableBuilder, a: AnalysisColumns, codeBytes: number, arch: Arch, userspace: boolean): void {
  const t = arch.typicalRows ?? { bytesPerRow: 4, opWordsPerRow: 1 };
  const per = userspace ? t.userspace ?? t : t;
  const rows = Math.min(b.sec.length, codeBytes / per.bytesPerRow);
  commitAhead([
    {
      rows,
      columns: [
        { array: b.off }, { array: b.len }, { array: b.kind }, { array: b.flags }, { array: b.target },
        { array: b.opBase, perRow: 1 / (1 << OP_BLOCK_BITS) }, { array: b.opPre }, { array: b.opCount }, { array: b.ops, perRow: per.opWordsPerRow * OP_WORDS_COMMITTED * (OP_WORDS / OP_FIELDS) },
      ],
    },
    {
      rows,
      columns: [
        // not the sparse columns (instr, altTag): few of their rows are ever written
        { array: b.sec }, { array: a.sym }, { array: a.dest },
        { array: a.bits }, { array: a.cfi },
      ],
    },
  ]);
}

/** Op words are counted per row in `typicalRows`; this is the share of them committed ahead (averages vary). */
const OP_WORDS_COMMITTED = 0.9;

/** Analysis-array rows beyond the real ones (at least; 1/32 of the rows in large files), for synthetic rows before the arrays grow. */
const SYNTHETIC_ROOM = 1024;

/** `fdeStarts` (userspace linked files) receives the FDE starts per section, for the decoder's anchors. */
function buildSymbols(elf: ElfFile, userspace: boolean, fdeStarts: Map<number, number[]>): Symbols {
  const table = elf.symtab ?? (userspace ? elf.dynsym : undefined);
  const plain = new Symbols(elf, table, [], userspace);
  if (!userspace || elf.type === 1) return plain;
  const extra = syntheticFunctions(elf, (sec, off) => plain.funcAt(sec, off) >= 0, fdeStarts);
  return extra.length ? new Symbols(elf, table, extra, true) : plain;
}

/**
 * Sorted distinct offsets of the function symbols and the FDEs (`fdeStarts`, may be absent) that
 * start inside a section: decoder anchors. An FDE starts at an instruction even where no function
 * does: a stripped executable's `_start` (its return address undefined, so no function entry) sits
 * after zero fill that would otherwise swallow its first byte.
 */
function functionStarts(syms: Symbols, sec: number, size: number, fdeStarts: readonly number[] | undefined): Uint32Array | undefined {
  const list = syms.list(sec);
  const extra = fdeStarts ?? [];
  const all = new Uint32Array(list.length + extra.length);
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const s = list[k];
    const off = syms.offset[s];
    if (syms.type[s] !== STT_FUNC || off <= 0 || off >= size) continue;
    all[n++] = off;
  }
  for (const off of extra) if (off > 0 && off < size) all[n++] = off;
  const out = all.subarray(0, n).sort();
  let m = 0;
  for (let k = 0; k < n; k++) if (m === 0 || out[m - 1] !== out[k]) out[m++] = out[k];
  return m > 0 ? out.subarray(0, m) : undefined;
}


export { STT_FUNC, STT_NOTYPE };
