/**
 * compare-cfa FILE ORACLE.cfa.jsonl: objflow's unwind rows for FILE against the compiler's rows.
 * Prints the agreement and the first disagreements (a development tool; tests use the same module).
 */
import { measureObject, readOracleRows } from './cfa-corpus.js';

const [file, oracleFile, n] = process.argv.slice(2);
const c = await measureObject(file, readOracleRows(oracleFile), false);
console.log(`${file}: compared ${c.compared}, agree ${c.agree} (${(100 * c.agree / Math.max(1, c.compared)).toFixed(3)}%), skipped ${c.skipped}, warnings ${c.warnings.length}`);
for (const d of c.disagreements.slice(0, Number(n ?? 30))) console.log(`  ${d.sec}+0x${d.addr.toString(16)} ${d.func} ${d.field}: oracle ${d.oracle} ours ${d.ours}`);
for (const w of c.warnings.slice(0, 10)) console.log(`  ${w}`);
const hist = new Map<string, number>();
for (const d of c.disagreements) {
  const k = `${d.field}: oracle ${d.oracle.replace(/\d+/g, 'N')} ours ${d.ours.replace(/\d+/g, 'N')}`;
  hist.set(k, (hist.get(k) ?? 0) + 1);
}
for (const [k, v] of [...hist].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`  ${String(v).padStart(7)}  ${k}`);
