/**
 * Where an FDE's code is: the executable section and the instruction rows it covers. Relocatable
 * objects name the section (`pcSec`) and give offsets; linked files give addresses, which are
 * looked up among the executable sections.
 */
import { SHF_EXECINSTR } from '../elf/constants.js';
import type { Fde } from '../dwarf/index.js';
import type { Program } from '../program/program.js';

export interface FdeCode {
  sec: number;
  /** address of offset 0 of `sec` in FDE coordinates (0 in relocatable files) */
  base: number;
  /** first row, -1 when the FDE start is not an instruction boundary */
  first: number;
}

export class CodeSections {
  private readonly secs: number[] = [];

  constructor(private readonly p: Program) {
    for (const s of p.elf.sections) {
      if (s.index !== 0 && (Number(s.flags) & SHF_EXECINSTR) && s.size > 0) this.secs.push(s.index);
    }
  }

  /** The code an FDE covers, or undefined when its start lies in no executable section. */
  locate(fde: Fde): FdeCode | undefined {
    const p = this.p;
    const linked = p.elf.type !== 1;
    let sec = -1;
    if (!linked) {
      sec = fde.pcSec;
      if (sec < 0 || sec >= p.elf.sections.length || !(Number(p.elf.sections[sec].flags) & SHF_EXECINSTR)) return undefined;
    } else {
      for (const s of this.secs) {
        const h = p.elf.sections[s];
        if (fde.pcBegin >= h.addr && fde.pcBegin < h.addr + h.size) { sec = s; break; }
      }
      if (sec < 0) return undefined;
    }
    const base = linked ? p.elf.sections[sec].addr : 0;
    if (fde.pcBegin - base >= p.elf.sections[sec].size) return undefined;
    return { sec, base, first: p.find(sec, fde.pcBegin - base) };
  }
}
