/**
 * The instruction table: every decoded instruction of every executable section, struct of arrays.
 *
 * Row i is one instruction. Rows of one section are contiguous and sorted by offset, sections in
 * the order they were decoded. Stack ops live in one Int32Array, OP_WORDS words per op, addressed
 * by `opStartOf` and `opCount[i]`.
 */
import type { InsnKind } from '../arch/arch.js';
import { grown } from '../typed-arrays.js';
import type { NumberArray } from '../typed-arrays.js';
import { column } from './commit-ahead.js';

/** Fields of a stack op, as `addOp` takes them and the x86 classifier lays them out: destType, destReg, destOff, srcType, srcReg, srcOff. */
export const OP_FIELDS = 6;
/**
 * Words per stack op in `ops`: the two types and two registers a byte each (`opTypesRegs` below),
 * then destOff and srcOff. Half of one word per field: a library's ops are ~5 M, and every page of
 * them is first-touched memory.
 */
export const OP_WORDS = 3;

/** The first word of an op: destType, destReg, srcType, srcReg (each 0..255), low byte first. */
export function opTypesRegs(destType: number, destReg: number, srcType: number, srcReg: number): number {
  return (destType & 0xff) | ((destReg & 0xff) << 8) | ((srcType & 0xff) << 16) | ((srcReg & 0xff) << 24);
}

/** The fields of the first word of an op (`opTypesRegs`): the readers unpack through these. */
export function opDestType(typesRegs: number): number { return typesRegs & 0xff; }
export function opDestReg(typesRegs: number): number { return (typesRegs >>> 8) & 0xff; }
export function opSrcType(typesRegs: number): number { return (typesRegs >>> 16) & 0xff; }
export function opSrcReg(typesRegs: number): number { return typesRegs >>> 24; }

/** An op's six fields, as the stack-op interpreter takes them (frame/update.ts, `Op`). */
export interface OpFields {
  destType: number; destReg: number; destOff: number;
  srcType: number; srcReg: number; srcOff: number;
}

/** Unpacks the op at word `w` of `ops` into `op` (no allocation: the walk's hot path). */
export function loadOp(ops: Int32Array, w: number, op: OpFields): void {
  const tr = ops[w];
  op.destType = opDestType(tr); op.destReg = opDestReg(tr); op.destOff = ops[w + 1];
  op.srcType = opSrcType(tr); op.srcReg = opSrcReg(tr); op.srcOff = ops[w + 2];
}

/** The six fields of the op at word `w` of `ops`, in OP_FIELDS order (tests and dumps). */
export function opFields(ops: Int32Array, w: number): number[] {
  const x = ops[w];
  return [opDestType(x), opDestReg(x), ops[w + 1], opSrcType(x), opSrcReg(x), ops[w + 2]];
}
export const NO_TARGET = -1;

/**
 * The section column: 16 bits a row when every section index fits (all but objects with more than
 * 65,536 sections), half the first-touched memory of 32.
 */
export type SecColumn = Uint16Array | Uint32Array;

/**
 * The immediate-target column: 32 bits a row while every target fits in an Int32 (code at addresses
 * below 2 GiB, and relocatable objects), half the first-touched memory of 64; a builder widens it to
 * 64 bits at the first target that does not fit (a kernel image at its high addresses), so no value changes.
 */
export type TargetColumn = Int32Array | Float64Array;

/** `col` as it must be to hold target `t`: the same column, or a 64-bit copy when an Int32 cannot hold `t`. */
export function targetColumnFor(col: TargetColumn, t: number): TargetColumn {
  return (t | 0) !== t && col instanceof Int32Array ? Float64Array.from(col) : col;
}

