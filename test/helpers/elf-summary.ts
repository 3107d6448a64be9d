/**
 * A binutils-free description of an ELF file for comparisons: every section header except its
 * file offset, and every section's bytes. Two files with equal summaries show the same
 * `readelf -WS` (offsets aside), `readelf -Wr`, `readelf -Ws` and `objdump -s`.
 */
import type { ElfFile } from '../../src/elf/reader.js';

export function elfSummary(elf: ElfFile): string[] {
  const lines: string[] = [`type=${elf.type} machine=${elf.machine} shnum=${elf.sections.length} shstrndx=${elf.shstrndx}`];
  for (const s of elf.sections) {
    lines.push(`[${s.index}] ${s.name} type=${s.type} flags=${s.flags.toString(16)} addr=${s.addr.toString(16)} size=${s.size} ` +
      `link=${s.link} info=${s.info} align=${s.addralign} entsize=${s.entsize}`);
    const d = elf.sectionData(s);
    for (let p = 0; p < d.length; p += 32) lines.push(`  ${p.toString(16)}: ${Buffer.from(d.subarray(p, p + 32)).toString('hex')}`);
  }
  return lines;
}

/** The first line where two summaries differ, or '' when they are equal. */
export function summaryDiff(ours: string[], theirs: string[]): string {
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] !== theirs[i]) return `line ${i}:\n  ours:    ${ours[i]}\n  objtool: ${theirs[i]}`;
  }
  return '';
}
