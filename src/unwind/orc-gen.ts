/**
 * ORC entries from frame states: one entry wherever the encoded state changes, per text section, plus
 * a terminator at each section's end. Alternative groups contribute their flattened per-byte states.
 */
import { CfiBase } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { StateType } from '../frame/state.js';
import {
  ORC_REG_BP, ORC_REG_BP_INDIRECT, ORC_REG_DI, ORC_REG_DX, ORC_REG_PREV_SP, ORC_REG_R10, ORC_REG_R13, ORC_REG_SP,
  ORC_REG_SP_INDIRECT, ORC_REG_UNDEFINED, ORC_TYPE_CALL, ORC_TYPE_END_OF_STACK, ORC_TYPE_REGS, ORC_TYPE_REGS_PARTIAL,
  ORC_TYPE_UNDEFINED, ORC_ENTRY_SIZE, encodeOrcFields,
} from './orc-format.js';
import type { OrcEntry } from './orc-format.js';
import { grown } from '../typed-arrays.js';

/** The ORC table, struct of arrays: row k is at (sec[k], off[k]) with entry fields spOffset[k]... */
export class OrcTable {
  count = 0;
  sec = new Uint32Array(1024);
  off = new Uint32Array(1024);
  spOffset = new Int16Array(1024);
  bpOffset = new Int16Array(1024);
  spReg = new Uint8Array(1024);
  bpReg = new Uint8Array(1024);
  type = new Uint8Array(1024);
  signal = new Uint8Array(1024);

  get length(): number { return this.count; }

  push(sec: number, off: number, e: OrcEntry): void {
    const k = this.count;
    if (k === this.sec.length) this.grow();
    this.sec[k] = sec; this.off[k] = off;
    this.spOffset[k] = e.spOffset; this.bpOffset[k] = e.bpOffset;
    this.spReg[k] = e.spReg; this.bpReg[k] = e.bpReg; this.type[k] = e.type; this.signal[k] = e.signal;
    this.count = k + 1;
  }

  /** push() of the entry whose key (`entryKey`) is `key`. */
  pushKey(sec: number, off: number, key: number): void {
    const k = this.count;
    if (k === this.sec.length) this.grow();
    this.sec[k] = sec; this.off[k] = off;
    const low = key % KEY_SP;
    this.spOffset[k] = (key - low) / KEY_SP; this.bpOffset[k] = Math.floor(low / KEY_BP);
    this.spReg[k] = (low >> 8) & 0xf; this.bpReg[k] = (low >> 4) & 0xf; this.type[k] = (low >> 1) & 7; this.signal[k] = low & 1;
    this.count = k + 1;
  }

  /** Row k's entry (written into `out`). */
  entry(k: number, out: OrcEntry): OrcEntry {
    out.spOffset = this.spOffset[k]; out.bpOffset = this.bpOffset[k]; out.spReg = this.spReg[k];
    out.bpReg = this.bpReg[k]; out.type = this.type[k]; out.signal = this.signal[k];
    return out;
  }

  /** Every row's entry, encoded one after the other from offset 0 of `bytes` (ORC_ENTRY_SIZE each). */
  encodeInto(bytes: Uint8Array, le: boolean): void {
    for (let k = 0; k < this.count; k++) {
      encodeOrcFields(bytes, k * ORC_ENTRY_SIZE, this.spOffset[k], this.bpOffset[k], this.spReg[k], this.bpReg[k], this.type[k], this.signal[k], le);
    }
  }

  private grow(): void {
    const n = this.sec.length * 2;
    this.sec = grown(this.sec, n);
    this.off = grown(this.off, n);
    this.spOffset = grown(this.spOffset, n);
    this.bpOffset = grown(this.bpOffset, n);
    this.spReg = grown(this.spReg, n);
    this.bpReg = grown(this.bpReg, n);
    this.type = grown(this.type, n);
    this.signal = grown(this.signal, n);
  }
}

/** x86-64 slots (objtool numbering) → ORC registers for the CFA base. */
const X86_CFA_REG = new Map<number, number>([
  [4, ORC_REG_SP], [CfiBase.SpIndirect, ORC_REG_SP_INDIRECT], [5, ORC_REG_BP], [CfiBase.FpIndirect, ORC_REG_BP_INDIRECT],
  [10, ORC_REG_R10], [13, ORC_REG_R13], [7, ORC_REG_DI], [2, ORC_REG_DX],
]);

