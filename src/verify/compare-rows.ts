/**
 * Compares objflow's unwind rows with per-instruction oracle rows (the compiler's `.eh_frame` as
 * cfa_table.py spells it). The CFA is compared by value: an oracle `rsp+N` agrees with a row whose
 * `sp` is N, an oracle `rbp+N` (frame pointer) with a row whose `fpv` is N; `ra` and `fp` compare as
 * strings. Oracle rows without a CFA (no FDE) or with a DWARF expression are counted apart.
 */
import type { UnwindRow } from '../unwind/table.js';

export interface OracleRow {
  sec?: string;
  addr: number;
  cfa: string | null;
  ra?: string;
  fp?: string;
  pac?: number;
}

export interface RowComparison {
  compared: number;
  agree: number;
  /** oracle instructions without a usable CFA rule (no FDE, expression) */
  skipped: number;
  disagreements: { sec: string; addr: number; func: string | null; field: string; oracle: string; ours: string }[];
}

/** Does our row agree with the oracle at one instruction? Returns '' or the first differing field. */
export function disagreement(o: OracleRow, r: UnwindRow | undefined, spName: string, fpName: string): string {
  const m = /^([a-z0-9]+)([+-]\d+)$/.exec(o.cfa ?? '');
  if (!m) return 'cfa';
  const base = m[1] === spName ? CfaBaseKind.Sp : m[1] === fpName ? CfaBaseKind.Fp : CfaBaseKind.Other;
  return disagreementParsed(o, base, Number(m[2]), r);
}

/** How an oracle CFA is based: on the stack pointer, the frame pointer, or another register. */
export const CfaBaseKind = { Sp: 0, Fp: 1, Other: 2 } as const;

/**
 * `disagreement` with the oracle CFA already split into its base and offset (verify evaluates
 * the table itself and knows both as numbers: no parsing per instruction).
 */
export function disagreementParsed(o: OracleRow, base: number, off: number, r: UnwindRow | undefined): string {
  if (!r || r.cfa === null) return 'cfa';
  if (base === CfaBaseKind.Sp) { if (r.sp !== off) return 'cfa'; }
  else if (base === CfaBaseKind.Fp) { if (r.fpv !== off) return 'cfa'; }
  else if (r.cfa !== o.cfa) return 'cfa';
  if (o.ra !== undefined && o.ra !== r.ra && o.ra !== r.equiv?.ra) return 'ra';
  if (o.fp !== undefined && o.fp !== r.fp && o.fp !== r.equiv?.fp) return 'fp';
  if ((o.pac ?? 0) !== (r.pac ?? 0)) return 'pac';
  return '';
}

/**
 * Walks the oracle rows (sorted by section and address, as cfa_table.py writes them) against our
 * rows, which hold until the next row of the same section.
 */
export function compareRows(oracle: readonly OracleRow[], rows: readonly UnwindRow[], spName: string, fpName: string, keep = 50): RowComparison {
  const bySec = new Map<string, UnwindRow[]>();
  for (const r of rows) {
    let l = bySec.get(r.sec);
    if (!l) { l = []; bySec.set(r.sec, l); }
    l.push(r);
  }
  const out: RowComparison = { compared: 0, agree: 0, skipped: 0, disagreements: [] };
  for (const o of oracle) {
    if (o.cfa === null || o.cfa === 'expr') { out.skipped++; continue; }
    const list = bySec.get(o.sec ?? '') ?? (o.sec === undefined ? findAnySection(bySec, o.addr) : undefined);
    const r = list ? rowAt(list, o.addr) : undefined;
    out.compared++;
    const d = disagreement(o, r, spName, fpName);
    if (!d) { out.agree++; continue; }
    if (out.disagreements.length < keep) {
      const ours = r ? (d === 'cfa' ? `${r.cfa} sp=${r.sp} fpv=${r.fpv}` : String((r as unknown as Record<string, unknown>)[d])) : 'none';
      const theirs = d === 'cfa' ? String(o.cfa) : String((o as unknown as Record<string, unknown>)[d]);
      out.disagreements.push({ sec: o.sec ?? r?.sec ?? '', addr: o.addr, func: r?.func ?? null, field: d, oracle: theirs, ours });
    }
  }
  return out;
}

function rowAt(list: readonly UnwindRow[], addr: number): UnwindRow | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].addr <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best >= 0 ? list[best] : undefined;
}

function findAnySection(bySec: Map<string, UnwindRow[]>, addr: number): UnwindRow[] | undefined {
  let best: UnwindRow[] | undefined;
  let bestStart = -1;
  for (const l of bySec.values()) {
    if (l.length && l[0].addr <= addr && l[0].addr > bestStart) { best = l; bestStart = l[0].addr; }
  }
  return best;
}
