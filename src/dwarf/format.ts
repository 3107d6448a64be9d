/**
 * Text spelling of unwind rules, identical to the test oracle `cfa_table.py` (the JSON lines it
 * writes per instruction): CFA "rsp+8" / "expr"; register rules "cfa-16", "val:cfa+0", "reg:x9",
 * "expr", "vexpr", "undef", "same" (explicit DW_CFA_same_value or no rule). Only for reports and
 * comparison; the evaluator itself never builds strings.
 */
import { EM_X86_64 } from '../elf/constants.js';
import { CfaKind, RuleKind, type CfaEvaluator } from './eval.js';

/** DWARF register numbers of x86-64 (System V psABI): 0..16, 16 being the return address (rip). */
const X86_64_DWARF_NAMES = [
  'rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip',
];

/** DWARF frame-pointer column: rbp (6) on x86-64, x29 on AArch64. */
export function dwarfFramePointer(machine: number): number {
  return machine === EM_X86_64 ? 6 : 29;
}

/** DWARF stack-pointer column: rsp (7) on x86-64, sp (31) on AArch64. */
export function dwarfStackPointer(machine: number): number {
  return machine === EM_X86_64 ? 7 : 31;
}

/** CFA minus sp right after a call: the pushed return address (8) on x86-64, nothing on AArch64. */
export function dwarfCallCfaOffset(machine: number): number {
  return machine === EM_X86_64 ? 8 : 0;
}

/** Name of DWARF register `r` for `machine` (EM_X86_64 or EM_AARCH64). */
export function dwarfRegName(machine: number, r: number): string {
  if (machine === EM_X86_64) return r < X86_64_DWARF_NAMES.length ? X86_64_DWARF_NAMES[r] : `r${r}`;
  if (r < 31) return `x${r}`;
  if (r === 31) return 'sp';
  if (r >= 64 && r < 96) return `v${r - 64}`;
  return `r${r}`;
}

/** The CFA rule of the evaluator's current row. A CFA never defined reads as sp+0, as the oracle starts. */
export function formatCfa(ev: CfaEvaluator, machine: number): string {
  if (ev.cfaKind === CfaKind.Expression) return 'expr';
  const reg = ev.cfaKind === CfaKind.Unset ? dwarfStackPointer(machine) : ev.cfaReg;
  const off = ev.cfaKind === CfaKind.Unset ? 0 : ev.cfaOffset;
  return dwarfRegName(machine, reg) + signed(off);
}

/** The rule of register column `col` in the evaluator's current row. */
export function formatRule(ev: CfaEvaluator, machine: number, col: number): string {
  const kind = ev.rule(col);
  switch (kind) {
    case RuleKind.Offset: return 'cfa' + signed(ev.value[col]);
    case RuleKind.ValOffset: return 'val:cfa' + signed(ev.value[col]);
    case RuleKind.Register: return 'reg:' + dwarfRegName(machine, ev.value[col]);
    case RuleKind.Expression: return 'expr';
    case RuleKind.ValExpression: return 'vexpr';
    case RuleKind.Undefined: return 'undef';
    default: return 'same';
  }
}

/** One oracle line's rule fields for the current row: cfa, ra (the CIE's return-address column), fp, pac. */
export interface OracleRules {
  cfa: string;
  ra: string;
  fp: string;
  pac?: 1;
}

export function formatOracleRules(ev: CfaEvaluator, machine: number): OracleRules {
  const ra = ev.cie ? ev.cie.raColumn : machine === EM_X86_64 ? 16 : 30;
  const out: OracleRules = {
    cfa: formatCfa(ev, machine),
    ra: formatRule(ev, machine, ra),
    fp: formatRule(ev, machine, dwarfFramePointer(machine)),
  };
  if (ev.raSigned) out.pac = 1;
  return out;
}

function signed(n: number): string {
  return n < 0 ? String(n) : '+' + n;
}

/**
 * `formatOracleRules` without building strings per row: the few distinct spellings a file's
 * tables use (`cfa-8`, `same`, `rsp+16`, ...) are made once and handed out again. For callers that
 * evaluate every row of every FDE (verify).
 */
export class RuleSpeller {
  private readonly rules = new Map<number, string>();
  private readonly cfas = new Map<number, string>();
  private readonly raCol: number;
  private readonly fpCol: number;

  constructor(private readonly machine: number) {
    this.raCol = machine === EM_X86_64 ? 16 : 30;
    this.fpCol = dwarfFramePointer(machine);
  }

  /** The rules of the evaluator's current row into `out` (reused); `pac` set only when signed. */
  spell(ev: CfaEvaluator, out: OracleRules): OracleRules {
    out.cfa = this.cfa(ev);
    out.ra = this.rule(ev, ev.cie ? ev.cie.raColumn : this.raCol);
    out.fp = this.rule(ev, this.fpCol);
    if (ev.raSigned) out.pac = 1;
    else delete out.pac;
    return out;
  }

  private cfa(ev: CfaEvaluator): string {
    if (ev.cfaKind === CfaKind.Expression) return 'expr';
    const reg = ev.cfaKind === CfaKind.Unset ? dwarfStackPointer(this.machine) : ev.cfaReg;
    const off = ev.cfaKind === CfaKind.Unset ? 0 : ev.cfaOffset;
    // registers below 4096 and offsets within ±2^31 key exactly; anything else is spelled afresh
    if (reg >= 4096 || !Number.isInteger(off) || Math.abs(off) >= 2 ** 31) return formatCfa(ev, this.machine);
    const key = reg * 2 ** 32 + (off + 2 ** 31);
    let s = this.cfas.get(key);
    if (s === undefined) { s = formatCfa(ev, this.machine); this.cfas.set(key, s); }
    return s;
  }

  private rule(ev: CfaEvaluator, col: number): string {
    const kind = ev.rule(col);
    const v = ev.value[col];
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 31) return formatRule(ev, this.machine, col);
    const key = kind * 2 ** 32 + (v + 2 ** 31);
    let s = this.rules.get(key);
    if (s === undefined) { s = formatRule(ev, this.machine, col); this.rules.set(key, s); }
    return s;
  }
}