export interface InsnTable {
  readonly count: number;
  /** ELF section index of the row */
  readonly sec: SecColumn;
  /** offset of the instruction in its section */
  readonly off: Uint32Array;
  readonly len: Uint8Array;
  readonly kind: Uint8Array;
  readonly flags: Uint16Array;
  /** immediate branch/call target as an address in the section's address space, NO_TARGET when none */
  readonly target: TargetColumn;
  /** ops before each block of OP_BLOCK rows (`opStartOf`) */
  readonly opBase: Uint32Array;
  /** ops of the rows before row i in its block */
  readonly opPre: Uint8Array;
  readonly opCount: Uint8Array;
  readonly ops: Int32Array;
  /** first row and row count of each decoded section, by ELF section index (-1: not decoded) */
  readonly secFirst: Int32Array;
  readonly secRows: Int32Array;
  /**
   * Offset lookups start from a block index: `blockRow[secBlock[sec] + floor(off / BLOCK_BYTES)]` is
   * the first row of section `sec` at or after the block's first byte (rows of a block follow it),
   * so a lookup searches a few rows instead of the whole section. Absent: plain binary search.
   */
  readonly secBlock?: Int32Array;
  readonly blockRow?: Int32Array;
}

/**
 * Rows per block of the op index. A row's first op is `opBase[i / OP_BLOCK] + opPre[i]`: 1.25 bytes a
 * row instead of a 4-byte column of starts (first-touched memory). A row has at most MAX_ROW_OPS ops, so
 * `opPre` (the ops of at most OP_BLOCK - 1 earlier rows) fits in a byte.
 */
export const OP_BLOCK_BITS = 4;
export const OP_BLOCK_MASK = (1 << OP_BLOCK_BITS) - 1;
const MAX_ROW_OPS = 15;

/** Index in `ops` (in ops, not words) of row i's first op; any value for a row without ops. */
export function opStartOf(t: { readonly opBase: Uint32Array; readonly opPre: Uint8Array }, i: number): number {
  return t.opBase[i >>> OP_BLOCK_BITS] + t.opPre[i];
}

/** Entries of `opBase` for `rows` rows. */
export function opBlocks(rows: number): number {
  return (rows + OP_BLOCK_MASK) >>> OP_BLOCK_BITS;
}

function plainArray<T extends NumberArray>(ctor: new (n: number) => T, n: number): T {
  return new ctor(n);
}

/** log2 of the bytes of code one block index entry covers (a few instructions). */
const BLOCK_BYTES = 32;

/** Appends rows; arrays grow by doubling, so decoding allocates O(log n) times, not per instruction. */
export class InsnTableBuilder {
  count = 0;
  sec: SecColumn;
  off: Uint32Array;
  len: Uint8Array;
  kind: Uint8Array;
  flags: Uint16Array;
  target: TargetColumn;
  opBase: Uint32Array;
  opPre: Uint8Array;
  opCount: Uint8Array;
  ops: Int32Array;
  opWords = 0;
  private readonly secFirst: Int32Array;
  private readonly secRows: Int32Array;
  private curSec = -1;
  /** ops added so far (opWords / OP_WORDS): the first op of the next row */
  opsAdded = 0;

  /** `committed`: the columns are allocated for the commit-ahead helper (commit-ahead.ts) */
  constructor(sectionCount: number, expectedRows = 1024, committed = false) {
    const n = Math.max(16, expectedRows);
    const alloc = committed ? column : plainArray;
    this.sec = sectionCount <= 0x10000 ? alloc(Uint16Array, n) : alloc(Uint32Array, n);
    this.off = alloc(Uint32Array, n);
    this.len = alloc(Uint8Array, n);
    this.kind = alloc(Uint8Array, n);
    this.flags = alloc(Uint16Array, n);
    this.target = alloc(Int32Array, n);
    this.opBase = alloc(Uint32Array, opBlocks(n));
    this.opPre = alloc(Uint8Array, n);
    this.opCount = alloc(Uint8Array, n);
    // two words a row: room for the ops of x86-64 and AArch64 code (about 0.8-1.3 words a row), so
    // that a large file's ops are not copied into a doubled array (the unused tail is never touched)
    this.ops = alloc(Int32Array, n * 2);
    this.secFirst = new Int32Array(sectionCount).fill(-1);
    this.secRows = new Int32Array(sectionCount);
  }

