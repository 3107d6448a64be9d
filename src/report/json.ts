/** Diagnostics as JSON Lines: one object per finding, then a summary line. */
import type { Diagnostic } from './diag.js';

export function diagnosticsJson(file: string, list: readonly Diagnostic[]): string {
  const lines: string[] = [];
  let n = 0;
  for (const d of list) {
    if (d.level !== 'warning') continue;
    n++;
    lines.push(JSON.stringify({
      file, level: d.level, message: d.message, sec: d.sec ?? null, off: d.off ?? null, addr: d.addr ?? null,
      func: d.func ?? null, funcOff: d.funcOff ?? null, text: d.text,
    }));
  }
  lines.push(JSON.stringify({ summary: { file, warnings: n } }));
  return `${lines.join('\n')}\n`;
}
