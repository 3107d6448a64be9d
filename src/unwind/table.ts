/**
 * The frame state as rows: one at every function start and wherever the encoded state changes,
 * holding until the next row of the same section. Padding that no path reaches (alignment NOPs,
 * traps after a return) emits no row of its own: the state before it holds. Registers are spelled as DWARF names, rules as
 * the compiler-table oracle spells them, so rows compare directly with a compiler's `.eh_frame`.
 */
import { CfiBase, InsnKind } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { STT_FUNC } from '../elf/constants.js';
import type { ArchRegs } from '../arch/arch.js';
import { stackSizeKnown } from '../frame/update.js';
import type { StateLayout } from '../frame/state.js';

export interface UnwindRow {
  sec: string;
  addr: number;
  func: string | null;
  cfa: string | null;
  sp: number | null;
  fpv: number | null;
  ra: string | null;
  fp: string | null;
  pac?: number;
  /**
   * Equal-valued spellings of `ra`/`fp` (not printed): after an epilogue reloads a register from its
   * save slot, `same` and `cfa-N` name the same value while the slot is untouched.
   */
  equiv?: { ra?: string; fp?: string };
}

/** The printed fields of a row, in the documented order. */
export function rowJson(r: UnwindRow): string {
  const { equiv, ...printed } = r;
  void equiv;
  return JSON.stringify(printed);
}

/*
 * What a row says of a state, read from the state's words at `words[at..]` (a pool's data at a state's
 * offset, or a state array at 0): shared by `rowFields` and verify's numeric rules (verify/code-rules.ts),
 * so that both derive the CFA, `sp` and `fpv` one way.
 */

/** The state describes a call frame with a CFA (else every rule of its row is null). */
export function hasCallFrame(L: StateLayout, words: Int32Array, at: number): boolean {
  return words[at + L.cfaBase] >= 0 && !words[at + L.forceUndefined] && words[at + L.type] === 2 /* call frames only */;
}

/** CFA minus the stack pointer when the analysis knows it (`sp`), else NaN. */
export function spDistance(L: StateLayout, regs: ArchRegs, words: Int32Array, at: number): number {
  if (words[at + L.cfaBase] === regs.sp) return words[at + L.cfaOff];
  if (!words[at + L.drap] && stackSizeKnown(words[at + L.stackSize])) return words[at + L.stackSize];
  return NaN;
}

/** CFA minus the frame pointer when it holds a known offset from the CFA (`fpv`), else NaN. */
export function fpDistance(L: StateLayout, regs: ArchRegs, words: Int32Array, at: number): number {
  const FP = regs.fp;
  if (words[at + L.cfaBase] === FP) return words[at + L.cfaOff];
  if (words[at + L.vals + 2 * FP] === CfiBase.Cfa) return -words[at + L.vals + 2 * FP + 1];
  return NaN;
}

/** A CFA rule as rows spell it: `rsp+16`. */
export function cfaSpelling(regs: ArchRegs, base: number, off: number): string {
  return `${regs.names[base]}${off < 0 ? off : `+${off}`}`;
}

