/**
 * Unwind-row agreement over a directory of objects against cfa_table.py's rows (the compilers'
 * `.eh_frame`), with the oracle's output cached per object: shared by tools/compare-cfa-dir.ts and
 * the arm64 kernel corpus test. Objects are analysed in this process, one after the other.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyzeFile } from '../src/cli/analyze.js';
import { unwindOptions } from '../src/cli/unwind.js';
import { unwindRows } from '../src/unwind/table.js';
import type { UnwindRow } from '../src/unwind/table.js';
import { compareRows } from '../src/verify/compare-rows.js';
import type { OracleRow } from '../src/verify/compare-rows.js';

export const CFA_TABLE = '/work/shared/corpus/cfa_table.py';

export interface Disagreement {
  readonly obj: string;
  readonly sec: string;
  readonly addr: number;
  readonly func: string | null;
  readonly field: string;
  readonly oracle: string;
  readonly ours: string;
}

export interface ObjectOutcome {
  readonly obj: string;
  readonly compared: number;
  readonly agree: number;
  /** instructions neither side gives a comparable rule for */
  readonly skipped: number;
  readonly disagreements: Disagreement[];
  /** the analysis' warnings (objtool format) */
  readonly warnings: string[];
}

/**
 * The oracle rows for `obj` (relative path `rel` in build `build`), from the cache under
 * `cacheRoot/<build>/<rel>.cfa.jsonl`, made with cfa_table.py when missing or older than the object.
 */
export function oracleRows(obj: string, cacheRoot: string, build: string, rel: string, cross: boolean): OracleRow[] {
  const out = join(cacheRoot, build, `${rel}.cfa.jsonl`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(obj).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    const tools = cross ? ['--objdump', 'aarch64-linux-gnu-objdump', '--readelf', 'aarch64-linux-gnu-readelf'] : [];
    // status 1 only reports a readelf cross-check difference; the rows are still written
    try {
      execFileSync('python3', [CFA_TABLE, ...tools, obj, '-o', `${out}.tmp`], { stdio: 'ignore' });
    } catch (e) {
      if (!existsSync(`${out}.tmp`)) throw e;
    }
    renameSync(`${out}.tmp`, out);
  }
  return readOracleRows(out);
}

/** The rows of a `.cfa.jsonl` file written by cfa_table.py. */
export function readOracleRows(path: string): OracleRow[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as OracleRow);
}

/** Compares `objflow unwind [--kernel]`'s rows for one object with the oracle's. */
export async function measureObject(obj: string, oracle: readonly OracleRow[], kernel: boolean): Promise<ObjectOutcome> {
  const r = await analyzeFile(obj, unwindOptions(kernel));
  const rows: UnwindRow[] = [];
  unwindRows(r.ctx, (row) => rows.push(row));
  const a = r.ctx.prog.arch;
  const c = compareRows(oracle, rows, a.regs.names[a.regs.sp], a.regs.names[a.regs.fp], Number.MAX_SAFE_INTEGER);
  return {
    obj, compared: c.compared, agree: c.agree, skipped: c.skipped,
    disagreements: c.disagreements.map((d) => ({ obj, ...d })),
    warnings: r.ctx.diag.list.map((d) => d.text),
  };
}

/** The objects of one corpus build, as its objects.list names them (relative paths). */
export function corpusObjects(buildDir: string): string[] {
  const list = join(buildDir, 'objects.list');
  if (!existsSync(list)) return [];
  return readFileSync(list, 'utf8').split('\n').filter((l) => l && existsSync(join(buildDir, l)));
}
