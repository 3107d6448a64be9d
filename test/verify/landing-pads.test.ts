/**
 * Exception landing pads as analysis entries (src/verify/landing-pads.ts) on the committed C++
 * fixtures (test/fixtures/verify/make-landing-pads.sh): nothing branches to a pad, so without
 * them the pads and the catch blocks behind them are unreached; with them every FDE agrees with
 * the compiler's table, and each pad starts with the frame of its call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { userspaceOptions } from '../../src/cli/analyze.js';
import { openElf } from '../../src/cli/io.js';
import { runChecks } from '../../src/pipeline.js';
import { Program } from '../../src/program/program.js';
import { rowFields } from '../../src/unwind/table.js';
import { dropCallPushes, markNoreturnCalls } from '../../src/cfg/linked-calls.js';
import { analyseFdeEntries } from '../../src/frame/fde-entries.js';
import { analyseLandingPads } from '../../src/frame/landing-pads.js';
import { readTables, verifyFile } from '../../src/verify/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

for (const name of ['landing-pads-x86-64', 'landing-pads-aarch64', 'landing-pads-clang-x86-64']) {
  test(`verify ${name}.o: every FDE agrees (pads and catch blocks reached)`, async () => {
    const r = await verifyFile(`${dir}${name}.o`);
    assert.ok(r.summary.fdes >= 4);
    for (const v of r.verdicts) assert.equal(v.status, 'agrees', `${v.func}: ${v.reason ?? JSON.stringify(v.first)}`);
  });
}

/**
 * Pads and the CFA (as an offset from sp) their call leaves, from the disassembly: x86-64 catch_typed() is
 * `sub $0x58,%rsp` then the call (CFA rsp+8+0x58); nested() pushes two registers and subtracts 8
 * (rsp+32). AArch64 catch_typed() opens with `stp x29, x30, [sp, #-96]!` (sp+96), nested() with
 * `stp x29, x30, [sp, #-48]!` (sp+48), its catch-block pad at 0x1b0 behind a second-level call.
 */
const PADS: Record<string, { sec: string; off: number; sp: number }[]> = {
  'landing-pads-x86-64': [
    { sec: '.text', off: 0xc9, sp: 96 },
    { sec: '.text', off: 0x10c, sp: 32 },
    { sec: '.text.unlikely', off: 0x6c, sp: 32 },
    { sec: '.text.unlikely', off: 0xad, sp: 32 },
  ],
  'landing-pads-aarch64': [
    { sec: '.text', off: 0xd4, sp: 96 },
    { sec: '.text', off: 0x16c, sp: 48 },
    { sec: '.text', off: 0x1b0, sp: 48 },
  ],
};

for (const [name, pads] of Object.entries(PADS)) {
  test(`landing pads of ${name}.o: unreached before, the call's frame after`, async () => {
    const elf = openElf(`${dir}${name}.o`);
    const arch = await archFor(elf.machine);
    assert.ok(arch);
    const tables = readTables(elf);
    const prog = new Program(elf, arch, false);
    dropCallPushes(prog, tables);
    markNoreturnCalls(prog, tables);
    const { ctx } = runChecks(prog, { ...userspaceOptions(), orc: true }, name);
    analyseFdeEntries(ctx, tables);
    const rows = pads.map((pd) => {
      const sec = elf.section(pd.sec);
      assert.ok(sec);
      const i = prog.find(sec.index, pd.off);
      assert.ok(i >= 0, `${pd.sec}+0x${pd.off.toString(16)} is an instruction`);
      return i;
    });
    for (const i of rows) assert.ok(prog.cfi[i] < 0, `row ${i} unreached before pads are seeded`);
    assert.ok(analyseLandingPads(ctx, tables) >= pads.length);
    pads.forEach((pd, k) => {
      const id = prog.cfi[rows[k]];
      assert.ok(id >= 0, `${pd.sec}+0x${pd.off.toString(16)} reached`);
      assert.equal(rowFields(ctx, id).sp, pd.sp, `${pd.sec}+0x${pd.off.toString(16)}`);
    });
  });
}

/**
 * DW_CFA_GNU_args_size: Clang pushes three stack arguments (and 8 bytes of alignment) around the call
 * at 0x29, says `DW_CFA_GNU_args_size: 32` there, and the unwinder pops those 32 bytes before it
 * resumes at the pad (0x45): the table's CFA at the pad is rsp+32 (`readelf --debug-dump=frames-interp`),
 * 32 less than the rsp+64 of the call. Without the pop the pad and everything after it differ by 32.
 */
test('verify args-size-clang-x86-64.o: a pad starts with the call\'s pushed arguments popped', async () => {
  const file = `${dir}args-size-clang-x86-64.o`;
  const r = await verifyFile(file);
  assert.deepEqual(r.verdicts.map((v) => [v.func, v.status]), [['_Z1fll', 'agrees']]);
  const elf = openElf(file);
  const arch = (await archFor(elf.machine))!;
  const tables = readTables(elf);
  const p = new Program(elf, arch);
  dropCallPushes(p, tables);
  markNoreturnCalls(p, tables);
  const res = runChecks(p, { ...userspaceOptions(), orc: true, noUnreachable: true }, file);
  analyseLandingPads(res.ctx, tables);
  const text = elf.sections.findIndex((s) => s.name === '.text');
  const at = (off: number): number | null => rowFields(res.ctx, p.cfi[p.find(text, off)]).sp;
  assert.equal(at(0x29), 64, 'the call, after three pushes and the alignment slot');
  assert.equal(at(0x45), 32, 'the pad, arguments popped');
});
