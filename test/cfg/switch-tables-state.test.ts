/**
 * Jump-table recovery keeps no state between recoveries: what it learns about a program (memory cell
 * ids, decoders, descriptions shared by identical bytes) lives in objects made for one recovery, so
 * recovering files in any order, or one file twice, gives the same tables and reasons.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { recoverJumpTables } from '../../src/cfg/switch-tables.js';
import { ElfFile } from '../../src/elf/reader.js';
import { Program } from '../../src/program/program.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../../test/fixtures/jumptables');

async function load(name: string): Promise<Program> {
  const elf = new ElfFile(new Uint8Array(readFileSync(join(FIX, name))), name);
  const arch = await archFor(elf.machine);
  assert.ok(arch);
  return new Program(elf, arch, false, true);
}

const FILES = ['x86-gcc-O2-pic.o', 'loops-x86.o', 'x86-gcc-O2-nopic.exe', 'a64-gcc-Os-pic.so', 'loops-a64.o', 'a64-clang-O0-pic.o'];

test('recoveries in any order give the same tables and reasons', async () => {
  const progs = await Promise.all(FILES.map(load));
  const alone = progs.map((p) => JSON.stringify(recoverJumpTables(p)));
  for (const [i, s] of alone.entries()) assert.ok(s.includes('"targets"'), `${FILES[i]} has tables`);
  // the other order, each file twice in a row
  for (let i = progs.length - 1; i >= 0; i--) {
    assert.equal(JSON.stringify(recoverJumpTables(progs[i])), alone[i], FILES[i]);
    assert.equal(JSON.stringify(recoverJumpTables(progs[i])), alone[i], FILES[i]);
  }
});