  /** Starts a section: rows added until the next call belong to it. */
  beginSection(secIndex: number): void {
    this.endSection();
    this.curSec = secIndex;
    this.secFirst[secIndex] = this.count;
    this.secRows[secIndex] = 0;
  }

  /** Row count and section column of the current section's rows (written once at its end, not per row). */
  private endSection(): void {
    const s = this.curSec;
    if (s < 0) return;
    const first = this.secFirst[s];
    this.secRows[s] = this.count - first;
    this.sec.fill(s, first, this.count);
  }

  /**
   * Adds a row and returns its index. Stack ops for it follow with `addOp`. The row's `sec` is
   * written with the rest of its section's at the section's end, and its `opCount` is zero already.
   */
  add(off: number, len: number, kind: InsnKind, target: number, flags: number): number {
    const i = this.count;
    if (i === this.sec.length) this.growRows();
    this.off[i] = off;
    this.len[i] = len;
    this.kind[i] = kind;
    this.flags[i] = flags;
    this.target = targetColumnFor(this.target, target);
    this.target[i] = target;
    const b = i >>> OP_BLOCK_BITS;
    if ((i & OP_BLOCK_MASK) === 0) this.opBase[b] = this.opsAdded;
    this.opPre[i] = this.opsAdded - this.opBase[b];
    this.count = i + 1;
    return i;
  }

  /** Appends a stack op to the last row added. */
  addOp(destType: number, destReg: number, destOff: number, srcType: number, srcReg: number, srcOff: number): void {
    let w = this.opWords;
    if (w + OP_WORDS > this.ops.length) {
      this.ops = grown(this.ops, Math.max(64, this.ops.length * 2));
    }
    const o = this.ops;
    o[w++] = opTypesRegs(destType, destReg, srcType, srcReg); o[w++] = destOff; o[w++] = srcOff;
    this.opWords = w;
    this.opsAdded++;
    // a row's ops are bounded (the decoders give at most 2), so `opPre` fits in a byte
    if (++this.opCount[this.count - 1] > MAX_ROW_OPS) throw new Error(`more than ${MAX_ROW_OPS} stack ops in one instruction`);
  }

  /** Makes room for `n` rows without growing later (the program appends synthetic rows). */
  reserve(n: number): void {
    while (this.sec.length < n) this.growRows();
  }

  /** Drops every row (a builder reused for throw-away decoding). */
  clear(): void {
    // `add` does not zero opCount (new columns are zero): zero the part used again
    this.opCount.fill(0, 0, this.count);
    this.count = 0;
    this.opWords = 0;
    this.opsAdded = 0;
    this.curSec = -1;
  }

  /** Drops the ops of the last row (a decoder that changes its mind about an instruction). */
  clearOps(): void {
    const i = this.count - 1;
    this.opsAdded = opStartOf(this, i);
    this.opWords = this.opsAdded * OP_WORDS;
    this.opCount[i] = 0;
  }

  finish(): InsnTable {
    this.endSection();
    const n = this.count;
    const { secBlock, blockRow } = blockIndex(this.off, this.secFirst, this.secRows);
    return {
      count: n,
      sec: this.sec.subarray(0, n),
      off: this.off.subarray(0, n),
      len: this.len.subarray(0, n),
      kind: this.kind.subarray(0, n),
      flags: this.flags.subarray(0, n),
      target: this.target.subarray(0, n),
      opBase: this.opBase.subarray(0, opBlocks(n)),
      opPre: this.opPre.subarray(0, n),
      opCount: this.opCount.subarray(0, n),
      ops: this.ops.subarray(0, this.opWords),
      secFirst: this.secFirst,
      secRows: this.secRows,
      secBlock,
      blockRow,
    };
  }

