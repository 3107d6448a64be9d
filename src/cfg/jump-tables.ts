/**
 * Jump tables found through relocations (kernel objects): a dynamic jump whose function loads an
 * address from anonymous read-only data, where each table entry is a relocation to an instruction of
 * the same function. This is objtool's recogniser, kept for byte-for-byte agreement with it on
 * relocatable x86 objects; analysis-based recognisers serve linked files and other shapes.
 */
import { InsnKind } from '../arch/arch.js';
import { STT_FUNC, STT_SECTION } from '../elf/constants.js';
import { B, SecRole } from '../program/program.js';
import type { Context } from './context.js';

const C_JUMP_TABLE_SECTION = '.data.rel.ro.c_jump_table';

export function addJumpTableAlts(ctx: Context): void {
  if (!ctx.hasRodata) return;
  const p = ctx.prog;
  // objtool's insn->first_jump_src: only this pass reads it, so it lives only as long as the pass
  const firstJumpSrc = new Int32Array(p.rows).fill(-1);
  // Functions (and their .cold parts) that have a table to add; most have none, and then the
  // second pass over their rows would find nothing.
  const withTable = new Uint8Array(p.syms.count);
  for (const i of p.jumpTables.keys()) markWithTable(ctx, i, withTable);
  for (let f = 0; f < p.syms.count; f++) {
    if (p.syms.type[f] !== STT_FUNC || p.syms.sec[f] === 0) continue;
    markFuncJumpTables(ctx, f, firstJumpSrc, withTable);
    const c = p.syms.cfunc[f];
    if (withTable[f] || (c >= 0 && withTable[c])) addFuncJumpTables(ctx, f);
  }
}

function markWithTable(ctx: Context, i: number, withTable: Uint8Array): void {
  const f = ctx.prog.func(i);
  if (f >= 0) withTable[f] = 1;
}

function funcInsns(ctx: Context, f: number): number {
  return ctx.prog.find(ctx.prog.syms.sec[f], ctx.prog.syms.offset[f]);
}

/**
 * objtool's pass over one function's instructions (`nextInFunc` order: the function's rows, then
 * its `.cold` child's): notes each row's first forward jump source and finds the tables of its
 * dynamic jumps. The rows are read run by run straight from the columns (a row belongs to function
 * `g` exactly when its symbol is `g`), not through a call per row: this visits every row of the file.
 */
function markFuncJumpTables(ctx: Context, f: number, firstJumpSrc: Int32Array, withTable: Uint8Array): void {
  const p = ctx.prog;
  // `dest` holds jump destinations as rows >= 0 (call destinations are negative)
  const { sym, dest, off, kind, sec } = p;
  const { type, cfunc } = p.syms;
  const count = p.count;
  let i = funcInsns(ctx, f);
  while (i >= 0) {
    // row i, then the rows after it in its section that belong to the same function
    const g = sym[i] >= 0 && type[sym[i]] === STT_FUNC ? sym[i] : -1;
    const s = sec[i];
    let r = i;
    do {
      const d = dest[r];
      if (d >= 0 && off[d] > off[r] && firstJumpSrc[d] < 0) firstJumpSrc[d] = r;
      if (kind[r] === InsnKind.JumpDynamic && findJumpTable(ctx, f, r, firstJumpSrc)) markWithTable(ctx, r, withTable);
      r++;
    } while (g >= 0 && r < count && sec[r] === s && sym[r] === g);
    if (g < 0) return;
    const c = cfunc[g];
    if (c === g || c < 0) return;
    i = p.find(p.syms.sec[c], p.syms.offset[c]);
  }
}

