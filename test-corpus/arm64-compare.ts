/**
 * Compares objflow's AArch64 decoding of a whole ELF file with `aarch64-linux-gnu-objdump -d -r -w`,
 * instruction by instruction, through the text oracle in arm64-objdump-oracle.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { INSN_KIND_NAMES, InsnFlag, OpDest, OpSrc } from '../src/arch/arch.js';
import { aarch64 } from '../src/arch/arm64/index.js';
import { SHF_EXECINSTR, SHT_PROGBITS } from '../src/elf/constants.js';
import { ElfFile } from '../src/elf/reader.js';
import { InsnTableBuilder, NO_TARGET, OP_WORDS, opFields, opStartOf, type InsnTable } from '../src/program/insns.js';
import {
  expectedFlag, expectedKind, expectedStackOps, expectedTarget, expectedWrites, parseObjdump, type ObjdumpInsn,
} from './arm64-objdump-oracle.js';

export const OBJDUMP = 'aarch64-linux-gnu-objdump';

export interface Comparison {
  insns: number;
  branches: number;
  stack: number;
  invalid: number;
  /** words objdump cannot decode that the decoder calls Other (counted only with `lenientInvalid`) */
  otherForInvalid: number;
  mismatches: string[];
}

export function compareWithObjdump(path: string, limit = 200, lenientInvalid = false): Comparison {
  const elf = new ElfFile(new Uint8Array(readFileSync(path)), path);
  const secs = elf.sections.filter((s) => s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0);
  const builder = new InsnTableBuilder(elf.sections.length, 1024);
  for (const s of secs) aarch64.decodeSection(elf.sectionData(s), s.index, s.addr, builder);
  const table = builder.finish();
  const text = execFileSync(OBJDUMP, ['-d', '-r', '-w', path], { maxBuffer: 1 << 30 }).toString('latin1');
  const r: Comparison = { insns: 0, branches: 0, stack: 0, invalid: 0, otherForInvalid: 0, mismatches: [] };
  const byName = new Map<string, number[]>();
  for (const s of secs) byName.set(s.name, [...(byName.get(s.name) ?? []), s.index]);
  for (const sec of parseObjdump(text)) {
    const idx = byName.get(sec.name)?.shift();
    if (idx === undefined) { r.mismatches.push(`objdump section ${sec.name} not decoded`); continue; }
    const s = elf.sections[idx];
    const first = table.secFirst[idx];
    for (const insn of sec.insns) {
      const off = insn.addr - s.addr;
      const row = first + off / 4;
      if (off % 4 !== 0 || row >= first + table.secRows[idx] || table.off[row] !== off) {
        r.mismatches.push(`${insn.text}: no row`);
        continue;
      }
      r.insns++;
      compareOne(table, row, insn, r, limit, lenientInvalid);
    }
  }
  return r;
}

function compareOne(t: InsnTable, row: number, i: ObjdumpInsn, r: Comparison, limit: number, lenientInvalid: boolean): void {
  const bad = (why: string): void => { if (r.mismatches.length < limit) r.mismatches.push(`${i.text}: ${why}`); };
  const kind = INSN_KIND_NAMES[t.kind[row]];
  const want = expectedKind(i);
  if (want === 'invalid') r.invalid++;
  if (want === 'invalid' && kind === 'other' && lenientInvalid) { r.otherForInvalid++; return; }
  if (want === 'other' ? kind !== 'other' && kind !== 'nop' : kind !== want) bad(`kind ${kind}, objdump says ${want}`);
  if (want !== 'other' && want !== 'nop' && want !== 'invalid') r.branches++;
  const target = expectedTarget(i);
  const hasTarget = (t.flags[row] & InsnFlag.HasTarget) !== 0;
  const relocated = i.reloc !== undefined && target !== undefined; // printed target is the relocation's
  if (relocated ? !hasTarget : target !== undefined ? !hasTarget || t.target[row] !== target : hasTarget || t.target[row] !== NO_TARGET) {
    bad(`target ${hasTarget ? t.target[row].toString(16) : '-'}`);
  }
  const flag = expectedFlag(i);
  const ours = (t.flags[row] & InsnFlag.PacSign ? 'pacsign' : '') + (t.flags[row] & InsnFlag.PacAuth ? 'pacauth' : '')
    + (t.flags[row] & InsnFlag.Landing ? 'landing' : '');
  if (ours !== flag) bad(`flags '${ours}', expected '${flag}'`);
  const ops = formatOps(t, row);
  const wantOps = expectedStackOps(i);
  if (wantOps !== undefined) {
    r.stack++;
    if (ops.text !== wantOps) bad(`ops '${ops.text}', expected '${wantOps}'`);
    return;
  }
  if (ops.text !== '-') r.stack++;
  if (ops.structured) bad(`ops '${ops.text}' on an instruction that is not a stack form`);
  const writes = expectedWrites(i);
  const same = writes.size === ops.dests.size && [...writes].every((x) => ops.dests.has(x));
  if (!same) bad(`writes {${[...ops.dests].join(',')}}, objdump implies {${[...writes].join(',')}} (ops '${ops.text}')`);
}

/** Ops in the notation of arm64-objdump-oracle; `structured` when an op is more than a clobber or write-back. */
function formatOps(t: InsnTable, row: number): { text: string; dests: Set<number>; structured: boolean } {
  const parts: string[] = [];
  const dests = new Set<number>();
  let structured = false;
  const reg = (x: number): string => (x === 31 ? 'sp' : `x${x}`);
  const mem = (x: number, o: number): string => `[${reg(x)}${o < 0 ? '-' + -o : '+' + o}]`;
  for (let k = 0; k < t.opCount[row]; k++) {
    const o = (opStartOf(t, row) + k) * OP_WORDS;
    const [dt, dr, doff, st, sr, soff] = opFields(t.ops, o);
    const dest = dt === OpDest.Reg ? reg(dr) : dt === OpDest.RegIndirect ? mem(dr, doff) : `dest${dt}`;
    if (dt === OpDest.Reg) dests.add(dr);
    let src: string;
    if (st === OpSrc.Const) src = '?';
    else if (st === OpSrc.Reg) src = reg(sr);
    else if (st === OpSrc.RegIndirect) src = mem(sr, soff);
    else if (st === OpSrc.Add) src = `${reg(sr)}${soff < 0 ? '-' + -soff : '+' + soff}`;
    else if (st === OpSrc.And) src = `${reg(sr)}&${soff}`;
    else src = `src${st}`;
    const writeBack = dt === OpDest.Reg && st === OpSrc.Add && sr === dr;
    if (!(dt === OpDest.Reg && st === OpSrc.Const) && !writeBack) structured = true;
    if (dt !== OpDest.Reg || dr < 19) structured = true;
    parts.push(`${dest}=${src}`);
  }
  for (const d of [...dests]) if (d < 19) dests.delete(d);
  return { text: parts.length ? parts.join('; ') : '-', dests, structured };
}

