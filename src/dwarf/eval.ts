/**
 * CFA-program evaluation: runs a CIE's initial instructions and an FDE's instructions and yields
 * the unwind rows, one at a time (pull-based). One `CfaEvaluator` is reused for every FDE of a
 * section: its state lives in typed arrays sized once, so evaluating allocates nothing per
 * instruction or per row.
 *
 * A row is the state in effect for [rowStart, rowEnd): the CFA rule, one rule per register
 * column (`kind`/`value`/`aux`), the AArch64 return-address signing state, and the GNU args size.
 */
import { FormatError } from '../elf/errors.js';
import { ByteReader } from './byte-reader.js';
import type { CfiSection, Cie, Fde } from './cfi.js';
import { DW_CFA } from './constants.js';
import { newPointerValue } from './pointer.js';

/** Register rule kinds (DWARF 5 §6.4.1). */
export const RuleKind = {
  /** no rule given: the ABI default (callee-saved registers keep their value) */
  Unspecified: 0,
  Undefined: 1,
  SameValue: 2,
  /** saved at CFA + value */
  Offset: 3,
  /** the register's value is CFA + value */
  ValOffset: 4,
  /** saved in register `value` */
  Register: 5,
  /** saved at the address an expression computes: expression bytes at section offset `value`, length `aux` */
  Expression: 6,
  /** the value is what an expression computes (bytes as for Expression) */
  ValExpression: 7,
} as const;
export type RuleKind = (typeof RuleKind)[keyof typeof RuleKind];

export const CfaKind = {
  /** no DW_CFA_def_cfa* seen yet */
  Unset: 0,
  /** CFA = register `cfaReg` + `cfaOffset` */
  RegOffset: 1,
  /** CFA = expression at section offset `cfaExprStart`, `cfaExprLen` bytes */
  Expression: 2,
} as const;
export type CfaKind = (typeof CfaKind)[keyof typeof CfaKind];

/** Register columns tracked (x86-64 uses up to ~130, AArch64 up to 127); a rule for a higher column is a FormatError. */
export const MAX_COLUMNS = 192;
/** DW_CFA_remember_state nesting allowed; deeper is a FormatError (compilers nest 1-2 levels). */
export const MAX_STATE_DEPTH = 64;

export class CfaEvaluator {
  /** rule kind per column (RuleKind) */
  readonly kind = new Uint8Array(MAX_COLUMNS);
  /** offset (Offset/ValOffset, already scaled by data_align), register (Register), or expression start */
  readonly value = new Float64Array(MAX_COLUMNS);
  /** expression length (Expression/ValExpression) */
  readonly aux = new Float64Array(MAX_COLUMNS);
  /** 1 + the highest column that may hold a rule; columns at or above it are Unspecified */
  columns = 0;
  cfaKind: CfaKind = CfaKind.Unset;
  cfaReg = -1;
  cfaOffset = 0;
  cfaExprStart = 0;
  cfaExprLen = 0;
  /** AArch64: 1 while the return address is signed (DW_CFA_AARCH64_negate_ra_state toggles it) */
  raSigned = 0;
  /** last DW_CFA_GNU_args_size */
  argsSize = 0;
  /** the current row covers [rowStart, rowEnd) */
  rowStart = 0;
  rowEnd = 0;
  fde: Fde | undefined;
  cie: Cie | undefined;

  private readonly rd: ByteReader;
  private readonly aarch64: boolean;
  // rules after the CIE's initial instructions, for DW_CFA_restore*
  private readonly initKind = new Uint8Array(MAX_COLUMNS);
  private readonly initValue = new Float64Array(MAX_COLUMNS);
  private readonly initAux = new Float64Array(MAX_COLUMNS);
  private initColumns = 0;
  // DW_CFA_remember_state stack: MAX_STATE_DEPTH frames of MAX_COLUMNS entries
  private readonly stKind = new Uint8Array(MAX_STATE_DEPTH * MAX_COLUMNS);
  private readonly stValue = new Float64Array(MAX_STATE_DEPTH * MAX_COLUMNS);
  private readonly stAux = new Float64Array(MAX_STATE_DEPTH * MAX_COLUMNS);
  private readonly stScalars = new Float64Array(MAX_STATE_DEPTH * 7);
  private depth = 0;
  private loc = 0;
  private pcEnd = 0;
  private started = false;
  private finished = true;
  private readonly setLoc = newPointerValue();
  /** state after each CIE's initial instructions, so that a CIE program runs once, not once per FDE */
  private readonly cieStates = new Map<number, CieState | FormatError>();

  constructor(readonly cfi: CfiSection) {
    this.rd = new ByteReader(cfi.data, cfi.elf.le, cfi.section.offset, cfi.section.name || cfi.kind);
    this.aarch64 = cfi.isAArch64;
  }

