/**
 * AArch64 operand fields for the forms a jump-table recogniser follows (slow path, one object per
 * call): address formation (adrp/adr/add), table loads (ldrb/ldrh/ldr/ldrsw), the bounds check
 * (cmp/subs + b.cond, cbz/cbnz/tbz/tbnz) and the final `br`.
 *
 * Register numbers are 0..31; whether 31 means sp or the zero register is given by `rdIsSp` /
 * `rnIsSp` (the encoding decides, not the number).
 */

export const OperandForm = {
  Unknown: 0,
  /** rd = page of (pc + imm); `imm` holds the page address */
  Adrp: 1,
  /** rd = pc + imm; `imm` holds the address */
  Adr: 2,
  /** add/sub/adds/subs (immediate): rd = rn ± imm (`sub`, `setsFlags`); cmp/cmn when rd is zr */
  AddImm: 3,
  /** add/sub/adds/subs (extended register): rd = rn ± extend(rm) << amount */
  AddExtReg: 4,
  /** add/sub/adds/subs (shifted register): rd = rn ± shift(rm, amount) */
  AddShiftReg: 5,
  /** ldrb/ldrh/ldr/ldrsb/ldrsh/ldrsw rt, [rn, rm{, extend #amount}] */
  LoadRegOffset: 6,
  /** ldrb/ldrh/ldr/ldrsb/ldrsh/ldrsw rt, [rn, #imm] (also unscaled, pre/post-index: `writeBack`) */
  LoadImm: 7,
  /** b.cond / bc.cond: `cond`, `target` */
  BCond: 8,
  /** cbz/cbnz rt: `nonZero`, `target` */
  CompareBranch: 9,
  /** tbz/tbnz rt, #bit: `nonZero`, `bit`, `target` */
  TestBranch: 10,
  /** br rn (plain or authenticated) */
  BranchReg: 11,
} as const;
export type OperandForm = (typeof OperandForm)[keyof typeof OperandForm];

/** Extend/shift of the register operand: values follow the encoding's `option` (uxtb=0..sxtx=7); then shifts. */
export const Extend = {
  Uxtb: 0, Uxth: 1, Uxtw: 2, Uxtx: 3, Sxtb: 4, Sxth: 5, Sxtw: 6, Sxtx: 7,
  Lsl: 8, Lsr: 9, Asr: 10, Ror: 11, None: 12,
} as const;
export type Extend = (typeof Extend)[keyof typeof Extend];

export const COND_NAMES: readonly string[] = [
  'eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv',
];

export interface Operands {
  readonly form: OperandForm;
  /** destination register (rt for loads and cbz/tbz), -1 when none */
  readonly rd: number;
  readonly rdIsSp: boolean;
  /** first source / base register, -1 when none */
  readonly rn: number;
  readonly rnIsSp: boolean;
  /** second source / index register, -1 when none */
  readonly rm: number;
  /** immediate (already shifted/scaled; for loads the displacement of the access), or address for adr/adrp */
  readonly imm: number;
  /** operation width in bits (32/64): of rd for arithmetic and loads, of rt for cbz/tbz */
  readonly width: number;
  readonly sub: boolean;
  readonly setsFlags: boolean;
  readonly extend: Extend;
  /** left shift applied to rm (extended/shifted register, register-offset loads) */
  readonly amount: number;
  /** loads: bytes read, and whether they are sign-extended */
  readonly accessSize: number;
  readonly signExtend: boolean;
  /** loads: pre/post-index update of rn */
  readonly writeBack: boolean;
  /** b.cond condition (0..15, see COND_NAMES), -1 otherwise */
  readonly cond: number;
  /** tbz/tbnz bit number, -1 otherwise */
  readonly bit: number;
  /** cbnz/tbnz (true) versus cbz/tbz (false) */
  readonly nonZero: boolean;
  /** branch target address, -1 when none */
  readonly target: number;
}

const NONE: Operands = {
  form: OperandForm.Unknown, rd: -1, rdIsSp: false, rn: -1, rnIsSp: false, rm: -1, imm: 0, width: 64,
  sub: false, setsFlags: false, extend: Extend.None, amount: 0, accessSize: 0, signExtend: false,
  writeBack: false, cond: -1, bit: -1, nonZero: false, target: -1,
};

