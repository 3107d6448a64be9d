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
  ORC_TYPE_UNDEFINED,
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

  /** Row k's entry (written into `out`). */
  entry(k: number, out: OrcEntry): OrcEntry {
    out.spOffset = this.spOffset[k]; out.bpOffset = this.bpOffset[k]; out.spReg = this.spReg[k];
    out.bpReg = this.bpReg[k]; out.type = this.type[k]; out.signal = this.signal[k];
    return out;
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
  // fields read straight from the pool (no view allocation on this per-instruction path)
  const d = ctx.pool.data;
  const b = id * ctx.pool.size;
  switch (d[b + L.type]) {
    case StateType.Undefined: out.type = ORC_TYPE_UNDEFINED; return '';
    case StateType.EndOfStack: out.type = ORC_TYPE_END_OF_STACK; return '';
    case StateType.Call: out.type = ORC_TYPE_CALL; break;
    case StateType.Regs: out.type = ORC_TYPE_REGS; break;
    case StateType.RegsPartial: out.type = ORC_TYPE_REGS_PARTIAL; break;
    default: return `unknown unwind hint type ${d[b + L.type]}`;
  }
  out.signal = d[b + L.signal];
  const sp = X86_CFA_REG.get(d[b + L.cfaBase]);
  if (sp === undefined) return `unknown CFA base reg ${d[b + L.cfaBase]}`;
  out.spReg = sp;
  const fp = ctx.prog.arch.regs.fp;
  const bpBase = d[b + 2 * fp];
  if (bpBase === CfiBase.Undefined) out.bpReg = ORC_REG_UNDEFINED;
  else if (bpBase === CfiBase.Cfa) out.bpReg = ORC_REG_PREV_SP;
  else if (bpBase === fp) out.bpReg = ORC_REG_BP;
  else return `unknown BP base reg ${bpBase}`;
  out.spOffset = d[b + L.cfaOff];
  out.bpOffset = d[b + 2 * fp + 1];
  return '';
}

function same(a: OrcEntry, b: OrcEntry): boolean {
  return a.spOffset === b.spOffset && a.bpOffset === b.bpOffset && a.spReg === b.spReg && a.bpReg === b.bpReg &&
    a.type === b.type && a.signal === b.signal;
}

/** The deduplicated ORC table, or undefined after a warning (objtool then writes no ORC). */
export function buildOrc(ctx: Context): OrcTable | undefined {
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
      const g = p.altGroup[i];
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