  /** Starts evaluating `fde`: runs its CIE's initial instructions. Rows then come from `next()` or `seek()`. */
  begin(fde: Fde): void {
    const cie = fde.cie;
    this.fde = fde;
    this.cie = cie;
    this.started = false;
    this.finished = true; // until the CIE program has run
    this.kind.fill(0, 0, this.columns);
    this.columns = 0;
    this.cfaKind = CfaKind.Unset;
    this.cfaReg = -1;
    this.cfaOffset = 0;
    this.cfaExprStart = 0;
    this.cfaExprLen = 0;
    this.raSigned = 0;
    this.argsSize = 0;
    this.depth = 0;
    this.initColumns = 0;
    this.loc = fde.pcBegin;
    this.pcEnd = fde.pcBegin + fde.pcRange;
    this.rowStart = this.rowEnd = fde.pcBegin;
    this.applyCie(cie);
    this.initColumns = this.columns;
    copyRules(this.kind, this.value, this.aux, 0, this.initKind, this.initValue, this.initAux, 0, this.columns);
    this.depth = 0; // remember_state in a CIE does not carry into the FDE
    this.rd.pos = fde.insnStart;
    this.rd.end = fde.insnEnd;
    this.started = false;
    this.finished = false;
  }

  /**
   * Moves to the next row (the first one after `begin`); false when there is none. Rows of zero
   * length (two advances to one location) are merged: the row shows the state after both.
   * Throws FormatError for a bad instruction; the evaluator then needs `begin` again.
   */
  next(): boolean {
    if (this.finished) return false;
    if (this.started) this.rowStart = this.loc;
    this.started = true;
    this.finished = !this.run(false);
    this.rowEnd = this.finished ? Math.max(this.pcEnd, this.loc) : this.loc;
    if (this.finished) this.rowStart = Math.min(this.rowStart, this.rowEnd);
    return true;
  }

  /** Positions on the row covering `addr` (restarting when `addr` is behind); false when `addr` is outside the FDE. */
  seek(addr: number): boolean {
    const fde = this.fde;
    if (!fde || addr < fde.pcBegin || addr >= this.pcEnd) return false;
    if (!this.started || addr < this.rowStart) {
      this.begin(fde);
      this.next();
    }
    while (addr >= this.rowEnd) if (!this.next()) break;
    return addr >= this.rowStart && addr < this.rowEnd;
  }

  /** The rule kind of register column `col`. */
  rule(col: number): RuleKind {
    return col < this.columns ? (this.kind[col] as RuleKind) : RuleKind.Unspecified;
  }