/** Operand fields of word `w` (unsigned or signed 32-bit) at address `addr`. */
export function decodeOperands(w: number, addr: number): Operands {
  w >>>= 0;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const rm = (w >>> 16) & 31;
  const sf = w >>> 31;
  const width = sf ? 64 : 32;
  const top = w >>> 24;

  if ((top & 0x1f) === 0x10) { // adr, adrp
    const delta = ((w << 8) >> 13) * 4 + ((w >>> 29) & 3);
    if (sf) return { ...NONE, form: OperandForm.Adrp, rd, imm: Math.floor(addr / 4096) * 4096 + delta * 4096 };
    return { ...NONE, form: OperandForm.Adr, rd, imm: addr + delta };
  }
  if (((w >>> 23) & 0x3f) === 0x22) { // add/sub (immediate)
    const s = ((w >>> 29) & 1) === 1;
    const v = ((w >>> 10) & 0xfff) * ((w >>> 22) & 1 ? 4096 : 1);
    return { ...NONE, form: OperandForm.AddImm, rd, rdIsSp: !s, rn, rnIsSp: true, imm: v, width, sub: ((w >>> 30) & 1) === 1, setsFlags: s };
  }
  if (((w >>> 24) & 0x1f) === 0x0b) { // add/sub (shifted or extended register)
    const s = ((w >>> 29) & 1) === 1;
    const sub = ((w >>> 30) & 1) === 1;
    if ((w >>> 21) & 1) {
      if ((w >>> 22) & 3) return NONE;
      return {
        ...NONE, form: OperandForm.AddExtReg, rd, rdIsSp: !s, rn, rnIsSp: true, rm, width, sub, setsFlags: s,
        extend: ((w >>> 13) & 7) as Extend, amount: (w >>> 10) & 7,
      };
    }
    const shift = (w >>> 22) & 3;
    if (shift === 3) return NONE;
    return {
      ...NONE, form: OperandForm.AddShiftReg, rd, rn, rm, width, sub, setsFlags: s,
      extend: (Extend.Lsl + shift) as Extend, amount: (w >>> 10) & 63,
    };
  }
  if (top === 0x54) {
    return { ...NONE, form: OperandForm.BCond, cond: w & 15, target: addr + ((w << 8) >> 13) * 4 };
  }
  if ((top & 0x7e) === 0x34) {
    return { ...NONE, form: OperandForm.CompareBranch, rd, width, nonZero: (top & 1) === 1, target: addr + ((w << 8) >> 13) * 4 };
  }
  if ((top & 0x7e) === 0x36) {
    const bit = (sf << 5) | ((w >>> 19) & 31);
    return {
      ...NONE, form: OperandForm.TestBranch, rd, width: bit >= 32 ? 64 : 32, bit, nonZero: (top & 1) === 1,
      target: addr + ((w << 13) >> 18) * 4,
    };
  }
  if (
    (w & (0xfffffc1f | 0)) >>> 0 === 0xd61f0000 || // br
    (w & (0xfffff81f | 0)) >>> 0 === 0xd61f081f || // braaz, brabz
    (w & (0xfffff800 | 0)) >>> 0 === 0xd71f0800 // braa, brab
  ) {
    return { ...NONE, form: OperandForm.BranchReg, rn };
  }
  return load(w);
}

/** General-register loads (integer, not prefetch) in immediate and register-offset forms. */
function load(w: number): Operands {
  if (((w >>> 27) & 7) !== 7 || ((w >>> 25) & 3) !== 0 || (w >>> 26) & 1) return NONE;
  const size = w >>> 30;
  const opc = (w >>> 22) & 3;
  if (opc === 0 || (size === 3 && opc >= 2) || (size === 2 && opc === 3)) return NONE; // stores, prfm, unallocated
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const accessSize = 1 << size;
  const signExtend = opc >= 2;
  const width = opc === 2 || (opc === 1 && size === 3) ? 64 : 32;
  const common = { ...NONE, form: OperandForm.LoadImm, rd: rt, rn, rnIsSp: true, width, accessSize, signExtend };
  if ((w >>> 24) & 1) return { ...common, imm: ((w >>> 10) & 0xfff) * accessSize };
  const imm9 = (w << 11) >> 23;
  if (!((w >>> 21) & 1)) {
    const mode = (w >>> 10) & 3;
    if (mode === 2) return NONE; // unprivileged
    return { ...common, imm: mode === 1 ? 0 : imm9, writeBack: mode !== 0 }; // post-index reads at rn
  }
  if (((w >>> 10) & 3) !== 2 || !((w >>> 14) & 1)) return NONE;
  const option = (w >>> 13) & 7;
  return {
    ...common, form: OperandForm.LoadRegOffset, rm: (w >>> 16) & 31,
    extend: (option === 3 ? Extend.Lsl : option) as Extend, amount: (w >>> 12) & 1 ? size : 0,
  };
}
