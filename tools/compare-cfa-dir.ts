/**
 * compare-cfa-dir CORPUS_BUILD_DIR [--kernel] [--filter REGEX] [--show N]: unwind agreement over
 * every object of a kernel corpus build (objects.list) against cfa_table.py (cached under
 * $CORPUS_DIR/cfa-cache/<build>/). Prints the total, a histogram of the disagreements and the
 * objects with the most of them. A development tool; the corpus test uses the same module.
 */
import { basename, dirname, join } from 'node:path';
import { corpusObjects, measureObject, oracleRows } from './cfa-corpus.js';
import type { Disagreement } from './cfa-corpus.js';

const args = process.argv.slice(2);
const dir = args[0];
const kernel = args.includes('--kernel');
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? new RegExp(args[fi + 1]) : undefined;
const si = args.indexOf('--show');
const show = si >= 0 ? Number(args[si + 1]) : 20;
const build = basename(dir);
const cache = join(dirname(dirname(dir)), 'cfa-cache');
let compared = 0;
let agree = 0;
const all: Disagreement[] = [];
const perObj: [string, number, string][] = [];
for (const rel of corpusObjects(dir)) {
  if (filter && !filter.test(rel)) continue;
  const obj = join(dir, rel);
  const o = await measureObject(obj, oracleRows(obj, cache, build, rel, true), kernel);
  compared += o.compared;
  agree += o.agree;
  all.push(...o.disagreements);
  if (o.disagreements.length) perObj.push([rel, o.disagreements.length, o.warnings.slice(0, 3).join(' | ')]);
}
console.log(`${build}${kernel ? ' --kernel' : ''}: compared ${compared}, agree ${agree} (${(100 * agree / Math.max(1, compared)).toFixed(3)}%), disagree ${compared - agree}`);
const hist = new Map<string, number>();
for (const d of all) {
  const k = `${d.field}: oracle ${d.oracle.replace(/\d+/g, 'N')} ours ${d.ours.replace(/\d+/g, 'N')}`;
  hist.set(k, (hist.get(k) ?? 0) + 1);
}
for (const [k, v] of [...hist].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${String(v).padStart(7)}  ${k}`);
for (const [rel, n, w] of perObj.sort((x, y) => y[1] - x[1]).slice(0, show)) console.log(`  ${String(n).padStart(6)} ${rel}  ${w}`);
