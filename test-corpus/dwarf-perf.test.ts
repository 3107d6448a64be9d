/**
 * Throughput of the CFI reader + evaluator on big system libraries (printed; a loose floor is
 * asserted so that a pathological slowdown fails): every FDE parsed and every row evaluated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { ElfFile } from '../src/elf/reader.js';
import { readCfi } from '../src/dwarf/cfi.js';
import { CfaEvaluator } from '../src/dwarf/eval.js';

function candidates(): string[] {
  const out = ['/usr/lib/x86_64-linux-gnu/libc.so.6'];
  const llvm = '/usr/lib/llvm-19/lib';
  if (existsSync(llvm)) {
    const so = readdirSync(llvm).filter((n) => /^libLLVM.*\.so/.test(n)).sort()[0];
    if (so) out.push(`${llvm}/${so}`);
  }
  return out.filter((p) => existsSync(p));
}

/** One pass: read .eh_frame, evaluate every row of every FDE. Returns [fdes, rows, ms]. */
function pass(elf: ElfFile): [number, number, number] {
  const t0 = performance.now();
  const cfi = readCfi(elf, 'eh_frame');
  assert.ok(cfi);
  const ev = new CfaEvaluator(cfi);
  let rows = 0;
  for (const fde of cfi.fdes) {
    ev.begin(fde);
    while (ev.next()) rows++;
  }
  assert.equal(cfi.problems.length, 0, cfi.problems.slice(0, 3).map((p) => p.message).join('\n'));
  return [cfi.fdes.length, rows, performance.now() - t0];
}

for (const file of candidates()) {
  test(`dwarf CFI throughput: ${file}`, () => {
    const elf = new ElfFile(new Uint8Array(readFileSync(file)), file);
    let best = Infinity;
    let fdes = 0;
    let rows = 0;
    for (let i = 0; i < 5; i++) {
      const [f, r, ms] = pass(elf);
      fdes = f;
      rows = r;
      best = Math.min(best, ms);
    }
    const perSec = fdes / (best / 1000);
    console.log(`# ${file}: ${fdes} FDEs, ${rows} rows, best of 5 ${best.toFixed(1)} ms: ${Math.round(perSec)} FDEs/s, ${Math.round(rows / (best / 1000))} rows/s`);
    assert.ok(fdes > 1000);
    assert.ok(perSec > 20000, `${Math.round(perSec)} FDEs/s`);
  });
}
