/**
 * The rules the code establishes, per analysis state, as numbers: the CFA as (base, offset) and as
 * sp/fp distances, the return-address and frame-pointer rules as spelling numbers of a shared
 * `RuleSpeller` (so a table rule and a code rule are equal exactly when `unwind` would spell them
 * alike). The same values as `rowFields` (unwind/table.ts) gives, without building a row object or a
 * string per state; states are computed on first use and kept in typed arrays indexed by state id.
 */
import { CfiBase } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import type { RuleSpeller } from '../dwarf/index.js';
import { cfaSpelling, fpDistance, hasCallFrame, spDistance } from '../unwind/table.js';
import { grown } from '../typed-arrays.js';

/** What verify compares, as numbers (`RULE_NAMES` spells them). */
export const Rule = { None: 0, Cfa: 1, Ra: 2, Fp: 3, Pac: 4 } as const;
export const RULE_NAMES = ['', 'cfa', 'ra', 'fp', 'pac'] as const;

/** `CodeRules.known` values. */
const NOT_YET = 0;
const LOST = 1;
const KNOWN = 2;

/** `CodeRules.savedBits`: the rule is `cfa±N` (saved in the frame). */
export const RA_SAVED = 1;
export const FP_SAVED = 2;

export class CodeRules {
  /** NOT_YET, LOST (no call-frame CFA: `rowFields` gives cfa null) or KNOWN, by state id */
  private known = new Uint8Array(0);
  /** CFA base register slot and offset */
  cfaBase = new Int32Array(0);
  cfaOff = new Int32Array(0);
  /** CFA - sp and CFA - fp where known, NaN where not (`rowFields`' null) */
  sp = new Float64Array(0);
  fpv = new Float64Array(0);
  /** spelling numbers of the rules, and of their equal-valued other spelling (-1: none) */
  ra = new Int32Array(0);
  fp = new Int32Array(0);
  raEquiv = new Int32Array(0);
  fpEquiv = new Int32Array(0);
  savedBits = new Uint8Array(0);
  private readonly regIds: number[] = [];
  private readonly cfaIds = new Map<number, number>();

  constructor(private readonly ctx: Context, private readonly speller: RuleSpeller) {
    this.grow(Math.max(1024, ctx.pool.count));
  }

  /** Computes state `id` on first use; true when it has a call-frame CFA (false: the frame state is lost). */
  ensure(id: number): boolean {
    if (id >= this.known.length) this.grow(Math.max(id + 1, this.known.length * 2));
    const k = this.known[id];
    if (k !== NOT_YET) return k === KNOWN;
    return this.compute(id);
  }

  /** The CFA of state `id` as `unwind` spells it (`rsp+16`). */
  cfaText(id: number): string {
    return this.speller.text(this.cfaId(id));
  }

  /** The spelling number of state `id`'s CFA (compared only when the table's CFA is on another register). */
  cfaId(id: number): number {
    const base = this.cfaBase[id];
    const off = this.cfaOff[id];
    const key = base * 2 ** 32 + (off + 2 ** 31);
    let s = this.cfaIds.get(key);
    if (s === undefined) {
      s = this.speller.intern(cfaSpelling(this.ctx.prog.arch.regs, base, off));
      this.cfaIds.set(key, s);
    }
    return s;
  }

  private compute(id: number): boolean {
    const { L, pool } = this.ctx;
    const a = this.ctx.prog.arch;
    const st = pool.view(id);
    if (!hasCallFrame(L, st, 0)) {
      this.known[id] = LOST;
      return false;
    }
    const FP = a.regs.fp;
    const RA = a.regs.ra;
    this.cfaBase[id] = st[L.cfaBase];
    this.cfaOff[id] = st[L.cfaOff];
    this.sp[id] = spDistance(L, a.regs, st, 0);
    this.fpv[id] = fpDistance(L, a.regs, st, 0);
    const sp2 = this.speller;
    const ra = this.rule(id, RA, a.callPushesRa ? sp2.undefId : sp2.sameId);
    const fp = this.rule(id, FP, sp2.sameId);
    this.ra[id] = ra;
    this.fp[id] = fp;
    this.savedBits[id] = (pool.get(id, 2 * RA) === CfiBase.Cfa ? RA_SAVED : 0) | (pool.get(id, 2 * FP) === CfiBase.Cfa ? FP_SAVED : 0);
    // a register equal to its save slot may be spelled either way: `same` or `cfa-N`
    this.raEquiv[id] = this.other(ra, pool.get(id, L.restored + RA));
    this.fpEquiv[id] = this.other(fp, pool.get(id, L.restored + FP));
    this.known[id] = KNOWN;
    return true;
  }

  /** `rowFields`' rule of register slot `r`; `inReg` when the register holds the caller's value. */
  private rule(id: number, r: number, inReg: number): number {
    const { pool } = this.ctx;
    const b = pool.get(id, 2 * r);
    if (b === CfiBase.Cfa) return this.speller.savedAtId(pool.get(id, 2 * r + 1));
    if (b === CfiBase.Undefined) return inReg;
    if (b >= 0) {
      if (b === r) return inReg;
      let s = this.regIds[b];
      if (s === undefined) {
        s = this.speller.intern(`reg:${this.ctx.prog.arch.regs.names[b]}`);
        this.regIds[b] = s;
      }
      return s;
    }
    return this.speller.undefId;
  }

  /** The other spelling of rule `text` for a register restored from / saved to CFA + `slot` (0: none). */
  private other(text: number, slot: number): number {
    if (!slot) return -1;
    // `rowFields` spells the slot `cfa${slot}`: the `cfa-N` rule for a slot below the CFA
    const saved = slot < 0 ? this.speller.savedAtId(slot) : this.speller.intern(`cfa${slot}`);
    if (text === this.speller.sameId) return saved;
    return text === saved ? this.speller.sameId : -1;
  }

  private grow(n: number): void {
    this.known = grown(this.known, n);
    this.cfaBase = grown(this.cfaBase, n);
    this.cfaOff = grown(this.cfaOff, n);
    this.sp = grown(this.sp, n);
    this.fpv = grown(this.fpv, n);
    this.ra = grown(this.ra, n);
    this.fp = grown(this.fp, n);
    this.raEquiv = grown(this.raEquiv, n);
    this.fpEquiv = grown(this.fpEquiv, n);
    this.savedBits = grown(this.savedBits, n);
  }
}