/** True when `orig` got its table. */
function findJumpTable(ctx: Context, func: number, orig: number, firstJumpSrc: Int32Array): boolean {
  const p = ctx.prog;
  for (let i = orig; i >= 0; ) {
    const fi = p.func(i);
    if (fi < 0 || p.syms.pfunc[fi] !== func) break;
    if (i !== orig && p.kind[i] === InsnKind.JumpDynamic) break;
    const d = p.jumpDestOf(i);
    if (p.kind[i] === InsnKind.JumpUncond && d >= 0 && (p.off[d] <= p.off[i] || p.off[d] > p.off[orig])) break;
    const found = findSwitchTable(ctx, i);
    if (found) {
      const [foundSec, foundReloc] = found;
      const rt = p.relocs.of(foundSec)!.table;
      const s = rt.sym[foundReloc];
      const dest = p.find(p.syms.sec[s], rt.addend[foundReloc]);
      const df = dest >= 0 ? p.func(dest) : -1;
      if (dest >= 0 && df >= 0 && p.syms.pfunc[df] === func) {
        p.setJumpTable(orig, foundSec, foundReloc);
        return true;
      }
    }
    i = firstJumpSrc[i] >= 0 ? firstJumpSrc[i] : p.prevSameSym(i);
  }
  return false;
}

/** objtool's x86 switch-table finder: the table's section and its first entry's relocation. */
function findSwitchTable(ctx: Context, i: number): [number, number] | undefined {
  const p = ctx.prog;
  const r = p.relocs.of(p.sec[i]);
  if (!r) return undefined;
  const tr = r.inRange(p.off[i], p.len[i]);
  if (tr < 0) return undefined;
  const s = r.table.sym[tr];
  if (p.syms.type[s] !== STT_SECTION || !(p.secRole[p.syms.sec[s]] & SecRole.Rodata)) return undefined;
  const tableSec = p.syms.sec[s];
  let tableOff = r.table.addend[tr];
  const k = p.arch.kernel;
  const pc32 = k !== undefined && r.table.type[tr] === k.pc32Reloc;
  if (pc32) tableOff += 4;
  if (p.syms.symbolContaining(tableSec, tableOff) >= 0 && p.elf.sections[tableSec].name !== C_JUMP_TABLE_SECTION) return undefined;
  const rr = p.relocs.of(tableSec);
  if (!rr) return undefined;
  const entry = rr.inRange(tableOff, 1);
  if (entry < 0) return undefined;
  if (pc32) ctx.ignoreUnreachables = true;
  return [tableSec, entry];
}

function addFuncJumpTables(ctx: Context, f: number): void {
  const p = ctx.prog;
  let t1 = -1;
  for (let i = funcInsns(ctx, f); i >= 0; i = p.nextInFunc(i)) {
    if ((p.kind[i] !== InsnKind.JumpDynamic && p.kind[i] !== InsnKind.CallDynamic) || !p.hasJumpTable(i)) continue;
    if (t1 < 0) { t1 = i; continue; }
    addJumpTable(ctx, t1, i);
    t1 = i;
  }
  if (t1 >= 0) addJumpTable(ctx, t1, -1);
}

function addJumpTable(ctx: Context, insn: number, nextInsn: number): void {
  const p = ctx.prog;
  const pfunc = p.syms.pfunc[p.func(insn)];
  const { sec, at: first } = p.jumpTables.get(insn)!;
  const rt = p.relocs.of(sec)!.table;
  const next = nextInsn >= 0 ? p.jumpTables.get(nextInsn) : undefined;
  const nextTable = next && next.sec === sec ? next.at : -1;
  const pSec = p.syms.sec[pfunc];
  const pOff = p.syms.offset[pfunc];
  const pLen = p.syms.len[pfunc];
  let prevOffset = 0;
  let list = p.alts.get(insn);
  for (let r = first; r < rt.count; r++) {
    if (r !== first && r === nextTable) break;
    if (prevOffset && rt.offset[r] !== prevOffset + 8) break;
    const s = rt.sym[r];
    const a = rt.addend[r];
    if (p.syms.sec[s] === pSec && a === pOff) break;
    if (!(p.syms.sec[s] === pSec && a === pOff + pLen)) {
      const dest = p.find(p.syms.sec[s], a);
      if (dest < 0) break;
      const df = p.func(dest);
      if (df < 0 || p.syms.pfunc[df] !== pfunc) break;
      if (!list) { list = []; p.alts.set(insn, list); p.bits[insn] |= B.HasAlts; }
      list.unshift({ insn: dest, skipOrig: false });
    }
    prevOffset = rt.offset[r];
  }
  if (!prevOffset) ctx.fatalInsn(insn, "can't find switch jump table");
}