/** The rule text of state `id` at one instruction, fields in row order. */
export function rowFields(ctx: Context, id: number): Omit<UnwindRow, 'sec' | 'addr' | 'func'> {
  const none: Omit<UnwindRow, 'sec' | 'addr' | 'func'> = { cfa: null, sp: null, fpv: null, ra: null, fp: null };
  if (id < 0) return none;
  const L = ctx.L;
  const a = ctx.prog.arch;
  const s = ctx.pool.view(id);
  if (!hasCallFrame(L, s, 0)) return none;
  const names = a.regs.names;
  const FP = a.regs.fp;
  const cfa = cfaSpelling(a.regs, s[L.cfaBase], s[L.cfaOff]);
  const spd = spDistance(L, a.regs, s, 0);
  const sp = Number.isNaN(spd) ? null : spd;
  const fpd = fpDistance(L, a.regs, s, 0);
  const fpv = Number.isNaN(fpd) ? null : fpd;
  const rule = (r: number, inReg: string): string => {
    const b = s[2 * r];
    const o = s[2 * r + 1];
    if (b === CfiBase.Cfa) return `cfa${o < 0 ? o : `+${o}`}`;
    if (b === CfiBase.Undefined) return inReg;
    if (b >= 0) return b === r ? inReg : `reg:${names[b]}`;
    return 'undef';
  };
  const raSame = a.callPushesRa ? 'undef' : 'same';
  const row: Omit<UnwindRow, 'sec' | 'addr' | 'func'> = { cfa, sp, fpv, ra: rule(a.regs.ra, raSame), fp: rule(FP, 'same') };
  if (s[L.pac]) row.pac = 1;
  // a register equal to its save slot may be spelled either way: `same` or `cfa-N`
  const R = L.restored;
  const other = (text: string, slot: number): string | undefined => {
    if (!slot) return undefined;
    const saved = `cfa${slot}`;
    return text === 'same' ? saved : text === saved ? 'same' : undefined;
  };
  const fpAlt = other(row.fp!, s[R + FP]);
  const raAlt = other(row.ra!, s[R + a.regs.ra]);
  if (fpAlt) row.equiv = { fp: fpAlt };
  if (raAlt) row.equiv = { ...row.equiv, ra: raAlt };
  return row;
}

/** Instructions from a function's start within which a saved frame pointer is checked for writes. */
const FP_SCAN_LIMIT = 64;

/** Calls `emit` with each row of the program, in section then address order. */
export function unwindRows(ctx: Context, emit: (row: UnwindRow) => void): void {
  const p = ctx.prog;
  const linked = p.elf.type !== 1;
  let prevKey = '';
  const memo: ({ fields: Omit<UnwindRow, 'sec' | 'addr' | 'func'>; key: string; fpSaved: boolean } | undefined)[] = [];
  for (const sec of p.elf.sections) {
    const [first, end] = p.secRange(sec.index);
    if (first < 0) continue;
    prevKey = '';
    let prevFunc = -2;
    const base = linked ? sec.addr : 0;
    const bytes = p.elf.sectionData(sec);
    const FP = p.arch.regs.fp;
    let fpIntact = false;
    let scanned = 0;
    const noState = { fields: rowFields(ctx, -1), key: 'none', fpSaved: false };
    for (let i = first; i < end; i++) {
      const f = p.func(i);
      if (f !== prevFunc) { fpIntact = p.arch.writesRegister !== undefined; scanned = 0; }
      // padding no path reaches (alignment NOPs, int3 after a return) keeps the state before it
      const k = p.kind[i];
      if (p.cfi[i] < 0 && prevKey !== '' && (k === InsnKind.Nop || k === InsnKind.Trap)) continue;
      // rows of a state are computed once per state (the pool holds a few thousand)
      const id = p.cfi[i];
      let st = id >= 0 ? memo[id] : noState;
      if (st === undefined) {
        const flds = rowFields(ctx, id);
        st = { fields: flds, key: JSON.stringify(flds), fpSaved: flds.fp !== null && flds.fp.startsWith('cfa') };
        memo[id] = st;
      }
      let fields = st.fields;
      let key = st.key;
      // a saved frame pointer not yet overwritten is also still "same" (tables may say either)
      if (fpIntact && st.fpSaved) {
        fields = { ...fields, equiv: { ...fields.equiv, fp: 'same' } };
        key += '|fp-same';
        // only writes after the save matter (the slow decode runs on a few prologue instructions)
        if (++scanned > FP_SCAN_LIMIT || p.arch.writesRegister!(bytes, p.off[i], FP)) fpIntact = false;
      }
      const funcStart = f >= 0 && f !== prevFunc && p.off[i] === p.syms.offset[f] && p.syms.type[f] === STT_FUNC;
      prevFunc = f;
      if (key === prevKey && !funcStart) continue;
      prevKey = key;
      emit({ sec: sec.name, addr: base + p.off[i], func: f >= 0 ? p.syms.name(f) : null, ...fields });
    }
  }
}
