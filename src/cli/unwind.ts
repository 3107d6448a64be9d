/** `objflow unwind --format json FILE...`: frame-state rows as JSON Lines. */
import { isFormatError } from '../elf/errors.js';
import { LineOutput, byteSink } from './line-output.js';
import { rowJson, unwindRows } from '../unwind/table.js';
import { analyzeFile, userspaceOptions } from './analyze.js';
import type { Streams } from './objtool.js';
import type { CheckOptions } from '../cfg/context.js';

export async function unwindCommand(argv: readonly string[], io: Streams): Promise<number> {
  const files: string[] = [];
  let format = 'json';
  let kernel = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--format') format = argv[++k] ?? '';
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (a === '--kernel') kernel = true;
    else if (a.startsWith('-')) { io.err(`objflow: unwind: unknown option ${a}\n`); return 2; }
    else files.push(a);
  }
  if (format !== 'json' || files.length === 0) {
    io.err('usage: objflow unwind --format json [--kernel] FILE...\n');
    return 2;
  }
  let status = 0;
  for (const f of files) {
    try {
      const r = await analyzeFile(f, unwindOptions(kernel));
      const lines = new LineOutput(byteSink(io));
      // rows whose printed fields repeat the previous row (only a hidden equivalence changed) are not printed
      let last = '';
      let lastSec = '';
      unwindRows(r.ctx, (row) => {
        const text = rowJson(row);
        const body = text.replace(/"addr":\d+,/, '');
        if (row.sec === lastSec && body === last) return;
        last = body;
        lastSec = row.sec;
        lines.line(text);
      });
      lines.flush();
    } catch (e) {
      if (!isFormatError(e)) throw e;
      io.err(`objflow: ${f}: ${e.message}\n`);
      status = 2;
    }
  }
  return status;
}

/** The analysis `unwind` runs: userspace conventions, or with --kernel the kernel's (tables, annotations). */
export function unwindOptions(kernel: boolean): CheckOptions {
  return kernel ? { ...userspaceOptions(), kernel, stackval: true } : userspaceOptions();
}
