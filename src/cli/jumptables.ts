/**
 * `objflow jumptables --format json FILE...`: the jump tables recovered from code and data, one JSON
 * line per table. Addresses are section offsets in relocatable files and virtual addresses in linked
 * ones. Unproven table-shaped jumps go to stderr (`--verbose`) as one line each.
 */
import { utf8Only } from '../byte-strings.js';
import { archFor } from '../arch/registry.js';
import { recoverUserspaceJumpTables } from '../pipeline.js';
import { userspaceOptions, userspaceProgram } from './analyze.js';
import { FormatError } from '../elf/errors.js';
import type { ElfFile } from '../elf/reader.js';
import type { Arch } from '../arch/arch.js';
import type { SwitchTableResult } from '../cfg/switch-tables.js';
import type { Program } from '../program/program.js';
import { openForAnalysis } from './io.js';
import type { Streams } from './objtool.js';

const USAGE = 'usage: objflow jumptables [--format json] [--verbose] FILE...\n';

/**
 * The jump tables of a file, recovered over the symbols, call destinations and noreturn calls that
 * `check` and `verify` analyse with: the tables printed are the ones they use.
 */
export function analyseJumpTables(elf: ElfFile, arch: Arch, path: string): { prog: Program; res: SwitchTableResult } {
  const { prog, tables } = userspaceProgram(elf, arch);
  return { prog, res: recoverUserspaceJumpTables(prog, userspaceOptions(), path, tables) };
}

export async function jumptablesCommand(argv: readonly string[], io: Streams): Promise<number> {
  const files: string[] = [];
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format') {
      const f = argv[++i];
      if (f !== 'json') { io.err(`objflow: jumptables: unsupported format '${f ?? ''}'\n${USAGE}`); return 2; }
    } else if (a === '--format=json') {
      // the only format
    } else if (a === '--verbose' || a === '-v') {
      verbose = true;
    } else if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`objflow: jumptables: unknown option '${a}'\n${USAGE}`);
      return 2;
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) { io.err(USAGE); return 2; }
  let status = 0;
  for (const path of files) {
    try {
      const elf = openForAnalysis(path);
      const arch = await archFor(elf.machine);
      if (!arch) { io.err(`objflow: ${path}: unsupported machine ${elf.machine}\n`); status = 2; continue; }
      const { prog: p, res } = analyseJumpTables(elf, arch, path);
      const addr = (sec: number, off: number): number => (elf.type === 1 ? 0 : elf.sections[sec].addr) + off;
      const prefix = files.length > 1 ? { file: path } : {};
      for (const t of res.tables) {
        const js = p.sec[t.jump];
        const f = p.syms.funcContaining(js, p.off[t.jump]);
        io.out(utf8Only(JSON.stringify({
          ...prefix,
          func: f >= 0 ? p.syms.name(f) : '',
          sec: elf.sections[js].name,
          jump: addr(js, p.off[t.jump]),
          table: { sec: elf.sections[t.tableSec].name, addr: addr(t.tableSec, t.tableOff), entry: t.entrySize },
          targets: t.targets.map((r) => addr(p.sec[r], p.off[r])),
        }) + '\n'));
      }
      if (verbose) {
        for (const u of res.unresolved) {
          const pl = p.placeOf(u.jump);
          io.err(`${path}: ${pl.sym ? `${pl.sym}+0x${pl.symOff.toString(16)}` : `${pl.sec}+0x${pl.off.toString(16)}`}: jump table not recovered: ${u.reason}\n`);
        }
      }
    } catch (e) {
      if (e instanceof FormatError) { io.err(`objflow: ${path}: ${e.message}\n`); status = 2; continue; }
      throw e;
    }
  }
  return status;
}
