/**
 * `objflow check [--kernel] [--frame-pointer] [--format text|json|sarif] FILE...`: validation of any
 * x86-64 or AArch64 ELF file — relocatable, executable or shared library. Without --kernel no kernel
 * conventions apply (no special sections, annotations or frame-pointer rule); with it, objtool's
 * --stackval --orc --uaccess checks. --frame-pointer adds the frame-record rule at every call
 * (src/checks/frame-record.ts). Findings print in objtool's format. Exit: 0 clean, 1 findings, 2
 * unusable input.
 */
import { utf8Only } from '../byte-strings.js';
import { isFormatError } from '../elf/errors.js';
import { diagnosticsJson } from '../report/json.js';
import { analyzeFile, userspaceOptions } from './analyze.js';
import type { Streams } from './objtool.js';

export async function checkCommand(argv: readonly string[], io: Streams): Promise<number> {
  const files: string[] = [];
  let format = 'text';
  let kernel = false;
  let framePointer = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--format') format = argv[++k] ?? '';
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (a === '--kernel') kernel = true;
    else if (a === '--frame-pointer') framePointer = true;
    else if (a.startsWith('-')) { io.err(`objflow: check: unknown option ${a}\n`); return 2; }
    else files.push(a);
  }
  if (!['text', 'json', 'sarif'].includes(format) || files.length === 0) {
    io.err('usage: objflow check [--kernel] [--frame-pointer] [--format text|json|sarif] FILE...\n');
    return 2;
  }
  let status = 0;
  const sarifRuns: { file: string; diags: import('../report/diag.js').Diagnostic[] }[] = [];
  for (const f of files) {
    try {
      const opts = kernel
        ? { ...userspaceOptions(), kernel: true, stackval: true, orc: true, uaccess: true, framePointer }
        : { ...userspaceOptions(), framePointer };
      const r = await analyzeFile(f, opts);
      const diags = r.ctx.diag.list;
      if (r.ctx.diag.warningCount > 0 && status === 0) status = 1;
      if (format === 'text') for (const d of diags) io.err(`${d.text}\n`);
      else if (format === 'json') io.out(utf8Only(diagnosticsJson(f, diags)));
      else sarifRuns.push({ file: f, diags });
    } catch (e) {
      if (!isFormatError(e)) throw e;
      io.err(`objflow: ${f}: ${e.message}\n`);
      status = 2;
    }
  }
  if (format === 'sarif') {
    const { sarifLog } = await import('../report/sarif-check.js');
    io.out(utf8Only(`${JSON.stringify(sarifLog(sarifRuns), null, 2)}\n`));
  }
  return status;
}
