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

/** Rule values (offsets, register numbers) numbered through a table rather than a map: -2048..2047. */
const SMALL_VALUES = 4096;
/** RuleKind values are below this. */
const RULE_KINDS = 8;

function signed(n: number): string {
  return n < 0 ? String(n) : '+' + n;
}

/**
 * `formatOracleRules` without building strings per row: the few distinct spellings a file's
 * tables use (`cfa-8`, `same`, `rsp+16`, ...) are made once and numbered. Equal spellings get one
 * number wherever they come from (`intern`), so a caller that spells its own rules through the same
 * speller compares rules as integers and turns them into text only for a report. For callers that
 * evaluate every row of every FDE (verify).
 */
export class RuleSpeller {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  private readonly ruleIds = new Map<number, number>();
  /** 1 + the number of (kind, value) for values within ±SMALL_VALUES/2, 0 where not made yet */
  private readonly smallIds = new Int32Array(RULE_KINDS * SMALL_VALUES);
  private readonly cfaIds = new Map<number, number>();
  private readonly raCol: number;
  private readonly fpCol: number;
  /** ids of `same` and `undef` (the spellings of registers without a saved location) */
  readonly sameId: number;
  readonly undefId: number;
  private readonly exprId: number;
  private readonly vexprId: number;

  constructor(private readonly machine: number) {
    this.raCol = machine === EM_X86_64 ? 16 : 30;
    this.fpCol = dwarfFramePointer(machine);
    this.sameId = this.intern('same');
    this.undefId = this.intern('undef');
    this.exprId = this.intern('expr');
    this.vexprId = this.intern('vexpr');
  }

  /** The number of a spelling (new spellings get the next one). */
  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** The spelling numbered `id`. */
  text(id: number): string {
    return this.texts[id];
  }

  /** The rules of the evaluator's current row into `out` (reused); `pac` set only when signed. */
  spell(ev: CfaEvaluator, out: OracleRules): OracleRules {
    out.cfa = this.text(this.cfaId(ev));
    out.ra = this.text(this.ruleId(ev, this.raColumn(ev)));
    out.fp = this.text(this.ruleId(ev, this.fpCol));
    if (ev.raSigned) out.pac = 1;
    else delete out.pac;
    return out;
  }

  /** The return-address column of the evaluator's FDE. */
  raColumn(ev: CfaEvaluator): number {
    return ev.cie ? ev.cie.raColumn : this.raCol;
  }

  /** The number of the current row's CFA rule (`formatCfa`). */
  cfaId(ev: CfaEvaluator): number {
    if (ev.cfaKind === CfaKind.Expression) return this.exprId;
    const reg = ev.cfaKind === CfaKind.Unset ? dwarfStackPointer(this.machine) : ev.cfaReg;
    const off = ev.cfaKind === CfaKind.Unset ? 0 : ev.cfaOffset;
    // registers below 4096 and offsets within ±2^31 key exactly; anything else is spelled afresh
    if (reg >= 4096 || !Number.isInteger(off) || Math.abs(off) >= 2 ** 31) return this.intern(formatCfa(ev, this.machine));
    const key = reg * 2 ** 32 + (off + 2 ** 31);
    let id = this.cfaIds.get(key);
    if (id === undefined) { id = this.intern(formatCfa(ev, this.machine)); this.cfaIds.set(key, id); }
    return id;
  }

  /** The number of the current row's rule for register column `col` (`formatRule`). */
  ruleId(ev: CfaEvaluator, col: number): number {
    const kind = ev.rule(col);
    if (kind === RuleKind.Unspecified || kind === RuleKind.SameValue) return this.sameId;
    if (kind === RuleKind.Undefined) return this.undefId;
    if (kind === RuleKind.Expression) return this.exprId;
    if (kind === RuleKind.ValExpression) return this.vexprId;
    return this.kindId(kind, ev.value[col], ev, col);
  }

  /** The number of `cfa+N` / `cfa-N` (a register saved at CFA + `off`), as tables and code spell it. */
  savedAtId(off: number): number {
    return this.kindId(RuleKind.Offset, off, undefined, 0);
  }

  private kindId(kind: RuleKind, v: number, ev: CfaEvaluator | undefined, col: number): number {
    // the common rules (a register saved near the CFA, a register number) by table: no key to hash
    const small = v + SMALL_VALUES / 2;
    if (small >= 0 && small < SMALL_VALUES && (small | 0) === small) {
      const at = kind * SMALL_VALUES + small;
      let id = this.smallIds[at] - 1;
      if (id < 0) {
        id = this.intern(ev ? formatRule(ev, this.machine, col) : 'cfa' + signed(v));
        this.smallIds[at] = id + 1;
      }
      return id;
    }
    const exact = Number.isInteger(v) && Math.abs(v) < 2 ** 31;
    if (!exact) return this.intern(ev ? formatRule(ev, this.machine, col) : 'cfa' + signed(v));
    const key = kind * 2 ** 32 + (v + 2 ** 31);
    let id = this.ruleIds.get(key);
    if (id === undefined) {
      id = this.intern(ev ? formatRule(ev, this.machine, col) : 'cfa' + signed(v));
      this.ruleIds.set(key, id);
    }
    return id;
  }
}