/** Builds the entry for state `id` (-1: no state) into `out`; returns an error message or ''. */
export function orcEntryOf(ctx: Context, id: number, out: OrcEntry): string {
  out.spOffset = 0; out.bpOffset = 0; out.spReg = 0; out.bpReg = 0; out.type = 0; out.signal = 0;
  if (id < 0) { out.type = ORC_TYPE_UNDEFINED; return ''; }
  const L = ctx.L;
  // asked once per state (orcKeys), or per row only where entries are compared whole
  const d = ctx.pool.view(id);
  switch (d[L.type]) {
    case StateType.Undefined: out.type = ORC_TYPE_UNDEFINED; return '';
    case StateType.EndOfStack: out.type = ORC_TYPE_END_OF_STACK; return '';
    case StateType.Call: out.type = ORC_TYPE_CALL; break;
    case StateType.Regs: out.type = ORC_TYPE_REGS; break;
    case StateType.RegsPartial: out.type = ORC_TYPE_REGS_PARTIAL; break;
    default: return `unknown unwind hint type ${d[L.type]}`;
  }
  out.signal = d[L.signal];
  const sp = X86_CFA_REG.get(d[L.cfaBase]);
  if (sp === undefined) return `unknown CFA base reg ${d[L.cfaBase]}`;
  out.spReg = sp;
  const fp = ctx.prog.arch.regs.fp;
  const bpBase = d[2 * fp];
  if (bpBase === CfiBase.Undefined) out.bpReg = ORC_REG_UNDEFINED;
  else if (bpBase === CfiBase.Cfa) out.bpReg = ORC_REG_PREV_SP;
  else if (bpBase === fp) out.bpReg = ORC_REG_BP;
  else return `unknown BP base reg ${bpBase}`;
  out.spOffset = d[L.cfaOff];
  out.bpOffset = d[2 * fp + 1];
  return '';
}

function same(a: OrcEntry, b: OrcEntry): boolean {
  return a.spOffset === b.spOffset && a.bpOffset === b.bpOffset && a.spReg === b.spReg && a.bpReg === b.bpReg &&
    a.type === b.type && a.signal === b.signal;
}

/** The deduplicated ORC table, or undefined after a warning (objtool then writes no ORC). */
export function buildOrc(ctx: Context): OrcTable | undefined {
  const keys = orcKeys(ctx);
  if (keys === undefined) return buildOrcByEntries(ctx);
  const p = ctx.prog;
  const run = new OrcRun(p.cfi, p.altTag, p.off, keys);
  for (const sec of p.elf.sections) {
    if (!p.isText(sec.index)) continue;
    const [first, end] = p.secRange(sec.index);
    if (first < 0) continue;
    // the entry before a section's first is all zero: an undefined state there makes no row
    run.startSection(sec.index);
    let i = first;
    for (;;) {
      i = run.rows(i, end);
      if (i >= end) break;
      if (p.altTag[i] === 0) return noEntry(ctx, i, p.cfi[i]);
      // alternatives: the flattened states of the group, byte by byte
      const grp = p.altGroups[p.altGroupOf(i)];
      const len = p.off[grp.last] + p.len[grp.last] - p.off[grp.first];
      for (let k = 0; k < len; k++) {
        const id = grp.cfi[k];
        if (id === undefined || id < 0) continue;
        const key = keys[id + 1];
        if (!(key >= 0)) return noEntry(ctx, i, id);
        run.add(p.off[i] + k, key);
      }
      run.lastId = -2;
      i = grp.last + 1;
    }
    run.endSection(sec.size);
  }
  return run.table;
}

const NO_FIELDS: OrcEntry = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };

/** Row i has state `id`, which has no key: objtool's warning when it has no entry (else, a state the keys do not cover, the slow way). */
function noEntry(ctx: Context, i: number, id: number): OrcTable | undefined {
  const err = orcEntryOf(ctx, id, { ...NO_FIELDS });
  if (!err) return buildOrcByEntries(ctx);
  ctx.warnInsn(i, err);
  return undefined;
}

/**
 * The rows of one section as they are made: the pass over every row (`rows`) only compares
 * numbers and stops at what is rare (an alternative group, a state without an entry), which the
 * caller deals with; so the loop V8 compiles holds nothing it has not seen run.
 */
class OrcRun {
  readonly table = new OrcTable();
  /** key of the last entry made in this section (0, the all-zero entry, before the first) */
  prev = 0;
  /** state of the last row looked at (-2: none) */
  lastId = -2;
  private sec = 0;
  private empty = true;

  constructor(
    private readonly cfi: Int32Array, private readonly altTag: Int32Array, private readonly off: Uint32Array,
    /** entry key by state id + 1 (`orcKeys`) */
    private readonly keys: Float64Array,
  ) {}

  startSection(sec: number): void {
    this.sec = sec;
    this.prev = 0;
    this.lastId = -2;
    this.empty = true;
  }

  /** Rows from `i` until `end`, an alternative group's row or a state without an entry; returns where it stopped. */
  rows(i: number, end: number): number {
    const { cfi, altTag, off, keys } = this;
    let lastId = this.lastId;
    let prev = this.prev;
    for (; i < end; i++) {
      if (altTag[i] !== 0) break;
      const id = cfi[i];
      if (id === lastId) continue; // same state, same entry
      const key = keys[id + 1];
      if (key === prev) { lastId = id; continue; }
      if (!(key >= 0)) break;
      lastId = id;
      prev = key;
      this.table.pushKey(this.sec, off[i], key);
      this.empty = false;
    }
    this.lastId = lastId;
    this.prev = prev;
    return i;
  }

