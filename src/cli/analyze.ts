/** Opening and analysing one file for the generic commands (check, unwind): bad input is one line. */
import { archFor } from '../arch/registry.js';
import { defaultOptions } from '../cfg/context.js';
import type { CheckOptions } from '../cfg/context.js';
import { FormatError } from '../elf/errors.js';
import { runChecks } from '../pipeline.js';
import type { CheckResult } from '../pipeline.js';
import { Program } from '../program/program.js';
import { openForAnalysis } from './io.js';
import { prepareUserspaceCalls } from '../cfg/linked-calls.js';
import { readCfiTables } from '../dwarf/index.js';
import type { CfiSection } from '../dwarf/index.js';
import type { ElfFile } from '../elf/reader.js';
import type { Arch } from '../arch/arch.js';

/** Options for validating any file without kernel conventions (no frame-pointer rule, no kernel tables). */
export function userspaceOptions(): CheckOptions {
  return { ...defaultOptions(), kernel: false, orc: false, stackval: false };
}

export async function analyzeFile(path: string, opts: CheckOptions): Promise<CheckResult> {
  const elf = openForAnalysis(path);
  const arch = await archFor(elf.machine);
  if (!arch) throw new FormatError(`unsupported machine ${elf.machine} (x86-64 and AArch64 only)`);
  if (opts.kernel) return runChecks(new Program(elf, arch, opts.module, false), opts, path);
  const { prog, tables } = userspaceProgram(elf, arch, opts.module);
  return runChecks(prog, opts, path, tables);
}

/**
 * A file's program as the analyses without kernel conventions take it: the userspace symbol set, and
 * the calls its unwind tables and dynamic relocations explain (`prepareUserspaceCalls`). A broken
 * table only costs what it would have explained.
 */
export function userspaceProgram(elf: ElfFile, arch: Arch, module = false): { prog: Program; tables: CfiSection[] } {
  const prog = new Program(elf, arch, module, true);
  const tables = readCfiTables(elf, true);
  prepareUserspaceCalls(prog, tables);
  return { prog, tables };
}
