/**
 * `objflow unwind` on the arm64 kernel corpus (Linux 6.12 kernel/ mm/ lib/, GCC 12 and Clang 19, built
 * with -fasynchronous-unwind-tables) against the compilers' `.eh_frame` rows from cfa_table.py
 * (cached under $CORPUS_DIR/cfa-cache/<build>/, made on first use). Every object of each build is
 * analysed in this process, one after the other.
 *
 * Asserted per build: the agreement is at least the build's floor, and every disagreement belongs
 * to a class triaged below, each with a bound on its count. Issue 3 asks for 99.9%; the floors
 * are what the analysis reaches today: every row agrees since the jump tables of ___bpf_prog_run
 * (bounded by its u8 opcode and 256-entry table object), ptrace_request, vsnprintf, do_madvise and
 * cgroup_bpf_prog_query are recovered. A class below stays for triaging a future regression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CFA_TABLE, corpusObjects, measureObject, oracleRows } from '../tools/cfa-corpus.js';
import { CORPUS } from './helpers/objtool-tools.js';

const TARGET = 0.999;

interface BuildExpectation {
  /** agreement share the build must reach */
  floor: number;
  /** most disagreements allowed per class */
  bounds: Record<string, number>;
}

const UNRECOVERED = 'unrecovered jump table: walk stopped';
const MISSED_DISPATCH = 'dispatch not recognised, taken for a sibling call';

// measured: arm64-gcc 891471/891471, arm64-clang 904575/904575 (100%); no class has members left
const BUILDS: Record<string, BuildExpectation> = {
  'arm64-gcc': { floor: 1, bounds: { [UNRECOVERED]: 0, [MISSED_DISPATCH]: 0 } },
  'arm64-clang': { floor: 1, bounds: { [UNRECOVERED]: 0, [MISSED_DISPATCH]: 0 } },
};

/**
 * Why a disagreement is not a wrong row of the analysis' own making, or undefined. Triaged by hand
 * (disassembly and the compiler's table): in each class the walk of the function stopped at an
 * indirect branch whose targets were not recovered, so the instructions only reachable through it
 * have no row at all (ours null) while `.eh_frame` describes them.
 */
function explain(func: string | null, field: string, ours: string, stopped: ReadonlyMap<string, string>): string | undefined {
  if (func === null || field !== 'cfa' || !ours.startsWith('null')) return undefined;
  return stopped.get(func);
}

function stoppedFunctions(warnings: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of warnings) {
    const m = /objtool: ([^+\s]+)\+0x[0-9a-f]+: (jump table not recovered|sibling call from callable instruction with modified stack frame)/.exec(w);
    if (m) out.set(m[1], m[2] === 'jump table not recovered' ? UNRECOVERED : MISSED_DISPATCH);
  }
  return out;
}

const cacheRoot = join(CORPUS, 'cfa-cache');
const tools = existsSync(CFA_TABLE) ? false : `${CFA_TABLE} missing`;

for (const [build, want] of Object.entries(BUILDS)) {
  const dir = join(CORPUS, 'corpus', build);
  const objects = corpusObjects(dir);
  const skip = objects.length === 0 ? `${build} corpus not built` : tools;
  test(`${build}: unwind rows agree with .eh_frame on every kernel object, every disagreement explained`, { skip }, async () => {
    let compared = 0;
    let agree = 0;
    const classes = new Map<string, number>();
    const unexplained: string[] = [];
    for (const rel of objects) {
      const obj = join(dir, rel);
      const o = await measureObject(obj, oracleRows(obj, cacheRoot, build, rel, true), false);
      compared += o.compared;
      agree += o.agree;
      const stopped = stoppedFunctions(o.warnings);
      for (const d of o.disagreements) {
        const why = explain(d.func, d.field, d.ours, stopped);
        if (why) classes.set(why, (classes.get(why) ?? 0) + 1);
        else if (unexplained.length < 20) unexplained.push(`${rel} ${d.sec}+0x${d.addr.toString(16)} ${d.func} ${d.field}: oracle ${d.oracle} ours ${d.ours}`);
      }
    }
    const share = agree / Math.max(1, compared);
    const text = [...classes].map(([k, v]) => `${k}: ${v}`).join('; ');
    console.log(`# ${build}: ${objects.length} objects, ${agree}/${compared} = ${(100 * share).toFixed(3)}% (target ${100 * TARGET}%)${text ? `; ${text}` : ''}`);
    assert.ok(compared > 100000, `${build}: only ${compared} instructions compared`);
    assert.deepEqual(unexplained, [], `${build}: unexplained disagreements`);
    for (const [k, v] of classes) assert.ok(v <= (want.bounds[k] ?? 0), `${build}: ${k}: ${v} > ${want.bounds[k] ?? 0}`);
    assert.ok(share >= want.floor, `${build}: ${(100 * share).toFixed(3)}% < ${100 * want.floor}%`);
  });
}
