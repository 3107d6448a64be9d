/**
 * `prepareCallTargets` (verify's one pass over the direct calls) leaves the program exactly as
 * `dropCallPushes`, `markNoreturnCalls`, `markNoreturnPltCalls` and `callLocalDefinitions` run one
 * after the other do: the same pushes dropped, dead ends and call targets, on the committed
 * fixtures and on the host's C and C++ libraries when present.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { openElf } from '../../src/cli/io.js';
import { RuleSpeller } from '../../src/dwarf/format.js';
import { EM_X86_64 } from '../../src/elf/constants.js';
import { Program } from '../../src/program/program.js';
import {
  callLocalDefinitions, dropCallPushes, markNoreturnCalls, markNoreturnPltCalls, prepareCallTargets,
} from '../../src/verify/call-targets.js';
import { readTables } from '../../src/verify/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const FILES = [
  `${dir}x86-64-cfi.o`, `${dir}aarch64-cfi.o`, `${dir}x86-64-local-noreturn-plt.so`,
  '/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/aarch64-linux-gnu/lib/libc.so.6',
].filter((f) => existsSync(f));

for (const file of FILES) {
  test(`prepareCallTargets equals the four call passes on ${file.split('/').pop()}`, async () => {
    const elf = openElf(file);
    const arch = await archFor(elf.machine);
    assert.ok(arch);
    const tables = readTables(elf);
    const one = new Program(elf, arch, false, elf.type !== 1);
    dropCallPushes(one, tables);
    markNoreturnCalls(one, tables);
    markNoreturnPltCalls(one);
    callLocalDefinitions(one);
    const two = new Program(elf, arch, false, elf.type !== 1);
    prepareCallTargets(two, tables);
    assert.equal(two.count, one.count);
    assert.deepEqual(two.opCount.subarray(0, two.count), one.opCount.subarray(0, one.count));
    assert.deepEqual(two.bits.subarray(0, two.count), one.bits.subarray(0, one.count));
    assert.deepEqual(two.target.subarray(0, two.count), one.target.subarray(0, one.count));
  });
}

test('rule numbers are the same through the small-value table and the map', () => {
  const a = new RuleSpeller(EM_X86_64);
  const b = new RuleSpeller(EM_X86_64);
  // b meets the values in another order; each spelling has one number per speller either way
  const values = [-8, -16, 0, 2047, -2048, 2048, -2049, 100000, -0];
  const ids = values.map((v) => a.savedAtId(v));
  for (const v of [...values].reverse()) b.savedAtId(v);
  values.forEach((v, k) => {
    assert.equal(a.text(ids[k]), v < 0 ? `cfa${v}` : `cfa+${v}`);
    assert.equal(a.savedAtId(v), ids[k]);
    assert.equal(b.text(b.savedAtId(v)), a.text(ids[k]));
  });
  assert.equal(a.savedAtId(0), a.savedAtId(-0));
});
