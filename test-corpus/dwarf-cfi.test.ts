/**
 * DWARF CFI against two oracles on real compiler output: cfa_table.py (every instruction's CFA,
 * return-address, frame-pointer and pac state) and readelf frames-interp (FDE ranges and rows of
 * .eh_frame and .debug_frame). Inputs are built here from test-corpus/fixtures/dwarf/ with gcc,
 * clang-19 and the AArch64 cross tools, as objects and as linked shared libraries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithCfaTable, compareWithReadelf, fixtureDir, have, oracleScript, run, type Comparison } from './dwarf-helpers.js';

interface Toolchain {
  name: string;
  cc: string[];
  /** extra flags for every compile */
  flags: string[];
  objdump: string;
  readelf: string;
  asm: string;
  /** command + flags that link a shared library from objects */
  link: string[];
  /** branch-protection variants worth building */
  pac: string[][];
}

const X86: Toolchain[] = [
  { name: 'x86-gcc', cc: ['gcc'], flags: [], objdump: 'objdump', readelf: 'readelf', asm: 'asm_x86.s', link: ['gcc', '-shared', '-nostdlib'], pac: [] },
  { name: 'x86-clang', cc: ['clang-19'], flags: [], objdump: 'objdump', readelf: 'readelf', asm: 'asm_x86.s', link: ['clang-19', '-shared', '-nostdlib'], pac: [] },
];
const A64: Toolchain[] = [
  {
    name: 'a64-gcc', cc: ['aarch64-linux-gnu-gcc'], flags: [], objdump: 'aarch64-linux-gnu-objdump', readelf: 'readelf', asm: 'asm_a64.s',
    link: ['aarch64-linux-gnu-gcc', '-shared', '-nostdlib'], pac: [['-mbranch-protection=pac-ret']],
  },
  {
    name: 'a64-clang', cc: ['clang-19', '--target=aarch64-linux-gnu'], flags: [], objdump: 'aarch64-linux-gnu-objdump', readelf: 'readelf', asm: 'asm_a64.s',
    link: ['clang-19', '--target=aarch64-linux-gnu', '-fuse-ld=lld', '-shared', '-nostdlib'], pac: [['-mbranch-protection=pac-ret'], ['-mbranch-protection=pac-ret+b-key']],
  },
];

interface Built {
  file: string;
  tc: Toolchain;
  debugFrame: boolean;
}

function fixture(name: string): string {
  return join(fixtureDir, name);
}

