/**
 * compare-cfa FILE ORACLE.cfa.jsonl: objflow's unwind rows for FILE against the compiler's rows.
 * Prints the agreement and the first disagreements (a development tool; tests use the same module).
 */
import { readFileSync } from 'node:fs';
import { analyzeFile, userspaceOptions } from '../src/cli/analyze.js';
import { unwindRows } from '../src/unwind/table.js';
import type { UnwindRow } from '../src/unwind/table.js';
import { compareRows } from '../src/verify/compare-rows.js';
import type { OracleRow } from '../src/verify/compare-rows.js';

const [file, oracleFile, n] = process.argv.slice(2);
const r = await analyzeFile(file, userspaceOptions());
const rows: UnwindRow[] = [];
unwindRows(r.ctx, (row) => rows.push(row));
const oracle = readFileSync(oracleFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as OracleRow);
const a = r.ctx.prog.arch;
const c = compareRows(oracle, rows, a.regs.names[a.regs.sp], a.regs.names[a.regs.fp], Number(n ?? 30));
console.log(`${file}: compared ${c.compared}, agree ${c.agree} (${(100 * c.agree / Math.max(1, c.compared)).toFixed(3)}%), skipped ${c.skipped}, warnings ${r.ctx.diag.list.length}`);
for (const d of c.disagreements) console.log(`  ${d.sec}+0x${d.addr.toString(16)} ${d.func} ${d.field}: oracle ${d.oracle} ours ${d.ours}`);
for (const d of r.ctx.diag.list.slice(0, 10)) console.log(`  ${d.text}`);
const hist = new Map<string, number>();
const all = compareRows(oracle, rows, a.regs.names[a.regs.sp], a.regs.names[a.regs.fp], 1e9);
for (const d of all.disagreements) {
  const k = `${d.field}: oracle ${d.oracle.replace(/\d+/g, 'N')} ours ${d.ours.replace(/\d+/g, 'N')}`;
  hist.set(k, (hist.get(k) ?? 0) + 1);
}
for (const [k, v] of [...hist].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`  ${String(v).padStart(7)}  ${k}`);