  /** Doubles the row columns (a decoder writing rows itself calls this when they are full). */
  growRows(): void {
    const n = Math.max(16, this.sec.length * 2);
    this.sec = grown(this.sec, n);
    this.off = grown(this.off, n);
    this.opBase = grown(this.opBase, opBlocks(n));
    this.opPre = grown(this.opPre, n);
    this.len = grown(this.len, n);
    this.kind = grown(this.kind, n);
    this.opCount = grown(this.opCount, n);
    this.flags = grown(this.flags, n);
    this.target = grown(this.target, n);
  }
}

/** The block index of `InsnTable.blockRow` over the decoded sections (one pass over the rows). */
function blockIndex(off: Uint32Array, secFirst: Int32Array, secRows: Int32Array): { secBlock: Int32Array; blockRow: Int32Array } {
  const secBlock = new Int32Array(secFirst.length).fill(-1);
  let total = 0;
  for (let s = 0; s < secFirst.length; s++) {
    if (secFirst[s] < 0 || secRows[s] === 0) continue;
    secBlock[s] = total;
    total += blocksOf(off[secFirst[s] + secRows[s] - 1]);
  }
  const blockRow = new Int32Array(total);
  for (let s = 0; s < secFirst.length; s++) {
    const at = secBlock[s];
    if (at < 0) continue;
    const end = secFirst[s] + secRows[s];
    const filled = fillBlockRows(off, secFirst[s], end, blockRow, at);
    // blocks past the last row's start hold no row
    blockRow.fill(end, at + filled, at + blocksOf(off[end - 1]));
  }
  return { secBlock, blockRow };
}

/**
 * One section's entries of the block index up to its last row's block, from `blockRow[at]` on (rows
 * [first, end)); returns how many. Only the loop: V8 compiles a loop while it runs, and code after
 * it that has not run yet would make it throw that away (at every section).
 */
function fillBlockRows(off: Uint32Array, first: number, end: number, blockRow: Int32Array, at: number): number {
  // rows are sorted by offset: block b gets the first row starting at or after b * BLOCK_BYTES
  let b = 0;
  for (let r = first; r < end; r++) {
    const o = off[r];
    while (b * BLOCK_BYTES <= o) blockRow[at + b++] = r;
  }
  return b;
}

/** Block entries of a section whose last row starts at `lastOff`: one past its block, so block + 1 always exists. */
function blocksOf(lastOff: number): number {
  return Math.floor(lastOff / BLOCK_BYTES) + 2;
}

/** Row of the instruction at `off` in section `sec`, or -1 (binary search within the section's rows). */
export function findInsn(t: InsnTable, sec: number, off: number): number {
  let lo = t.secFirst[sec];
  if (lo === undefined || lo < 0) return -1;
  let hi = lo + t.secRows[sec] - 1;
  const offs = t.off;
  const blockRow = t.blockRow;
  if (blockRow !== undefined && hi >= lo) {
    // only the rows of the block holding `off` can start there
    if (!(off >= 0) || off > offs[hi]) return -1;
    const at = t.secBlock![sec] + Math.floor(off / BLOCK_BYTES);
    lo = blockRow[at];
    hi = blockRow[at + 1] - 1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = offs[mid];
    if (v === off) return mid;
    if (v < off) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** Row of the instruction whose bytes contain `off` in section `sec`, or -1. */
export function findInsnContaining(t: InsnTable, sec: number, off: number): number {
  let lo = t.secFirst[sec];
  if (lo === undefined || lo < 0) return -1;
  const first = lo;
  let hi = lo + t.secRows[sec] - 1;
  let best = -1;
  const blockRow = t.blockRow;
  if (blockRow !== undefined && hi >= lo) {
    if (!(off >= 0)) return -1;
    if (off > t.off[hi]) {
      lo = hi + 1;
      best = hi;
    } else {
      // the last row starting at or before `off`: in its block, else the row before the block's first
      const at = t.secBlock![sec] + Math.floor(off / BLOCK_BYTES);
      lo = blockRow[at];
      hi = blockRow[at + 1] - 1;
      best = lo - 1;
    }
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (t.off[mid] <= off) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (best < first || best < 0) return -1;
  return off < t.off[best] + t.len[best] ? best : -1;
}
