/**
 * `objflow <command>`: dispatch to the command modules, loaded on demand so that each command pays
 * only for what it uses. Exit status: 0 done, no findings; 1 findings reported as errors; 2 unusable
 * input or command line (`objflow objtool` keeps objtool's own 0/1).
 */
import { endQuietlyOnClosedReader } from './fd-output.js';
import type { OutputStreams } from './fd-output.js';
import { argBytesOf, outputBytes } from '../byte-strings.js';

const HELP = `usage: objflow <command> [options] FILE...

commands:
  check FILE...                 validate control flow and stack frames (any x86-64/AArch64 ELF file)
        [--format text|json|sarif] [--kernel] [--frame-pointer]
  unwind --format json FILE...  frame state rows (CFA, return address, frame pointer) per address
  jumptables --format json FILE  jump tables recovered by analysis (targets in table order)
  verify FILE... [--format text|json|sarif] [--verbose] [--synchronous]
                                compare .eh_frame/.debug_frame with what the code does
                                (--synchronous: tables exact only at calls)
  orc dump FILE                 the ORC tables of FILE, as objtool --dump=orc prints them
  objtool [objtool options] FILE
                                objtool 6.12's command line (kbuild drop-in)
  objtool-batch [LIST]          many objtool runs in one process (lines: objtool args + FILE)
  help                          this text

exit status: 0 no findings, 1 findings, 2 unusable input or command line
`;

/** Commands whose `--help` is this text (objtool prints objtool's own). */
const HELPED = new Set(['check', 'unwind', 'jumptables', 'verify', 'orc']);

/**
 * Runs one command and returns its exit status. Output goes to `io`: Node's process streams unless the
 * caller passes other writers (the fast launcher passes `fdOutput()`, the same bytes without the streams).
 */
export async function main(args: readonly string[], io: OutputStreams = processStreams()): Promise<number> {
  // names and paths are byte strings from here on (byte-strings.ts)
  const argv = argBytesOf(args);
  const [cmd, ...rest] = argv;
  // `objflow COMMAND --help` (objtool keeps its own --help, as objtool prints it)
  if (HELPED.has(cmd ?? '') && (rest[0] === '--help' || rest[0] === '-h')) {
    io.out(HELP);
    return 0;
  }
  try {
    switch (cmd) {
      case 'objtool': {
        const m = await import('./objtool.js');
        return await m.objtoolCommand(rest, io);
      }
      case 'objtool-batch': {
        const m = await import('./objtool-batch.js');
        return await m.objtoolBatchCommand(rest, io);
      }
      case 'orc': {
        const m = await import('./orc.js');
        return await m.orcCommand(rest, io);
      }
      case 'check': {
        const m = await import('./check.js');
        return await m.checkCommand(rest, io);
      }
      case 'jumptables': {
        const m = await import('./jumptables.js');
        return await m.jumptablesCommand(rest, io);
      }
      case 'verify': {
        const m = await import('./verify.js');
        return await m.verifyCommand(rest, io);
      }
      case 'unwind': {
        const m = await import('./unwind.js');
        return await m.unwindCommand(rest, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        io.err(`objflow: unknown command '${cmd}'\n${HELP}`);
        return 2;
    }
  } catch (e) {
    // a bug, not bad input: still one line, but say so
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`objflow: internal error: ${msg}\n`);
    if (process.env.OBJFLOW_DEBUG) io.err(`${(e as Error).stack ?? ''}\n`);
    return 2;
  }
}

function processStreams(): OutputStreams {
  endQuietlyOnClosedReader(process.stdout);
  return {
    out: (s: string): void => { process.stdout.write(outputBytes(s)); },
    err: (s: string): void => { process.stderr.write(outputBytes(s)); },
    // the stream may write later: a copy (the caller reuses its bytes)
    outBytes: (bytes: Uint8Array): void => { process.stdout.write(Buffer.from(bytes)); },
  };
}
