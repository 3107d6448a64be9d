/**
 * Spellings of verify results: the text report for people, JSON Lines (one line per FDE, then the
 * summary), and SARIF results (one per mismatch).
 */
import type { SarifResult, SarifRule } from '../report/sarif.js';
import type { FdeVerdict, VerifyReport, VerifySummary } from './verify.js';

const RULE_NAMES: Record<string, string> = {
  cfa: 'CFA', ra: 'return address', fp: 'frame pointer', pac: 'return-address signing state',
};

/** Text: each mismatch (function, first difference, path, all addresses); unknowns when `verbose`. */
export function textReport(r: VerifyReport, verbose: boolean, synchronous = false): string {
  const out: string[] = [];
  writeTextReport(r, verbose, synchronous, { line: (s) => { out.push(s); } });
  return `${out.join('\n')}\n`;
}

/**
 * The text report line by line (a library's is tens of MB: the CLI writes it in batches, as one
 * string it would be that much memory first touched again for its bytes).
 */
export function writeTextReport(r: VerifyReport, verbose: boolean, synchronous: boolean, out: { line(s: string): void }): void {
  const hex = (n: number): string => `0x${n.toString(16)}`;
  for (const v of r.verdicts) {
    if (v.status === 'mismatch' && v.first) {
      const f = v.first;
      const at = v.firstWhere === hex(f.addr) ? v.firstWhere : `${v.firstWhere} (${hex(f.addr)})`;
      out.line(`${r.file}: ${v.func}: FDE ${v.sec} ${hex(v.start)}..${hex(v.end)}: mismatch at ${at}: ` +
        `${RULE_NAMES[f.rule]}: table says ${f.table}, code has ${f.code}`);
      const steps = v.path.map((s) => `${s.where} (${s.taken ? 'taken' : 'not taken'})`);
      out.line(`    path: ${[`${v.entry} (entry)`, ...steps].join(' -> ')}`);
      const shown = v.addrs.slice(0, 16).map(hex).join(' ');
      out.line(`    differs at ${v.addrs.length} instruction${v.addrs.length === 1 ? '' : 's'}: ${shown}${v.addrs.length > 16 ? ' ...' : ''}`);
    } else if (verbose && v.status === 'unknown') {
      out.line(`${r.file}: ${v.func}: FDE ${v.sec} ${hex(v.start)}..${hex(v.end)}: unknown: ${v.reason}`);
    }
  }
  for (const pr of r.problems) out.line(`${r.file}: unreadable table entry: ${pr}`);
  out.line(`${r.file}: ${summaryText(r.summary)}${unknownBreakdown(r.verdicts)}`);
  const sync = r.verdicts.reduce((n, v) => n + (v.synchronousShape ? 1 : 0), 0);
  if (!synchronous && sync > 0 && sync * 2 >= r.summary.mismatch) {
    // most mismatches are prologues described only once complete, and calls agree: the table is
    // likely synchronous by design, not wrong
    out.line(`${r.file}: note: ${sync} of ${r.summary.mismatch} mismatching FDEs differ only in their prologue, between calls, as synchronous ` +
      'unwind tables (-fno-asynchronous-unwind-tables) do; --synchronous compares at calls only');
  }
}

export function summaryText(s: VerifySummary): string {
  const share = s.fdes ? ` (${(100 * s.agrees / s.fdes).toFixed(1)}%)` : '';
  return `${s.fdes} FDEs: ${s.agrees} agree${share}, ${s.mismatch} mismatch, ${s.unknown} unknown`;
}

/** Unknown FDEs counted by reason (the reason without its detail). */
export function unknownReasons(verdicts: readonly FdeVerdict[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of verdicts) {
    if (v.status !== 'unknown' || !v.reason) continue;
    const k = reasonClass(v.reason);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function reasonClass(reason: string): string {
  const cut = reason.indexOf(' (');
  return cut < 0 ? reason : reason.slice(0, cut);
}

function unknownBreakdown(verdicts: readonly FdeVerdict[]): string {
  const m = unknownReasons(verdicts);
  if (m.size === 0) return '';
  return ` (${[...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ')})`;
}

/** One JSON line per FDE in the documented field order. */
export function jsonLine(v: FdeVerdict): string {
  // spelled directly (a line per FDE, ~10^5 in a large library): only strings and `first` go through JSON
  let addrs = '';
  for (let k = 0; k < v.addrs.length; k++) addrs += (k ? ',' : '') + jsonNumber(v.addrs[k]);
  return `{"func":${JSON.stringify(v.func)},"start":${jsonNumber(v.start)},"end":${jsonNumber(v.end)},` +
    `"status":${JSON.stringify(v.status)},"addrs":[${addrs}],"first":${v.first === null ? 'null' : JSON.stringify(v.first)},` +
    `"reason":${v.reason === null ? 'null' : JSON.stringify(v.reason)}}`;
}

/** A number as JSON.stringify writes it (non-finite numbers become null). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

export function jsonSummary(s: VerifySummary): string {
  return JSON.stringify({ summary: { fdes: s.fdes, agrees: s.agrees, mismatch: s.mismatch, unknown: s.unknown } });
}

export const SARIF_RULES: SarifRule[] = [
  { id: 'cfi-cfa', text: 'The unwind table gives a CFA the code does not establish' },
  { id: 'cfi-ra', text: 'The unwind table locates the return address where the code does not keep it' },
  { id: 'cfi-fp', text: 'The unwind table locates the frame pointer where the code does not keep it' },
  { id: 'cfi-pac', text: 'The unwind table and the code disagree on whether the return address is signed' },
];

/** One SARIF result per mismatching FDE, the path as its code flow. */
export function sarifResults(r: VerifyReport): SarifResult[] {
  const out: SarifResult[] = [];
  const relocatable = r.relocatable;
  for (const v of r.verdicts) {
    if (v.status !== 'mismatch' || !v.first) continue;
    const f = v.first;
    const sec = relocatable ? v.sec : undefined;
    out.push({
      ruleId: `cfi-${f.rule}`,
      level: 'error',
      message: `${v.func}: ${RULE_NAMES[f.rule]}: the table (${v.table === 'eh_frame' ? '.eh_frame' : '.debug_frame'}) says ${f.table}, the code has ${f.code}` +
        ` at ${v.firstWhere}${v.addrs.length > 1 ? ` and ${v.addrs.length - 1} more instruction${v.addrs.length > 2 ? 's' : ''}` : ''}`,
      location: { file: r.file, addr: f.addr, where: v.firstWhere ?? undefined, func: v.func, sec },
      flow: [
        { location: { file: r.file, where: v.entry ?? undefined, func: v.func, sec }, message: 'function entry' },
        ...v.path.map((s) => ({ location: { file: r.file, addr: s.addr, where: s.where, func: v.func, sec }, message: s.taken ? 'branch taken' : 'branch not taken' })),
        { location: { file: r.file, addr: f.addr, where: v.firstWhere ?? undefined, func: v.func, sec }, message: `table and code differ (${f.rule})` },
      ],
      properties: { fdeStart: v.start, fdeEnd: v.end, addrs: v.addrs, table: f.table, code: f.code },
    });
  }
  return out;
}

