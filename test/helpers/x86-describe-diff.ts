/**
 * The x86-64 describer's fast path against its iced path, row by row: for every row of a linked file
 * whose bytes the fast path reads, the description both give (one memory-cell numbering shared, so
 * equal cells get equal ids).
 */
import { isDeepStrictEqual } from 'node:util';
import { MemCells } from '../../src/cfg/switch-tables.js';
import { X86Describer } from '../../src/arch/x86/jump-tables.js';
import { newPlainMove, readPlainMove } from '../../src/arch/x86/fast-describe.js';
import type { Program } from '../../src/program/program.js';

export interface DescribeDiff {
  /** rows the fast path reads (each compared) */
  compared: number;
  /** rows the fast path described itself (the others came from its byte cache) */
  fastDescribed: number;
  /** rows the fast path read that are rip-relative */
  ripRelative: number;
  /** rows whose descriptions differ */
  differences: number;
  /** the first few differences, printed */
  samples: string[];
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export function compareFastDescribe(p: Program): DescribeDiff {
  const cells = new MemCells();
  const fast = new X86Describer(p, cells);
  const slow = new X86Describer(p, cells, false);
  const mv = newPlainMove();
  const out: DescribeDiff = { compared: 0, fastDescribed: 0, ripRelative: 0, differences: 0, samples: [] };
  let lastSec = -1;
  let bytes = new Uint8Array(0);
  try {
    for (let row = 0; row < p.count; row++) {
      const sec = p.sec[row];
      if (sec !== lastSec) {
        bytes = p.elf.sectionData(p.elf.sections[sec]);
        lastSec = sec;
      }
      if (!readPlainMove(bytes, p.off[row], p.len[row], mv)) continue;
      out.compared++;
      if (mv.ripRel) out.ripRelative++;
      const a = fast.describe(row);
      const b = slow.describe(row);
      if (!isDeepStrictEqual(a, b) || JSON.stringify(a) !== JSON.stringify(b)) {
        out.differences++;
        if (out.samples.length < 10) {
          const at = p.off[row];
          out.samples.push(`row ${row} sec ${sec} off 0x${at.toString(16)} [${hex(bytes.subarray(at, at + p.len[row]))}]\n  fast ${JSON.stringify(a)}\n  iced ${JSON.stringify(b)}`);
        }
      }
    }
  } finally {
    out.fastDescribed = fast.fastDescribed;
    fast.close();
    slow.close();
  }
  return out;
}
