/**
 * The binutils views objtool's output is compared in: `readelf -WS` without file offsets,
 * `readelf -Wr`, `readelf -Ws`, `objdump -s`, with the file name and offsets taken out.
 */
import { execFileSync } from 'node:child_process';

export interface ElfViews { sections: string; relocs: string; symbols: string; contents: string }

export function elfViews(path: string): ElfViews {
  const run = (cmd: string, args: string[]): string =>
    execFileSync(cmd, [...args, path], { encoding: 'latin1', maxBuffer: 1 << 30 }).split(path).join('FILE');
  const sections = run('readelf', ['-WS'])
    .replace(/starting at offset 0x[0-9a-f]+/, 'starting at offset X')
    // [Nr] Name Type Address Off Size: the offset is the field after the 16-digit address
    .replace(/ ([0-9a-f]{16}) [0-9a-f]{6,} ([0-9a-f]{6,}) /g, ' $1 OFFSET $2 ');
  const relocs = run('readelf', ['-Wr']).replace(/at offset 0x[0-9a-f]+/g, 'at offset X');
  const symbols = run('readelf', ['-Ws']);
  const contents = run('objdump', ['-s']);
  return { sections, relocs, symbols, contents };
}

/** The first differing line of two texts, for messages. */
export function firstDiff(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  ours:    ${la[i]}\n  objtool: ${lb[i]}`;
  }
  return '';
}