  /** An entry at `off` unless it is the last one's. */
  add(off: number, key: number): void {
    if (key === this.prev) return;
    this.prev = key;
    this.table.pushKey(this.sec, off, key);
    this.empty = false;
  }

  /** The terminator at the section's end, when it has entries. */
  endSection(size: number): void {
    if (!this.empty) this.table.pushKey(this.sec, size, END_KEY);
  }
}

/**
 * An ORC entry as one number (exact in a double): sp_offset and bp_offset as 16-bit two's
 * complement, then sp_reg, bp_reg (4 bits each), type (3 bits), signal (1 bit). Two entries are the
 * same exactly when their keys are. The all-zero entry (undefined type, nothing else) is key 0.
 */
const KEY_SP = 2 ** 28;
const KEY_BP = 2 ** 12;
const KEY_SP_REG = 256;
const KEY_BP_REG = 16;
const KEY_TYPE = 2;
const END_KEY = ORC_TYPE_UNDEFINED * KEY_TYPE;

function entryKey(e: OrcEntry): number {
  return (e.spOffset & 0xffff) * KEY_SP + (e.bpOffset & 0xffff) * KEY_BP + e.spReg * KEY_SP_REG + e.bpReg * KEY_BP_REG +
    e.type * KEY_TYPE + e.signal;
}

/**
 * The key of each state's ORC entry (`orcEntryOf`) by state id + 1 (-1: no state), so that the pass
 * over every row compares numbers; -1 for a state that has no entry (a warning if a row has it).
 * Undefined when some state's entry has no key (a field wider than an entry holds): entries must
 * then be compared by their full values, as objtool compares them.
 */
function orcKeys(ctx: Context): Float64Array | undefined {
  const n = ctx.pool.count;
  const keys = new Float64Array(n + 1);
  const e: OrcEntry = { ...NO_FIELDS };
  for (let id = -1; id < n; id++) {
    if (orcEntryOf(ctx, id, e)) { keys[id + 1] = -1; continue; }
    const fits = e.spOffset === (e.spOffset << 16) >> 16 && e.bpOffset === (e.bpOffset << 16) >> 16 &&
      (e.signal === 0 || e.signal === 1) && e.spReg >= 0 && e.spReg <= 15 && e.bpReg >= 0 && e.bpReg <= 15 && e.type >= 0 && e.type <= 7;
    if (!fits) return undefined;
    keys[id + 1] = entryKey(e);
  }
  return keys;
}

/** buildOrc comparing whole entries (states whose fields are wider than an entry's). */
function buildOrcByEntries(ctx: Context): OrcTable | undefined {
  const p = ctx.prog;
  const rows = new OrcTable();
  const cur: OrcEntry = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };
  const prev: OrcEntry = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };
  const end0: OrcEntry = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: ORC_TYPE_UNDEFINED, signal: 0 };
  for (const sec of p.elf.sections) {
    if (!p.isText(sec.index)) continue;
    const [first, end] = p.secRange(sec.index);
    if (first < 0) continue;
    copy(prev, end0);
    prev.type = 0;
    let empty = true;
    let lastId = -2;
    for (let i = first; i < end; i++) {
      const g = p.altGroupOf(i);
      if (g < 0) {
        const id = p.cfi[i];
        if (id === lastId) continue; // same state, same entry
        lastId = id;
        const err = orcEntryOf(ctx, id, cur);
        if (err) { ctx.warnInsn(i, err); return undefined; }
        if (same(prev, cur)) continue;
        copy(prev, cur);
        rows.push(sec.index, p.off[i], cur);
        empty = false;
        continue;
      }
      lastId = -2;
      const grp = p.altGroups[g];
      const len = p.off[grp.last] + p.len[grp.last] - p.off[grp.first];
      for (let k = 0; k < len; k++) {
        const id = grp.cfi[k];
        if (id === undefined || id < 0) continue;
        const err = orcEntryOf(ctx, id, cur);
        if (err) { ctx.warnInsn(i, err); return undefined; }
        if (same(prev, cur)) continue;
        copy(prev, cur);
        rows.push(sec.index, p.off[i] + k, cur);
        empty = false;
      }
      i = grp.last;
    }
    if (!empty) rows.push(sec.index, sec.size, end0);
  }
  return rows;
}

function copy(to: OrcEntry, from: OrcEntry): void {
  to.spOffset = from.spOffset; to.bpOffset = from.bpOffset; to.spReg = from.spReg;
  to.bpReg = from.bpReg; to.type = from.type; to.signal = from.signal;
}
