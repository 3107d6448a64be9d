/**
 * objflow's unwind rows against the compilers' own tables on real code: every instruction of the
 * x86-64 SQLite builds (GCC 12 and Clang 19, -O0/-O2/-O3/-Os, PIC and not, objects and linked files),
 * the CFA compared by value (sp / fp offsets), return address and frame pointer as strings. The
 * oracle is `.eh_frame` read by the corpus script `cfa_table.py`. Each file must agree on at least
 * 99.9% of instructions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile, userspaceOptions } from '../src/cli/analyze.js';
import { unwindRows } from '../src/unwind/table.js';
import type { UnwindRow } from '../src/unwind/table.js';
import { compareRows } from '../src/verify/compare-rows.js';
import type { OracleRow } from '../src/verify/compare-rows.js';
import { CORPUS } from './helpers/objtool-tools.js';

const US = join(CORPUS, 'us');
const builds = existsSync(US) ? readdirSync(US).filter((d) => d.startsWith('x86_64-')).sort() : [];

test('x86-64 unwind rows agree with .eh_frame on the SQLite builds', { skip: builds.length ? false : 'userspace corpus not built' }, async () => {
  const lines: string[] = [];
  const low: string[] = [];
  let files = 0;
  for (const b of builds) {
    const dir = join(US, b, 'sqlite');
    if (!existsSync(join(dir, 'build.ok'))) continue;
    for (const f of ['sqlite3.o', 'libsqlite3.so', 'sqlite3-nopie']) {
      const oracleFile = join(dir, `${f}.cfa.jsonl`);
      if (!existsSync(join(dir, f)) || !existsSync(oracleFile)) continue;
      const r = await analyzeFile(join(dir, f), userspaceOptions());
      const rows: UnwindRow[] = [];
      unwindRows(r.ctx, (row) => rows.push(row));
      const oracle = readFileSync(oracleFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as OracleRow);
      const a = r.ctx.prog.arch;
      const c = compareRows(oracle, rows, a.regs.names[a.regs.sp], a.regs.names[a.regs.fp], 3);
      const share = c.agree / Math.max(1, c.compared);
      files++;
      lines.push(`${b}/${f}: ${c.agree}/${c.compared} (${(100 * share).toFixed(3)}%), ${c.skipped} without a comparable rule`);
      if (share < 0.999) low.push(`${b}/${f} ${(100 * share).toFixed(3)}%: ${c.disagreements.map((d) => `${d.func}@0x${d.addr.toString(16)} ${d.field} ${d.oracle}/${d.ours}`).join('; ')}`);
    }
  }
  for (const l of lines) console.log(`# ${l}`);
  assert.ok(files > 0, 'no finished x86-64 build');
  assert.deepEqual(low, []);
});
