/**
 * The commit-ahead helper (src/program/commit-ahead.ts) touches the pages of the instruction table
 * on another thread while the decoder fills them. It must never change a value: a program decoded
 * with the helper running has the same rows and the same analysis as one decoded without it, and
 * its columns really are the shared memory the helper was given (else the first check is vacuous).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { archFor } from '../../src/arch/registry.js';
import { defaultOptions } from '../../src/cfg/context.js';
import { ElfFile } from '../../src/elf/reader.js';
import { runChecks } from '../../src/pipeline.js';
import { COMMIT_AHEAD_BYTES, commitAheadFinished, committingAhead, startCommitAhead } from '../../src/program/commit-ahead.js';
import { Program } from '../../src/program/program.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures');

const CASES = [
  { file: 'check/startup-x86-64', userspace: true },
  { file: 'check/startup-aarch64', userspace: true },
  { file: 'arm64-kernel/kernel-jt-gcc.o', userspace: false },
  { file: 'jumptables/x86-gcc-O0-pic.o', userspace: true },
];

const ROW_COLUMNS = ['sec', 'off', 'len', 'kind', 'flags', 'target', 'opPre', 'opCount', 'sym', 'dest', 'bits', 'instr', 'cfi', 'altTag'] as const;

async function build(file: string, userspace: boolean, helper: boolean): Promise<Program> {
  const elf = new ElfFile(readFileSync(join(FIXTURES, file)), file);
  const arch = await archFor(elf.machine);
  assert.ok(arch, file);
  if (helper) {
    startCommitAhead(COMMIT_AHEAD_BYTES);
    assert.equal(committingAhead(), true);
  }
  return new Program(elf, arch, false, userspace);
}

for (const c of CASES) {
  test(`commit-ahead: ${c.file} decodes and analyses the same with the helper`, async () => {
    const plain = await build(c.file, c.userspace, false);
    const shared = await build(c.file, c.userspace, true);
    // the helper serves one program, then ends; compared once it has touched every page it was given
    assert.equal(committingAhead(), false);
    await commitAheadFinished();
    assert.ok(shared.off.buffer instanceof SharedArrayBuffer, 'row columns are shared memory');
    assert.ok(shared.cfi.buffer instanceof SharedArrayBuffer, 'analysis columns are shared memory');
    assert.ok(!(plain.off.buffer instanceof SharedArrayBuffer));
    assert.ok(plain.count > 0);
    assert.equal(shared.count, plain.count);
    const rowsOf = (p: Program, k: (typeof ROW_COLUMNS)[number]): number[] => Array.from(p[k].subarray(0, p.count));
    for (const k of ROW_COLUMNS) assert.deepEqual(rowsOf(shared, k), rowsOf(plain, k), k);
    assert.deepEqual(Array.from(shared.ops), Array.from(plain.ops));

    const opts = defaultOptions();
    const a = runChecks(plain, opts, c.file, undefined);
    const b = runChecks(shared, opts, c.file, undefined);
    assert.deepEqual(b.ctx.diag.list.map((d) => d.text), a.ctx.diag.list.map((d) => d.text));
    for (const k of ROW_COLUMNS) assert.deepEqual(rowsOf(shared, k), rowsOf(plain, k), `${k} after the analysis`);
  });
}
