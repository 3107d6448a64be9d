/** `objflow orc dump FILE`: the ORC tables as `objtool --dump=orc` prints them. */
import { isFormatError } from '../elf/errors.js';
import { dumpOrc } from '../unwind/orc-dump.js';
import { openElf } from './io.js';
import type { Streams } from './objtool.js';

export async function orcCommand(argv: readonly string[], io: Streams): Promise<number> {
  if (argv[0] !== 'dump' || argv.length !== 2) {
    io.err('usage: objflow orc dump FILE\n');
    return 2;
  }
  const file = argv[1];
  try {
    const r = dumpOrc(openElf(file), file);
    io.out(r.stdout);
    if (r.status !== 0) {
      io.err(`objflow: ${file}: ${r.stderr.replace(/^.*?warning: objtool: /, '').trimEnd()}\n`);
      return 2;
    }
    return 0;
  } catch (e) {
    if (!isFormatError(e)) throw e;
    io.err(`objflow: ${file}: ${e.message}\n`);
    return 2;
  }
}
