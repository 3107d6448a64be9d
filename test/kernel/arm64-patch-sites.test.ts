/**
 * arm64 kernel conventions without a kernel build: the arch hooks' encodings, `__bug_table`
 * reading, and unwind rows through a WARN(), a BUG() and a callback alternative on a committed
 * object (test/fixtures/arm64-kernel/, made by make-patch-sites.sh; the expected rows are the
 * assembler's `.eh_frame` as cfa_table.py prints it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { arm64KernelHooks } from '../../src/arch/arm64/kernel.js';
import { analyzeFile } from '../../src/cli/analyze.js';
import { unwindOptions } from '../../src/cli/unwind.js';
import { ElfFile } from '../../src/elf/reader.js';
import { BUGFLAG_WARNING, readBugTable } from '../../src/kernel/bug-table.js';
import { unwindRows } from '../../src/unwind/table.js';
import type { UnwindRow } from '../../src/unwind/table.js';
import { compareRows } from '../../src/verify/compare-rows.js';
import type { OracleRow } from '../../src/verify/compare-rows.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/arm64-kernel/', import.meta.url));
const OBJ = `${dir}patch-sites.o`;

test('arm64 hooks: NOP/RET words, branch addends, pc-relative relocation types', () => {
  const k = arm64KernelHooks;
  // nop = 0xd503201f, ret = 0xd65f03c0 (Arm ARM), little-endian
  assert.deepEqual([...(k.nopBytes(8) ?? [])], [0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5]);
  assert.deepEqual([...(k.retBytes(8) ?? [])], [0xc0, 0x03, 0x5f, 0xd6, 0x1f, 0x20, 0x03, 0xd5]);
  assert.equal(k.nopBytes(2), undefined);
  assert.equal(k.retBytes(0), undefined);
  // R_AARCH64_JUMP26 = S + A - P with P the branch: the addend is the target offset itself
  assert.equal(k.destRelocOffset(0x28), 0x28);
  assert.equal(k.isPcRelativeReloc(282), true); // JUMP26
  assert.equal(k.isPcRelativeReloc(261), true); // PREL32
  assert.equal(k.isPcRelativeReloc(257), false); // ABS64
  assert.equal(k.isFtraceCall('_mcount'), false);
});

test('__bug_table: sites and flags of the 12-byte entries (readelf -r / objdump -s of the fixture)', () => {
  const elf = new ElfFile(new Uint8Array(readFileSync(OBJ)));
  const sites = readBugTable(elf);
  assert.deepEqual(sites.map((s) => [elf.sections[s.sec].name, s.off, s.flags]), [['.text', 8, 0x0901], ['.text', 0x20, 0]]);
  assert.equal(sites[0].flags & BUGFLAG_WARNING, 1);
});

test('unwind rows walk past a WARN() and into code reached only by a callback alternative', async () => {
  const r = await analyzeFile(OBJ, unwindOptions(false));
  const rows: UnwindRow[] = [];
  unwindRows(r.ctx, (row) => rows.push(row));
  const oracle = readFileSync(`${dir}patch-sites.cfa.jsonl`, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as OracleRow);
  const c = compareRows(oracle, rows, 'sp', 'x29', 20);
  assert.equal(c.compared, 15);
  assert.deepEqual(c.disagreements, []);
  assert.equal(c.agree, 15);
  assert.deepEqual(r.ctx.diag.list.map((d) => d.text), []);
});
