/**
 * `objflow objtool-batch [LIST]`: many objtool invocations in one process, one per line of LIST (or
 * standard input): the objtool arguments followed by the object, as kbuild would pass them. Node's
 * start-up (tens of milliseconds) is paid once instead of per object; each object's warnings and
 * changes are exactly those of `objflow objtool` on it. Exit status: the largest of the runs'.
 */
import { readFileSync } from 'node:fs';
import { objtoolCommand } from './objtool.js';
import { fsPath } from '../byte-strings.js';
import type { Streams } from './objtool.js';

export async function objtoolBatchCommand(argv: readonly string[], io: Streams): Promise<number> {
  if (argv.length > 1) {
    io.err('usage: objflow objtool-batch [LIST]   (LIST: lines of "objtool-args... FILE"; default stdin)\n');
    return 2;
  }
  let text: string;
  try {
    // read as bytes: its words are byte strings, as command-line arguments become (byte-strings.ts)
    text = readFileSync(argv.length ? fsPath(argv[0]) : 0, 'latin1');
  } catch (e) {
    io.err(`objflow: ${argv[0] ?? '<stdin>'}: ${(e as Error).message}\n`);
    return 2;
  }
  let status = 0;
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0 || words[0].startsWith('#')) continue;
    const rc = await objtoolCommand(words, io);
    if (rc > status) status = rc;
  }
  return status;
}
