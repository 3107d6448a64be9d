/**
 * Paravirt call tables under --noinstr (objtool 6.12's pv_ops handling). A noinstr function may
 * call through `pv_ops[N]` only when every function that entry can hold is noinstr too. The entries'
 * possible targets come from the initialisers of the tables (`pv_ops`, `xen_*_ops`: a relocation per
 * slot) and from `movq $func, pv_ops+off(%rip)` stores in `.init.text`. `pv_ops`' size gives the
 * number of entries.
 */
import { STT_SECTION } from '../elf/constants.js';
import type { Context } from '../cfg/context.js';
import { SecRole } from '../program/program.js';
import type { Program } from '../program/program.js';
import { PV_OPS_TABLES } from './names.js';
import { LEGACY_PREFIX } from '../arch/x86/length-tables.js';

const PV_OPS = 'pv_ops';
/** Functions paravirt patching replaces by native code: never a call target. */
const PATCHED_AWAY: ReadonlySet<string> = new Set(['_paravirt_nop', '_paravirt_ident_64']);

export class PvOps {
  /** per entry: its possible targets (symbols), the last added first, as objtool lists them */
  private readonly targets: number[][];
  /** per entry: checked, and every target is noinstr */
  private readonly clean: Uint8Array;
  /** symbols already listed under some entry (objtool lists a function once) */
  private readonly listed = new Set<number>();

  private constructor(entries: number) {
    this.targets = Array.from({ length: entries }, () => []);
    this.clean = new Uint8Array(entries);
  }

  /** The tables of a file under --noinstr, or null when it has no `pv_ops` symbol. */
  static read(p: Program): PvOps | null {
    const syms = p.syms;
    const table = syms.byNameLookup(PV_OPS);
    if (table < 0) return null;
    const pv = new PvOps(Math.floor(syms.len[table] / 8));
    for (const name of PV_OPS_TABLES) pv.addTable(p, name);
    pv.addInitStores(p);
    return pv;
  }

  /** The first relocation at each distinct offset inside table `name` names the function of that slot. */
  private addTable(p: Program, name: string): void {
    const syms = p.syms;
    const t = syms.byNameLookup(name);
    if (t < 0) return;
    const relocs = p.relocs.of(syms.sec[t]);
    if (!relocs) return;
    const start = syms.offset[t];
    const end = start + syms.len[t];
    const { sym, addend } = relocs.table;
    for (let k = relocs.lowerBound(start); k < relocs.order.length && relocs.offsets[k] < end; k = relocs.nextOffset(k)) {
      const off = relocs.offsets[k];
      const r = relocs.order[k];
      let f = sym[r];
      if (syms.type[f] === STT_SECTION) f = syms.symbolAt(syms.sec[f], addend[r]);
      this.add(p, Math.floor((off - start) / 8), f);
    }
  }

  /** `movq $func, pv_ops+off(%rip)` in .init.text: 11 bytes, pv_ops' relocation at +3, the function's at +7. */
  private addInitStores(p: Program): void {
    const syms = p.syms;
    for (const sec of p.elf.sections) {
      if (!sec.name.startsWith('.init.text')) continue;
      const relocs = p.relocs.of(sec.index);
      if (!relocs) continue;
      const { sym, addend } = relocs.table;
      const [from, to] = p.secRange(sec.index);
      for (let i = from; i < to; i++) {
        if (p.len[i] !== 11 || !isMovImmToMemory(p, i)) continue;
        // (offsets are whole numbers: a one-byte range is the exact offset)
        const dst = relocs.inRange(p.off[i] + 3, 1);
        if (dst < 0 || syms.name(sym[dst]) !== PV_OPS) continue;
        const src = relocs.inRange(p.off[i] + 7, 1);
        let f = src >= 0 ? sym[src] : -1;
        if (f >= 0 && syms.type[f] === STT_SECTION) f = syms.symbolAt(syms.sec[f], addend[src]);
        // the slot the store writes: the displacement is relative to the end of the instruction, 8 bytes on
        if (f >= 0) this.add(p, Math.trunc((addend[dst] + 8) / 8), f);
      }
    }
  }

  private add(p: Program, entry: number, f: number): void {
    if (f < 0 || PATCHED_AWAY.has(p.syms.name(f)) || this.listed.has(f)) return;
    // an entry beyond the table (an initialiser larger than `pv_ops`): no call can be checked against it
    if (entry < 0 || entry >= this.targets.length) return;
    this.listed.add(f);
    this.targets[entry].unshift(f);
    this.clean[entry] = 0;
  }

  /**
   * Is the indirect call at row i a call through a `pv_ops` entry whose targets are all noinstr?
   * The first check of an entry warns once per target that is not (`pv_ops[N]: name`).
   */
  callIsClean(ctx: Context, i: number): boolean {
    const p = ctx.prog;
    const r = p.insnReloc(i);
    if (r < 0) return false;
    const { sym, addend } = p.relocs.of(p.sec[i])!.table;
    if (p.syms.name(sym[r]) !== PV_OPS) return false;
    // a rip-relative operand's addend is the slot's offset minus the 4 bytes to the end of the field
    const entry = Math.trunc((addend[r] + 4) / 8);
    if (entry < 0 || entry >= this.targets.length) return false;
    if (this.clean[entry]) return true;
    let clean = 1;
    for (const f of this.targets[entry]) {
      if (!(p.secRole[p.syms.sec[f]] & SecRole.Noinstr)) {
        ctx.diag.warn(`pv_ops[${entry}]: ${p.syms.name(f)}`);
        clean = 0;
      }
    }
    this.clean[entry] = clean;
    return clean === 1;
  }
}

/** Opcode 0xc7 (mov imm32, r/m) after any legacy and REX prefixes. */
function isMovImmToMemory(p: Program, i: number): boolean {
  const bytes = p.elf.sectionData(p.elf.sections[p.sec[i]]);
  let k = p.off[i];
  const end = k + p.len[i];
  while (k < end && (LEGACY_PREFIX[bytes[k]] !== 0 || (bytes[k] & 0xf0) === 0x40)) k++;
  return k < end && bytes[k] === 0xc7;
}
