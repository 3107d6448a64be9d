/**
 * `objflow verify [--format text|json|sarif] [--verbose] [--synchronous] FILE...`: the unwind tables
 * of each file against its code (`--synchronous`: tables made to be exact at call sites only). Exit status: 0 every FDE agrees or is unknown, 1 mismatches found, 2 unusable
 * input (unreadable, unsupported, no unwind tables) or command line.
 */
import { utf8Only } from '../byte-strings.js';
import { readFileSync } from 'node:fs';
import { isFormatError } from '../elf/errors.js';
import { LineOutput, byteSink } from './line-output.js';
import { sarifLog } from '../report/sarif.js';
import type { SarifResult } from '../report/sarif.js';
import { SARIF_RULES, jsonLine, jsonSummary, sarifResults, writeTextReport, summaryText } from '../verify/report.js';
import { verifyFile } from '../verify/verify.js';
import type { VerifySummary } from '../verify/verify.js';

const USAGE = 'usage: objflow verify [--format text|json|sarif] [--verbose] [--synchronous] FILE...\n';

export async function verifyCommand(argv: readonly string[], io: { out(s: string): void; err(s: string): void }): Promise<number> {
  const files: string[] = [];
  let format = 'text';
  let verbose = false;
  let synchronous = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--format') format = argv[++k] ?? '';
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--synchronous') synchronous = true;
    else if (a === '--') { files.push(...argv.slice(k + 1)); break; }
    else if (a.startsWith('-')) { io.err(`objflow: verify: unknown option ${a}\n${USAGE}`); return 2; }
    else files.push(a);
  }
  if ((format !== 'text' && format !== 'json' && format !== 'sarif') || files.length === 0) {
    io.err(USAGE);
    return 2;
  }
  let unusable = false;
  const total: VerifySummary = { fdes: 0, agrees: 0, mismatch: 0, unknown: 0 };
  const sarif: SarifResult[] = [];
  for (const f of files) {
    let report;
    try {
      report = await verifyFile(f, true, { synchronous, paths: format !== 'json' });
    } catch (e) {
      if (!isFormatError(e)) throw e;
      io.err(`objflow: ${f}: ${e.message}\n`);
      unusable = true;
      continue;
    }
    // the verdicts still come, but those of code the analysis never reached would otherwise look ordinary
    if (report.stopped) io.err(`objflow: ${f}: the analysis stopped early: ${report.stopped}; code it had not reached is unknown\n`);
    const s = report.summary;
    total.fdes += s.fdes; total.agrees += s.agrees; total.mismatch += s.mismatch; total.unknown += s.unknown;
    if (format === 'text') {
      const lines = new LineOutput(byteSink(io), false);
      writeTextReport(report, verbose, synchronous, lines);
      lines.flush();
    }
    else if (format === 'json') {
      const lines = new LineOutput(byteSink(io));
      for (const v of report.verdicts) lines.line(jsonLine(v));
      lines.flush();
      for (const pr of report.problems) io.err(`objflow: ${f}: unreadable table entry: ${pr}\n`);
    } else sarif.push(...sarifResults(report));
  }
  if (format === 'json') io.out(`${jsonSummary(total)}\n`);
  else if (format === 'sarif') io.out(utf8Only(sarifLog({ name: 'objflow', version: packageVersion(), informationUri: 'https://github.com/objflow/objflow' }, SARIF_RULES, sarif)));
  else if (files.length > 1) io.out(`total: ${summaryText(total)}\n`);
  if (unusable) return 2;
  return total.mismatch > 0 ? 1 : 0;
}

function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const v = (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version?: unknown }).version;
      if (typeof v === 'string') return v;
    } catch {
      // not at this depth (src/ run directly or dist/)
    }
  }
  return '0.0.0';
}