  /**
   * Executes instructions until a location advance that ends the current row (returns true, with
   * `loc` moved) or the end of the block (returns false).
   */
  private run(inCie: boolean): boolean {
    const rd = this.rd;
    const cie = this.cie as Cie;
    const caf = cie.codeAlign;
    const daf = cie.dataAlign;
    while (rd.pos < rd.end) {
      const opPos = rd.pos;
      const op = rd.data[rd.pos++];
      let delta = -1;
      switch (op & 0xc0) {
        case DW_CFA.advance_loc:
          delta = (op & 0x3f) * caf;
          break;
        case DW_CFA.offset:
          this.setRule(op & 0x3f, RuleKind.Offset, rd.uleb() * daf, 0);
          continue;
        case DW_CFA.restore:
          this.restore(op & 0x3f);
          continue;
        default:
          break;
      }
      if (delta < 0) {
        switch (op) {
          case DW_CFA.nop:
            continue;
          case DW_CFA.set_loc: {
            this.readSetLoc(cie);
            if (inCie) continue;
            if (this.setLoc.value < this.loc) rd.fail(`DW_CFA_set_loc moves backwards to 0x${this.setLoc.value.toString(16)}`, opPos);
            delta = this.setLoc.value - this.loc;
            break;
          }
          case DW_CFA.advance_loc1: delta = rd.u8() * caf; break;
          case DW_CFA.advance_loc2: delta = rd.u16() * caf; break;
          case DW_CFA.advance_loc4: delta = rd.u32() * caf; break;
          case DW_CFA.MIPS_advance_loc8: delta = rd.u64() * caf; break;
          case DW_CFA.offset_extended: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.Offset, rd.uleb() * daf, 0);
            continue;
          }
          case DW_CFA.offset_extended_sf: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.Offset, rd.sleb() * daf, 0);
            continue;
          }
          case DW_CFA.GNU_negative_offset_extended: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.Offset, -rd.uleb() * daf, 0);
            continue;
          }
          case DW_CFA.val_offset: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.ValOffset, rd.uleb() * daf, 0);
            continue;
          }
          case DW_CFA.val_offset_sf: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.ValOffset, rd.sleb() * daf, 0);
            continue;
          }
          case DW_CFA.restore_extended:
            this.restore(rd.uleb());
            continue;
          case DW_CFA.undefined:
            this.setRule(rd.uleb(), RuleKind.Undefined, 0, 0);
            continue;
          case DW_CFA.same_value:
            this.setRule(rd.uleb(), RuleKind.SameValue, 0, 0);
            continue;
          case DW_CFA.register: {
            const r = rd.uleb();
            this.setRule(r, RuleKind.Register, rd.uleb(), 0);
            continue;
          }
          case DW_CFA.remember_state:
            this.remember(opPos);
            continue;
          case DW_CFA.restore_state:
            this.restoreState(opPos);
            continue;
          case DW_CFA.def_cfa:
            this.cfaReg = rd.uleb();
            this.cfaOffset = rd.uleb();
            this.cfaKind = CfaKind.RegOffset;
            continue;
          case DW_CFA.def_cfa_sf:
            this.cfaReg = rd.uleb();
            this.cfaOffset = rd.sleb() * daf;
            this.cfaKind = CfaKind.RegOffset;
            continue;
          case DW_CFA.def_cfa_register:
            // from an expression (or nothing) the offset starts at 0
            if (this.cfaKind !== CfaKind.RegOffset) this.cfaOffset = 0;
            this.cfaReg = rd.uleb();
            this.cfaKind = CfaKind.RegOffset;
            continue;
          case DW_CFA.def_cfa_offset: {
            const off = rd.uleb();
            if (this.cfaKind !== CfaKind.Expression) this.cfaOffset = off;
            continue;
          }
          case DW_CFA.def_cfa_offset_sf: {
            const off = rd.sleb() * daf;
            if (this.cfaKind !== CfaKind.Expression) this.cfaOffset = off;
            continue;
          }
          case DW_CFA.def_cfa_expression: {
            const len = rd.uleb();
            this.cfaExprStart = rd.pos;
            this.cfaExprLen = len;
            this.skip(len, opPos);
            this.cfaKind = CfaKind.Expression;
            continue;
          }
          case DW_CFA.expression:
          case DW_CFA.val_expression: {
            const r = rd.uleb();
            const len = rd.uleb();
            const start = rd.pos;
            this.skip(len, opPos);
            this.setRule(r, op === DW_CFA.expression ? RuleKind.Expression : RuleKind.ValExpression, start, len);
            continue;
          }
          case DW_CFA.GNU_args_size:
            this.argsSize = rd.uleb();
            continue;
          case DW_CFA.AARCH64_negate_ra_state:
            // elsewhere 0x2d is SPARC's GNU_window_save, meaningless for the arches objflow reads
            if (this.aarch64) this.raSigned ^= 1;
            continue;
          default:
            return rd.fail(`unknown DW_CFA opcode 0x${op.toString(16)}`, opPos);
        }
      }
      if (inCie || delta === 0) continue;
      this.loc += delta;
      return true;
    }
    return false;
  }

  /** Sets the state after `cie`'s initial instructions (run on first use, then replayed from the cache). */
  private applyCie(cie: Cie): void {
    let st = this.cieStates.get(cie.offset);
    if (st === undefined) {
      try {
        // location advances in a CIE have no meaning and are ignored
        this.rd.pos = cie.insnStart;
        this.rd.end = cie.insnEnd;
        this.run(true);
        st = this.snapshotCie();
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        st = e;
      }
      this.cieStates.set(cie.offset, st);
    }
    if (st instanceof FormatError) throw st;
    this.kind.fill(0, 0, this.columns);
    this.columns = st.columns;
    for (let i = 0; i < st.cols.length; i++) {
      const c = st.cols[i];
      this.kind[c] = st.kinds[i];
      this.value[c] = st.values[i];
      this.aux[c] = st.aux[i];
    }
    this.cfaKind = st.cfaKind;
    this.cfaReg = st.cfaReg;
    this.cfaOffset = st.cfaOffset;
    this.cfaExprStart = st.cfaExprStart;
    this.cfaExprLen = st.cfaExprLen;
    this.raSigned = st.raSigned;
    this.argsSize = st.argsSize;
  }

  /** The current state, sparse (only columns with a rule: memory stays proportional to the CIE's bytes). */
  private snapshotCie(): CieState {
    let n = 0;
    for (let c = 0; c < this.columns; c++) if (this.kind[c] !== RuleKind.Unspecified) n++;
    const cols = new Uint16Array(n);
    const kinds = new Uint8Array(n);
    const values = new Float64Array(n);
    const aux = new Float64Array(n);
    for (let c = 0, i = 0; c < this.columns; c++) {
      if (this.kind[c] === RuleKind.Unspecified) continue;
      cols[i] = c;
      kinds[i] = this.kind[c];
      values[i] = this.value[c];
      aux[i] = this.aux[c];
      i++;
    }
    return {
      columns: this.columns, cols, kinds, values, aux, cfaKind: this.cfaKind, cfaReg: this.cfaReg, cfaOffset: this.cfaOffset,
      cfaExprStart: this.cfaExprStart, cfaExprLen: this.cfaExprLen, raSigned: this.raSigned, argsSize: this.argsSize,
    };
  }

  /** DW_CFA_set_loc's operand: an FDE-encoded pointer (.eh_frame) or an address_size address (.debug_frame), relocated in objects. */
  private readSetLoc(cie: Cie): void {
    const rd = this.rd;
    const pointers = this.cfi.pointers;
    if (this.cfi.kind === 'eh_frame') {
      pointers.read(rd, cie.fdeEncoding, this.fde?.pcBegin ?? 0, this.setLoc);
      return;
    }
    const field = rd.pos;
    const raw = rd.uN(cie.addressSize);
    this.setLoc.value = pointers.relocatedOr(field, raw);
  }

  private setRule(col: number, kind: RuleKind, value: number, aux: number): void {
    if (col >= MAX_COLUMNS) this.rd.fail(`register column ${col} is beyond the ${MAX_COLUMNS} columns tracked`);
    if (col >= this.columns) {
      this.kind.fill(0, this.columns, col + 1);
      this.columns = col + 1;
    }
    this.kind[col] = kind;
    this.value[col] = value;
    this.aux[col] = aux;
  }

  private restore(col: number): void {
    if (col < this.initColumns) {
      this.setRule(col, this.initKind[col] as RuleKind, this.initValue[col], this.initAux[col]);
    } else if (col < this.columns) {
      this.kind[col] = RuleKind.Unspecified;
    } else if (col >= MAX_COLUMNS) {
      this.rd.fail(`register column ${col} is beyond the ${MAX_COLUMNS} columns tracked`);
    }
  }

  private remember(opPos: number): void {
    if (this.depth >= MAX_STATE_DEPTH) this.rd.fail(`DW_CFA_remember_state nested deeper than ${MAX_STATE_DEPTH}`, opPos);
    const base = this.depth * MAX_COLUMNS;
    const n = this.columns;
    copyRules(this.kind, this.value, this.aux, 0, this.stKind, this.stValue, this.stAux, base, n);
    const s = this.depth * 7;
    const sc = this.stScalars;
    sc[s] = n;
    sc[s + 1] = this.cfaKind;
    sc[s + 2] = this.cfaReg;
    sc[s + 3] = this.cfaOffset;
    sc[s + 4] = this.cfaExprStart;
    sc[s + 5] = this.cfaExprLen;
    sc[s + 6] = this.raSigned;
    this.depth++;
  }

  private restoreState(opPos: number): void {
    if (this.depth === 0) this.rd.fail('DW_CFA_restore_state without a remembered state', opPos);
    this.depth--;
    const base = this.depth * MAX_COLUMNS;
    const s = this.depth * 7;
    const sc = this.stScalars;
    const n = sc[s];
    if (this.columns > n) this.kind.fill(0, n, this.columns);
    this.columns = n;
    copyRules(this.stKind, this.stValue, this.stAux, base, this.kind, this.value, this.aux, 0, n);
    this.cfaKind = sc[s + 1] as CfaKind;
    this.cfaReg = sc[s + 2];
    this.cfaOffset = sc[s + 3];
    this.cfaExprStart = sc[s + 4];
    this.cfaExprLen = sc[s + 5];
    this.raSigned = sc[s + 6];
  }

  private skip(len: number, opPos: number): void {
    const rd = this.rd;
    if (len > rd.end - rd.pos) rd.fail(`DWARF expression of ${len} bytes runs past the instructions`, opPos);
    rd.pos += len;
  }
}

interface CieState {
  columns: number;
  cols: Uint16Array;
  kinds: Uint8Array;
  values: Float64Array;
  aux: Float64Array;
  cfaKind: CfaKind;
  cfaReg: number;
  cfaOffset: number;
  cfaExprStart: number;
  cfaExprLen: number;
  raSigned: number;
  argsSize: number;
}

/** Copies `n` column rules between rule arrays (a loop: the counts are small and subarray views would allocate). */
function copyRules(
  kind: Uint8Array, value: Float64Array, aux: Float64Array, from: number,
  toKind: Uint8Array, toValue: Float64Array, toAux: Float64Array, to: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    toKind[to + i] = kind[from + i];
    toValue[to + i] = value[from + i];
    toAux[to + i] = aux[from + i];
  }
}