/** Builds objects and shared libraries for one toolchain; returns them all. */
function build(tc: Toolchain, dir: string): Built[] {
  const out: Built[] = [];
  const cc = (args: string[], file: string, debugFrame = false): string => {
    const path = join(dir, file);
    run(tc.cc[0], [...tc.cc.slice(1), ...tc.flags, ...args, '-o', path]);
    out.push({ file: path, tc, debugFrame });
    return path;
  };
  const unwind = ['-fasynchronous-unwind-tables', '-fPIC'];
  const variants: [string, string[]][] = [
    ['O2', ['-O2']],
    ['O0fp', ['-O0', '-fno-omit-frame-pointer']],
    ['Osfp', ['-Os', '-fno-omit-frame-pointer']],
    ...tc.pac.map((p, i): [string, string[]] => [`pac${i}`, ['-O2', ...p]]),
  ];
  const libObjs: string[][] = variants.map(() => []);
  variants.forEach(([tag, flags], vi) => {
    for (const src of ['frames.c', 'cold.c']) {
      libObjs[vi].push(cc([...flags, ...unwind, '-c', fixture(src)], `${tc.name}-${tag}-${src}.o`));
    }
    libObjs[vi].push(cc([...flags, ...unwind, '-fexceptions', '-c', fixture('cleanup.c')], `${tc.name}-${tag}-cleanup.o`));
  });
  const asmObj = cc(['-c', fixture(tc.asm)], `${tc.name}-${tc.asm}.o`);
  variants.forEach(([tag], vi) => {
    const so = join(dir, `${tc.name}-${tag}.so`);
    run(tc.link[0], [...tc.link.slice(1), ...libObjs[vi], asmObj, '-o', so]);
    out.push({ file: so, tc, debugFrame: false });
  });
  // .debug_frame: no unwind tables, debug info only
  const noEh = ['-g', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables', '-fno-exceptions'];
  const dbg1 = cc(['-O2', ...noEh, '-c', fixture('frames.c')], `${tc.name}-dbg-O2-frames.o`, true);
  const dbg2 = cc(['-O0', '-fno-omit-frame-pointer', ...noEh, '-c', fixture('cold.c')], `${tc.name}-dbg-O0-cold.o`, true);
  const dso = join(dir, `${tc.name}-dbg.so`);
  run(tc.link[0], [...tc.link.slice(1), dbg1, dbg2, '-o', dso]);
  out.push({ file: dso, tc, debugFrame: true });
  return out;
}

function toolsFor(tc: Toolchain): boolean {
  return have(tc.cc[0]) && have(tc.objdump) && have(tc.readelf) && have(tc.link[0]) && (!tc.link.includes('-fuse-ld=lld') || have('ld.lld') || have('ld.lld-19'));
}

function report(label: string, c: Comparison): void {
  console.log(`# ${label}: compared ${c.compared}, covered ${c.covered}, mismatches ${c.mismatches}`);
  for (const e of c.examples) console.log(`#   ${e}`);
}

for (const tc of [...X86, ...A64]) {
  test(`dwarf CFI vs cfa_table.py and readelf: ${tc.name}`, (t) => {
    const script = oracleScript();
    if (!script || !have('python3')) return t.skip('cfa_table.py or python3 not available');
    if (!toolsFor(tc)) return t.skip(`${tc.name}: tools missing`);
    const dir = mkdtempSync(join(tmpdir(), `objflow-dwarf-${tc.name}-`));
    try {
      const built = build(tc, dir);
      const total: Comparison = { compared: 0, covered: 0, mismatches: 0, examples: [] };
      const rTotal: Comparison & { fdes: number; rows: number } = { compared: 0, covered: 0, mismatches: 0, examples: [], fdes: 0, rows: 0 };
      let pacLines = 0;
      let dbgFdes = 0;
      for (const b of built) {
        const c = compareWithCfaTable(script, b.file, b.tc.objdump, b.file + '.jsonl');
        total.compared += c.compared;
        total.covered += c.covered;
        total.mismatches += c.mismatches;
        total.examples.push(...c.examples.slice(0, Math.max(0, 10 - total.examples.length)));
        if (b.file.includes('pac')) pacLines += c.covered;
        for (const kind of ['eh_frame', 'debug_frame'] as const) {
          const r = compareWithReadelf(b.tc.readelf, b.file, kind);
          rTotal.compared += r.compared;
          rTotal.fdes += r.fdes;
          rTotal.rows += r.rows;
          rTotal.covered += r.covered;
          rTotal.mismatches += r.mismatches;
          rTotal.examples.push(...r.examples.slice(0, Math.max(0, 10 - rTotal.examples.length)));
          if (kind === 'debug_frame') dbgFdes += r.fdes;
        }
      }
      report(`${tc.name}: ${built.length} files, cfa_table.py lines`, total);
      report(`${tc.name}: readelf FDEs ${rTotal.fdes} (debug_frame ${dbgFdes}), rows ${rTotal.rows}`, rTotal);
      assert.equal(total.mismatches, 0, total.examples.join('\n'));
      assert.equal(rTotal.mismatches, 0, rTotal.examples.join('\n'));
      // the inputs really exercised what they are meant to
      assert.ok(total.covered > 500, `few covered instructions: ${total.covered}`);
      assert.ok(dbgFdes > 5, `few .debug_frame FDEs: ${dbgFdes}`);
      if (tc.pac.length > 0) assert.ok(pacLines > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
