/**
 * verify's numeric code rules (src/verify/code-rules.ts) say what `rowFields` (the rows `unwind`
 * prints) says, state by state: the same CFA, sp/fp distances, rule spellings and equal-valued
 * alternatives, on the committed x86-64 and AArch64 fixtures and on the host's libstdc++ when present.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { userspaceOptions } from '../../src/cli/analyze.js';
import { openElf } from '../../src/cli/io.js';
import { RuleSpeller } from '../../src/dwarf/format.js';
import { runChecks } from '../../src/pipeline.js';
import { Program } from '../../src/program/program.js';
import { rowFields } from '../../src/unwind/table.js';
import { dropCallPushes, markNoreturnCalls } from '../../src/cfg/linked-calls.js';
import { CodeRules, FP_SAVED, RA_SAVED } from '../../src/verify/code-rules.js';
import { readTables } from '../../src/verify/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const FILES = [
  `${dir}x86-64-cfi.o`, `${dir}aarch64-cfi.o`, `${dir}landing-pads-x86-64.o`, `${dir}landing-pads-aarch64.o`,
  '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
].filter((f) => existsSync(f));

for (const file of FILES) {
  test(`code rules equal rowFields for every state of ${file.split('/').pop()}`, async () => {
    const elf = openElf(file);
    const arch = await archFor(elf.machine);
    assert.ok(arch);
    const tables = readTables(elf);
    const prog = new Program(elf, arch, false, elf.type !== 1);
    dropCallPushes(prog, tables);
    markNoreturnCalls(prog, tables);
    const { ctx } = runChecks(prog, { ...userspaceOptions(), orc: true, noUnreachable: true }, file);
    const speller = new RuleSpeller(elf.machine);
    const code = new CodeRules(ctx, speller);
    const text = (id: number): string | undefined => (id < 0 ? undefined : speller.text(id));
    assert.ok(ctx.pool.count > 2);
    for (let id = 0; id < ctx.pool.count; id++) {
      const f = rowFields(ctx, id);
      const known = code.ensure(id);
      assert.equal(known, f.cfa !== null, `state ${id}: lost`);
      if (!known) continue;
      const sp = Number.isNaN(code.sp[id]) ? null : code.sp[id];
      const fpv = Number.isNaN(code.fpv[id]) ? null : code.fpv[id];
      assert.deepEqual(
        [code.cfaText(id), sp, fpv, text(code.ra[id]), text(code.fp[id]), text(code.raEquiv[id]), text(code.fpEquiv[id]),
          (code.savedBits[id] & RA_SAVED) !== 0, (code.savedBits[id] & FP_SAVED) !== 0],
        [f.cfa, f.sp, f.fpv, f.ra, f.fp, f.equiv?.ra, f.equiv?.fp, f.ra!.startsWith('cfa'), f.fp!.startsWith('cfa')],
        `state ${id}`);
    }
  });
}
