/**
 * Where a linked file's code is entered although no function symbol or FDE names the place: the ELF
 * entry (`_start`), `.init` and `.fini` (DT_INIT, DT_FINI), the constructors and destructors the
 * `.init_array`, `.fini_array` and `.preinit_array` point at, and the destinations of direct calls
 * into such code that no FDE covers either (crtstuff's `deregister_tm_clones`, called from
 * `__do_global_dtors_aux`; crtstuff is built without unwind tables, and a stripped executable has no
 * symbols for it). Code an FDE covers is left to the FDE: where its first row is not what a call
 * leaves (a `.cold` part), the table says no call enters there. Each becomes a walk
 * entry holding the state a call leaves, the way an unwind hint starts a walk, so that this code is
 * checked instead of reported unreachable.
 */
import { EM_X86_64, R_AARCH64_RELATIVE, R_X86_64_RELATIVE, SHF_EXECINSTR, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_PREINIT_ARRAY, SHT_RELA } from '../elf/constants.js';
import { FormatError } from '../elf/errors.js';
import type { ElfFile } from '../elf/reader.js';
import { InsnKind } from '../arch/arch.js';
import { B } from '../program/program.js';
import type { Context } from './context.js';
import type { CfiSection } from '../dwarf/index.js';

/** Marks the entries above as walk starts; call after call destinations are known (userspace, linked files). */
export function addUnownedEntries(ctx: Context): void {
  const p = ctx.prog;
  const elf = p.elf;
  if (elf.type === 1) return;
  let added = 0;
  const enter = (addr: number): void => {
    const i = p.findAddr(addr);
    if (i < 0 || p.func(i) >= 0 || (p.bits[i] & B.Hint) || p.kind[i] === InsnKind.Invalid) return;
    p.cfi[i] = ctx.funcStateId;
    p.bits[i] |= B.Hint;
    added++;
  };
  enter(elf.entry);
  for (const s of elf.sections) {
    if (!(s.flags & SHF_EXECINSTR) || s.size === 0) continue;
    if (s.name === '.init' || s.name === '.fini') enter(s.addr);
  }
  for (const a of arrayPointers(elf)) enter(a);
  const { kind, bits } = p;
  const rows = p.branchRows;
  const covered = new FdeCoverage(ctx.unwindTables);
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    if (kind[i] !== InsnKind.Call || p.callDestOf(i) >= 0 || (bits[i] & B.Ignore)) continue;
    const t = p.target[i];
    // a call to the next instruction reads the program counter: no function starts there
    if (t >= 0 && t !== p.addrOf(i) + p.len[i] && !covered.has(t)) enter(t);
  }
  if (added > 0) ctx.hints = true;
}

/** Which addresses the FDEs of a linked file cover (sorted ranges, binary search). */
class FdeCoverage {
  private readonly start: Float64Array;
  private readonly end: Float64Array;

  constructor(tables: readonly CfiSection[]) {
    const ranges: [number, number][] = [];
    for (const t of tables) for (const f of t.fdes) if (f.pcRange > 0) ranges.push([f.pcBegin, f.pcBegin + f.pcRange]);
    ranges.sort((a, b) => a[0] - b[0]);
    this.start = Float64Array.from(ranges, (r) => r[0]);
    // the furthest end up to each range, so that one search answers for overlapping FDEs too
    let far = 0;
    this.end = Float64Array.from(ranges, (r) => (far = Math.max(far, r[1])));
  }

  has(addr: number): boolean {
    let lo = 0;
    let hi = this.start.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.start[mid] <= addr) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && addr < this.end[lo - 1];
  }
}

/**
 * The code addresses in the init, fini and preinit arrays. A position-independent file may leave a
 * slot zero and give its value only as a RELATIVE dynamic relocation's addend; those are read too.
 */
function arrayPointers(elf: ElfFile): number[] {
  const slots: number[] = [];
  const out: number[] = [];
  for (const s of elf.sections) {
    if (s.type !== SHT_INIT_ARRAY && s.type !== SHT_FINI_ARRAY && s.type !== SHT_PREINIT_ARRAY) continue;
    for (let o = 0; o + 8 <= s.size; o += 8) {
      const v = elf.u64(s.offset + o);
      if (v !== 0) out.push(v);
      else slots.push(s.addr + o);
    }
  }
  if (slots.length === 0) return out;
  const wanted = new Set(slots);
  const relative = elf.machine === EM_X86_64 ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA || (s.flags & SHF_EXECINSTR)) continue;
    let t;
    try {
      t = elf.relocs(s.index);
    } catch (e) {
      // a broken relocation table only costs these entries (the analysis never needed it)
      if (e instanceof FormatError) continue;
      throw e;
    }
    for (let r = 0; r < t.count; r++) {
      if (t.type[r] === relative && wanted.has(t.offset[r])) out.push(t.addend[r]);
    }
  }
  return out;
}
