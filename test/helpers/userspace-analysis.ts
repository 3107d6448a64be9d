/**
 * A file analysed as `verify` analyses it (userspace symbols, the unwind tables' calls prepared), for
 * tests that look at the analysis' own structures rather than at a report.
 */
import assert from 'node:assert/strict';
import { archFor } from '../../src/arch/registry.js';
import { userspaceOptions } from '../../src/cli/analyze.js';
import { openElf } from '../../src/cli/io.js';
import { prepareUserspaceCalls } from '../../src/cfg/linked-calls.js';
import type { CheckOptions } from '../../src/cfg/context.js';
import { readCfiTables } from '../../src/dwarf/index.js';
import { runChecks, type CheckResult } from '../../src/pipeline.js';
import { Program } from '../../src/program/program.js';

/** `options` go on top of the userspace options with unreachable-code warnings off. */
export async function analyseUserspace(path: string, options: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const elf = openElf(path);
  const arch = await archFor(elf.machine);
  assert.ok(arch, `an arch for machine ${elf.machine}`);
  const tables = readCfiTables(elf);
  const prog = new Program(elf, arch, false, true);
  prepareUserspaceCalls(prog, tables);
  return runChecks(prog, { ...userspaceOptions(), noUnreachable: true, ...options }, path, tables);
}
